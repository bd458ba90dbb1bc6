// SPDX-License-Identifier: GPL-2.0
/*
 * test=virtio-hostile: a guest that feeds a virtio-rng device and the PCI
 * host bad values -- out-of-range queue selects and MSI-X vectors, notify
 * writes for queues that do not exist, odd access widths, a PCI_CFG window
 * pointing nowhere, BARs moved onto other devices or beyond the address
 * space, a descriptor outside RAM -- then checks the device still works
 * after a reset. Also checks ECAM and the PCI_CFG window on the way.
 *   virtio-hostile: ok
 * test=pci-reset: writes 0x06 to port 0xcf9 (the VMM must end the VM).
 */
#include "virtio.h"

#define ID_RNG		4
#define ECAM_BASE	0xe0000000ULL

static int fails;

static void expect(bool cond, const char *what)
{
	if (!cond) {
		printf("virtio-hostile: FAILED: %s\n", what);
		fails++;
	}
}

static int rng_works(struct vio_dev *d, u8 *buf)
{
	u32 len = 0;

	if (vio_init(d, ID_RNG, VIO_POLL, 0, NULL) || vio_start(d, 1))
		return 0;
	memset(buf, 0, 32);
	vio_post(d, 0, buf, 32, true);
	return !vio_wait_used(d, 0, &len) && len == 32 &&
	       memcmp(buf, buf + 16, 16);
}

/* The offset of the virtio vendor capability of cfg_type type. */
static u8 vcap(u8 slot, u8 type)
{
	u8 pos = pci_cfg_read8(0, slot, 0, PCI_CAPABILITY_LIST) & ~3;

	for (unsigned int guard = 0; pos >= 0x40 && guard < 48; guard++) {
		if (pci_cfg_read8(0, slot, 0, pos) == PCI_CAP_ID_VNDR &&
		    pci_cfg_read8(0, slot, 0, pos + 3) == type)
			return pos;
		pos = pci_cfg_read8(0, slot, 0, pos + 1) & ~3;
	}
	return 0;
}

static void pci_hostile(struct vio_dev *d)
{
	u8 s = d->slot, pc = vcap(s, 5);
	u16 bar = PCI_BAR0 + 4 * 4;
	u32 lo = pci_cfg_read32(0, s, 0, bar), hi;
	u64 ecam = ECAM_BASE + ((u64)s << 15);

	/* Common config: selects and vectors out of range, odd widths. */
	writew(0xffff, d->common + 0x16);
	writew(64, d->common + 0x18);
	writew(3, d->common + 0x1a);
	writel(0x1000, d->common + 0x20);
	writew(1, d->common + 0x1c);
	expect(readw(d->common + 0x18) == 0, "queue 0xffff has no size");
	expect(readw(d->common + 0x1a) == 0xffff, "queue 0xffff has no vector");
	writew(0, d->common + 0x16);
	writew(0x1234, d->common + 0x10);
	expect(readw(d->common + 0x10) == 0xffff,
	       "config vector 0x1234 reads back NO_VECTOR");
	writeq(~0ULL, d->common + 0x14);
	writeb(0xff, d->common + 0x05);
	(void)readb(d->common + 0x05);
	writew(7, d->notify + 4 * 100);
	writel(0, d->notify + 2);
	/* MSI-X: beyond the table, odd widths. */
	writel(0xdeadbeef, d->msix_table + 0x400);
	(void)readw(d->msix_table + 2);
	writeq(~0ULL, d->msix_pba);
	writel(0xfee00001, d->msix_table + 16);	/* misaligned MSI address */
	/* The PCI_CFG window: nowhere, misaligned, then the real NUMQ. */
	pci_cfg_write8(0, s, 0, pc + 4, 9);
	(void)pci_cfg_read32(0, s, 0, pc + 16);
	pci_cfg_write8(0, s, 0, pc + 4, 4);
	pci_cfg_write32(0, s, 0, pc + 8, 0x3ffe);
	pci_cfg_write32(0, s, 0, pc + 12, 4);
	pci_cfg_write32(0, s, 0, pc + 16, 0xffffffff);
	pci_cfg_write32(0, s, 0, pc + 8, 0x12);
	pci_cfg_write32(0, s, 0, pc + 12, 2);
	expect((pci_cfg_read32(0, s, 0, pc + 16) & 0xffff) == 1,
	       "PCI_CFG window reads num_queues 1");
	/* Configuration space through ECAM, and buses that do not exist. */
	expect(readl(ecam) == pci_cfg_read32(0, s, 0, 0), "ECAM reads IDs");
	expect(readl(ecam + 0x100) == 0, "no extended config space");
	expect(pci_cfg_read32(5, 0, 0, 0) == 0xffffffff, "bus 5 is empty");
	(void)pci_cfg_read16(0, s, 0, 0x101);
	/* BAR 4: sizing, onto the ECAM window, beyond 2^52, back. */
	pci_cfg_write32(0, s, 0, bar, 0xffffffff);
	expect(pci_cfg_read32(0, s, 0, bar) == 0xffffc004,
	       "BAR 4 sizes as 16 KiB, 64-bit");
	hi = pci_cfg_read32(0, s, 0, bar + 4);
	pci_cfg_write32(0, s, 0, bar, (u32)ECAM_BASE);
	expect(readl(ecam) == pci_cfg_read32(0, s, 0, 0),
	       "a BAR over ECAM leaves ECAM alone");
	pci_cfg_write32(0, s, 0, bar + 4, 0xffffffff);
	pci_cfg_write32(0, s, 0, bar, 0xfffff000);
	pci_cfg_write32(0, s, 0, bar + 4, hi);
	pci_cfg_write32(0, s, 0, bar, lo);
	expect(readw(d->common + 0x12) == 1, "BAR 4 back in place works");
	/* Memory decoding off: the registers vanish. */
	pci_cfg_write16(0, s, 0, PCI_COMMAND, 0);
	expect(readl(d->common) == 0xffffffff, "no decoding, no registers");
	pci_cfg_write16(0, s, 0, PCI_COMMAND, PCI_COMMAND_MEMORY |
			PCI_COMMAND_MASTER);
}

