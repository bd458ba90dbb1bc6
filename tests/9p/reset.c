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
 * The abandoned Tread's buffer, which the driver refills after the
 * reset, must be left as the driver refilled it (the device reads into
 * its own buffer and copies to the guest's only while the chain is
 * current).
 *
 * Then, for both resets, a Twrite blocked in the host (on the file's
 * lock, which a thread of this test holds in a write of its own that
 * waits on a userfaultfd page) is abandoned, the driver changes its
 * buffer, the host lets it go: the file must get the bytes the guest had
 * when it submitted the Twrite (the device writes from its own copy).
 *
 * Then, for both resets, a Tread's 64 KiB reply is being copied to the
 * guest's buffer, held on a page of it (userfaultfd, as a slow copy):
 * a Tgetattr on the same queue must be answered meanwhile (the copy runs
 * without the queue's lock); a reset must wait for the copy (at most
 * msize) and the buffer the driver refills once it returned must be left
 * as it is, no used entry for the Tread (the reset took the ring while
 * the copy ran). (Copied under the queue's lock, the Tgetattr waits for
 * the copy; a reset that did not wait would let the copy go on into the
 * refilled buffer.)
 * ASan: make check-asan runs it built with the sanitizers (the fids
 * the reset drops under the blocked request are freed as it lets go).
 */
#include <pthread.h>

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
#define SLOT_WRITE	1	/* the blocked Twrite */
#define WRITE_OFF	8192	/* where it writes in "g" */
#define WRITE_LEN	4096

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

/* How many of slot's reply buffer's first n bytes are not 0xa5. */
static unsigned int changed(struct c9 *c, unsigned int slot, u32 n)
{
	const u8 *p = c9_hva(c, c9_in(slot));
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		k += p[i] != 0xa5;
	return k;
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

/*
 * A share named name in dir and the device on it: true, or false with a
 * skip reported (what: the scenario) and nothing left.
 */
static bool open_share(struct c9 *c, char *dir, size_t len, const char *name,
		       const char *what)
{
	const char *why = "";
	int r;

	if (b9_make_share(dir, len, name)) {
		skip("no share", "%s: cannot make a share in TMPDIR", what);
		return false;
	}
	r = c9_open(c, dir, false, &why);
	if (r) {
		skip(why, "%s: the share cannot be opened: %s", what,
		     strerror(-r));
		b9_remove_share(dir);
		return false;
	}
	return true;
}

/* Destroy the device: 0, its memory freed, or the error (left as it is). */
static int destroy(struct c9 *c)
{
	int r = virtio_9p_destroy(&c->dev, 2000);

	if (!r) {
		p9fs_close_share(c->fs);
		free(c->ram);
		free(c->reply);
	}
	return r;
}

static void scenario(bool device)
{
	const char *what = device ? "device reset" : "queue reset";
	struct virtio_device *v;
	const char *why = "";
	char dir[96];
	double t0, dt;
	unsigned int slot, n;
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
	ok(b9_refill_reply(&c, uffd, SLOT_READ, B9_READ_CAP),
	   "%s: the driver refills the abandoned Tread's buffer", what);

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
	b9_release_workers(&c);
	ok(wait_counts(&c, 0, 0, 5000),
	   "%s: the abandoned request ends once the host lets it go", what);
	if (!device)
		ok(c9_reap(&c, &slot, &len, 1000) && slot == SLOT_PARKED &&
		   ((u8 *)c9_hva(&c, c9_in(slot)))[4] == P9_RGETATTR,
		   "%s: then the waiting Tgetattr is answered", what);
	ok(c9_r16(&c, C9_USED + 2) == c.last_used,
	   "%s: no late used entry in the new ring (used idx %u, expected %u)",
	   what, c9_r16(&c, C9_USED + 2), c.last_used);
	n = changed(&c, SLOT_READ, B9_READ_CAP);
	ok(!n,
	   "%s: the abandoned Tread's refilled buffer is left as it is (%u of %u bytes changed)",
	   what, n, B9_READ_CAP);
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
	r = destroy(&c);
	dt = b9_now_s() - t0;
	ok(r == 0 && dt < 1.0, "%s: destroy returns %d in %.3f s", what, r,
	   dt);
	b9_remove_share(dir);
}

/* A thread of the test writing to "g" from a page nobody fills. */
struct holder {
	pthread_t thread;
	int fd, uffd;
	u8 *page;
	long page_len;
};

static void *hold(void *arg)
{
	struct holder *h = arg;

	/* Holds the file's lock until the userfaultfd is closed. */
	if (pwrite(h->fd, h->page, (size_t)h->page_len, 0) < 0)
		perror("pwrite");
	return NULL;
}

/*
 * The file dir/g locked in the host: a write of ours holds its lock,
 * waiting on a userfaultfd page. True once it does.
 */
static bool hold_file(struct holder *h, const char *dir)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct pollfd pfd = { .events = POLLIN };
	struct uffd_msg m;
	char path[160];

	h->page_len = sysconf(_SC_PAGESIZE);
	snprintf(path, sizeof(path), "%s/g", dir);
	h->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	h->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	h->page = mmap(NULL, (size_t)h->page_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h->fd < 0 || h->uffd < 0 || h->page == MAP_FAILED)
		return false;
	reg.range.start = (uintptr_t)h->page;
	reg.range.len = (u64)h->page_len;
	if (ioctl(h->uffd, UFFDIO_API, &api) ||
	    ioctl(h->uffd, UFFDIO_REGISTER, &reg) ||
	    pthread_create(&h->thread, NULL, hold, h))
		return false;
	pfd.fd = h->uffd;
	return poll(&pfd, 1, 10000) == 1 &&
	       read(h->uffd, &m, sizeof(m)) == sizeof(m) &&
	       m.event == UFFD_EVENT_PAGEFAULT;
}

