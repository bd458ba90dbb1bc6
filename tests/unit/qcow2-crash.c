// SPDX-License-Identifier: GPL-2.0
/*
 * A host crash at any point of the qcow2 write path leaves a consistent
 * image, and a flush that returned 0 made everything before it durable.
 *
 * The test stands in for the page cache: it defines pwrite64, pwritev64
 * and fdatasync (the executable's own definitions win over libc's for
 * liblkvm.a's calls). Writes to the image go to the file as usual and are
 * also kept in a list of writes not yet durable; fdatasync makes them
 * durable. A crash may keep any subset of the writes since the last
 * fdatasync (no order between them: the kernel writes dirty pages back in
 * any order). Before each fdatasync, and at the end, every such subset
 * (past 12 writes: each alone, all but each, and 256 at random) is
 * applied to the durable image and that image is checked:
 *   - every cluster has a refcount at least its references (header,
 *     refcount table, refcount blocks, L1 table, L2 tables, data):
 *     leaks are fine, an L1/L2/refcount-table entry pointing at a cluster
 *     whose refcount does not count it is not;
 *   - every guest sector reads as a version the guest wrote there since
 *     its last successful flush, or the one it held at that flush (never
 *     another sector's data, never an older version).
 * The guest's work: allocating writes (also with a new L2 table, and one
 * with a new refcount block), copy-on-write of a partial cluster, discard
 * (a cluster freed, then allocated again), write-zeroes that keep the
 * allocation, flushed, then a partial write (a preallocated zero
 * cluster), writes of two and of 70 clusters, 70 discards (with at most 16
 * entries deferred in a request: more than that).
 *
 * Crash images are also checked right after each flush. Write-back: L2
 * entries wait in memory until a FLUSH (no sync before it, two for it);
 * reads, a second write, a discard and a write-zeroes of such a cluster
 * before the flush; close writes what was never flushed. Write-through:
 * each write is in every crash image once it completes.
 *
 * map_read() (asked on the I/O thread) does not wait for a write that
 * syncs under the image's lock.
 *
 * Then fsync errors: an fdatasync that fails (the kernel drops the dirty
 * pages and reports the error once) makes that flush fail, and every later
 * one, for raw and qcow2 images alike: the guest is never told its lost
 * data is safe. A write refused because a qcow2 image is corrupt is no
 * such failure: flushes go on. A commit whose write of a piece of L2
 * entries fails midway (a short write, then EIO: the test's pwrite64
 * can fail too) leaves the cached table as the file has it, so later
 * writes to those clusters are found after a reopen. A sync outside the
 * image's lock that has failed but not said so yet when a flush commits
 * (held there by the test) makes that flush fail too, and one that
 * fails between a new L2 table's writes and its barrier fails the write
 * that needed the table.
 *
 * The refcount table grows (512-byte clusters, 64-bit refcounts, the
 * file as long as its one-cluster table counts): every crash image is
 * consistent, and also opens read-write in lkvm (its reference check)
 * and, every eighth, passes qemu-img check when that is installed; each
 * sync of that run fails in turn, the images after it checked the same;
 * then two syncs in a row fail at each point (the second drops what the
 * first one's recovery wrote again: the header naming the new table
 * among it), and the image that is durable once barriers succeed again
 * opens read-write and passes qemu-img check too.
 * The checker reads the cluster size and refcount width from the header.
 *
 * The header writes others depend on are durable in time: the corrupt
 * bit when the refused write returns, the cleared autoclear word when a
 * read-write open returns (the model tracks the open's own descriptor by
 * the file's inode).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "disk.h"
#include "qcow2-internal.h"
#include "tap.h"

#define CS		4096ULL
#define SECT		512
#define NSECT		(CS / SECT)
#define MAX_PENDING	256
#define FILE_MAX	(2100 * CS)
/* One refcount block's clusters (16-bit refcounts): then a new block. */
#define RB_CLUSTERS	(CS / 2)
#define TAG		0x6c6b766d63726173ULL
/* IMG_GROW: 512-byte clusters that one refcount table cluster counts. */
#define GROW_CLUSTERS	(64 * 64)	/* "lkvmcras" */

/* The guest clusters the test touches: these, then 10 to 79. */
static const u64 some_gcls[] = { 0, 1, 2, 3, 4, 5, 600 };
#define RUN_FIRST	10
#define RUN_LEN		70
#define DEFER		16	/* entries a request defers: RUN_LEN is more */
#define NG		(ARRAY_SIZE(some_gcls) + RUN_LEN)
static u64 gcls[NG];
#define MAX_HIST 16

struct pending {
	u64 off, len;
	u8 *data;
};

static struct {
	int fd;			/* the tracked image, -1: none */
	dev_t dev;		/* or, while ino != 0, any fd on this file */
	ino_t ino;
	u8 durable[FILE_MAX];
	u64 durable_len;
	struct pending p[MAX_PENDING];
	unsigned int np;
	bool overflow;
	int fail_syncs;		/* fdatasync calls to fail with EIO */
	int fail_at;		/* fail the fail_at-th fdatasync from now */
	int fail_n;		/* and this many from it on (0: one) */
	/*
	 * Fail the fail_write_at-th write from now with EIO, writing
	 * nothing; with tear, it writes its first half and returns that,
	 * and the next write (the rest) fails.
	 */
	int fail_write_at;
	bool tear, fail_next_write;
	unsigned int syncs;	/* fdatasync calls on the image */
	bool check;		/* run the crash checks at each sync */
	bool open_check;	/* also open each crash image read-write */
	bool qemu_img;		/* and qemu-img check some, if installed */
	bool sync_off;		/* fdatasync of untracked files: a no-op */
	unsigned int opened;	/* crash images opened read-write */
	unsigned int qchecked;	/* and qemu-img checked */
	unsigned int checks, bad;
	char why[256];
	/* Per guest sector: version at the last flush, versions since. */
	u64 flushed[NG][NSECT];
	u64 hist[NG][NSECT][MAX_HIST];
	unsigned int nhist[NG][NSECT];
} S = { .fd = -1 };

static char dir[64];

static bool tracked(int fd)
{
	struct stat st;

	if (fd == S.fd)
		return true;
	return S.ino && fd >= 0 && !fstat(fd, &st) && st.st_ino == S.ino &&
	       st.st_dev == S.dev;
}

static void note(u64 off, const void *buf, u64 len)
{
	struct pending *p;

	if (S.np == MAX_PENDING) {
		S.overflow = true;
		return;
	}
	p = &S.p[S.np++];
	p->off = off;
	p->len = len;
	p->data = malloc(len);
	if (!p->data)
		abort();
	memcpy(p->data, buf, len);
}

/* An injected write failure: -1 (EIO), else the bytes to write (n or less). */
static ssize_t write_fault(int fd, size_t n)
{
	if (!tracked(fd))
		return n;
	if (S.fail_next_write) {
		S.fail_next_write = false;
		errno = EIO;
		return -1;
	}
	if (!S.fail_write_at || --S.fail_write_at)
		return n;
	if (S.tear && n > 1) {
		S.fail_next_write = true;
		return n / 2;
	}
	errno = EIO;
	return -1;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r = write_fault(fd, n);

	if (r < 0)
		return r;
	r = syscall(SYS_pwrite64, fd, buf, r, off);
	if (r > 0 && tracked(fd))
		note(off, buf, r);
	return r;
}

ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off_t off)
{
	ssize_t r, left;
	int i;

	if (write_fault(fd, 1) < 0)	/* no tearing here */
		return -1;
	r = syscall(SYS_pwritev, fd, iov, cnt, (long)off,
		    (long)((u64)off >> 32));
	left = r;

	if (r <= 0 || !tracked(fd))
		return r;
	for (i = 0; i < cnt && left > 0; i++) {
		u64 n = MIN((u64)left, iov[i].iov_len);

		note(off, iov[i].iov_base, n);
		off += n;
		left -= n;
	}
	return r;
}

/* --- The checker --- */

static u64 g64(const u8 *b, u64 len, u64 off)
{
	u64 v;

	if (off + 8 > len)
		return 0;
	memcpy(&v, b + off, 8);
	return be64toh(v);
}

static u32 g32(const u8 *b, u64 len, u64 off)
{
	u32 v;

	if (off + 4 > len)
		return 0;
	memcpy(&v, b + off, 4);
	return be32toh(v);
}

