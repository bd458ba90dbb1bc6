// SPDX-License-Identifier: GPL-2.0
/*
 * devices/disk-uring.c on a raw file with a running I/O loop: reads and
 * writes queued from one thread complete exactly once each, on the I/O
 * thread (which polls the ring's fd), with batch_done() after them; data
 * written comes back; a request a short read leaves unfinished is resumed;
 * and the shutdown path works: with the I/O loop stopped, drain() from
 * another thread reaps everything still in flight. After each case,
 * drained, the I/O loop expects none of the engine's completions
 * (io_loop_expect(): every path out of the ring gives back its count).
 *
 * Faults (the engine's source is built into this test with io_uring_submit
 * replaced by fault_submit): a refused io_uring_submit() -- for a new
 * request and for the resumption of a short transfer -- is retried, never
 * leaving an SQE behind; a transfer failing with EAGAIN for ever ends in
 * EIO; WRITE_ZEROES on a file system without fallocate zeroing (tmpfs) and
 * a write-through WRITE_ZEROES complete on a worker, not the I/O thread.
 *
 * Shutdown under the main thread's seccomp filter (SC_ROLE_MAIN, in a
 * forked child): drain() resumes a short read and its submit is refused,
 * so the engine arms its retry timer there (timerfd_settime); the child
 * must end with the read failed, not killed by the filter (exit 159).
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "disk.h"
#include "log.h"
#include "qcow2-internal.h"
#include "seccomp-filter.h"
#include "tap.h"

static int fault_submit(struct io_uring *ring);
static int fault_register_files(struct io_uring *ring, const int *files,
				unsigned int nr);
#define io_uring_submit fault_submit
#define io_uring_register_files fault_register_files
#include "../../devices/disk-uring.c"
#undef io_uring_submit
#undef io_uring_register_files

/*
 * The engine's rings take fixed files only: each gets an empty pipe as
 * its file 1 too, which fault_submit() points reads at for EAGAIN.
 */
static int spare_pipe[2] = { -1, -1 };

static int fault_register_files(struct io_uring *ring, const int *files,
				unsigned int nr)
{
	int both[2] = { files[0], spare_pipe[0] };

	if (nr != 1 || spare_pipe[0] < 0)
		return -EINVAL;
	return io_uring_register_files(ring, both, 2);
}

/* Refuse the next `refuse` submits after letting `skip` through. */
static int refuse_skip, refuse;
/* Point the next submitted reads at an empty pipe with RWF_NOWAIT. */
static int eagain_fd = -1;
/* Point the next submitted fsyncs at the pipe: they fail (EINVAL). */
static int fsync_fails;

/* Submits tried from the thread `counted_on` (counting while set). */
static pthread_t counted_on;
static bool counting;
static unsigned int counted;

static int fault_submit(struct io_uring *ring)
{
	unsigned int i;

	if (counting && pthread_equal(pthread_self(), counted_on))
		counted++;
	if (refuse && refuse_skip-- <= 0) {
		refuse--;
		return -EAGAIN;
	}
	for (i = ring->sq.sqe_head; eagain_fd >= 0 && i != ring->sq.sqe_tail;
	     i++) {
		struct io_uring_sqe *sqe = &ring->sq.sqes[i & ring->sq.ring_mask];

		if (sqe->opcode == IORING_OP_READ) {
			sqe->fd = 1;	/* fixed file 1: spare_pipe[0] */
			sqe->off = (u64)-1;
			sqe->rw_flags = RWF_NOWAIT;
		}
	}
	for (i = ring->sq.sqe_head; fsync_fails && i != ring->sq.sqe_tail;
	     i++) {
		struct io_uring_sqe *sqe = &ring->sq.sqes[i & ring->sq.ring_mask];

		if (sqe->opcode == IORING_OP_FSYNC) {
			sqe->fd = 1;	/* fixed file 1: spare_pipe[0] */
			fsync_fails--;
		}
	}
	return io_uring_submit(ring);
}

#define NR 32
#define BS 4096

struct t_req {
	struct disk_req dreq;
	struct iovec iov;
	unsigned int done;
	pthread_t on;
};

static struct t_req reqs[NR];
static u8 bufs[NR][BS];
static unsigned int batches, completed;
static pthread_t loop_thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

