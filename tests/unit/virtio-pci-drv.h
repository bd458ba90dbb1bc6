/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test harness: a PCI host (devices/pci.c) on real port and MMIO buses, a
 * 1 MiB guest RAM at 0x100000, recorders for INTx and MSI delivery, and a
 * small driver that reaches devices only through bus accesses, as a guest
 * does: configuration mechanism #1 at 0xcf8/0xcfc, BARs over MMIO.
 */
#ifndef LKVM_TESTS_VIRTIO_PCI_DRV_H
#define LKVM_TESTS_VIRTIO_PCI_DRV_H

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "devices/pci.h"
#include "guest-mem.h"
#include "virtio/pci.h"

#define TH_RAM		0x100000ULL
#define TH_RAM_SIZE	0x100000ULL
#define TH_QAREA(q)	(TH_RAM + 0x4000ULL * (q))
#define TH_BUFS		0x180000ULL
#ifndef TH_MAXQ
#define TH_MAXQ		4
#endif
#define TH_MAX_ROUTES	64

struct th_queue {
	u16 size;
	u64 desc, avail, used;
	u16 avail_idx, last_used;
	u64 notify;
};

struct th {
	struct bus pio, mmio;
	struct pci_host host;
	struct pci_msi_ops msi;
	struct guest_mem mem;
	u8 *ram;
	bool ram_owned;
	struct irq_line intx;
	int level, level_changes;
	int resets;
	/* MSI recorder */
	int nr_routes;
	u64 route_addr[TH_MAX_ROUTES];
	u32 route_data[TH_MAX_ROUTES];
	int route_fd[TH_MAX_ROUTES];
	int signals;
	u64 signal_addr;
	u32 signal_data;
	/* driver view of one device */
	u8 slot;
	u64 common, isr, device, notify;
	u32 mult;
	u64 msix_table;
	u8 msix_cap;
	struct th_queue q[TH_MAXQ];
};

static void th_level(struct irq_line *l, int level)
{
	struct th *t = l->opaque;

	if (level != t->level)
		t->level_changes++;
	t->level = level;
}

static int th_route_add(void *o, u64 addr, u32 data)
{
	struct th *t = o;

	if (t->nr_routes == TH_MAX_ROUTES)
		return -ENOSPC;
	t->route_addr[t->nr_routes] = addr;
	t->route_data[t->nr_routes] = data;
	t->route_fd[t->nr_routes] = -1;
	return 100 + t->nr_routes++;
}

static int th_route_update(void *o, u32 gsi, u64 addr, u32 data)
{
	struct th *t = o;

	if (gsi < 100 || gsi >= 100u + t->nr_routes)
		return -ENOENT;
	t->route_addr[gsi - 100] = addr;
	t->route_data[gsi - 100] = data;
	return 0;
}

static int th_irqfd_add(void *o, u32 gsi, int fd)
{
	struct th *t = o;

	if (gsi < 100 || gsi >= 100u + t->nr_routes)
		return -EINVAL;
	t->route_fd[gsi - 100] = fd;
	return 0;
}

static int th_irqfd_del(void *o, u32 gsi, int fd)
{
	return 0;
}

static int th_signal(void *o, u64 addr, u32 data)
{
	struct th *t = o;

	t->signals++;
	t->signal_addr = addr;
	t->signal_data = data;
	return 0;
}

static void th_reset_cb(void *o)
{
	((struct th *)o)->resets++;
}

/* ram: TH_RAM_SIZE bytes the caller keeps, or NULL to allocate them. */
static inline void th_init_ram(struct th *t, u8 *ram)
{
	struct pci_host_options o = {
		.ecam_base = 0xe0000000ULL,
		.bar_mem_base = 0xc0000000ULL, .bar_mem_size = 0x10000000ULL,
		.bar_io_base = 0xc000, .bar_io_size = 0x1000,
		.msi = &t->msi, .reset = th_reset_cb, .reset_opaque = t,
	};

	memset(t, 0, sizeof(*t));
	bus_init(&t->pio, "pio");
	bus_init(&t->mmio, "mmio");
	t->msi = (struct pci_msi_ops){
		.route_add = th_route_add, .route_update = th_route_update,
		.irqfd_add = th_irqfd_add, .irqfd_del = th_irqfd_del,
		.signal = th_signal, .opaque = t,
	};
	t->ram_owned = !ram;
	t->ram = ram ? ram : calloc(1, TH_RAM_SIZE);
	if (!t->ram || guest_mem_add(&t->mem, TH_RAM, TH_RAM_SIZE, t->ram,
				     false))
		abort();
	t->intx = (struct irq_line){ .set_level = th_level, .opaque = t,
				     .gsi = 10 };
	if (pci_host_init(&t->host, &t->pio, &t->mmio, &o))
		abort();
}

