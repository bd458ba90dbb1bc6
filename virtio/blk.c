// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk: parse requests popped from the queues, run them on a disk
 * engine, complete them with a status byte. Every guest-controlled value
 * (header, lengths, sectors, segments) is checked here; bad requests get
 * IOERR or UNSUPP and the device carries on.
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "deadline.h"
#include "disk.h"
#include "iov.h"
#include "log.h"
#include "queue-notifier.h"
#include "unaligned.h"
#include "virtio/blk.h"
#include "virtio/core.h"

struct blk_queue;

struct blk_req {
	struct disk_req dreq;
	struct virtq_chain chain;
	struct blk_queue *bq;
	u8 type;
	u32 data_len;		/* IN: bytes to report written */
	struct iovec *data;
	unsigned int data_cap;
	struct blk_req *next_free;
};

struct blk_queue {
	struct virtio_blk *blk;
	struct virtq *vq;
	struct blk_req *reqs;
	struct blk_req *free;	/* under vq->lock */
	/*
	 * Under vq->lock; written atomically, for blk_batch_done() looks
	 * without the lock first.
	 */
	bool need_signal;
	bool stopped;		/* under vq->lock */
	unsigned int in_flight;	/* under vq->lock: popped, not pushed */
	/* vcpu_io: the I/O thread's doorbell, rung by a vCPU (not KVM). */
	struct queue_notifier handoff;
	/*
	 * Requests running inline, under blk->inline_lock: a count, for two
	 * can overlap (blk_run_inline()).
	 */
	unsigned int inline_running;
	/*
	 * io=auto, under vq->lock, for data and for sync requests apart
	 * (blk_auto_class()): lone requests go to the I/O thread until
	 * off_until; backoff (ns) is 0 when the last on the vCPU was quick.
	 */
	struct {
		u64 off_until;
		u64 backoff;
	} aut[2];
};