static __printf(1, 2) int fail(const char *fmt, ...);
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(S.why, sizeof(S.why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Is the sector content (version v) allowed for guest cluster i, sector s? */
static bool allowed(unsigned int i, unsigned int s, u64 v)
{
	unsigned int k;

	if (S.flushed[i][s] == v)
		return true;
	for (k = 0; k < S.nhist[i][s]; k++)
		if (S.hist[i][s][k] == v)
			return true;
	return false;
}

/* The version a sector holds: 0 all zeroes, ~0 not a sector of ours. */
static u64 sector_version(const u8 *p, u64 g, unsigned int s)
{
	u64 w[4];
	unsigned int k;

	for (k = 0; k < SECT && !p[k]; k++)
		;
	if (k == SECT)
		return 0;
	memcpy(w, p, sizeof(w));
	if (w[0] != TAG || w[1] != g || w[2] != s)
		return ~0ULL;
	for (k = 32; k < SECT; k++)
		if (p[k] != (u8)w[3])
			return ~0ULL;
	return w[3];
}

/* Refcount j of the block at rb, rcb bytes each (8 to 64 bits). */
static u64 grc(const u8 *b, u64 len, u64 rb, u64 j, unsigned int rcb)
{
	u64 v = 0;
	unsigned int k;

	for (k = 0; k < rcb && rb + j * rcb + k < len; k++)
		v = v << 8 | b[rb + j * rcb + k];
	return v;
}

/* The image's clusters (512 bytes to 4 KiB, 8- to 64-bit refcounts). */
static int check_image(const u8 *b, u64 len)
{
	u64 l1_off = g64(b, len, 40), rct_off = g64(b, len, 48);
	u32 l1_size = g32(b, len, 36), rct_cl = g32(b, len, 56);
	u32 cb = g32(b, len, 20), order = g32(b, len, 96);
	u64 ics = 1ULL << (cb & 31), ncl = FILE_MAX / ics, rbe, i, j;
	u32 refs[FILE_MAX / 512] = { 0 };
	u64 rc[FILE_MAX / 512] = { 0 };
	u8 zero[SECT] = { 0 };

	if (g32(b, len, 0) != QCOW2_MAGIC)
		return fail("no header");
	if (cb < 9 || cb > 12 || order < 3 || order > 6)
		return fail("cluster bits %u, refcount order %u", cb, order);
	rbe = (ics * 8) >> order;
	refs[0]++;
	if (rct_off / ics + rct_cl > ncl)
		return fail("refcount table at 0x%llx", (unsigned long long)rct_off);
	for (i = 0; i < rct_cl; i++)
		refs[rct_off / ics + i]++;
	for (i = 0; i < rct_cl * ics / 8; i++) {
		u64 rb = g64(b, len, rct_off + 8 * i);

		if (!rb)
			continue;
		if (rb / ics >= ncl)
			return fail("refcount block at 0x%llx", (unsigned long long)rb);
		refs[rb / ics]++;
		for (j = 0; j < rbe && i * rbe + j < ncl; j++)
			rc[i * rbe + j] = grc(b, len, rb, j, 1U << (order - 3));
	}
	for (i = 0; i < ALIGN_UP(l1_size * 8ULL, ics) / ics; i++)
		refs[l1_off / ics + i]++;
	for (i = 0; i < l1_size; i++) {
		u64 l2 = g64(b, len, l1_off + 8 * i) & QCOW2_OFFSET_MASK;

		if (!l2)
			continue;
		if (l2 / ics >= ncl)
			return fail("L1 entry %llu: 0x%llx", (unsigned long long)i,
				    (unsigned long long)l2);
		refs[l2 / ics]++;
		for (j = 0; j < ics / 8; j++) {
			u64 e = g64(b, len, l2 + 8 * j) & QCOW2_OFFSET_MASK;

			if (!e)
				continue;
			if (e / ics >= ncl)
				return fail("L2 entry 0x%llx", (unsigned long long)e);
			refs[e / ics]++;
		}
	}
	for (i = 0; i < ncl; i++)
		if (refs[i] > rc[i])
			return fail("cluster %llu: %u references, refcount %llu",
				    (unsigned long long)i, refs[i],
				    (unsigned long long)rc[i]);
	/* What the guest reads, sector by sector. */
	for (i = 0; i < NG; i++) {
		u64 g = gcls[i];
		unsigned int s;

		for (s = 0; s < NSECT; s++) {
			u64 go = g * CS + s * SECT, gc = go >> cb, l2 = 0, e = 0;
			u64 host;
			const u8 *p;
			u64 v;

			if (gc / (ics / 8) < l1_size)
				l2 = g64(b, len, l1_off + 8 * (gc / (ics / 8))) &
				     QCOW2_OFFSET_MASK;
			e = l2 ? g64(b, len, l2 + 8 * (gc % (ics / 8))) : 0;
			host = (e & QCOW2_OFLAG_ZERO) ? 0 : e & QCOW2_OFFSET_MASK;
			if (host)
				host += go & (ics - 1);
			p = host && host + SECT <= len ? b + host : zero;
			v = sector_version(p, g, s);
			if (!allowed(i, s, v))
				return fail("guest cluster %llu sector %u reads %s%llx (flushed: %llx)",
					    (unsigned long long)g, s,
					    v == ~0ULL ? "foreign data " :
					    "version ", (unsigned long long)v,
					    (unsigned long long)S.flushed[i][s]);
		}
	}
	return 0;
}

static u8 crash_img[FILE_MAX];

/*
 * The crash image, as a file, opens read-write (lkvm's reference check
 * passes) and, with qemu-img, qemu-img check finds at worst leaks.
 */
static int open_crash_image(u64 len)
{
	struct disk_open_opts o = { .no_lock = true };
	struct disk *d = NULL;
	char p[128], cmd[192], err[256];
	int fd, st;

	snprintf(p, sizeof(p), "%s/crash-image.qcow2", dir);
	/* Rewritten in place: a truncation to 0 would start writeback. */
	fd = open(p, O_RDWR | O_CREAT, 0644);
	if (fd < 0 || pwrite(fd, crash_img, len, 0) != (ssize_t)len ||
	    ftruncate(fd, len) || close(fd))
		return fail("cannot write the crash image");
	if (disk_open(&d, p, &o, err, sizeof(err)))
		return fail("lkvm refuses it read-write: %s", err);
	/* A scratch file: its close need not wait for the disk. */
	S.sync_off = true;
	disk_close(d);
	S.sync_off = false;
	/* qemu-img check costs a process: every eighth image. */
	if (!S.qemu_img || S.opened++ % 8)
		return 0;
	S.qchecked++;
	snprintf(cmd, sizeof(cmd), "qemu-img check -q %s >/dev/null 2>&1", p);
	st = system(cmd);
	/* 0: clean, 3: leaked clusters only. */
	if (st < 0 || !WIFEXITED(st) ||
	    (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3))
		return fail("qemu-img check: exit status %d", st);
	return 0;
}

/* The durable image plus the pending writes in mask (bit i: write i). */
static int check_subset(const bool *keep)
{
	u64 len = S.durable_len;
	unsigned int i;

	/* The checker reads nothing past len: only up to it is set. */
	for (i = 0; i < S.np; i++)
		if (keep[i])
			len = MAX(len, S.p[i].off + S.p[i].len);
	if (len > FILE_MAX)
		return fail("a write past the test's file size");
	memcpy(crash_img, S.durable, S.durable_len);
	memset(crash_img + S.durable_len, 0, len - S.durable_len);
	for (i = 0; i < S.np; i++)
		if (keep[i])
			memcpy(crash_img + S.p[i].off, S.p[i].data,
			       S.p[i].len);
	S.checks++;
	if (check_image(crash_img, len))
		return -1;
	return S.open_check ? open_crash_image(len) : 0;
}

static u64 rnd_state = 88172645463325252ULL;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Every crash the pending writes allow (or many, when there are many). */
static void check_crashes(const char *where)
{
	bool keep[MAX_PENDING];
	unsigned int n = S.np, i, t, tries;

	if (!S.check || S.bad)
		return;
	if (S.overflow) {
		S.bad++;
		ok(0, "%s: more than %u writes between syncs", where,
		   MAX_PENDING);
		return;
	}
	tries = n <= 12 ? 1U << n : 2 * n + 256;
	for (t = 0; t < tries; t++) {
		for (i = 0; i < n; i++)
			keep[i] = n <= 12 ? (t >> i) & 1 :
				  t < n ? i == t :		/* one alone */
				  t < 2 * n ? i != t - n :	/* all but one */
				  rnd() & 1;
		if (check_subset(keep)) {
			unsigned int kept = 0;

			for (i = 0; i < n; i++)
				kept += keep[i];
			S.bad++;
			ok(0, "%s: a crash keeping %u of %u writes: %s", where,
			   kept, n, S.why);
			for (i = 0; i < n; i++)
				printf("#   %s write of %llu bytes at 0x%llx\n",
				       keep[i] ? "kept" : "lost",
				       (unsigned long long)S.p[i].len,
				       (unsigned long long)S.p[i].off);
			return;
		}
	}
}

static void make_durable(bool lose)
{
	unsigned int i;

	for (i = 0; i < S.np; i++) {
		struct pending *p = &S.p[i];

		if (!lose && p->off + p->len <= FILE_MAX) {
			memcpy(S.durable + p->off, p->data, p->len);
			S.durable_len = MAX(S.durable_len, p->off + p->len);
		}
		free(p->data);
	}
	S.np = 0;
	S.overflow = false;
}

/* hold_syncs: an fdatasync of the image waits until it is cleared. */
static pthread_mutex_t hold_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cond = PTHREAD_COND_INITIALIZER;
static bool hold_syncs, in_sync;
/*
 * hold_failed: an fdatasync that fails (the pages already dropped) waits
 * until it is cleared before it returns, failed_held set meanwhile.
 */
static bool hold_failed, failed_held;

/*
 * Syncs arriving are numbered from 0 (arrived, reset by a test): while
 * hold_syncs, those numbered released or more wait.
 */
static unsigned int arrived, released;

static void held_sync(void)
{
	unsigned int t;

	pthread_mutex_lock(&hold_lock);
	t = arrived++;
	in_sync = true;
	pthread_cond_broadcast(&hold_cond);
	while (hold_syncs && t >= released)
		pthread_cond_wait(&hold_cond, &hold_lock);
	in_sync = false;
	pthread_mutex_unlock(&hold_lock);
}

int fdatasync(int fd)
{
	if (!tracked(fd))
		return S.sync_off ? 0 : syscall(SYS_fdatasync, fd);
	held_sync();
	S.syncs++;
	check_crashes("before a sync");
	if (S.fail_at && !--S.fail_at)
		S.fail_syncs = S.fail_n ? S.fail_n : 1;
	if (S.fail_syncs) {
		/* As Linux: the dirty pages are dropped, the error said once. */
		S.fail_syncs--;
		make_durable(true);
		pthread_mutex_lock(&hold_lock);
		failed_held = hold_failed;
		pthread_cond_broadcast(&hold_cond);
		while (hold_failed)
			pthread_cond_wait(&hold_cond, &hold_lock);
		failed_held = false;
		pthread_mutex_unlock(&hold_lock);
		errno = EIO;
		return -1;
	}
	make_durable(false);
	return syscall(SYS_fdatasync, fd);
}

/* --- The guest --- */

static unsigned int gidx(u64 g)
{
	unsigned int i;

	for (i = 0; i < NG; i++)
		if (gcls[i] == g)
			return i;
	abort();
}

static void remember(u64 g, unsigned int s, u64 v)
{
	unsigned int i = gidx(g);

	if (S.nhist[i][s] == MAX_HIST)
		abort();
	S.hist[i][s][S.nhist[i][s]++] = v;
}

static u64 next_ver = 1;

/*
 * Write sectors [s, s + n) of guest cluster g (n may run into g + 1);
 * dsync: write-through, durable when it returns (then those sectors may
 * never read older data again, as after a flush).
 */
static int gwrite_req(struct disk *d, u64 g, unsigned int s, unsigned int n,
		      bool dsync)
{
	u8 *buf = malloc((u64)n * SECT);
	u64 v = next_ver++, w[4] = { TAG, 0, 0, v };
	struct iovec iov = { .iov_base = buf, .iov_len = (u64)n * SECT };
	struct disk_req r = {
		.op = DISK_OP_WRITE, .off = g * CS + s * SECT,
		.len = (u64)n * SECT, .iov = &iov, .iovcnt = 1, .dsync = dsync,
	};
	unsigned int k;

	for (k = 0; k < n; k++) {
		u8 *p = buf + (u64)k * SECT;
		u64 gg = g + (s + k) / NSECT;
		unsigned int ss = (s + k) % NSECT;

		memset(p, (u8)v, SECT);
		w[1] = gg;
		w[2] = ss;
		memcpy(p, w, sizeof(w));
		remember(gg, ss, v);
	}
	disk_req_execute(d, &r);
	free(buf);
	if (r.result != (s64)r.len)
		return r.result < 0 ? (int)r.result : -EIO;
	for (k = 0; dsync && k < n; k++) {
		unsigned int i = gidx(g + (s + k) / NSECT), ss = (s + k) % NSECT;

		S.flushed[i][ss] = v;
		S.nhist[i][ss] = 0;
	}
	return 0;
}

static int gwrite(struct disk *d, u64 g, unsigned int s, unsigned int n)
{
	return gwrite_req(d, g, s, n, false);
}

static int gwrite_dsync(struct disk *d, u64 g, unsigned int s,
			unsigned int n)
{
	return gwrite_req(d, g, s, n, true);
}

static int gzero(struct disk *d, u64 g, bool unmap)
{
	unsigned int s;

	for (s = 0; s < NSECT; s++)
		remember(g, s, 0);
	return d->ops->zero(d, g * CS, CS, unmap);
}

static int gflush(struct disk *d)
{
	struct disk_req r = { .op = DISK_OP_FLUSH };
	unsigned int i, s;

	disk_req_execute(d, &r);
	if (r.result)
		return (int)r.result;
	for (i = 0; i < NG; i++)
		for (s = 0; s < NSECT; s++) {
			unsigned int n = S.nhist[i][s];

			if (n)
				S.flushed[i][s] = S.hist[i][s][n - 1];
			S.nhist[i][s] = 0;
		}
	/* A crash right after it (the frees it did since its last sync). */
	check_crashes("after a flush");
	return 0;
}

/* The version sector s of guest cluster g reads now, through the image. */
static u64 gread(struct disk *d, u64 g, unsigned int s)
{
	u8 p[SECT];

	if (disk_read(d, p, SECT, g * CS + s * SECT))
		return ~1ULL;
	return sector_version(p, g, s);
}

/* The version the guest wrote last there. */
static u64 last_ver(u64 g, unsigned int s)
{
	unsigned int i = gidx(g), n = S.nhist[i][s];

	return n ? S.hist[i][s][n - 1] : S.flushed[i][s];
}

/* Where guest cluster g is mapped (a read there done at once), or 0. */
static u64 host_of(struct disk *d, u64 g)
{
	u64 h = 0;

	if (d->ops->map_read(d, g * CS, CS, &h) != 1)
		return 0;
	d->ops->map_done(d);
	return h;
}

/* A read map_read() maps: 1 (and done with at once), else its answer. */
static int map_once(struct disk *d, u64 off, u64 len)
{
	u64 h;
	int ret = d->ops->map_read(d, off, len, &h);

	if (ret == 1)
		d->ops->map_done(d);
	return ret;
}

#define P32(o, x) (w = htobe32(x), memcpy(b + (o), &w, 4))
#define P64(o, x) (v = htobe64(x), memcpy(b + (o), &v, 8))

enum img_kind { IMG_PLAIN, IMG_FULL, IMG_GROW };

/*
 * IMG_GROW: 512-byte clusters, v3, 64-bit refcounts (64 a block), 4 MiB,
 * no data; the file as long as its one-cluster refcount table counts
 * (2 MiB), all of it in use (leaked), so the next allocation grows the
 * table. Cluster 0 header, 1 refcount table, 2-65 refcount blocks, 66-67
 * L1 table.
 */
static void build_grow(u8 *b, u64 *len)
{
	u64 v, i, cs = 512, n = GROW_CLUSTERS;
	u32 w;

	memset(b, 0, n * cs);
	P32(0, QCOW2_MAGIC);
	P32(4, 3);
	P32(20, 9);
	P64(24, 4 * SZ_1M);
	P32(36, 128);			/* L1 entries */
	P64(40, 66 * cs);
	P64(48, 1 * cs);
	P32(56, 1);
	P32(96, 6);
	P32(100, QCOW2_V3_HEADER_LEN);
	for (i = 0; i < 64; i++)
		P64(cs + 8 * i, (2 + i) * cs);
	for (i = 0; i < n; i++)
		P64(2 * cs + 8 * i, 1);
	*len = n * cs;
}

/*
 * The image: 4 KiB clusters, v3, 16-bit refcounts, 4 MiB, no data. IMG_FULL:
 * the file is as long as the first refcount block covers, all of it in
 * use (leaked), so the next allocation makes a new block.
 */
static void build(u8 *b, u64 *len, enum img_kind kind)
{
	bool full = kind == IMG_FULL;
	u64 v, i;
	u32 w;

	if (kind == IMG_GROW) {
		build_grow(b, len);
		return;
	}
	memset(b, 0, 5 * CS);
	P32(0, QCOW2_MAGIC);
	P32(4, 3);
	P32(20, 12);
	P64(24, 4 * SZ_1M);
	P32(36, 2);			/* L1 entries */
	P64(40, 3 * CS);		/* L1 */
	P64(48, 1 * CS);		/* refcount table */
	P32(56, 1);
	P32(96, 4);			/* 16-bit refcounts */
	P32(100, QCOW2_V3_HEADER_LEN);
	P64(1 * CS, 2 * CS);		/* refcount block */
	P64(3 * CS, 4 * CS | QCOW2_OFLAG_COPIED);	/* L2 for 0-511 */
	for (i = 0; i < (full ? RB_CLUSTERS : 5); i++)
		b[2 * CS + 2 * i + 1] = 1;
	*len = (full ? RB_CLUSTERS : 5) * CS;
}

static struct disk *make_image(const char *name, bool qcow2,
			       enum img_kind kind)
{
	struct disk_open_opts o = { .no_lock = true };
	struct disk *d = NULL;
	char p[128], err[256];
	u64 len = 16 * CS;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	memset(S.durable, 0, sizeof(S.durable));
	memset(S.flushed, 0, sizeof(S.flushed));
	memset(S.nhist, 0, sizeof(S.nhist));
	S.bad = 0;
	S.checks = 0;
	if (qcow2)
		build(S.durable, &len, kind);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, S.durable, len) != (ssize_t)len ||
	    close(fd))
		return NULL;
	S.durable_len = len;
	if (disk_open(&d, p, &o, err, sizeof(err))) {
		printf("# %s: %s\n", name, err);
		return NULL;
	}
	S.fd = d->fd;
	return d;
}

