// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/mmio.c driven by register sequences the way Linux's virtio_mmio
 * driver probes and sets up a device (modern v2 and legacy v1 layouts),
 * with a small echo device behind it; plus interrupts, config space,
 * reset, and the ioeventfd path through a real I/O loop.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "log.h"
#include "io-loop.h"
#include "virtio/mmio.h"
#include "virtio-sim.h"

#define BASE 0xd0000000ULL

struct echo {
	struct sim s;		/* memory + split driver simulator */
	struct virtio_mmio m;
	struct irq_line irq;
	atomic_int level;
	atomic_uint notifies;
	u8 config[8];
};

static struct echo E;

static void echo_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct echo *e = vdev->priv;
	struct virtq_chain c;

	virtq_chain_init(&c);
	while (virtq_pop(vq, &c) == 1) {
		u8 buf[64];
		size_t n = virtq_chain_read(&c, 0, buf, sizeof(buf));

		virtq_push(vq, &c, virtq_chain_write(&c, 0, buf, n));
	}
	virtio_queue_signal(vq);
	virtq_chain_destroy(&c);
	/* Last: the ioeventfd test waits for this, then looks. */
	atomic_fetch_add(&e->notifies, 1);
}

static const struct virtio_device_ops echo_ops = {
	.name = "echo",
	.device_id = VIRTIO_ID_CONSOLE,
	.queue_notify = echo_notify,
};

static void rec_level(struct irq_line *line, int level)
{
	struct echo *e = line->opaque;

	e->level = level;
}

static void echo_setup(bool legacy)
{
	struct virtio_mmio_options o = { .legacy = legacy };
	struct sim *s = &E.s;

	memset(&E, 0, sizeof(E));
	s->r0 = calloc(1, SIM_R0_SIZE);
	s->r1 = calloc(1, SIM_R1_SIZE);
	s->r2 = calloc(1, SIM_R2_SIZE);
	if (!s->r0 || !s->r1 || !s->r2 ||
	    guest_mem_add(&s->mem, SIM_R0, SIM_R0_SIZE, s->r0, false) ||
	    guest_mem_add(&s->mem, SIM_R1, SIM_R1_SIZE, s->r1, false) ||
	    guest_mem_add(&s->mem, SIM_R2, SIM_R2_SIZE, s->r2, true))
		abort();
	if (virtio_device_init(&s->vdev, &echo_ops, &E, &s->mem, "echo", 2,
			       256))
		abort();
	s->vq = &s->vdev.vqs[0];
	memcpy(E.config, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	s->vdev.config = E.config;
	s->vdev.config_len = sizeof(E.config);
	E.irq = (struct irq_line){ .set_level = rec_level, .opaque = &E,
				   .gsi = 5 };
	if (virtio_mmio_init(&E.m, &s->vdev, BASE, &E.irq, &o))
		abort();
}

static void echo_teardown(void)
{
	virtio_mmio_destroy(&E.m);
	sim_teardown(&E.s);
}

static u32 rd(u64 off)
{
	u8 d[4];
	u32 v;

	memset(d, 0xff, 4);
	virtio_mmio_access(&E.m.bus_dev, NULL, off, d, 4, false);
	memcpy(&v, d, 4);
	return le32toh(v);
}

static void wr(u64 off, u32 v)
{
	v = htole32(v);
	virtio_mmio_access(&E.m.bus_dev, NULL, off, (u8 *)&v, 4, true);
}

/* Linux's probe + finalize: returns the status read back. */
static u32 negotiate(u64 feat)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
	   VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (u32)(feat >> 32));
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (u32)feat);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
	   VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	return rd(VIRTIO_MMIO_STATUS);
}

#define V1 VIRTIO_BIT(VIRTIO_F_VERSION_1)
#define ST_OK (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
	       VIRTIO_STATUS_FEATURES_OK)