struct virtio_blk {
	struct virtio_device vdev;
	struct disk *disk;
	struct disk_engine *engine;
	struct blk_queue *queues;
	unsigned int nr_queues;
	u16 queue_size;
	/*
	 * vcpu_io (vdev.notify_on_vcpu): a request that finds its queue idle
	 * runs at once on the thread that rang the doorbell (a vCPU: the
	 * transport takes no ioeventfd), counted in its queue's
	 * inline_running so that a reset waits for it.
	 */
	pthread_mutex_t inline_lock;
	pthread_cond_t inline_idle;
	u64 inline_budget_ns;	/* io=auto; 0: io=vcpu, no limit */
	u64 (*clock_ns)(void);
	u64 capacity;		/* sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	bool has_serial;
	u8 config[VIRTIO_BLK_CFG_LEN];
};

struct blk_hdr {
	le32 type;
	le32 reserved;
	le64 sector;
};

struct blk_seg {
	le64 sector;
	le32 num_sectors;
	le32 flags;
};

/* Status byte: the last byte of the chain's writable part. */
static void blk_set_status(struct blk_req *r, u8 status)
{
	const struct virtq_chain *c = &r->chain;
	const struct iovec *v;

	if (!c->nr_in)
		return;
	v = &c->iov[c->nr_out + c->nr_in - 1];
	if (v->iov_len)
		((u8 *)v->iov_base)[v->iov_len - 1] = status;
}

/*
 * Push with vq->lock held. A chain of a queue reset since it was popped
 * is refused by virtq_push() and only goes back to the free list.
 */
static void blk_push_locked(struct blk_queue *bq, struct blk_req *r,
			    u32 written)
{
	if (!bq->stopped && !virtq_push(bq->vq, &r->chain, written))
		__atomic_store_n(&bq->need_signal, true, __ATOMIC_RELAXED);
	r->next_free = bq->free;
	bq->free = r;
}

static void blk_req_done(struct disk_req *dreq)
{
	struct blk_req *r = container_of(dreq, struct blk_req, dreq);
	struct blk_queue *bq = r->bq;
	bool ok = dreq->result >= 0;
	u32 written = 1;

	if (ok && (dreq->op == DISK_OP_READ || dreq->op == DISK_OP_WRITE))
		ok = (u64)dreq->result == dreq->len;
	if (!ok)
		pr_warn_ratelimited("%s: %s at %llu: %s",
				    bq->blk->vdev.name,
				    dreq->op == DISK_OP_READ ? "read" :
				    dreq->op == DISK_OP_WRITE ? "write" :
				    dreq->op == DISK_OP_FLUSH ? "flush" :
				    "zero",
				    (unsigned long long)dreq->off,
				    dreq->result < 0 ?
					strerror(-dreq->result) : "short");
	if (ok && r->type == VIRTIO_BLK_T_IN)
		written += r->data_len;
	blk_set_status(r, ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
	disk_req_release(dreq);
	virtq_lock(bq->vq);
	bq->in_flight--;
	blk_push_locked(bq, r, written);
	virtq_unlock(bq->vq);
}

/* vq->lock held: the interrupt for what was pushed, if it is owed. */
static void blk_signal_locked(struct blk_queue *bq)
{
	if (bq->need_signal && !bq->stopped)
		virtio_queue_signal(bq->vq);
	__atomic_store_n(&bq->need_signal, false, __ATOMIC_RELAXED);
}

static void blk_batch_done(void *opaque)
{
	struct virtio_blk *blk = opaque;
	unsigned int i;

	for (i = 0; i < blk->nr_queues; i++) {
		struct blk_queue *bq = &blk->queues[i];

		if (!__atomic_load_n(&bq->need_signal, __ATOMIC_RELAXED))
			continue;
		virtq_lock(bq->vq);
		blk_signal_locked(bq);
		virtq_unlock(bq->vq);
	}
}

/*
 * Point r->data at [skip, skip + len) of the chain's iovecs from index
 * `first`. Returns the iovec count.
 */
static int blk_slice(struct blk_req *r, unsigned int first,
		     unsigned int count, u64 skip, u64 len)
{
	if (r->data_cap < count) {
		struct iovec *d = realloc(r->data, count * sizeof(*d));

		if (!d)
			return -ENOMEM;
		r->data = d;
		r->data_cap = count;
	}
	return iov_slice(r->chain.iov + first, count, skip, len, r->data,
			 count);
}

static bool blk_range_ok(struct virtio_blk *blk, u64 sector, u64 nsec)
{
	return sector <= blk->capacity && nsec <= blk->capacity - sector;
}

/*
 * Parse one request. Returns 1 if it went to the engine, else 0 with
 * *status (and *written) set for an immediate completion.
 */
static int blk_parse(struct virtio_blk *blk, struct blk_req *r, u8 *status,
		     u32 *written)
{
	struct virtq_chain *c = &r->chain;
	struct disk_req *d = &r->dreq;
	struct blk_hdr hdr;
	struct blk_seg seg;
	u64 sector, len, nsec;
	u32 type;
	int n;

	*written = 1;
	*status = VIRTIO_BLK_S_IOERR;
	if (c->out_len < sizeof(hdr) || c->in_len < 1) {
		pr_warn_ratelimited("%s: malformed request (%llu readable, %llu writable bytes)",
				    blk->vdev.name,
				    (unsigned long long)c->out_len,
				    (unsigned long long)c->in_len);
		if (c->in_len < 1)
			*written = 0;
		return 0;
	}
	virtq_chain_read(c, 0, &hdr, sizeof(hdr));
	type = le32toh(hdr.type);
	sector = le64toh(hdr.sector);
	r->type = type;
	memset(d, 0, sizeof(*d));
	d->done = blk_req_done;
	d->opaque = r;

	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (type == VIRTIO_BLK_T_IN) {
			len = c->in_len - 1;
			/* The used length (32 bits) must hold len + 1. */
			if (len > UINT32_MAX - 1) {
				pr_warn_ratelimited("%s: read of %llu bytes: more than a used length can report",
						    blk->vdev.name,
						    (unsigned long long)len);
				return 0;
			}
			n = blk_slice(r, c->nr_out, c->nr_in, 0, len);
		} else {
			if (blk->disk->readonly)
				return 0;
			len = c->out_len - sizeof(hdr);
			n = blk_slice(r, 0, c->nr_out, sizeof(hdr), len);
		}
		if (n < 0)
			return 0;
		if (len % DISK_SECTOR ||
		    !blk_range_ok(blk, sector, len / DISK_SECTOR)) {
			pr_warn_ratelimited("%s: bad %s: sector %llu, %llu bytes",
					    blk->vdev.name,
					    type ? "write" : "read",
					    (unsigned long long)sector,
					    (unsigned long long)len);
			return 0;
		}
		if (!len) {
			*status = VIRTIO_BLK_S_OK;
			return 0;
		}
		d->op = type == VIRTIO_BLK_T_IN ? DISK_OP_READ : DISK_OP_WRITE;
		d->off = sector * DISK_SECTOR;
		d->len = len;
		d->iov = r->data;
		d->iovcnt = n;
		d->dsync = !virtio_has_feature(&blk->vdev,
					       VIRTIO_BLK_F_FLUSH);
		r->data_len = len;
		/* A probed-raw image must not be turned into another format. */
		return disk_guard_write(blk->disk, d) ? 0 : 1;
	case VIRTIO_BLK_T_FLUSH:
		if (blk->disk->readonly) {
			*status = VIRTIO_BLK_S_OK;
			return 0;
		}
		d->op = DISK_OP_FLUSH;
		return 1;
	case VIRTIO_BLK_T_GET_ID:
		if (!blk->has_serial) {
			*status = VIRTIO_BLK_S_UNSUPP;
			return 0;
		}
		len = MIN(c->in_len - 1, (u64)VIRTIO_BLK_ID_BYTES);
		virtq_chain_write(c, 0, blk->serial, len);
		*written = len + 1;
		*status = VIRTIO_BLK_S_OK;
		return 0;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (!virtio_has_feature(&blk->vdev,
					type == VIRTIO_BLK_T_DISCARD ?
					VIRTIO_BLK_F_DISCARD :
					VIRTIO_BLK_F_WRITE_ZEROES)) {
			*status = VIRTIO_BLK_S_UNSUPP;
			return 0;
		}
		if (blk->disk->readonly)
			return 0;
		/* One segment per request (max_*_seg = 1). */
		if (c->out_len - sizeof(hdr) != sizeof(seg)) {
			pr_warn_ratelimited("%s: %llu bytes of discard/zeroes segments",
					    blk->vdev.name,
					    (unsigned long long)(c->out_len -
								 sizeof(hdr)));
			*status = VIRTIO_BLK_S_UNSUPP;
			return 0;
		}
		virtq_chain_read(c, sizeof(hdr), &seg, sizeof(seg));
		sector = le64toh(seg.sector);
		nsec = le32toh(seg.num_sectors);
		if ((type == VIRTIO_BLK_T_DISCARD && le32toh(seg.flags)) ||
		    (le32toh(seg.flags) & ~VIRTIO_BLK_WZ_F_UNMAP)) {
			*status = VIRTIO_BLK_S_UNSUPP;
			return 0;
		}
		if (nsec > VIRTIO_BLK_MAX_ZERO_SECTORS ||
		    !blk_range_ok(blk, sector, nsec))
			return 0;
		d->op = DISK_OP_ZERO;
		d->off = sector * DISK_SECTOR;
		d->len = nsec * DISK_SECTOR;
		d->unmap = type == VIRTIO_BLK_T_DISCARD ||
			   (le32toh(seg.flags) & VIRTIO_BLK_WZ_F_UNMAP);
		d->dsync = !virtio_has_feature(&blk->vdev,
					       VIRTIO_BLK_F_FLUSH);
		if (type == VIRTIO_BLK_T_DISCARD) {
			/* Advisory: only whole granules are given back. */
			u64 g = blk->disk->discard_granularity;
			u64 s = ALIGN_UP(d->off, g);
			u64 e = ALIGN_DOWN(d->off + d->len, g);

			if (e <= s) {
				*status = VIRTIO_BLK_S_OK;
				return 0;
			}
			d->off = s;
			d->len = e - s;
		}
		if (!d->len) {
			*status = VIRTIO_BLK_S_OK;
			return 0;
		}
		return 1;
	default:
		*status = VIRTIO_BLK_S_UNSUPP;
		return 0;
	}
}

static void blk_inline_mark(struct blk_queue *bq, bool running)
{
	struct virtio_blk *blk = bq->blk;

	pthread_mutex_lock(&blk->inline_lock);
	if (running)
		bq->inline_running++;
	else if (!--bq->inline_running)
		pthread_cond_broadcast(&blk->inline_idle);
	pthread_mutex_unlock(&blk->inline_lock);
}

static u64 blk_mono_ns(void)
{
	return mono_now_ns();
}

/*
 * io=auto keeps reads and writes (0) apart from flushes, discards and
 * zeroing (1): a sync that waits for the disk's cache, which takes
 * milliseconds on many disks, sends only the next syncs to the I/O
 * thread, not the quick writes between them.
 */
static unsigned int blk_auto_class(const struct blk_req *r)
{
	return r->type != VIRTIO_BLK_T_IN && r->type != VIRTIO_BLK_T_OUT &&
	       r->type != VIRTIO_BLK_T_GET_ID;
}

/*
 * io=auto, vq->lock held: may lone request r run on this vCPU? Not while
 * its queue backs off after one of its class that took longer than the
 * budget: a slow disk should not hold the guest's vCPU, which may have
 * other work.
 */
static bool blk_inline_ok(struct blk_queue *bq, const struct blk_req *r)
{
	struct virtio_blk *blk = bq->blk;

	return !blk->inline_budget_ns ||
	       blk->clock_ns() >= bq->aut[blk_auto_class(r)].off_until;
}

/*
 * io=auto, vq->lock held: a request of class c ran on the vCPU from
 * start to end. Over the budget: lone requests of its class go to the
 * I/O thread for the backoff, which doubles while the retries after it
 * are slow too; a quick one ends it. A heuristic: the time includes the
 * wait for the lock and any preemption of the thread, and another vCPU
 * may start a lone request inline while this one is still at the disk.
 * A request that never completes holds its vCPU all the same.
 */
static void blk_inline_timed(struct blk_queue *bq, unsigned int c,
			     u64 start, u64 end)
{
	u64 took = end > start ? end - start : 0;

	if (took <= bq->blk->inline_budget_ns) {
		bq->aut[c].backoff = 0;
		return;
	}
	bq->aut[c].backoff = bq->aut[c].backoff ?
			     MIN(bq->aut[c].backoff * 2,
				 VIRTIO_BLK_AUTO_BACKOFF_MAX_NS) :
			     VIRTIO_BLK_AUTO_BACKOFF_MIN_NS;
	bq->aut[c].off_until = end + bq->aut[c].backoff;
}

/*
 * vq->lock held: run r on this thread, without the lock so that the
 * queue's other users (its completions, another vCPU's doorbell) do not
 * wait for the disk, and signal its completion before the guest resumes.
 * A depth-1 guest then pays one wake-up a request (the disk's completion
 * waking this thread), as a program doing the I/O itself does, instead
 * of handing the request to the I/O thread and the completion back.
 *
 * Its completion (blk_req_done()) drops the lock before this takes it
 * again: another vCPU may find the queue idle in between and start its
 * own inline request before this one is unmarked, hence a count.
 */
static void blk_run_inline(struct blk_queue *bq, struct blk_req *r)
{
	struct virtio_blk *blk = bq->blk;
	u64 start = blk->inline_budget_ns ? blk->clock_ns() : 0;
	unsigned int class = blk_auto_class(r);	/* r is reused once done */
	sigset_t all, old;
	bool masked;

	/*
	 * No signal handler while the disk works: lkvm's kick of a vCPU
	 * (pause, stop) would make a flush or a zeroing fail with EINTR,
	 * which reads as a lost sync. The kick waits for the request.
	 */
	sigfillset(&all);
	masked = !pthread_sigmask(SIG_BLOCK, &all, &old);
	blk_inline_mark(bq, true);
	virtq_unlock(bq->vq);
	disk_req_execute(blk->disk, &r->dreq);
	blk_req_done(&r->dreq);
	virtq_lock(bq->vq);
	blk_signal_locked(bq);
	if (blk->inline_budget_ns)
		blk_inline_timed(bq, class, start, blk->clock_ns());
	blk_inline_mark(bq, false);
	if (masked && pthread_sigmask(SIG_SETMASK, &old, NULL))
		pr_warn_ratelimited("%s: cannot unblock signals after a request",
				    blk->vdev.name);
}

/*
 * Wait until no request runs inline on queue `only` (every queue: NULL)
 * and, with io=auto, forget its backoff (a reset driver starts afresh).
 * Called when the queue or every queue is stopped or retired, so no new
 * inline request can start on it meanwhile.
 */
static void blk_wait_inline(struct virtio_blk *blk, struct blk_queue *only)
{
	unsigned int i;

	pthread_mutex_lock(&blk->inline_lock);
	for (i = 0; i < blk->nr_queues; i++) {
		struct blk_queue *bq = &blk->queues[i];

		if (only && bq != only)
			continue;
		while (bq->inline_running)
			pthread_cond_wait(&blk->inline_idle,
					  &blk->inline_lock);
	}
	pthread_mutex_unlock(&blk->inline_lock);
	/* After the wait: a request timed itself before it was unmarked. */
	for (i = 0; i < blk->nr_queues; i++) {
		struct blk_queue *bq = &blk->queues[i];

		if (only && bq != only)
			continue;
		virtq_lock(bq->vq);
		memset(bq->aut, 0, sizeof(bq->aut));
		virtq_unlock(bq->vq);
	}
}

/* ... and no request is at the engine, which every queue shares. */
static void blk_drain(struct virtio_blk *blk, struct blk_queue *only)
{
	blk->engine->ops->drain(blk->engine);
	blk_wait_inline(blk, only);
}

/*
 * vq->lock held. On the I/O thread (its doorbell, or its polling of the
 * ring): pop everything and start it on the engine. With vcpu_io, on the
 * vCPU whose doorbell write exited to lkvm: a request that finds the
 * queue idle with nothing behind it runs right here (blk_run_inline()),
 * one a doorbell, so that another vCPU's requests cannot keep this one
 * from the guest (and from lkvm's stop); anything else is left to the
 * I/O thread, woken through the queue's own notifier (handoff), so that
 * a deep queue is served as without vcpu_io. With io=auto, a lone
 * request while its queue backs off (blk_inline_ok()) goes to the engine
 * from here, as the first of a deep queue does.
 */
static void blk_queue_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_blk *blk = vdev->priv;
	struct blk_queue *bq = &blk->queues[vq->index];
	bool queued = false, inline_done = false, ran = false;
	bool vcpu = vdev->notify_on_vcpu &&
		    !io_loop_on_thread(bq->handoff.loop);