static void t_done(struct disk_req *r)
{
	struct t_req *t = container_of(r, struct t_req, dreq);

	pthread_mutex_lock(&lock);
	t->done++;
	t->on = pthread_self();
	completed++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void t_batch(void *opaque)
{
	pthread_mutex_lock(&lock);
	batches++;
	pthread_mutex_unlock(&lock);
}

static void queue_n(struct disk_engine *e, enum disk_op op, u32 seed,
		    unsigned int n, bool submit)
{
	unsigned int i;

	pthread_mutex_lock(&lock);
	completed = batches = 0;
	pthread_mutex_unlock(&lock);
	for (i = 0; i < n; i++) {
		struct t_req *t = &reqs[i];

		memset(t, 0, sizeof(*t));
		if (op == DISK_OP_WRITE)
			memset(bufs[i], (int)(seed + i), BS);
		else
			memset(bufs[i], 0, BS);
		t->iov = (struct iovec){ bufs[i], BS };
		/* Every other request out of order on the file. */
		t->dreq = (struct disk_req){
			.op = op, .off = (u64)BS * (i % 2 ? NR - i : i),
			.len = BS, .iov = &t->iov, .iovcnt = 1,
			.done = t_done,
		};
		e->ops->queue(e, &t->dreq);
	}
	if (submit)
		e->ops->submit_batch(e);
}

static void queue_all(struct disk_engine *e, enum disk_op op, u32 seed)
{
	queue_n(e, op, seed, NR, true);
}

static unsigned int completed_now(void)
{
	unsigned int n;

	pthread_mutex_lock(&lock);
	n = completed;
	pthread_mutex_unlock(&lock);
	return n;
}

/*
 * Diagnostics, as TAP comments, for a wait that timed out or a check of
 * the requests that failed: they only print, after the check has its
 * answer, and change no result.
 */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return n;
}

/* Each thread's state and wait channel; io_uring's workers' stacks. */
static void diag_threads(void)
{
	char path[300], comm[32], wchan[64], stat[512], stack[2048];
	DIR *dir = opendir("/proc/self/task");
	struct dirent *de;

	while (dir && (de = readdir(dir))) {
		char *st, *line, *save;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 de->d_name);
		read_small(path, comm, sizeof(comm));
		snprintf(path, sizeof(path), "/proc/self/task/%s/wchan",
			 de->d_name);
		read_small(path, wchan, sizeof(wchan));
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat",
			 de->d_name);
		read_small(path, stat, sizeof(stat));
		st = strrchr(stat, ')');
		printf("# thread %s (%s): state %c, wchan %s\n", de->d_name,
		       comm, st && st[1] && st[2] ? st[2] : '?',
		       wchan[0] ? wchan : "-");
		if (strncmp(comm, "iou-", 4))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stack",
			 de->d_name);
		read_small(path, stack, sizeof(stack));
		for (line = strtok_r(stack, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			printf("#   %s\n", line);
	}
	if (dir)
		closedir(dir);
}

/* The engine's state: where the requests not completed can be. */
static void diag_engine(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);
	bool pending, armed, waiting;
	unsigned int sq;

	pthread_mutex_lock(&u->sq_lock);
	sq = io_uring_sq_ready(&u->ring);
	pending = u->pending;
	armed = u->timer_armed;
	waiting = u->wait_head;
	pthread_mutex_unlock(&u->sq_lock);
	printf("# engine: inflight %u, cq_ready %u, sq_ready %u, pending %d, timer_armed %d, wait_head %s, loop expected %d\n",
	       atomic_load(&u->inflight), io_uring_cq_ready(&u->ring), sq,
	       pending, armed, waiting ? "set" : "NULL",
	       atomic_load(&u->loop->expected));
}

/* A wait for `want` completions timed out with `got`: what is where. */
static void diag_timeout(struct disk_engine *e, const char *what,
			 unsigned int want, unsigned int got)
{
	unsigned int i;

	printf("# %s timed out: %u of %u completed; not done:", what, got,
	       want);
	pthread_mutex_lock(&lock);
	for (i = 0; i < want; i++)
		if (!reqs[i].done)
			printf(" %u", i);
	pthread_mutex_unlock(&lock);
	printf("\n");
	diag_engine(e);
	diag_threads();
	fflush(stdout);
}

