// SPDX-License-Identifier: GPL-2.0
/*
 * Real-peer test of lkvm's virtio device side: the driver side is Linux's
 * own drivers/virtio/virtio_ring.c (Debian linux-source-6.1, built in
 * userspace on the kernel's tools/virtio shims), the device side is lkvm's
 * queue code (peer-device.c). They share memory: the driver allocates from
 * an arena (peer-arena.c) that the device registers as guest RAM with
 * gpa == host address, since tools/virtio's virt_to_phys() is the identity.
 *
 *   peer-test [N]        TAP: every layout x EVENT_IDX x INDIRECT_DESC x
 *                        device notification batching, N (6250) mixed-size
 *                        buffers each, all bytes checked both ways
 *   peer-test --bench    table: buffers/s split vs packed vs bare memcpy
 *   peer-test --bench-one split|packed SIZE N THREADS
 *                        one bench run (for a profiler)
 *
 * Compiled against the kernel's headers only; talks to the device side
 * through peer.h.
 */
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/scatterlist.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>

#include "peer.h"
#include "../bench/halt-poll.h"

/* Required by tools/virtio's kernel.h shim; unused here. */
void *__kmalloc_fake, *__kfree_ignore_start, *__kfree_ignore_end;

/* Exported by virtio_ring.c, declared only in the real linux/virtio.h. */
dma_addr_t virtqueue_get_desc_addr(struct virtqueue *vq);
dma_addr_t virtqueue_get_avail_addr(struct virtqueue *vq);
dma_addr_t virtqueue_get_used_addr(struct virtqueue *vq);
unsigned int virtqueue_get_vring_size(struct virtqueue *vq);

#define ARENA_SIZE (256UL << 20)
#define WAIT_MS 5000
#define MAX_SG 3

static int tap_n, tap_failed;

