// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/pci.c on the PCI host, driven through the buses the way Linux's
 * virtio_pci_modern does: IDs and capabilities, feature negotiation, queue
 * set-up, INTx + ISR, MSI-X config and queue vectors (through irqfds),
 * the PCI_CFG window, ioeventfds that follow BAR moves (on a real I/O
 * loop), reset, and random hostile register traffic. A virtio-rng device
 * sits behind it.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "tap.h"
#include "io-loop.h"
#include "log.h"
#include "virtio/rng.h"
#include "virtio-pci-drv.h"

static struct th T;
static struct virtio_rng R;
static struct virtio_pci VP;

#define NOVEC VIRTIO_MSI_NO_VECTOR
#define C(off) TC(&T, off)
#define ST_ALL (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
		VIRTIO_STATUS_FEATURES_OK)

static void setup(void)
{
	th_init(&T);
	if (virtio_rng_init(&R, &T.mem, "virtio-rng.0") ||
	    virtio_pci_init(&VP, &R.vdev, &T.host, &T.intx))
		abort();
}

static void teardown(void)
{
	virtio_pci_destroy(&VP);
	virtio_rng_destroy(&R);
	th_fini(&T);
}

static bool rng_roundtrip(u32 len)
{
	u32 got = 0;

	memset(th_hva(&T, TH_BUFS), 0, len);
	th_post(&T, 0, TH_BUFS, len, true);
	return th_used(&T, 0, &got) && got == len;
}

static void test_probe(void)
{
	u8 s, c;
	u8 types[8] = { 0 };
	unsigned int n = 0;

	setup();
	ok(th_find(&T, VIRTIO_ID_RNG), "1af4:1044 found, capabilities walk");
	s = T.slot;
	ok(cfg_rd(&T, s, PCI_REVISION_ID, 1) == 1 &&
	   cfg_rd(&T, s, PCI_SUBSYSTEM_VENDOR_ID, 2) == 0x1af4 &&
	   cfg_rd(&T, s, PCI_INTERRUPT_PIN, 1) == 1 &&
	   cfg_rd(&T, s, PCI_INTERRUPT_LINE, 1) == 10,
	   "revision 1, subsystem vendor 1af4, INTA# on line 10");
	for (c = cfg_rd(&T, s, PCI_CAPABILITY_LIST, 1); c && n < 8;
	     c = cfg_rd(&T, s, c + 1, 1))
		if (cfg_rd(&T, s, c, 1) == PCI_CAP_ID_VNDR)
			types[n++] = cfg_rd(&T, s, c + 3, 1);
	ok(n == 5 && types[0] == 1 && types[1] == 3 && types[2] == 4 &&
	   types[3] == 2 && types[4] == 5,
	   "vendor caps COMMON, ISR, DEVICE, NOTIFY, PCI_CFG");
	ok(T.msix_cap && T.mult == 4 && (T.common & 0x3fff) == 0 &&
	   T.isr == T.common + 0x1000 && T.notify == T.common + 0x3000,
	   "MSI-X present; BAR 4 layout; notify multiplier 4");
	ok((th_device_features(&T) & VIRTIO_CORE_FEATURES) ==
	   VIRTIO_CORE_FEATURES, "device features: VERSION_1 and the core's");
	ok(th_negotiate(&T, 0) == ST_ALL, "FEATURES_OK sticks");
	ok(mrd(&T, C(NUMQ), 2) == 1, "num_queues 1");
	mwr(&T, C(Q_SELECT), 2, 0);
	ok(mrd(&T, C(Q_SIZE), 2) == VIRTIO_RNG_QUEUE_SIZE &&
	   mrd(&T, C(Q_MSIX), 2) == NOVEC && mrd(&T, C(MSIX), 2) == NOVEC,
	   "queue 0 size 64; vectors start as NO_VECTOR");
	mwr(&T, C(Q_SELECT), 2, 9);
	mwr(&T, C(Q_SIZE), 2, 4);
	mwr(&T, C(Q_ENABLE), 2, 1);
	ok(mrd(&T, C(Q_SIZE), 2) == 0 && mrd(&T, C(Q_ENABLE), 2) == 0,
	   "queue 9 does not exist: size 0, enable ignored");
	ok(th_queue(&T, 0, 8, NOVEC), "queue 0 enabled");
	ok(mrd(&T, C(Q_DESCLO), 4) == (u32)TH_QAREA(0) &&
	   mrd(&T, C(Q_USEDHI), 4) == 0 &&
	   mrd(&T, C(Q_DESCLO), 8) == TH_QAREA(0),
	   "queue addresses read back (32 and 64-bit)");
	th_driver_ok(&T);
	ok(rng_roundtrip(32), "INTx mode: 32 random bytes come back");
	ok(T.level == 1 && (mrd(&T, T.isr, 1) & 1) && T.level == 0 &&
	   mrd(&T, T.isr, 1) == 0,
	   "INTx asserted; ISR read returns the queue bit, clears, lowers");
	virtio_config_changed(&R.vdev);
	ok(T.level == 1 && mrd(&T, T.isr, 1) == 2 && T.level == 0,
	   "config change: ISR bit 1 with INTx");
	teardown();
}

