// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-9p: the device. Chains are popped on the I/O thread (never
 * blocking it) onto a FIFO that P9_WORKERS threads serve, several
 * requests in flight; each worker copies a request into its own buffer,
 * answers it through struct p9_server and pushes the reply with its
 * length. A Tflush waits for the request it names (or serves it itself
 * if no worker has taken it yet), so its Rflush always comes after the
 * flushed request's reply. See include/virtio/9p.h.
 *
 * A reset (device or queue) never waits on the host's file system: it
 * drops the queued requests, ends the server's epoch so that requests
 * waiting for a fid or a flushed request give up, gives the running ones
 * P9_RESET_MS and abandons the rest to their workers (the stale list).
 * An abandoned request's reply is neither written to its buffers nor
 * pushed (its chain is of the ring before the reset); the fids it holds
 * outlive the server's reset until it lets go (virtio/9p-ops.c); its
 * worker then serves the queue again. No worker is started to replace
 * it: no thread starts once the seccomp filters are in (lib/seccomp-
 * policy.c), and a reset does not take a worker that the blocked request
 * did not already hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "seccomp-filter.h"
#include "virtio/9p-proto.h"
#include "virtio/9p.h"

struct p9_req {
	struct p9_req *next;
	struct virtq_chain chain;
	u64 epoch;		/* the server's at the pop */
	u16 tag, oldtag;
	u8 type;
	bool stale;		/* abandoned by a reset: on p->stale */
};

/* What one worker thread serves with. */
struct p9_worker {
	struct virtio_9p *p;
	u8 *in, *out;		/* P9_MSIZE_MAX each */
};

static void list_remove(struct p9_req **head, struct p9_req *r)
{
	for (; *head; head = &(*head)->next) {
		if (*head == r) {
			*head = r->next;
			r->next = NULL;
			return;
		}
	}
}

static void req_free(struct p9_req *r)
{
	virtq_chain_destroy(&r->chain);
	free(r);
}

/* p->lock held: the request is pushed or dropped. */
static void req_done(struct virtio_9p *p, struct p9_req *r)
{
	if (r->stale) {
		list_remove(&p->stale, r);
		p->nr_stale--;
	} else {
		list_remove(&p->running, r);
		p->nr_inflight--;
	}
	req_free(r);
	pthread_cond_broadcast(&p->done);
}

/* Answer one request and give its chain back. */
static void serve_one(struct p9_worker *w, struct p9_req *r)
{
	struct virtio_9p *p = w->p;
	struct virtq *vq = &p->vdev.vqs[0];
	u32 in_len, out_cap, n;

	struct p9_iobufs io = {
		.req = r->chain.iov, .nr_req = r->chain.nr_out,
		.rep = r->chain.iov + r->chain.nr_out, .nr_rep = r->chain.nr_in,
		.epoch = r->epoch,
	};

	/* Twrite's data and Rread's stay in the guest's buffers. */
	in_len = (u32)MIN(r->chain.out_len, r->type == P9_TWRITE ?
			  (u64)P9_TWRITE_HDR : (u64)P9_MSIZE_MAX);
	out_cap = (u32)MIN(r->chain.in_len, (u64)P9_MSIZE_MAX);
	in_len = (u32)virtq_chain_read(&r->chain, 0, w->in, in_len);
	n = p9_server_handle_io(&p->srv, w->in, in_len, w->out, out_cap, &io);
	/*
	 * Under vq->lock, which a reset takes to move the ring on: after
	 * one, the chain's buffers are the driver's again, nothing is
	 * written to them (a Tread's data already copied by the host is).
	 */
	virtq_lock(vq);
	if (virtq_chain_current(vq, &r->chain)) {
		if (virtq_chain_write(&r->chain, 0, w->out, io.flat) != io.flat)
			n = 0;
		if (!virtq_push(vq, &r->chain, n))
			virtio_queue_signal(vq);
	}
	virtq_unlock(vq);
	pthread_mutex_lock(&p->lock);
	p->requests++;
	if (n >= P9_HDRSZ && w->out[4] == P9_RLERROR)
		p->errors++;
	req_done(p, r);
	pthread_mutex_unlock(&p->lock);
}

/*
 * Tflush: the request it names (not a Tflush, not itself) is answered
 * first: served here if still queued, waited for if running.
 */
