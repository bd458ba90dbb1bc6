// SPDX-License-Identifier: GPL-2.0
/*
 * PCI host bridge, configuration spaces, BARs, INTx and MSI-X. See
 * include/devices/pci.h.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/pci.h"
#include "log.h"

#define CONF1_ENABLE	0x80000000u

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 get32(const u8 *p)
{
	return get16(p) | (u32)get16(p + 2) << 16;
}

/* --- Devices: header, capabilities, BARs --- */

void pci_dev_init(struct pci_dev *dev, const char *name, u16 vendor,
		  u16 device, u32 class, u8 revision,
		  const struct pci_dev_ops *ops, void *priv,
		  struct irq_line *intx)
{
	memset(dev, 0, sizeof(*dev));
	dev->name = name;
	dev->ops = ops;
	dev->priv = priv;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->intx_lock, NULL);
	pthread_mutex_init(&dev->msix.lock, NULL);
	put16(dev->cfg + PCI_VENDOR_ID, vendor);
	put16(dev->cfg + PCI_DEVICE_ID, device);
	dev->cfg[PCI_REVISION_ID] = revision;
	dev->cfg[PCI_CLASS_PROG] = (u8)class;
	put16(dev->cfg + PCI_CLASS_PROG + 1, (u16)(class >> 8));
	/* Command: I/O, memory, bus master, INTx disable. */
	put16(dev->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
	      PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	dev->wmask[PCI_LATENCY_TIMER] = 0xff;
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->next_cap = PCI_CAP_START;
	dev->last_cap_next = &dev->cfg[PCI_CAPABILITY_LIST];
	dev->intx = intx;
	if (intx) {
		dev->cfg[PCI_INTERRUPT_PIN] = 1;
		dev->cfg[PCI_INTERRUPT_LINE] = (u8)intx->gsi;
	}
}

void pci_dev_set_subsystem(struct pci_dev *dev, u16 vendor, u16 id)
{
	put16(dev->cfg + PCI_SUBSYSTEM_VENDOR_ID, vendor);
	put16(dev->cfg + PCI_SUBSYSTEM_ID, id);
}

u8 pci_dev_add_cap(struct pci_dev *dev, u8 id, u8 len)
{
	u8 off = dev->next_cap;

	if (len < 2 || off < PCI_CAP_START ||
	    (unsigned int)off + len > PCI_CFG_SIZE)
		return 0;
	dev->cfg[off] = id;
	dev->cfg[off + 1] = 0;
	*dev->last_cap_next = off;
	dev->last_cap_next = &dev->cfg[off + 1];
	put16(dev->cfg + PCI_STATUS,
	      get16(dev->cfg + PCI_STATUS) | PCI_STATUS_CAP_LIST);
	dev->next_cap = (u8)ALIGN_UP((unsigned int)off + len, 4u);
	if ((unsigned int)off + len > PCI_CFG_SIZE - 4)
		dev->next_cap = 0;
	return off;
}

static bool pow2(u64 v)
{
	return v && !(v & (v - 1));
}

int pci_dev_add_bar(struct pci_dev *dev, unsigned int bar,
		    enum pci_bar_kind kind, u64 size, bus_access_fn access,
		    void *priv)
{
	struct pci_bar *b;
	u32 flags = 0;

	if (bar >= PCI_NR_BARS || kind == PCI_BAR_UNUSED || !pow2(size) ||
	    size > (kind == PCI_BAR_IO ? 256u : 1ULL << 31) ||
	    size < (kind == PCI_BAR_IO ? 4u : 16u))
		return -EINVAL;
	if (kind == PCI_BAR_MEM64 && bar + 1 >= PCI_NR_BARS)
		return -EINVAL;
	if (dev->bars[bar].kind != PCI_BAR_UNUSED ||
	    (kind == PCI_BAR_MEM64 && dev->bars[bar + 1].kind))
		return -EBUSY;
	b = &dev->bars[bar];
	b->kind = kind;
	b->size = size;
	b->bus_dev = (struct bus_dev){
		.name = dev->name, .len = size, .access = access,
		.priv = priv,
	};
	if (kind == PCI_BAR_IO)
		flags = PCI_BAR_IO_FLAG;
	else if (kind == PCI_BAR_MEM64)
		flags = PCI_BAR_MEM_64;
	put32(dev->cfg + PCI_BAR0 + 4 * bar, flags);
	put32(dev->wmask + PCI_BAR0 + 4 * bar, (u32)~(size - 1) &
	      (kind == PCI_BAR_IO ? ~3u : ~15u));
	if (kind == PCI_BAR_MEM64) {
		/* The upper half: a placeholder that is never mapped alone. */
		dev->bars[bar + 1].kind = PCI_BAR_MEM64;
		dev->bars[bar + 1].size = 0;
		put32(dev->wmask + PCI_BAR0 + 4 * (bar + 1), 0xffffffffu);
	}
	return 0;
}

