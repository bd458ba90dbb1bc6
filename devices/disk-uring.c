// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring disk engine (liburing): requests are queued as SQEs and
 * submitted in one io_uring_enter() per URING_SUBMIT_CHUNK requests and
 * one at the end of each batch; the I/O thread polls the
 * ring's own fd (readable while completions wait) and reaps. On linear images
 * (raw) a guest offset is a file offset and everything goes through the
 * ring. On other formats (qcow2) reads that map_read() maps go through
 * the ring; writes, zeroing, flushes (qcow2 writes its metadata back then)
 * and other reads need the format's metadata code and go to a few worker
 * threads (disk-thread.c) owned by this engine.
 *
 * Nothing slow runs on the I/O thread: a write-through zeroing (fallocate
 * then fdatasync) and a zeroing the file system cannot do with fallocate
 * (tmpfs: EOPNOTSUPP; written as zeroes, up to the request's length) go to
 * the worker threads. Nothing waits for ever either: a request that finds
 * no free SQE, or whose SQE io_uring_submit() refused, is kept and
 * submitted again from a timer on the I/O thread (backing off to 100 ms),
 * and a transfer that keeps failing with EAGAIN/EINTR without progress
 * fails with EIO after URING_MAX_RETRIES tries.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <sched.h>
#include <linux/falloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "disk.h"
#include "iov.h"
#include "log.h"

/* Tries of one transfer that fail with EAGAIN/EINTR and move nothing. */
#define URING_MAX_RETRIES	16
#define URING_RETRY_MIN_MS	1
#define URING_RETRY_MAX_MS	100
/*
 * Submit as soon as this many SQEs are ready, not only at the end of a
 * batch. One io_uring_enter() for a whole burst (32 requests a driver
 * posts at once) holds every request in the block layer's plug until the
 * last is popped and prepared, and the disk starts on none of them
 * before; a disk that completes what it got together then keeps the
 * burst in step, idle while the burst turns around through the guest.
 * One enter per request costs a syscall each. Measured on a virtio disk
 * (blk-bench, 4 KiB random, depth 32): reads 64-69 k -> 74-76 k IOPS,
 * writes 53-55 k -> 64-66 k, at the same CPU time per request; 1 MiB
 * sequential unchanged; submitting each request alone, 73-79 k reads at
 * 7 us of CPU a request instead of 6.
 */
#define URING_SUBMIT_CHUNK	4

struct disk_uring {
	struct disk_engine e;
	struct io_uring ring;
	struct io_loop *loop;
	struct io_handler handler;	/* the ring's fd */
	pthread_mutex_t sq_lock;
	pthread_mutex_t cq_lock;
	atomic_uint inflight;
	bool pending;		/* SQEs queued, not yet submitted (sq_lock) */
	struct disk_engine *slow;	/* non-linear formats: metadata path */
	atomic_bool slow_pending;
	/* Slow work off the I/O thread: `slow`, or our own for raw. */
	struct disk_engine *workers;
	struct disk_engine *own_workers;
	/* Requests waiting for an SQE (sq_lock), resubmitted by the timer. */
	struct disk_req *wait_head, *wait_tail;
	int timer_fd;
	struct io_handler timer_h;
	bool timer_armed;	/* sq_lock */
	unsigned int backoff_ms;	/* sq_lock */
};

/* The image's index among the ring's registered files. */
#define URING_FILE 0

/* A read or write: one buffer as READ/WRITE, more as READV/WRITEV. */
static void uring_prep_rw(struct io_uring_sqe *sqe, int fd,
			  const struct disk_req *req, u64 off)
{
	bool rd = req->op == DISK_OP_READ;

	if (req->iovcnt == 1)
		io_uring_prep_rw(rd ? IORING_OP_READ : IORING_OP_WRITE, sqe,
				 fd, req->iov->iov_base, req->iov->iov_len,
				 off);
	else
		io_uring_prep_rw(rd ? IORING_OP_READV : IORING_OP_WRITEV, sqe,
				 fd, req->iov, req->iovcnt, off);
	if (!rd && req->dsync)
		sqe->rw_flags = RWF_DSYNC;
}

static void uring_prep(struct disk_uring *u, struct io_uring_sqe *sqe,
		       struct disk_req *req, u64 done)
{
	int fd = URING_FILE;	/* the registered image, IOSQE_FIXED_FILE */
	int mode;

	switch (req->op) {
	case DISK_OP_READ:
	case DISK_OP_WRITE:
		uring_prep_rw(sqe, fd, req, req->file_off + done);
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
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data(sqe, req);
}

/*
 * With sq_lock held: a free SQE, submitting what waits once to make room;
 * NULL when there is none (the caller keeps the request for the timer).
 */
static struct io_uring_sqe *uring_get_sqe(struct disk_uring *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (!sqe && io_uring_submit(&u->ring) >= 0)
		sqe = io_uring_get_sqe(&u->ring);
	return sqe;
}

/* Arm the retry timer (sq_lock held), backing off while it keeps failing. */
static void uring_arm_retry(struct disk_uring *u)
{
	struct itimerspec its = { 0 };

	if (u->timer_armed || u->timer_fd < 0)
		return;
	if (!u->backoff_ms)
		u->backoff_ms = URING_RETRY_MIN_MS;
	its.it_value.tv_sec = u->backoff_ms / 1000;
	its.it_value.tv_nsec = (long)(u->backoff_ms % 1000) * 1000000L;
	if (timerfd_settime(u->timer_fd, 0, &its, NULL)) {
		pr_err_ratelimited("%s: io_uring retry timer: %s",
				   u->e.disk->path, strerror(errno));
		return;
	}
	u->timer_armed = true;
	u->backoff_ms = MIN(u->backoff_ms * 2, URING_RETRY_MAX_MS);
}

/* Keep req until an SQE is free (sq_lock held). */
static void uring_wait_sqe(struct disk_uring *u, struct disk_req *req)
{
	req->next = NULL;
	if (u->wait_tail)
		u->wait_tail->next = req;
	else
		u->wait_head = req;
	u->wait_tail = req;
	uring_arm_retry(u);
}

/*
 * Give waiting requests their SQEs and submit everything prepared
 * (sq_lock held). On a refusal the SQEs stay in the ring and the timer
 * tries again; they are never forgotten.
 */
static void uring_submit_locked(struct disk_uring *u)
{
	int ret;

	while (u->wait_head) {
		struct disk_req *req = u->wait_head;
		struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

		if (!sqe)
			break;
		u->wait_head = req->next;
		if (!u->wait_head)
			u->wait_tail = NULL;
		uring_prep(u, sqe, req, req->result > 0 ? (u64)req->result : 0);
		u->pending = true;
	}
	if (u->pending) {
		do {
			ret = io_uring_submit(&u->ring);
		} while (ret == -EINTR);
		if (ret < 0 && ret != -EAGAIN && ret != -EBUSY)
			pr_err_ratelimited("%s: io_uring_submit: %s",
					   u->e.disk->path, strerror(-ret));
		u->pending = io_uring_sq_ready(&u->ring) > 0;
	}
	if (u->pending || u->wait_head)
		uring_arm_retry(u);
	else
		u->backoff_ms = 0;
}

static void uring_queue(struct disk_engine *e, struct disk_req *req)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);
	struct disk *d = e->disk;
	struct io_uring_sqe *sqe;

	req->result = 0;
	req->retries = 0;
	req->file_off = req->off;
	/* fallocate + fdatasync: off the I/O thread, on a worker. */
	if (req->op == DISK_OP_ZERO && req->dsync) {
		u->workers->ops->queue(u->workers, req);
		atomic_store(&u->slow_pending, true);
		return;
	}
	if (u->slow &&
	    (req->op != DISK_OP_READ || !d->ops->map_read ||
	     d->ops->map_read(d, req->off, req->len, &req->file_off) != 1)) {
		u->slow->ops->queue(u->slow, req);
		atomic_store(&u->slow_pending, true);
		return;
	}
	atomic_fetch_add(&u->inflight, 1);
	io_loop_expect(u->loop, 1);
	pthread_mutex_lock(&u->sq_lock);
	sqe = uring_get_sqe(u);
	if (sqe) {
		uring_prep(u, sqe, req, 0);
		u->pending = true;
		/*
		 * Not while a refused submit waits for the retry timer: its
		 * back-off and the batch's end retry, not each request.
		 */
		if (!u->timer_armed &&
		    io_uring_sq_ready(&u->ring) >= URING_SUBMIT_CHUNK)
			uring_submit_locked(u);
	} else {
		uring_wait_sqe(u, req);
	}
	pthread_mutex_unlock(&u->sq_lock);
}

