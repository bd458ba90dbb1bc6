// SPDX-License-Identifier: GPL-2.0
/*
 * A reset from the driver side while a 9p request is blocked in the
 * host's file system (tests/9p/blocked.h: a Tread whose worker waits on
 * a userfaultfd page, as on a hung NFS or FUSE mount).
 *
 * Twice, for a device reset (status 0) and for a queue reset (queue
 * disabled, then enabled again): a Tread blocks, a Tgetattr on its fid
 * waits for the fid and a Tflush for the Tread; the reset must return
 * within a second (it waits P9_RESET_MS), the two waiting requests must
 * give up (only the blocked one is left, abandoned); the device must
 * serve a new session (device reset: the fid the blocked request holds
 * is gone and can be made again) or the same one (queue reset: the root
 * fid is still there) with requests in flight together; then, the host
 * letting the blocked request go, it must end without a trace in the new
 * ring: no used entry, no byte of a reply in its buffers, nor in those of
 * the two that gave up. After the queue reset, whose fids stay, a request
 * on the fid the abandoned one holds waits for it on no thread (parked)
 * and is answered once it ends. Finally the device is destroyed at once.
 * ASan: make check-asan runs it built with the sanitizers (the fids
 * the reset drops under the blocked request are freed as it lets go).
 */
#include "log.h"
#include "tap.h"
#include "blocked.h"

#define SLOT_READ	1	/* the blocked Tread */
#define SLOT_GETATTR	2	/* waits for its fid */
#define SLOT_FLUSH	3	/* waits for it */
#define SLOT_NEW	4	/* after the reset: slots 4 .. 4 + NR_NEW */
#define NR_NEW		3
#define SLOT_PARKED	(SLOT_NEW + NR_NEW)	/* queue reset: waits for fid 1 */
#define GETATTR_BASIC	0x7ffULL	/* Tgetattr request_mask: P9_GETATTR_BASIC */

static u8 msg[64];

/* The device's request counts, under its lock. */
static void counts(struct c9 *c, unsigned int *inflight, unsigned int *stale,
		   bool *pending)
{
	pthread_mutex_lock(&c->dev.lock);
	*inflight = c->dev.nr_inflight;
	*stale = c->dev.nr_stale;
	*pending = c->dev.pending;
	pthread_mutex_unlock(&c->dev.lock);
}

/* Wait up to timeout_ms for (inflight, stale, nothing pending). */
static bool wait_counts(struct c9 *c, unsigned int inflight,
			unsigned int stale, unsigned int timeout_ms)
{
	unsigned int i, n, s;
	bool p;

	for (i = 0; i <= timeout_ms / 5; i++) {
		counts(c, &n, &s, &p);
		if (n == inflight && s == stale && !p)
			return true;
		usleep(5000);
	}
	return false;
}

/* Are slot's reply buffer's first n bytes (<= 64) as c9_post() left them? */
static bool untouched(struct c9 *c, unsigned int slot, unsigned int n)
{
	const u8 *p = c9_hva(c, c9_in(slot));
	unsigned int i;

	for (i = 0; i < n; i++)
		if (p[i] != 0xa5)
			return false;
	return true;
}

/* Read 4 KiB of fid 1 in one request: all 'x'? */
static bool read_ok(struct c9 *c)
{
	u32 count;
	const u8 *d;
	unsigned int i;

	if (c9_call(c, P9_TREAD, "dqd", 1, 0ULL, 4096) != P9_RREAD ||
	    p9_unpack(&c->rb, "d", &count) || count != 4096)
		return false;
	d = c->reply + P9_RREAD_HDR;
	for (i = 0; i < count; i++)
		if (d[i] != 'x')
			return false;
	return true;
}

/* NR_NEW Tgetattrs on fid (root) in flight together: all answered? */
static bool concurrent_ok(struct c9 *c)
{
	unsigned int i, slot, got = 0;
	u32 len;

	for (i = 0; i < NR_NEW; i++) {
		len = c9_build(msg, sizeof(msg), P9_TGETATTR, 100 + i, "dq", 0,
			       GETATTR_BASIC);
		c9_post(c, SLOT_NEW + i, msg, len, 4096);
	}
	c9_kick(c);
	for (i = 0; i < NR_NEW; i++) {
		if (!c9_reap(c, &slot, &len, 10000))
			return false;
		if (slot >= SLOT_NEW && slot < SLOT_NEW + NR_NEW &&
		    len > P9_HDRSZ && ((u8 *)c9_hva(c, c9_in(slot)))[4] ==
				      P9_RGETATTR)
			got++;
	}
	return got == NR_NEW;
}