static void flush_target(struct p9_worker *w, struct p9_req *flush)
{
	struct virtio_9p *p = w->p;
	struct p9_req *t;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		/* A reset since: the request it names is dropped or abandoned. */
		if (flush->epoch != p9_server_epoch(&p->srv) || p->stopping)
			break;
		for (t = p->pending; t; t = t->next)
			if (t->tag == flush->oldtag && t->type != P9_TFLUSH)
				break;
		if (t) {
			list_remove(&p->pending, t);
			if (!p->pending)
				p->pending_tail = NULL;
			else
				for (p->pending_tail = p->pending;
				     p->pending_tail->next;
				     p->pending_tail = p->pending_tail->next)
					;
			t->next = p->running;
			p->running = t;
			pthread_mutex_unlock(&p->lock);
			serve_one(w, t);
			return;
		}
		for (t = p->running; t; t = t->next)
			if (t != flush && t->tag == flush->oldtag &&
			    t->type != P9_TFLUSH)
				break;
		if (!t)
			break;
		pthread_cond_wait(&p->done, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
}

static void landlock_worker(struct virtio_9p *p)
{
	const char *why = "";
	int r = p9fs_landlock_thread(&p->fs, 1, &why);

	if (r < 0)
		pr_warn_ratelimited("%s: Landlock: %s (%s)", p->vdev.name,
				    strerror(-r), why ? why : "");
	else if (r == 0)
		pr_ratelimited(LOG_INFO, "%s: no Landlock: %s", p->vdev.name,
			       why ? why : "");
}

/*
 * The tests' hook (lkvm.1, ENVIRONMENT): $LKVM_9P_SELFTEST names a host
 * file that each worker, once confined, opens for reading with the host's
 * own path walk (symbolic and magic links followed, no resolver) and
 * reports on. Beside a share, only Landlock refuses it (EACCES):
 * tests/integration/9p-landlock.sh.
 */
static void p9_selftest(void)
{
	const char *path = getenv("LKVM_9P_SELFTEST");
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_warn("9p self-test: %s: open %s: %s", sc_thread_name_get(),
			path, strerror(errno));
		return;
	}
	close(fd);
	pr_warn("9p self-test: %s: open %s: opened", sc_thread_name_get(),
		path);
}

static void *worker_main(void *arg)
{
	struct p9_worker *w = arg;
	struct virtio_9p *p = w->p;
	struct p9_req *r;

	landlock_worker(p);
	sc_thread_enter(SC_ROLE_P9, -1);
	p9_selftest();
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->pending && !p->stopping)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stopping)
			break;
		r = p->pending;
		p->pending = r->next;
		if (!p->pending)
			p->pending_tail = NULL;
		r->next = p->running;
		p->running = r;
		pthread_mutex_unlock(&p->lock);
		if (r->type == P9_TFLUSH)
			flush_target(w, r);
		serve_one(w, r);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	free(w->in);
	free(w->out);
	free(w);
	return NULL;
}

/* I/O thread, vq->lock held: queue every available chain. */
static void p9_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_9p *p = vdev->priv;
	u8 hdr[P9_HDRSZ + 2] = { 0 };
	struct p9_req *r;
	size_t n;

	for (;;) {
		r = calloc(1, sizeof(*r));
		if (!r) {
			pr_err_ratelimited("%s: out of memory", vdev->name);
			return;
		}
		virtq_chain_init(&r->chain);
		if (virtq_pop(vq, &r->chain) != 1) {
			req_free(r);
			return;
		}
		n = virtq_chain_read(&r->chain, 0, hdr, sizeof(hdr));
		r->type = n >= P9_HDRSZ ? hdr[4] : 0;
		r->tag = n >= P9_HDRSZ ? (u16)(hdr[5] | hdr[6] << 8) : P9_NOTAG;
		r->oldtag = n >= sizeof(hdr) ?
			    (u16)(hdr[7] | hdr[8] << 8) : P9_NOTAG;
		pthread_mutex_lock(&p->lock);
		r->epoch = p9_server_epoch(&p->srv);
		if (p->pending_tail)
			p->pending_tail->next = r;
		else
			p->pending = r;
		p->pending_tail = r;
		p->nr_inflight++;
		pthread_cond_signal(&p->work);
		pthread_mutex_unlock(&p->lock);
	}
}

/* Under p->lock: drop what no worker took. */
static void drop_pending(struct virtio_9p *p)
{
	struct p9_req *r;

	while ((r = p->pending)) {
		p->pending = r->next;
		p->nr_inflight--;
		req_free(r);
	}
	p->pending_tail = NULL;
}

/*
 * vCPU thread, vdev->lock held, the queue retired: drop what no worker
 * took, end the epoch (requests waiting for a fid or for Tversion's turn
 * give up), give the running requests P9_RESET_MS, abandon the rest.
 * Never longer: a guest must not hang its vCPU on the host's file system.
 */
static void p9_quiesce_queue(struct virtio_9p *p)
{
	struct timespec deadline;
	struct p9_req *r;
	unsigned int n = 0;

	deadline_in_ms(&deadline, P9_RESET_MS);
	pthread_mutex_lock(&p->lock);
	drop_pending(p);
	p9_server_cancel(&p->srv);
	pthread_cond_broadcast(&p->done);	/* Tflushes waiting: give up */
	while (p->running &&
	       !pthread_cond_clockwait(&p->done, &p->lock, CLOCK_MONOTONIC,
				       &deadline))
		;
	while ((r = p->running)) {
		p->running = r->next;
		r->stale = true;
		r->next = p->stale;
		p->stale = r;
		p->nr_inflight--;
		p->nr_stale++;
		n++;
	}
	pthread_cond_broadcast(&p->done);	/* nr_inflight moved: drain */
	pthread_mutex_unlock(&p->lock);
	if (n)
		pr_warn_ratelimited("%s: reset with %u request(s) blocked in the host's file system; their replies are dropped",
				    p->vdev.name, n);
}