static void uring_submit(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);

	if (atomic_exchange(&u->slow_pending, false))
		u->workers->ops->submit_batch(u->workers);
	pthread_mutex_lock(&u->sq_lock);
	uring_submit_locked(u);
	pthread_mutex_unlock(&u->sq_lock);
}

/* The retry timer (I/O thread): submit what is still waiting. */
static void uring_timer_event(struct io_handler *h, u32 events)
{
	struct disk_uring *u = h->opaque;
	u64 n;

	if (read(u->timer_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		pr_err_ratelimited("%s: io_uring retry timer: %s",
				   u->e.disk->path, strerror(errno));
	pthread_mutex_lock(&u->sq_lock);
	u->timer_armed = false;
	uring_submit_locked(u);
	pthread_mutex_unlock(&u->sq_lock);
}

/* What became of a request after one of its CQEs. */
enum uring_next {
	URING_DONE,		/* finished: call done() */
	URING_AGAIN,		/* resubmitted through the ring */
	URING_HANDED_OFF,	/* given to the worker threads */
};

/*
 * Give a request to the worker threads; it leaves the ring's count once
 * the workers count it, so drain() never sees it in neither. The loop's
 * count first: once drain() has seen inflight at 0, both are.
 */
static void uring_hand_off(struct disk_uring *u, struct disk_req *req)
{
	u->workers->ops->queue(u->workers, req);
	u->workers->ops->submit_batch(u->workers);
	io_loop_expect(u->loop, -1);
	atomic_fetch_sub(&u->inflight, 1);
}

/* Queue the rest of a transfer again (no submit: the reaper does it). */
static void uring_requeue(struct disk_uring *u, struct disk_req *req)
{
	struct io_uring_sqe *sqe;

	pthread_mutex_lock(&u->sq_lock);
	sqe = uring_get_sqe(u);
	if (sqe) {
		uring_prep(u, sqe, req, (u64)req->result);
		u->pending = true;
	} else {
		uring_wait_sqe(u, req);
	}
	pthread_mutex_unlock(&u->sq_lock);
}

/* One CQE. With cq_lock held. */
static enum uring_next uring_complete(struct disk_uring *u,
				      struct disk_req *req, int res)
{
	if (req->op == DISK_OP_READ || req->op == DISK_OP_WRITE) {
		if (res == -EAGAIN || res == -EINTR) {
			if (++req->retries > URING_MAX_RETRIES) {
				pr_warn_ratelimited("%s: I/O at %llu still fails with %s after %u tries; failing it",
						    u->e.disk->path,
						    (unsigned long long)req->off,
						    strerror(-res),
						    URING_MAX_RETRIES);
				req->result = -EIO;
				return URING_DONE;
			}
			res = 0;
		} else if (res < 0) {
			req->result = disk_dsync_write_result(u->e.disk, req,
							      res);
			return URING_DONE;
		} else if (res == 0) {
			req->result = -EIO;
			return URING_DONE;
		}
		if (res > 0)
			req->retries = 0;
		req->result += res;
		if ((u64)req->result >= req->len) {
			req->result = disk_dsync_write_result(u->e.disk, req,
							      req->result);
			return URING_DONE;
		}
		/* Short transfer: go on from where it stopped. */
		if (iov_advance(&req->iov, &req->iovcnt, res) || !req->iovcnt) {
			req->result = -EIO;
			return URING_DONE;
		}
		uring_requeue(u, req);
		return URING_AGAIN;
	}
	if (req->op == DISK_OP_ZERO &&
	    (res == -EOPNOTSUPP || res == -EINVAL || res == -ENOSYS)) {
		/* No fallocate mode here: zeroes are written, by a worker. */
		uring_hand_off(u, req);
		return URING_HANDED_OFF;
	}
	if (req->op == DISK_OP_FLUSH)
		res = disk_sync_result(u->e.disk, res);
	req->result = res;
	return URING_DONE;
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
		if (uring_complete(u, req, res) == URING_DONE) {
			struct disk *d = u->e.disk;

			/* On the ring of a format: a read map_read() mapped. */
			if (u->slow && req->op == DISK_OP_READ &&
			    d->ops->map_done)
				d->ops->map_done(d);
			req->done(req);
			/*
			 * After done(): drain() waits for it to return. The
			 * loop's count first, as in uring_hand_off().
			 */
			io_loop_expect(u->loop, -1);
			atomic_fetch_sub(&u->inflight, 1);
		}
		n++;
	}
	/* Resumed transfers: one submit for all of them. */
	pthread_mutex_lock(&u->sq_lock);
	uring_submit_locked(u);
	pthread_mutex_unlock(&u->sq_lock);
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

/*
 * Until everything queued has completed. While SQEs are refused or wait
 * for room, it waits for completions 10 ms at a time and submits again.
 */
static void uring_drain(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);
	struct __kernel_timespec ts = { .tv_nsec = 10 * 1000000L };
	struct io_uring_cqe *cqe;

	uring_submit(e);
	while (atomic_load(&u->inflight)) {
		bool stuck;

		pthread_mutex_lock(&u->sq_lock);
		uring_submit_locked(u);
		stuck = u->pending || u->wait_head;
		pthread_mutex_unlock(&u->sq_lock);
		pthread_mutex_lock(&u->cq_lock);
		if (atomic_load(&u->inflight)) {
			if (stuck)
				io_uring_wait_cqe_timeout(&u->ring, &cqe, &ts);
			uring_reap(u, !stuck);
		}
		pthread_mutex_unlock(&u->cq_lock);
	}
	u->workers->ops->drain(u->workers);
}

static void uring_destroy(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);
	int ret;

	uring_drain(e);
	disk_engine_destroy(u->slow);
	disk_engine_destroy(u->own_workers);
	if (u->loop) {
		io_loop_del(u->loop, &u->handler);
		io_loop_del(u->loop, &u->timer_h);
	}
	close(u->timer_fd);
	/*
	 * The ring's last reference to the image goes now: its teardown in
	 * the kernel is asynchronous, and the image's lock (the open file's)
	 * would outlive disk_close() until then.
	 */
	ret = io_uring_unregister_files(&u->ring);
	if (ret)
		pr_warn("%s: io_uring: cannot unregister the image: %s",
			u->e.disk->path, strerror(-ret));
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

/* The only operations the engine submits; the ring refuses others. */
static const u8 uring_ops[] = { IORING_OP_READV, IORING_OP_WRITEV,
				IORING_OP_READ, IORING_OP_WRITE,
				IORING_OP_FSYNC, IORING_OP_FALLOCATE };

static int uring_probe_ops(struct io_uring *ring)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(ring);
	unsigned int i;
	int ret = 0;

	if (!p)
		return -EOPNOTSUPP;
	for (i = 0; i < ARRAY_SIZE(uring_ops); i++)
		if (!io_uring_opcode_supported(p, uring_ops[i]))
			ret = -EOPNOTSUPP;
	io_uring_free_probe(p);
	return ret;
}