/* The address a BAR holds, and whether it may be decoded at all. */
static bool bar_target(struct pci_dev *dev, unsigned int i, u64 *addr)
{
	struct pci_bar *b = &dev->bars[i];
	u16 cmd = get16(dev->cfg + PCI_COMMAND);
	u32 lo = get32(dev->cfg + PCI_BAR0 + 4 * i);
	u64 a, limit;

	switch (b->kind) {
	case PCI_BAR_IO:
		if (!(cmd & PCI_COMMAND_IO))
			return false;
		a = lo & ~3u;
		limit = 0x10000;
		break;
	case PCI_BAR_MEM32:
	case PCI_BAR_MEM64:
		if (!(cmd & PCI_COMMAND_MEMORY) || !b->size)
			return false;
		a = lo & ~15u;
		if (b->kind == PCI_BAR_MEM64)
			a |= (u64)get32(dev->cfg + PCI_BAR0 + 4 * (i + 1)) << 32;
		limit = b->kind == PCI_BAR_MEM32 ? 1ULL << 32 : 1ULL << 52;
		break;
	default:
		return false;
	}
	/*
	 * 0 and sizing patterns (all ones: the top of the space) are not
	 * decoded, so sizing with decoding on maps nothing for a moment.
	 */
	if (!a || a >= limit - b->size)
		return false;
	*addr = a;
	return true;
}

/* Bring the buses in line with the command register and BARs. */
static void pci_update_bars(struct pci_dev *dev)
{
	struct pci_host *h = dev->host;
	unsigned int i;

	if (!h)
		return;
	for (i = 0; i < PCI_NR_BARS; i++) {
		struct pci_bar *b = &dev->bars[i];
		struct bus *bus = b->kind == PCI_BAR_IO ? h->pio : h->mmio;
		bool want;
		u64 addr = 0;
		int err = 0;

		if (b->kind == PCI_BAR_UNUSED || !b->size)
			continue;
		want = bar_target(dev, i, &addr);
		if (b->mapped && want && b->bus_dev.base == addr)
			continue;
		if (!b->mapped && !want)
			continue;
		if (b->mapped && want) {
			err = bus_move(bus, &b->bus_dev, addr);
			if (err) {
				bus_unregister(bus, &b->bus_dev);
				b->mapped = false;
			}
		} else if (b->mapped) {
			bus_unregister(bus, &b->bus_dev);
			b->mapped = false;
		} else {
			b->bus_dev.base = addr;
			err = bus_register(bus, &b->bus_dev);
			b->mapped = !err;
		}
		if (err)
			pr_warn_ratelimited("pci %s: BAR%u at 0x%llx (size 0x%llx) not mapped: %s",
					    dev->name, i,
					    (unsigned long long)addr,
					    (unsigned long long)b->size,
					    strerror(-err));
		if (dev->ops && dev->ops->bar_moved)
			dev->ops->bar_moved(dev, i, b->mapped,
					    b->mapped ? addr : 0);
	}
}

/* --- INTx --- */

static void intx_update(struct pci_dev *dev)
{
	/* INTx is silent while disabled and while MSI-X is in use. */
	bool level = dev->intx_level && !dev->intx_disabled &&
		     !dev->intx_msix;

	irq_line_set(dev->intx, level);
}

void pci_dev_set_intx(struct pci_dev *dev, bool level)
{
	if (!dev->intx)
		return;
	pthread_mutex_lock(&dev->intx_lock);
	dev->intx_level = level;
	intx_update(dev);
	pthread_mutex_unlock(&dev->intx_lock);
}