static void p9_queue_reset(struct virtio_device *vdev, struct virtq *vq)
{
	p9_quiesce_queue(vdev->priv);
}

static void p9_reset(struct virtio_device *vdev)
{
	struct virtio_9p *p = vdev->priv;

	p9_quiesce_queue(p);
	p9_server_reset(&p->srv);
}

static u64 p9_features(struct virtio_device *vdev)
{
	return VIRTIO_BIT(VIRTIO_9P_MOUNT_TAG);
}

static const struct virtio_device_ops p9_ops = {
	.name = "9p",
	.device_id = VIRTIO_ID_9P,
	.get_features = p9_features,
	.queue_notify = p9_notify,
	.queue_pollable = virtio_queue_pollable_all,
	.queue_reset = p9_queue_reset,
	.reset = p9_reset,
};

static void stop_workers(struct virtio_9p *p)
{
	unsigned int i;

	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nr_workers; i++)
		pthread_join(p->workers[i], NULL);
	p->nr_workers = 0;
}

static int start_workers(struct virtio_9p *p)
{
	struct p9_worker *w;
	int r;

	while (p->nr_workers < P9_WORKERS) {
		w = calloc(1, sizeof(*w));
		if (w) {
			w->p = p;
			w->in = malloc(P9_MSIZE_MAX);
			w->out = malloc(P9_MSIZE_MAX);
		}
		if (!w || !w->in || !w->out) {
			if (w) {
				free(w->in);
				free(w->out);
			}
			free(w);
			return -ENOMEM;
		}
		r = -pthread_create(&p->workers[p->nr_workers], NULL,
				    worker_main, w);
		if (r) {
			free(w->in);
			free(w->out);
			free(w);
			return r;
		}
		p->nr_workers++;
	}
	return 0;
}

int virtio_9p_init(struct virtio_9p *p, struct p9fs *fs, const char *tag,
		   const struct guest_mem *mem, const char *name)
{
	size_t len = strlen(tag);
	int r;

	memset(p, 0, sizeof(*p));
	if (!len || len > sizeof(p->config) - 2)
		return -EINVAL;
	p->fs = fs;
	p->config[0] = (u8)len;
	p->config[1] = (u8)(len >> 8);
	memcpy(p->config + 2, tag, len);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	r = virtio_device_init(&p->vdev, &p9_ops, p, mem, name, 1,
			       P9_QUEUE_SIZE);
	if (r)
		goto fail;
	p->vdev.config = p->config;
	p->vdev.config_len = (u32)(2 + len);
	r = p9_server_init(&p->srv, fs, p->vdev.name);
	if (r)
		goto fail_dev;
	r = start_workers(p);
	if (r)
		goto fail_srv;
	return 0;
fail_srv:
	stop_workers(p);
	p9_server_destroy(&p->srv);
fail_dev:
	virtio_device_destroy(&p->vdev);
fail:
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	return r;
}

int virtio_9p_drain(struct virtio_9p *p, unsigned int timeout_ms)
{
	struct timespec deadline;
	bool left;

	deadline_in_ms(&deadline, timeout_ms);
	pthread_mutex_lock(&p->lock);
	while (p->nr_inflight && !p->stopping &&
	       !pthread_cond_clockwait(&p->done, &p->lock, CLOCK_MONOTONIC,
				       &deadline))
		;
	left = p->nr_inflight && !p->stopping;
	pthread_mutex_unlock(&p->lock);
	return left ? -ETIMEDOUT : 0;
}

int virtio_9p_destroy(struct virtio_9p *p, unsigned int timeout_ms)
{
	struct timespec deadline;
	unsigned int i;
	bool stuck;

	deadline_in_ms(&deadline, timeout_ms);
	pthread_mutex_lock(&p->lock);
	drop_pending(p);
	while ((p->running || p->stale) &&
	       !pthread_cond_clockwait(&p->done, &p->lock, CLOCK_MONOTONIC,
				       &deadline))
		;
	stuck = p->running || p->stale;
	if (stuck) {
		/*
		 * A worker is blocked in the host's file system (a hung NFS
		 * or FUSE mount). Its request, the device and the share stay
		 * as they are for it; the idle workers end, nothing waits.
		 */
		p->stopping = true;
		pthread_cond_broadcast(&p->work);
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	if (stuck) {
		for (i = 0; i < p->nr_workers; i++)
			pthread_detach(p->workers[i]);
		p->nr_workers = 0;
		return -EBUSY;
	}
	stop_workers(p);
	virtio_device_destroy(&p->vdev);
	p9_server_destroy(&p->srv);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	return 0;
}