	for (;;) {
		struct blk_req *r = bq->free;
		u8 status;
		u32 written;
		int ret;

		if (!r || bq->stopped || (vcpu && (bq->in_flight || ran)))
			break;
		ret = virtq_pop(vq, &r->chain);
		if (ret <= 0)
			break;
		bq->free = r->next_free;
		if (!blk_parse(blk, r, &status, &written)) {
			blk_set_status(r, status);
			blk_push_locked(bq, r, written);
			inline_done = true;
			continue;
		}
		bq->in_flight++;
		if (vcpu && !virtq_has_avail(vq) && blk_inline_ok(bq, r)) {
			blk_run_inline(bq, r);
			ran = true;
			continue;
		}
		blk->engine->ops->queue(blk->engine, &r->dreq);
		queued = true;
	}
	if (queued)
		blk->engine->ops->submit_batch(blk->engine);
	if (inline_done && !bq->stopped) {
		virtio_queue_signal(vq);
		__atomic_store_n(&bq->need_signal, false, __ATOMIC_RELAXED);
	}
	/*
	 * Stopped before the ring was empty, so no pop published where the
	 * driver should notify next: publish it, and if buffers are there
	 * (the driver will not notify for those), the I/O thread pops them.
	 */
	if (vcpu && !bq->stopped && virtq_rearm(vq) &&
	    eventfd_write(bq->handoff.handler.fd, 1))
		pr_warn_ratelimited("%s: queue %u: cannot wake the I/O thread: %s",
				    vdev->name, vq->index, strerror(errno));
}