static void tap(int pass, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

struct req {
	unsigned int seed;
	unsigned int nout, nin;
	unsigned char *out[MAX_SG], *in[MAX_SG];
	size_t out_len[MAX_SG], in_len[MAX_SG];
	size_t total_in;
};

struct drv {
	struct virtio_device vdev;
	struct virtqueue *vq;
	int kick, call;
	struct peer_dev *inline_dev;	/* bench: device runs in our thread */
	unsigned int *irq_pending;	/* the device's, set before call */
	struct halt_poll halt;		/* how the driver, a vCPU, waits */
	unsigned long long rng;
	unsigned long long interrupts, kicks;
};

static unsigned int rnd(struct drv *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return (unsigned int)(d->rng >> 16);
}

static bool drv_notify(struct virtqueue *vq)
{
	struct drv *d = vq->priv;
	unsigned long long one = 1;

	d->kicks++;
	if (d->inline_dev) {
		peer_dev_notify(d->inline_dev);
		return true;
	}
	return write(d->kick, &one, sizeof(one)) == sizeof(one);
}

static void drv_callback(struct virtqueue *vq)
{
}

/*
 * Wait for the device's interrupt, halted as a vCPU (asleep at once
 * unless d->halt polls), and deliver it like the IRQ would.
 */
static bool drv_wait_interrupt(struct drv *d)
{
	if (halt_poll_wait(&d->halt, d->irq_pending, d->call, WAIT_MS) != 1)
		return false;
	d->interrupts++;
	vring_interrupt(0, d->vq);
	return true;
}

static struct req *req_new(struct drv *d, bool small)
{
	struct req *r = calloc(1, sizeof(*r));
	size_t pos = 0;
	unsigned int i;

	if (!r)
		return NULL;
	r->seed = rnd(d) | 1;
	r->nout = 1 + rnd(d) % MAX_SG;
	r->nin = rnd(d) % (MAX_SG + 1);
	for (i = 0; i < r->nout; i++) {
		size_t len = (small ? 8 : 4 + rnd(d) % 4093) + (i ? 0 : 4);
		size_t j;

		r->out_len[i] = len;
		r->out[i] = malloc(len);
		if (!r->out[i])
			return NULL;
		for (j = 0; j < len; j++, pos++)
			r->out[i][j] = pos < 4 ? (r->seed >> (8 * pos)) & 0xff :
				       peer_pattern(r->seed, pos);
	}
	for (i = 0; i < r->nin; i++) {
		r->in_len[i] = small ? 8 : 1 + rnd(d) % 4096;
		r->in[i] = malloc(r->in_len[i]);
		if (!r->in[i])
			return NULL;
		memset(r->in[i], 0xee, r->in_len[i]);
		r->total_in += r->in_len[i];
	}
	return r;
}

static void req_free(struct req *r)
{
	unsigned int i;

	for (i = 0; i < r->nout; i++)
		free(r->out[i]);
	for (i = 0; i < r->nin; i++)
		free(r->in[i]);
	free(r);
}

static bool req_check(const struct req *r, unsigned int len)
{
	size_t pos = 0, j;
	unsigned int i;

	if (len != r->total_in)
		return false;
	for (i = 0; i < r->nin; i++)
		for (j = 0; j < r->in_len[i]; j++, pos++)
			if (r->in[i][j] != peer_reply(r->seed, pos))
				return false;
	return true;
}

static int req_add(struct drv *d, struct req *r)
{
	struct scatterlist sg[2 * MAX_SG], *sgs[2 * MAX_SG];
	unsigned int i, n = 0;

	for (i = 0; i < r->nout; i++, n++) {
		sg_init_one(&sg[n], r->out[i], r->out_len[i]);
		sgs[n] = &sg[n];
	}
	for (i = 0; i < r->nin; i++, n++) {
		sg_init_one(&sg[n], r->in[i], r->in_len[i]);
		sgs[n] = &sg[n];
	}
	return virtqueue_add_sgs(d->vq, sgs, r->nout, r->nin, r, GFP_ATOMIC);
}

static unsigned long long feat(bool packed, bool event, bool indirect)
{
	return (1ULL << VIRTIO_F_VERSION_1) |
	       (packed ? 1ULL << VIRTIO_F_RING_PACKED : 0) |
	       (event ? 1ULL << VIRTIO_RING_F_EVENT_IDX : 0) |
	       (indirect ? 1ULL << VIRTIO_RING_F_INDIRECT_DESC : 0);
}

static struct peer_dev *drv_open(struct drv *d, unsigned long long f,
				 unsigned int qsize, enum peer_dev_mode mode,
				 unsigned int poll_us, char *err,
				 size_t errlen)
{
	struct peer_dev *dev;

	memset(d, 0, sizeof(*d));
	d->rng = 0x9e3779b97f4a7c15ULL ^ f ^ qsize;
	d->vdev.features = f;
	INIT_LIST_HEAD(&d->vdev.vqs);
	spin_lock_init(&d->vdev.vqs_list_lock);
	d->kick = -1;
	d->call = eventfd(0, EFD_NONBLOCK);
	if (d->call < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return NULL;
	}
	d->vq = vring_create_virtqueue(0, qsize, 4096, &d->vdev, true, false,
				       false, drv_notify, drv_callback,
				       "peer");
	if (!d->vq) {
		snprintf(err, errlen, "vring_create_virtqueue failed");
		return NULL;
	}
	d->vq->priv = d;
	dev = peer_dev_create(f, virtqueue_get_vring_size(d->vq),
			      virtqueue_get_desc_addr(d->vq),
			      virtqueue_get_avail_addr(d->vq),
			      virtqueue_get_used_addr(d->vq), d->call, mode,
			      poll_us, err, errlen);
	halt_poll_init(&d->halt, false);
	if (dev) {
		d->kick = peer_dev_kick_fd(dev);
		d->irq_pending = peer_dev_irq_pending(dev);
	}
	return dev;
}

static void drv_close(struct drv *d)
{
	void *r;

	while ((r = virtqueue_detach_unused_buf(d->vq)))
		req_free(r);
	vring_del_virtqueue(d->vq);
	close(d->call);
}

struct run_result {
	unsigned long long done, bad, bytes;
	bool stalled;
	const char *error;
};

/*
 * Move n requests through the queue the way a Linux driver does: add until
 * full, kick, reap, re-enable callbacks (plain or delayed), wait for the
 * interrupt. A lost notification shows as a stall.
 */
static void drv_run(struct drv *d, unsigned long long n, bool small,
		    bool verify, struct run_result *res)
{
	unsigned long long started = 0;
	struct req *pending = NULL;

	memset(res, 0, sizeof(*res));
	while (res->done < n) {
		unsigned long long reaped;
		struct req *r;
		unsigned int len;
		bool more;

		virtqueue_disable_cb(d->vq);
		while (started < n) {
			int e;

			if (!pending)
				pending = req_new(d, small);
			if (!pending) {
				res->error = "out of arena memory";
				return;
			}
			e = req_add(d, pending);
			if (e == -ENOSPC)
				break;
			if (e) {
				res->error = "virtqueue_add_sgs failed";
				return;
			}
			pending = NULL;
			if ((++started & 31) == 0)
				virtqueue_kick(d->vq);
		}
		virtqueue_kick(d->vq);
		reaped = 0;
		while ((r = virtqueue_get_buf(d->vq, &len))) {
			if (verify && !req_check(r, len))
				res->bad++;
			res->bytes += len;
			res->done++;
			reaped++;
			req_free(r);
		}
		if (res->done == n)
			break;
		/* Room again: refill before waiting. */
		if (reaped && started < n)
			continue;
		more = (rnd(d) & 1) ? !virtqueue_enable_cb_delayed(d->vq) :
				      !virtqueue_enable_cb(d->vq);
		if (more)
			continue;
		if (!drv_wait_interrupt(d)) {
			res->stalled = true;
			break;
		}
	}
	if (pending)
		req_free(pending);
}

static void run_config(bool packed, bool event, bool indirect, bool batch,
		       unsigned int poll_us, unsigned int qsize,
		       unsigned long long n)
{
	char err[256] = "";
	struct peer_dev_result dr;
	struct run_result rr;
	struct peer_dev *dev;
	struct drv d;
	unsigned long long f = feat(packed, event, indirect);
	char name[96];

	snprintf(name, sizeof(name), "%s ring %u, %sEVENT_IDX, %sINDIRECT%s%s",
		 packed ? "packed" : "split", qsize, event ? "" : "no ",
		 indirect ? "" : "no ", batch ? ", device batching" : "",
		 poll_us ? ", I/O loop polls the ring" : "");
	dev = drv_open(&d, f, qsize, batch ? PEER_VERIFY_BATCH : PEER_VERIFY,
		       poll_us, err, sizeof(err));
	if (!dev) {
		tap(0, "%s: set-up: %s", name, err);
		return;
	}
	drv_run(&d, n, false, true, &rr);
	peer_dev_destroy(dev, &dr);
	tap(!rr.error && !rr.stalled && rr.done == n && rr.bad == 0,
	    "%s: %llu/%llu buffers back, %llu bad replies%s%s", name, rr.done,
	    n, rr.bad, rr.stalled ? ", STALLED (lost notification)" : "",
	    rr.error ? rr.error : "");
	tap(dr.chains == n && dr.bad_chains == 0 &&
	    !(dr.status & 0x40) && dr.config_signals == 0,
	    "%s: device saw %llu chains, %llu MB out, %llu MB in, %llu bad, status 0x%x (%llu kicks, %llu interrupts)",
	    name, dr.chains, dr.bytes_out >> 20, dr.bytes_in >> 20,
	    dr.bad_chains, dr.status, d.kicks, d.interrupts);
	drv_close(&d);
}

/*
 * Reset in the middle: move n buffers, leave a few more added but never
 * kicked, reset the device as Linux does on remove (status 0, then free
 * the ring, taking back the unused buffers), create a new ring -- other
 * layout, other size -- and bring the same device up on it, move n more.
 */
static void run_reset(bool packed_first, unsigned long long n)
{
	unsigned long long f1 = feat(packed_first, true, true);
	unsigned long long f2 = feat(!packed_first, true, false);
	unsigned int q1 = packed_first ? 100 : 128, q2 = packed_first ? 64 : 50;
	struct peer_dev_result dr;
	struct run_result r1, r2;
	struct peer_dev *dev;
	char err[256] = "";
	unsigned int i, unused = 0, st;
	struct drv d;
	void *b;
	int e;

	dev = drv_open(&d, f1, q1, PEER_VERIFY, 0, err, sizeof(err));
	if (!dev) {
		tap(0, "reset: set-up: %s", err);
		return;
	}
	drv_run(&d, n, false, true, &r1);
	for (i = 0; i < 10; i++) {
		struct req *r = req_new(&d, true);

		if (!r || req_add(&d, r))
			break;
	}
	peer_dev_reset(dev);
	st = peer_dev_status(dev);
	while ((b = virtqueue_detach_unused_buf(d.vq))) {
		req_free(b);
		unused++;
	}
	vring_del_virtqueue(d.vq);
	d.vdev.features = f2;
	d.vq = vring_create_virtqueue(0, q2, 4096, &d.vdev, true, false,
				      false, drv_notify, drv_callback, "peer");
	if (!d.vq) {
		tap(0, "reset: second vring_create_virtqueue failed");
		peer_dev_destroy(dev, &dr);
		return;
	}
	d.vq->priv = &d;
	e = peer_dev_setup(dev, f2, virtqueue_get_vring_size(d.vq),
			   virtqueue_get_desc_addr(d.vq),
			   virtqueue_get_avail_addr(d.vq),
			   virtqueue_get_used_addr(d.vq), err, sizeof(err));
	if (!e)
		drv_run(&d, n, false, true, &r2);
	peer_dev_destroy(dev, &dr);
	tap(r1.done == n && !r1.bad && i == 10 && unused == 10 && st == 0,
	    "reset (%s first): %llu buffers, then status 0 with 10 un-kicked buffers taken back (%u)",
	    packed_first ? "packed" : "split", r1.done, unused);
	/*
	 * A device may use available buffers it was not kicked for: a drain
	 * still running from the last kick can take some of the 10 before
	 * the reset (the driver gets them back as unused all the same).
	 */
	tap(!e && r2.done == n && !r2.bad && !r2.stalled &&
	    dr.chains >= 2 * n && dr.chains <= 2 * n + 10 &&
	    dr.bad_chains == 0 && !(dr.status & 0x40),
	    "reset (%s first): same device on a new %s ring of %u: %llu more buffers, device saw %llu%s%s",
	    packed_first ? "packed" : "split",
	    packed_first ? "split" : "packed", q2, e ? 0 : r2.done,
	    dr.chains, e ? ", set-up failed: " : "", e ? err : "");
	drv_close(&d);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One bench run: seconds taken, and the notifications per buffer. */
struct bench_run {
	double secs;
	double kicks, interrupts;
};

/*
 * Bench: n fixed-size requests (1 out + 1 in of `size` bytes, reused, no
 * checking) through a 256-entry queue with EVENT_IDX and INDIRECT_DESC,
 * the device on its own thread or (one_thread) run from the driver's kick.
 * Returns 0, or -1 on failure.
 */
static int bench_ring(bool packed, size_t size, unsigned long long n,
		      bool one_thread, unsigned int poll_us, bool check_free,
		      bool halt_poll, struct bench_run *run)
{
	unsigned char *a = malloc(size), *b = malloc(size);
	unsigned long long started = 0, done = 0, reaped;
	struct peer_dev_result dr;
	struct peer_dev *dev;
	char err[256] = "";
	struct drv d;
	unsigned int len;
	double t0, t = -1;

	dev = drv_open(&d, feat(packed, true, true), 256, PEER_COPY, poll_us,
		       err, sizeof(err));
	if (!dev || !a || !b) {
		printf("# bench set-up: %s\n", err);
		return -1;
	}
	if (one_thread)
		d.inline_dev = dev;
	halt_poll_init(&d.halt, halt_poll);
	memset(a, 1, size);
	t0 = now_s();
	while (done < n) {
		struct scatterlist sg[2], *sgs[2] = { &sg[0], &sg[1] };

		virtqueue_disable_cb(d.vq);
		while (started < n && (!check_free || d.vq->num_free)) {
			sg_init_one(&sg[0], a, size);
			sg_init_one(&sg[1], b, size);
			if (virtqueue_add_sgs(d.vq, sgs, 1, 1, a, GFP_ATOMIC))
				break;
			started++;
		}
		virtqueue_kick(d.vq);
		reaped = 0;
		while (virtqueue_get_buf(d.vq, &len))
			reaped++;
		done += reaped;
		if (done == n)
			break;
		if (reaped && started < n)
			continue;
		if (!virtqueue_enable_cb_delayed(d.vq))
			continue;
		if (!drv_wait_interrupt(&d))
			break;
	}
	if (done == n)
		t = now_s() - t0;
	peer_dev_destroy(dev, &dr);
	run->secs = t;
	run->kicks = (double)d.kicks / n;
	run->interrupts = (double)d.interrupts / n;
	drv_close(&d);
	free(a);
	free(b);
	return dr.chains == n && t > 0 ? 0 : -1;
}

/* The same bytes moved by bare memcpy: two copies per buffer. */
static double bench_memcpy(size_t size, unsigned long long n)
{
	unsigned char *a = malloc(size), *b = malloc(size);
	unsigned char *tmp = malloc(size);
	unsigned long long i;
	double t0, t;

	if (!a || !b || !tmp)
		return -1;
	memset(a, 1, size);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		memcpy(tmp, a, size);
		a[i % size] ^= tmp[(i * 7) % size];
		memcpy(b, tmp, size);
	}
	t = now_s() - t0;
	if (b[0] == 0xff)	/* keep the copies observable */
		printf("#\n");
	free(a);
	free(b);
	free(tmp);
	return t;
}

#define BENCH_ROUNDS 7

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of n values (sorts them). */
static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/*
 * Table of buffers/s: BENCH_ROUNDS rounds, each running split and packed
 * (in alternating order) and memcpy back to back, medians over the rounds
 * (the machine is shared: a ratio is taken within its round, where the
 * load is the same for both layouts).
 */
/* The device's three set-ups the bench compares. */
enum bench_mode {
	BENCH_POLL,	/* 2 threads, lkvm's I/O loop with its default polling */
	BENCH_POLL_NF,	/* the same, the driver adding only while num_free */
	BENCH_NOPOLL,	/* 2 threads, the I/O loop sleeps until each kick */
	BENCH_NOHALT,	/* BENCH_POLL with a driver that never halt-polls */
	BENCH_INLINE,	/* 1 thread: the device runs from the driver's kick */
	BENCH_MODES
};

static int bench_mode_run(bool packed, size_t size, unsigned long long n,
			  enum bench_mode m, struct bench_run *run)
{
	bool poll = m == BENCH_POLL || m == BENCH_POLL_NF ||
		    m == BENCH_NOHALT;

	return bench_ring(packed, size, n, m == BENCH_INLINE,
			  poll ? peer_default_poll_us() : 0,
			  m == BENCH_POLL_NF, m != BENCH_NOHALT, run);
}

static int ring_bench(void)
{
	static const size_t sizes[] = { 64, 1500, 4096, 65536 };
	unsigned int s, l, r, m;

	printf("# virtio ring throughput: Linux 6.1 virtio_ring.c driver <-> lkvm device (EVENT_IDX, INDIRECT, 256 entries)\n");
	printf("# each buffer: 1 readable + 1 writable of SIZE bytes; the device copies one into the other\n");
	printf("# 2thr: the device on lkvm's I/O loop (its own thread), eventfd kicks and interrupts, polling fds and ring\n");
	printf("#   for up to %u us as lkvm run's default --io-poll; nopoll: the same with --io-poll 0 (it sleeps until a kick);\n",
	       peer_default_poll_us());
	printf("#   1thr: the device run from the driver's kick\n");
	printf("# the driver stands for a vCPU: waiting for an interrupt it halt-polls for it as KVM does (module parameters\n");
	printf("#   halt_poll_ns=%llu here), then sleeps; nohalt: 2thr with a driver that sleeps at once\n",
	       (unsigned long long)halt_poll_param("halt_poll_ns", 200000));
	printf("# the driver adds until the ring refuses (as virtio-blk does), or, in nf, only while num_free (as virtio-net's\n");
	printf("#   transmit does): Linux's split add notifies the device whenever it refuses (\"for historical reasons\"), packed's does not\n");
	printf("# memcpy: the same two copies of SIZE bytes per buffer, no ring; x/cpy = ratio of buffers/s;\n");
	printf("# pk/sp: packed's buffers/s over split's in the same round;\n");
	printf("# kick/buf, irq/buf: notifications per buffer (2thr); medians of %d interleaved rounds\n",
	       BENCH_ROUNDS);
	printf("# %-6s %6s %11s %9s %11s %11s %11s %11s %12s %7s %8s %8s %8s %8s %8s %8s %8s\n",
	       "layout", "size", "2thr buf/s", "2thr MB/s", "nf buf/s",
	       "nopoll b/s", "nohalt b/s", "1thr buf/s", "memcpy buf/s",
	       "2t/cpy", "pk/sp 2t", "pk/sp nf", "pk/sp np", "pk/sp nh",
	       "pk/sp 1t", "kick/buf", "irq/buf");
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t size = sizes[s];
		unsigned long long n = size >= 65536 ? 50000 :
				       size >= 4096 ? 300000 : 600000;
		double t[BENCH_MODES][2][BENCH_ROUNDS];
		double pk[BENCH_MODES][BENCH_ROUNDS], pkm[BENCH_MODES];
		double kick[2][BENCH_ROUNDS], irq[2][BENCH_ROUNDS];
		double cpy[BENCH_ROUNDS], c;

		for (r = 0; r < BENCH_ROUNDS; r++) {
			for (l = 0; l < 2; l++) {
				unsigned int layout = l ^ (r & 1);

				for (m = 0; m < BENCH_MODES; m++) {
					struct bench_run run;

					if (bench_mode_run(layout, size, n, m,
							   &run)) {
						tap(0, "bench %s %zu B: run failed",
						    layout ? "packed" : "split",
						    size);
						return 1;
					}
					t[m][layout][r] = run.secs;
					if (m != BENCH_POLL)
						continue;
					kick[layout][r] = run.kicks;
					irq[layout][r] = run.interrupts;
				}
			}
			cpy[r] = bench_memcpy(size, n);
			if (cpy[r] <= 0) {
				tap(0, "bench memcpy %zu B: run failed", size);
				return 1;
			}
			for (m = 0; m < BENCH_MODES; m++)
				pk[m][r] = t[m][0][r] / t[m][1][r];
		}
		c = median(cpy, BENCH_ROUNDS);
		for (m = 0; m < BENCH_MODES; m++)
			pkm[m] = median(pk[m], BENCH_ROUNDS);
		for (l = 0; l < 2; l++) {
			double t2 = median(t[BENCH_POLL][l], BENCH_ROUNDS);
			double nf = median(t[BENCH_POLL_NF][l], BENCH_ROUNDS);
			double np = median(t[BENCH_NOPOLL][l], BENCH_ROUNDS);
			double nh = median(t[BENCH_NOHALT][l], BENCH_ROUNDS);
			double t1 = median(t[BENCH_INLINE][l], BENCH_ROUNDS);

			printf("# %-6s %6zu %11.0f %9.1f %11.0f %11.0f %11.0f %11.0f %12.0f %7.3f",
			       l ? "packed" : "split", size, n / t2,
			       n * (double)size / t2 / 1e6, n / nf, n / np,
			       n / nh, n / t1, n / c, c / t2);
			if (l)
				printf(" %8.2f %8.2f %8.2f %8.2f %8.2f",
				       pkm[BENCH_POLL], pkm[BENCH_POLL_NF],
				       pkm[BENCH_NOPOLL], pkm[BENCH_NOHALT],
				       pkm[BENCH_INLINE]);
			else
				printf(" %8s %8s %8s %8s %8s", "", "", "", "",
				       "");
			printf(" %8.3f %8.3f\n", median(kick[l], BENCH_ROUNDS),
			       median(irq[l], BENCH_ROUNDS));
			tap(1, "bench %s %zu B: %.0f buffers/s (2 threads), %.0f (num_free), %.0f (no polling), %.0f (1 thread)",
			    l ? "packed" : "split", size, n / t2, n / nf,
			    n / np, n / t1);
		}
		/*
		 * The target (issue 19): packed at least as fast as split,
		 * as lkvm runs its device. Equal rings differ by the noise
		 * of a shared machine, a few per cent either way: below 0.95
		 * is a real gap. Without polling split is ahead for a reason
		 * in the driver, not the ring: Linux's split add, finding
		 * the ring full, notifies the device anyway ("for historical
		 * reasons"), and those extra kicks keep the device awake;
		 * the packed add does not, so its device sleeps and is woken
		 * each time.
		 */
		tap(pkm[BENCH_POLL] >= 0.95, "bench %zu B: packed moves %.2fx split's buffers/s with 2 threads (median of %d rounds; target 1, noise 5%%)",
		    size, pkm[BENCH_POLL], BENCH_ROUNDS);
	}
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long long n = 6250;
	unsigned int p, e, i, b, poll_us;
	int r;

	r = peer_arena_init(ARENA_SIZE);
	if (r) {
		printf("not ok 1 - arena: %s\n1..1\n", strerror(-r));
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return ring_bench();
	/*
	 * One bench run, for a profiler: split|packed SIZE N THREADS
	 * [POLL_US] (default: lkvm run's --io-poll).
	 */
	if (argc >= 6 && argc <= 8 && !strcmp(argv[1], "--bench-one")) {
		struct bench_run run;
		size_t size = strtoul(argv[3], NULL, 0);

		n = strtoull(argv[4], NULL, 0);
		if (!size || !n ||
		    bench_ring(!strcmp(argv[2], "packed"), size, n,
			       !strcmp(argv[5], "1"),
			       argc >= 7 ? strtoul(argv[6], NULL, 0) :
			       peer_default_poll_us(), false,
			       !(argc == 8 && !strcmp(argv[7], "halt-poll=off")),
			       &run))
			return 1;
		printf("%s %zu B, %s thread(s): %.0f buffers/s, %.3f kicks, %.3f interrupts per buffer\n",
		       argv[2], size, argv[5], n / run.secs, run.kicks,
		       run.interrupts);
		return 0;
	}
	if (argc > 1)
		n = strtoull(argv[1], NULL, 0);
	/*
	 * 16 configurations x 6250 = 100k buffers by default, with the
	 * device woken by every kick (a lost notification stalls), then
	 * again with the I/O loop also polling the ring between kicks.
	 */
	for (poll_us = 0; poll_us <= peer_default_poll_us();
	     poll_us += peer_default_poll_us())
		for (b = 0; b < 2; b++)
			for (p = 0; p < 2; p++)
				for (e = 0; e < 2; e++)
					for (i = 0; i < 2; i++)
						run_config(p, e, i, b, poll_us,
							   p ? 100 : 128, n);
	run_reset(false, n / 4);
	run_reset(true, n / 4);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