/* Each request's done() calls since queue_n() cleared it; the engine. */
static void diag_done_counts(struct disk_engine *e)
{
	unsigned int i;

	printf("# done() count of each request since queued:");
	pthread_mutex_lock(&lock);
	for (i = 0; i < NR; i++)
		printf(" %u", reqs[i].done);
	pthread_mutex_unlock(&lock);
	printf("\n");
	diag_engine(e);
	fflush(stdout);
}

/* Wait (2 s at most) until all NR completed; true if they did. */
static bool wait_all(struct disk_engine *e)
{
	struct timespec until;
	unsigned int got;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&lock);
	while (completed < NR &&
	       pthread_cond_timedwait(&cond, &lock, &until) == 0)
		;
	got = completed;
	pthread_mutex_unlock(&lock);
	if (got != NR)
		diag_timeout(e, "wait_all", NR, got);
	return got == NR;
}

/* Each completed once with the full length, all on thread `on`. */
static bool each_once_on(pthread_t on)
{
	bool all = true;
	unsigned int i;

	for (i = 0; i < NR; i++) {
		if (reqs[i].done == 1 && reqs[i].dreq.result == BS &&
		    pthread_equal(reqs[i].on, on))
			continue;
		all = false;
		printf("# request %u (%s at %llu): done %u, result %lld, on %s\n",
		       i, reqs[i].dreq.op == DISK_OP_READ ? "read" : "write",
		       (unsigned long long)reqs[i].dreq.off, reqs[i].done,
		       (long long)reqs[i].dreq.result,
		       !reqs[i].done ? "no thread" :
		       pthread_equal(reqs[i].on, on) ? "the expected thread" :
		       "another thread");
	}
	return all;
}

static bool data_is(u32 seed)
{
	unsigned int i, j;

	for (i = 0; i < NR; i++)
		for (j = 0; j < BS; j++)
			if (bufs[i][j] != (u8)(seed + i))
				return false;
	return true;
}

/*
 * Until the reap that called the last done() is over: the I/O thread goes
 * on from there to the reap's own submit and to batch_done(), all under
 * cq_lock.
 */
static void reaper_done(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);

	pthread_mutex_lock(&u->cq_lock);
	pthread_mutex_unlock(&u->cq_lock);
}

/*
 * A burst goes to the kernel URING_SUBMIT_CHUNK requests at a time, while
 * it is being queued; what is left below a chunk waits for the batch's
 * end (submit_batch), as every request did before.
 *
 * The I/O thread stays out of the ring while the burst is queued (cq_lock
 * held): a reap ends with a submit of whatever is queued (uring_reap()),
 * and one between two requests of the burst starts part of a chunk, so
 * that the burst's last requests, fewer than a chunk, wait for
 * submit_batch -- which queue() allows, and this case did not: it failed
 * now and then, with those last requests still in the ring.
 */
static void test_chunks(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);
	unsigned int i, n, left;

	pthread_mutex_lock(&u->cq_lock);
	counted = 0;
	counted_on = pthread_self();
	counting = true;
	queue_n(e, DISK_OP_WRITE, 90, NR, false);
	counting = false;
	pthread_mutex_lock(&u->sq_lock);
	left = io_uring_sq_ready(&u->ring);
	pthread_mutex_unlock(&u->sq_lock);
	pthread_mutex_unlock(&u->cq_lock);
	if (!ok(counted == NR / URING_SUBMIT_CHUNK && !left && wait_all(e) &&
		each_once_on(loop_thread),
		"%u writes queued in chunks of %u complete without submit_batch (%u submits, %u left)",
		NR, URING_SUBMIT_CHUNK, counted, left)) {
		/*
		 * Whatever is left of them, completed by the I/O thread
		 * before the reads are queued: none is counted as a read.
		 */
		e->ops->submit_batch(e);
		wait_all(e);
	}
	/* Else the last reap's own submit could take the reads below. */
	reaper_done(e);
	queue_n(e, DISK_OP_READ, 0, URING_SUBMIT_CHUNK - 1, false);
	for (i = 0; i < 50 && !completed_now(); i++)
		usleep(1000);
	n = completed_now();
	e->ops->submit_batch(e);
	for (i = 0; i < 2000 && completed_now() < URING_SUBMIT_CHUNK - 1; i++)
		usleep(1000);
	if (!ok(n == 0 && completed_now() == URING_SUBMIT_CHUNK - 1 &&
		bufs[0][0] == 90 && bufs[URING_SUBMIT_CHUNK - 2][0] ==
		(u8)(90 + URING_SUBMIT_CHUNK - 2),
		"%u reads, less than a chunk, wait for submit_batch (%u before, %u after)",
		URING_SUBMIT_CHUNK - 1, n, completed_now()))
		diag_done_counts(e);
}