static void test_crash_consistency(void)
{
	struct disk *d = make_image("c.qcow2", true, IMG_PLAIN);
	unsigned int i;
	int r = 0;

	if (!ok(d != NULL, "crash: the image opens"))
		return;
	((struct qcow2 *)d->priv)->defer_max = DEFER;
	S.check = true;
	r = r ?: gwrite(d, 0, 0, NSECT);	/* allocate */
	r = r ?: gwrite(d, 1, 0, NSECT);
	r = r ?: gflush(d);
	r = r ?: gwrite(d, 2, 3, 1);		/* copy-on-write of zeroes */
	r = r ?: gwrite(d, 600, 0, NSECT);	/* a new L2 table */
	r = r ?: gflush(d);
	r = r ?: gzero(d, 0, true);		/* freed ... */
	r = r ?: gwrite(d, 3, 0, NSECT);	/* ... and handed out again */
	r = r ?: gzero(d, 1, false);		/* preallocated zero cluster */
	r = r ?: gflush(d);			/* its old data must not return */
	r = r ?: gwrite(d, 1, 2, 1);		/* partial write into it */
	r = r ?: gflush(d);
	r = r ?: gwrite(d, 1, 0, NSECT);	/* in place */
	r = r ?: gzero(d, 3, true);
	r = r ?: gzero(d, 600, true);
	r = r ?: gwrite(d, 4, 4, NSECT);	/* two clusters, both partial */
	r = r ?: gwrite(d, 0, 0, 2 * NSECT);	/* two whole clusters */
	r = r ?: gflush(d);
	r = r ?: gwrite(d, 2, 0, 3);
	r = r ?: gflush(d);
	r = r ?: gwrite(d, RUN_FIRST, 0, RUN_LEN * NSECT);
	r = r ?: gflush(d);
	r = r ?: gwrite(d, RUN_FIRST, 0, RUN_LEN * NSECT);	/* in place */
	for (i = 0; i < RUN_LEN; i++)
		r = r ?: gzero(d, RUN_FIRST + i, true);
	r = r ?: gwrite(d, RUN_FIRST, 1, RUN_LEN * NSECT - 2);
	check_crashes("at the end");
	ok(!r, "crash: every request succeeded (%d)", r);
	ok(!S.bad, "crash: %u crash images checked, all consistent, no flushed data lost",
	   S.checks);
	S.check = false;
	make_durable(false);
	S.fd = -1;
	disk_close(d);
}

