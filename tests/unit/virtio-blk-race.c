// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/blk.c with io=vcpu under concurrency: three driver threads (two
 * "vCPUs" on queue 0, one on queue 1) post writes of known patterns,
 * reads and flushes and ring the doorbell as a trapped notification
 * does (virtio_queue_notify() on their own thread, so that a lone
 * request runs inline on it), while a fourth thread resets a queue or
 * the whole device at random points, or holds the I/O thread a moment
 * (io-gate.h); the I/O loop runs throughout, with polling off and on,
 * on both disk engines. A third round on each aims at one window: lone
 * requests only (each runs inline when its queue is idle), and queue
 * resets 0 to 100 us apart. A fourth is io=auto's, on a clock on which
 * about half the requests take longer than the budget, so that lone
 * requests go back and forth between the vCPUs and the I/O thread.
 * Every round runs on split virtqueues, and again on packed ones
 * (VIRTIO_F_RING_PACKED).
 *
 * The driver is a Linux-like one: each queue's ring is touched under the
 * queue's lock, the doorbell is rung outside it and only when the
 * device asked for it (split: EVENT_IDX's avail_event, or NO_NOTIFY
 * without it; packed: the device's event suppression structure, its
 * flags ENABLE, or DESC with the slot and wrap counter the new
 * descriptors pass), and a thread waits for its completions on the
 * "interrupt" (signal_used) with interrupts enabled (split: used_event,
 * or no NO_INTERRUPT; packed: the driver's event suppression flags
 * ENABLE, or DESC at the next used slot), never by polling. Asserted,
 * beyond no crash:
 *  - no hang: every doorbell returns, and a driver thread waiting for
 *    its requests is woken within WAIT_MS (else a failure naming the
 *    queue and its ring indices, not a hang; a watchdog ends the test
 *    if a thread never comes back at all);
 *  - every used entry names a request posted on the queue since it was
 *    last enabled and not completed yet (nothing completes twice,
 *    nothing of an old ring lands in a new one), with status OK and the
 *    right used length; a request not completed when its queue or the
 *    device is reset is only given up;
 *  - a read returns what the last completed write to its block wrote
 *    (or, after a write lost to a reset, that or the lost one's), and
 *    at the end the file holds the same;
 *  - after every reset the queues are enabled again and serve.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blk-image.h"
#include "deadline.h"
#include "io-gate.h"
#include "log.h"
#include "tap.h"
#include "virtio-sim.h"
#include "virtio/blk.h"
#include "virtio/spec.h"

#define NQ		2	/* queues */
#define QSIZE		64	/* ring entries */
#define SLOTS		16	/* requests a queue, 3 descriptors each */
#define NDRV		3	/* driver threads: 0 and 1 on queue 0, 2 on 1 */
#define MAX_OUT		6	/* requests a thread has out at once */
#define BLOCK		4096
#define BLOCKS		16	/* blocks a thread owns (only it touches) */
#define CANDS		4	/* contents a block may hold after lost writes */
#define RUN_MS		200	/* each round */
#define WAIT_MS		5000	/* longest wait for a completion */
#define WATCHDOG_S	60

/* Packed: Q_DESC the ring, Q_AVAIL and Q_USED the driver's, device's events. */
#define Q_DESC(q)	(SIM_R0 + 0x1000ULL * (q))
#define Q_AVAIL(q)	(SIM_R0 + 0x4000 + 0x1000ULL * (q))
#define Q_USED(q)	(SIM_R0 + 0x8000 + 0x1000ULL * (q))
/* Packed: a ring position in [0, 2 * QSIZE), slot + (wrap 0 ? QSIZE : 0). */
#define PK_POS(i)	((u16)(i) % (2 * QSIZE))
#define PK_WRAP(i)	(PK_POS(i) < QSIZE)
#define HDR(q, s)	(SIM_R0 + 0xc000 + 16ULL * ((q) * SLOTS + (s)))
#define STATUS(q, s)	(SIM_R0 + 0xe000 + (q) * SLOTS + (s))
#define DATA(q, s)	(SIM_R0 + 0x10000 + (u64)BLOCK * ((q) * SLOTS + (s)))

enum slot_state { SLOT_FREE, SLOT_POSTED, SLOT_DONE, SLOT_LOST };
enum { CANARY_NONE, CANARY_STATUS, CANARY_DATA };
#define CANARY_BYTE	0xcc

struct slot {
	enum slot_state state;
	int owner;
	u32 type;
	u16 ndesc;		/* descriptors it takes */
	unsigned int block;	/* the owner's block index */
	u32 seed;		/* OUT: what it writes */
	u8 status;
	u32 len;
};

/*
 * The driver's side of one queue. Packed: avail_idx and last_used count
 * descriptors (the next to make available, the next to look at for a
 * used one), PK_POS() their ring positions; a request's buffer id is its
 * slot.
 */
struct dq {
	pthread_mutex_t lock;	/* the ring, the slots */
	u16 avail_idx, last_used, kick_old;
	struct slot slots[SLOTS];
	/*
	 * A request given up at a reset leaves canaries in what the device
	 * may write (its status byte; an IN's data): nothing may change
	 * them once the reset has returned. CANARY_*: which, till reused.
	 */
	u8 canary[SLOTS];
	/* The "interrupt": signal_used counts, waiters sleep on irq_cond. */
	pthread_mutex_t irq_lock;
	pthread_cond_t irq_cond;
	unsigned int irqs;	/* under irq_lock */
	unsigned int resets;	/* under lock: queue or device resets */
};

struct block {
	u32 cand[CANDS];	/* what it may hold; ncand 0: unknown */
	unsigned int ncand;
	bool busy;		/* a request of the owner on it */
};

struct drv {
	pthread_t thread;
	int id;
	unsigned int q;
	u32 rng;
	u32 next_seed;
	struct block blocks[BLOCKS];
	atomic_int phase;	/* what it does, for the watchdog */
	unsigned int done, lost, reads_checked;
};

enum { PH_IDLE, PH_POST, PH_KICK, PH_WAIT, PH_EXIT };
static const char *const phase_name[] = { "idle", "posting", "in its doorbell",
					  "waiting", "gone" };

static struct sim S;
static struct virtio_blk *blk;
static struct virtio_device *vdev;
static struct io_loop loop;
static struct dq dqs[NQ];
static struct drv drvs[NDRV];
static char path[64];
static u64 base_features;
static bool event_idx;		/* under every dq lock */
static bool packed;		/* the round's ring layout */
static atomic_int stop, failed;
/*
 * A round that aims at one window: requests one at a time (each runs
 * inline when its queue is idle), queue resets only, close together.
 */
static bool tight;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static char fail_msg[512];
static sem_t finished;
/* Counts for the diagnostics. */
static atomic_uint n_inline, n_qresets, n_dresets, n_holds, n_kicks, n_quiet;
static atomic_uint n_reset_in_kick;
static atomic_int kicks_now;	/* threads inside their doorbell */
static __thread bool in_kick;

static __printf(1, 2) void fail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fail_lock);
	if (!atomic_load(&failed)) {
		va_start(ap, fmt);
		vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
		va_end(ap);
	}
	atomic_store(&failed, 1);
	atomic_store(&stop, 1);
	pthread_mutex_unlock(&fail_lock);
}