/* One request of ours, and a wait for it (2 s at most). */
static void one_req(struct disk_engine *e, enum disk_op op, u64 off,
		    u64 len, bool dsync)
{
	pthread_mutex_lock(&lock);
	completed = 0;
	pthread_mutex_unlock(&lock);
	memset(&reqs[0], 0, sizeof(reqs[0]));
	reqs[0].iov = (struct iovec){ bufs[0], BS };
	reqs[0].dreq = (struct disk_req){
		.op = op, .off = off, .len = len, .iov = &reqs[0].iov,
		.iovcnt = 1, .dsync = dsync, .unmap = false, .done = t_done,
	};
	e->ops->queue(e, &reqs[0].dreq);
	e->ops->submit_batch(e);
}

static bool wait_one(struct disk_engine *e)
{
	struct timespec until;
	unsigned int got;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&lock);
	while (!completed &&
	       pthread_cond_timedwait(&cond, &lock, &until) == 0)
		;
	got = completed;
	pthread_mutex_unlock(&lock);
	if (!got)
		diag_timeout(e, "wait_one", 1, got);
	return got == 1;
}

/* One SQE straight on the engine's ring: its CQE's result. */
static int raw_sqe(struct disk_uring *u, u8 op, u8 flags)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	int res;

	sqe = io_uring_get_sqe(&u->ring);
	if (!sqe)
		return 1;
	io_uring_prep_rw(op, sqe, op == IORING_OP_NOP ? -1 : URING_FILE,
			 bufs[0], op == IORING_OP_NOP ? 0 : BS, 0);
	sqe->flags = flags;
	io_uring_sqe_set_data(sqe, NULL);
	if (io_uring_submit(&u->ring) != 1 || io_uring_wait_cqe(&u->ring, &cqe))
		return 1;
	res = cqe->res;
	io_uring_cqe_seen(&u->ring, cqe);
	return res;
}

/*
 * With the I/O loop stopped (nobody else reaps): the ring refuses an
 * operation the engine does not use, an SQE without a fixed file, and
 * io_uring_register() operations, while a fixed-file read still works.
 */
static void test_restricted(struct disk_engine *e)
{
	struct disk_uring *u = container_of(e, struct disk_uring, e);
	int one = spare_pipe[0], nop, plain, fixed, reg;

	/* The engine's order (uring_reap()): cq_lock, then sq_lock. */
	pthread_mutex_lock(&u->cq_lock);
	pthread_mutex_lock(&u->sq_lock);
	nop = raw_sqe(u, IORING_OP_NOP, IOSQE_FIXED_FILE);
	plain = raw_sqe(u, IORING_OP_READ, 0);
	fixed = raw_sqe(u, IORING_OP_READ, IOSQE_FIXED_FILE);
	reg = io_uring_register_files_update(&u->ring, 1, &one, 1);
	pthread_mutex_unlock(&u->sq_lock);
	pthread_mutex_unlock(&u->cq_lock);
	ok(nop == -EACCES, "restricted ring: IORING_OP_NOP refused (%d)", nop);
	ok(plain == -EACCES, "restricted ring: a read without a fixed file refused (%d)",
	   plain);
	ok(fixed == BS, "restricted ring: a fixed-file read runs (%d)", fixed);
	ok(reg == -EACCES, "restricted ring: io_uring_register refused (%d)",
	   reg);
}

/*
 * Each request the ring has is a completion the I/O loop expects
 * (io_loop_expect()); drained, it expects none of them.
 */
static void none_expected(struct disk_engine *e, struct io_loop *loop,
			  const char *after)
{
	int n;

	e->ops->drain(e);
	n = atomic_load(&loop->expected);
	ok(n == 0, "%s: drained, the I/O loop expects no completion (%d)",
	   after, n);
}

