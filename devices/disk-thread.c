// SPDX-License-Identifier: GPL-2.0
/*
 * The fallback disk engine: worker threads that run requests with the
 * image's synchronous ops (preadv/pwritev/fdatasync...). Used when io_uring
 * is unavailable and for formats that are not linear (qcow2). One worker
 * starts with the engine; more are started, up to the engine's limit, when
 * a batch finds more requests waiting than idle workers, so a guest's
 * queue depth becomes the file's without idle threads for a quiet disk.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "disk.h"
#include "log.h"
#include "seccomp-filter.h"

struct disk_thread {
	struct disk_engine e;
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a request is queued or we stop */
	pthread_cond_t idle;	/* busy dropped to 0 */
	struct disk_req *head, *tail;	/* submitted, not started */
	struct disk_req *batch_head, *batch_tail;	/* queued only */
	unsigned int busy;	/* submitted, not completed */
	unsigned int waiting;	/* submitted, not started */
	unsigned int nr_idle;	/* workers waiting for work */
	unsigned int starting;	/* workers created, not yet running */
	bool stop;
	unsigned int nr_workers, max_workers;
	pthread_t workers[DISK_THREAD_MAX];
};

static void *disk_thread_worker(void *arg)
{
	struct disk_thread *t = arg;

	sc_thread_enter(SC_ROLE_DISK, -1);
	pthread_mutex_lock(&t->lock);
	t->starting--;
	for (;;) {
		struct disk_req *req;

		while (!t->head && !t->stop) {
			t->nr_idle++;
			pthread_cond_wait(&t->work, &t->lock);
			t->nr_idle--;
		}
		if (!t->head)
			break;
		req = t->head;
		t->head = req->next;
		if (!t->head)
			t->tail = NULL;
		t->waiting--;
		pthread_mutex_unlock(&t->lock);

		disk_req_execute(t->e.disk, req);
		req->done(req);
		if (t->e.batch_done)
			t->e.batch_done(t->e.batch_opaque);

		pthread_mutex_lock(&t->lock);
		if (--t->busy == 0)
			pthread_cond_broadcast(&t->idle);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void disk_thread_queue(struct disk_engine *e, struct disk_req *req)
{
	struct disk_thread *t = container_of(e, struct disk_thread, e);

	req->next = NULL;
	pthread_mutex_lock(&t->lock);
	if (t->batch_tail)
		t->batch_tail->next = req;
	else
		t->batch_head = req;
	t->batch_tail = req;
	t->busy++;
	pthread_mutex_unlock(&t->lock);
}

/* With t->lock held. A failure leaves the workers there are to it. */
static int disk_thread_spawn(struct disk_thread *t)
{
	int ret = pthread_create(&t->workers[t->nr_workers], NULL,
				 disk_thread_worker, t);

	if (ret) {
		pr_warn_ratelimited("%s: cannot start a disk worker: %s",
				    t->e.disk->path, strerror(ret));
		return -ret;
	}
	t->nr_workers++;
	t->starting++;
	return 0;
}

static void disk_thread_submit(struct disk_engine *e)
{
	struct disk_thread *t = container_of(e, struct disk_thread, e);
	struct disk_req *req;
	unsigned int n = 0;

	pthread_mutex_lock(&t->lock);
	if (t->batch_head) {
		for (req = t->batch_head; req; req = req->next)
			n++;
		t->waiting += n;
		if (t->tail)
			t->tail->next = t->batch_head;
		else
			t->head = t->batch_head;
		t->tail = t->batch_tail;
		t->batch_head = t->batch_tail = NULL;
		while (t->waiting > t->nr_idle + t->starting &&
		       t->nr_workers < t->max_workers)
			if (disk_thread_spawn(t))
				break;
		/* Wake as many as there is work for, not the whole pool. */
		for (n = MIN(n, t->nr_idle); n; n--)
			pthread_cond_signal(&t->work);
	}
	pthread_mutex_unlock(&t->lock);
}

static void disk_thread_drain(struct disk_engine *e)
{
	struct disk_thread *t = container_of(e, struct disk_thread, e);

	disk_thread_submit(e);
	pthread_mutex_lock(&t->lock);
	while (t->busy)
		pthread_cond_wait(&t->idle, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

static void disk_thread_destroy(struct disk_engine *e)
{
	struct disk_thread *t = container_of(e, struct disk_thread, e);
	unsigned int i;

	disk_thread_drain(e);
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_broadcast(&t->work);
	pthread_mutex_unlock(&t->lock);
	for (i = 0; i < t->nr_workers; i++)
		pthread_join(t->workers[i], NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->work);
	pthread_cond_destroy(&t->idle);
	free(t);
}

static const struct disk_engine_ops disk_thread_ops = {
	.name = "threads",
	.queue = disk_thread_queue,
	.submit_batch = disk_thread_submit,
	.drain = disk_thread_drain,
	.destroy = disk_thread_destroy,
};

int disk_thread_create(struct disk_engine **out, struct disk *disk,
		       unsigned int max_workers)
{
	struct disk_thread *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return -ENOMEM;
	if (max_workers == 0)
		max_workers = 1;
	if (max_workers > DISK_THREAD_MAX)
		max_workers = DISK_THREAD_MAX;
	t->e.ops = &disk_thread_ops;
	t->e.disk = disk;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->work, NULL);
	pthread_cond_init(&t->idle, NULL);
	t->max_workers = max_workers;
	/*
	 * One worker from the start: later ones may fail to start. Under
	 * seccomp filters no thread can start later: all of them now.
	 */
	pthread_mutex_lock(&t->lock);
	ret = disk_thread_spawn(t);
	while (!ret && sc_pools_eager() && t->nr_workers < t->max_workers)
		ret = disk_thread_spawn(t);
	pthread_mutex_unlock(&t->lock);
	if (ret) {
		disk_thread_destroy(&t->e);
		return ret;
	}
	*out = &t->e;
	return 0;
}