/*
 * Write-back: allocating writes cost no sync until the guest's FLUSH,
 * which costs two (contents and refcounts, then the L2 entries).
 * Meanwhile reads see the data, a second write to such a cluster writes
 * in place, a discard or write-zeroes of one reads zeroes and frees
 * nothing before the flush; close writes what was never flushed; and
 * every crash image is consistent, with every flushed write in it.
 */
static void test_writeback(void)
{
	struct disk *d = make_image("wb.qcow2", true, IMG_PLAIN);
	struct disk_open_opts o = { .no_lock = true };
	u64 h0, h1, h4, end;
	unsigned int syncs, s, bad = 0;
	char p[128];
	int r;

	if (!ok(d != NULL, "write-back: the image opens"))
		return;
	S.check = true;
	syncs = S.syncs;
	r = gwrite(d, 0, 0, NSECT);
	r = r ?: gwrite(d, 1, 0, NSECT);
	r = r ?: gwrite(d, 2, 0, NSECT);
	r = r ?: gwrite(d, 3, 2, 1);		/* copy-on-write of zeroes */
	ok(!r && S.syncs == syncs,
	   "write-back: four allocating writes, no sync (%u, %d)",
	   S.syncs - syncs, r);
	ok(gread(d, 0, 5) == last_ver(0, 5) && gread(d, 3, 2) == last_ver(3, 2) &&
	   gread(d, 3, 0) == 0,
	   "write-back: before the flush, reads see the writes");
	h0 = host_of(d, 0);
	end = ((struct qcow2 *)d->priv)->host_end;
	r = gwrite(d, 0, 1, 2);
	ok(!r && h0 && host_of(d, 0) == h0 &&
	   ((struct qcow2 *)d->priv)->host_end == end && S.syncs == syncs,
	   "write-back: a second write to a cluster not yet flushed goes in place (0x%llx, 0x%llx)",
	   (unsigned long long)h0, (unsigned long long)host_of(d, 0));
	ok(gread(d, 0, 0) == last_ver(0, 0) && gread(d, 0, 1) == last_ver(0, 1) &&
	   gread(d, 0, 3) == last_ver(0, 3),
	   "write-back: reads see both writes");
	h1 = host_of(d, 1);
	r = gzero(d, 1, true);
	r = r ?: gzero(d, 2, false);
	r = r ?: gwrite(d, 4, 0, NSECT);
	h4 = host_of(d, 4);
	ok(!r && h1 && h4 && h4 != h1 && gread(d, 1, 0) == 0 &&
	   gread(d, 2, 7) == 0 && S.syncs == syncs,
	   "write-back: a discard and a write-zeroes of clusters not flushed read zeroes, no sync, and the discarded cluster is not handed out again before the flush (0x%llx, 0x%llx)",
	   (unsigned long long)h1, (unsigned long long)h4);
	syncs = S.syncs;
	r = gflush(d);
	ok(!r && S.syncs - syncs == 2,
	   "write-back: the flush syncs twice (%u, %d)", S.syncs - syncs, r);
	r = gwrite(d, 5, 0, NSECT);
	ok(!r && host_of(d, 5) == h1,
	   "write-back: after the flush the discarded cluster is free again (0x%llx)",
	   (unsigned long long)host_of(d, 5));
	r = r ?: gflush(d);
	r = r ?: gwrite(d, 600, 0, NSECT);	/* never flushed: close */
	check_crashes("write-back, at the end");
	ok(!r && !S.bad, "write-back: %u crash images checked, all consistent, no flushed data lost (%d)",
	   S.checks, r);
	S.check = false;
	S.fd = -1;
	disk_close(d);
	make_durable(false);
	snprintf(p, sizeof(p), "%s/wb.qcow2", dir);
	d = NULL;
	if (disk_open(&d, p, &o, NULL, 0))
		abort();
	for (s = 0; s < NSECT; s++) {
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(some_gcls); i++)
			bad += gread(d, some_gcls[i], s) !=
			       last_ver(some_gcls[i], s);
	}
	ok(!bad, "write-back: reopened, every sector reads as last written (%u differ)",
	   bad);
	disk_close(d);
}

/*
 * Write-through: a write is durable when it completes, also one written
 * in place into a cluster whose allocation is not flushed yet (the
 * checker holds those sectors to it at once).
 */
static void test_writethrough(void)
{
	struct disk *d = make_image("wt.qcow2", true, IMG_PLAIN);
	int r;

	if (!ok(d != NULL, "write-through: the image opens"))
		return;
	S.check = true;
	r = gwrite_dsync(d, 0, 0, NSECT);
	check_crashes("after a write-through write");
	r = r ?: gwrite(d, 1, 0, NSECT);
	r = r ?: gwrite_dsync(d, 1, 2, 1);
	check_crashes("after a write-through write in place");
	r = r ?: gwrite(d, 2, 0, NSECT);
	check_crashes("write-through, at the end");
	ok(!r && !S.bad,
	   "write-through: %u crash images checked, each write-through write in all of them (%d)",
	   S.checks, r);
	S.check = false;
	make_durable(false);
	S.fd = -1;
	disk_close(d);
}