static void test_faults(struct disk_engine *e, struct io_loop *loop)
{
	bool done;

	/* Today's code dropped the SQE's submission: never completed. */
	refuse_skip = 0;
	refuse = 3;
	one_req(e, DISK_OP_WRITE, 0, BS, false);
	ok(wait_one(e) && reqs[0].dreq.result == BS &&
	   pthread_equal(reqs[0].on, loop->thread),
	   "io_uring_submit refused 3 times: retried from the timer, completed");
	none_expected(e, loop, "submit refused");

	/* The resumption of a short read refused (it was unchecked). */
	refuse_skip = 1;
	refuse = 2;
	one_req(e, DISK_OP_READ, (u64)BS * NR - 512, BS, false);
	done = wait_one(e);
	ok(done && reqs[0].dreq.result == -EIO,
	   "a short read's resubmission refused: retried, then EIO (%lld)",
	   (long long)reqs[0].dreq.result);
	refuse = 0;
	none_expected(e, loop, "resubmission refused");

	/*
	 * The ring refusing: a burst queued meanwhile tries one submit (its
	 * first chunk's), then leaves the retries to the timer's back-off
	 * and the batch's end, not one more at each request.
	 */
	refuse_skip = 0;
	refuse = 1000;
	counted = 0;
	counted_on = pthread_self();
	counting = true;
	queue_n(e, DISK_OP_WRITE, 60, NR, false);
	counting = false;
	refuse = 0;
	e->ops->submit_batch(e);
	ok(counted == 1 && wait_all(e) && each_once_on(loop->thread),
	   "ring refusing: %u requests queued try %u submit(s) (1: the first chunk), then all complete",
	   NR, counted);
	none_expected(e, loop, "ring refusing");

	/* EAGAIN for ever: today's code resubmitted without end. */
	eagain_fd = spare_pipe[0];
	one_req(e, DISK_OP_READ, 0, BS, false);
	ok(wait_one(e) && reqs[0].dreq.result == -EIO,
	   "a read failing with EAGAIN every time ends in EIO after %d tries",
	   URING_MAX_RETRIES);
	eagain_fd = -1;
	none_expected(e, loop, "EAGAIN for ever");

	/* Write-through zeroing: fallocate + fdatasync on a worker. */
	one_req(e, DISK_OP_ZERO, 0, BS, true);
	ok(wait_one(e) && reqs[0].dreq.result == 0 &&
	   !pthread_equal(reqs[0].on, loop->thread),
	   "write-through WRITE_ZEROES completes off the I/O thread");
	none_expected(e, loop, "write-through WRITE_ZEROES");
}

/*
 * On tmpfs fallocate cannot zero a range (EOPNOTSUPP): the zeroes are
 * written by a worker, not by the I/O thread (today's code did it there).
 */
static void test_zero_fallback(void)
{
	struct disk_open_opts oo = { .no_lock = true };
	char path[] = "/dev/shm/lkvm-uring-XXXXXX";
	struct disk_engine *e;
	struct io_loop loop;
	struct statfs sf;
	struct disk *d;
	u8 back[BS];
	int fd;

	fd = mkstemp(path);
	if (fd < 0 || fstatfs(fd, &sf) || sf.f_type != 0x01021994 ||
	    pwrite(fd, bufs[1], BS, 0) != BS) {
		skip("no tmpfs at /dev/shm", "WRITE_ZEROES fallback off the I/O thread");
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return;
	}
	close(fd);
	memset(bufs[1], 0xaa, BS);
	if (disk_open(&d, path, &oo, NULL, 0) || io_loop_init(&loop) ||
	    io_loop_start(&loop) || disk_uring_create(&e, d, &loop, 8))
		abort();
	one_req(e, DISK_OP_WRITE, 0, BS, false);
	wait_one(e);
	memset(bufs[0], 0xaa, BS);
	one_req(e, DISK_OP_ZERO, 0, BS, false);
	ok(wait_one(e) && reqs[0].dreq.result == 0 &&
	   !pthread_equal(reqs[0].on, loop.thread) &&
	   pread(d->fd, back, BS, 0) == BS && !back[0] && !back[BS - 1],
	   "tmpfs WRITE_ZEROES (no fallocate zeroing): zeroed by a worker");
	none_expected(e, &loop, "WRITE_ZEROES handed to a worker");
	/* As lkvm does: the loop stopped first (see test_faults' end). */
	io_loop_stop(&loop);
	disk_engine_destroy(e);
	io_loop_destroy(&loop);
	disk_close(d);
	unlink(path);
}

/* A completion that takes its time on the I/O thread. */
static int slow_entered, slow_left;

