// SPDX-License-Identifier: GPL-2.0
/*
 * devices/pci.c through the buses, as a guest sees it: mechanism #1 and
 * ECAM, the host bridge, a test function with 32-bit, 64-bit and I/O BARs
 * (sizing, placement, moves, decode enables, conflicts), INTx with the
 * disable bit, MSI-X (masking, PBA, routes and irqfds, function mask),
 * 0xcf9 reset, and random hostile configuration traffic.
 */
#include <errno.h>
#include <stdio.h>

#include "log-lines.h"
#include "tap.h"
#include "log.h"
#include "virtio-pci-drv.h"

struct tdev {
	struct pci_dev pci;
	unsigned int hits[PCI_NR_BARS];
	u64 last_off;
	int moves;
	bool mapped4;
	u64 base4;
};

static void tdev_access(struct bus_dev *bd, struct vcpu *v, u64 off,
			u8 *data, u32 len, bool is_write)
{
	struct tdev *d = bd->priv;
	unsigned int i;

	for (i = 0; i < PCI_NR_BARS; i++)
		if (bd == &d->pci.bars[i].bus_dev)
			d->hits[i]++;
	d->last_off = off;
	if (!is_write)
		memset(data, 0x5a, len);
}

static void tdev_moved(struct pci_dev *dev, unsigned int bar, bool mapped,
		       u64 base)
{
	struct tdev *d = dev->priv;

	d->moves++;
	if (bar == 4) {
		d->mapped4 = mapped;
		d->base4 = base;
	}
}

static const struct pci_dev_ops tdev_ops = { .bar_moved = tdev_moved };

static struct th T;
static struct tdev D;

static void setup(void)
{
	th_init(&T);
	memset(&D, 0, sizeof(D));
	pci_dev_init(&D.pci, "tdev", 0x1234, 0x5678, 0x0b4000, 7, &tdev_ops,
		     &D, &T.intx);
	if (pci_dev_add_bar(&D.pci, 0, PCI_BAR_MEM32, 0x1000, tdev_access,
			    &D) ||
	    pci_dev_add_bar(&D.pci, 2, PCI_BAR_IO, 16, tdev_access, &D) ||
	    pci_dev_add_bar(&D.pci, 4, PCI_BAR_MEM64, 0x10000, tdev_access,
			    &D) ||
	    pci_dev_add_msix(&D.pci, 1, 3) ||
	    pci_register_device(&T.host, &D.pci))
		abort();
	T.slot = D.pci.slot;
	T.msix_cap = D.pci.msix.cap;
}

