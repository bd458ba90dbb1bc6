// SPDX-License-Identifier: GPL-2.0
/* The test guest's virtio driver: see virtio.h. */
#include "virtio.h"

#define IOAPIC_BASE	0xfec00000UL
#define LAPIC_LVT0	0x350
#define SPIN_LIMIT	3000000u

/* virtio-pci capability types and common config offsets (spec 4.1.4). */
#define CAP_COMMON	1
#define CAP_NOTIFY	2
#define CAP_ISR		3
#define CAP_DEVICE	4
#define C_DFSELECT	0x00
#define C_DF		0x04
#define C_GFSELECT	0x08
#define C_GF		0x0c
#define C_MSIX		0x10
#define C_NUMQ		0x12
#define C_STATUS	0x14
#define C_QSELECT	0x16
#define C_QSIZE		0x18
#define C_QMSIX		0x1a
#define C_QENABLE	0x1c
#define C_QNOFF		0x1e
#define C_QDESC		0x20
#define C_QAVAIL	0x28
#define C_QUSED		0x30

/* virtio-mmio registers (spec 4.2.2). */
#define M_MAGIC		0x000
#define M_VERSION	0x004
#define M_DEVICE_ID	0x008
#define M_DF		0x010
#define M_DFSEL		0x014
#define M_GF		0x020
#define M_GFSEL		0x024
#define M_PAGE_SIZE	0x028
#define M_QSEL		0x030
#define M_QNUM_MAX	0x034
#define M_QNUM		0x038
#define M_QALIGN	0x03c
#define M_QPFN		0x040
#define M_QREADY	0x044
#define M_QNOTIFY	0x050
#define M_ISR		0x060
#define M_ACK		0x064
#define M_STATUS	0x070
#define M_QDESC		0x080
#define M_QDRIVER	0x090
#define M_QDEVICE	0x0a0
#define M_CONFIG	0x100

#define S_ACK		1
#define S_DRIVER	2
#define S_DRIVER_OK	4
#define S_FEATURES_OK	8

static struct vio_dev *irq_dev;	/* one device with interrupts at a time */

static void ioapic_write(u32 reg, u32 v)
{
	writel(reg, IOAPIC_BASE);
	writel(v, IOAPIC_BASE + 0x10);
}

const char *vio_irq_name(enum vio_irq irq)
{
	return irq == VIO_MSIX ? "msix" : irq == VIO_INTX ? "intx" : "poll";
}

int vio_parse_irq(const char *arg, enum vio_irq *irq)
{
	if (!*arg || !strcmp(arg, "msix"))
		*irq = VIO_MSIX;
	else if (!strcmp(arg, "intx"))
		*irq = VIO_INTX;
	else if (!strcmp(arg, "poll"))
		*irq = VIO_POLL;
	else
		return -1;
	return 0;
}

static void set_status(struct vio_dev *d, u8 s)
{
	if (d->mmio)
		writel(s, d->base + M_STATUS);
	else
		writeb(s, d->common + C_STATUS);
}

static u8 get_status(struct vio_dev *d)
{
	return d->mmio ? (u8)readl(d->base + M_STATUS) :
			 readb(d->common + C_STATUS);
}

void vio_reset(struct vio_dev *d)
{
	set_status(d, 0);
}

u8 vio_cfg8(struct vio_dev *d, u32 off)
{
	return d->mmio ? readb(d->base + M_CONFIG + off) :
			 readb(d->device + off);
}

/* --- Finding the device --- */

/* vio-skip=N on the command line: use the (N+1)-th device of the kind. */
static unsigned int vio_skip(void)
{
	char buf[16];

	return cmdline_get("vio-skip", buf, sizeof(buf)) ?
	       (unsigned int)strtou64(buf, NULL) : 0;
}