static inline void th_init(struct th *t)
{
	th_init_ram(t, NULL);
}

static inline void th_fini(struct th *t)
{
	pci_host_destroy(&t->host);
	bus_destroy(&t->pio);
	bus_destroy(&t->mmio);
	if (t->ram_owned)
		free(t->ram);
}

static inline void *th_hva(struct th *t, u64 gpa)
{
	return t->ram + (gpa - TH_RAM);
}

/* Bus accesses, little-endian values. */
static inline u64 th_rd(struct bus *b, u64 addr, u32 len)
{
	u64 v = 0;

	bus_access(b, NULL, addr, (u8 *)&v, len, false);
	return le64toh(v);
}

static inline void th_wr(struct bus *b, u64 addr, u32 len, u64 v)
{
	v = htole64(v);
	bus_access(b, NULL, addr, (u8 *)&v, len, true);
}

static inline u64 mrd(struct th *t, u64 addr, u32 len)
{
	return th_rd(&t->mmio, addr, len);
}

static inline void mwr(struct th *t, u64 addr, u32 len, u64 v)
{
	th_wr(&t->mmio, addr, len, v);
}

/* Mechanism #1: address at 0xcf8, data at 0xcfc + (off & 3). */
static inline u32 cfg_rd(struct th *t, u8 slot, u32 off, u32 len)
{
	th_wr(&t->pio, 0xcf8, 4, 0x80000000u | (u32)slot << 11 |
	      (off & 0xfc));
	return (u32)th_rd(&t->pio, 0xcfc + (off & 3), len);
}

static inline void cfg_wr(struct th *t, u8 slot, u32 off, u32 len, u32 v)
{
	th_wr(&t->pio, 0xcf8, 4, 0x80000000u | (u32)slot << 11 |
	      (off & 0xfc));
	th_wr(&t->pio, 0xcfc + (off & 3), len, v);
}

static inline u64 th_bar(struct th *t, u8 slot, unsigned int bar)
{
	u32 lo = cfg_rd(t, slot, PCI_BAR0 + 4 * bar, 4);
	u64 a = lo & ~0xfULL;

	if ((lo & 6) == 4)
		a |= (u64)cfg_rd(t, slot, PCI_BAR0 + 4 * bar + 4, 4) << 32;
	return a;
}

/* Find 1af4:(1040 + id), enable memory decoding, walk the capabilities. */
static inline bool th_find(struct th *t, u32 id)
{
	unsigned int slot, guard;
	u8 pos;

	for (slot = 0; slot < 32; slot++)
		if (cfg_rd(t, slot, 0, 4) == (0x1af4u | (0x1040u + id) << 16))
			break;
	if (slot == 32)
		return false;
	t->slot = (u8)slot;
	cfg_wr(t, slot, PCI_COMMAND, 2, PCI_COMMAND_MEMORY |
	       PCI_COMMAND_MASTER);
	pos = cfg_rd(t, slot, PCI_CAPABILITY_LIST, 1);
	for (guard = 0; pos >= 0x40 && guard < 48; guard++) {
		u8 cid = cfg_rd(t, slot, pos, 1);

		if (cid == PCI_CAP_ID_VNDR) {
			u8 type = cfg_rd(t, slot, pos + 3, 1);
			u64 at = th_bar(t, slot, cfg_rd(t, slot, pos + 4, 1)) +
				 cfg_rd(t, slot, pos + 8, 4);

			if (type == VIRTIO_PCI_CAP_COMMON_CFG)
				t->common = at;
			else if (type == VIRTIO_PCI_CAP_ISR_CFG)
				t->isr = at;
			else if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
				t->device = at;
			else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
				t->notify = at;
				t->mult = cfg_rd(t, slot, pos + 16, 4);
			}
		} else if (cid == PCI_CAP_ID_MSIX) {
			u32 tb = cfg_rd(t, slot, pos + 4, 4);

			t->msix_cap = pos;
			t->msix_table = th_bar(t, slot, tb & 7) + (tb & ~7u);
		}
		pos = cfg_rd(t, slot, pos + 1, 1);
	}
	return t->common && t->isr && t->notify;
}

#define TC(t, off) ((t)->common + VIRTIO_PCI_COMMON_##off)