/*
 * The ring was created disabled: the image as its only (fixed) file, the
 * engine's operations as the only ones, every SQE on a fixed file, no
 * io_uring_register() operation after but the unregistering of that file
 * at destroy; then enabled. Code that reaches
 * the ring's memory can only read, write, sync or fallocate the image.
 */
/*
 * The ring's own open file description of the image. The image's lock is
 * an OFD lock on disk->fd's description, and a ring outlives a killed
 * lkvm for a while (the kernel tears it down asynchronously): were it to
 * hold that description, the image would stay locked after lkvm is gone.
 * Without /proc, the ring takes disk->fd itself.
 */
static int uring_reopen(int fd)
{
	struct stat a, b;
	char path[40];
	int fl, nfd;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fstat(fd, &a))
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, (fl & (O_ACCMODE | O_DIRECT | O_SYNC | O_DSYNC)) |
		   O_CLOEXEC | O_NOCTTY);
	if (nfd < 0)
		return -errno;
	if (fstat(nfd, &b) || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(nfd);
		return -ESTALE;
	}
	return nfd;
}

static int disk_uring_restrict(struct io_uring *ring, int fd)
{
	struct io_uring_restriction res[ARRAY_SIZE(uring_ops) + 3];
	unsigned int i, n = 0;
	int ret, own = uring_reopen(fd);

	ret = io_uring_register_files(ring, own >= 0 ? &own : &fd, 1);
	/* The ring keeps its own reference to a registered file. */
	if (own >= 0)
		close(own);
	if (ret)
		return ret;
	memset(res, 0, sizeof(res));
	for (i = 0; i < ARRAY_SIZE(uring_ops); i++) {
		res[n].opcode = IORING_RESTRICTION_SQE_OP;
		res[n++].sqe_op = uring_ops[i];
	}
	res[n].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
	res[n++].sqe_flags = IOSQE_FIXED_FILE;
	res[n].opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED;
	res[n++].sqe_flags = IOSQE_FIXED_FILE;
	/* The one register operation after: the image out, at destroy. */
	res[n].opcode = IORING_RESTRICTION_REGISTER_OP;
	res[n++].register_op = IORING_UNREGISTER_FILES;
	/* Raw calls: Debian's liburing 2.3 does not export these two. */
	if (syscall(__NR_io_uring_register, ring->ring_fd,
		    IORING_REGISTER_RESTRICTIONS, res, n) ||
	    syscall(__NR_io_uring_register, ring->ring_fd,
		    IORING_REGISTER_ENABLE_RINGS, NULL, 0))
		return -errno;
	return 0;
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
	/* Before its handlers are on the loop, which take them. */
	pthread_mutex_init(&u->sq_lock, NULL);
	pthread_mutex_init(&u->cq_lock, NULL);
	if (entries < 8)
		entries = 8;
	if (entries > 4096)
		entries = 4096;
	ret = io_uring_queue_init(entries, &u->ring, IORING_SETUP_R_DISABLED);
	if (ret)
		goto fail_locks;
	ret = uring_probe_ops(&u->ring);
	if (!ret)
		ret = disk_uring_restrict(&u->ring, disk->fd);
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
	u->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_NONBLOCK | TFD_CLOEXEC);
	if (u->timer_fd < 0) {
		ret = -errno;
		goto fail_handler;
	}
	u->timer_h.fd = u->timer_fd;
	u->timer_h.fn = uring_timer_event;
	u->timer_h.opaque = u;
	ret = io_loop_add(loop, &u->timer_h, EPOLLIN);
	if (ret)
		goto fail_timer;
	/* qcow2's metadata path doubles as the slow-work workers. */
	ret = disk_thread_create(&u->workers, disk, disk->linear ? 2 : 4);
	if (ret)
		goto fail_timer_h;
	u->workers->batch_done = uring_slow_batch_done;
	u->workers->batch_opaque = u;
	if (disk->linear)
		u->own_workers = u->workers;
	else
		u->slow = u->workers;
	u->e.ops = &disk_uring_ops;
	u->e.disk = disk;
	*out = &u->e;
	return 0;
fail_timer_h:
	io_loop_del(loop, &u->timer_h);
fail_timer:
	close(u->timer_fd);
fail_handler:
	io_loop_del(loop, &u->handler);
fail_ring:
	io_uring_queue_exit(&u->ring);
fail_locks:
	pthread_mutex_destroy(&u->cq_lock);
	pthread_mutex_destroy(&u->sq_lock);
	free(u);
	return ret;
}
