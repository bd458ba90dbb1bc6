// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/queue*.c against a simulated driver (virtio-sim.h): split and
 * packed chains, indirect tables, buffers spanning regions, notification
 * suppression both ways, index wrap-around, and every malformed input we
 * know of, each of which must leave the device in DEVICE_NEEDS_RESET;
 * chains of a queue that was reset since they were popped, and chains
 * that do not fit the ring, are refused at push.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "tap.h"
#include "log.h"
#include "virtio-sim.h"

#define F(x) VIRTIO_BIT(VIRTIO_F_##x)
#define ALLF (F(INDIRECT_DESC) | F(EVENT_IDX))

static struct sim S;

static bool iov_is(const struct iovec *iov, struct sim *s, u64 gpa, u64 len)
{
	return iov->iov_base == sim_hva(s, gpa) && iov->iov_len == len;
}

/* ---------------- split: good paths ---------------- */

static void split_simple(void)
{
	struct virtq_chain c;
	u32 id, len;
	int r;

	virtq_chain_init(&c);
	ok(sim_setup(&S, 0, 8), "split: queue of 8 becomes ready");
	ok(virtq_pop(S.vq, &c) == 0, "split: empty queue pops nothing");
	memcpy(sim_hva(&S, SIM_BUFS), "hello", 5);
	sim_split_desc(&S, SIM_DESC, 3, SIM_BUFS, 5, VIRTQ_DESC_F_NEXT, 6);
	sim_split_desc(&S, SIM_DESC, 6, SIM_BUFS + 0x100, 64,
		       VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	sim_split_desc(&S, SIM_DESC, 1, SIM_BUFS + 0x200, 32,
		       VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&S, 3);
	r = virtq_pop(S.vq, &c);
	ok(r == 1 && c.nr_out == 1 && c.nr_in == 2 && c.id == 3 &&
	   c.out_len == 5 && c.in_len == 96,
	   "split: 3-descriptor chain: 1 readable, 2 writable, head 3");
	ok(iov_is(&c.iov[0], &S, SIM_BUFS, 5) &&
	   iov_is(&c.iov[1], &S, SIM_BUFS + 0x100, 64) &&
	   iov_is(&c.iov[2], &S, SIM_BUFS + 0x200, 32),
	   "split: iovecs point at the guest buffers");
	{
		char buf[8] = { 0 };

		ok(virtq_chain_read(&c, 1, buf, 8) == 4 &&
		   !memcmp(buf, "ello", 4), "split: chain_read with offset");
		ok(virtq_chain_write(&c, 60, "0123456789", 10) == 10 &&
		   !memcmp(sim_hva(&S, SIM_BUFS + 0x100 + 60), "0123", 4) &&
		   !memcmp(sim_hva(&S, SIM_BUFS + 0x200), "456789", 6),
		   "split: chain_write crosses iovecs");
	}
	{
		struct virtq_chain c2;

		virtq_chain_init(&c2);
		ok(virtq_pop(S.vq, &c2) == 0, "split: nothing more available");
	}
	virtq_push(S.vq, &c, 70);
	ok(sim_split_used(&S, &id, &len) && id == 3 && len == 70,
	   "split: used entry carries head id and written length");
	virtq_push(S.vq, &c, 1000);
	ok(sim_split_used(&S, &id, &len) && len == 96,
	   "split: written length is clamped to the writable size");
	ok(!sim_needs_reset(&S), "split: no violation on good chains");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static void split_spanning(void)
{
	struct virtq_chain c;
	u64 a = SIM_R1 - 100;

	virtq_chain_init(&c);
	sim_setup(&S, 0, 8);
	sim_split_desc(&S, SIM_DESC, 0, a, 300, VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&S, 0);
	ok(virtq_pop(S.vq, &c) == 1 && c.nr_in == 2 &&
	   iov_is(&c.iov[0], &S, a, 100) && iov_is(&c.iov[1], &S, SIM_R1, 200),
	   "split: buffer spanning two regions becomes two iovecs");
	ok(virtq_chain_write(&c, 0, sim_hva(&S, SIM_BUFS), 300) == 300,
	   "split: both halves writable");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static void split_indirect(void)
{
	struct virtq_chain c;
	u64 t = SIM_TABLES;
	u32 id, len;

	virtq_chain_init(&c);
	sim_setup(&S, ALLF, 8);
	sim_split_desc(&S, t, 0, SIM_BUFS, 16, VIRTQ_DESC_F_NEXT, 2);
	sim_split_desc(&S, t, 2, SIM_BUFS + 16, 16, VIRTQ_DESC_F_NEXT, 1);
	sim_split_desc(&S, t, 1, SIM_BUFS + 64, 8, VIRTQ_DESC_F_WRITE, 0);
	sim_split_desc(&S, SIM_DESC, 5, t, 48, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(&S, 5);
	ok(virtq_pop(S.vq, &c) == 1 && c.nr_out == 2 && c.nr_in == 1 &&
	   c.id == 5 && iov_is(&c.iov[1], &S, SIM_BUFS + 16, 16) &&
	   iov_is(&c.iov[2], &S, SIM_BUFS + 64, 8),
	   "split: indirect table walked through its next links");
	/* A direct descriptor followed by an indirect one (allowed). */
	sim_split_desc(&S, SIM_DESC, 0, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 1);
	sim_split_desc(&S, SIM_DESC, 1, t, 48, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(&S, 0);
	ok(virtq_pop(S.vq, &c) == 1 && c.nr_out == 3 && c.nr_in == 1,
	   "split: indirect descriptor at the end of a direct chain");
	virtq_push(S.vq, &c, 8);
	ok(sim_split_used(&S, &id, &len) && id == 0 && len == 8 &&
	   !sim_needs_reset(&S), "split: indirect chain returned");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static void split_big_chain(void)
{
	struct virtq_chain c;
	unsigned int i;

	virtq_chain_init(&c);
	sim_setup(&S, 0, 256);
	for (i = 0; i < 256; i++)
		sim_split_desc(&S, SIM_DESC, i, SIM_BUFS + i * 4, 4,
			       (i < 255 ? VIRTQ_DESC_F_NEXT : 0) |
			       (i >= 128 ? VIRTQ_DESC_F_WRITE : 0), i + 1);
	sim_split_avail(&S, 0);
	ok(virtq_pop(S.vq, &c) == 1 && c.nr_out == 128 && c.nr_in == 128 &&
	   c.cap >= 256 && iov_is(&c.iov[255], &S, SIM_BUFS + 255 * 4, 4),
	   "split: chain as long as the queue (iovecs grow past inline)");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static void split_wrap(void)
{
	struct virtq_chain c;
	unsigned int i, bad = 0;
	u32 id, len;

	virtq_chain_init(&c);
	sim_setup(&S, F(EVENT_IDX), 4);
	for (i = 0; i < 70000; i++) {
		u16 h = i & 3;

		sim_split_desc(&S, SIM_DESC, h, SIM_BUFS, 256,
			       VIRTQ_DESC_F_WRITE, 0);
		sim_split_avail(&S, h);
		if (virtq_pop(S.vq, &c) != 1 || c.id != h) {
			bad++;
			break;
		}
		virtq_push(S.vq, &c, i & 0xff);
		sim_split_used_event(&S, S.last_used);
		if (!virtq_should_notify(S.vq))
			bad++;
		if (!sim_split_used(&S, &id, &len) || id != h ||
		    len != (i & 0xff))
			bad++;
	}
	ok(!bad && S.vq->used_idx == (u16)70000 && !sim_needs_reset(&S),
	   "split: 70000 buffers, 16-bit indexes wrap, every one notified");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static void split_event_idx(void)
{
	struct virtq_chain c;
	unsigned int i;
	u32 id, len;

	virtq_chain_init(&c);
	sim_setup(&S, F(EVENT_IDX), 8);
	for (i = 0; i < 4; i++) {
		sim_split_desc(&S, SIM_DESC, i, SIM_BUFS, 4,
			       VIRTQ_DESC_F_WRITE, 0);
		sim_split_avail(&S, i);
	}
	/*
	 * avail_event is published only when the device finds the ring empty
	 * (before it stops looking), not after every buffer: while it has
	 * buffers left, the event stays behind and a driver adding one more
	 * does not notify (the device finds it on its own next pop).
	 */
	ok(virtq_pop(S.vq, &c) == 1 && sim_split_avail_event(&S) == 0 &&
	   !virtq_need_event(sim_split_avail_event(&S), 5, 4),
	   "split event idx: avail_event stays while the device has buffers: a driver adding the 5th does not notify");
	/* Driver wants an interrupt after the 3rd used entry (index 2). */
	sim_split_used_event(&S, 2);
	virtq_push(S.vq, &c, 0);
	ok(!virtq_should_notify(S.vq), "split event idx: used 0 < event 2: no interrupt");
	virtq_pop(S.vq, &c);
	virtq_push(S.vq, &c, 0);
	ok(!virtq_should_notify(S.vq), "split event idx: used 1: no interrupt");
	virtq_pop(S.vq, &c);
	virtq_push(S.vq, &c, 0);
	virtq_pop(S.vq, &c);
	virtq_push(S.vq, &c, 0);
	ok(virtq_should_notify(S.vq), "split event idx: batch crossing event 2 interrupts");
	ok(!virtq_should_notify(S.vq), "split event idx: nothing new, no interrupt");
	while (sim_split_used(&S, &id, &len))
		;
	ok(virtq_pop(S.vq, &c) == 0 && sim_split_avail_event(&S) == 4 &&
	   virtq_need_event(sim_split_avail_event(&S), 5, 4),
	   "split event idx: a pop finding the ring empty publishes avail_event 4: the driver's next buffer notifies");
	/*
	 * Device-side suppression: avail_event just behind the driver (3),
	 * which its next buffers do not cross, and left there by pops.
	 */
	virtq_disable_notify(S.vq);
	ok(sim_split_avail_event(&S) == 3 &&
	   !virtq_need_event(sim_split_avail_event(&S), 5, 4),
	   "split event idx: disabled: avail_event 3, the driver's next buffer does not notify");
	sim_split_avail(&S, 0);
	virtq_pop(S.vq, &c);
	ok(sim_split_avail_event(&S) == 3 &&
	   !virtq_need_event(sim_split_avail_event(&S), 6, 5),
	   "split event idx: avail_event stays behind while notifications disabled");
	sim_split_avail(&S, 1);
	ok(virtq_enable_notify(S.vq) && sim_split_avail_event(&S) == 5,
	   "split event idx: enable republishes avail_event, reports pending buffer");
	virtq_pop(S.vq, &c);
	ok(!virtq_enable_notify(S.vq), "split event idx: enable on empty queue reports none");
	ok(!sim_needs_reset(&S), "split event idx: no violation");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static void split_flags(void)
{
	struct virtq_chain c;

	virtq_chain_init(&c);
	sim_setup(&S, 0, 8);
	sim_split_desc(&S, SIM_DESC, 0, SIM_BUFS, 4, 0, 0);
	sim_split_avail(&S, 0);
	sim_split_avail(&S, 0);
	virtq_pop(S.vq, &c);
	virtq_push(S.vq, &c, 0);
	ok(virtq_should_notify(S.vq), "split flags: interrupt by default");
	sim_w16(&S, SIM_AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	virtq_pop(S.vq, &c);
	virtq_push(S.vq, &c, 0);
	ok(!virtq_should_notify(S.vq), "split flags: NO_INTERRUPT suppresses");
	virtq_disable_notify(S.vq);
	ok(sim_r16(&S, SIM_USED) == VIRTQ_USED_F_NO_NOTIFY,
	   "split flags: disable_notify sets USED_F_NO_NOTIFY");
	ok(!virtq_enable_notify(S.vq) && sim_r16(&S, SIM_USED) == 0,
	   "split flags: enable_notify clears it");
	/* Through the core: signal reaches the transport only when wanted. */
	sim_w16(&S, SIM_AVAIL, 0);
	sim_split_avail(&S, 0);
	virtq_pop(S.vq, &c);
	virtq_push(S.vq, &c, 0);
	virtio_queue_signal(S.vq);
	ok(S.signals_used == 1, "split flags: virtio_queue_signal calls the transport");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

/* ---------------- split: violations ---------------- */

typedef void (*bad_setup_fn)(struct sim *s);

#define CASE(n, f, sz) { #n, f, sz, bad_##n }

struct bad_case {
	const char *name;
	u64 feat;
	u16 size;
	bad_setup_fn fn;
};

static void expect_violation(const char *what, u64 feat, u16 size,
			     bad_setup_fn fn)
{
	struct virtq_chain c;
	int r, r2;

	virtq_chain_init(&c);
	sim_setup(&S, feat, size);
	fn(&S);
	r = virtq_pop(S.vq, &c);
	r2 = virtq_pop(S.vq, &c);
	ok(r == -EIO && r2 == -EIO && sim_needs_reset(&S) &&
	   S.signals_config == 1 && S.vq->broken,
	   "%s: pop fails, NEEDS_RESET, config interrupt, queue stopped",
	   what);
	/* A reset brings the device back. */
	virtio_set_status(&S.vdev, 0);
	ok(virtio_get_status(&S.vdev) == 0 && !S.vq->broken && !S.vq->ready,
	   "%s: reset clears the violation", what);
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static void bad_split_addr_outside_ram(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_HOLE + 8, 4, 0, 0);
	sim_split_avail(s, 0);
}

static void bad_split_addr_len_wraps(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, ~0ULL - 15, 0x100, 0, 0);
	sim_split_avail(s, 0);
}

static void bad_split_span_into_hole(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_HOLE - 8, 16, 0, 0);
	sim_split_avail(s, 0);
}

static void bad_split_write_to_rom(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_R2, 16, VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(s, 0);
}

static void bad_split_loop(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 1);
	sim_split_desc(s, SIM_DESC, 1, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_self_loop(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 4, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 4);
	sim_split_avail(s, 4);
}

static void bad_split_head_ge_size(struct sim *s)
{
	sim_split_avail(s, 8);
}

static void bad_split_next_ge_size(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 200);
	sim_split_avail(s, 0);
}

static void bad_split_avail_jump(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_BUFS, 4, 0, 0);
	sim_split_set_avail_idx(s, 9);
}

static void bad_split_avail_backwards(struct sim *s)
{
	sim_split_set_avail_idx(s, 0xffff);
}

static void bad_split_write_before_read(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_BUFS, 4,
			   VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	sim_split_desc(s, SIM_DESC, 1, SIM_BUFS, 4, 0, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_not_negotiated(struct sim *s)
{
	sim_split_desc(s, SIM_TABLES, 0, SIM_BUFS, 4, 0, 0);
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES, 16, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_and_next(struct sim *s)
{
	sim_split_desc(s, SIM_TABLES, 0, SIM_BUFS, 4, 0, 0);
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES, 16,
			   VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	sim_split_desc(s, SIM_DESC, 1, SIM_BUFS, 4, 0, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_nested(struct sim *s)
{
	sim_split_desc(s, SIM_TABLES, 0, SIM_TABLES + 0x100, 16,
			   VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_desc(s, SIM_TABLES + 0x100, 0, SIM_BUFS, 4, 0, 0);
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES, 16, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_misaligned(struct sim *s)
{
	sim_split_desc(s, SIM_TABLES + 4, 0, SIM_BUFS, 4, 0, 0);
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES + 4, 16,
			   VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_len_not_16(struct sim *s)
{
	sim_split_desc(s, SIM_TABLES, 0, SIM_BUFS, 4, 0, 0);
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES, 24, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_len_zero(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES, 0, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_too_long(struct sim *s)
{
	for (int i = 0; i < 9; i++)
		sim_split_desc(s, SIM_TABLES, i, SIM_BUFS, 4,
			       i < 8 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES, 9 * 16,
			   VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_outside_ram(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_HOLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_spans_regions(struct sim *s)
{
	sim_split_desc(s, SIM_DESC, 0, SIM_R1 - 16, 32, VIRTQ_DESC_F_INDIRECT,
			   0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_loop(struct sim *s)
{
	sim_split_desc(s, SIM_TABLES, 0, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 1);
	sim_split_desc(s, SIM_TABLES, 1, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 0);
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES, 32, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_next_out_of_table(struct sim *s)
{
	sim_split_desc(s, SIM_TABLES, 0, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 2);
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES, 32, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_indirect_bad_buffer(struct sim *s)
{
	sim_split_desc(s, SIM_TABLES, 0, SIM_HOLE, 4, 0, 0);
	sim_split_desc(s, SIM_DESC, 0, SIM_TABLES, 16, VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static void bad_split_direct_plus_indirect_too_long(struct sim *s)
{
	/* 3 direct + a 6-entry table = 9 descriptors on an 8-entry queue. */
	for (int i = 0; i < 6; i++)
		sim_split_desc(s, SIM_TABLES, i, SIM_BUFS, 4,
			       i < 5 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	sim_split_desc(s, SIM_DESC, 0, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 1);
	sim_split_desc(s, SIM_DESC, 1, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 2);
	sim_split_desc(s, SIM_DESC, 2, SIM_BUFS, 4, VIRTQ_DESC_F_NEXT, 3);
	sim_split_desc(s, SIM_DESC, 3, SIM_TABLES, 6 * 16,
		       VIRTQ_DESC_F_INDIRECT, 0);
	sim_split_avail(s, 0);
}

static const struct bad_case split_bad[] = {
	CASE(split_addr_outside_ram, 0, 8),
	CASE(split_addr_len_wraps, 0, 8),
	CASE(split_span_into_hole, 0, 8),
	CASE(split_write_to_rom, 0, 8),
	CASE(split_loop, 0, 8),
	CASE(split_self_loop, 0, 8),
	CASE(split_head_ge_size, 0, 8),
	CASE(split_next_ge_size, 0, 8),
	CASE(split_avail_jump, 0, 8),
	CASE(split_avail_backwards, 0, 8),
	CASE(split_write_before_read, 0, 8),
	CASE(split_indirect_not_negotiated, 0, 8),
	CASE(split_indirect_and_next, ALLF, 8),
	CASE(split_indirect_nested, ALLF, 8),
	CASE(split_indirect_misaligned, ALLF, 8),
	CASE(split_indirect_len_not_16, ALLF, 8),
	CASE(split_indirect_len_zero, ALLF, 8),
	CASE(split_indirect_too_long, ALLF, 8),
	CASE(split_indirect_outside_ram, ALLF, 8),
	CASE(split_indirect_spans_regions, ALLF, 8),
	CASE(split_indirect_loop, ALLF, 8),
	CASE(split_indirect_next_out_of_table, ALLF, 8),
	CASE(split_indirect_bad_buffer, ALLF, 8),
	CASE(split_direct_plus_indirect_too_long, ALLF, 8),
};

/* More chains in flight than the ring holds (driver reused entries). */
static void split_too_many_inflight(void)
{
	struct virtq_chain c;
	unsigned int i;
	int r = 1;

	virtq_chain_init(&c);
	sim_setup(&S, 0, 4);
	sim_split_desc(&S, SIM_DESC, 0, SIM_BUFS, 4, 0, 0);
	for (i = 0; i < 5 && r == 1; i++) {
		sim_split_avail(&S, 0);
		r = virtq_pop(S.vq, &c);
	}
	ok(i == 5 && r == -EIO && sim_needs_reset(&S),
	   "split: 5th chain in flight on a 4-entry queue is a violation");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

/* Queue configuration refused at enable. */
static void bad_queue_config(void)
{
	static const struct {
		const char *what;
		u64 feat;
		u16 size, max;
		u64 desc, drv, dev;
	} cases[] = {
		{ "split size not a power of 2", 0, 6, 256,
		  SIM_DESC, SIM_AVAIL, SIM_USED },
		{ "split size 0", 0, 0, 256, SIM_DESC, SIM_AVAIL, SIM_USED },
		{ "size above max", 0, 512, 256, SIM_DESC, SIM_AVAIL,
		  SIM_USED },
		{ "packed size above max", F(RING_PACKED), 300, 256,
		  SIM_DESC, SIM_AVAIL, SIM_USED },
		{ "desc table misaligned", 0, 8, 256, SIM_DESC + 8, SIM_AVAIL,
		  SIM_USED },
		{ "avail ring misaligned", 0, 8, 256, SIM_DESC, SIM_AVAIL + 1,
		  SIM_USED },
		{ "used ring misaligned", 0, 8, 256, SIM_DESC, SIM_AVAIL,
		  SIM_USED + 2 },
		{ "desc table outside RAM", 0, 8, 256, SIM_HOLE, SIM_AVAIL,
		  SIM_USED },
		{ "desc table runs off RAM", 0, 256, 256, SIM_HOLE - 16 * 128,
		  SIM_AVAIL, SIM_USED },
		{ "used ring in read-only memory", 0, 8, 256, SIM_DESC,
		  SIM_AVAIL, SIM_R2 },
		{ "avail ring spans regions", 0, 8, 256, SIM_DESC,
		  SIM_R1 - 8, SIM_USED },
		{ "desc at gpa 0 (not RAM)", 0, 8, 256, 0, SIM_AVAIL,
		  SIM_USED },
		{ "packed desc misaligned", F(RING_PACKED), 8, 256,
		  SIM_DESC + 4, SIM_AVAIL, SIM_USED },
		{ "packed device area read-only", F(RING_PACKED), 8, 256,
		  SIM_DESC, SIM_AVAIL, SIM_R2 },
		{ "packed driver area outside RAM", F(RING_PACKED), 8, 256,
		  SIM_DESC, SIM_HOLE, SIM_USED },
		{ "packed driver area misaligned", F(RING_PACKED), 8, 256,
		  SIM_DESC, SIM_AVAIL + 2, SIM_USED },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool ready = sim_setup_at(&S, cases[i].feat, cases[i].size,
					  cases[i].max, cases[i].desc,
					  cases[i].drv, cases[i].dev);

		/* Before DRIVER_OK: no config change notification. */
		ok(!ready && sim_needs_reset(&S) && S.signals_config == 0,
		   "queue config: %s: not enabled, NEEDS_RESET",
		   cases[i].what);
		sim_teardown(&S);
	}
	ok(sim_setup_at(&S, F(RING_PACKED), 7, 256, SIM_DESC, SIM_AVAIL,
			SIM_USED) && !sim_needs_reset(&S),
	   "queue config: packed size 7 (not a power of 2) is fine");
	sim_teardown(&S);
}

/* ---------------- packed ---------------- */

static bool psetup(u64 feat, u16 size)
{
	return sim_setup(&S, F(RING_PACKED) | feat, size);
}

static void packed_simple(void)
{
	struct virtq_chain c;
	struct sim_pdesc d[3] = {
		{ SIM_BUFS, 10, 0 },
		{ SIM_BUFS + 0x100, 20, VIRTQ_DESC_F_WRITE },
		{ SIM_BUFS + 0x200, 30, VIRTQ_DESC_F_WRITE },
	};
	u16 id;
	u32 len;

	virtq_chain_init(&c);
	ok(psetup(0, 8), "packed: queue of 8 becomes ready");
	ok(virtq_pop(S.vq, &c) == 0, "packed: empty ring pops nothing");
	sim_packed_add(&S, d, 3, 77);
	ok(virtq_pop(S.vq, &c) == 1 && c.nr_out == 1 && c.nr_in == 2 &&
	   c.id == 77 && c.ndescs == 3 && iov_is(&c.iov[2], &S,
						  SIM_BUFS + 0x200, 30),
	   "packed: 3-descriptor chain, buffer id from the last descriptor");
	{
		struct virtq_chain c2;

		virtq_chain_init(&c2);
		ok(virtq_pop(S.vq, &c2) == 0, "packed: nothing more");
	}
	virtq_push(S.vq, &c, 25);
	ok(sim_packed_used(&S, &id, &len) && id == 77 && len == 25 &&
	   S.used_next == 3, "packed: used descriptor at slot 0, driver skips 3");
	ok(!sim_needs_reset(&S), "packed: no violation");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static void packed_indirect(void)
{
	struct virtq_chain c;
	struct sim_pdesc d = { SIM_TABLES, 48, VIRTQ_DESC_F_INDIRECT };

	u16 id;
	u32 len;

	virtq_chain_init(&c);
	psetup(F(INDIRECT_DESC), 8);
	sim_packed_write(&S, SIM_TABLES, 0, SIM_BUFS, 8, 0, 0);
	sim_packed_write(&S, SIM_TABLES, 1, SIM_R1 - 4, 8, 0,
			 VIRTQ_DESC_F_WRITE);
	sim_packed_write(&S, SIM_TABLES, 2, SIM_BUFS + 64, 8, 0,
			 VIRTQ_DESC_F_WRITE);
	sim_packed_add(&S, &d, 1, 5);
	ok(virtq_pop(S.vq, &c) == 1 && c.nr_out == 1 && c.nr_in == 3 &&
	   c.ndescs == 1 && c.id == 5 && iov_is(&c.iov[1], &S, SIM_R1 - 4, 4) &&
	   iov_is(&c.iov[2], &S, SIM_R1, 4),
	   "packed: indirect table, spanning buffer split in two");
	virtq_push(S.vq, &c, 16);
	ok(sim_packed_used(&S, &id, &len) && id == 5 && len == 16,
	   "packed: indirect chain returned");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

/* Many laps round an odd-sized ring with chains of 1-3 descriptors. */
static void packed_wrap(void)
{
	struct virtq_chain c;
	unsigned int i, bad = 0, laps;
	u16 id;
	u32 len;

	virtq_chain_init(&c);
	psetup(F(EVENT_IDX), 5);
	for (i = 0; i < 20000 && !bad; i++) {
		struct sim_pdesc d[3] = {
			{ SIM_BUFS, 4, 0 },
			{ SIM_BUFS + 8, 4, VIRTQ_DESC_F_WRITE },
			{ SIM_BUFS + 16, 4, VIRTQ_DESC_F_WRITE },
		};
		unsigned int n = 1 + i % 3;

		sim_packed_add(&S, d, n, i % 5);
		if (virtq_pop(S.vq, &c) != 1 || c.id != i % 5 ||
		    c.ndescs != n || c.nr_out + c.nr_in != n)
			bad++;
		virtq_push(S.vq, &c, i % 7);
		if (!sim_packed_used(&S, &id, &len) || id != i % 5 ||
		    len != MIN(i % 7, 4 * (n - 1)))
			bad++;
	}
	laps = (20000 * 2) / 5;
	ok(!bad && !sim_needs_reset(&S),
	   "packed: 20000 chains, ~%u laps of a 5-slot ring, wrap counters agree",
	   laps);
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static void packed_events(void)
{
	struct virtq_chain c, c2;
	struct sim_pdesc d = { SIM_BUFS, 4, VIRTQ_DESC_F_WRITE };

	unsigned int i;
	u16 id;
	u32 len;

	virtq_chain_init(&c);
	virtq_chain_init(&c2);
	psetup(F(EVENT_IDX), 4);
	/* Driver: DISABLE. */
	sim_w16(&S, SIM_AVAIL + 2, VIRTQ_EVENT_F_DISABLE);
	sim_packed_add(&S, &d, 1, 0);
	/* Published when the device finds the ring empty, not per buffer. */
	ok(virtq_pop(S.vq, &c) == 1 && sim_r16(&S, SIM_USED + 2) == 0 &&
	   sim_r16(&S, SIM_USED) == 0,
	   "packed events: popping a buffer leaves the device area alone");
	ok(virtq_pop(S.vq, &c2) == 0 &&
	   sim_r16(&S, SIM_USED + 2) == VIRTQ_EVENT_F_DESC &&
	   sim_r16(&S, SIM_USED) == (1 | 0x8000),
	   "packed events: finding the ring empty, the device area asks for slot 1, wrap 1 (event idx)");
	virtq_push(S.vq, &c, 4);
	ok(!virtq_should_notify(S.vq), "packed events: driver DISABLE: no interrupt");
	sim_w16(&S, SIM_AVAIL + 2, VIRTQ_EVENT_F_ENABLE);
	sim_packed_add(&S, &d, 1, 1);
	virtq_pop(S.vq, &c);
	virtq_push(S.vq, &c, 4);
	ok(virtq_should_notify(S.vq), "packed events: driver ENABLE: interrupt");
	/* DESC: interrupt when the used descriptor at slot 0, wrap 0 is written. */
	sim_w16(&S, SIM_AVAIL, 0);
	sim_w16(&S, SIM_AVAIL + 2, VIRTQ_EVENT_F_DESC);
	sim_packed_add(&S, &d, 1, 2);
	virtq_pop(S.vq, &c);
	virtq_push(S.vq, &c, 4);
	ok(!virtq_should_notify(S.vq), "packed events: slot 2 written, event at slot 0/wrap 0: none");
	for (i = 3; i < 5; i++) {
		sim_packed_add(&S, &d, 1, i & 3);
		virtq_pop(S.vq, &c);
		virtq_push(S.vq, &c, 4);
	}
	ok(virtq_should_notify(S.vq), "packed events: batch over the wrap reaches slot 0/wrap 0: interrupt");
	while (sim_packed_used(&S, &id, &len))
		;
	virtq_disable_notify(S.vq);
	ok(sim_r16(&S, SIM_USED + 2) == VIRTQ_EVENT_F_DISABLE,
	   "packed events: disable_notify writes DISABLE");
	sim_packed_add(&S, &d, 1, 1);
	ok(virtq_enable_notify(S.vq) &&
	   sim_r16(&S, SIM_USED + 2) == VIRTQ_EVENT_F_DESC,
	   "packed events: enable_notify re-arms and sees the pending chain");
	ok(!sim_needs_reset(&S), "packed events: no violation");
	virtq_chain_destroy(&c);
	virtq_chain_destroy(&c2);
	sim_teardown(&S);

	virtq_chain_init(&c);
	psetup(0, 4);
	virtq_disable_notify(S.vq);
	ok(sim_r16(&S, SIM_USED + 2) == VIRTQ_EVENT_F_DISABLE,
	   "packed flags: disable without event idx");
	ok(!virtq_enable_notify(S.vq) &&
	   sim_r16(&S, SIM_USED + 2) == VIRTQ_EVENT_F_ENABLE,
	   "packed flags: enable without event idx writes ENABLE");
	/* DESC from a driver that did not negotiate EVENT_IDX: treat as on. */
	sim_w16(&S, SIM_AVAIL + 2, VIRTQ_EVENT_F_DESC);
	sim_packed_add(&S, &d, 1, 0);
	virtq_pop(S.vq, &c);
	virtq_push(S.vq, &c, 0);
	ok(virtq_should_notify(S.vq), "packed flags: DESC without EVENT_IDX means enabled");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

static const struct sim_pdesc pd_in = { SIM_BUFS, 4, VIRTQ_DESC_F_WRITE };

static void bad_packed_addr_outside_ram(struct sim *s)
{
	struct sim_pdesc d = { SIM_HOLE, 4, 0 };

	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_addr_len_wraps(struct sim *s)
{
	struct sim_pdesc d = { ~0ULL - 3, 8, 0 };

	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_span_into_hole(struct sim *s)
{
	struct sim_pdesc d = { SIM_HOLE - 2, 4, 0 };

	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_chain_longer_than_queue(struct sim *s)
{
	/* Every slot available with NEXT: the walk would go round. */
	for (int i = 0; i < 4; i++)
		sim_packed_write(s, SIM_DESC, i, SIM_BUFS, 4, 0,
				 VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_AVAIL);
}

static void bad_packed_chain_into_unavailable(struct sim *s)
{
	sim_packed_write(s, SIM_DESC, 0, SIM_BUFS, 4, 0,
			 VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_AVAIL);
}

static void bad_packed_write_before_read(struct sim *s)
{
	struct sim_pdesc d[2] = { pd_in, { SIM_BUFS, 4, 0 } };

	sim_packed_add(s, d, 2, 0);
}

static void bad_packed_indirect_not_negotiated(struct sim *s)
{
	struct sim_pdesc d = { SIM_TABLES, 16, VIRTQ_DESC_F_INDIRECT };

	sim_packed_write(s, SIM_TABLES, 0, SIM_BUFS, 4, 0, 0);
	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_indirect_and_next(struct sim *s)
{
	struct sim_pdesc d[2] = { { SIM_TABLES, 16, VIRTQ_DESC_F_INDIRECT },
				  pd_in };

	sim_packed_write(s, SIM_TABLES, 0, SIM_BUFS, 4, 0, 0);
	sim_packed_add(s, d, 2, 0);
}

static void bad_packed_indirect_nested(struct sim *s)
{
	struct sim_pdesc d = { SIM_TABLES, 16, VIRTQ_DESC_F_INDIRECT };

	sim_packed_write(s, SIM_TABLES, 0, SIM_TABLES + 0x100, 16, 0,
			 VIRTQ_DESC_F_INDIRECT);
	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_indirect_misaligned(struct sim *s)
{
	struct sim_pdesc d = { SIM_TABLES + 2, 16, VIRTQ_DESC_F_INDIRECT };

	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_indirect_too_long(struct sim *s)
{
	struct sim_pdesc d = { SIM_TABLES, 9 * 16, VIRTQ_DESC_F_INDIRECT };

	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_indirect_len_odd(struct sim *s)
{
	struct sim_pdesc d = { SIM_TABLES, 17, VIRTQ_DESC_F_INDIRECT };

	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_indirect_outside_ram(struct sim *s)
{
	struct sim_pdesc d = { SIM_HOLE - 16, 32, VIRTQ_DESC_F_INDIRECT };

	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_indirect_write_before_read(struct sim *s)
{
	struct sim_pdesc d = { SIM_TABLES, 32, VIRTQ_DESC_F_INDIRECT };

	sim_packed_write(s, SIM_TABLES, 0, SIM_BUFS, 4, 0,
			 VIRTQ_DESC_F_WRITE);
	sim_packed_write(s, SIM_TABLES, 1, SIM_BUFS, 4, 0, 0);
	sim_packed_add(s, &d, 1, 0);
}

static void bad_packed_direct_plus_indirect_too_long(struct sim *s)
{
	/* 2 direct + a 3-entry table = 5 descriptors on a 4-entry queue. */
	struct sim_pdesc d[3] = {
		{ SIM_BUFS, 4, 0 }, { SIM_BUFS, 4, 0 },
		{ SIM_TABLES, 3 * 16, VIRTQ_DESC_F_INDIRECT },
	};

	sim_packed_add(s, d, 3, 0);
}

static const struct bad_case packed_bad[] = {
	CASE(packed_addr_outside_ram, F(RING_PACKED), 8),
	CASE(packed_addr_len_wraps, F(RING_PACKED), 8),
	CASE(packed_span_into_hole, F(RING_PACKED), 8),
	CASE(packed_chain_longer_than_queue, F(RING_PACKED), 4),
	CASE(packed_chain_into_unavailable, F(RING_PACKED), 8),
	CASE(packed_write_before_read, F(RING_PACKED), 8),
	CASE(packed_indirect_not_negotiated, F(RING_PACKED), 8),
	CASE(packed_indirect_and_next, F(RING_PACKED) | F(INDIRECT_DESC), 8),
	CASE(packed_indirect_nested, F(RING_PACKED) | F(INDIRECT_DESC), 8),
	CASE(packed_indirect_misaligned, F(RING_PACKED) | F(INDIRECT_DESC), 8),
	CASE(packed_indirect_too_long, F(RING_PACKED) | F(INDIRECT_DESC), 8),
	CASE(packed_indirect_len_odd, F(RING_PACKED) | F(INDIRECT_DESC), 8),
	CASE(packed_indirect_outside_ram, F(RING_PACKED) | F(INDIRECT_DESC), 8),
	CASE(packed_indirect_write_before_read, F(RING_PACKED) | F(INDIRECT_DESC), 8),
	CASE(packed_direct_plus_indirect_too_long,
	     F(RING_PACKED) | F(INDIRECT_DESC), 4),
};

static void packed_too_many_inflight(void)
{
	const struct sim_pdesc three[3] = { pd_in, pd_in, pd_in };
	struct virtq_chain c;
	int r1, r2;

	virtq_chain_init(&c);
	psetup(0, 4);
	sim_packed_add(&S, three, 3, 0);
	r1 = virtq_pop(S.vq, &c);
	/* 3 in flight; a 2-descriptor chain would need 5 slots. */
	sim_packed_add(&S, three, 2, 1);
	r2 = virtq_pop(S.vq, &c);
	ok(r1 == 1 && r2 == -EIO && sim_needs_reset(&S),
	   "packed: more descriptors in flight than slots is a violation");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

/* Odds and ends: zero-length descriptors, reads across iovecs, no-ops. */
static void misc_edges(void)
{
	struct virtq_chain c;
	char buf[8] = { 0 };

	virtq_chain_init(&c);
	sim_setup(&S, 0, 8);
	memcpy(sim_hva(&S, SIM_BUFS), "abcdefgh", 8);
	sim_split_desc(&S, SIM_DESC, 0, SIM_BUFS, 3, VIRTQ_DESC_F_NEXT, 1);
	sim_split_desc(&S, SIM_DESC, 1, SIM_HOLE, 0, VIRTQ_DESC_F_NEXT, 2);
	sim_split_desc(&S, SIM_DESC, 2, SIM_BUFS + 3, 5, 0, 0);
	sim_split_avail(&S, 0);
	ok(virtq_pop(S.vq, &c) == 1 && c.nr_out == 2 && c.out_len == 8,
	   "misc: a zero-length descriptor adds no iovec (address unused)");
	ok(virtq_chain_read(&c, 4, buf, 8) == 4 && !memcmp(buf, "efgh", 4),
	   "misc: chain_read skips whole iovecs to reach the offset");
	ok(virtq_chain_write(&c, 0, "x", 1) == 0,
	   "misc: chain_write into a chain without writable buffers is 0");
	/* Break the queue, then everything is a no-op. */
	sim_split_avail(&S, 9);
	ok(virtq_pop(S.vq, &c) == -EIO && !virtq_has_avail(S.vq) &&
	   !virtq_enable_notify(S.vq) && !virtq_should_notify(S.vq),
	   "misc: a broken queue pops nothing, reports nothing");
	virtq_push(S.vq, &c, 0);
	virtq_disable_notify(S.vq);
	ok(sim_r16(&S, SIM_USED + 2) == 0 && sim_r16(&S, SIM_USED) == 0,
	   "misc: push and disable_notify on a broken queue touch nothing");
	virtq_chain_destroy(&c);
	sim_teardown(&S);

	/* Packed with EVENT_IDX: popping an empty ring arms the event. */
	virtq_chain_init(&c);
	psetup(F(EVENT_IDX), 4);
	ok(virtq_pop(S.vq, &c) == 0 &&
	   sim_r16(&S, SIM_USED + 2) == VIRTQ_EVENT_F_DESC &&
	   sim_r16(&S, SIM_USED) == 0x8000,
	   "misc: packed empty pop publishes off_wrap 0/wrap 1 (DESC)");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

/* ---------------- queue reset: stale chains ---------------- */

/* A RAM region of one page followed by a PROT_NONE guard page. */
#define GUARD_GPA 0x800000ULL

static u8 *guard_map(void)
{
	u8 *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + 4096, 4096, PROT_NONE))
		abort();
	return p;
}

/*
 * The reproducer: a 42-descriptor chain popped from a packed ring of 64,
 * the queue reset (QueueReady=0) and re-enabled as a 1-entry packed ring
 * in the last 16 bytes of a region that a guard page follows; the device
 * then completes the old chain and a new one. Before generations this
 * moved used_idx to 41 and the second push wrote 656 bytes past the ring
 * (SIGSEGV on the guard page). 0 = refused, 1..: which check failed.
 */
static struct virtq_chain guard_old, guard_new;
static u8 *guard_ram;

static int stale_packed_run(void)
{
	struct virtq_chain *old = &guard_old, *c = &guard_new;
	struct sim_pdesc d[42];
	struct virtio_device *vdev;
	u64 ring = GUARD_GPA + 4096 - 16;
	u8 *g = guard_ram;
	unsigned int i;
	int r;

	if (!sim_setup(&S, F(RING_PACKED), 64))
		return 1;
	vdev = &S.vdev;
	if (guest_mem_add(&S.mem, GUARD_GPA, 4096, g, false))
		return 2;
	for (i = 0; i < 42; i++)
		d[i] = (struct sim_pdesc){ SIM_BUFS + 0x100 * i, 16,
					   VIRTQ_DESC_F_WRITE };
	sim_packed_add(&S, d, 42, 7);
	if (virtq_pop(S.vq, old) != 1 || old->ndescs != 42)
		return 3;
	/* The driver resets the queue and makes it a 1-entry ring. */
	virtio_queue_set_ready(vdev, 0, false);
	virtio_queue_set_size(vdev, 0, 1);
	virtio_queue_set_addr(vdev, 0, VIRTIO_AREA_DESC, ring);
	virtio_queue_set_ready(vdev, 0, true);
	if (!virtio_queue_get_ready(vdev, 0))
		return 4;
	r = virtq_push(S.vq, old, 16);
	/* One new buffer (id 3) in the new ring, wrap counter 1. */
	memset(g + 4096 - 16, 0, 16);
	*(u64 *)(g + 4096 - 16) = htole64(SIM_BUFS);
	*(u32 *)(g + 4096 - 8) = htole32(16);
	*(u16 *)(g + 4096 - 4) = htole16(3);
	__atomic_store_n((u16 *)(g + 4096 - 2),
			 htole16(VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_WRITE),
			 __ATOMIC_RELEASE);
	if (virtq_pop(S.vq, c) != 1)
		return 5;
	if (virtq_push(S.vq, c, 16))
		return 6;
	if (r != -ESTALE)
		return 7;
	if (le16toh(*(u16 *)(g + 4096 - 4)) != 3 ||
	    le16toh(*(u16 *)(g + 4096 - 2)) !=
	    (VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED | VIRTQ_DESC_F_WRITE))
		return 8;
	if (S.vq->used_idx != 0 || S.vq->used_wrap)
		return 9;
	return sim_needs_reset(&S) ? 10 : 0;
}

static sigjmp_buf guard_jmp;

static void guard_segv(int sig)
{
	siglongjmp(guard_jmp, sig);
}

/* The reproducer, with a SIGSEGV turned into a failed check. */
static void stale_packed_guard(void)
{
	struct sigaction sa = { .sa_handler = guard_segv }, old;
	int check;

	virtq_chain_init(&guard_old);
	virtq_chain_init(&guard_new);
	guard_ram = guard_map();
	sigaction(SIGSEGV, &sa, &old);
	if (!sigsetjmp(guard_jmp, 1)) {
		check = stale_packed_run();
		sigaction(SIGSEGV, &old, NULL);
		ok(check == 0,
		   "reset: a stale 42-slot chain is refused by a new 1-entry packed ring before a guard page; the new chain lands in slot 0 (check %d)",
		   check);
	} else {
		sigaction(SIGSEGV, &old, NULL);
		ok(0, "reset: a stale 42-slot chain pushed into a new 1-entry packed ring before a guard page: SIGSEGV");
	}
	virtq_chain_destroy(&guard_old);
	virtq_chain_destroy(&guard_new);
	sim_teardown(&S);
	munmap(guard_ram, 8192);
}

static void stale_split(void)
{
	struct virtq_chain old, c;
	struct virtio_device *vdev;
	u32 id, len;

	virtq_chain_init(&old);
	virtq_chain_init(&c);
	sim_setup(&S, 0, 64);
	vdev = &S.vdev;
	sim_split_desc(&S, SIM_DESC, 50, SIM_BUFS, 16, VIRTQ_DESC_F_WRITE, 0);
	S.avail_idx = 0;
	sim_split_avail(&S, 50);
	ok(virtq_pop(S.vq, &old) == 1 && old.id == 50,
	   "reset: split chain with head 50 popped");
	/* Reset, then a ring of 4 at the same place. */
	virtio_queue_set_ready(vdev, 0, false);
	memset(sim_hva(&S, SIM_AVAIL), 0, 0x1000);
	memset(sim_hva(&S, SIM_USED), 0, 0x1000);
	virtio_queue_set_size(vdev, 0, 4);
	virtio_queue_set_ready(vdev, 0, true);
	S.size = 4;
	S.avail_idx = 0;
	S.last_used = 0;
	ok(virtq_push(S.vq, &old, 16) == -ESTALE &&
	   sim_r16(&S, SIM_USED + 2) == 0,
	   "reset: the old chain (head 50) is refused by the new 4-entry ring");
	sim_split_desc(&S, SIM_DESC, 2, SIM_BUFS, 16, VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&S, 2);
	ok(virtq_pop(S.vq, &c) == 1 && !virtq_push(S.vq, &c, 4) &&
	   sim_split_used(&S, &id, &len) && id == 2 && len == 4 &&
	   !sim_split_used(&S, &id, &len),
	   "reset: the new ring sees only its own chain");
	/* A device reset too. */
	virtio_set_status(vdev, 0);
	ok(virtq_push(S.vq, &c, 4) == -ESTALE,
	   "reset: a chain popped before a device reset is refused");
	ok(!sim_needs_reset(&S), "reset: stale pushes are no violation");
	virtq_chain_destroy(&old);
	virtq_chain_destroy(&c);
	sim_teardown(&S);

	/* Popped from one queue, pushed into another: refused. */
	virtq_chain_init(&c);
	sim_setup(&S, 0, 8);
	sim_split_desc(&S, SIM_DESC, 0, SIM_BUFS, 16, VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&S, 0);
	ok(virtq_pop(S.vq, &c) == 1, "reset: chain popped");
	c.vq = NULL;
	ok(virtq_push(S.vq, &c, 4) == -ESTALE &&
	   sim_r16(&S, SIM_USED + 2) == 0,
	   "reset: a chain of another queue is refused");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

/* Chains that cannot come from this ring; and wrapping by a whole ring. */
static void push_bounds(void)
{
	struct sim_pdesc d[4] = {
		{ SIM_BUFS, 16, VIRTQ_DESC_F_WRITE },
		{ SIM_BUFS + 0x100, 16, VIRTQ_DESC_F_WRITE },
		{ SIM_BUFS + 0x200, 16, VIRTQ_DESC_F_WRITE },
		{ SIM_BUFS + 0x300, 16, VIRTQ_DESC_F_WRITE },
	};
	struct virtq_chain c;
	u16 id;
	u32 len;

	virtq_chain_init(&c);
	psetup(0, 4);
	sim_packed_add(&S, d, 4, 1);
	ok(virtq_pop(S.vq, &c) == 1 && c.ndescs == 4,
	   "push: packed chain taking all 4 slots popped");
	ok(!virtq_push(S.vq, &c, 8) && S.vq->used_idx == 0 &&
	   !S.vq->used_wrap && sim_packed_used(&S, &id, &len) && id == 1,
	   "push: a chain of the whole ring wraps to slot 0, flips the counter");
	sim_packed_add(&S, d, 2, 2);
	ok(virtq_pop(S.vq, &c) == 1 && c.ndescs == 2, "push: 2-slot chain");
	c.ndescs = 5;
	ok(virtq_push(S.vq, &c, 8) == -EINVAL && S.vq->used_idx == 0 &&
	   sim_needs_reset(&S),
	   "push: a chain of 5 slots into a ring of 4 is refused (queue broken)");
	virtq_chain_destroy(&c);
	sim_teardown(&S);

	virtq_chain_init(&c);
	psetup(0, 4);
	sim_packed_add(&S, d, 1, 1);
	ok(virtq_pop(S.vq, &c) == 1, "push: 1-slot chain");
	c.ndescs = 0;
	ok(virtq_push(S.vq, &c, 8) == -EINVAL && sim_needs_reset(&S),
	   "push: a chain of 0 slots is refused");
	virtq_chain_destroy(&c);
	sim_teardown(&S);

	virtq_chain_init(&c);
	sim_setup(&S, 0, 4);
	sim_split_desc(&S, SIM_DESC, 3, SIM_BUFS, 16, VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&S, 3);
	ok(virtq_pop(S.vq, &c) == 1, "push: split chain");
	c.id = 4;
	ok(virtq_push(S.vq, &c, 8) == -EINVAL &&
	   sim_r16(&S, SIM_USED + 2) == 0 && sim_needs_reset(&S),
	   "push: a split head index >= size is refused");
	virtq_chain_destroy(&c);
	sim_teardown(&S);
}

int main(void)
{
	unsigned int i;

	log_set_level(LOG_ERROR);	/* the violations are expected */
	split_simple();
	split_spanning();
	split_indirect();
	split_big_chain();
	split_wrap();
	split_event_idx();
	split_flags();
	for (i = 0; i < ARRAY_SIZE(split_bad); i++)
		expect_violation(split_bad[i].name, split_bad[i].feat,
				 split_bad[i].size, split_bad[i].fn);
	split_too_many_inflight();
	bad_queue_config();
	packed_simple();
	packed_indirect();
	packed_wrap();
	packed_events();
	for (i = 0; i < ARRAY_SIZE(packed_bad); i++)
		expect_violation(packed_bad[i].name, packed_bad[i].feat,
				 packed_bad[i].size, packed_bad[i].fn);
	packed_too_many_inflight();
	misc_edges();
	stale_packed_guard();
	stale_split();
	push_bounds();
	return tap_done();
}
