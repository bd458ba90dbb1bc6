// SPDX-License-Identifier: GPL-2.0
/*
 * The 9p device's thread pool with requests stuck in the host
 * (tests/9p/blocked.h: Treads whose threads wait on userfaultfd pages,
 * as on a hung NFS or FUSE mount), slow_ms lowered to 100 ms.
 *
 * NR_EARLY (> P9_WORKERS) Treads on fids of their own block, each on a
 * thread of its own: the spares take over, and requests on other fids
 * (Tgetattr, Tread, Twalk, Tclunk) are still answered; a Tflush of a
 * stuck Tread holds no thread, nor do requests on a fid a stuck one
 * holds (parked; a Tflush of one makes it give up at once). Then every
 * thread of the pool is stuck:
 * a new request queues, unanswered, and one log line says so. No thread
 * starts at any point (/proc/self/task). The host letting go, every
 * request is answered (the Tflush after its Tread), nothing is left in
 * flight, the device serves again and is destroyed at once. A FIFO the
 * guest makes opens without blocking. make check-asan runs it too.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "log.h"
#include "tap.h"
#include "blocked.h"

#define NR_EARLY	6			/* > P9_WORKERS */
#define SLOT_BLOCK	1			/* slots, fids 1 .. P9_MAX_WORKERS */
#define SLOT_FLUSH	(SLOT_BLOCK + P9_MAX_WORKERS)
#define SLOT_LATE	(SLOT_FLUSH + 1)	/* and the next */
#define SLOT_PARK	(SLOT_LATE + 2)		/* NR_PARK, then their Tflush */
#define NR_PARK		4
#define FID_OTHER	40			/* opened on "f", never blocked */
#define FID_CLUNK	41
#define TAG_BLOCK	100
#define TAG_FLUSH	200
#define TAG_LATE	201
#define TAG_PARK	300
#define GETATTR_BASIC	0x7ffULL

static u8 msg[64];

static unsigned int nr_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	unsigned int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Threads serving a request, and the device's request lists' state. */
static unsigned int busy_threads(struct c9 *c)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&c->dev.lock);
	for (i = 0; i < c->dev.nr_workers; i++)
		if (c->dev.workers[i].since_ns)
			n++;
	pthread_mutex_unlock(&c->dev.lock);
	return n;
}

static bool idle_device(struct c9 *c, unsigned int timeout_ms)
{
	unsigned int i;
	bool idle;

	for (i = 0; i <= timeout_ms / 5; i++) {
		pthread_mutex_lock(&c->dev.lock);
		idle = !c->dev.nr_inflight && !c->dev.nr_stale &&
		       !c->dev.pending && !c->dev.running &&
		       !c->dev.flushing;
		pthread_mutex_unlock(&c->dev.lock);
		if (idle && !busy_threads(c))
			return true;
		usleep(5000);
	}
	return false;
}

static bool open_fid(struct c9 *c, u32 fid)
{
	return c9_call(c, P9_TWALK, "ddwz", 0, fid, 1, "f") == P9_RWALK &&
	       c9_call(c, P9_TLOPEN, "dd", fid, O_RDONLY) == P9_RLOPEN;
}

/* Block Treads on fids/slots [from, to): all of them blocked? */
static bool block(struct c9 *c, int *uffd, unsigned int from,
		  unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		uffd[i] = b9_trap_reply_pages(c, SLOT_BLOCK + i);
		if (uffd[i] < 0 ||
		    !b9_block_tread_fid(c, uffd[i], SLOT_BLOCK + i,
					(u16)(TAG_BLOCK + i), SLOT_BLOCK + i))
			return false;
	}
	return true;
}

/* 4 KiB of fid in one request: all 'x'? */
static bool read_ok(struct c9 *c, u32 fid)
{
	const u8 *d = c->reply + P9_RREAD_HDR;
	u32 count, i;

	if (c9_call(c, P9_TREAD, "dqd", fid, 0ULL, 4096) != P9_RREAD ||
	    p9_unpack(&c->rb, "d", &count) || count != 4096)
		return false;
	for (i = 0; i < count; i++)
		if (d[i] != 'x')
			return false;
	return true;
}

/* Does the file hold line exactly n times? */
static unsigned int count_lines(const char *path, const char *what)
{
	char line[512];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, what))
			n++;
	fclose(f);
	return n;
}

