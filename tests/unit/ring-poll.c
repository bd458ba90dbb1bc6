// SPDX-License-Identifier: GPL-2.0
/*
 * Ring polling: virtio_queue_poll() runs a queue's handler only when the
 * driver left buffers and the device is running, and reports progress
 * only when the device took some (split and packed rings); the I/O loop
 * calls handlers' poll functions while it polls, never with polling off,
 * counts what they found and forgets a deleted handler. It takes any
 * number of them (200, added before and while it runs, every one polled),
 * and pollers added and deleted while it walks them are safe (run under
 * ASan by make check). While it polls, a queue asks its driver not to
 * notify (split and packed, with and without EVENT_IDX) and asks again
 * before the loop sleeps, which then looks once more; a quiet queue is
 * looked at on passes that had events too (a flood elsewhere). A queue
 * notifier past 64 others is polled as the first is.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "io-loop.h"
#include "queue-notifier.h"
#include "tap.h"
#include "virtio-sim.h"

/* A device that serves every buffer, unless told to leave them. */
struct pdev {
	unsigned int notifies;
	atomic_uint served;	/* read while the I/O thread serves */
	bool refuse;
};

static struct pdev pdev;

static void pdev_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtq_chain c;

	pdev.notifies++;
	if (pdev.refuse)
		return;
	virtq_chain_init(&c);
	while (virtq_pop(vq, &c) == 1) {
		virtq_push(vq, &c, 0);
		pdev.served++;
	}
	virtq_chain_destroy(&c);
	virtio_queue_signal(vq);
}

static const struct virtio_device_ops pdev_ops = {
	.name = "pdev",
	.device_id = VIRTIO_ID_RNG,
	.queue_notify = pdev_notify,
	.queue_pollable = virtio_queue_pollable_all,
};