static u64 blk_get_features(struct virtio_device *vdev)
{
	struct virtio_blk *blk = vdev->priv;
	u64 f = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
		VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
		VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
		VIRTIO_BIT(VIRTIO_BLK_F_MQ);

	if (blk->disk->readonly)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	else
		f |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) |
		     VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

static void blk_stop_queues(struct virtio_blk *blk, bool stop)
{
	unsigned int i;

	for (i = 0; i < blk->nr_queues; i++) {
		virtq_lock(blk->queues[i].vq);
		blk->queues[i].stopped = stop;
		virtq_unlock(blk->queues[i].vq);
	}
}

static int blk_activate(struct virtio_device *vdev)
{
	blk_stop_queues(vdev->priv, false);
	return 0;
}

/*
 * One queue is reset: the core has retired it, so its requests still in
 * the engine complete into nothing. The engine is shared by every queue:
 * wait for all of it, so that none of them touches the old chains after
 * this returns.
 */
static void blk_queue_reset(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_blk *blk = vdev->priv;

	blk_drain(blk, &blk->queues[vq->index]);
}

static void blk_reset(struct virtio_device *vdev)
{
	struct virtio_blk *blk = vdev->priv;

	blk_stop_queues(blk, true);
	blk_drain(blk, NULL);
}

