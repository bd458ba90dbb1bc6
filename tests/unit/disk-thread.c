// SPDX-License-Identifier: GPL-2.0
/*
 * devices/disk-thread.c on a disk whose reads block until enough of them
 * run at once: a new engine starts one worker, a batch as deep as the
 * engine's limit runs all at once (the pool grows to meet it), a deeper one
 * never runs more than the limit,
 * every request completes exactly once, drain waits for them all, and an
 * engine that has grown is destroyed cleanly.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "disk.h"
#include "log.h"
#include "tap.h"

#define MAX_REQS 64

/* The fake image: reads park until `target` run concurrently (or 2 s). */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int running, peak, target, reads;
};

static struct gate G = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static ssize_t gate_preadv(struct disk *d, const struct iovec *iov,
			   int iovcnt, u64 off)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&G.lock);
	G.reads++;
	G.running++;
	if (G.running > G.peak)
		G.peak = G.running;
	pthread_cond_broadcast(&G.cond);
	while (G.running < G.target &&
	       pthread_cond_timedwait(&G.cond, &G.lock, &until) != ETIMEDOUT)
		;
	/* Once the target is met, let the rest through. */
	G.target = 0;
	pthread_cond_broadcast(&G.cond);
	G.running--;
	pthread_mutex_unlock(&G.lock);
	return iov[0].iov_len;
}

static const struct disk_ops gate_ops = {
	.name = "gate",
	.preadv = gate_preadv,
};

struct t_req {
	struct disk_req dreq;
	struct iovec iov;
	unsigned int done;
};

static struct t_req reqs[MAX_REQS];
static u8 buf[MAX_REQS][512];

static void t_done(struct disk_req *r)
{
	struct t_req *t = container_of(r, struct t_req, dreq);

	__atomic_add_fetch(&t->done, 1, __ATOMIC_SEQ_CST);
}

static void gate_reset(unsigned int target)
{
	pthread_mutex_lock(&G.lock);
	G.running = G.peak = G.reads = 0;
	G.target = target;
	pthread_mutex_unlock(&G.lock);
}

/* Queue n reads as one batch, drain, check each completed exactly once. */
static bool run_batch(struct disk_engine *e, unsigned int n)
{
	unsigned int i;
	bool once = true;

	for (i = 0; i < n; i++) {
		struct t_req *t = &reqs[i];

		memset(t, 0, sizeof(*t));
		t->iov = (struct iovec){ buf[i], sizeof(buf[i]) };
		t->dreq = (struct disk_req){
			.op = DISK_OP_READ, .off = 512ULL * i, .len = 512,
			.iov = &t->iov, .iovcnt = 1, .done = t_done,
		};
		e->ops->queue(e, &t->dreq);
	}
	e->ops->submit_batch(e);
	e->ops->drain(e);
	for (i = 0; i < n; i++)
		once &= __atomic_load_n(&reqs[i].done, __ATOMIC_SEQ_CST) == 1 &&
			reqs[i].dreq.result == 512;
	return once;
}

/* Threads in this process, from /proc/self/task. */
static int nr_threads(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		n += de->d_name[0] != '.';
	closedir(dir);
	return n;
}

int main(void)
{
	struct disk d = { .ops = &gate_ops, .size = 512 * MAX_REQS,
			  .linear = true, .path = "gate" };
	struct disk_engine *e;
	unsigned int i;
	int before = nr_threads();
	bool all, once;

	log_set_level(LOG_ERROR);
	if (!ok(disk_thread_create(&e, &d, 4) == 0, "engine with 4 workers"))
		return tap_done();

	ok(nr_threads() == before + 1, "a new engine runs one worker (%d threads, %d before)",
	   nr_threads(), before);

	gate_reset(1);
	once = run_batch(e, 1);
	ok(once && G.peak == 1, "one request: completed once (peak %u running)",
	   G.peak);

	gate_reset(4);
	ok(run_batch(e, 4), "4 requests at once: each completed once");
	ok(G.peak == 4, "4 requests at once: all 4 ran together (peak %u)",
	   G.peak);

	gate_reset(5);
	ok(run_batch(e, 12), "12 requests: each completed once");
	ok(G.peak == 4, "12 requests: never more than the 4 workers (peak %u)",
	   G.peak);
	ok(G.reads == 12, "12 requests: 12 reads (%u)", G.reads);

	all = true;
	for (i = 0; i < 20; i++) {
		gate_reset(1);
		all &= run_batch(e, 1 + i % 3);
	}
	ok(all, "20 batches of 1-3 requests after growing: each completed once");
	disk_engine_destroy(e);
	ok(1, "destroy joins the grown pool");

	if (ok(disk_thread_create(&e, &d, 100) == 0,
	       "engine asked for 100 workers")) {
		gate_reset(DISK_THREAD_MAX + 1);
		run_batch(e, DISK_THREAD_MAX * 2);
		ok(G.peak == DISK_THREAD_MAX,
		   "capped at DISK_THREAD_MAX (%d): peak %u", DISK_THREAD_MAX,
		   G.peak);
		disk_engine_destroy(e);
	}
	return tap_done();
}