/* A write that needs a new refcount block: the block before its entry. */
static void test_new_refblock(void)
{
	struct disk *d = make_image("rb.qcow2", true, IMG_FULL);
	int r;

	if (!ok(d != NULL, "new refcount block: the image opens"))
		return;
	S.check = true;
	r = gwrite(d, 0, 0, NSECT);
	r = r ?: gflush(d);
	check_crashes("new refcount block, at the end");
	ok(!r && !S.bad,
	   "new refcount block: %u crash images checked, all consistent (%d)",
	   S.checks, r);
	S.check = false;
	make_durable(false);
	S.fd = -1;
	disk_close(d);
}

struct map_call {
	struct disk *d;
	int ret;
	bool done;
};

static void *map_thread(void *arg)
{
	struct map_call *m = arg;
	u64 host;

	m->ret = m->d->ops->map_read(m->d, 0, CS, &host);
	if (m->ret == 1)
		m->d->ops->map_done(m->d);
	pthread_mutex_lock(&hold_lock);
	m->done = true;
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_lock);
	return NULL;
}

static void *write_thread(void *arg)
{
	return (void *)(long)gwrite_dsync(arg, 1, 0, NSECT);
}

/* Wait (hold_lock held) until *flag or 2 s have passed. */
static bool wait_for(bool *flag)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	while (!*flag)
		if (pthread_cond_timedwait(&hold_cond, &hold_lock, &until))
			break;
	return *flag;
}

/*
 * The io_uring engine asks map_read() on the I/O thread whether a read can
 * go to the file directly: it must not wait while an allocating
 * write-through write holds the image (committing its L2 entry, syncing
 * under its lock), but say "not mapped".
 */
static void test_map_read_no_wait(void)
{
	struct disk *d = make_image("m.qcow2", true, IMG_PLAIN);
	struct map_call m = { .d = d };
	pthread_t w, mt;
	bool syncing, answered;
	void *wret;

	if (!ok(d != NULL, "map_read: the image opens"))
		return;
	ok(!gwrite(d, 0, 0, NSECT) && map_once(d, 0, CS) == 1,
	   "map_read: an allocated cluster maps");
	pthread_mutex_lock(&hold_lock);
	hold_syncs = true;
	pthread_mutex_unlock(&hold_lock);
	if (pthread_create(&w, NULL, write_thread, d))
		abort();
	pthread_mutex_lock(&hold_lock);
	syncing = wait_for(&in_sync);
	pthread_mutex_unlock(&hold_lock);
	if (pthread_create(&mt, NULL, map_thread, &m))
		abort();
	pthread_mutex_lock(&hold_lock);
	answered = wait_for(&m.done);
	hold_syncs = false;
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_lock);
	ok(syncing && answered && m.ret == 0,
	   "map_read: while a write-through write syncs under the image's lock, it answers at once: not mapped (%s, %d)",
	   answered ? "answered" : "still waiting after 2 s", m.ret);
	pthread_join(w, &wret);
	pthread_join(mt, NULL);
	ok(!wret && map_once(d, 0, CS) == 1,
	   "map_read: the write done, it maps again");
	make_durable(false);
	S.fd = -1;
	disk_close(d);
}

/*
 * A commit whose first sync fails (the kernel dropped the new cluster's
 * contents and refcount): the flush fails, and the entry the commit did
 * not write is not kept in memory as if it were safe, nor written later:
 * the cluster reads as before the write, and after close the file's L2
 * entry is still empty.
 */
static void test_failed_commit(void)
{
	struct disk *d = make_image("fc.qcow2", true, IMG_PLAIN);
	u64 e = 1;
	int w, f1, f2;

	if (!ok(d != NULL, "failed commit: the image opens"))
		return;
	w = gwrite(d, 0, 0, NSECT);
	S.fail_syncs = 1;
	f1 = gflush(d);
	f2 = gflush(d);
	ok(!w && f1 == -EIO && f2 == -EIO,
	   "failed commit: that flush and the next fail (%d, %d)", f1, f2);
	ok(gread(d, 0, 0) == 0 && host_of(d, 0) == 0,
	   "failed commit: the cluster reads as before the write, unmapped");
	S.fail_syncs = 0;
	make_durable(false);
	S.fd = -1;
	disk_close(d);
	{
		char p[128];
		int fd;

		snprintf(p, sizeof(p), "%s/fc.qcow2", dir);
		fd = open(p, O_RDONLY);
		if (fd < 0 || pread(fd, &e, 8, 4 * CS) != 8)
			e = 1;
		if (fd >= 0)
			close(fd);
	}
	ok(!e, "failed commit: after close the file's L2 entry is still empty (0x%llx)",
	   (unsigned long long)be64toh(e));
}

static void test_sync_errors(const char *name, bool qcow2)
{
	struct disk *d = make_image(name, qcow2, IMG_PLAIN);
	int first, second, third;

	if (!ok(d != NULL, "%s: opens", name))
		return;
	first = gwrite(d, 0, 0, NSECT);
	S.fail_syncs = 1;
	second = gflush(d);
	third = gflush(d);
	ok(!first && second == -EIO,
	   "%s: the flush whose fdatasync fails returns -EIO (%d)", name,
	   second);
	ok(third == -EIO,
	   "%s: so does the next one, though fdatasync now succeeds (%d)",
	   name, third);
	third = gwrite(d, 1, 0, NSECT);
	ok(!third && gflush(d) == -EIO,
	   "%s: later writes go on, their flushes still fail", name);
	S.fail_syncs = 0;
	make_durable(false);
	S.fd = -1;
	disk_close(d);
}

/*
 * A write-through write refused because the qcow2 image is corrupt (an
 * L2 entry points guest data at the L1 table) fails with EIO, but no sync
 * failed: flushes still succeed.
 */
static void test_corrupt_is_no_sync_error(void)
{
	struct disk *d = make_image("k.qcow2", true, IMG_PLAIN);
	u64 e = htobe64(3 * CS | QCOW2_OFLAG_COPIED);
	struct iovec v;
	struct disk_req w = {
		.op = DISK_OP_WRITE, .len = CS, .iov = &v, .iovcnt = 1,
		.dsync = true,
	};
	u8 *buf = calloc(1, CS);

	if (!ok(d && buf, "corrupt image: opens"))
		return;
	v.iov_base = buf;
	v.iov_len = CS;
	/*
	 * The L2 table's first entry, behind the back of the open image (an
	 * image like that is refused read-write at open; the table is read
	 * at the first request).
	 */
	S.fd = -1;
	if (pwrite(d->fd, &e, 8, 4 * CS) != 8)
		abort();
	S.fd = d->fd;
	disk_req_execute(d, &w);
	ok(w.result == -EIO, "corrupt image: the write-through write fails (%lld)",
	   (long long)w.result);
	memcpy(&e, S.durable + 72, 8);
	ok(be64toh(e) & QCOW2_INCOMPAT_CORRUPT,
	   "corrupt image: its corrupt bit is durable (synced) when the write fails (0x%llx, %u writes pending)",
	   (unsigned long long)be64toh(e), S.np);
	ok(gflush(d) == 0, "corrupt image: a flush still succeeds");
	make_durable(false);
	S.fd = -1;
	disk_close(d);
	free(buf);
}

/*
 * An image with an autoclear feature (bit 0: QEMU's bitmaps) opened
 * read-write: lkvm clears the word (it does not keep bitmaps current),
 * and the cleared word is durable when the open returns, before any guest
 * write can be: else a crash could keep a guest write and the stale
 * "bitmaps are valid" bit together.
 */
static void test_autoclear_synced(void)
{
	struct disk_open_opts o = { .no_lock = true };
	struct disk *d = NULL;
	char p[128], err[256];
	struct stat st;
	u64 len, v;
	int fd;

	snprintf(p, sizeof(p), "%s/ac.qcow2", dir);
	memset(S.durable, 0, sizeof(S.durable));
	build(S.durable, &len, IMG_PLAIN);
	v = htobe64(1);
	memcpy(S.durable + 88, &v, 8);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, S.durable, len) != (ssize_t)len ||
	    fstat(fd, &st) || close(fd))
		abort();
	S.durable_len = len;
	S.dev = st.st_dev;
	S.ino = st.st_ino;
	if (!ok(!disk_open(&d, p, &o, err, sizeof(err)),
		"autoclear: the image opens read-write %s", err)) {
		S.ino = 0;
		return;
	}
	memcpy(&v, S.durable + 88, 8);
	ok(!v, "autoclear: the word is cleared and synced when the open returns (on disk for sure: 0x%llx, %u writes pending)",
	   (unsigned long long)be64toh(v), S.np);
	make_durable(false);
	S.ino = 0;
	disk_close(d);
}