/* --- MSI-X --- */

static u64 msix_addr(const struct pci_msix_vector *v)
{
	return (u64)v->addr_hi << 32 | v->addr_lo;
}

/* Deliver vector n now; msix->lock held. */
static void msix_fire(struct pci_msix *m, unsigned int n)
{
	struct pci_msix_vector *v = &m->v[n];
	u64 one = 1;

	if (v->addr_lo & 3) {
		pr_warn_ratelimited("pci %s: MSI-X vector %u has a misaligned address 0x%llx: dropped",
				    m->name, n,
				    (unsigned long long)msix_addr(v));
		return;
	}
	if (v->fd >= 0) {
		if (write(v->fd, &one, sizeof(one)) == sizeof(one))
			return;
	}
	if (m->ops && m->ops->signal &&
	    m->ops->signal(m->ops->opaque, msix_addr(v), v->data))
		pr_warn_ratelimited("pci %s: MSI-X vector %u not delivered",
				    m->name, n);
}

/*
 * The guest changed entry n: keep its MSI route (and irqfd) in step. Routes
 * are made lazily, when an entry is first unmasked.
 */
static void msix_sync_route(struct pci_msix *m, unsigned int n)
{
	struct pci_msix_vector *v = &m->v[n];
	const struct pci_msi_ops *ops = m->ops;
	int gsi, fd;

	if (!ops || !ops->route_add)
		return;
	if (v->gsi >= 0) {
		if (ops->route_update(ops->opaque, (u32)v->gsi, msix_addr(v),
				      v->data))
			pr_warn_ratelimited("pci %s: cannot update MSI route of vector %u",
					    m->name, n);
		return;
	}
	if (v->ctrl & PCI_MSIX_ENTRY_MASKED)
		return;
	gsi = ops->route_add(ops->opaque, msix_addr(v), v->data);
	if (gsi < 0) {
		pr_warn_ratelimited("pci %s: no MSI route for vector %u (%s): using direct MSIs",
				    m->name, n, strerror(-gsi));
		return;
	}
	v->gsi = gsi;
	pr_info("pci %s: MSI-X vector %u -> GSI %d (address 0x%llx data 0x%x)",
		m->name, n, gsi, (unsigned long long)msix_addr(v), v->data);
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return;
	if (ops->irqfd_add(ops->opaque, (u32)gsi, fd)) {
		close(fd);
		return;
	}
	v->fd = fd;
}

/* Deliver what became unmasked; msix->lock held. */
static void msix_flush_pending(struct pci_msix *m)
{
	unsigned int n;

	if (!m->enabled || m->masked)
		return;
	for (n = 0; n < m->nr; n++) {
		if (m->v[n].pending && !(m->v[n].ctrl & PCI_MSIX_ENTRY_MASKED)) {
			m->v[n].pending = false;
			msix_fire(m, n);
		}
	}
}

bool pci_msix_enabled(struct pci_dev *dev)
{
	bool en;

	if (!dev->msix.nr)
		return false;
	pthread_mutex_lock(&dev->msix.lock);
	en = dev->msix.enabled;
	pthread_mutex_unlock(&dev->msix.lock);
	return en;
}

int pci_msix_notify(struct pci_dev *dev, unsigned int n)
{
	struct pci_msix *m = &dev->msix;
	int err = 0;

	if (n >= m->nr)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	if (!m->enabled)
		err = -ENODEV;
	else if (m->masked || (m->v[n].ctrl & PCI_MSIX_ENTRY_MASKED))
		m->v[n].pending = true;
	else
		msix_fire(m, n);
	pthread_mutex_unlock(&m->lock);
	return err;
}