static void slow_done(struct disk_req *r)
{
	__atomic_store_n(&slow_entered, 1, __ATOMIC_SEQ_CST);
	usleep(50000);
	__atomic_store_n(&slow_left, 1, __ATOMIC_SEQ_CST);
}

/*
 * drain() returns only after done() has returned for every request, also
 * for one the I/O thread is completing (a queue reset relies on it).
 */
static bool drain_waits_for_done(struct disk_engine *e)
{
	unsigned int spins;

	memset(&reqs[0], 0, sizeof(reqs[0]));
	reqs[0].iov = (struct iovec){ bufs[0], BS };
	reqs[0].dreq = (struct disk_req){
		.op = DISK_OP_READ, .off = 0, .len = BS,
		.iov = &reqs[0].iov, .iovcnt = 1, .done = slow_done,
	};
	e->ops->queue(e, &reqs[0].dreq);
	e->ops->submit_batch(e);
	for (spins = 0; spins < 5000 &&
	     !__atomic_load_n(&slow_entered, __ATOMIC_SEQ_CST); spins++)
		usleep(100);
	e->ops->drain(e);
	return __atomic_load_n(&slow_left, __ATOMIC_SEQ_CST);
}

/* The child's status when no filter can be had (qemu-user, old kernels). */
#define NO_SECCOMP 77

static struct disk_engine *main_role_e;

/* As lkvm's main thread at shutdown: the filter, then drain(). */
static void *main_role_drain(void *arg)
{
	sc_enter(SC_ROLE_MAIN, -1);
	main_role_e->ops->drain(main_role_e);
	return NULL;
}

static int main_role_child(const char *path)
{
	struct disk_open_opts oo = { .no_lock = true };
	struct io_loop loop;
	struct disk *d;
	pthread_t t;

	if (sc_prepare(SC_MODE_ON) || !sc_active())
		return NO_SECCOMP;
	/* No VM: no KVM descriptors. */
	if (sc_build(&(struct sc_kvm_fds){ .vm_fd = -1, .flic_fd = -1 }))
		return 2;
	if (disk_open(&d, path, &oo, NULL, 0) || io_loop_init(&loop) ||
	    io_loop_start(&loop) || disk_uring_create(&main_role_e, d, &loop, 8))
		return 2;
	/* Nobody reaps but drain(): the short read waits for it. */
	io_loop_stop(&loop);
	one_req(main_role_e, DISK_OP_READ, (u64)BS * NR - 512, BS, false);
	usleep(20000);
	refuse_skip = 0;
	refuse = 2;
	if (pthread_create(&t, NULL, main_role_drain, NULL) ||
	    pthread_join(t, NULL))
		return 3;
	return reqs[0].done == 1 && reqs[0].dreq.result == -EIO ? 0 : 4;
}

static void test_main_role_drain(const char *path)
{
	int status;
	pid_t pid;

	pid = fork();
	if (!pid)
		_exit(main_role_child(path));
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		ok(0, "fork and wait");
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == NO_SECCOMP) {
		skip("seccomp filters cannot be installed here",
		     "drain() under the main thread's filter");
		return;
	}
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "drain() under the main thread's filter: a refused resubmission arms the retry timer, the read ends in EIO (status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* One flush through the ring, drained: its result. */
static s64 ring_flush(struct disk_engine *e)
{
	memset(&reqs[0], 0, sizeof(reqs[0]));
	reqs[0].dreq = (struct disk_req){ .op = DISK_OP_FLUSH, .done = t_done };
	e->ops->queue(e, &reqs[0].dreq);
	e->ops->submit_batch(e);
	e->ops->drain(e);
	return reqs[0].done == 1 ? reqs[0].dreq.result : -ENOENT;
}

/*
 * A flush whose fsync fails: the kernel may have dropped the dirty pages
 * and says so once; the next fsync succeeds. The guest must not be told
 * then that its data is safe: that flush and every later one fail. Last,
 * as it leaves d failing every flush.
 */