/*
 * disk.h: after a failed sync "a successful sync returns -EIO, for ever",
 * RWF_DSYNC and a write-through write's fdatasync included. A write-through
 * write after a failed flush must not report itself durable: qcow2's
 * (metadata linked to tables whose writes the kernel dropped) least of all.
 */
static void test_dsync_after_sync_error(const char *name, bool qcow2)
{
	struct disk *d = make_image(name, qcow2, IMG_PLAIN);
	u8 *buf = calloc(1, CS);
	struct iovec v = { .iov_base = buf, .iov_len = CS };
	struct disk_req w = {
		.op = DISK_OP_WRITE, .off = CS, .len = CS, .iov = &v,
		.iovcnt = 1, .dsync = true,
	};
	int first;

	if (!ok(d && buf, "%s: opens", name))
		return;
	first = gwrite(d, 0, 0, NSECT);
	S.fail_syncs = 1;
	ok(!first && gflush(d) == -EIO, "%s: a flush fails", name);
	disk_req_execute(d, &w);
	ok(w.result == -EIO,
	   "%s: a write-through write after it fails too (%lld)", name,
	   (long long)w.result);
	S.fail_syncs = 0;
	make_durable(false);
	S.fd = -1;
	disk_close(d);
	free(buf);
}

/* The run test_barrier_failures() fails a sync in. */
static void barrier_run(struct disk *d)
{
	gwrite(d, 0, 0, NSECT);
	gwrite(d, 1, 0, NSECT);
	gflush(d);
	gwrite(d, 600, 0, NSECT);
	gzero(d, 0, true);
	gwrite(d, 3, 0, NSECT);
	gwrite(d, 2, 3, 1);
	gwrite(d, RUN_FIRST, 0, 12 * NSECT);
	gflush(d);
	gwrite(d, RUN_FIRST, 0, 12 * NSECT);
	gzero(d, 1, false);
	gwrite(d, 1, 2, 1);
	gwrite_dsync(d, 4, 0, NSECT);
	gwrite(d, 5, 0, NSECT);
	gflush(d);
}

static struct disk *barrier_image(const char *name)
{
	struct disk *d = make_image(name, true, IMG_PLAIN);

	if (!d)
		abort();
	((struct qcow2 *)d->priv)->defer_max = 4;
	return d;
}

static void barrier_done(struct disk *d)
{
	S.check = false;
	S.fail_at = 0;
	S.fail_n = 0;
	S.fail_syncs = 0;
	make_durable(false);
	S.fd = -1;
	disk_close(d);
}

/*
 * A barrier (or flush) that fails anywhere in a run of allocating writes,
 * discards, a new L2 table and a write-through write: every crash image
 * after it, at each later sync and at the end, is consistent (dirty
 * entries and frees dropped or applied whole, never an entry naming a
 * cluster whose writes the kernel dropped). The run's syncs are counted
 * first, and each fails in turn.
 */
static void test_barrier_failures(void)
{
	char name[32];
	unsigned int k, n, bad = 0, checks = 0, fired = 0;
	struct disk *d = barrier_image("f0.qcow2");

	S.syncs = 0;
	barrier_run(d);
	n = S.syncs;
	barrier_done(d);
	for (k = 1; k <= n; k++) {
		snprintf(name, sizeof(name), "f%u.qcow2", k);
		d = barrier_image(name);
		S.check = true;
		S.fail_at = (int)k;
		barrier_run(d);
		check_crashes("barrier failure, at the end");
		bad += S.bad;
		checks += S.checks;
		fired += !S.fail_at;
		barrier_done(d);
	}
	ok(n >= 5 && fired == n && !bad,
	   "a sync failing at each of the run's %u (%u failed): %u crash images checked, %u inconsistent",
	   n, fired, checks, bad);
	S.bad = 0;
}

/*
 * A sync that fails outside a commit (the zeroes of a new L2 table) while
 * an earlier write's L2 entry waits in memory: the kernel dropped that
 * write's refcount and data with the failed sync, so no later commit may
 * write the entry (a cluster named with refcount 0, the next read-write
 * open refuses the image). Every crash image after it is consistent.
 */
static void test_barrier_failure_pending(void)
{
	struct disk *d = make_image("fp.qcow2", true, IMG_PLAIN);
	int w0, w1, f;

	if (!ok(d != NULL, "failed sync with entries pending: the image opens"))
		return;
	S.check = true;
	w0 = gwrite(d, 0, 0, NSECT);		/* entry pending */
	S.fail_syncs = 1;
	w1 = gwrite(d, 600, 0, NSECT);		/* new L2 table: its sync fails */
	S.fail_syncs = 0;
	f = gflush(d);
	check_crashes("failed sync with entries pending, after the flush");
	ok(!w0 && w1 == -EIO && f == -EIO && !S.bad,
	   "failed sync with entries pending: that write and the flush fail (%d, %d, %d), %u crash images checked, %u inconsistent",
	   w0, w1, f, S.checks, S.bad);
	S.bad = 0;
	barrier_done(d);
}

static void *dsync_thread(void *arg)
{
	return (void *)(long)gwrite_dsync(arg, 0, 0, NSECT);
}

/*
 * The same with the sync outside the image's lock: a write-through write
 * in place (nothing pending when it checked) syncs after unlocking; an
 * allocating write goes in meanwhile, and that sync fails, dropping its
 * refcount and data. The next commit must not write its entry.
 */
static void test_unlocked_sync_failure_pending(void)
{
	struct disk *d = make_image("fu.qcow2", true, IMG_PLAIN);
	int w0 = -1, w1, f;
	pthread_t t;
	bool syncing;
	void *wret;

	if (!ok(d != NULL, "failed unlocked sync with entries pending: the image opens"))
		return;
	w0 = gwrite(d, 0, 0, NSECT);
	w0 = w0 ?: gflush(d);			/* cluster 0 allocated, clean */
	S.check = true;
	pthread_mutex_lock(&hold_lock);
	hold_syncs = true;
	pthread_mutex_unlock(&hold_lock);
	if (pthread_create(&t, NULL, dsync_thread, d))
		abort();
	pthread_mutex_lock(&hold_lock);
	syncing = wait_for(&in_sync);		/* in place, lock dropped */
	pthread_mutex_unlock(&hold_lock);
	w1 = gwrite(d, 1, 0, NSECT);		/* entry pending */
	S.fail_syncs = 1;
	pthread_mutex_lock(&hold_lock);
	hold_syncs = false;
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_lock);
	pthread_join(t, &wret);
	S.fail_syncs = 0;
	f = gflush(d);
	check_crashes("failed unlocked sync with entries pending, after the flush");
	ok(!w0 && syncing && !w1 && (long)wret == -EIO && f == -EIO && !S.bad,
	   "failed unlocked sync with entries pending: the write-through write and the flush fail (%ld, %d), %u crash images checked, %u inconsistent",
	   (long)wret, f, S.checks, S.bad);
	S.bad = 0;
	barrier_done(d);
}

/*
 * A new refcount block whose refcount table entry the kernel dropped with
 * a failed sync (the entry is written after the block's barrier, not
 * synced on its own): later allocations in its range are counted in a
 * block the file's refcount table does not name, and their entries are
 * committed: the next commit after a failed sync writes the refcount
 * table (and L1) again. Every crash image after it is consistent.
 */
static void test_dropped_rct_entry(void)
{
	struct disk *d = make_image("fr.qcow2", true, IMG_FULL);
	int w0, w1, w2;

	if (!ok(d != NULL, "dropped refcount table entry: the image opens"))
		return;
	S.check = true;
	w0 = gwrite(d, 0, 0, NSECT);		/* a new refcount block */
	S.fail_syncs = 1;
	w1 = gwrite(d, 600, 0, NSECT);		/* its sync fails */
	S.fail_syncs = 0;
	gflush(d);
	w2 = gwrite(d, 1, 0, NSECT);		/* counted in that block */
	gflush(d);
	check_crashes("dropped refcount table entry, at the end");
	ok(!w0 && w1 == -EIO && !w2 && !S.bad,
	   "dropped refcount table entry: %u crash images checked, %u inconsistent (%d, %d, %d)",
	   S.checks, S.bad, w0, w1, w2);
	S.bad = 0;
	barrier_done(d);
}

struct flush_call {
	struct disk *d;
	int ret;
	bool done;		/* under hold_lock */
};

static void *flush_thread(void *arg)
{
	struct flush_call *f = arg;
	int ret = gflush(f->d);

	pthread_mutex_lock(&hold_lock);
	f->ret = ret;
	f->done = true;
	pthread_mutex_unlock(&hold_lock);
	return NULL;
}