/* WRITE_LEN bytes of dir/g at WRITE_OFF: all c? */
static bool file_holds(const char *dir, char c)
{
	static char buf[WRITE_LEN];
	char path[160];
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "%s/g", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = pread(fd, buf, sizeof(buf), WRITE_OFF);
	close(fd);
	if (n != WRITE_LEN)
		return false;
	for (i = 0; i < WRITE_LEN; i++)
		if (buf[i] != c)
			return false;
	return true;
}

static void write_scenario(bool device)
{
	const char *what = device ? "device reset, Twrite" :
				    "queue reset, Twrite";
	static u8 wmsg[P9_TWRITE_HDR + WRITE_LEN];
	struct virtio_device *v;
	struct holder h = { .fd = -1, .uffd = -1, .page = MAP_FAILED };
	char dir[96], gpath[160];
	struct c9 c;
	u8 *data;
	u32 len;
	int r;

	if (!open_share(&c, dir, sizeof(dir), "reset-w", what))
		return;
	v = &c.dev.vdev;
	ok(hold_file(&h, dir),
	   "%s: a thread of the host holds the file's lock, blocked", what);
	ok(b9_open_file(&c) &&
	   c9_call(&c, P9_TWALK, "ddwz", 0, 2, 1, "g") == P9_RWALK &&
	   c9_call(&c, P9_TLOPEN, "dd", 2, O_WRONLY) == P9_RLOPEN,
	   "%s: the file is opened for writing", what);
	len = c9_build(wmsg, P9_TWRITE_HDR, P9_TWRITE, 11, "dqd", 2,
		       (u64)WRITE_OFF, WRITE_LEN);
	wmsg[0] = (u8)(len + WRITE_LEN);
	wmsg[1] = (u8)((len + WRITE_LEN) >> 8);
	memset(wmsg + P9_TWRITE_HDR, 'A', WRITE_LEN);
	c9_post(&c, SLOT_WRITE, wmsg, P9_TWRITE_HDR + WRITE_LEN, 4096);
	c9_kick(&c);
	usleep(200 * 1000);	/* into the host's write, on the lock */
	ok(wait_counts(&c, 1, 0, 1000),
	   "%s: a Twrite of 'A's blocks in the host", what);
	if (device)
		virtio_set_status(v, 0);
	else
		virtio_queue_set_ready(v, 0, false);
	ok(wait_counts(&c, 0, 1, 2000), "%s: it is abandoned", what);
	/* The driver reuses the Twrite's buffer. */
	data = c9_hva(&c, c9_out(SLOT_WRITE)) + P9_TWRITE_HDR;
	memset(data, 'B', WRITE_LEN);
	/* The host lets go. */
	close(h.uffd);
	pthread_join(h.thread, NULL);
	ok(wait_counts(&c, 0, 0, 5000),
	   "%s: the abandoned request ends once the host lets it go", what);
	ok(file_holds(dir, 'A'),
	   "%s: the file got the bytes the guest had at submission, not those it wrote after the reset",
	   what);
	ok(untouched(&c, SLOT_WRITE, 64),
	   "%s: no late reply in the abandoned Twrite's buffer", what);
	r = destroy(&c);
	ok(r == 0, "%s: destroy returns %d", what, r);
	close(h.fd);
	munmap(h.page, (size_t)h.page_len);
	snprintf(gpath, sizeof(gpath), "%s/g", dir);
	unlink(gpath);
	b9_remove_share(dir);
}

static void *kick(void *arg)
{
	c9_kick(arg);
	return NULL;
}

/* A reset from a thread of its own, as from a vCPU. */
struct resetter {
	pthread_t thread;
	struct c9 *c;
	bool device;
	double dt;
	bool done;	/* __atomic */
};