static void scenario(struct c9 *c, const char *dir)
{
	int uffd[P9_MAX_WORKERS];
	unsigned int threads, i, slot, n, late = 0, tread_pos = 0,
		     flush_pos = 0, treads = 0, parked = 0;
	char log_path[160];
	double t0, dt;
	int saved, lfd, r;
	u32 len;
	bool fine;

	for (i = 0; i < P9_MAX_WORKERS; i++)
		uffd[i] = -1;
	pthread_mutex_lock(&c->dev.lock);
	c->dev.slow_ms = 100;
	pthread_mutex_unlock(&c->dev.lock);
	threads = nr_threads();
	ok(threads == 1 + P9_MAX_WORKERS,
	   "the pool's %d threads start with the device (%u in the process)",
	   P9_MAX_WORKERS, threads);
	fine = b9_open_file(c);
	for (i = 2; fine && i <= P9_MAX_WORKERS; i++)
		fine = open_fid(c, i);
	ok(fine && open_fid(c, FID_OTHER),
	   "%d fids opened on a file of the share", P9_MAX_WORKERS + 1);

	t0 = b9_now_s();
	fine = block(c, uffd, 0, NR_EARLY);
	dt = b9_now_s() - t0;
	ok(fine && dt >= 0.09,
	   "%d Treads on fids of their own block in the host, each on a thread, the last %d once the first are stuck (%.2f s, slow_ms 100)",
	   NR_EARLY, NR_EARLY - P9_WORKERS, dt);
	pthread_mutex_lock(&c->dev.lock);
	n = (unsigned int)c->dev.spares;
	pthread_mutex_unlock(&c->dev.lock);
	ok(busy_threads(c) == NR_EARLY && n >= NR_EARLY - P9_WORKERS,
	   "%u threads serve them, %u taken past a stuck one",
	   busy_threads(c), n);

	t0 = b9_now_s();
	fine = c9_call(c, P9_TGETATTR, "dq", 0, GETATTR_BASIC) == P9_RGETATTR;
	dt = b9_now_s() - t0;
	ok(fine && dt < 2, "a Tgetattr on the root fid is answered in %.3f s",
	   dt);
	ok(read_ok(c, FID_OTHER), "a Tread on another fid of the same file");
	ok(c9_call(c, P9_TWALK, "ddwz", 0, FID_CLUNK, 1, "f") == P9_RWALK &&
	   c9_call(c, P9_TCLUNK, "d", FID_CLUNK) == P9_RCLUNK,
	   "a Twalk and a Tclunk of a new fid");
	t0 = b9_now_s();
	fine = c9_call(c, P9_TMKNOD, "dzdddd", 0, "fifo", S_IFIFO | 0644, 0, 0,
		       0) == P9_RMKNOD &&
	       c9_call(c, P9_TWALK, "ddwz", 0, FID_CLUNK, 1, "fifo") ==
		       P9_RWALK;
	r = c9_call(c, P9_TLOPEN, "dd", FID_CLUNK, O_RDONLY);
	dt = b9_now_s() - t0;
	c9_call(c, P9_TCLUNK, "d", FID_CLUNK);
	ok(fine && dt < 2,
	   "a FIFO the guest makes: Tlopen for reading does not block (%s, %.3f s)",
	   r < 0 ? strerror(-r) : "opened", dt);
	ok(nr_threads() == threads, "no thread started (%u)", nr_threads());

	/* A Tflush of a stuck Tread waits for it on no thread. */
	len = c9_build(msg, sizeof(msg), P9_TFLUSH, TAG_FLUSH, "w", TAG_BLOCK);
	c9_post(c, SLOT_FLUSH, msg, len, 4096);
	c9_kick(c);
	usleep(200 * 1000);
	pthread_mutex_lock(&c->dev.lock);
	fine = c->dev.flushing && !c->dev.pending;
	pthread_mutex_unlock(&c->dev.lock);
	ok(fine && busy_threads(c) == NR_EARLY,
	   "a Tflush of a stuck Tread waits for it holding no thread (%u busy)",
	   busy_threads(c));

	/* Requests on a fid a stuck one holds wait on no thread. */
	for (i = 0; i < NR_PARK; i++) {
		len = c9_build(msg, sizeof(msg), P9_TGETATTR,
			       (u16)(TAG_PARK + i), "dq", SLOT_BLOCK + 1,
			       GETATTR_BASIC);
		c9_post(c, SLOT_PARK + i, msg, len, 4096);
	}
	c9_kick(c);
	usleep(200 * 1000);
	pthread_mutex_lock(&c->dev.lock);
	n = c->dev.nr_parked;
	pthread_mutex_unlock(&c->dev.lock);
	ok(n == NR_PARK && busy_threads(c) == NR_EARLY,
	   "%d Tgetattrs on a fid a stuck Tread holds wait holding no thread (%u parked, %u busy)",
	   NR_PARK, n, busy_threads(c));
	len = c9_build(msg, sizeof(msg), P9_TFLUSH, TAG_PARK + NR_PARK, "w",
		       TAG_PARK);
	c9_post(c, SLOT_PARK + NR_PARK, msg, len, 4096);
	c9_kick(c);
	fine = c9_reap(c, &slot, &len, 2000) && slot == SLOT_PARK &&
	       ((u8 *)c9_hva(c, c9_in(slot)))[4] == P9_RLERROR &&
	       ((u8 *)c9_hva(c, c9_in(slot)))[7] == EINTR &&
	       c9_reap(c, &slot, &len, 2000) && slot == SLOT_PARK + NR_PARK &&
	       ((u8 *)c9_hva(c, c9_in(slot)))[4] == P9_RFLUSH;
	ok(fine, "a Tflush of one: it gives up at once (Rlerror EINTR), then Rflush");

	t0 = b9_now_s();
	fine = block(c, uffd, NR_EARLY, P9_MAX_WORKERS);
	dt = b9_now_s() - t0;
	ok(fine, "%d more block: every thread of the pool is stuck (%.2f s)",
	   P9_MAX_WORKERS - NR_EARLY, dt);
	ok(busy_threads(c) == P9_MAX_WORKERS, "%u threads busy",
	   busy_threads(c));

	/* One more request: it queues, and one line says why. */
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	lfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	saved = dup(2);
	fflush(stderr);
	if (lfd >= 0 && saved >= 0)
		dup2(lfd, 2);
	log_set_level(LOG_WARN);
	for (i = 0; i < 2; i++) {
		len = c9_build(msg, sizeof(msg), P9_TGETATTR,
			       (u16)(TAG_LATE + i), "dq", 0, GETATTR_BASIC);
		c9_post(c, SLOT_LATE + i, msg, len, 4096);
		c9_kick(c);
	}
	fine = !c9_reap(c, &slot, &len, 500);
	log_set_level(LOG_ERROR);
	fflush(stderr);
	if (lfd >= 0 && saved >= 0)
		dup2(saved, 2);
	if (saved >= 0)
		close(saved);
	if (lfd >= 0)
		close(lfd);
	pthread_mutex_lock(&c->dev.lock);
	fine = fine && c->dev.pending;
	pthread_mutex_unlock(&c->dev.lock);
	ok(fine, "with every thread stuck, two new requests queue, unanswered in 0.5 s");
	n = count_lines(log_path, "blocked in the host's file system");
	ok(n == 1, "one log line says the share is blocked in the host (%u)",
	   n);
	unlink(log_path);
	ok(nr_threads() == threads, "still no thread started (%u)",
	   nr_threads());

	/* The host lets go: everything is answered. */
	for (i = 0; i < P9_MAX_WORKERS; i++)
		if (uffd[i] >= 0)
			close(uffd[i]);
	b9_release_workers(c);
	for (i = 0; i < P9_MAX_WORKERS + 3 + NR_PARK - 1; i++) {
		if (!c9_reap(c, &slot, &len, 10000))
			break;
		if (slot == SLOT_BLOCK && !tread_pos)
			tread_pos = i + 1;
		else if (slot >= SLOT_BLOCK &&
			 slot < SLOT_BLOCK + P9_MAX_WORKERS &&
			 ((u8 *)c9_hva(c, c9_in(slot)))[4] == P9_RREAD)
			treads++;
		if (slot == SLOT_FLUSH &&
		    ((u8 *)c9_hva(c, c9_in(slot)))[4] == P9_RFLUSH)
			flush_pos = i + 1;
		if ((slot == SLOT_LATE || slot == SLOT_LATE + 1) &&
		    ((u8 *)c9_hva(c, c9_in(slot)))[4] == P9_RGETATTR)
			late++;
		if (slot > SLOT_PARK && slot < SLOT_PARK + NR_PARK &&
		    ((u8 *)c9_hva(c, c9_in(slot)))[4] == P9_RGETATTR)
			parked++;
	}
	ok(i == P9_MAX_WORKERS + 3 + NR_PARK - 1 && late == 2 &&
	   parked == NR_PARK - 1 && treads == P9_MAX_WORKERS - 1,
	   "the host letting go, all %u requests are answered (%u Rread, %u + %u Rgetattr)",
	   i, treads + (tread_pos != 0), late, parked);
	ok(tread_pos && flush_pos > tread_pos,
	   "the Rflush comes after the flushed Tread's reply (%u, %u)",
	   tread_pos, flush_pos);
	ok(idle_device(c, 5000),
	   "nothing left in flight, every thread idle again");
	ok(read_ok(c, FID_OTHER) && read_ok(c, 1),
	   "the device serves again, the fids the stuck requests held too");
	ok(nr_threads() == threads, "the same %u threads", nr_threads());
}

int main(void)
{
	char dir[96], fifo[160];
	double t0, dt;
	struct c9 c;
	int r;

	log_set_level(LOG_ERROR);
	r = b9_start(&c, dir, sizeof(dir), "pool", "pool", SLOT_BLOCK);
	if (r < 0)
		return tap_done();
	close(r);
	scenario(&c, dir);
	t0 = b9_now_s();
	r = virtio_9p_destroy(&c.dev, 2000);
	dt = b9_now_s() - t0;
	ok(r == 0 && dt < 1.0, "destroy returns %d in %.3f s", r, dt);
	if (!r) {
		p9fs_close_share(c.fs);
		free(c.ram);
		free(c.reply);
	}
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	unlink(fifo);
	b9_remove_share(dir);
	return tap_done();
}