static bool pci_find(struct vio_dev *d, u32 id)
{
	unsigned int slot, skip = vio_skip();
	u8 pos;

	for (slot = 0; slot < 32; slot++) {
		u32 vd = pci_cfg_read32(0, slot, 0, PCI_VENDOR_ID);

		if (vd == (0x1af4u | (0x1040u + id) << 16) && !skip--)
			break;
	}
	if (slot == 32)
		return false;
	d->slot = (u8)slot;
	d->transport = "pci";
	pci_cfg_write16(0, slot, 0, PCI_COMMAND, PCI_COMMAND_MEMORY |
			PCI_COMMAND_MASTER);
	d->line = pci_cfg_read8(0, slot, 0, 0x3c);
	pos = pci_cfg_read8(0, slot, 0, PCI_CAPABILITY_LIST) & ~3;
	for (unsigned int guard = 0; pos >= 0x40 && guard < 48; guard++) {
		u8 cid = pci_cfg_read8(0, slot, 0, pos);

		if (cid == PCI_CAP_ID_VNDR) {
			u8 type = pci_cfg_read8(0, slot, 0, pos + 3);
			u8 bar = pci_cfg_read8(0, slot, 0, pos + 4);
			u64 at = pci_bar_addr(0, slot, 0, bar) +
				 pci_cfg_read32(0, slot, 0, pos + 8);

			if (type == CAP_COMMON)
				d->common = at;
			else if (type == CAP_ISR)
				d->isr = at;
			else if (type == CAP_DEVICE)
				d->device = at;
			else if (type == CAP_NOTIFY) {
				d->notify = at;
				d->notify_mult = pci_cfg_read32(0, slot, 0,
								pos + 16);
			}
		} else if (cid == PCI_CAP_ID_MSIX) {
			u32 t = pci_cfg_read32(0, slot, 0, pos + 4);
			u32 p = pci_cfg_read32(0, slot, 0, pos + 8);

			d->msix_nr = (pci_cfg_read16(0, slot, 0, pos + 2) &
				      0x7ff) + 1;
			d->msix_table = pci_bar_addr(0, slot, 0, t & 7) +
					(t & ~7u);
			d->msix_pba = pci_bar_addr(0, slot, 0, p & 7) +
				      (p & ~7u);
			if (d->irq == VIO_MSIX)
				pci_cfg_write16(0, slot, 0, pos + 2, 0x8000);
		}
		pos = pci_cfg_read8(0, slot, 0, pos + 1) & ~3;
	}
	if (!d->common || !d->isr || !d->notify) {
		printf("virtio: 00:%02x.0 lacks virtio capabilities\n", slot);
		return false;
	}
	if (d->irq == VIO_MSIX && !d->msix_table) {
		printf("virtio: 00:%02x.0 has no MSI-X\n", slot);
		return false;
	}
	return true;
}

/* virtio_mmio.device=<size>@<base>:<irq> words on the command line. */
static bool mmio_find(struct vio_dev *d, u32 id)
{
	char buf[64];
	unsigned int n, skip = vio_skip();

	for (n = 0; cmdline_get_nth("virtio_mmio.device", n, buf,
				    sizeof(buf)); n++) {
		const char *p = strchr(buf, '@'), *end;
		u64 base, irq;

		if (!p)
			continue;
		base = strtou64(p + 1, &end);
		if (*end != ':')
			continue;
		irq = strtou64(end + 1, &end);
		if (readl(base + M_MAGIC) != 0x74726976 ||
		    readl(base + M_DEVICE_ID) != id || skip--)
			continue;
		d->mmio = true;
		d->base = base;
		d->line = (u8)irq;
		d->version = readl(base + M_VERSION);
		d->transport = d->version == 1 ? "mmio-legacy" : "mmio";
		return true;
	}
	return false;
}

/* --- Interrupts --- */

static void vio_irq_handler(struct irq_frame *f)
{
	struct vio_dev *d = irq_dev;
	unsigned int v = f->vector - VIO_VECTOR_BASE;

	if (!d) {
		lapic_eoi();
		return;
	}
	if (d->irq == VIO_MSIX) {
		if (v == 0)
			d->config_irqs++;
		else if (v - 1 < d->nr_queues)
			d->q[v - 1].irqs++;
	} else {
		u32 isr;

		if (d->mmio) {
			isr = readl(d->base + M_ISR);
			writel(isr, d->base + M_ACK);
		} else {
			isr = readb(d->isr);	/* read to clear */
		}
		d->isr_seen |= isr;
		if (isr & 2)
			d->config_irqs++;
		if (isr & 1)
			for (unsigned int q = 0; q < d->nr_queues; q++)
				d->q[q].irqs++;
	}
	lapic_eoi();
}