/* Reset, ACK, DRIVER, features (+VERSION_1), FEATURES_OK; status back. */
static inline u8 th_negotiate(struct th *t, u64 f)
{
	f |= VIRTIO_BIT(VIRTIO_F_VERSION_1);
	mwr(t, TC(t, STATUS), 1, 0);
	mwr(t, TC(t, STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE);
	mwr(t, TC(t, STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	mwr(t, TC(t, GFSELECT), 4, 0);
	mwr(t, TC(t, GF), 4, (u32)f);
	mwr(t, TC(t, GFSELECT), 4, 1);
	mwr(t, TC(t, GF), 4, (u32)(f >> 32));
	mwr(t, TC(t, STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	    VIRTIO_STATUS_FEATURES_OK);
	return (u8)mrd(t, TC(t, STATUS), 1);
}

static inline u64 th_device_features(struct th *t)
{
	u64 f;

	mwr(t, TC(t, DFSELECT), 4, 1);
	f = mrd(t, TC(t, DF), 4) << 32;
	mwr(t, TC(t, DFSELECT), 4, 0);
	return f | mrd(t, TC(t, DF), 4);
}

/* Queue q with `size` entries at TH_QAREA(q); vector (or NO_VECTOR). */
static inline bool th_queue(struct th *t, unsigned int q, u16 size,
			    u16 vector)
{
	struct th_queue *tq = &t->q[q];

	memset(tq, 0, sizeof(*tq));
	tq->size = size;
	tq->desc = TH_QAREA(q);
	tq->avail = tq->desc + 0x1000;
	tq->used = tq->desc + 0x2000;
	mwr(t, TC(t, Q_SELECT), 2, q);
	mwr(t, TC(t, Q_SIZE), 2, size);
	mwr(t, TC(t, Q_DESCLO), 4, (u32)tq->desc);
	mwr(t, TC(t, Q_DESCHI), 4, 0);
	mwr(t, TC(t, Q_AVAILLO), 4, (u32)tq->avail);
	mwr(t, TC(t, Q_AVAILHI), 4, 0);
	mwr(t, TC(t, Q_USEDLO), 4, (u32)tq->used);
	mwr(t, TC(t, Q_USEDHI), 4, 0);
	mwr(t, TC(t, Q_MSIX), 2, vector);
	tq->notify = t->notify + mrd(t, TC(t, Q_NOFF), 2) * t->mult;
	mwr(t, TC(t, Q_ENABLE), 2, 1);
	return mrd(t, TC(t, Q_ENABLE), 2) == 1;
}

static inline void th_driver_ok(struct th *t)
{
	mwr(t, TC(t, STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

/* One-descriptor buffer on queue q; notify through the doorbell. */
static inline void th_post(struct th *t, unsigned int q, u64 gpa, u32 len,
			   bool write)
{
	struct th_queue *tq = &t->q[q];
	u16 slot = tq->avail_idx % tq->size;
	u8 *d = th_hva(t, tq->desc + 16 * slot);
	u64 a = htole64(gpa);
	u32 l = htole32(len);
	u16 fl = htole16(write ? VIRTQ_DESC_F_WRITE : 0), z = 0, s, idx;

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &fl, 2);
	memcpy(d + 14, &z, 2);
	s = htole16(slot);
	memcpy(th_hva(t, tq->avail + 4 + 2 * slot), &s, 2);
	tq->avail_idx++;
	idx = htole16(tq->avail_idx);
	__atomic_store_n((u16 *)th_hva(t, tq->avail + 2), idx,
			 __ATOMIC_RELEASE);
	mwr(t, tq->notify, 2, q);
}

static inline bool th_used(struct th *t, unsigned int q, u32 *len)
{
	struct th_queue *tq = &t->q[q];
	u16 idx;
	u32 l;

	idx = __atomic_load_n((u16 *)th_hva(t, tq->used + 2),
			      __ATOMIC_ACQUIRE);
	if (le16toh(idx) == tq->last_used)
		return false;
	memcpy(&l, th_hva(t, tq->used + 4 + 8 * (tq->last_used % tq->size) +
			  4), 4);
	tq->last_used++;
	if (len)
		*len = le32toh(l);
	return true;
}

/* MSI-X: enable (function), program entry n to (addr, data), unmask. */
static inline void th_msix_enable(struct th *t, bool on, bool maskall)
{
	cfg_wr(t, t->slot, t->msix_cap + 2, 2, (on ? 0x8000 : 0) |
	       (maskall ? 0x4000 : 0));
}

static inline void th_msix_entry(struct th *t, unsigned int n, u64 addr,
				 u32 data, bool masked)
{
	u64 e = t->msix_table + 16 * n;

	mwr(t, e, 4, (u32)addr);
	mwr(t, e + 4, 4, (u32)(addr >> 32));
	mwr(t, e + 8, 4, data);
	mwr(t, e + 12, 4, masked);
}

/* How many times the irqfd of route r was written (reads it to zero). */
static inline u64 th_irqfd_count(struct th *t, int r)
{
	u64 c = 0;

	if (r < 0 || r >= t->nr_routes || t->route_fd[r] < 0 ||
	    read(t->route_fd[r], &c, sizeof(c)) != sizeof(c))
		return 0;
	return c;
}

#endif