static void *reset_main(void *arg)
{
	struct resetter *rs = arg;
	double t0 = b9_now_s();

	if (rs->device)
		virtio_set_status(&rs->c->dev.vdev, 0);
	else
		virtio_queue_set_ready(&rs->c->dev.vdev, 0, false);
	rs->dt = b9_now_s() - t0;
	__atomic_store_n(&rs->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Fill slot's trapped pages (b9_trap_reply_pages()) without waking. */
static bool fill_trap(struct c9 *c, int uffd, unsigned int slot)
{
	static u8 page[B9_FILE_LEN];
	struct uffdio_copy copy = {
		.dst = b9_trap_start(c, slot), .src = (uintptr_t)page,
		.len = B9_FILE_LEN, .mode = UFFDIO_COPY_MODE_DONTWAKE,
	};

	return !ioctl(uffd, UFFDIO_COPY, &copy) && copy.copy == B9_FILE_LEN;
}

/* Has the reset returned within timeout_ms? */
static bool reset_returns(struct resetter *rs, unsigned int timeout_ms)
{
	unsigned int i;

	for (i = 0; i <= timeout_ms / 5; i++) {
		if (__atomic_load_n(&rs->done, __ATOMIC_ACQUIRE))
			return true;
		usleep(5000);
	}
	return false;
}

static void copy_scenario(bool device)
{
	const char *what = device ? "device reset, reply copy" :
				    "queue reset, reply copy";
	struct resetter rs = { .device = device };
	bool kicked, started, early;
	unsigned int slot = 0, n;
	pthread_t kicker;
	char dir[96];
	struct c9 c;
	u32 len = 0;
	int uffd, r;

	if (!open_share(&c, dir, sizeof(dir), "reset-c", what))
		return;
	uffd = b9_trap_reply_pages(&c, SLOT_READ);
	if (uffd < 0) {
		skip("userfaultfd", "%s: userfaultfd is not available: %s",
		     what, strerror(-uffd));
		c9_close(&c);
		b9_remove_share(dir);
		return;
	}
	ok(b9_open_file(&c), "%s: a file of the share is opened", what);
	/* The workers' buffers are not trapped: the guest's page is. */
	ok(b9_block_tread(&c, uffd, SLOT_READ, 7),
	   "%s: a 64 KiB Rread's copy to the guest's buffer is in progress, held on a page of it",
	   what);
	len = c9_build(msg, sizeof(msg), P9_TGETATTR, 8, "dq", 0,
		       GETATTR_BASIC);
	c9_post(&c, SLOT_GETATTR, msg, len, 4096);
	/* A thread kicks: under the queue's lock, it would wait. */
	kicked = !pthread_create(&kicker, NULL, kick, &c);
	ok(kicked && c9_reap(&c, &slot, &len, 2000) &&
	   slot == SLOT_GETATTR && len > P9_HDRSZ &&
	   ((u8 *)c9_hva(&c, c9_in(slot)))[4] == P9_RGETATTR,
	   "%s: a Tgetattr on the same queue is answered meanwhile", what);

	rs.c = &c;
	started = !pthread_create(&rs.thread, NULL, reset_main, &rs);
	early = started && reset_returns(&rs, 300);
	ok(started && !early,
	   "%s: the reset waits for the copy in progress", what);
	/*
	 * The trapped pages filled; had the reset returned, the driver
	 * refills its whole buffer now, before the copy goes on.
	 */
	ok(early ? b9_refill_reply(&c, uffd, SLOT_READ, B9_READ_CAP) :
		   fill_trap(&c, uffd, SLOT_READ),
	   "%s: the page the copy waits on is filled", what);
	close(uffd);	/* wakes the copy */
	if (started)
		pthread_join(rs.thread, NULL);
	ok(started && rs.dt < 1.0,
	   "%s: the reset returns in %.3f s once the copy ends", what, rs.dt);
	/* As a driver that reuses the buffer once the reset returned. */
	if (!early)
		memset(c9_hva(&c, c9_in(SLOT_READ)), 0xa5, B9_READ_CAP);
	if (kicked)
		pthread_join(kicker, NULL);
	ok(wait_counts(&c, 0, 0, 5000), "%s: the Tread ends", what);
	n = changed(&c, SLOT_READ, B9_READ_CAP);
	ok(!n,
	   "%s: the buffer the driver refilled after the reset is left as it is (%u of %u bytes changed)",
	   what, n, B9_READ_CAP);
	ok(c9_r16(&c, C9_USED + 2) == c.last_used,
	   "%s: no used entry for the Tread (used idx %u, expected %u)",
	   what, c9_r16(&c, C9_USED + 2), c.last_used);
	r = destroy(&c);
	ok(r == 0, "%s: destroy returns %d", what, r);
	b9_remove_share(dir);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	scenario(true);
	scenario(false);
	write_scenario(true);
	write_scenario(false);
	copy_scenario(true);
	copy_scenario(false);
	return tap_done();
}
