// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-9p: the device. Chains are popped on the I/O thread (never
 * blocking it) onto a FIFO that the device's pool of threads serves,
 * several requests in flight; each worker copies a request into its own
 * buffer, answers it into another through struct p9_server and pushes
 * the reply with its length. A Tflush whose request is still queued serves it first; one
 * whose request is running waits on the flushing list, holding no thread,
 * and the thread that finishes that request answers it, so its Rflush
 * always comes after the flushed request's reply. See
 * include/virtio/9p.h.
 *
 * The pool: P9_MAX_WORKERS threads, all started with the device (no
 * thread starts once the seccomp filters are in, lib/seccomp-policy.c),
 * at most P9_WORKERS of them serving requests at once. A thread that has
 * served one request for slow_ms is stuck (a hung NFS or FUSE mount, a
 * request waiting for a fid a stuck one holds): it no longer counts, and
 * an idle thread takes the next queued request in its place. Threads are
 * bounded: with every one taken requests queue, and one rate-limited line
 * says the share is blocked in the host's file system.
 *
 * A reset (device or queue) never waits on the host's file system: it
 * drops the queued requests and the waiting Tflushes, ends the server's
 * epoch so that requests waiting for a fid give up, gives the running
 * ones P9_RESET_MS and abandons the rest to their workers (the stale
 * list). An abandoned request never touches the guest's memory again:
 * a worker copies a request whole into its own buffer while the chain is
 * current and builds the whole reply (Rread's data too) in its other,
 * copied to the chain only if it is still current (reply_copy()); so
 * its reply is neither written to its buffers nor pushed, and a blocked
 * Twrite writes the bytes of the request as popped; the fids it
 * holds outlive the server's reset until it lets go (virtio/9p-fids.c);
 * its worker then serves the queue again, the others serving meanwhile.
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
	struct p9_req *target;	/* on p->flushing: the running one it flushes */
	u64 fid_gen;		/* on p->parked: p9_server_fid_gen() then */
	u16 tag, oldtag;
	u8 type;
	bool stale;		/* abandoned by a reset: on p->stale */
	bool flushed;		/* a Tflush names it: it waits for no fid */
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

/*
 * p->lock held: the request is pushed or dropped. The Tflushes waiting
 * for it go on the running list and are returned (linked by ->target),
 * for the caller to answer now, after its reply.
 */
static struct p9_req *req_done(struct virtio_9p *p, struct p9_req *r)
{
	struct p9_req **pp = &p->flushing, *f, *flushes = NULL;

	while ((f = *pp)) {
		if (f->target != r) {
			pp = &f->next;
			continue;
		}
		*pp = f->next;
		f->next = p->running;
		p->running = f;
		f->target = flushes;
		flushes = f;
	}
	if (r->stale) {
		list_remove(&p->stale, r);
		p->nr_stale--;
	} else {
		list_remove(&p->running, r);
		p->nr_inflight--;
	}
	req_free(r);
	pthread_cond_broadcast(&p->done);
	return flushes;
}

/* Under p->lock: r first on the pending list, for a thread to take. */
static void pending_push_front(struct virtio_9p *p, struct p9_req *r)
{
	r->next = p->pending;
	p->pending = r;
	if (!p->pending_tail)
		p->pending_tail = r;
	pthread_cond_signal(&p->work);
}

/*
 * Under p->lock: a parked request comes back to the queue once a fid was
 * let go since it parked (p9_server_fid_gen() moved on).
 */
static void unpark(struct virtio_9p *p)
{
	u64 gen = p9_server_fid_gen(&p->srv);
	struct p9_req **pp = &p->parked, *r;

	while ((r = *pp)) {
		if (r->fid_gen == gen) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		p->nr_parked--;
		pending_push_front(p, r);
	}
}

/*
 * Under p->lock: r, running, must wait for a busy fid (io.parked): it
 * lets go of its thread until a fid is let go. Of an ended epoch (a
 * reset since) it is dropped; named by a Tflush, served again at once
 * (it then gives up instead of waiting).
 */
static struct p9_req *park(struct virtio_9p *p, struct p9_req *r, u64 gen)
{
	struct p9_req *f;

	if (r->stale || r->epoch != p9_server_epoch(&p->srv) || p->stopping)
		return req_done(p, r);
	list_remove(&p->running, r);
	for (f = p->flushing; f; f = f->next)
		if (f->target == r)
			break;
	if (f) {
		r->flushed = true;
		pending_push_front(p, r);
		return NULL;
	}
	r->fid_gen = gen;
	r->next = p->parked;
	p->parked = r;
	p->nr_parked++;
	unpark(p);
	return NULL;
}

/*
 * The guest's buffers of r's chain are copied from or to without
 * vq->lock (up to msize: Twrite's, Rread's data), so that the I/O thread
 * and the other workers go on meanwhile; but only while the chain is
 * current, and registered in p->copying under vq->lock. A reset marks
 * the chains stale (vq->gen, under vq->lock) before p9_quiesce_queue()
 * waits there for p->copying to drop to 0: a copy registered before
 * ends before the reset returns, one after finds its chain stale and
 * touches nothing. The chain's buffers were checked against guest RAM
 * at its pop, and lkvm never changes the RAM layout while a device runs.
 *
 * copy_begin(): true, the copy registered, if r's chain is current.
 */
static bool copy_begin(struct virtio_9p *p, struct virtq *vq,
		       const struct p9_req *r)
{
	bool current;

	virtq_lock(vq);
	current = virtq_chain_current(vq, &r->chain);
	if (current)
		p->copying++;
	virtq_unlock(vq);
	return current;
}

/* The copy is done: returns with vq->lock held. */
static void copy_end_lock(struct virtio_9p *p, struct virtq *vq)
{
	virtq_lock(vq);
	if (!--p->copying)
		pthread_cond_broadcast(&p->copied);
}

/*
 * Copy the whole request into buf while its chain is current: false,
 * nothing read, once a reset took the chain's buffers back. The request
 * is then served from the copy: the guest's buffers are never read
 * again.
 */
static bool copy_request(struct virtio_9p *p, struct virtq *vq,
			 struct p9_req *r, u8 *buf, u32 *len)
{
	if (!copy_begin(p, vq, r))
		return false;
	*len = (u32)virtq_chain_read(&r->chain, 0, buf,
				     MIN(r->chain.out_len, (u64)P9_MSIZE_MAX));
	copy_end_lock(p, vq);
	virtq_unlock(vq);
	return true;
}

/*
 * Copy the reply out[0, n) into r's chain and push it, both only while
 * the chain is current: after a reset its buffers are the driver's.
 */
static void reply_copy(struct virtio_9p *p, struct virtq *vq,
		       struct p9_req *r, const u8 *out, u32 n)
{
	if (n && copy_begin(p, vq, r)) {
		if (virtq_chain_write(&r->chain, 0, out, n) != n)
			n = 0;
		copy_end_lock(p, vq);
	} else {
		virtq_lock(vq);
	}
	if (virtq_chain_current(vq, &r->chain) &&
	    !virtq_push(vq, &r->chain, n))
		virtio_queue_signal(vq);
	virtq_unlock(vq);
}

/*
 * Answer one request and give its chain back; then its Tflushes. The
 * request and its reply stay in the worker's buffers (Twrite's data and
 * Rread's too): a request a reset abandons while blocked in the host's
 * file system never touches the guest's memory again.
 */
static void serve_one(struct p9_worker *w, struct p9_req *r)
{
	struct virtio_9p *p = w->p;
	struct virtq *vq = &p->vdev.vqs[0];
	struct p9_req *flushes;
	u32 in_len = 0, out_cap, n = 0;

	struct p9_iobufs io = {
		.epoch = r->epoch, .park = true, .flushed = r->flushed,
	};

	out_cap = (u32)MIN(r->chain.in_len, (u64)P9_MSIZE_MAX);
	if (!copy_request(p, vq, r, w->in, &in_len))
		goto push;
	n = p9_server_handle_io(&p->srv, w->in, in_len, w->out, out_cap, &io);
	if (io.parked) {
		pthread_mutex_lock(&p->lock);
		flushes = park(p, r, io.fid_gen);
		pthread_mutex_unlock(&p->lock);
		goto flushes;
	}
push:
	reply_copy(p, vq, r, w->out, n);
	pthread_mutex_lock(&p->lock);
	p->requests++;
	if (n >= P9_HDRSZ && w->out[4] == P9_RLERROR)
		p->errors++;
	flushes = req_done(p, r);
	unpark(p);
	pthread_mutex_unlock(&p->lock);
flushes:
	/* A Tflush is never flushed: no deeper than this. */
	while ((r = flushes)) {
		flushes = r->target;
		r->target = NULL;
		serve_one(w, r);
	}
}

/* Under p->lock: r off the pending list. */
static void pending_remove(struct virtio_9p *p, struct p9_req *r)
{
	list_remove(&p->pending, r);
	for (p->pending_tail = p->pending;
	     p->pending_tail && p->pending_tail->next;
	     p->pending_tail = p->pending_tail->next)
		;
}

/*
 * Tflush: the request it names (not a Tflush, not itself) is answered
 * first. Still queued or parked: served here, giving up rather than
 * waiting for a fid, then the Tflush (false). Running:
 * the Tflush waits on p->flushing for serve_one() to answer it after
 * that request, and the thread is free (true). Neither (gone, or a reset
 * since): the Tflush is answered now (false).
 */
static bool flush_target(struct p9_worker *w, struct p9_req *flush)
{
	struct virtio_9p *p = w->p;
	struct p9_req *t;

	pthread_mutex_lock(&p->lock);
	if (flush->epoch != p9_server_epoch(&p->srv) || p->stopping) {
		pthread_mutex_unlock(&p->lock);
		return false;
	}
	for (t = p->pending; t; t = t->next)
		if (t->tag == flush->oldtag && t->type != P9_TFLUSH)
			break;
	if (t) {
		pending_remove(p, t);
	} else {
		for (t = p->parked; t; t = t->next)
			if (t->tag == flush->oldtag)
				break;
		if (t) {
			list_remove(&p->parked, t);
			p->nr_parked--;
		}
	}
	if (t) {
		/* Served now, without waiting for a fid, then the Tflush. */
		t->flushed = true;
		t->next = p->running;
		p->running = t;
		pthread_mutex_unlock(&p->lock);
		serve_one(w, t);
		return false;
	}
	for (t = p->running; t; t = t->next)
		if (t != flush && t->tag == flush->oldtag &&
		    t->type != P9_TFLUSH)
			break;
	if (t) {
		list_remove(&p->running, flush);
		flush->target = t;
		flush->next = p->flushing;
		p->flushing = flush;
	}
	pthread_mutex_unlock(&p->lock);
	return t != NULL;
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

/* Under p->lock: how the pool's threads stand at now. */
struct pool_count {
	unsigned int busy;	/* serving a request */
	unsigned int stuck;	/* of those, for slow_ms or longer */
	u64 next_ns;		/* when the next busy one becomes stuck */
};

static struct pool_count pool_count(struct virtio_9p *p, u64 now)
{
	u64 slow = (u64)p->slow_ms * 1000000ULL, since;
	struct pool_count c = { 0 };
	unsigned int i;

	for (i = 0; i < p->nr_workers; i++) {
		since = p->workers[i].since_ns;
		if (!since)
			continue;
		c.busy++;
		if (now - since >= slow)
			c.stuck++;
		else if (!c.next_ns || since + slow < c.next_ns)
			c.next_ns = since + slow;
	}
	return c;
}

/*
 * Under p->lock, a request just queued or taken: with requests queued,
 * every thread serving and one of them stuck, they wait for the host;
 * say so once (until a thread is free again), rate-limited.
 */
static void pool_check_blocked(struct virtio_9p *p, struct pool_count c)
{
	if (c.busy < p->nr_workers) {
		p->blocked = false;
		return;
	}
	if (!c.stuck || !p->pending || p->blocked)
		return;
	p->blocked = true;
	pr_warn_ratelimited("%s: all %u threads are taken, %u of them blocked in the host's file system for over %u ms; requests queue until one returns",
			    p->vdev.name, p->nr_workers, c.stuck, p->slow_ms);
}

/*
 * Under p->lock: the next request for w, waiting for one; NULL when the
 * device stops. At most P9_WORKERS threads serve requests that are not
 * stuck; past that, a queued request waits for one to finish or to
 * become stuck.
 */
static struct p9_req *take_request(struct virtio_9p *p, struct p9_worker *w)
{
	struct timespec ts;
	struct pool_count c;
	struct p9_req *r;
	u64 now;

	for (;;) {
		if (p->stopping)
			return NULL;
		if (!p->pending) {
			pthread_cond_wait(&p->work, &p->lock);
			continue;
		}
		now = mono_now_ns();
		c = pool_count(p, now);
		if (c.busy - c.stuck < P9_WORKERS)
			break;
		/* Every place taken: until the first may be stuck. */
		ts.tv_sec = (time_t)(c.next_ns / 1000000000ULL);
		ts.tv_nsec = (long)(c.next_ns % 1000000000ULL);
		pthread_cond_clockwait(&p->work, &p->lock, CLOCK_MONOTONIC,
				       &ts);
	}
	if (c.stuck)
		p->spares++;
	r = p->pending;
	p->pending = r->next;
	if (!p->pending)
		p->pending_tail = NULL;
	r->next = p->running;
	p->running = r;
	w->since_ns = now;
	c.busy++;
	pool_check_blocked(p, c);
	return r;
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
	while ((r = take_request(p, w))) {
		pthread_mutex_unlock(&p->lock);
		if (r->type != P9_TFLUSH || !flush_target(w, r))
			serve_one(w, r);
		pthread_mutex_lock(&p->lock);
		w->since_ns = 0;
	}
	pthread_mutex_unlock(&p->lock);
	free(w->in);
	free(w->out);
	w->in = w->out = NULL;
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
		pool_check_blocked(p, pool_count(p, mono_now_ns()));
		pthread_mutex_unlock(&p->lock);
	}
}

/* Under p->lock: drop what no worker took, the waiting Tflushes, the parked. */
static void drop_pending(struct virtio_9p *p)
{
	struct p9_req *r;

	while ((r = p->pending)) {
		p->pending = r->next;
		p->nr_inflight--;
		req_free(r);
	}
	p->pending_tail = NULL;
	while ((r = p->flushing)) {
		p->flushing = r->next;
		p->nr_inflight--;
		req_free(r);
	}
	while ((r = p->parked)) {
		p->parked = r->next;
		p->nr_parked--;
		p->nr_inflight--;
		req_free(r);
	}
}

/*
 * vCPU thread, vdev->lock held, the queue retired: wait for the copies
 * from or to its chains in progress (copy_begin(): each at most msize,
 * never the host's file system); drop what no worker took and the waiting
 * Tflushes, end the epoch (requests waiting for a fid or for Tversion's
 * turn give up), give the running requests P9_RESET_MS, abandon the
 * rest. Never longer: a guest must not hang its vCPU on the host's file
 * system. Lock order: vq->lock, then p->lock (as p9_notify()); neither
 * is held while a worker copies.
 */
static void p9_quiesce_queue(struct virtio_9p *p)
{
	struct virtq *vq = &p->vdev.vqs[0];
	struct timespec deadline;
	struct p9_req *r;
	unsigned int n = 0;

	virtq_lock(vq);
	while (p->copying)
		pthread_cond_wait(&p->copied, &vq->lock);
	virtq_unlock(vq);
	deadline_in_ms(&deadline, P9_RESET_MS);
	pthread_mutex_lock(&p->lock);
	drop_pending(p);
	p9_server_cancel(&p->srv);
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
		pthread_join(p->workers[i].thread, NULL);
	p->nr_workers = 0;
}

/*
 * The whole pool now, spares included: no thread can start once the
 * seccomp filters are in. An idle spare costs its stack and buffers'
 * address space, not their pages.
 */
static int start_workers(struct virtio_9p *p)
{
	struct p9_worker *w;
	int r;

	while (p->nr_workers < P9_MAX_WORKERS) {
		w = &p->workers[p->nr_workers];
		w->p = p;
		w->since_ns = 0;
		w->in = malloc(P9_MSIZE_MAX);
		w->out = malloc(P9_MSIZE_MAX);
		r = w->in && w->out ? -pthread_create(&w->thread, NULL,
						      worker_main, w) : -ENOMEM;
		if (r) {
			free(w->in);
			free(w->out);
			w->in = w->out = NULL;
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
	p->slow_ms = P9_SPARE_MS;
	p->config[0] = (u8)len;
	p->config[1] = (u8)(len >> 8);
	memcpy(p->config + 2, tag, len);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	pthread_cond_init(&p->copied, NULL);
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
	pthread_cond_destroy(&p->copied);
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
			pthread_detach(p->workers[i].thread);
		p->nr_workers = 0;
		return -EBUSY;
	}
	stop_workers(p);
	virtio_device_destroy(&p->vdev);
	p9_server_destroy(&p->srv);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->copied);
	return 0;
}