static void msix_table_access(struct bus_dev *bd, struct vcpu *vcpu,
			      u64 offset, u8 *data, u32 len, bool is_write)
{
	struct pci_dev *dev = bd->priv;
	struct pci_msix *m = &dev->msix;
	u64 table_len = (u64)m->nr * PCI_MSIX_ENTRY_SIZE;
	u64 pba = ALIGN_UP(table_len, 8ULL);

	if ((len != 4 && len != 8) || (offset & (len - 1))) {
		pr_warn_ratelimited("pci %s: %u-byte MSI-X access at 0x%llx ignored",
				    dev->name, len,
				    (unsigned long long)offset);
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	pthread_mutex_lock(&m->lock);
	if (offset < table_len) {
		unsigned int n = (unsigned int)(offset / PCI_MSIX_ENTRY_SIZE);
		struct pci_msix_vector *v = &m->v[n];
		u32 *f[4] = { &v->addr_lo, &v->addr_hi, &v->data, &v->ctrl };
		unsigned int w = (offset % PCI_MSIX_ENTRY_SIZE) / 4, i;
		bool was_masked = v->ctrl & PCI_MSIX_ENTRY_MASKED;

		for (i = 0; i < len / 4; i++) {
			if (is_write) {
				u32 val = get32(data + 4 * i);

				if (w + i == 3)
					val &= PCI_MSIX_ENTRY_MASKED;
				*f[w + i] = val;
			} else {
				put32(data + 4 * i, *f[w + i]);
			}
		}
		if (is_write) {
			msix_sync_route(m, n);
			if (was_masked && !(v->ctrl & PCI_MSIX_ENTRY_MASKED))
				msix_flush_pending(m);
		}
	} else if (offset >= pba && offset < pba + ALIGN_UP(m->nr, 64u) / 8) {
		if (!is_write) {
			u64 bits = 0;
			unsigned int base = (unsigned int)(offset - pba) * 8, i;

			for (i = 0; i < len * 8 && base + i < m->nr; i++)
				if (m->v[base + i].pending)
					bits |= 1ULL << i;
			for (i = 0; i < len; i++)
				data[i] = (u8)(bits >> (8 * i));
		}
	} else if (!is_write) {
		memset(data, 0, len);
	}
	pthread_mutex_unlock(&m->lock);
}

int pci_dev_add_msix(struct pci_dev *dev, unsigned int bar, unsigned int nr)
{
	struct pci_msix *m = &dev->msix;
	u64 table_len = (u64)nr * PCI_MSIX_ENTRY_SIZE;
	u64 size = 4096;
	unsigned int i;
	int err;
	u8 cap;

	if (!nr || nr > PCI_MSIX_MAX_VECTORS || m->nr)
		return -EINVAL;
	while (size < ALIGN_UP(table_len, 8ULL) + ALIGN_UP(nr, 64u) / 8)
		size <<= 1;
	err = pci_dev_add_bar(dev, bar, PCI_BAR_MEM32, size,
			      msix_table_access, dev);
	if (err)
		return err;
	cap = pci_dev_add_cap(dev, PCI_CAP_ID_MSIX, PCI_MSIX_CAP_SIZE);
	if (!cap)
		return -ENOSPC;
	m->v = calloc(nr, sizeof(*m->v));
	if (!m->v)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		m->v[i].ctrl = PCI_MSIX_ENTRY_MASKED;
		m->v[i].gsi = -1;
		m->v[i].fd = -1;
	}
	m->nr = nr;
	m->cap = cap;
	m->bar = (u8)bar;
	m->name = dev->name;
	put16(dev->cfg + cap + PCI_MSIX_FLAGS, (u16)(nr - 1));
	put16(dev->wmask + cap + PCI_MSIX_FLAGS,
	      PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	put32(dev->cfg + cap + PCI_MSIX_TABLE, bar);
	put32(dev->cfg + cap + PCI_MSIX_PBA,
	      (u32)ALIGN_UP(table_len, 8ULL) | bar);
	return 0;
}

static void msix_destroy(struct pci_msix *m)
{
	unsigned int n;

	for (n = 0; n < m->nr; n++) {
		struct pci_msix_vector *v = &m->v[n];

		if (v->fd >= 0) {
			if (m->ops && m->ops->irqfd_del)
				m->ops->irqfd_del(m->ops->opaque, (u32)v->gsi,
						  v->fd);
			close(v->fd);
		}
	}
	free(m->v);
	m->v = NULL;
	m->nr = 0;
}

/* --- Configuration cycles --- */

/* dev->lock held: the effects of a write on BARs, INTx and MSI-X. */
static void cfg_apply(struct pci_dev *dev, u32 off, u32 len)
{
	u16 cmd = get16(dev->cfg + PCI_COMMAND);
	struct pci_msix *m = &dev->msix;

	if (off < PCI_COMMAND + 2 && off + len > PCI_COMMAND) {
		pthread_mutex_lock(&dev->intx_lock);
		dev->intx_disabled = cmd & PCI_COMMAND_INTX_DISABLE;
		intx_update(dev);
		pthread_mutex_unlock(&dev->intx_lock);
	}
	if (m->cap && off < m->cap + 4u && off + len > m->cap + 2u) {
		u16 ctrl = get16(dev->cfg + m->cap + PCI_MSIX_FLAGS);

		pthread_mutex_lock(&m->lock);
		/* A guest can flip it at will: the first change is told. */
		if (!m->enabled != !(ctrl & PCI_MSIX_FLAGS_ENABLE)) {
			pr_first_ratelimited(LOG_INFO, &m->told,
					     "pci %s: MSI-X %s (%u vectors)",
					     dev->name,
					     ctrl & PCI_MSIX_FLAGS_ENABLE ?
					     "enabled" : "disabled", m->nr);
		}
		m->enabled = ctrl & PCI_MSIX_FLAGS_ENABLE;
		m->masked = ctrl & PCI_MSIX_FLAGS_MASKALL;
		msix_flush_pending(m);
		pthread_mutex_unlock(&m->lock);
		pthread_mutex_lock(&dev->intx_lock);
		dev->intx_msix = ctrl & PCI_MSIX_FLAGS_ENABLE;
		intx_update(dev);
		pthread_mutex_unlock(&dev->intx_lock);
	}
	if ((off < PCI_COMMAND + 2 && off + len > PCI_COMMAND) ||
	    (off < PCI_BAR0 + 24 && off + len > PCI_BAR0))
		pci_update_bars(dev);
}

static void dev_cfg_access(struct pci_dev *dev, u32 off, u8 *data, u32 len,
			   bool is_write)
{
	u32 i;

	pthread_mutex_lock(&dev->lock);
	if (is_write) {
		for (i = 0; i < len; i++) {
			u8 wm = dev->wmask[off + i];

			dev->cfg[off + i] = (dev->cfg[off + i] & ~wm) |
					    (data[i] & wm);
		}
		cfg_apply(dev, off, len);
	} else {
		memcpy(data, dev->cfg + off, len);
		if (off < PCI_STATUS + 1 && off + len > PCI_STATUS) {
			pthread_mutex_lock(&dev->intx_lock);
			if (dev->intx_level)
				data[PCI_STATUS - off] |= PCI_STATUS_INTERRUPT;
			pthread_mutex_unlock(&dev->intx_lock);
		}
	}
	pthread_mutex_unlock(&dev->lock);
	if (!dev->ops)
		return;
	if (is_write && dev->ops->cfg_write)
		dev->ops->cfg_write(dev, off, len);
	else if (!is_write && dev->ops->cfg_read)
		dev->ops->cfg_read(dev, off, data, len);
}

void pci_cfg_access(struct pci_host *h, u8 slot, u8 fn, u32 off, u8 *data,
		    u32 len, bool is_write)
{
	struct pci_dev *dev = NULL;

	if (!is_write)
		memset(data, 0xff, len);
	if (slot < PCI_MAX_SLOTS && !fn) {
		pthread_mutex_lock(&h->lock);
		dev = h->slots[slot];
		pthread_mutex_unlock(&h->lock);
	}
	if (!dev)
		return;
	if ((len != 1 && len != 2 && len != 4) || (off & (len - 1))) {
		pr_warn_ratelimited("pci %s: unaligned %u-byte config access at 0x%x ignored",
				    dev->name, len, off);
		return;
	}
	/* Extended configuration space: a conventional function has none. */
	if (off >= PCI_CFG_SIZE) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	dev_cfg_access(dev, off, data, len, is_write);
}

/* 0xcf8-0xcff: address, reset control at 0xcf9, data at 0xcfc-0xcff. */
static void conf1_access(struct bus_dev *bd, struct vcpu *vcpu, u64 offset,
			 u8 *data, u32 len, bool is_write)
{
	struct pci_host *h = bd->priv;
	u32 addr;

	if (offset == 0 && len == 4) {
		pthread_mutex_lock(&h->lock);
		if (is_write)
			h->conf1_addr = get32(data) & 0x80fffffcu;
		else
			put32(data, h->conf1_addr);
		pthread_mutex_unlock(&h->lock);
		return;
	}
	if (offset == PCI_RESET_CTRL_OFF && len == 1) {
		bool reset = false;

		pthread_mutex_lock(&h->lock);
		if (is_write) {
			h->reset_ctrl = data[0] & 0x0a;
			reset = data[0] & PCI_RESET_CTRL_RESET;
		} else {
			data[0] = h->reset_ctrl;
		}
		pthread_mutex_unlock(&h->lock);
		if (reset) {
			pr_info("pci: reset through port 0xcf9");
			if (h->opts.reset)
				h->opts.reset(h->opts.reset_opaque);
		}
		return;
	}
	if (offset < 4 || offset + len > 8)
		return;		/* reads stay all-ones */
	pthread_mutex_lock(&h->lock);
	addr = h->conf1_addr;
	pthread_mutex_unlock(&h->lock);
	/* Disabled, or another bus: nothing answers. */
	if (!(addr & CONF1_ENABLE) || ((addr >> 16) & 0xff))
		return;
	pci_cfg_access(h, (addr >> 11) & 0x1f, (addr >> 8) & 7,
		       (addr & 0xfc) + (u32)(offset - 4), data, len, is_write);
}

static void ecam_access(struct bus_dev *bd, struct vcpu *vcpu, u64 offset,
			u8 *data, u32 len, bool is_write)
{
	struct pci_host *h = bd->priv;

	/* Bus 0 only: the window is 1 MiB. */
	pci_cfg_access(h, (offset >> 15) & 0x1f, (offset >> 12) & 7,
		       offset & 0xfff, data, len, is_write);
}

static u64 alloc_window(u64 *next, u64 limit, u64 size)
{
	u64 a = ALIGN_UP(*next, size);

	if (a < *next || a > limit || limit - a < size)
		return 0;
	*next = a + size;
	return a;
}

int pci_register_device(struct pci_host *h, struct pci_dev *dev)
{
	unsigned int slot, i;

	pthread_mutex_lock(&h->lock);
	for (slot = 0; slot < PCI_MAX_SLOTS && h->slots[slot]; slot++)
		;
	if (slot == PCI_MAX_SLOTS) {
		pthread_mutex_unlock(&h->lock);
		return -ENOSPC;
	}
	/* Initial addresses, as firmware would assign; decoding stays off. */
	for (i = 0; i < PCI_NR_BARS; i++) {
		struct pci_bar *b = &dev->bars[i];
		u64 a;

		if (!b->size)
			continue;
		if (b->kind == PCI_BAR_IO)
			a = alloc_window(&h->next_io, h->opts.bar_io_base +
					 h->opts.bar_io_size, b->size);
		else
			a = alloc_window(&h->next_mem, h->opts.bar_mem_base +
					 h->opts.bar_mem_size, b->size);
		if (!a) {
			pthread_mutex_unlock(&h->lock);
			return -ENOSPC;
		}
		put32(dev->cfg + PCI_BAR0 + 4 * i,
		      get32(dev->cfg + PCI_BAR0 + 4 * i) | (u32)a);
		if (b->kind == PCI_BAR_MEM64)
			put32(dev->cfg + PCI_BAR0 + 4 * (i + 1),
			      (u32)(a >> 32));
	}
	dev->slot = (u8)slot;
	dev->host = h;
	dev->msix.ops = h->opts.msi;
	memcpy(dev->cfg_power_on, dev->cfg, sizeof(dev->cfg));
	h->slots[slot] = dev;
	pthread_mutex_unlock(&h->lock);
	return 0;
}

void pci_unregister_device(struct pci_host *h, struct pci_dev *dev)
{
	unsigned int i;

	pthread_mutex_lock(&h->lock);
	if (dev->slot < PCI_MAX_SLOTS && h->slots[dev->slot] == dev)
		h->slots[dev->slot] = NULL;
	pthread_mutex_unlock(&h->lock);
	for (i = 0; i < PCI_NR_BARS; i++) {
		struct pci_bar *b = &dev->bars[i];

		if (b->mapped)
			bus_unregister(b->kind == PCI_BAR_IO ? h->pio : h->mmio,
				       &b->bus_dev);
		b->mapped = false;
	}
	msix_destroy(&dev->msix);
	dev->host = NULL;
}

unsigned int pci_list_intx(struct pci_host *h, pci_intx_fn fn,
			       void *opaque)
{
	unsigned int slot, n = 0;

	pthread_mutex_lock(&h->lock);
	for (slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		struct pci_dev *dev = h->slots[slot];

		if (!dev || !dev->intx)
			continue;
		if (fn)
			fn(opaque, (u8)slot, 0, dev->intx->gsi);
		n++;
	}
	pthread_mutex_unlock(&h->lock);
	return n;
}

int pci_host_init(struct pci_host *h, struct bus *pio, struct bus *mmio,
		  const struct pci_host_options *opts)
{
	int err;

	memset(h, 0, sizeof(*h));
	h->pio = pio;
	h->mmio = mmio;
	h->opts = *opts;
	h->next_mem = opts->bar_mem_base;
	h->next_io = opts->bar_io_base;
	pthread_mutex_init(&h->lock, NULL);

	pci_dev_init(&h->bridge, "host-bridge", PCI_HOST_VENDOR,
		     PCI_HOST_DEVICE, PCI_CLASS_BRIDGE_HOST, 0, NULL, NULL,
		     NULL);
	pci_dev_set_subsystem(&h->bridge, PCI_HOST_VENDOR, 0x1100);
	err = pci_register_device(h, &h->bridge);
	if (err)
		return err;

	h->conf1_dev = (struct bus_dev){
		.name = "pci-conf1", .base = PCI_CONF1_ADDR_PORT,
		.len = PCI_CONF1_LEN, .access = conf1_access, .priv = h,
	};
	err = bus_register(pio, &h->conf1_dev);
	if (err)
		return err;
	if (!opts->ecam_base)
		return 0;
	h->ecam_dev = (struct bus_dev){
		.name = "pci-ecam", .base = opts->ecam_base,
		.len = 1 << 20, .access = ecam_access, .priv = h,
	};
	err = bus_register(mmio, &h->ecam_dev);
	if (err)
		bus_unregister(pio, &h->conf1_dev);
	return err;
}

static void pci_dev_reset(struct pci_dev *dev)
{
	struct pci_msix *m = &dev->msix;
	unsigned int n;

	pthread_mutex_lock(&dev->lock);
	memcpy(dev->cfg, dev->cfg_power_on, sizeof(dev->cfg));
	pthread_mutex_lock(&m->lock);
	for (n = 0; n < m->nr; n++) {
		m->v[n].ctrl = PCI_MSIX_ENTRY_MASKED;
		m->v[n].pending = false;
	}
	pthread_mutex_unlock(&m->lock);
	cfg_apply(dev, 0, PCI_CFG_SIZE);
	pthread_mutex_unlock(&dev->lock);
}

void pci_host_reset(struct pci_host *h)
{
	struct pci_dev *devs[PCI_MAX_SLOTS];
	unsigned int slot;

	pthread_mutex_lock(&h->lock);
	h->conf1_addr = 0;
	h->reset_ctrl = 0;
	memcpy(devs, h->slots, sizeof(devs));
	pthread_mutex_unlock(&h->lock);
	for (slot = 0; slot < PCI_MAX_SLOTS; slot++)
		if (devs[slot])
			pci_dev_reset(devs[slot]);
}

void pci_host_destroy(struct pci_host *h)
{
	unsigned int slot;

	for (slot = 0; slot < PCI_MAX_SLOTS; slot++)
		if (h->slots[slot])
			pci_unregister_device(h, h->slots[slot]);
	bus_unregister(h->pio, &h->conf1_dev);
	if (h->opts.ecam_base)
		bus_unregister(h->mmio, &h->ecam_dev);
}