static void irq_setup(struct vio_dev *d)
{
	unsigned int v;

	if (d->irq == VIO_POLL)
		return;
	irq_dev = d;
	outb(0xff, 0x21);	/* PIC masked: the IOAPIC and MSIs deliver */
	outb(0xff, 0xa1);
	lapic_enable();
	lapic_write(LAPIC_LVT0, 1u << 16);
	for (v = 0; v <= VIO_MAX_QUEUES; v++)
		irq_set_handler(VIO_VECTOR_BASE + v, vio_irq_handler);
	if (d->irq == VIO_INTX) {
		/*
		 * PCI INTx: level, active low (as the MP table says);
		 * the virtio-mmio line: level, active high.
		 */
		u32 lo = (VIO_VECTOR_BASE + 1) | 1u << 15 |
			 (d->mmio ? 0 : 1u << 13);

		ioapic_write(0x10 + 2 * d->line + 1, lapic_id() << 24);
		ioapic_write(0x10 + 2 * d->line, lo);
	}
	irq_enable();
}

static void msix_entry(struct vio_dev *d, unsigned int n, u8 vector)
{
	u64 e = d->msix_table + 16 * n;

	writel(MSI_ADDR(lapic_id()), e);
	writel(0, e + 4);
	writel(MSI_DATA(vector), e + 8);
	writel(0, e + 12);	/* unmasked */
}

void vio_msix_mask(struct vio_dev *d, unsigned int q, bool mask)
{
	writel(mask ? 1 : 0, d->msix_table + 16 * (q + 1) + 12);
}

bool vio_msix_pending(struct vio_dev *d, unsigned int q)
{
	return readq(d->msix_pba) & (1ULL << (q + 1));
}

/* --- Set-up --- */

static u32 get_df(struct vio_dev *d, u32 sel)
{
	if (d->mmio) {
		writel(sel, d->base + M_DFSEL);
		return readl(d->base + M_DF);
	}
	writel(sel, d->common + C_DFSELECT);
	return readl(d->common + C_DF);
}

static void set_gf(struct vio_dev *d, u32 sel, u32 v)
{
	if (d->mmio) {
		writel(sel, d->base + M_GFSEL);
		writel(v, d->base + M_GF);
	} else {
		writel(sel, d->common + C_GFSELECT);
		writel(v, d->common + C_GF);
	}
}

int vio_init(struct vio_dev *d, u32 id, enum vio_irq irq, u64 want,
	     u64 *offered)
{
	u64 f;

	memset(d, 0, sizeof(*d));
	d->irq = irq;
	if (!mmio_find(d, id) && !pci_find(d, id)) {
		printf("virtio: no device with id %u\n", id);
		return -1;
	}
	if (d->mmio && irq == VIO_MSIX)
		d->irq = VIO_INTX;
	set_status(d, 0);
	set_status(d, S_ACK);
	set_status(d, S_ACK | S_DRIVER);
	f = get_df(d, 0) | (u64)get_df(d, 1) << 32;
	if (offered)
		*offered = f;
	if (!(f & (1ULL << 32))) {
		printf("virtio: device does not offer VERSION_1\n");
		return -1;
	}
	f &= want | 1ULL << 32;
	set_gf(d, 0, (u32)f);
	set_gf(d, 1, (u32)(f >> 32));
	set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(get_status(d) & S_FEATURES_OK)) {
		printf("virtio: FEATURES_OK did not stick\n");
		return -1;
	}
	irq_setup(d);
	return 0;
}

static int queue_setup(struct vio_dev *d, unsigned int i)
{
	/* desc, avail in page 0; used in page 1 (legacy layout too). */
	return vio_queue_setup(d, i, page_zalloc(2));
}