static void test_flush_errors(struct disk *d)
{
	struct disk_engine *e;
	struct io_loop loop;
	s64 r1, r2, r3;

	if (io_loop_init(&loop) || io_loop_start(&loop) ||
	    disk_uring_create(&e, d, &loop, 8))
		abort();
	r1 = ring_flush(e);
	fsync_fails = 1;
	r2 = ring_flush(e);
	r3 = ring_flush(e);
	ok(!r1 && r2 == -EINVAL,
	   "io_uring flush: a failing fsync fails the flush (%lld, %lld)",
	   (long long)r1, (long long)r2);
	ok(r3 == -EIO,
	   "io_uring flush: so does the next one, whose fsync succeeds (%lld)",
	   (long long)r3);
	/* RWF_DSYNC: durable on its own, but not a promise after that. */
	one_req(e, DISK_OP_WRITE, 0, BS, true);
	e->ops->drain(e);
	r1 = reqs[0].done == 1 ? reqs[0].dreq.result : -ENOENT;
	one_req(e, DISK_OP_WRITE, 0, BS, false);
	e->ops->drain(e);
	r2 = reqs[0].done == 1 ? reqs[0].dreq.result : -ENOENT;
	ok(r1 == -EIO && r2 == BS,
	   "io_uring: after it a write-through write fails, a cached one goes on (%lld, %lld)",
	   (long long)r1, (long long)r2);
	io_loop_stop(&loop);
	disk_engine_destroy(e);
	io_loop_destroy(&loop);
}

static u64 file_be64(int fd, u64 off)
{
	u64 v = 0;

	if (pread(fd, &v, 8, off) != 8)
		return 0;
	return be64toh(v);
}

/*
 * qcow2 keeps new L2 entries in memory until a FLUSH: a FLUSH through
 * the ring must reach the format (a worker), not only fsync the file. A
 * write, a flush, and the file itself (read apart from the image) has
 * the L2 entry and the data.
 */
static void test_qcow2_flush(void)
{
	struct disk_open_opts oo = { .no_lock = true };
	char path[] = "/tmp/lkvm-uring-q-XXXXXX", cmd[128];
	struct disk_engine *e;
	struct io_loop loop;
	struct disk *d;
	u64 l2, entry;
	s64 w, f;
	u8 back[BS];
	unsigned int mapped;
	int fd;

	fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "qemu-img create -q -f qcow2 -o cluster_size=4096 %s 1M >/dev/null 2>&1",
		 path);
	if (system(cmd)) {
		skip("qemu-img not installed", "qcow2 flush through the ring");
		unlink(path);
		return;
	}
	if (disk_open(&d, path, &oo, NULL, 0) || io_loop_init(&loop) ||
	    io_loop_start(&loop) || disk_uring_create(&e, d, &loop, 8))
		abort();
	memset(bufs[0], 0xa5, BS);
	one_req(e, DISK_OP_WRITE, 0, BS, false);
	e->ops->drain(e);
	w = reqs[0].done == 1 ? reqs[0].dreq.result : -ENOENT;
	f = ring_flush(e);
	fd = open(path, O_RDONLY);
	l2 = file_be64(fd, file_be64(fd, 40)) & 0x00fffffffffffe00ULL;
	entry = l2 ? file_be64(fd, l2) & 0x00fffffffffffe00ULL : 0;
	ok(w == BS && !f && entry &&
	   pread(fd, back, BS, entry) == BS && !memcmp(back, bufs[0], BS),
	   "io_uring, qcow2: after a FLUSH the file holds the write's L2 entry and data (%lld, %lld, 0x%llx)",
	   (long long)w, (long long)f, (unsigned long long)entry);
	close(fd);
	/*
	 * A read of it goes through the ring (mapped): once done, qcow2 is
	 * told (map_done()), or a commit that frees a cluster would wait
	 * for it for ever. Then a discard and a FLUSH that frees it.
	 */
	memset(bufs[0], 0, BS);
	one_req(e, DISK_OP_READ, 0, BS, false);
	e->ops->drain(e);
	w = reqs[0].done == 1 ? reqs[0].dreq.result : -ENOENT;
	mapped = __atomic_load_n(&((struct qcow2 *)d->priv)->mapped_reads,
				 __ATOMIC_ACQUIRE);
	ok(w == BS && bufs[0][0] == 0xa5 && !mapped,
	   "io_uring, qcow2: a mapped read done, none is counted out (%lld, %u)",
	   (long long)w, mapped);
	f = -ENOENT;
	if (!mapped) {
		memset(&reqs[0], 0, sizeof(reqs[0]));
		reqs[0].dreq = (struct disk_req){
			.op = DISK_OP_ZERO, .off = 0, .len = 4096,
			.unmap = true, .done = t_done,
		};
		e->ops->queue(e, &reqs[0].dreq);
		e->ops->submit_batch(e);
		e->ops->drain(e);
		w = reqs[0].done == 1 ? reqs[0].dreq.result : -ENOENT;
		f = w ?: ring_flush(e);
	}
	ok(!f, "io_uring, qcow2: then a discard and the FLUSH that frees the cluster complete (%lld)",
	   (long long)f);
	io_loop_stop(&loop);
	disk_engine_destroy(e);
	io_loop_destroy(&loop);
	disk_close(d);
	unlink(path);
}