static void mmio_hostile(struct vio_dev *d)
{
	writel(99, d->base + 0x030);
	expect(readl(d->base + 0x034) == 0, "queue 99 has no size");
	writel(5000, d->base + 0x038);
	writel(1, d->base + 0x044);
	writel(0, d->base + 0x030);
	writel(99, d->base + 0x050);
	writew(1, d->base + 0x070);
	(void)readb(d->base + 0x001);
	writeq(~0ULL, d->base + 0x100);
	(void)readl(d->base + 0x1fc);
}

static int test_virtio_hostile(const struct boot_info *bi, const char *arg)
{
	struct vio_dev d;
	u8 *buf = page_zalloc(1);

	if (vio_init(&d, ID_RNG, VIO_POLL, 0, NULL) || vio_start(&d, 1))
		return EXIT_FAIL;
	if (d.mmio)
		mmio_hostile(&d);
	else
		pci_hostile(&d);
	/* A descriptor outside guest RAM: the device wants a reset. */
	vio_post(&d, 0, (void *)0xfff00000000ULL, 64, true);
	for (unsigned int i = 0; i < 100000; i++)
		cpu_relax();
	expect(vio_has_used(&d, 0) == false, "no used entry for a bad buffer");
	expect(d.mmio ? (readl(d.base + 0x070) & 0x40) :
			(readb(d.common + 0x14) & 0x40),
	       "DEVICE_NEEDS_RESET after a buffer outside RAM");
	vio_reset(&d);
	expect(rng_works(&d, buf), "the device works after a reset");
	vio_reset(&d);
	if (fails)
		return EXIT_FAIL;
	printf("virtio-hostile: ok\n");
	return EXIT_OK;
}
GUEST_TEST("virtio-hostile", test_virtio_hostile);

static int test_pci_reset(const struct boot_info *bi, const char *arg)
{
	printf("pci-reset: writing 0x06 to port 0xcf9\n");
	outb(0x02, 0xcf9);
	outb(0x06, 0xcf9);
	for (unsigned int i = 0; i < 1000000; i++)
		cpu_relax();
	printf("pci-reset: still running\n");
	return EXIT_FAIL;
}
GUEST_TEST("pci-reset", test_pci_reset);