static void add_buffer(struct sim *s, bool packed, u16 id)
{
	if (packed) {
		struct sim_pdesc d = { SIM_BUFS + 64ULL * id, 64,
				       VIRTQ_DESC_F_WRITE };

		sim_packed_add(s, &d, 1, id);
		return;
	}
	sim_split_desc(s, SIM_DESC, id, SIM_BUFS + 64ULL * id, 64,
		       VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(s, id);
}

static bool used_back(struct sim *s, bool packed)
{
	u32 id32, len;
	u16 id16;

	return packed ? sim_packed_used(s, &id16, &len) :
			sim_split_used(s, &id32, &len);
}

static void test_queue_poll(bool packed)
{
	const char *l = packed ? "packed" : "split";
	u64 f = VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
		(packed ? VIRTIO_BIT(VIRTIO_F_RING_PACKED) : 0);
	struct sim s;
	bool took;

	if (!sim_setup(&s, f, 16)) {
		ok(0, "%s: queue set up", l);
		return;
	}
	s.vdev.ops = &pdev_ops;
	memset(&pdev, 0, sizeof(pdev));

	took = virtio_queue_poll(&s.vdev, 0);
	ok(!took && pdev.notifies == 0,
	   "%s: an empty ring: no progress, the handler not run", l);

	add_buffer(&s, packed, 0);
	add_buffer(&s, packed, 1);
	took = virtio_queue_poll(&s.vdev, 0);
	ok(took && pdev.served == 2 && used_back(&s, packed) &&
	   used_back(&s, packed),
	   "%s: buffers left without a kick are served by a poll (%u)", l,
	   pdev.served);
	ok(!virtio_queue_poll(&s.vdev, 0) && pdev.notifies == 1,
	   "%s: then nothing more to do", l);

	pdev.refuse = true;
	add_buffer(&s, packed, 2);
	took = virtio_queue_poll(&s.vdev, 0);
	ok(!took && pdev.notifies == 2 && !used_back(&s, packed),
	   "%s: a device that leaves the buffers is not progress", l);
	pdev.refuse = false;
	ok(virtio_queue_poll(&s.vdev, 0) && used_back(&s, packed),
	   "%s: and serves them on a later poll", l);

	ok(!virtio_queue_poll(&s.vdev, 1) && !virtio_queue_poll(&s.vdev, 99),
	   "%s: no such queue: nothing", l);
	ok(virtio_queue_pollable(&s.vdev, 0) &&
	   !virtio_queue_pollable(&s.vdev, 1),
	   "%s: pollable: the device's queue, not past the last", l);

	add_buffer(&s, packed, 3);
	s.vq->broken = true;
	ok(!virtio_queue_poll(&s.vdev, 0) && pdev.notifies == 3,
	   "%s: a broken queue is not polled", l);
	s.vq->broken = false;

	virtio_set_status(&s.vdev, 0);
	ok(!virtio_queue_poll(&s.vdev, 0) && pdev.notifies == 3,
	   "%s: a reset device (no DRIVER_OK) is not polled", l);
	sim_teardown(&s);

	if (!sim_setup(&s, f, 16)) {
		ok(0, "%s: second queue set up", l);
		return;
	}
	add_buffer(&s, packed, 0);
	ok(!virtio_queue_pollable(&s.vdev, 0),
	   "%s: a device without queue_pollable is never polled", l);
	sim_teardown(&s);
}

/*
 * Would the driver notify after adding one buffer now (2.7.10, 2.8.10)?
 * Split: avail_event or the used ring's NO_NOTIFY flag; packed: the
 * device's event suppression structure (at SIM_USED).
 */
static bool driver_would_notify(struct sim *s, bool packed, bool event_idx)
{
	u16 flags, off_wrap, old = s->avail_idx, ev;

	if (packed) {
		flags = sim_r16(s, SIM_USED + 2);
		off_wrap = sim_r16(s, SIM_USED);
		if (flags == VIRTQ_EVENT_F_DISABLE)
			return false;
		if (flags == VIRTQ_EVENT_F_ENABLE)
			return true;
		return (off_wrap & 0x7fff) == s->next &&
		       !!(off_wrap >> VIRTQ_EVENT_WRAP_SHIFT) == s->wrap;
	}
	if (!event_idx)
		return !(sim_r16(s, SIM_USED) & VIRTQ_USED_F_NO_NOTIFY);
	ev = sim_split_avail_event(s);
	/* vring_need_event(ev, old + 1, old) */
	return (u16)(old + 1 - ev - 1) < 1;
}

static void test_queue_quiet(bool packed, bool event_idx)
{
	char l[32];
	u64 f = (event_idx ? VIRTIO_BIT(VIRTIO_F_EVENT_IDX) : 0) |
		(packed ? VIRTIO_BIT(VIRTIO_F_RING_PACKED) : 0);
	u8 area[8], before[8];
	struct sim s;
	unsigned int i;
	bool quiet_all = true;

	snprintf(l, sizeof(l), "%s%s", packed ? "packed" : "split",
		 event_idx ? "+event" : "");
	if (!sim_setup(&s, f, 16)) {
		ok(0, "%s: queue set up", l);
		return;
	}
	s.vdev.ops = &pdev_ops;
	memset(&pdev, 0, sizeof(pdev));
	/* An empty pop asks for the next buffer's notification. */
	virtio_queue_quiet(&s.vdev, 0, false);
	ok(driver_would_notify(&s, packed, event_idx),
	   "%s: notifications on: the driver notifies its next buffer", l);

	virtio_queue_quiet(&s.vdev, 0, true);
	ok(!driver_would_notify(&s, packed, event_idx),
	   "%s: quiet while polled: the driver need not notify", l);
	/* 20 buffers through a ring of 16: pops do not ask again. */
	for (i = 0; i < 20; i++) {
		add_buffer(&s, packed, i % 16);
		if (!virtio_queue_poll(&s.vdev, 0) || !used_back(&s, packed))
			break;
		quiet_all &= !driver_would_notify(&s, packed, event_idx);
	}
	ok(i == 20 && quiet_all,
	   "%s: polls serve buffers without re-enabling notifications (%u)",
	   l, i);
	virtio_queue_quiet(&s.vdev, 0, false);
	ok(driver_would_notify(&s, packed, event_idx),
	   "%s: before the loop sleeps: notifications on again", l);
	add_buffer(&s, packed, 0);
	ok(virtio_queue_poll(&s.vdev, 0) && used_back(&s, packed),
	   "%s: and a buffer added then is served", l);

	/* Before DRIVER_OK the device area is the driver's alone. */
	virtio_set_status(&s.vdev, 0);
	memcpy(before, sim_hva(&s, SIM_USED), sizeof(before));
	virtio_queue_quiet(&s.vdev, 0, true);
	memcpy(area, sim_hva(&s, SIM_USED), sizeof(area));
	ok(!memcmp(area, before, sizeof(area)),
	   "%s: a device not running does not write its area", l);
	virtio_queue_quiet(&s.vdev, 5, true);
	ok(1, "%s: no such queue: ignored", l);
	sim_teardown(&s);
}

/* --- the I/O loop side --- */

struct poller {
	struct io_handler h;
	atomic_uint calls;	/* poll function calls */
	atomic_uint work;	/* how many of them report work */
	atomic_uint quiets, wakes;	/* quiet(true), quiet(false) calls */
	atomic_uint late;	/* work that comes as the source wakes */
	atomic_bool quiet;	/* the last call's */
};

static bool poller_poll(struct io_handler *h)
{
	struct poller *p = h->opaque;
	unsigned int w = atomic_load(&p->work);

	atomic_fetch_add(&p->calls, 1);
	while (w && !atomic_compare_exchange_weak(&p->work, &w, w - 1))
		;
	return w > 0;
}

static void poller_ready(struct io_handler *h, u32 events)
{
	u64 v;

	if (read(h->fd, &v, sizeof(v)) != sizeof(v))
		return;
}

/*
 * Quiet, the source would not wake the loop; work "late" arrives just
 * before the source is told to wake it again, found only by a look after.
 */
static void poller_quiet(struct io_handler *h, bool quiet)
{
	struct poller *p = h->opaque;

	atomic_fetch_add(quiet ? &p->quiets : &p->wakes, 1);
	atomic_store(&p->quiet, quiet);
	if (!quiet)
		atomic_fetch_add(&p->work, atomic_exchange(&p->late, 0));
}

static int poller_open(struct poller *p)
{
	memset(p, 0, sizeof(*p));
	p->h.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->h.fn = poller_ready;
	p->h.opaque = p;
	p->h.poll = poller_poll;
	p->h.quiet = poller_quiet;
	return p->h.fd < 0 ? -errno : 0;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * A loop that polls for up to max_us, its first wait already polling
 * for bound_us (as after a run of quick events), looking at no
 * /proc/loadavg (so polling does not depend on this host's load).
 */
static int loop_open(struct io_loop *loop, u32 max_us, u32 bound_us)
{
	int err = io_loop_init(loop);

	if (err)
		return err;
	if (loop->loadavg_fd >= 0)
		close(loop->loadavg_fd);
	loop->loadavg_fd = -1;
	io_loop_set_poll(loop, max_us * 1000);
	loop->poll.ns = bound_us * 1000;
	return 0;
}

/*
 * A loop as loop_open() makes it, started, with poller p, whose poll
 * function finds work the first 3 times.
 */
static bool loop_run_poller(struct io_loop *loop, struct poller *p,
			    u32 max_us, u32 bound_us)
{
	if (poller_open(p) || loop_open(loop, max_us, bound_us))
		return ok(0, "loop (poll cap %u us) and poller set up", max_us);
	atomic_store(&p->work, 3);
	if (io_loop_add(loop, &p->h, EPOLLIN) || io_loop_start(loop))
		return ok(0, "poller added, loop (poll cap %u us) started",
			  max_us);
	return true;
}

static void test_loop_polls(void)
{
	struct io_loop loop;
	struct poller p;
	unsigned int c1, c2, q, w;
	bool quiet;

	if (!loop_run_poller(&loop, &p, 1000, 1000))
		return;
	sleep_ms(100);
	c1 = atomic_load(&p.calls);
	sleep_ms(50);
	c2 = atomic_load(&p.calls);
	q = atomic_load(&p.quiets);
	w = atomic_load(&p.wakes);
	quiet = atomic_load(&p.quiet);
	/* Work that comes as the source is woken: found before sleeping. */
	atomic_store(&p.late, 1);
	if (eventfd_write(p.h.fd, 1))
		ok(0, "eventfd write");
	sleep_ms(50);
	io_loop_stop(&loop);
	ok(c1 == c2, "once the bound is over, the loop sleeps (%u, %u calls)",
	   c1, c2);
	if (loop.ring_hits < 3 && loop.poll.preempted)
		skip("the CPU was taken from the polling thread: host too busy",
		     "work found by a poll function is done without sleeping (%llu)",
		     (unsigned long long)loop.ring_hits);
	else
		ok(loop.ring_hits >= 3 && atomic_load(&p.work) == 0 &&
		   atomic_load(&p.calls) > 3,
		   "work found by a poll function is done without sleeping (%llu hits, %u calls)",
		   (unsigned long long)loop.ring_hits,
		   atomic_load(&p.calls));
	ok(loop.poll.hits >= loop.ring_hits - loop.rearm_hits,
	   "each counts as a polling hit (%llu)",
	   (unsigned long long)loop.poll.hits);
	ok(q >= 1 && w == q && !quiet,
	   "the poller is quiet while the loop polls, woken before it sleeps (%u, %u)",
	   q, w);
	ok(atomic_load(&p.work) == 0 && atomic_load(&p.late) == 0 &&
	   loop.rearm_hits == 1,
	   "work that came as the source woke is done before sleeping (%llu)",
	   (unsigned long long)loop.rearm_hits);
	ok(io_loop_del(&loop, &p.h) == 0 && loop.pollers &&
	   loop.pollers->used == 1 && loop.pollers->h[0] == NULL,
	   "a deleted handler leaves the pollers");
	io_loop_destroy(&loop);
	close(p.h.fd);

	/* Polling off: the poll function is never called. */
	if (!loop_run_poller(&loop, &p, 0, 0))
		return;
	for (int i = 0; i < 20; i++) {
		if (eventfd_write(p.h.fd, 1))
			break;
		sleep_ms(1);
	}
	sleep_ms(50);
	io_loop_stop(&loop);
	ok(atomic_load(&p.calls) == 0 && loop.ring_hits == 0 &&
	   atomic_load(&p.quiets) == 0,
	   "polling off: no poll function called, none quiet (%u, %u)",
	   atomic_load(&p.calls), atomic_load(&p.quiets));
	io_loop_destroy(&loop);
	close(p.h.fd);
}

/* Always ready (its eventfd is never drained): a flood of events. */
static atomic_uint floods;

static void flood_ready(struct io_handler *h, u32 events)
{
	atomic_fetch_add(&floods, 1);
}

/*
 * A quiet source does not wake the loop: with events on every pass (a
 * host-side peer or network flooding another device), the loop must
 * still look at it, or the driver's buffers wait until the flood stops.
 */
static void test_loop_quiet_flood(void)
{
	struct io_handler flood = { .fn = flood_ready };
	struct io_loop loop;
	struct poller p;
	unsigned int i, q;

	if (poller_open(&p) || loop_open(&loop, 1000, 1000)) {
		ok(0, "flood: loop and poller set up");
		return;
	}
	flood.fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	if (flood.fd < 0 || io_loop_add(&loop, &p.h, EPOLLIN) ||
	    io_loop_add(&loop, &flood, EPOLLIN) || io_loop_start(&loop)) {
		ok(0, "flood: handlers added, loop started");
		return;
	}
	/* Until the loop has made the poller quiet. */
	for (i = 0; i < 200 && !atomic_load(&p.quiet); i++)
		sleep_ms(5);
	q = atomic_load(&p.quiets);
	atomic_store(&p.work, 1);
	for (i = 0; i < 100 && atomic_load(&p.work); i++)
		sleep_ms(5);
	io_loop_stop(&loop);
	ok(q >= 1 && atomic_load(&p.work) == 0,
	   "a quiet source's work is found while other events keep the loop busy (%u floods, %u polls)",
	   atomic_load(&floods), atomic_load(&p.calls));
	ok(!atomic_load(&p.quiet), "flood: no source left quiet at stop");
	io_loop_destroy(&loop);
	close(flood.fd);
	close(p.h.fd);
}

/* More pollers than the old fixed array's 64: lkvm run -c 64, 3 disks. */
#define MANY_POLLERS 200
/* Loops started, filled and emptied while they walk: each replaces 4 sets. */
#define CHURN_ROUNDS 40

/* Has each of p[0, n) done its work (found by its poll function)? */
static unsigned int pollers_done(struct poller *p, unsigned int n)
{
	unsigned int i, done = 0;

	for (i = 0; i < n; i++)
		done += atomic_load(&p[i].work) == 0;
	return done;
}

/* Is h in the loop's pollers? */
static bool loop_has_poller(struct io_loop *loop, struct io_handler *h)
{
	struct io_pollers *set = atomic_load(&loop->pollers);
	unsigned int i;

	for (i = 0; set && i < atomic_load(&set->used); i++)
		if (atomic_load(&set->h[i]) == h)
			return true;
	return false;
}

/*
 * 200 handlers with poll functions, half added before the loop starts,
 * half while it runs: each has work only its poll function finds (its
 * eventfd is never written), and every one must find it. Kicks on the
 * first keep the loop waking up to poll.
 */
static void test_many_pollers(void)
{
	static struct poller p[MANY_POLLERS];
	struct poller refused;
	struct io_loop loop;
	unsigned int i, added = 0, live = 0, t;
	int err = 0;

	if (loop_open(&loop, 1000, 1000)) {
		ok(0, "many: loop set up");
		return;
	}
	for (i = 0; i < MANY_POLLERS && !err; i++) {
		err = poller_open(&p[i]);
		atomic_store(&p[i].work, 1);
		if (!err && i == MANY_POLLERS / 2)
			err = io_loop_start(&loop);
		if (!err)
			err = io_loop_add(&loop, &p[i].h, EPOLLIN);
		if (!err) {
			added++;
			live += i >= MANY_POLLERS / 2;
		}
	}
	for (t = 0; t < 2000 && pollers_done(p, added) < MANY_POLLERS; t++) {
		if (added && eventfd_write(p[0].h.fd, 1))
			break;
		sleep_ms(1);
	}
	io_loop_stop(&loop);
	ok(added == MANY_POLLERS && !err,
	   "%u handlers with poll functions added, %u of them while the loop ran (%d)",
	   added, live, err);
	ok(pollers_done(p, added) == MANY_POLLERS,
	   "every one of them is polled (%u found their work)",
	   pollers_done(p, added));
	ok(loop.pollers && loop.pollers->size >= MANY_POLLERS && !loop.retired,
	   "the set grew to hold them (%u slots); the sets it replaced are freed once the loop stopped",
	   loop.pollers ? loop.pollers->size : 0);

	/* Refused by epoll (a closed fd): not left among the pollers. */
	poller_open(&refused);
	close(refused.h.fd);
	err = io_loop_add(&loop, &refused.h, EPOLLIN);
	ok(err == -EBADF && !loop_has_poller(&loop, &refused.h),
	   "a handler epoll refuses is not left among the pollers (%d)", err);
	io_loop_destroy(&loop);
	for (i = 0; i < MANY_POLLERS; i++)
		if (p[i].h.fd >= 0)
			close(p[i].h.fd);
}

/* Wait for the loop to finish n more walks of its pollers (2 s at most). */
static bool loop_passes(struct io_loop *loop, u64 n)
{
	u64 end = atomic_load(&loop->passes) + n;
	unsigned int t;

	for (t = 0; t < 2000 && atomic_load(&loop->passes) < end; t++)
		sleep_ms(1);
	return atomic_load(&loop->passes) >= end;
}

/*
 * Pollers added (the set replaced 4 times while the thread walks it)
 * and deleted while the loop walks them without a pause (a flood of
 * events on another fd), round after round: nothing the thread reads is
 * freed under it (ASan's run), a deleted poller is polled no more, and a
 * replaced set is freed while the loop runs, once it has passed it.
 */
static void test_pollers_churn(void)
{
	static struct poller p[MANY_POLLERS];
	struct io_handler flood = { .fn = flood_ready };
	unsigned int calls[MANY_POLLERS];
	unsigned int r, i, bad_add = 0, unpolled = 0, still = 0, kept = 0;
	struct io_loop loop;

	flood.fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	if (flood.fd < 0) {
		ok(0, "churn: flood eventfd");
		return;
	}
	for (i = 0; i < MANY_POLLERS; i++)
		if (poller_open(&p[i])) {
			ok(0, "churn: eventfd %u", i);
			return;
		}
	for (r = 0; r < CHURN_ROUNDS; r++) {
		if (loop_open(&loop, 1000, 1000) ||
		    io_loop_add(&loop, &flood, EPOLLIN) ||
		    io_loop_start(&loop)) {
			ok(0, "churn: loop %u started", r);
			break;
		}
		for (i = 0; i < MANY_POLLERS; i++)
			bad_add += !!io_loop_add(&loop, &p[i].h, EPOLLIN);
		/* Deleted in two sweeps, re-added into the freed slots. */
		for (i = 0; i < MANY_POLLERS; i += 2)
			io_loop_del(&loop, &p[i].h);
		for (i = 0; i < MANY_POLLERS; i += 2)
			bad_add += !!io_loop_add(&loop, &p[i].h, EPOLLIN);
		for (i = 0; i < MANY_POLLERS; i++)
			calls[i] = atomic_load(&p[i].calls);
		/* A walk under way, then at most a quiet one, then a poll. */
		loop_passes(&loop, 3);
		for (i = 0; i < MANY_POLLERS; i++)
			unpolled += atomic_load(&p[i].calls) == calls[i];
		for (i = 0; i < MANY_POLLERS; i++)
			io_loop_del(&loop, &p[i].h);
		/* A walk under way may still see them: wait for it to end. */
		loop_passes(&loop, 2);
		for (i = 0; i < MANY_POLLERS; i++)
			calls[i] = atomic_load(&p[i].calls);
		loop_passes(&loop, 20);
		for (i = 0; i < MANY_POLLERS; i++)
			still += atomic_load(&p[i].calls) != calls[i];
		/* The next change frees what the loop has passed. */
		io_loop_del(&loop, &p[0].h);
		kept += loop.retired != NULL;
		io_loop_destroy(&loop);
	}
	ok(r == CHURN_ROUNDS && !bad_add && !unpolled,
	   "churn: 200 pollers added, half deleted and added again while the loop walks them, all polled (%u rounds, %u refused, %u missed)",
	   r, bad_add, unpolled);
	ok(!still, "churn: deleted pollers are polled no more (%u were)", still);
	ok(!kept, "churn: replaced sets are freed while the loop runs (%u rounds kept one)",
	   kept);
	close(flood.fd);
	for (i = 0; i < MANY_POLLERS; i++)
		close(p[i].h.fd);
}

/*
 * A pollable queue's notifier past 64 other pollers (one disk's queues
 * on a 64-CPU host, then every other device): polled as the first is, a
 * buffer added without a kick served while the loop polls (woken by
 * another poller's kick, never its own).
 */
static void test_notifier_many_pollers(void)
{
	static struct poller p[MANY_POLLERS - 1];
	struct queue_notifier n;
	struct io_loop loop;
	unsigned int i, added = 0;
	struct sim s;
	int r;

	if (loop_open(&loop, 1000, 1000) || !sim_setup(&s, 0, 16)) {
		ok(0, "notifier: loop and queue set up");
		return;
	}
	s.vdev.ops = &pdev_ops;
	memset(&pdev, 0, sizeof(pdev));
	for (i = 0; i < MANY_POLLERS - 1; i++)
		if (!poller_open(&p[i]) && !io_loop_add(&loop, &p[i].h, EPOLLIN))
			added++;
	queue_notifier_init(&n, &s.vdev, 0);
	r = queue_notifier_open(&n, &loop);
	ok(added == MANY_POLLERS - 1 && r == 0 && n.handler.poll &&
	   loop_has_poller(&loop, &n.handler),
	   "a pollable queue after %u polled ones is polled too (%d)", added,
	   r);
	if (!r && !io_loop_start(&loop)) {
		add_buffer(&s, false, 0);
		for (i = 0; i < 200 && !pdev.served; i++) {
			if (eventfd_write(p[0].h.fd, 1))
				ok(0, "notifier: eventfd write");
			sleep_ms(5);
		}
		io_loop_stop(&loop);
	}
	ok(pdev.served == 1 && used_back(&s, false),
	   "and its buffer is served without its kick (%u)", pdev.served);
	queue_notifier_close(&n);
	io_loop_destroy(&loop);
	for (i = 0; i < MANY_POLLERS - 1; i++)
		if (p[i].h.fd >= 0)
			close(p[i].h.fd);
	sim_teardown(&s);
}

int main(void)
{
	test_queue_poll(false);
	test_queue_poll(true);
	for (int i = 0; i < 4; i++)
		test_queue_quiet(i & 1, i & 2);
	test_loop_polls();
	test_loop_quiet_flood();
	test_many_pollers();
	test_pollers_churn();
	test_notifier_many_pollers();
	return tap_done();
}