static void setup_queue_v2(unsigned int q, u32 num)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)SIM_DESC);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)SIM_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)SIM_USED);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/* One readable + one writable buffer; kick; check the echo came back. */
static bool echo_roundtrip(const char *msg)
{
	u32 id, len;
	size_t n = strlen(msg);

	memcpy(sim_hva(&E.s, SIM_BUFS), msg, n);
	memset(sim_hva(&E.s, SIM_BUFS + 0x100), 0, 64);
	sim_split_desc(&E.s, SIM_DESC, 0, SIM_BUFS, n, VIRTQ_DESC_F_NEXT, 1);
	sim_split_desc(&E.s, SIM_DESC, 1, SIM_BUFS + 0x100, 64,
		       VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&E.s, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	return sim_split_used(&E.s, &id, &len) && id == 0 && len == n &&
	       !memcmp(sim_hva(&E.s, SIM_BUFS + 0x100), msg, n);
}

static void test_modern(void)
{
	u64 feat;
	u8 b[8];

	echo_setup(false);
	ok(rd(VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976 &&
	   rd(VIRTIO_MMIO_VERSION) == 2 &&
	   rd(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_CONSOLE &&
	   rd(VIRTIO_MMIO_VENDOR_ID) == VIRTIO_MMIO_VENDOR,
	   "mmio: magic, version 2, device id, vendor");
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	feat = (u64)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	feat |= rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ok(feat == VIRTIO_CORE_FEATURES && rd(VIRTIO_MMIO_DEVICE_FEATURES) == 0,
	   "mmio: device features by select word");
	ok(negotiate(feat & ~VIRTIO_BIT(VIRTIO_F_VERSION_1)) ==
	   (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER),
	   "mmio: FEATURES_OK does not stick without VERSION_1");
	ok(negotiate(V1 | VIRTIO_BIT(VIRTIO_F_EVENT_IDX)) == ST_OK,
	   "mmio: FEATURES_OK sticks for an acceptable subset");
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ok(rd(VIRTIO_MMIO_QUEUE_READY) == 0 &&
	   rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 256,
	   "mmio: queue 0 not ready, max 256");
	wr(VIRTIO_MMIO_QUEUE_SEL, 7);
	ok(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 0,
	   "mmio: a queue that does not exist has max 0");
	setup_queue_v2(0, 8);
	ok(rd(VIRTIO_MMIO_QUEUE_READY) == 1 &&
	   rd(VIRTIO_MMIO_QUEUE_DEVICE_LOW) == (u32)SIM_USED &&
	   rd(VIRTIO_MMIO_QUEUE_DESC_HIGH) == 0,
	   "mmio: queue ready, addresses read back");
	wr(VIRTIO_MMIO_QUEUE_NUM, 16);
	ok(virtio_queue_get_size(&E.s.vdev, 0) == 8,
	   "mmio: QueueNum ignored while ready");
	wr(VIRTIO_MMIO_STATUS, ST_OK | VIRTIO_STATUS_DRIVER_OK);
	ok(rd(VIRTIO_MMIO_STATUS) == (ST_OK | VIRTIO_STATUS_DRIVER_OK),
	   "mmio: DRIVER_OK");
	E.s.size = 8;
	sim_split_used_event(&E.s, 0);
	ok(echo_roundtrip("ping") && atomic_load(&E.notifies) == 1,
	   "mmio: trapped QueueNotify runs the device, echo comes back");
	ok(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING &&
	   E.level == 1, "mmio: used buffer raises InterruptStatus bit 0 and the line");
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ok(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0 && E.level == 0,
	   "mmio: InterruptACK clears it and lowers the line");
	/* Event index: the driver does not want the next interrupt. */
	sim_split_used_event(&E.s, 5);
	ok(echo_roundtrip("two") && rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0 &&
	   E.level == 0, "mmio: used_event suppresses the interrupt");

	/* Config space. */
	memset(b, 0, sizeof(b));
	virtio_mmio_access(&E.m.bus_dev, NULL, VIRTIO_MMIO_CONFIG + 1, b, 2,
			   false);
	ok(b[0] == 2 && b[1] == 3, "mmio: 16-bit config read");
	virtio_mmio_access(&E.m.bus_dev, NULL, VIRTIO_MMIO_CONFIG, b, 8,
			   false);
	ok(b[0] == 1 && b[7] == 8, "mmio: 64-bit config read");
	{
		u32 g = rd(VIRTIO_MMIO_CONFIG_GENERATION);

		virtio_config_changed(&E.s.vdev);
		ok(rd(VIRTIO_MMIO_CONFIG_GENERATION) == g + 1 &&
		   rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG &&
		   E.level == 1,
		   "mmio: config change: generation + 1, InterruptStatus bit 1");
		wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	}

	/* Odd accesses. */
	virtio_mmio_access(&E.m.bus_dev, NULL, VIRTIO_MMIO_STATUS, b, 1, true);
	memset(b, 0xaa, 4);
	virtio_mmio_access(&E.m.bus_dev, NULL, VIRTIO_MMIO_MAGIC_VALUE, b, 2,
			   false);
	ok(rd(VIRTIO_MMIO_STATUS) == (ST_OK | VIRTIO_STATUS_DRIVER_OK) &&
	   b[0] == 0 && b[1] == 0,
	   "mmio: non-32-bit register accesses ignored (read 0)");
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	ok(rd(VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976,
	   "mmio: write to a read-only register ignored");
	ok(rd(VIRTIO_MMIO_SHM_LEN_LOW) == 0xffffffff &&
	   rd(VIRTIO_MMIO_SHM_LEN_HIGH) == 0xffffffff,
	   "mmio: no shared memory regions (length ~0)");

	/* A broken chain: NEEDS_RESET visible through Status, config irq. */
	sim_split_desc(&E.s, SIM_DESC, 2, SIM_HOLE, 4, 0, 0);
	sim_split_avail(&E.s, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ok((rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) &&
	   (rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG),
	   "mmio: bad descriptor -> DEVICE_NEEDS_RESET + config interrupt");
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ok(rd(VIRTIO_MMIO_STATUS) == 0 &&
	   rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0 && E.level == 0 &&
	   rd(VIRTIO_MMIO_QUEUE_READY) == 0,
	   "mmio: status 0 resets device, interrupts and queues");
	{
		char line[80];

		virtio_mmio_cmdline(&E.m, line, sizeof(line));
		ok(!strcmp(line, "virtio_mmio.device=0x200@0xd0000000:5"),
		   "mmio: kernel command line fragment (%s)", line);
	}
	echo_teardown();
}

static void test_legacy(void)
{
	u64 used = ALIGN_UP(SIM_DESC + 16 * 8 + 6 + 2 * 8, 4096ULL);

	echo_setup(true);
	ok(rd(VIRTIO_MMIO_VERSION) == 1, "legacy: version 1");
	ok(negotiate(V1) == ST_OK, "legacy: negotiates VERSION_1");
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ok(rd(VIRTIO_MMIO_QUEUE_PFN) == 0 &&
	   rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 256, "legacy: queue 0 unused");
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 4096);
	wr(VIRTIO_MMIO_QUEUE_PFN, SIM_DESC >> 12);
	ok(virtio_queue_get_ready(&E.s.vdev, 0) &&
	   rd(VIRTIO_MMIO_QUEUE_PFN) == SIM_DESC >> 12 &&
	   virtio_queue_get_addr(&E.s.vdev, 0, VIRTIO_AREA_DRIVER) ==
	   SIM_DESC + 128 &&
	   virtio_queue_get_addr(&E.s.vdev, 0, VIRTIO_AREA_DEVICE) == used,
	   "legacy: QueuePFN enables the queue with the legacy layout");
	wr(VIRTIO_MMIO_STATUS, ST_OK | VIRTIO_STATUS_DRIVER_OK);
	/* Drive it through the legacy addresses. */
	{
		u32 id, len;

		E.s.size = 8;
		sim_split_desc(&E.s, SIM_DESC, 0, SIM_BUFS, 4, 0, 0);
		sim_w16(&E.s, SIM_DESC + 128 + 4, 0);
		sim_w16_release(&E.s, SIM_DESC + 128 + 2, 1);
		wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		memcpy(&id, sim_hva(&E.s, used + 4), 4);
		memcpy(&len, sim_hva(&E.s, used + 8), 4);
		ok(sim_r16(&E.s, used + 2) == 1 && le32toh(id) == 0,
		   "legacy: chain consumed, used ring at the aligned address");
	}
	wr(VIRTIO_MMIO_QUEUE_PFN, 0);
	ok(!virtio_queue_get_ready(&E.s.vdev, 0) &&
	   rd(VIRTIO_MMIO_QUEUE_PFN) == 0, "legacy: QueuePFN 0 stops the queue");
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 3000);
	wr(VIRTIO_MMIO_QUEUE_PFN, 0x100);
	ok(!virtio_queue_get_ready(&E.s.vdev, 0) &&
	   (rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET),
	   "legacy: bad guest page size -> NEEDS_RESET");
	echo_teardown();

	/*
	 * A driver from before virtio 1.0: no VERSION_1, no FEATURES_OK. The
	 * devices are 1.0 ones, so its queue is refused, not run by the old
	 * rules, and DRIVER_OK does not stick.
	 */
	echo_setup(true);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 4096);
	wr(VIRTIO_MMIO_QUEUE_PFN, SIM_DESC >> 12);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
	   VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	ok(!virtio_queue_get_ready(&E.s.vdev, 0) &&
	   rd(VIRTIO_MMIO_QUEUE_PFN) == 0 &&
	   (rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) &&
	   !(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK),
	   "legacy: a pre-1.0 driver (no FEATURES_OK): queue refused, NEEDS_RESET, no DRIVER_OK");
	echo_teardown();
}

struct fake_kvm {
	int fds[4];
	u64 addr[4], match[4];
	unsigned int nadd, ndel;
	int fail;
};

static int fake_add(void *opaque, u64 addr, u32 len, u64 dm, bool pio,
		    int fd)
{
	struct fake_kvm *k = opaque;

	if (k->fail || k->nadd >= 4 || len != 4 || pio)
		return k->fail ? k->fail : -EINVAL;
	k->fds[k->nadd] = fd;
	k->addr[k->nadd] = addr;
	k->match[k->nadd++] = dm;
	return 0;
}

static int fake_del(void *opaque, u64 addr, u32 len, u64 dm, bool pio,
		    int fd)
{
	struct fake_kvm *k = opaque;

	k->ndel++;
	return 0;
}

static bool wait_notifies(unsigned int n)
{
	int i;

	for (i = 0; i < 2000 && atomic_load(&E.notifies) < n; i++)
		usleep(1000);
	return atomic_load(&E.notifies) >= n;
}

static void test_ioeventfd(void)
{
	struct fake_kvm k = { 0 };
	struct virtio_ioeventfd_ops ops = { fake_add, fake_del, &k };
	struct io_loop loop;
	u32 id, len;
	u64 one = 1;
	int r;

	if (io_loop_init(&loop) || io_loop_start(&loop)) {
		skip("no I/O loop", "ioeventfd tests");
		return;
	}
	echo_setup(false);
	r = virtio_mmio_setup_ioeventfds(&E.m, &ops, &loop);
	ok(r == 2 && k.nadd == 2 &&
	   k.addr[0] == BASE + VIRTIO_MMIO_QUEUE_NOTIFY &&
	   k.match[0] == 0 && k.match[1] == 1,
	   "ioeventfd: one per queue at QueueNotify, datamatch = index");
	negotiate(V1);
	setup_queue_v2(0, 8);
	wr(VIRTIO_MMIO_STATUS, ST_OK | VIRTIO_STATUS_DRIVER_OK);
	E.s.size = 8;
	memcpy(sim_hva(&E.s, SIM_BUFS), "fd!", 3);
	sim_split_desc(&E.s, SIM_DESC, 0, SIM_BUFS, 3, VIRTQ_DESC_F_NEXT, 1);
	sim_split_desc(&E.s, SIM_DESC, 1, SIM_BUFS + 0x100, 64,
		       VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&E.s, 0);
	/* What KVM does when the guest writes 0 to QueueNotify. */
	ok(write(k.fds[0], &one, sizeof(one)) == sizeof(one) &&
	   wait_notifies(1),
	   "ioeventfd: the eventfd wakes the device on the I/O thread");
	ok(sim_split_used(&E.s, &id, &len) && len == 3 &&
	   E.level == 1, "ioeventfd: chain processed, interrupt raised");
	io_loop_stop(&loop);
	echo_teardown();
	ok(k.ndel == 2, "ioeventfd: unregistered at destroy");
	io_loop_destroy(&loop);

	/* KVM refuses: notifications keep trapping. */
	memset(&k, 0, sizeof(k));
	k.fail = -ENOSPC;
	if (io_loop_init(&loop))
		return;
	echo_setup(false);
	r = virtio_mmio_setup_ioeventfds(&E.m, &ops, &loop);
	negotiate(V1);
	setup_queue_v2(0, 8);
	wr(VIRTIO_MMIO_STATUS, ST_OK | VIRTIO_STATUS_DRIVER_OK);
	E.s.size = 8;
	ok(r == 0 && echo_roundtrip("trap"),
	   "ioeventfd: registration refused -> trapped notify still works");
	echo_teardown();
	io_loop_destroy(&loop);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	test_modern();
	test_legacy();
	test_ioeventfd();
	return tap_done();
}