static u32 rnd(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Block contents for seed (0: the zeroes the image starts with). */
static void pattern(u8 *p, u32 seed)
{
	u32 x = seed * 2654435761U + 1, i;

	if (!seed) {
		memset(p, 0, BLOCK);
		return;
	}
	for (i = 0; i < BLOCK; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		memcpy(p + i, &x, 4);
	}
}

static bool matches(const u8 *p, u32 seed)
{
	u8 want[BLOCK];

	pattern(want, seed);
	return !memcmp(p, want, BLOCK);
}

static u64 block_sector(const struct drv *d, unsigned int b)
{
	return ((u64)d->id * BLOCKS + b) * (BLOCK / 512);
}

/* Signal_used: the interrupt, from whatever thread completes. */
static void t_signal_used(struct virtio_device *v, struct virtq *vq)
{
	struct dq *d = &dqs[vq->index];

	if (in_kick)
		atomic_fetch_add(&n_inline, 1);
	pthread_mutex_lock(&d->irq_lock);
	d->irqs++;
	pthread_cond_broadcast(&d->irq_cond);
	pthread_mutex_unlock(&d->irq_lock);
}

/* No config interrupt: the device's config never changes here. */
static const struct virtio_transport_ops t_transport = {
	.name = "race",
	.signal_used = t_signal_used,
};

static void irq_wake(struct dq *d)
{
	pthread_mutex_lock(&d->irq_lock);
	d->irqs++;
	pthread_cond_broadcast(&d->irq_cond);
	pthread_mutex_unlock(&d->irq_lock);
}

/* The ring's words the device writes or reads as the driver runs. */
static u16 ring_ld16(u64 gpa)
{
	return le16toh(__atomic_load_n((u16 *)sim_hva(&S, gpa),
				       __ATOMIC_ACQUIRE));
}

static void ring_st16(u64 gpa, u16 v)
{
	__atomic_store_n((u16 *)sim_hva(&S, gpa), htole16(v),
			 __ATOMIC_RELEASE);
}

static u16 avail_event(unsigned int q)
{
	return ring_ld16(Q_USED(q) + 4 + 8 * QSIZE);
}

/*
 * A used entry naming id (split: a head, 3 * slot; packed: a buffer id,
 * the slot): take its request's status and length.
 */
static bool used_entry(unsigned int q, u16 at, u32 id, u32 len)
{
	u32 s = packed ? id : id % 3 ? SLOTS : id / 3;
	struct slot *sl = &dqs[q].slots[s % SLOTS];

	if (s >= SLOTS || sl->state != SLOT_POSTED) {
		fail("queue %u: used entry %u names %s %u, which is not a request out on this ring (completed twice, or one of a ring reset since)",
		     q, at, packed ? "buffer id" : "head", id);
		return false;
	}
	sl->status = *(u8 *)sim_hva(&S, STATUS(q, s));
	sl->len = len;
	sl->state = SLOT_DONE;
	return true;
}

/*
 * Packed: the used descriptors from d->last_used on, each at the slot
 * after the previous one's chain, its AVAIL and USED bits both the wrap
 * counter's there.
 */
static void dq_reap_packed(unsigned int q)
{
	struct dq *d = &dqs[q];

	for (;;) {
		u16 at = d->last_used, f, id;
		u64 g = Q_DESC(q) + 16 * (at % QSIZE);
		bool wrap = PK_WRAP(at);

		f = ring_ld16(g + 14);
		if (!!(f & VIRTQ_DESC_F_AVAIL) != wrap ||
		    !!(f & VIRTQ_DESC_F_USED) != wrap)
			return;
		if (at == d->avail_idx) {
			fail("queue %u: a used descriptor at ring slot %u (wrap %u), which the driver has not made available",
			     q, at % QSIZE, wrap);
			return;
		}
		id = sim_r16(&S, g + 12);
		if (!used_entry(q, at, id, sim_r32(&S, g + 8)))
			return;
		d->last_used += d->slots[id].ndesc;
	}
}

/*
 * The used entries the device added, under d->lock: each must name a
 * request posted on this ring and not completed yet.
 */
static void dq_reap(unsigned int q)
{
	struct dq *d = &dqs[q];
	u16 idx;

	if (packed) {
		dq_reap_packed(q);
		return;
	}
	idx = ring_ld16(Q_USED(q) + 2);

	if ((u16)(idx - d->last_used) > QSIZE) {
		fail("queue %u: used idx %u is %u ahead of the driver's %u",
		     q, idx, (u16)(idx - d->last_used), d->last_used);
		return;
	}
	while (d->last_used != idx) {
		u64 e = Q_USED(q) + 4 + 8 * (d->last_used % QSIZE);
		u32 id = sim_r32(&S, e), len = sim_r32(&S, e + 4);

		d->last_used++;
		if (!used_entry(q, d->last_used - 1, id, len))
			return;
	}
}

/*
 * Interrupts on for what comes next (split: used_event at what the
 * driver has seen, NO_INTERRUPT never set; packed: the driver's event
 * suppression at the next used slot and its wrap counter, flags DESC,
 * or ENABLE without EVENT_IDX), then one more look, as Linux's
 * virtqueue_enable_cb() does. d->lock held.
 */
static void dq_enable_cb(unsigned int q)
{
	u16 at = dqs[q].last_used;

	if (packed && event_idx) {
		ring_st16(Q_AVAIL(q), at % QSIZE |
			  PK_WRAP(at) << VIRTQ_EVENT_WRAP_SHIFT);
		ring_st16(Q_AVAIL(q) + 2, VIRTQ_EVENT_F_DESC);
	} else if (packed) {
		ring_st16(Q_AVAIL(q) + 2, VIRTQ_EVENT_F_ENABLE);
	} else if (event_idx) {
		ring_st16(Q_AVAIL(q) + 4 + 2 * QSIZE, at);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	dq_reap(q);
}

/* The ring areas zeroed, the driver's indices at 0. d->lock held. */
static void dq_ring_clear(unsigned int q)
{
	struct dq *d = &dqs[q];

	memset(sim_hva(&S, Q_DESC(q)), 0, 0x1000);
	memset(sim_hva(&S, Q_AVAIL(q)), 0, 0x1000);
	memset(sim_hva(&S, Q_USED(q)), 0, 0x1000);
	d->avail_idx = d->last_used = d->kick_old = 0;
}

/*
 * After a reset: what the device did not complete is given up, its
 * buffers filled with canaries.
 */
static void dq_give_up(unsigned int q)
{
	struct dq *d = &dqs[q];
	unsigned int s;

	for (s = 0; s < SLOTS; s++) {
		if (d->slots[s].state != SLOT_POSTED)
			continue;
		d->slots[s].state = SLOT_LOST;
		*(u8 *)sim_hva(&S, STATUS(q, s)) = CANARY_BYTE;
		d->canary[s] = CANARY_STATUS;
		if (d->slots[s].type == VIRTIO_BLK_T_IN) {
			memset(sim_hva(&S, DATA(q, s)), CANARY_BYTE, BLOCK);
			d->canary[s] = CANARY_DATA;
		}
	}
	d->resets++;
}

/* Slot s's canaries, if any, intact (d->lock held); then none. */
static void canary_check(unsigned int q, unsigned int s)
{
	struct dq *d = &dqs[q];
	const u8 *p = sim_hva(&S, DATA(q, s));
	bool data = false, status;
	unsigned int i;

	if (d->canary[s] == CANARY_NONE)
		return;
	status = *(u8 *)sim_hva(&S, STATUS(q, s)) != CANARY_BYTE;
	for (i = 0; d->canary[s] == CANARY_DATA && i < BLOCK; i++)
		data = data || p[i] != CANARY_BYTE;
	if (status || data)
		fail("queue %u: the device wrote the %s of a request (slot %u) after the reset that gave it up had returned",
		     q, data ? "data" : "status byte", s);
	d->canary[s] = CANARY_NONE;
}

static void queue_setup(unsigned int q)
{
	virtio_queue_set_size(vdev, q, QSIZE);
	virtio_queue_set_addr(vdev, q, VIRTIO_AREA_DESC, Q_DESC(q));
	virtio_queue_set_addr(vdev, q, VIRTIO_AREA_DRIVER, Q_AVAIL(q));
	virtio_queue_set_addr(vdev, q, VIRTIO_AREA_DEVICE, Q_USED(q));
	virtio_queue_set_ready(vdev, q, true);
	if (!virtio_queue_get_ready(vdev, q))
		fail("queue %u not ready after it was enabled again", q);
}

/* Probe: features (EVENT_IDX as `ev` says), both queues, DRIVER_OK. */
static void device_up(bool ev)
{
	u64 f = base_features;
	unsigned int q;
	u8 st;

	if (ev)
		f |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	if (packed)
		f |= VIRTIO_BIT(VIRTIO_F_RING_PACKED);
	event_idx = ev;
	st = vdrv_negotiate(vdev, f);
	for (q = 0; q < NQ; q++)
		queue_setup(q);
	virtio_set_status(vdev, st | VIRTIO_STATUS_DRIVER_OK);
	if (!(virtio_get_status(vdev) & VIRTIO_STATUS_DRIVER_OK))
		fail("device not running after its probe");
}

/*
 * Descriptor i of slot s's request. Split: descriptor 3 * s + i of the
 * table, chained to the next. Packed: the ring slot after the previous
 * one's, buffer id s, AVAIL and USED bits for the driver's wrap counter;
 * the head's flags are written last (post_publish()): till then the
 * head's slot holds what the device cannot take for available (zeroes,
 * or a used descriptor of the previous pass).
 */
static void post_desc(unsigned int q, unsigned int s, unsigned int i,
		      bool last, u64 addr, u32 len, u16 flags)
{
	u16 at = dqs[q].avail_idx + i;
	u64 g = Q_DESC(q) + 16 * (at % QSIZE);

	if (!last)
		flags |= VIRTQ_DESC_F_NEXT;
	if (!packed) {
		sim_split_desc(&S, Q_DESC(q), 3 * s + i, addr, len, flags,
			       3 * s + i + 1);
		return;
	}
	flags |= PK_WRAP(at) ? VIRTQ_DESC_F_AVAIL : VIRTQ_DESC_F_USED;
	sim_w64(&S, g, addr);
	sim_w32(&S, g + 8, len);
	sim_w16(&S, g + 12, s);
	if (i)
		sim_w16(&S, g + 14, flags);
}

/* The request in slot s, its n descriptors written, made available. */
static void post_publish(unsigned int q, unsigned int s, u16 n)
{
	struct dq *d = &dqs[q];
	u16 head = d->avail_idx;

	if (!packed) {
		sim_w16(&S, Q_AVAIL(q) + 4 + 2 * (head % QSIZE), 3 * s);
		d->avail_idx++;
		return;
	}
	if ((u16)(head + n - d->last_used) > QSIZE)
		fail("queue %u: more descriptors out than the ring holds", q);
	d->slots[s].ndesc = n;
	/* The header: NEXT, never WRITE. */
	ring_st16(Q_DESC(q) + 16 * (head % QSIZE) + 14, VIRTQ_DESC_F_NEXT |
		  (PK_WRAP(head) ? VIRTQ_DESC_F_AVAIL : VIRTQ_DESC_F_USED));
	d->avail_idx += n;
}

/*
 * Post a request in slot s (under d->lock): header, data, status. OUT
 * and IN carry one block of the owner's, FLUSH none.
 */
static void post(struct drv *dv, unsigned int s, u32 type, unsigned int b)
{
	unsigned int q = dv->q;
	struct dq *d = &dqs[q];
	struct slot *sl = &d->slots[s];
	u64 sector = type == VIRTIO_BLK_T_FLUSH ? 0 : block_sector(dv, b);
	u32 hdr[4] = { htole32(type), 0, htole32((u32)sector),
		       htole32(sector >> 32) };
	u16 n = type == VIRTIO_BLK_T_FLUSH ? 2 : 3;

	canary_check(q, s);
	*sl = (struct slot){ .state = SLOT_POSTED, .owner = dv->id,
			     .type = type, .block = b };
	memcpy(sim_hva(&S, HDR(q, s)), hdr, 16);
	*(u8 *)sim_hva(&S, STATUS(q, s)) = 0xee;
	post_desc(q, s, 0, false, HDR(q, s), 16, 0);
	if (type != VIRTIO_BLK_T_FLUSH) {
		if (type == VIRTIO_BLK_T_OUT) {
			sl->seed = ++dv->next_seed;
			pattern(sim_hva(&S, DATA(q, s)), sl->seed);
		} else {
			memset(sim_hva(&S, DATA(q, s)), 0x5a, BLOCK);
		}
		post_desc(q, s, 1, false, DATA(q, s), BLOCK,
			  type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0);
		dv->blocks[b].busy = true;
	}
	post_desc(q, s, n - 1, true, STATUS(q, s), 1, VIRTQ_DESC_F_WRITE);
	post_publish(q, s, n);
}

/*
 * Packed: whether the device's event suppression structure asks for a
 * notification for the descriptors in [old, new): flags ENABLE, or DESC
 * (only with EVENT_IDX) at a ring position among them.
 */
static bool packed_need_kick(unsigned int q, u16 old, u16 new)
{
	u16 flags = ring_ld16(Q_USED(q) + 2), off_wrap, event;

	if (flags == VIRTQ_EVENT_F_ENABLE)
		return true;
	if (flags == VIRTQ_EVENT_F_DISABLE)
		return false;
	if (flags != VIRTQ_EVENT_F_DESC || !event_idx) {
		fail("queue %u: device event suppression flags %#x with EVENT_IDX %s",
		     q, flags, event_idx ? "on" : "off");
		return true;
	}
	off_wrap = ring_ld16(Q_USED(q));
	event = (off_wrap & 0x7fff) % QSIZE +
		(off_wrap >> VIRTQ_EVENT_WRAP_SHIFT ? 0 : QSIZE);
	return PK_POS(event - old) < PK_POS(new - old);
}

/*
 * Publish the new avail idx and say whether the device wants a
 * notification for it (Linux's virtqueue_kick_prepare()). d->lock held.
 */
static bool kick_prepare(unsigned int q)
{
	struct dq *d = &dqs[q];
	u16 old = d->kick_old, new = d->avail_idx;
	bool need;

	if (!packed)
		ring_st16(Q_AVAIL(q) + 2, new);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (packed)
		need = packed_need_kick(q, old, new);
	else if (event_idx)
		need = virtq_need_event(avail_event(q), new, old);
	else
		need = !(ring_ld16(Q_USED(q)) & VIRTQ_USED_F_NO_NOTIFY);
	d->kick_old = new;
	return need;
}

/* A finished or given-up request of the owner's: check it, free it. */
static void retire(struct drv *dv, unsigned int s)
{
	unsigned int q = dv->q;
	struct slot *sl = &dqs[q].slots[s];
	struct block *bk = &dv->blocks[sl->block];
	unsigned int i;

	if (sl->state == SLOT_LOST) {
		dv->lost++;
		if (sl->type == VIRTIO_BLK_T_OUT) {
			/* It may or may not have reached the file. */
			if (bk->ncand && bk->ncand < CANDS)
				bk->cand[bk->ncand++] = sl->seed;
			else
				bk->ncand = 0;
		}
		goto free;
	}
	dv->done++;
	if (sl->status != VIRTIO_BLK_S_OK ||
	    sl->len != (sl->type == VIRTIO_BLK_T_IN ? BLOCK + 1 : 1)) {
		fail("queue %u: request type %u completed with status %u, used length %u",
		     q, sl->type, sl->status, sl->len);
		goto free;
	}
	if (sl->type == VIRTIO_BLK_T_OUT) {
		bk->cand[0] = sl->seed;
		bk->ncand = 1;
	} else if (sl->type == VIRTIO_BLK_T_IN && bk->ncand) {
		const u8 *p = sim_hva(&S, DATA(q, s));

		for (i = 0; i < bk->ncand; i++)
			if (matches(p, bk->cand[i]))
				break;
		if (i == bk->ncand) {
			fail("thread %d: block %u (sector %llu) read back holds none of the %u contents written to it (first expected seed %u)",
			     dv->id, sl->block,
			     (unsigned long long)block_sector(dv, sl->block),
			     bk->ncand, bk->cand[0]);
			goto free;
		}
		bk->cand[0] = bk->cand[i];
		bk->ncand = 1;
		dv->reads_checked++;
	}
free:
	if (sl->type != VIRTIO_BLK_T_FLUSH)
		bk->busy = false;
	sl->state = SLOT_FREE;
}

/* How many of the owner's are out; retires the finished ones. */
static unsigned int collect(struct drv *dv)
{
	struct dq *d = &dqs[dv->q];
	unsigned int s, out = 0;

	for (s = 0; s < SLOTS; s++) {
		struct slot *sl = &d->slots[s];

		if (sl->owner != dv->id || sl->state == SLOT_FREE)
			continue;
		if (sl->state == SLOT_POSTED)
			out++;
		else
			retire(dv, s);
	}
	return out;
}

/* The failure for a driver that waited WAIT_MS: where its queue stands. */
static void fail_stuck(struct drv *dv, unsigned int out)
{
	unsigned int q = dv->q;
	struct dq *d = &dqs[q];

	if (packed) {
		fail("queue %u (packed, EVENT_IDX %s): thread %d waited %u ms for %u of its requests with interrupts on; driver's next descriptor %u, next used %u, device event flags %#x off_wrap %#x, driver event flags %#x off_wrap %#x: the device stopped short of the ring's end without coming back or asking for a notification",
		     q, event_idx ? "on" : "off", dv->id, WAIT_MS, out,
		     d->avail_idx, d->last_used, ring_ld16(Q_USED(q) + 2),
		     ring_ld16(Q_USED(q)), ring_ld16(Q_AVAIL(q) + 2),
		     ring_ld16(Q_AVAIL(q)));
		return;
	}
	fail("queue %u (EVENT_IDX %s): thread %d waited %u ms for %u of its requests with interrupts on; driver avail idx %u, used idx %u (seen %u), avail_event %u, used flags 0x%x: the device stopped short of the ring's end without coming back or asking for a notification",
	     q, event_idx ? "on" : "off", dv->id, WAIT_MS, out, d->avail_idx,
	     ring_ld16(Q_USED(q) + 2), d->last_used, avail_event(q),
	     ring_ld16(Q_USED(q)));
}

/*
 * Until every request of the owner's is done or given up, woken by the
 * interrupt (or a reset's irq_wake()); WAIT_MS without one of them
 * finishing, and no reset, is a failure.
 */
static void wait_all(struct drv *dv)
{
	struct dq *d = &dqs[dv->q];
	unsigned int last_out = ~0U, last_resets = 0;
	u64 t0 = mono_now_ms();

	atomic_store(&dv->phase, PH_WAIT);
	for (;;) {
		unsigned int irqs, out, resets;
		struct timespec ts;
		int ret = 0;

		pthread_mutex_lock(&d->lock);
		dq_reap(dv->q);
		dq_enable_cb(dv->q);
		out = collect(dv);
		resets = d->resets;
		if (out && out == last_out && resets == last_resets &&
		    mono_now_ms() - t0 > WAIT_MS)
			fail_stuck(dv, out);
		pthread_mutex_unlock(&d->lock);
		if (!out || atomic_load(&failed))
			return;
		if (out != last_out || resets != last_resets) {
			last_out = out;
			last_resets = resets;
			t0 = mono_now_ms();
		}
		pthread_mutex_lock(&d->irq_lock);
		irqs = d->irqs;
		deadline_in_ms(&ts, 50);
		while (d->irqs == irqs && ret != ETIMEDOUT)
			ret = pthread_cond_timedwait(&d->irq_cond,
						     &d->irq_lock, &ts);
		pthread_mutex_unlock(&d->irq_lock);
	}
}

static void *drv_thread(void *arg)
{
	struct drv *dv = arg;
	struct dq *d = &dqs[dv->q];

	while (!atomic_load(&stop)) {
		unsigned int want = 1, n = 0, s;
		bool kick;

		/* One at a time mostly (inline), a batch at times. */
		if (!tight && rnd(&dv->rng) % 3 == 0)
			want = 2 + rnd(&dv->rng) % (MAX_OUT - 1);
		atomic_store(&dv->phase, PH_POST);
		pthread_mutex_lock(&d->lock);
		for (s = 0; s < SLOTS && n < want; s++) {
			unsigned int b = rnd(&dv->rng) % BLOCKS, r;
			u32 type;

			if (d->slots[s].state != SLOT_FREE)
				continue;
			r = rnd(&dv->rng) % 20;
			type = r < 9 ? VIRTIO_BLK_T_OUT :
			       r < 17 ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_FLUSH;
			if (type != VIRTIO_BLK_T_FLUSH && dv->blocks[b].busy)
				continue;
			post(dv, s, type, b);
			n++;
		}
		kick = n && kick_prepare(dv->q);
		pthread_mutex_unlock(&d->lock);
		if (n && !kick)
			atomic_fetch_add(&n_quiet, 1);
		if (kick) {
			/* The trapped doorbell write: on this "vCPU". */
			atomic_store(&dv->phase, PH_KICK);
			atomic_fetch_add(&kicks_now, 1);
			in_kick = true;
			virtio_queue_notify(vdev, dv->q);
			in_kick = false;
			atomic_fetch_sub(&kicks_now, 1);
			atomic_fetch_add(&n_kicks, 1);
		}
		wait_all(dv);
	}
	atomic_store(&dv->phase, PH_EXIT);
	sem_post(&finished);
	return NULL;
}

static void lock_all(void)
{
	unsigned int q;

	for (q = 0; q < NQ; q++)
		pthread_mutex_lock(&dqs[q].lock);
}

static void unlock_all(void)
{
	unsigned int q;

	for (q = 0; q < NQ; q++) {
		pthread_mutex_unlock(&dqs[q].lock);
		irq_wake(&dqs[q]);
	}
}

/* QueueReady=0 on q (its driver lock held), then the ring anew. */
static void queue_reset(unsigned int q)
{
	pthread_mutex_lock(&dqs[q].lock);
	if (atomic_load(&kicks_now))
		atomic_fetch_add(&n_reset_in_kick, 1);
	virtio_queue_set_ready(vdev, q, false);
	if (virtio_queue_get_ready(vdev, q))
		fail("queue %u still ready after its reset", q);
	/* What it completed before the reset is done. */
	dq_reap(q);
	dq_give_up(q);
	dq_ring_clear(q);
	queue_setup(q);
	pthread_mutex_unlock(&dqs[q].lock);
	irq_wake(&dqs[q]);
	atomic_fetch_add(&n_qresets, 1);
}

static void device_reset(bool ev)
{
	unsigned int q;

	lock_all();
	if (atomic_load(&kicks_now))
		atomic_fetch_add(&n_reset_in_kick, 1);
	virtio_set_status(vdev, 0);
	if (virtio_get_status(vdev))
		fail("device status %#x after its reset",
		     virtio_get_status(vdev));
	for (q = 0; q < NQ; q++) {
		dq_reap(q);
		dq_give_up(q);
		dq_ring_clear(q);
	}
	device_up(ev);
	unlock_all();
	atomic_fetch_add(&n_dresets, 1);
}

static void pause_us(u32 us)
{
	struct timespec ts = { .tv_nsec = (long)us * 1000 };

	nanosleep(&ts, NULL);
}

/* The other "vCPU": resets at random points, holds the I/O thread. */
static void *reset_thread(void *arg)
{
	struct io_gate *gate = arg;
	u32 rng = 0x2545f491;

	while (!atomic_load(&stop)) {
		u32 r;

		pause_us(rnd(&rng) % (tight ? 100 : 1500));
		if (atomic_load(&stop))
			break;
		r = tight ? 0 : rnd(&rng) % 10;
		if (r < 5) {
			queue_reset(rnd(&rng) % NQ);
		} else if (r < 7) {
			device_reset(rnd(&rng) & 1);
		} else {
			if (!io_gate_hold(gate)) {
				fail("the I/O thread did not come to the gate in %d s",
				     SEM_WAIT_LONG_S);
				break;
			}
			pause_us(rnd(&rng) % 500);
			io_gate_release(gate);
			atomic_fetch_add(&n_holds, 1);
		}
	}
	sem_post(&finished);
	return NULL;
}

/* Every thread back within WATCHDOG_S, or the test ends here. */
static void wait_finished(unsigned int n)
{
	struct timespec ts;
	unsigned int i;
	int t;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WATCHDOG_S;
	for (i = 0; i < n; i++) {
		while (sem_timedwait(&finished, &ts))
			if (errno != EINTR)
				goto hung;
	}
	return;
hung:
	printf("not ok %d - a thread did not come back within %d s:",
	       tap_count + 1, WATCHDOG_S);
	for (t = 0; t < NDRV; t++)
		printf(" driver %d %s;", t,
		       phase_name[atomic_load(&drvs[t].phase)]);
	printf(" the device hangs\n1..%d\n", tap_count + 1);
	fflush(stdout);
	_exit(1);
}

/* The file holds what the model says each block holds. */
static bool file_matches(char *why, size_t len)
{
	u8 buf[BLOCK];
	int fd = open(path, O_RDONLY), t;
	unsigned int b, i;
	bool good = fd >= 0;

	for (t = 0; good && t < NDRV; t++) {
		for (b = 0; good && b < BLOCKS; b++) {
			struct block *bk = &drvs[t].blocks[b];
			off_t off = block_sector(&drvs[t], b) * 512;

			if (!bk->ncand)
				continue;
			if (pread(fd, buf, BLOCK, off) != BLOCK) {
				snprintf(why, len, "cannot read the image");
				good = false;
				break;
			}
			for (i = 0; i < bk->ncand; i++)
				if (matches(buf, bk->cand[i]))
					break;
			if (i == bk->ncand) {
				snprintf(why, len, "block at %lld holds none of the %u contents written",
					 (long long)off, bk->ncand);
				good = false;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	return good;
}

/* After the storm: each queue serves a read and a write, on the vCPU. */
static bool queues_serve(void)
{
	unsigned int q;

	for (q = 0; q < NQ; q++) {
		struct drv *dv = &drvs[q ? 2 : 0];
		struct dq *d = &dqs[q];
		unsigned int i;

		for (i = 0; i < 2; i++) {
			bool kick;

			pthread_mutex_lock(&d->lock);
			post(dv, 0, i ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT, 0);
			kick = kick_prepare(q);
			pthread_mutex_unlock(&d->lock);
			if (kick)
				virtio_queue_notify(vdev, q);
			wait_all(dv);
			if (atomic_load(&failed))
				return false;
		}
	}
	return true;
}

/*
 * io=auto's clock in the fourth round: each reading moves it on by 0 or
 * 2 ms at random, so that requests are over the budget about every other
 * time, and about one in 16 by 2 s, past the longest backoff, so that
 * lone requests keep coming back to the vCPUs.
 */
static u64 race_clock(void)
{
	static atomic_ullong now, n;
	u64 x = atomic_fetch_add(&n, 1) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 29;
	return atomic_fetch_add(&now, (x & 1) * 2000000ULL +
				      !(x >> 40 & 15) * 2000000000ULL) + 1;
}

/* What a round does, beyond its engine and polling. */
#define R_EV		1	/* EVENT_IDX at first */
#define R_AIM		2	/* lone requests, queue resets close together */
#define R_AUTO		4	/* io=auto */
#define R_PACKED	8	/* packed virtqueues */

static void round_run(enum disk_engine_kind kind, u32 poll_ns,
		      unsigned int how)
{
	bool ev = how & R_EV, aim = how & R_AIM, aut = how & R_AUTO;
	struct virtio_blk_options o = {
		.path = path, .engine = kind, .loop = &loop, .num_queues = NQ,
		.queue_size = QSIZE, .vcpu_io = true,
		.vcpu_io_budget_us = aut ? VIRTIO_BLK_AUTO_BUDGET_US : 0,
		.clock_ns = race_clock,
	};
	static const u8 zero[BLOCK];
	char err[256] = "", why[160] = "", tag[96];
	struct io_gate gate;
	pthread_t rt;
	unsigned int i, q, done = 0, lost = 0, reads = 0;
	const char *en;
	bool good;
	int fd;
	u64 f;

	fd = open(path, O_WRONLY);
	for (i = 0; fd >= 0 && i < NDRV * BLOCKS; i++)
		if (pwrite(fd, zero, BLOCK, (off_t)i * BLOCK) != BLOCK)
			break;
	if (fd >= 0)
		close(fd);
	if (fd < 0 || i < NDRV * BLOCKS) {
		ok(0, "image zeroed");
		return;
	}
	/* Set while the I/O thread does not run: it reads it unlocked. */
	if (io_loop_stop(&loop))
		ok(0, "the I/O loop stopped");
	io_loop_set_poll(&loop, poll_ns);
	if (io_loop_start(&loop))
		ok(0, "the I/O loop started again");
	blk = NULL;
	if (virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
		ok(0, "create: %s", err);
		return;
	}
	en = virtio_blk_engine_name(blk);
	snprintf(tag, sizeof(tag), "[%s, %s, polling %s%s%s]", en,
		 how & R_PACKED ? "packed" : "split", poll_ns ? "on" : "off",
		 aim ? ", lone requests, queue resets close together" : "",
		 aut ? ", io=auto" : "");
	vdev = virtio_blk_vdev(blk);
	virtio_device_set_transport(vdev, &t_transport, NULL);
	f = (u64)virtio_get_device_features(vdev, 1) << 32 |
	    virtio_get_device_features(vdev, 0);
	base_features = (f & (VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
			      VIRTIO_BIT(VIRTIO_BLK_F_MQ))) |
			VIRTIO_BIT(VIRTIO_F_VERSION_1);
	packed = how & R_PACKED;
	if (packed && !(f & VIRTIO_BIT(VIRTIO_F_RING_PACKED))) {
		ok(0, "%s the device offers RING_PACKED", tag);
		goto out;
	}
	atomic_store(&stop, 0);
	atomic_store(&failed, 0);
	tight = aim;
	for (q = 0; q < NQ; q++) {
		memset(dqs[q].slots, 0, sizeof(dqs[q].slots));
		memset(dqs[q].canary, 0, sizeof(dqs[q].canary));
		dqs[q].resets = 0;
		dq_ring_clear(q);
	}
	device_up(ev);
	for (i = 0; i < NDRV; i++) {
		drvs[i] = (struct drv){ .id = i, .q = i < 2 ? 0 : 1,
					.rng = 0x9e3779b9 * (i + 1) };
		drvs[i].next_seed = (i + 1) << 24;
		for (q = 0; q < BLOCKS; q++)
			drvs[i].blocks[q].ncand = 1;	/* zeroes */
	}
	if (!io_gate_init(&gate) ||
	    io_loop_add(&loop, &gate.h, IO_GATE_EVENTS)) {
		ok(0, "the gate on the I/O loop");
		io_gate_fini(&gate);
		goto out;
	}
	for (i = 0; i < NDRV; i++)
		if (pthread_create(&drvs[i].thread, NULL, drv_thread,
				   &drvs[i]))
			abort();
	if (pthread_create(&rt, NULL, reset_thread, &gate))
		abort();
	for (i = 0; i < RUN_MS / 10 && !atomic_load(&failed); i++)
		pause_us(10000);
	atomic_store(&stop, 1);
	wait_finished(NDRV + 1);
	for (i = 0; i < NDRV; i++)
		pthread_join(drvs[i].thread, NULL);
	pthread_join(rt, NULL);
	if (io_loop_del(&loop, &gate.h))
		ok(0, "the gate left the I/O loop");
	io_gate_fini(&gate);
	for (q = 0; q < NQ; q++) {
		pthread_mutex_lock(&dqs[q].lock);
		for (i = 0; i < SLOTS; i++)
			canary_check(q, i);
		pthread_mutex_unlock(&dqs[q].lock);
	}
	for (i = 0; i < NDRV; i++) {
		done += drvs[i].done;
		lost += drvs[i].lost;
		reads += drvs[i].reads_checked;
	}
	printf("# %s EVENT_IDX %s first: %u doorbells (%u left unrung as the device asked), %u completed (%u signalled inline on the doorbell's thread), %u reads checked, %u given up to %u queue and %u device resets (%u while a doorbell rang), %u holds of the I/O thread\n",
	       tag, ev ? "on" : "off",
	       atomic_load(&n_kicks), atomic_load(&n_quiet), done,
	       atomic_load(&n_inline), reads, lost,
	       atomic_load(&n_qresets), atomic_load(&n_dresets),
	       atomic_load(&n_reset_in_kick), atomic_load(&n_holds));
	ok(!atomic_load(&failed),
	   "%s 3 driver threads on 2 queues, resets%s from a 4th: %s",
	   tag, aim ? "" : " and held I/O thread", atomic_load(&failed) ? fail_msg :
	   "no hang, every used entry a live request's, completed once, OK");
	if (atomic_load(&failed))
		goto out;
	ok(done > 0 && atomic_load(&n_inline) > 0 &&
	   atomic_load(&n_qresets) + atomic_load(&n_dresets) > 0,
	   "%s requests completed, some inline, resets happened", tag);
	/* Run before ok()'s other arguments, which say why it failed. */
	good = queues_serve();
	ok(good,
	   "%s after the last reset both queues serve a write and a read%s%s",
	   tag, good ? "" : ": ", good ? "" : fail_msg);
	good = file_matches(why, sizeof(why));
	ok(good, "%s the image holds what the completed writes wrote%s%s",
	   tag, good ? "" : ": ", why);
out:
	io_loop_stop(&loop);
	virtio_blk_destroy(blk);
	if (io_loop_start(&loop))
		ok(0, "the I/O loop started again");
	atomic_store(&n_kicks, 0);
	atomic_store(&n_quiet, 0);
	atomic_store(&n_inline, 0);
	atomic_store(&n_qresets, 0);
	atomic_store(&n_dresets, 0);
	atomic_store(&n_reset_in_kick, 0);
	atomic_store(&n_holds, 0);
}

int main(void)
{
	pthread_condattr_t ca;
	unsigned int q, pk;
	bool uring;

	log_set_level(LOG_ERROR);
	if (!sim_setup(&S, 0, 64) ||
	    !blk_image_make(path, sizeof(path), "blkrace", SZ_1M))
		return 1;
	sem_init(&finished, 0, 0);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	for (q = 0; q < NQ; q++) {
		pthread_mutex_init(&dqs[q].lock, NULL);
		pthread_mutex_init(&dqs[q].irq_lock, NULL);
		pthread_cond_init(&dqs[q].irq_cond, &ca);
	}
	if (io_loop_init(&loop) || io_loop_start(&loop))
		return 1;
	uring = blk_uring_works(path, &loop);
	for (pk = 0; pk <= R_PACKED; pk += R_PACKED) {
		if (uring) {
			round_run(DISK_ENGINE_URING, 0, pk);
			round_run(DISK_ENGINE_URING, 50000, pk | R_EV);
			round_run(DISK_ENGINE_URING, 0, pk | R_EV | R_AIM);
			round_run(DISK_ENGINE_URING, 0, pk | R_EV | R_AUTO);
		} else {
			skip("io_uring unavailable here", "io_uring engine");
		}
		round_run(DISK_ENGINE_THREAD, 0, pk | R_EV);
		round_run(DISK_ENGINE_THREAD, 50000, pk);
		round_run(DISK_ENGINE_THREAD, 0, pk | R_AIM);
		round_run(DISK_ENGINE_THREAD, 0, pk | R_AUTO);
	}
	io_loop_destroy(&loop);
	unlink(path);
	sim_teardown(&S);
	return tap_done();
}