/*
 * The window of an unlocked sync: a write-through write in place syncs
 * after dropping the image's lock; an allocating write goes in; that
 * sync fails (dropping the write's refcount and data) and is held before
 * it returns, so its error is not yet in d->sync_failed. A flush (in a
 * thread) commits meanwhile: its first sync succeeds (the kernel said it
 * once, to the other), so it must wait for the other's result before it
 * writes the entry, and fail. The test lets the held sync go once the
 * flush has returned or is seen waiting (q->sync_waiters), at most 5 s.
 */
static void test_unlocked_sync_window(void)
{
	struct disk *d = make_image("fx.qcow2", true, false);
	struct flush_call fc = { .d = d };
	struct qcow2 *q = d ? d->priv : NULL;
	int w0 = -1, w1 = -1, i;
	bool failed = false, waited = false, done = false;
	pthread_t t, ft;
	void *wret;

	if (!ok(d != NULL, "unlocked sync window: the image opens"))
		return;
	w0 = gwrite(d, 0, 0, NSECT);
	w0 = w0 ?: gflush(d);			/* cluster 0 allocated, clean */
	S.check = true;
	pthread_mutex_lock(&hold_lock);
	hold_syncs = true;
	pthread_mutex_unlock(&hold_lock);
	if (pthread_create(&t, NULL, dsync_thread, d))
		abort();
	pthread_mutex_lock(&hold_lock);
	wait_for(&in_sync);			/* in place, lock dropped */
	pthread_mutex_unlock(&hold_lock);
	w1 = gwrite(d, 1, 0, NSECT);		/* entry pending */
	S.fail_syncs = 1;
	pthread_mutex_lock(&hold_lock);
	hold_failed = true;
	hold_syncs = false;
	pthread_cond_broadcast(&hold_cond);
	failed = wait_for(&failed_held);	/* failed, result not out */
	pthread_mutex_unlock(&hold_lock);
	if (failed && pthread_create(&ft, NULL, flush_thread, &fc))
		abort();
	for (i = 0; failed && i < 5000 && !done && !waited; i++) {
		usleep(1000);
		waited = __atomic_load_n(&q->sync_waiters, __ATOMIC_ACQUIRE);
		pthread_mutex_lock(&hold_lock);
		done = fc.done;
		pthread_mutex_unlock(&hold_lock);
	}
	pthread_mutex_lock(&hold_lock);
	hold_failed = false;
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_lock);
	pthread_join(t, &wret);
	if (failed)
		pthread_join(ft, NULL);
	S.fail_syncs = 0;
	check_crashes("unlocked sync window, at the end");
	ok(!w0 && !w1 && failed && (long)wret == -EIO && fc.ret == -EIO,
	   "unlocked sync window: the failed write-through write and the flush that ran before its result was out both fail (%ld, %d; the flush %s)",
	   (long)wret, fc.ret, waited ? "waited for it" : done ?
	   "returned before it" : "neither returned nor waited in 5 s");
	ok(!S.bad, "unlocked sync window: %u crash images checked, %u inconsistent",
	   S.checks, S.bad);
	S.bad = 0;
	barrier_done(d);
}

/*
 * A read map_read() mapped goes to the file outside the image's lock (on
 * the io_uring ring) and may still run when a discard of that cluster is
 * committed: the cluster must not be freed (and handed out to another
 * guest cluster, whose data the read would return) until the read is
 * done (map_done()). The flush that would free it waits for that; then
 * the cluster is free again. The test ends the read once the flush has
 * returned or is seen waiting (q->sync_waiters), at most 5 s.
 */
static void test_mapped_read_free(void)
{
	struct disk *d = make_image("mf.qcow2", true, false);
	struct flush_call fc = { .d = d };
	struct qcow2 *q = d ? d->priv : NULL;
	bool mapped, waited = false, done = false;
	u64 h0 = 0, h5;
	pthread_t ft;
	int r, i;

	if (!ok(d != NULL, "mapped read and free: the image opens"))
		return;
	r = gwrite(d, 0, 0, NSECT);
	r = r ?: gflush(d);
	mapped = d->ops->map_read(d, 0, CS, &h0) == 1;	/* the read is out */
	r = r ?: gzero(d, 0, true);		/* freed at the next commit */
	if (pthread_create(&ft, NULL, flush_thread, &fc))
		abort();
	for (i = 0; i < 5000 && !done && !waited; i++) {
		usleep(1000);
		waited = __atomic_load_n(&q->sync_waiters, __ATOMIC_ACQUIRE);
		pthread_mutex_lock(&hold_lock);
		done = fc.done;
		pthread_mutex_unlock(&hold_lock);
	}
	if (mapped)
		d->ops->map_done(d);		/* the read is done */
	pthread_join(ft, NULL);
	ok(!r && mapped && waited && !done,
	   "mapped read and free: the flush that frees the discarded cluster waits for the read mapped there (%d, %s)",
	   r, waited ? "waited" : done ? "returned before the read was done" :
	   "neither returned nor waited in 5 s");
	r = fc.ret ?: gwrite(d, 5, 0, NSECT);
	h5 = host_of(d, 5);
	ok(!r && h0 && h5 == h0,
	   "mapped read and free: the read done, the flush returns and the cluster is free again (%d, 0x%llx, 0x%llx)",
	   r, (unsigned long long)h0, (unsigned long long)h5);
	make_durable(false);
	S.fd = -1;
	disk_close(d);
}

static void *new_table_thread(void *arg)
{
	return (void *)(long)gwrite(arg, 600, 0, NSECT);
}

/* Wait (hold_lock held) until n syncs have arrived, or 2 s. */
static bool wait_arrived(unsigned int n)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	while (arrived < n)
		if (pthread_cond_timedwait(&hold_cond, &hold_lock, &until))
			break;
	return arrived >= n;
}

/*
 * A sync outside the lock (a write-through write in place) fails between
 * the writes of a new L2 table (its zeroes, its refcount) and that
 * table's barrier, dropping them: the barrier succeeds (the kernel told
 * the other), but the table must not be linked into L1 (an L1 entry
 * naming a cluster with refcount 0 and stale contents): that write fails.
 */
static void test_unlocked_sync_new_table(void)
{
	struct disk *d = make_image("fn.qcow2", true, false);
	int w0 = -1, f;
	bool held = false;
	pthread_t t, tt;
	void *wret = NULL, *tret = NULL;

	if (!ok(d != NULL, "failed unlocked sync before a new table's barrier: the image opens"))
		return;
	w0 = gwrite(d, 0, 0, NSECT);
	w0 = w0 ?: gflush(d);			/* cluster 0 allocated, clean */
	S.check = true;
	pthread_mutex_lock(&hold_lock);
	hold_syncs = true;
	arrived = released = 0;
	pthread_mutex_unlock(&hold_lock);
	if (pthread_create(&t, NULL, dsync_thread, d))
		abort();
	pthread_mutex_lock(&hold_lock);
	held = wait_arrived(1);			/* in place, lock dropped */
	pthread_mutex_unlock(&hold_lock);
	if (pthread_create(&tt, NULL, new_table_thread, d))
		abort();
	pthread_mutex_lock(&hold_lock);
	held = wait_arrived(2) && held;		/* the table's barrier */
	S.fail_syncs = 1;
	released = 1;				/* the first fails */
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_lock);
	pthread_join(t, &wret);
	pthread_mutex_lock(&hold_lock);
	hold_syncs = false;			/* the barrier goes on */
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_lock);
	pthread_join(tt, &tret);
	S.fail_syncs = 0;
	f = gflush(d);
	check_crashes("failed unlocked sync before a new table's barrier, at the end");
	ok(!w0 && held && (long)wret == -EIO && (long)tret == -EIO && f == -EIO,
	   "failed unlocked sync before a new table's barrier: the write-through write, the write that needs the table and the flush fail (%ld, %ld, %d)",
	   (long)wret, (long)tret, f);
	ok(!S.bad, "failed unlocked sync before a new table's barrier: %u crash images checked, %u inconsistent",
	   S.checks, S.bad);
	S.bad = 0;
	barrier_done(d);
}

/* Every sector of guest clusters g[0..n) reads as last written, reopened. */
static unsigned int reopen_differs(const char *name, const u64 *g,
				   unsigned int n)
{
	struct disk_open_opts o = { .no_lock = true };
	struct disk *d = NULL;
	unsigned int i, s, bad = 0;
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (disk_open(&d, p, &o, NULL, 0))
		return ~0U;
	for (i = 0; i < n; i++)
		for (s = 0; s < NSECT; s++)
			bad += gread(d, g[i], s) != last_ver(g[i], s);
	disk_close(d);
	return bad;
}

/*
 * A commit whose write of its second piece of L2 entries fails after
 * writing half of it (entries 32-47 of the table in the file, 48-63 not):
 * the first piece (guest cluster 0) is in the file, and so is the torn
 * half (guest cluster 40). The cached table must say what the file says:
 * both clusters were write-zeroed keeping their allocation (the zero flag
 * set), so a later write into them must clear the flag again, not just
 * write the data in place. Reopened, each reads as last written.
 */
