// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring disk engine (liburing): requests are queued as SQEs and
 * submitted in one io_uring_enter() per batch; the I/O thread polls the
 * ring's own fd (readable while completions wait) and reaps. On linear images
 * (raw) a guest offset is a file offset and everything goes through the
 * ring. On other formats (qcow2) reads that map_read() maps and flushes
 * go through the ring; writes, zeroing and other reads need the format's
 * metadata code and go to a few worker threads (disk-thread.c) owned by
 * this engine.
 */
#include <errno.h>
#include <liburing.h>
#include <sched.h>
#include <linux/falloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "disk.h"
#include "log.h"

struct disk_uring {
	struct disk_engine e;
	struct io_uring ring;
	struct io_loop *loop;
	struct io_handler handler;	/* the ring's fd */
	pthread_mutex_t sq_lock;
	pthread_mutex_t cq_lock;
	atomic_uint inflight;
	bool pending;		/* SQEs queued, not yet submitted */
	struct disk_engine *slow;	/* non-linear formats: metadata path */
	atomic_bool slow_pending;
};

static void uring_prep(struct disk_uring *u, struct io_uring_sqe *sqe,
		       struct disk_req *req, u64 done)
{
	int fd = u->e.disk->fd;
	int mode;

	switch (req->op) {
	case DISK_OP_READ:
		if (req->iovcnt == 1)
			io_uring_prep_read(sqe, fd, req->iov->iov_base,
					   req->iov->iov_len,
					   req->file_off + done);
		else
			io_uring_prep_readv(sqe, fd, req->iov, req->iovcnt,
					    req->file_off + done);
		break;
	case DISK_OP_WRITE:
		if (req->iovcnt == 1)
			io_uring_prep_write(sqe, fd, req->iov->iov_base,
					    req->iov->iov_len,
					    req->file_off + done);
		else
			io_uring_prep_writev(sqe, fd, req->iov, req->iovcnt,
					     req->file_off + done);
		if (req->dsync)
			sqe->rw_flags = RWF_DSYNC;
		break;
	case DISK_OP_FLUSH:
		io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
		break;
	case DISK_OP_ZERO:
		mode = FALLOC_FL_KEEP_SIZE | (req->unmap ?
			FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE);
		io_uring_prep_fallocate(sqe, fd, mode, req->off, req->len);
		break;
	}
	io_uring_sqe_set_data(sqe, req);
}

/* With sq_lock held. */
static struct io_uring_sqe *uring_get_sqe(struct disk_uring *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	while (!sqe) {
		int ret = io_uring_submit(&u->ring);

		if (ret < 0 && ret != -EINTR && ret != -EAGAIN &&
		    ret != -EBUSY) {
			pr_err_ratelimited("%s: io_uring_submit: %s",
					   u->e.disk->path, strerror(-ret));
		}
		sqe = io_uring_get_sqe(&u->ring);
		if (!sqe)
			sched_yield();
	}
	return sqe;
}

static void uring_queue(struct disk_engine *e, struct disk_req *req)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);
	struct disk *d = e->disk;
	struct io_uring_sqe *sqe;

	req->result = 0;
	req->file_off = req->off;
	if (u->slow && req->op != DISK_OP_FLUSH &&
	    (req->op != DISK_OP_READ || !d->ops->map_read ||
	     d->ops->map_read(d, req->off, req->len, &req->file_off) != 1)) {
		u->slow->ops->queue(u->slow, req);
		atomic_store(&u->slow_pending, true);
		return;
	}
	atomic_fetch_add(&u->inflight, 1);
	pthread_mutex_lock(&u->sq_lock);
	sqe = uring_get_sqe(u);
	uring_prep(u, sqe, req, 0);
	u->pending = true;
	pthread_mutex_unlock(&u->sq_lock);
}

static void uring_submit(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);
	int ret;

	if (u->slow && atomic_exchange(&u->slow_pending, false))
		u->slow->ops->submit_batch(u->slow);
	pthread_mutex_lock(&u->sq_lock);
	if (u->pending) {
		do {
			ret = io_uring_submit(&u->ring);
		} while (ret == -EINTR);
		if (ret < 0)
			pr_err_ratelimited("%s: io_uring_submit: %s",
					   e->disk->path, strerror(-ret));
		u->pending = false;
	}
	pthread_mutex_unlock(&u->sq_lock);
}

/* Skip `n` bytes of a request's iovecs (after a short transfer). */
static void req_iov_advance(struct disk_req *req, u64 n)
{
	while (req->iovcnt && n >= req->iov->iov_len) {
		n -= req->iov->iov_len;
		req->iov++;
		req->iovcnt--;
	}
	if (req->iovcnt) {
		req->iov->iov_base = (u8 *)req->iov->iov_base + n;
		req->iov->iov_len -= n;
	}
}