static const struct virtio_device_ops blk_ops = {
	.name = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	.get_features = blk_get_features,
	.queue_notify = blk_queue_notify,
	.queue_pollable = virtio_queue_pollable_all,
	.activate = blk_activate,
	.queue_reset = blk_queue_reset,
	.reset = blk_reset,
};

/* The inline count's lock and condition, then blk itself. */
static void blk_free_sync(struct virtio_blk *blk)
{
	pthread_cond_destroy(&blk->inline_idle);
	pthread_mutex_destroy(&blk->inline_lock);
	free(blk);
}

static void blk_fill_config(struct virtio_blk *blk)
{
	u8 *c = blk->config;
	u32 align = blk->disk->discard_granularity / DISK_SECTOR;

	memset(c, 0, sizeof(blk->config));
	put_le64(c + VIRTIO_BLK_CFG_CAPACITY, blk->capacity);
	put_le32(c + VIRTIO_BLK_CFG_SEG_MAX, blk->queue_size - 2);
	put_le32(c + VIRTIO_BLK_CFG_BLK_SIZE, DISK_SECTOR);
	put_le16(c + VIRTIO_BLK_CFG_NUM_QUEUES, blk->nr_queues);
	put_le32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS,
		 VIRTIO_BLK_MAX_ZERO_SECTORS);
	put_le32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, 1);
	put_le32(c + VIRTIO_BLK_CFG_DISCARD_ALIGN, align ? align : 1);
	put_le32(c + VIRTIO_BLK_CFG_MAX_WZ_SECTORS,
		 VIRTIO_BLK_MAX_ZERO_SECTORS);
	put_le32(c + VIRTIO_BLK_CFG_MAX_WZ_SEG, 1);
	c[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 1;
}