static void test_failed_piece(void)
{
	static const u64 g[] = { 0, 40 };
	struct disk *d = make_image("fw.qcow2", true, false);
	int r, f;

	if (!ok(d != NULL, "failed piece: the image opens"))
		return;
	r = gwrite(d, 0, 0, NSECT);
	r = r ?: gwrite(d, 40, 0, NSECT);
	r = r ?: gflush(d);
	r = r ?: gzero(d, 0, false);
	r = r ?: gzero(d, 40, false);
	S.check = true;
	S.fail_write_at = 2;
	S.tear = true;
	f = gflush(d);
	S.tear = false;
	ok(!r && f == -EIO && !S.fail_write_at && !S.fail_next_write,
	   "failed piece: the flush whose second piece fails returns -EIO (%d, %d)",
	   r, f);
	r = gwrite(d, 0, 0, NSECT);
	r = r ?: gwrite(d, 40, 0, NSECT);
	ok(!r && gread(d, 0, 3) == last_ver(0, 3) &&
	   gread(d, 40, 5) == last_ver(40, 5),
	   "failed piece: later writes to both clusters succeed and read back (%d)",
	   r);
	check_crashes("failed piece, at the end");
	ok(!S.bad, "failed piece: %u crash images checked, %u inconsistent",
	   S.checks, S.bad);
	S.bad = 0;
	barrier_done(d);
	r = (int)reopen_differs("fw.qcow2", g, ARRAY_SIZE(g));
	ok(!r, "failed piece: closed and reopened, both clusters read as last written (%d sectors differ)",
	   r);
}

/* The run the refcount table growth tests make: the first write grows it. */
static int grow_run(struct disk *d)
{
	int r;

	r = gwrite(d, 0, 0, 2);			/* its L2 table: growth first */
	r = r ?: gflush(d);
	r = r ?: gwrite(d, 1, 0, 1);
	r = r ?: gwrite(d, 2, 3, 1);
	r = r ?: gflush(d);
	return r;
}

static u32 durable_rct_clusters(void)
{
	u32 w;

	memcpy(&w, S.durable + 56, 4);
	return be32toh(w);
}

/*
 * The refcount table grows (512-byte clusters, its one cluster counting
 * the whole file): every crash image is consistent and opens read-write
 * (lkvm's reference check), every eighth passes qemu-img check (when
 * installed);
 * the header names the new table; the old table's cluster is handed out
 * again.
 */
static void test_grow(void)
{
	struct disk *d = make_image("g.qcow2", true, IMG_GROW);
	u64 h1;
	int r;

	if (!ok(d != NULL, "refcount table growth: the image opens"))
		return;
	S.check = true;
	S.open_check = true;
	S.opened = 0;
	S.qchecked = 0;
	r = grow_run(d);
	/* Guest cluster 0's L2 table: the first allocation after it. */
	h1 = g64(S.durable, S.durable_len, g64(S.durable, S.durable_len, 40)) &
	     QCOW2_OFFSET_MASK;
	check_crashes("refcount table growth, at the end");
	ok(!r && !S.bad && durable_rct_clusters() == 2,
	   "refcount table growth: writes past what the table counts succeed (%d), the header names a 2-cluster table (%u); %u crash images checked, %u opened read-write, %u qemu-img checked, %u inconsistent",
	   r, durable_rct_clusters(), S.checks, S.opened, S.qchecked,
	   S.bad);
	ok(h1 == 512,
	   "refcount table growth: the old table's cluster is handed out again, for the L2 table (0x%llx)",
	   (unsigned long long)h1);
	S.open_check = false;
	barrier_done(d);
	S.bad = 0;
}

/* Each sync of grow_run() fails in turn: every crash image after it holds. */
static void test_grow_failures(void)
{
	unsigned int k, n, bad = 0, checks = 0, opened = 0, fired = 0, qc = 0;
	struct disk *d = make_image("gf0.qcow2", true, IMG_GROW);
	char name[32];

	if (!d)
		abort();
	S.syncs = 0;
	grow_run(d);
	n = S.syncs;
	barrier_done(d);
	for (k = 1; k <= n; k++) {
		snprintf(name, sizeof(name), "gf%u.qcow2", k);
		d = make_image(name, true, IMG_GROW);
		if (!d)
			abort();
		S.check = true;
		S.open_check = true;
		S.opened = 0;
		S.qchecked = 0;
		S.fail_at = (int)k;
		grow_run(d);
		check_crashes("refcount table growth, a sync failed, at the end");
		bad += S.bad;
		checks += S.checks;
		opened += S.opened;
		qc += S.qchecked;
		fired += !S.fail_at;
		S.open_check = false;
		barrier_done(d);
	}
	ok(n >= 4 && fired == n && !bad,
	   "refcount table growth, a sync failing at each of the run's %u (%u failed): %u crash images checked, %u opened read-write, %u qemu-img checked, %u inconsistent",
	   n, fired, checks, opened, qc, bad);
	S.bad = 0;
}

/*
 * The durable image as a file: lkvm opens it read-write (its reference
 * check) and qemu-img check finds at worst leaks (when installed).
 */
static int check_durable(void)
{
	S.opened = 0;			/* this one is qemu-img checked */
	memcpy(crash_img, S.durable, S.durable_len);
	if (check_image(crash_img, S.durable_len))
		return -1;
	return open_crash_image(S.durable_len);
}

/*
 * Two syncs in a row fail, at each point of grow_run() and a write and
 * flush after it (the second failure drops what the first one's recovery
 * wrote again: the refcount table, L1 and the header that names the new
 * table); then the barriers succeed. Every crash image after it is
 * consistent (the checker's walk only: there are thousands), and the
 * durable image at the end opens read-write and passes qemu-img check.
 */
static void test_grow_double_failures(void)
{
	unsigned int k, n, bad = 0, checks = 0, fired = 0, endbad = 0;
	struct disk *d = make_image("gd0.qcow2", true, IMG_GROW);
	char name[32];

	if (!d)
		abort();
	S.syncs = 0;
	grow_run(d);
	gwrite(d, 3, 0, NSECT);
	gflush(d);
	n = S.syncs;
	barrier_done(d);
	for (k = 1; k < n; k++) {
		snprintf(name, sizeof(name), "gd%u.qcow2", k);
		d = make_image(name, true, IMG_GROW);
		if (!d)
			abort();
		S.check = true;
		S.fail_at = (int)k;
		S.fail_n = 2;
		grow_run(d);
		gwrite(d, 3, 0, NSECT);
		gflush(d);
		gwrite(d, 4, 0, NSECT);
		gflush(d);
		fired += !S.fail_at && !S.fail_syncs;
		/* Barriers that succeed: everything before them durable. */
		gwrite(d, 5, 0, NSECT);
		gflush(d);
		check_crashes("two syncs failed in growth, at the end");
		make_durable(false);
		if (!S.bad && check_durable()) {
			endbad++;
			printf("# sync %u: the durable image: %s\n", k, S.why);
		}
		bad += S.bad;
		checks += S.checks;
		barrier_done(d);
	}
	ok(n >= 5 && fired == n - 1 && !bad && !endbad,
	   "refcount table growth, two syncs in a row failing at each of the run's %u (%u failed): %u crash images checked, %u inconsistent; the durable image at the end refused %u times",
	   n, fired, checks, bad, endbad);
	S.bad = 0;
}

int main(void)
{
	unsigned int i;

	for (i = 0; i < NG; i++)
		gcls[i] = i < ARRAY_SIZE(some_gcls) ? some_gcls[i] :
			  RUN_FIRST + i - ARRAY_SIZE(some_gcls);
	snprintf(dir, sizeof(dir), "/tmp/lkvm-qcrash-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_crash_consistency();
	test_writeback();
	test_writethrough();
	test_new_refblock();
	test_map_read_no_wait();
	test_corrupt_is_no_sync_error();
	test_autoclear_synced();
	test_sync_errors("raw", false);
	test_sync_errors("qcow2", true);
	test_failed_commit();
	test_failed_piece();
	test_barrier_failures();
	test_barrier_failure_pending();
	test_unlocked_sync_failure_pending();
	test_unlocked_sync_window();
	test_unlocked_sync_new_table();
	test_mapped_read_free();
	test_dropped_rct_entry();
	S.qemu_img = !system("qemu-img --version >/dev/null 2>&1");
	test_grow();
	test_grow_failures();
	test_grow_double_failures();
	test_dsync_after_sync_error("raw-dsync", false);
	test_dsync_after_sync_error("qcow2-dsync", true);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			return 1;
	}
	return tap_done();
}