static void test_msix(void)
{
	setup();
	th_find(&T, VIRTIO_ID_RNG);
	th_negotiate(&T, 0);
	th_msix_enable(&T, true, false);
	th_msix_entry(&T, 0, 0xfee00000, 0x50, false);
	th_msix_entry(&T, 1, 0xfee00000, 0x51, false);
	mwr(&T, C(MSIX), 2, 0);
	ok(mrd(&T, C(MSIX), 2) == 0, "config vector 0 accepted");
	mwr(&T, C(MSIX), 2, 7);
	ok(mrd(&T, C(MSIX), 2) == NOVEC,
	   "vector 7 of 2: reads back NO_VECTOR");
	mwr(&T, C(MSIX), 2, 0);
	ok(th_queue(&T, 0, 8, 1) && mrd(&T, C(Q_MSIX), 2) == 1,
	   "queue 0 on vector 1");
	th_driver_ok(&T);
	ok(rng_roundtrip(16) && T.nr_routes == 2 && th_irqfd_count(&T, 1) == 1 &&
	   T.route_data[1] == 0x51 && T.level == 0,
	   "used buffer: one irqfd write on vector 1's route, no INTx");
	virtio_config_changed(&R.vdev);
	ok(th_irqfd_count(&T, 0) == 1 && T.route_data[0] == 0x50,
	   "config change on vector 0");
	mwr(&T, T.msix_table + 16 + 12, 4, 1);
	ok(rng_roundtrip(16) && th_irqfd_count(&T, 1) == 0 &&
	   (mrd(&T, T.msix_table + 32, 8) & 2),
	   "masked queue vector: pending bit, nothing sent");
	mwr(&T, T.msix_table + 16 + 12, 4, 0);
	ok(th_irqfd_count(&T, 1) == 1, "unmask sends the pending message");
	mwr(&T, C(Q_SELECT), 2, 0);
	mwr(&T, C(Q_MSIX), 2, NOVEC);
	ok(rng_roundtrip(16) && th_irqfd_count(&T, 1) == 0 && T.level == 0,
	   "queue vector NO_VECTOR: no interrupt at all");
	mwr(&T, C(STATUS), 1, 0);
	ok(mrd(&T, C(STATUS), 1) == 0 && mrd(&T, C(MSIX), 2) == NOVEC &&
	   mrd(&T, C(Q_ENABLE), 2) == 0,
	   "reset: status 0, vectors NO_VECTOR, queue disabled");
	teardown();
}