int virtio_blk_create(struct virtio_blk **out, const struct guest_mem *mem,
		      const struct virtio_blk_options *o, char *err,
		      size_t errlen)
{
	struct disk_open_opts dopts = {
		.readonly = o->readonly,
		.direct = o->direct,
		.no_lock = o->no_lock,
		.format = o->format,
		.backing_any = o->backing_any,
		.backing_follow = o->backing_follow,
		.backing_path = o->backing_path,
	};
	struct virtio_blk *blk;
	char name[32];
	unsigned int i, j;
	int ret;

	blk = calloc(1, sizeof(*blk));
	if (!blk)
		return -ENOMEM;
	blk->nr_queues = o->num_queues ? o->num_queues : 1;
	pthread_mutex_init(&blk->inline_lock, NULL);
	pthread_cond_init(&blk->inline_idle, NULL);
	blk->queue_size = o->queue_size ? o->queue_size :
			  VIRTIO_BLK_QUEUE_SIZE;
	if (blk->nr_queues > VIRTIO_BLK_MAX_QUEUES)
		blk->nr_queues = VIRTIO_BLK_MAX_QUEUES;
	if (blk->queue_size < 4 || blk->queue_size > 1024 ||
	    (blk->queue_size & (blk->queue_size - 1))) {
		snprintf(err, errlen, "bad virtio-blk queue size %u",
			 blk->queue_size);
		blk_free_sync(blk);
		return -EINVAL;
	}
	if (o->serial) {
		memcpy(blk->serial, o->serial,
		       MIN(strlen(o->serial), sizeof(blk->serial)));
		blk->has_serial = true;
	}
	ret = disk_open(&blk->disk, o->path, &dopts, err, errlen);
	if (ret) {
		blk_free_sync(blk);
		return ret;
	}
	blk->capacity = blk->disk->size / DISK_SECTOR;
	snprintf(name, sizeof(name), "virtio-blk.%u", o->index);
	ret = virtio_device_init(&blk->vdev, &blk_ops, blk, mem, name,
				 blk->nr_queues, blk->queue_size);
	if (ret) {
		snprintf(err, errlen, "%s: cannot set up the device: %s", name,
			 strerror(-ret));
		disk_close(blk->disk);
		blk_free_sync(blk);
		return ret;
	}
	blk_fill_config(blk);
	blk->vdev.notify_on_vcpu = o->vcpu_io;
	blk->inline_budget_ns = o->vcpu_io ?
				(u64)o->vcpu_io_budget_us * 1000 : 0;
	blk->clock_ns = o->clock_ns ? o->clock_ns : blk_mono_ns;
	blk->vdev.config = blk->config;
	blk->vdev.config_len = sizeof(blk->config);
	blk->queues = calloc(blk->nr_queues, sizeof(*blk->queues));
	if (!blk->queues)
		goto nomem;
	for (i = 0; i < blk->nr_queues; i++) {
		struct blk_queue *bq = &blk->queues[i];

		bq->blk = blk;
		bq->vq = &blk->vdev.vqs[i];
		bq->stopped = true;
		queue_notifier_init(&bq->handoff, &blk->vdev, i);
		bq->reqs = calloc(blk->queue_size, sizeof(*bq->reqs));
		if (!bq->reqs)
			goto nomem;
		for (j = 0; j < blk->queue_size; j++) {
			struct blk_req *r = &bq->reqs[j];

			virtq_chain_init(&r->chain);
			r->bq = bq;
			r->next_free = bq->free;
			bq->free = r;
		}
	}
	ret = disk_engine_create(&blk->engine, blk->disk, o->engine, o->loop,
				 blk->nr_queues * blk->queue_size);
	if (ret) {
		snprintf(err, errlen, "%s: cannot start a disk engine: %s",
			 o->path, strerror(-ret));
		goto fail;
	}
	blk->engine->batch_done = blk_batch_done;
	blk->engine->batch_opaque = blk;
	for (i = 0; o->vcpu_io && i < blk->nr_queues; i++) {
		ret = queue_notifier_open(&blk->queues[i].handoff, o->loop);
		if (ret) {
			snprintf(err, errlen, "%s: no I/O thread doorbell: %s",
				 name, strerror(-ret));
			goto fail;
		}
	}
	pr_info("%s: %s (%s%s), %llu sectors, %u queue%s, %s engine%s", name,
		o->path, blk->disk->ops->name,
		blk->disk->readonly ? ", read-only" : "",
		(unsigned long long)blk->capacity, blk->nr_queues,
		blk->nr_queues == 1 ? "" : "s", blk->engine->ops->name,
		!o->vcpu_io ? "" : blk->inline_budget_ns ?
		", lone quick requests on the vCPU" :
		", lone requests on the vCPU");
	*out = blk;
	return 0;
nomem:
	ret = -ENOMEM;
	snprintf(err, errlen, "out of memory");
fail:
	virtio_blk_destroy(blk);
	return ret;
}