/* One CQE; returns true if the request is finished. With cq_lock held. */
static bool uring_complete(struct disk_uring *u, struct disk_req *req,
			   int res)
{
	struct io_uring_sqe *sqe;

	if (req->op == DISK_OP_READ || req->op == DISK_OP_WRITE) {
		if (res == -EAGAIN || res == -EINTR) {
			res = 0;
		} else if (res < 0) {
			req->result = res;
			return true;
		} else if (res == 0) {
			req->result = -EIO;
			return true;
		}
		req->result += res;
		if ((u64)req->result >= req->len)
			return true;
		/* Short transfer: go on from where it stopped. */
		req_iov_advance(req, res);
		pthread_mutex_lock(&u->sq_lock);
		sqe = uring_get_sqe(u);
		uring_prep(u, sqe, req, req->result);
		io_uring_submit(&u->ring);
		pthread_mutex_unlock(&u->sq_lock);
		return false;
	}
	if (req->op == DISK_OP_ZERO &&
	    (res == -EOPNOTSUPP || res == -EINVAL || res == -ENOSYS)) {
		/* No fallocate mode here: write zeroes synchronously. */
		disk_req_execute(u->e.disk, req);
		return true;
	}
	req->result = res;
	if (!res && req->op == DISK_OP_ZERO && req->dsync)
		req->result = u->e.disk->ops->flush(u->e.disk);
	return true;
}

/* Reap what is there; with wait, block for at least one. cq_lock held. */
static unsigned int uring_reap(struct disk_uring *u, bool wait)
{
	struct io_uring_cqe *cqe;
	unsigned int n = 0;
	int ret;

	for (;;) {
		struct disk_req *req;
		int res;

		if (wait && !n)
			ret = io_uring_wait_cqe(&u->ring, &cqe);
		else
			ret = io_uring_peek_cqe(&u->ring, &cqe);
		if (ret == -EINTR)
			continue;
		if (ret)
			break;
		req = io_uring_cqe_get_data(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&u->ring, cqe);
		if (uring_complete(u, req, res)) {
			atomic_fetch_sub(&u->inflight, 1);
			req->done(req);
		}
		n++;
	}
	if (n && u->e.batch_done)
		u->e.batch_done(u->e.batch_opaque);
	return n;
}

static void uring_event(struct io_handler *h, u32 events)
{
	struct disk_uring *u = h->opaque;

	pthread_mutex_lock(&u->cq_lock);
	uring_reap(u, false);
	pthread_mutex_unlock(&u->cq_lock);
}

static void uring_drain(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);

	uring_submit(e);
	while (atomic_load(&u->inflight)) {
		pthread_mutex_lock(&u->cq_lock);
		if (atomic_load(&u->inflight))
			uring_reap(u, true);
		pthread_mutex_unlock(&u->cq_lock);
	}
	if (u->slow)
		u->slow->ops->drain(u->slow);
}

static void uring_destroy(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);

	uring_drain(e);
	disk_engine_destroy(u->slow);
	if (u->loop)
		io_loop_del(u->loop, &u->handler);
	io_uring_queue_exit(&u->ring);
	pthread_mutex_destroy(&u->sq_lock);
	pthread_mutex_destroy(&u->cq_lock);
	free(u);
}

static const struct disk_engine_ops disk_uring_ops = {
	.name = "io_uring",
	.queue = uring_queue,
	.submit_batch = uring_submit,
	.drain = uring_drain,
	.destroy = uring_destroy,
};

static int uring_probe_ops(struct io_uring *ring)
{
	static const int needed[] = { IORING_OP_READV, IORING_OP_WRITEV,
				      IORING_OP_READ, IORING_OP_WRITE,
				      IORING_OP_FSYNC, IORING_OP_FALLOCATE };
	struct io_uring_probe *p = io_uring_get_probe_ring(ring);
	unsigned int i;
	int ret = 0;

	if (!p)
		return -EOPNOTSUPP;
	for (i = 0; i < ARRAY_SIZE(needed); i++)
		if (!io_uring_opcode_supported(p, needed[i]))
			ret = -EOPNOTSUPP;
	io_uring_free_probe(p);
	return ret;
}

/* The slow path's completions end a batch of ours. */
static void uring_slow_batch_done(void *opaque)
{
	struct disk_uring *u = opaque;

	if (u->e.batch_done)
		u->e.batch_done(u->e.batch_opaque);
}

int disk_uring_create(struct disk_engine **out, struct disk *disk,
		      struct io_loop *loop, unsigned int entries)
{
	struct disk_uring *u;
	int ret;

	if (!loop)
		return -EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	if (entries < 8)
		entries = 8;
	if (entries > 4096)
		entries = 4096;
	ret = io_uring_queue_init(entries, &u->ring, 0);
	if (ret) {
		free(u);
		return ret;
	}
	ret = uring_probe_ops(&u->ring);
	if (ret)
		goto fail_ring;
	/*
	 * The ring fd polls readable while CQEs wait: no eventfd to signal
	 * and read back on every batch.
	 */
	u->handler.fd = u->ring.ring_fd;
	u->handler.fn = uring_event;
	u->handler.opaque = u;
	u->loop = loop;
	ret = io_loop_add(loop, &u->handler, EPOLLIN);
	if (ret)
		goto fail_ring;
	if (!disk->linear) {
		ret = disk_thread_create(&u->slow, disk, 4);
		if (ret) {
			io_loop_del(loop, &u->handler);
			goto fail_ring;
		}
		u->slow->batch_done = uring_slow_batch_done;
		u->slow->batch_opaque = u;
	}
	u->e.ops = &disk_uring_ops;
	u->e.disk = disk;
	pthread_mutex_init(&u->sq_lock, NULL);
	pthread_mutex_init(&u->cq_lock, NULL);
	*out = &u->e;
	return 0;
fail_ring:
	io_uring_queue_exit(&u->ring);
	free(u);
	return ret;
}