static void test_pci_cfg_window(void)
{
	u8 c, s;
	u32 v;

	setup();
	th_find(&T, VIRTIO_ID_RNG);
	s = T.slot;
	for (c = cfg_rd(&T, s, PCI_CAPABILITY_LIST, 1); c;
	     c = cfg_rd(&T, s, c + 1, 1))
		if (cfg_rd(&T, s, c, 1) == PCI_CAP_ID_VNDR &&
		    cfg_rd(&T, s, c + 3, 1) == VIRTIO_PCI_CAP_PCI_CFG)
			break;
	cfg_wr(&T, s, c + 4, 1, VIRTIO_PCI_BAR);
	cfg_wr(&T, s, c + 8, 4, VIRTIO_PCI_COMMON_NUMQ);
	cfg_wr(&T, s, c + 12, 4, 2);
	ok(cfg_rd(&T, s, c + 16, 2) == 1, "PCI_CFG: num_queues through the window");
	cfg_wr(&T, s, c + 8, 4, VIRTIO_PCI_COMMON_STATUS);
	cfg_wr(&T, s, c + 12, 4, 1);
	cfg_wr(&T, s, c + 16, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	ok(mrd(&T, C(STATUS), 1) == VIRTIO_STATUS_ACKNOWLEDGE,
	   "PCI_CFG: a status write through the window");
	cfg_wr(&T, s, c + 4, 1, 2);
	v = cfg_rd(&T, s, c + 16, 4);
	cfg_wr(&T, s, c + 4, 1, VIRTIO_PCI_BAR);
	cfg_wr(&T, s, c + 8, 4, 0x3fff);
	cfg_wr(&T, s, c + 12, 4, 4);
	ok(v == 0 && cfg_rd(&T, s, c + 16, 4) == 0,
	   "PCI_CFG: wrong BAR or misaligned window reads 0");
	teardown();
}

/* ioeventfd ops that record what the transport asks of KVM. */
struct ioev_rec {
	int adds, dels;
	u64 addr;
	u64 match;
	u32 len;
	int fd;
};

static int rec_add(void *o, u64 addr, u32 len, u64 dm, bool pio, int fd)
{
	struct ioev_rec *r = o;

	r->adds++;
	r->addr = addr;
	r->len = len;
	r->match = dm;
	r->fd = fd;
	return pio ? -EINVAL : 0;
}

static int rec_del(void *o, u64 addr, u32 len, u64 dm, bool pio, int fd)
{
	((struct ioev_rec *)o)->dels++;
	return 0;
}

static void test_ioeventfd(void)
{
	struct ioev_rec rec = { 0 };
	struct virtio_ioeventfd_ops ops = { rec_add, rec_del, &rec };
	struct io_loop loop;
	u64 bar, one = 1;
	u32 len = 0;
	int i;

	setup();
	if (io_loop_init(&loop) || io_loop_start(&loop))
		abort();
	th_find(&T, VIRTIO_ID_RNG);
	bar = th_bar(&T, T.slot, 4);
	ok(virtio_pci_setup_ioeventfds(&VP, &ops, &loop) == 1 &&
	   rec.adds == 1 && rec.addr == bar + 0x3000 && rec.len == 2 &&
	   rec.match == 0, "ioeventfd at the notify address, 2 bytes, queue 0");
	cfg_wr(&T, T.slot, PCI_BAR0 + 16, 4, 0xc8000000);
	ok(rec.dels == 1 && rec.adds == 2 && rec.addr == 0xc8003000,
	   "BAR 4 moved: ioeventfd moved with it");
	th_find(&T, VIRTIO_ID_RNG);
	th_negotiate(&T, 0);
	th_queue(&T, 0, 8, NOVEC);
	th_driver_ok(&T);
	/* What KVM does on a matching write: signal the eventfd. */
	memset(th_hva(&T, TH_BUFS), 0, 8);
	{
		struct th_queue *q = &T.q[0];
		u8 *d = th_hva(&T, q->desc);
		u64 a = htole64(TH_BUFS);
		u32 l = htole32(8);
		u16 fl = htole16(VIRTQ_DESC_F_WRITE), idx = htole16(1);

		memcpy(d, &a, 8);
		memcpy(d + 8, &l, 4);
		memcpy(d + 12, &fl, 2);
		memcpy(th_hva(&T, q->avail + 2), &idx, 2);
		q->avail_idx = 1;
	}
	if (write(rec.fd, &one, sizeof(one)) != sizeof(one))
		abort();
	for (i = 0; i < 2000 && !th_used(&T, 0, &len); i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	ok(len == 8, "a signal on the eventfd runs the queue on the I/O thread");
	cfg_wr(&T, T.slot, PCI_COMMAND, 2, 0);
	ok(rec.dels == 2 && rec.adds == 2,
	   "memory decoding off: ioeventfd removed");
	io_loop_stop(&loop);
	teardown();
	io_loop_destroy(&loop);
}

/* Random BAR 4 and config traffic; afterwards a reset must bring it back. */
static void test_hostile(void)
{
	unsigned int i;
	bool works;

	setup();
	th_find(&T, VIRTIO_ID_RNG);
	srand(99);
	for (i = 0; i < 300000; i++) {
		static const u32 lens[] = { 1, 2, 4, 8, 3 };
		u32 len = lens[rand() % 5];
		u64 off = rand() % 0x4000, v = (u64)rand() << 31 ^ rand();
		u8 data[8];

		memcpy(data, &v, 8);
		if (rand() % 4 == 0)
			off = rand() % 0x40;
		else if (rand() % 4 == 0)
			off = 0x3000 + rand() % 64;
		virtio_pci_bar_access(&VP.pci.bars[4].bus_dev, NULL, off, data,
				      len, rand() & 1);
		if (rand() % 100 == 0)
			pci_cfg_access(&T.host, T.slot, 0, 0x40 + rand() % 0xc0,
				       data, 1 << (rand() % 3), true);
	}
	/* Put BAR 4 and decoding back, then bring the device up again. */
	cfg_wr(&T, T.slot, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cfg_wr(&T, T.slot, PCI_BAR0 + 16, 4, (u32)T.common);
	cfg_wr(&T, T.slot, PCI_BAR0 + 20, 4, (u32)(T.common >> 32));
	th_msix_enable(&T, false, false);
	works = th_negotiate(&T, 0) == ST_ALL && th_queue(&T, 0, 8, NOVEC);
	th_driver_ok(&T);
	ok(works && rng_roundtrip(64),
	   "300000 random register accesses, then reset: the device works");
	teardown();
}

int main(void)
{
	log_set_level(LOG_ERROR);
	test_probe();
	test_msix();
	test_pci_cfg_window();
	test_ioeventfd();
	test_hostile();
	return tap_done();
}