struct virtio_device *virtio_blk_vdev(struct virtio_blk *blk)
{
	return &blk->vdev;
}

struct disk *virtio_blk_disk(struct virtio_blk *blk)
{
	return blk->disk;
}

const char *virtio_blk_engine_name(struct virtio_blk *blk)
{
	return blk->engine->ops->name;
}

void virtio_blk_drain(struct virtio_blk *blk)
{
	blk_drain(blk, NULL);
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	unsigned int i, j;

	if (!blk)
		return;
	if (blk->engine) {
		blk_stop_queues(blk, true);
		/* lkvm joins its vCPUs first; a caller that did not waits. */
		blk_wait_inline(blk, NULL);
		disk_engine_destroy(blk->engine);
	}
	for (i = 0; blk->queues && i < blk->nr_queues; i++) {
		struct blk_queue *bq = &blk->queues[i];

		/* Opened (so initialised) only with vcpu_io. */
		if (bq->handoff.polled)
			queue_notifier_close(&bq->handoff);
		for (j = 0; bq->reqs && j < blk->queue_size; j++) {
			virtq_chain_destroy(&bq->reqs[j].chain);
			free(bq->reqs[j].data);
		}
		free(bq->reqs);
	}
	free(blk->queues);
	virtio_device_destroy(&blk->vdev);
	disk_close(blk->disk);
	blk_free_sync(blk);
}