int main(void)
{
	struct disk_open_opts oo = { .no_lock = true };
	char path[] = "/tmp/lkvm-uring-XXXXXX";
	struct disk_engine *e;
	struct io_loop loop;
	struct disk *d;
	int fd, ret;

	log_set_level(LOG_ERROR);
	if (pipe(spare_pipe))
		return 1;
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, (off_t)BS * NR))
		return 1;
	close(fd);
	/* First: the child is forked before this process starts threads. */
	test_main_role_drain(path);
	if (disk_open(&d, path, &oo, NULL, 0) || io_loop_init(&loop) ||
	    io_loop_start(&loop))
		return 1;
	ret = disk_uring_create(&e, d, &loop, NR);
	if (ret) {
		skip(strerror(-ret), "io_uring engine");
		goto out;
	}
	e->batch_done = t_batch;

	queue_all(e, DISK_OP_WRITE, 7);
	ok(wait_all(e), "32 writes complete without anyone waiting on the ring");
	reaper_done(e);
	ok(each_once_on(loop.thread),
	   "each completed once, in full, on the I/O thread");
	ok(batches >= 1 && batches <= NR,
	   "batch_done after the completions (%u batches)", batches);
	queue_all(e, DISK_OP_READ, 0);
	ok(wait_all(e) && each_once_on(loop.thread) && data_is(7),
	   "32 reads on the I/O thread return what was written");
	loop_thread = loop.thread;
	test_chunks(e);
	none_expected(e, &loop, "writes, reads, chunks");

	/* A read past the end comes back short: the engine resumes it. */
	memset(&reqs[0], 0, sizeof(reqs[0]));
	reqs[0].iov = (struct iovec){ bufs[0], BS };
	reqs[0].dreq = (struct disk_req){
		.op = DISK_OP_READ, .off = (u64)BS * NR - 512, .len = BS,
		.iov = &reqs[0].iov, .iovcnt = 1, .done = t_done,
	};
	completed = 0;
	e->ops->queue(e, &reqs[0].dreq);
	e->ops->submit_batch(e);
	e->ops->drain(e);
	ok(reqs[0].done == 1 && reqs[0].dreq.result == -EIO,
	   "a read past the end: short, resumed, then EIO, completed once (%lld)",
	   (long long)reqs[0].dreq.result);
	none_expected(e, &loop, "a short read");

	ok(drain_waits_for_done(e),
	   "drain() waits for a done() running on the I/O thread");

	/* The shutdown path: the loop is gone, drain() reaps. */
	io_loop_stop(&loop);
	queue_all(e, DISK_OP_WRITE, 40);
	e->ops->drain(e);
	ok(completed == NR && each_once_on(pthread_self()),
	   "I/O loop stopped: drain() from this thread completes all 32 once");
	queue_all(e, DISK_OP_READ, 0);
	e->ops->drain(e);
	ok(data_is(40), "and what they wrote reads back");
	none_expected(e, &loop, "I/O loop stopped");
	test_restricted(e);
	disk_engine_destroy(e);

	/* Faults, on a fresh engine with a running loop. */
	io_loop_destroy(&loop);
	if (io_loop_init(&loop) || io_loop_start(&loop) ||
	    disk_uring_create(&e, d, &loop, NR))
		return 1;
	e->batch_done = t_batch;
	test_faults(e, &loop);
	/*
	 * The loop stopped before the engine goes, as in lkvm: drain() waits
	 * for each done() to return, not for the rest of the I/O thread's
	 * reap (its submit, batch_done()), which would touch the freed engine.
	 */
	io_loop_stop(&loop);
	disk_engine_destroy(e);
	test_zero_fallback();
	test_flush_errors(d);
	test_qcow2_flush();
out:
	io_loop_destroy(&loop);
	disk_close(d);
	unlink(path);
	return tap_done();
}