int vio_queue_setup(struct vio_dev *d, unsigned int i, u8 *mem)
{
	struct vio_queue *q = &d->q[i];
	u16 max;

	if (!mem)
		return -1;
	q->avail_idx = 0;
	q->last_used = 0;
	q->index = (u16)i;
	q->desc = mem;
	q->avail = mem + 16 * VIO_QSIZE;
	q->used = mem + PAGE_SIZE;
	if (d->mmio) {
		writel(i, d->base + M_QSEL);
		max = (u16)readl(d->base + M_QNUM_MAX);
	} else {
		writew((u16)i, d->common + C_QSELECT);
		max = readw(d->common + C_QSIZE);
	}
	if (!max) {
		printf("virtio: queue %u does not exist\n", i);
		return -1;
	}
	q->size = max < VIO_QSIZE ? max : VIO_QSIZE;
	if (d->mmio) {
		writel(q->size, d->base + M_QNUM);
		if (d->version == 1) {
			writel(PAGE_SIZE, d->base + M_PAGE_SIZE);
			writel(PAGE_SIZE, d->base + M_QALIGN);
			writel((u32)((u64)mem / PAGE_SIZE), d->base + M_QPFN);
			return 0;
		}
		writel((u32)(u64)q->desc, d->base + M_QDESC);
		writel(0, d->base + M_QDESC + 4);
		writel((u32)((u64)q->avail), d->base + M_QDRIVER);
		writel(0, d->base + M_QDRIVER + 4);
		writel((u32)((u64)q->used), d->base + M_QDEVICE);
		writel(0, d->base + M_QDEVICE + 4);
		writel(1, d->base + M_QREADY);
		return 0;
	}
	writew(q->size, d->common + C_QSIZE);
	writel((u32)(u64)q->desc, d->common + C_QDESC);
	writel(0, d->common + C_QDESC + 4);
	writel((u32)(u64)q->avail, d->common + C_QAVAIL);
	writel(0, d->common + C_QAVAIL + 4);
	writel((u32)(u64)q->used, d->common + C_QUSED);
	writel(0, d->common + C_QUSED + 4);
	if (d->irq == VIO_MSIX) {
		msix_entry(d, i + 1, (u8)(VIO_VECTOR_BASE + 1 + i));
		writew((u16)(i + 1), d->common + C_QMSIX);
		if (readw(d->common + C_QMSIX) != i + 1) {
			printf("virtio: queue %u vector not accepted\n", i);
			return -1;
		}
	}
	q->notify = d->notify + (u64)readw(d->common + C_QNOFF) *
		    d->notify_mult;
	writew(1, d->common + C_QENABLE);
	return 0;
}

int vio_queue_reset(struct vio_dev *d, unsigned int i)
{
	if (!d->mmio)
		return -1;
	writel(i, d->base + M_QSEL);
	if (d->version == 1) {
		writel(0, d->base + M_QPFN);
		return readl(d->base + M_QPFN) ? -1 : 0;
	}
	writel(0, d->base + M_QREADY);
	return readl(d->base + M_QREADY) ? -1 : 0;
}

int vio_start(struct vio_dev *d, unsigned int n)
{
	unsigned int i;

	if (n > VIO_MAX_QUEUES)
		return -1;
	if (!d->mmio && d->irq == VIO_MSIX) {
		msix_entry(d, 0, VIO_VECTOR_BASE);
		writew(0, d->common + C_MSIX);
		if (readw(d->common + C_MSIX) != 0) {
			printf("virtio: config vector not accepted\n");
			return -1;
		}
	}
	for (i = 0; i < n; i++)
		if (queue_setup(d, i))
			return -1;
	d->nr_queues = n;
	set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	if (get_status(d) != (S_ACK | S_DRIVER | S_FEATURES_OK |
			      S_DRIVER_OK)) {
		printf("virtio: status 0x%x after DRIVER_OK\n",
		       get_status(d));
		return -1;
	}
	return 0;
}

/* --- Buffers --- */

void vio_kick(struct vio_dev *d, unsigned int q)
{
	mb();
	if (d->mmio)
		writel(q, d->base + M_QNOTIFY);
	else
		writew((u16)q, d->q[q].notify);
}

void vio_post(struct vio_dev *d, unsigned int qi, void *buf, u32 len,
	      bool write)
{
	struct vio_queue *q = &d->q[qi];
	u16 slot = q->avail_idx % q->size;
	volatile u8 *desc = q->desc + 16 * slot;

	*(volatile u64 *)desc = (u64)buf;
	*(volatile u32 *)(desc + 8) = len;
	*(volatile u16 *)(desc + 12) = write ? 2 : 0;
	*(volatile u16 *)(desc + 14) = 0;
	*(volatile u16 *)(q->avail + 4 + 2 * slot) = slot;
	wmb();
	q->avail_idx++;
	*(volatile u16 *)(q->avail + 2) = q->avail_idx;
	vio_kick(d, qi);
}

bool vio_has_used(struct vio_dev *d, unsigned int qi)
{
	struct vio_queue *q = &d->q[qi];

	rmb();
	return *(volatile u16 *)(q->used + 2) != q->last_used;
}

int vio_wait_used(struct vio_dev *d, unsigned int qi, u32 *len)
{
	struct vio_queue *q = &d->q[qi];
	u16 slot;
	unsigned int i;

	for (i = 0; i < SPIN_LIMIT && !vio_has_used(d, qi); i++)
		cpu_relax();
	if (!vio_has_used(d, qi))
		return -1;
	slot = q->last_used % q->size;
	if (len)
		*len = *(volatile u32 *)(q->used + 4 + 8 * slot + 4);
	q->last_used++;
	return 0;
}