static void test_config_access(void)
{
	u64 ecam = 0xe0000000ULL;

	setup();
	ok(cfg_rd(&T, 0, 0, 4) == (PCI_HOST_VENDOR | PCI_HOST_DEVICE << 16) &&
	   cfg_rd(&T, 0, 8, 4) >> 8 == PCI_CLASS_BRIDGE_HOST,
	   "conf1: host bridge 1b36:0008, class 060000 at 00.0");
	ok(D.pci.slot == 1 && cfg_rd(&T, 1, 0, 4) == 0x56781234 &&
	   cfg_rd(&T, 1, 8, 4) == 0x0b400007,
	   "conf1: the device at 00.1 with IDs, class and revision");
	ok(cfg_rd(&T, 1, 2, 2) == 0x5678 && cfg_rd(&T, 1, 3, 1) == 0x56,
	   "conf1: word and byte reads at 0xcfe/0xcff");
	ok(mrd(&T, ecam + (1 << 15), 4) == 0x56781234 &&
	   mrd(&T, ecam + (1 << 15) + 0x100, 4) == 0,
	   "ECAM: same IDs, extended space reads 0");
	th_wr(&T.pio, 0xcf8, 4, 0x00000800);
	ok(th_rd(&T.pio, 0xcfc, 4) == 0xffffffff,
	   "conf1: enable bit clear reads all-ones");
	th_wr(&T.pio, 0xcf8, 4, 0x80050000);
	ok(th_rd(&T.pio, 0xcfc, 4) == 0xffffffff &&
	   cfg_rd(&T, 9, 0, 4) == 0xffffffff &&
	   mrd(&T, ecam + (1 << 15) + (1 << 12), 4) == 0xffffffff,
	   "other buses, empty slots and functions read all-ones");
	th_wr(&T.pio, 0xcf8, 4, 0x80000a47);
	ok(th_rd(&T.pio, 0xcf8, 4) == 0x80000a44,
	   "conf1: the address register reads back (low bits clear)");
	cfg_wr(&T, 1, 0, 4, 0);
	cfg_wr(&T, 1, 8, 4, 0);
	ok(cfg_rd(&T, 1, 0, 4) == 0x56781234 &&
	   cfg_rd(&T, 1, 8, 4) == 0x0b400007, "read-only IDs stay");
	cfg_wr(&T, 1, PCI_INTERRUPT_LINE, 1, 0x0b);
	cfg_wr(&T, 1, PCI_INTERRUPT_PIN, 1, 3);
	ok(cfg_rd(&T, 1, PCI_INTERRUPT_LINE, 2) == 0x010b,
	   "interrupt line writable, pin INTA# read-only");
	ok(cfg_rd(&T, 1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST &&
	   cfg_rd(&T, 1, PCI_CAPABILITY_LIST, 1) == D.pci.msix.cap &&
	   cfg_rd(&T, 1, D.pci.msix.cap, 1) == PCI_CAP_ID_MSIX,
	   "capability list starts with MSI-X");
	ok(cfg_rd(&T, 1, PCI_ROM_ADDRESS, 4) == 0 &&
	   (cfg_wr(&T, 1, PCI_ROM_ADDRESS, 4, 0xfffff800),
	    cfg_rd(&T, 1, PCI_ROM_ADDRESS, 4) == 0), "no expansion ROM");
	th_fini(&T);
}

static void test_bars(void)
{
	u32 bar0, io;
	u64 bar4;
	int moves;

	setup();
	bar0 = cfg_rd(&T, 1, PCI_BAR0, 4);
	io = cfg_rd(&T, 1, PCI_BAR0 + 8, 4);
	bar4 = th_bar(&T, 1, 4);
	ok(bar0 >= 0xc0000000 && !(bar0 & 0xfff) && (io & 1) &&
	   (io & ~3u) >= 0xc000 && bar4 >= 0xc0000000 && !(bar4 & 0xffff) &&
	   (cfg_rd(&T, 1, PCI_BAR0 + 16, 4) & 6) == 4,
	   "BARs get aligned addresses in the windows; BAR 4 is 64-bit");
	ok(mrd(&T, bar0, 4) == 0xffffffff && D.hits[0] == 0 && !D.moves,
	   "nothing decodes before the command register enables it");
	cfg_wr(&T, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ok(mrd(&T, bar0 + 8, 4) == 0x5a5a5a5a && D.hits[0] == 1 &&
	   D.last_off == 8 && mrd(&T, bar4 + 0x20, 4) == 0x5a5a5a5a &&
	   D.hits[4] == 1 && D.mapped4 && D.base4 == bar4,
	   "memory enable maps the memory BARs (offsets relative)");
	ok(th_rd(&T.pio, io & ~3u, 1) == 0xff && D.hits[2] == 0,
	   "the I/O BAR waits for the I/O enable");
	cfg_wr(&T, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	ok(th_rd(&T.pio, (io & ~3u) + 3, 1) == 0x5a && D.hits[2] == 1,
	   "I/O enable maps the I/O BAR");
	cfg_wr(&T, 1, PCI_BAR0, 4, 0xffffffff);
	ok(cfg_rd(&T, 1, PCI_BAR0, 4) == 0xfffff000 &&
	   (cfg_wr(&T, 1, PCI_BAR0 + 8, 4, 0xffffffff),
	    cfg_rd(&T, 1, PCI_BAR0 + 8, 4) == 0xfffffff1) &&
	   (cfg_wr(&T, 1, PCI_BAR0 + 16, 4, 0xffffffff),
	    cfg_wr(&T, 1, PCI_BAR0 + 20, 4, 0xffffffff),
	    cfg_rd(&T, 1, PCI_BAR0 + 16, 4) == 0xffff0004 &&
	    cfg_rd(&T, 1, PCI_BAR0 + 20, 4) == 0xffffffff),
	   "sizing: all-ones reads back the size masks and type bits");
	ok(mrd(&T, 0xfffff000, 4) == 0xffffffff && !D.mapped4,
	   "sizing patterns are not decoded");
	cfg_wr(&T, 1, PCI_BAR0, 4, 0xc8000000);
	cfg_wr(&T, 1, PCI_BAR0 + 16, 4, 0x00000000);
	cfg_wr(&T, 1, PCI_BAR0 + 20, 4, 0x1);
	ok(mrd(&T, 0xc8000000, 4) == 0x5a5a5a5a &&
	   mrd(&T, bar0, 4) == 0xffffffff && D.mapped4 &&
	   D.base4 == 0x100000000ULL &&
	   mrd(&T, 0x100000004ULL, 4) == 0x5a5a5a5a,
	   "BAR moves follow the guest, above 4 GiB for a 64-bit BAR");
	moves = D.moves;
	cfg_wr(&T, 1, PCI_BAR0 + 16, 4, 0xe0000000);
	cfg_wr(&T, 1, PCI_BAR0 + 20, 4, 0);
	ok(!D.mapped4 && mrd(&T, 0xe0000000, 4) ==
	   (PCI_HOST_VENDOR | PCI_HOST_DEVICE << 16),
	   "a BAR over the ECAM window is refused, ECAM keeps working");
	ok(D.moves > moves, "the device heard about the unmapping");
	cfg_wr(&T, 1, PCI_BAR0 + 16, 4, (u32)bar4);
	ok(D.mapped4 && D.base4 == bar4, "moved back, mapped again");
	cfg_wr(&T, 1, PCI_COMMAND, 2, 0);
	ok(mrd(&T, 0xc8000000, 4) == 0xffffffff && !D.mapped4 &&
	   th_rd(&T.pio, io & ~3u, 1) == 0xff,
	   "decode disabled: every BAR unmapped");
	pci_unregister_device(&T.host, &D.pci);
	ok(cfg_rd(&T, 1, 0, 4) == 0xffffffff, "unregistered: slot empty");
	th_fini(&T);
}

static void test_intx(void)
{
	setup();
	ok(pci_list_intx(&T.host, NULL, NULL) == 1,
	   "one INTx user for the MP table");
	pci_dev_set_intx(&D.pci, true);
	ok(T.level == 1 && cfg_rd(&T, 1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
	   "INTx asserted; status shows it");
	cfg_wr(&T, 1, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	ok(T.level == 0, "command INTx disable lowers the line");
	cfg_wr(&T, 1, PCI_COMMAND, 2, 0);
	ok(T.level == 1, "re-enabled: the line comes back");
	th_msix_enable(&T, true, false);
	ok(T.level == 0, "MSI-X enabled: INTx held low");
	th_msix_enable(&T, false, false);
	ok(T.level == 1, "MSI-X disabled: INTx back");
	pci_dev_set_intx(&D.pci, false);
	ok(T.level == 0 &&
	   !(cfg_rd(&T, 1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT),
	   "deasserted");
	th_fini(&T);
}

static void test_msix(void)
{
	u64 tbl, pba;

	setup();
	cfg_wr(&T, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	tbl = th_bar(&T, 1, 1);
	T.msix_table = tbl;
	pba = tbl + (cfg_rd(&T, 1, D.pci.msix.cap + 8, 4) & ~7u);
	ok((cfg_rd(&T, 1, D.pci.msix.cap + 2, 2) & 0x7ff) == 2 &&
	   (cfg_rd(&T, 1, D.pci.msix.cap + 4, 4) & 7) == 1 &&
	   pba == tbl + 48, "MSI-X: 3 vectors, table and PBA in BAR 1");
	ok(mrd(&T, tbl + 12, 4) == 1 && mrd(&T, tbl + 44, 4) == 1,
	   "entries start masked");
	ok(pci_msix_notify(&D.pci, 0) == -ENODEV && !pci_msix_enabled(&D.pci),
	   "disabled: no MSI-X delivery");
	th_msix_enable(&T, true, false);
	ok(pci_msix_enabled(&D.pci) && pci_msix_notify(&D.pci, 3) == -EINVAL,
	   "enabled; vector 3 of 3 refused");
	ok(pci_msix_notify(&D.pci, 1) == 0 && mrd(&T, pba, 8) == 2 &&
	   !T.nr_routes && !T.signals, "masked vector: PBA bit, no message");
	th_msix_entry(&T, 1, 0xfee01000, 0x41, false);
	ok(T.nr_routes == 1 && T.route_addr[0] == 0xfee01000 &&
	   T.route_data[0] == 0x41 && T.route_fd[0] >= 0,
	   "unmasking makes an MSI route with an irqfd");
	ok(th_irqfd_count(&T, 0) == 1 && mrd(&T, pba, 8) == 0,
	   "the pending message went out through the irqfd on unmask");
	pci_msix_notify(&D.pci, 1);
	pci_msix_notify(&D.pci, 1);
	ok(th_irqfd_count(&T, 0) == 2, "each notify is one irqfd write");
	th_msix_entry(&T, 1, 0xfee02000, 0x42, false);
	ok(T.nr_routes == 1 && T.route_addr[0] == 0xfee02000 &&
	   T.route_data[0] == 0x42, "rewriting the entry updates the route");
	th_msix_enable(&T, true, true);
	pci_msix_notify(&D.pci, 1);
	ok(th_irqfd_count(&T, 0) == 0 && mrd(&T, pba, 8) == 2,
	   "function mask: pending, not sent");
	th_msix_enable(&T, true, false);
	ok(th_irqfd_count(&T, 0) == 1 && mrd(&T, pba, 8) == 0,
	   "function unmask delivers it");
	ok(mrd(&T, tbl + 16, 4) == 0xfee02000 && mrd(&T, tbl + 24, 4) == 0x42,
	   "the table reads back");
	mwr(&T, tbl + 2, 2, 0xffff);
	mwr(&T, tbl + 0x800, 4, 1);
	mwr(&T, pba, 8, ~0ULL);
	ok(mrd(&T, tbl, 2) == 0 && mrd(&T, pba, 8) == 0 &&
	   mrd(&T, tbl + 0x800, 4) == 0,
	   "odd widths, beyond the table and PBA writes are ignored");
	th_msix_entry(&T, 2, 0xfee00003, 0x43, false);
	pci_msix_notify(&D.pci, 2);
	ok(th_irqfd_count(&T, 1) == 0, "misaligned message address: dropped");
	th_fini(&T);
}

/* pci_host_reset(): config space as registered, MSI-X off and masked. */
static void test_host_reset(void)
{
	u32 bar0;
	u64 tbl;

	setup();
	bar0 = cfg_rd(&T, 1, PCI_BAR0, 4);
	cfg_wr(&T, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	tbl = th_bar(&T, 1, 1);
	T.msix_table = tbl;
	th_msix_enable(&T, true, false);
	th_msix_entry(&T, 1, 0xfee01000, 0x41, false);
	cfg_wr(&T, 1, PCI_BAR0, 4, 0xc8000000);
	ok(mrd(&T, 0xc8000000, 4) == 0x5a5a5a5a && pci_msix_enabled(&D.pci),
	   "before the reset: BAR 0 moved and decoding, MSI-X on");
	pci_host_reset(&T.host);
	ok(cfg_rd(&T, 1, PCI_COMMAND, 2) == 0 &&
	   cfg_rd(&T, 1, PCI_BAR0, 4) == bar0 &&
	   mrd(&T, 0xc8000000, 4) == 0xffffffff && !D.mapped4,
	   "host reset: decoding off, BAR 0 back at lkvm's address, nothing mapped");
	ok(!pci_msix_enabled(&D.pci) &&
	   !(cfg_rd(&T, 1, D.pci.msix.cap + 2, 2) & 0xc000),
	   "host reset: MSI-X disabled");
	cfg_wr(&T, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ok(mrd(&T, tbl + 28, 4) == 1,
	   "host reset: the unmasked entry is masked again");
	th_fini(&T);
}

static void test_reset_port(void)
{
	setup();
	th_wr(&T.pio, 0xcf9, 1, 0x02);
	ok(T.resets == 0 && th_rd(&T.pio, 0xcf9, 1) == 0x02,
	   "0xcf9: bit 1 alone does not reset, reads back");
	th_wr(&T.pio, 0xcf9, 1, 0x06);
	ok(T.resets == 1, "0xcf9: bit 2 resets");
	th_fini(&T);
}

static void toggle_msix(void *unused)
{
	unsigned int i;

	for (i = 0; i < 5000; i++)
		th_msix_enable(&T, !(i & 1), false);
}

/* A guest flipping MSI-X on and off cannot flood lkvm's log. */
static void test_msix_log_flood(void)
{
	int n;

	setup();
	n = log_lines_during(toggle_msix, NULL);
	ok(n <= 12, "5000 MSI-X enable/disable writes: %d log lines (at most a rate limit's burst)",
	   n);
	th_fini(&T);
}

/* Random configuration traffic: no crash, invariants hold. */
static void test_hostile(void)
{
	unsigned int i, bad = 0;

	setup();
	srand(1234);
	for (i = 0; i < 200000; i++) {
		static const u32 lens[] = { 1, 2, 4, 3, 8 };
		u32 len = lens[rand() % 5], off = rand() % 300;
		u32 v = (u32)rand() * 2654435761u;
		u8 data[8];

		memcpy(data, &v, 4);
		memcpy(data + 4, &v, 4);
		pci_cfg_access(&T.host, 1, 0, off, data, len, rand() & 1);
		if (rand() % 64 == 0)
			mwr(&T, th_bar(&T, 1, 1) + (rand() % 0x1000),
			    4, (u32)rand());
	}
	if (cfg_rd(&T, 1, 0, 4) != 0x56781234)
		bad++;
	if ((cfg_rd(&T, 1, PCI_BAR0 + 16, 4) & 0xf) != 4 ||
	    (cfg_rd(&T, 1, PCI_BAR0 + 8, 4) & 3) != 1)
		bad++;
	if (mrd(&T, 0xe0000000, 4) != (PCI_HOST_VENDOR | PCI_HOST_DEVICE << 16))
		bad++;
	ok(!bad, "200000 random config accesses: IDs, BAR types, ECAM intact");
	th_fini(&T);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	test_config_access();
	test_bars();
	test_intx();
	test_msix();
	test_host_reset();
	test_reset_port();
	test_msix_log_flood();
	test_hostile();
	return tap_done();
}