static void scenario(bool device)
{
	const char *what = device ? "device reset" : "queue reset";
	struct virtio_device *v;
	const char *why = "";
	char dir[96];
	double t0, dt;
	unsigned int slot;
	bool parked;
	struct c9 c;
	u32 len;
	int uffd, r;

	uffd = b9_start(&c, dir, sizeof(dir), "reset", what, SLOT_READ);
	if (uffd < 0)
		return;
	v = &c.dev.vdev;
	ok(b9_open_file(&c), "%s: a file of the share is opened", what);
	ok(b9_block_tread(&c, uffd, SLOT_READ, 7),
	   "%s: a worker's Tread blocks in the host", what);
	len = c9_build(msg, sizeof(msg), P9_TGETATTR, 8, "dq", 1,
		       GETATTR_BASIC);
	c9_post(&c, SLOT_GETATTR, msg, len, 4096);
	len = c9_build(msg, sizeof(msg), P9_TFLUSH, 9, "w", 7);
	c9_post(&c, SLOT_FLUSH, msg, len, 4096);
	c9_kick(&c);
	ok(wait_counts(&c, 3, 0, 5000),
	   "%s: a Tgetattr on its fid and a Tflush of it are taken and wait",
	   what);
	usleep(50 * 1000);	/* into their waits */

	t0 = b9_now_s();
	if (device)
		virtio_set_status(v, 0);
	else
		virtio_queue_set_ready(v, 0, false);
	dt = b9_now_s() - t0;
	ok(dt < 1.0 && !virtio_queue_get_ready(v, 0) &&
	   (!device || virtio_get_status(v) == 0),
	   "%s: returns in %.3f s with a request blocked in the host", what,
	   dt);
	ok(wait_counts(&c, 0, 1, 2000),
	   "%s: the requests waiting for it gave up, it alone is abandoned",
	   what);

	if (device) {
		r = c9_start(&c, &why);
		ok(!r, "%s: the driver sets the device up again (%s)", what,
		   r ? why : "ok");
		ok(b9_open_file(&c),
		   "%s: a new session: attach, walk to the fid the blocked request holds, open",
		   what);
	} else {
		memset(c.ram, 0, C9_BUFS);
		c.avail_idx = 0;
		c.last_used = 0;
		virtio_queue_set_ready(v, 0, true);
		ok(virtio_queue_get_ready(v, 0) &&
		   c9_call(&c, P9_TGETATTR, "dq", 0, GETATTR_BASIC) ==
			   P9_RGETATTR,
		   "%s: the queue is enabled again, the session's root fid is still there",
		   what);
	}
	if (device)
		ok(read_ok(&c), "%s: a new Tread on the new fid reads the file",
		   what);
	ok(concurrent_ok(&c), "%s: %d requests in flight together are answered",
	   what, NR_NEW);
	if (!device) {
		/* The fids outlive a queue reset: fid 1 is still held. */
		len = c9_build(msg, sizeof(msg), P9_TGETATTR, 10, "dq", 1,
			       GETATTR_BASIC);
		c9_post(&c, SLOT_PARKED, msg, len, 4096);
		c9_kick(&c);
		usleep(100 * 1000);
		pthread_mutex_lock(&c.dev.lock);
		parked = c.dev.nr_parked == 1 && c.dev.nr_inflight == 1 &&
			 !c.dev.running && !c.dev.pending;
		pthread_mutex_unlock(&c.dev.lock);
		ok(parked,
		   "%s: a Tgetattr on the fid the abandoned request holds waits on no thread",
		   what);
	}

	/* The host lets the blocked request go. */
	close(uffd);
	ok(wait_counts(&c, 0, 0, 5000),
	   "%s: the abandoned request ends once the host lets it go", what);
	if (!device)
		ok(c9_reap(&c, &slot, &len, 1000) && slot == SLOT_PARKED &&
		   ((u8 *)c9_hva(&c, c9_in(slot)))[4] == P9_RGETATTR,
		   "%s: then the waiting Tgetattr is answered", what);
	ok(c9_r16(&c, C9_USED + 2) == c.last_used,
	   "%s: no late used entry in the new ring (used idx %u, expected %u)",
	   what, c9_r16(&c, C9_USED + 2), c.last_used);
	/*
	 * The Tread's data went straight from the file to its buffer (the
	 * first page's, before it blocked); its header would come last.
	 */
	ok(untouched(&c, SLOT_READ, P9_RREAD_HDR) &&
	   untouched(&c, SLOT_GETATTR, 64) && untouched(&c, SLOT_FLUSH, 64),
	   "%s: no late reply written to the old requests' buffers", what);
	if (device)
		ok(read_ok(&c), "%s: the device still serves afterwards", what);
	else
		ok(c9_call(&c, P9_TGETATTR, "dq", 1, GETATTR_BASIC) ==
			   P9_RGETATTR,
		   "%s: the fid the abandoned request held is free again",
		   what);

	t0 = b9_now_s();
	r = virtio_9p_destroy(&c.dev, 2000);
	dt = b9_now_s() - t0;
	ok(r == 0 && dt < 1.0, "%s: destroy returns %d in %.3f s", what, r,
	   dt);
	if (!r) {
		p9fs_close_share(c.fs);
		free(c.ram);
		free(c.reply);
	}
	b9_remove_share(dir);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	scenario(true);
	scenario(false);
	return tap_done();
}
