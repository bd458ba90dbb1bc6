// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 metadata code (devices/disk-qcow2.c, qcow2-*.c) against images
 * made by qemu-img: reads match the raw data byte for byte, and after lkvm's
 * writes/zeroing qemu-img check is clean and qemu-img compare matches the
 * expected raw image. Skips (with the reason) without qemu-img.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "disk.h"
#include "qcow2-internal.h"
#include "tap.h"
#include "unaligned.h"

#define IMG_SIZE (8 * SZ_1M)

static char dir[64];

static int sh(const char *fmt, ...) __printf(1, 2);
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void fill_random(u8 *buf, u64 len, unsigned int *seed)
{
	u64 i;

	for (i = 0; i < len; i++)
		buf[i] = rand_r(seed);
}

/* A reference image: random data with holes and runs of zeroes. */
static u8 *make_ref(u64 size, unsigned int seed)
{
	u8 *b = calloc(1, size);
	u64 off;

	for (off = 0; off < size; off += 192 * SZ_1K) {
		u64 n = MIN(size - off, (u64)(rand_r(&seed) % (128 * SZ_1K)));

		fill_random(b + off + (rand_r(&seed) % 4096), n - MIN(n, 4096),
			    &seed);
	}
	return b;
}

static int write_file(const char *path, const u8 *b, u64 len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, b, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static struct disk *open_img(const char *name, bool ro, char *err)
{
	struct disk_open_opts o = { .readonly = ro };
	char path[128];
	struct disk *d = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	err[0] = '\0';
	if (disk_open(&d, path, &o, err, 256))
		return NULL;
	return d;
}

static bool read_matches(struct disk *d, const u8 *ref, u64 size)
{
	u8 *b = malloc(size);
	bool same;

	/* Odd pieces across cluster boundaries, then all at once. */
	same = !disk_read(d, b, 3 * 512, 61 * 1024) &&
	       !memcmp(b, ref + 61 * 1024, 3 * 512);
	same = same && !disk_read(d, b, size, 0) && !memcmp(b, ref, size);
	free(b);
	return same;
}

static int check_img(const char *name)
{
	return sh("qemu-img check -q %s/%s >/dev/null 2>&1", dir, name);
}

static int compare_img(const char *name, const char *raw)
{
	return sh("qemu-img compare -q -f qcow2 -F raw %s/%s %s/%s >/dev/null 2>&1",
		  dir, name, dir, raw);
}

/* Random writes (mirrored into ref), some zeroing and discards. */
static bool random_writes(struct disk *d, u8 *ref, u64 size, int n,
			  unsigned int seed, bool zeroes)
{
	u8 *buf = malloc(SZ_1M);
	int i;

	for (i = 0; i < n; i++) {
		u64 len = (1 + rand_r(&seed) % 256) * 512;
		u64 off = (rand_r(&seed) % (size / 512)) * 512;
		int kind = rand_r(&seed) % 4;

		if (off + len > size)
			len = size - off;
		if (zeroes && kind == 0) {
			if (d->ops->zero(d, off, len, rand_r(&seed) & 1))
				goto fail;
			memset(ref + off, 0, len);
			continue;
		}
		fill_random(buf, len, &seed);
		if (disk_write(d, buf, len, off))
			goto fail;
		memcpy(ref + off, buf, len);
	}
	free(buf);
	return true;
fail:
	free(buf);
	return false;
}

static void test_read_formats(const u8 *ref)
{
	static const struct {
		const char *name, *opts;
	} fmts[] = {
		{ "v3-64k", "-o compat=1.1" },
		{ "v2-64k", "-o compat=0.10" },
		{ "v3-4k", "-o compat=1.1,cluster_size=4096" },
		{ "v3-2m", "-o compat=1.1,cluster_size=2M" },
		{ "v3-512", "-o compat=1.1,cluster_size=512" },
		{ "v3-rc1", "-o compat=1.1,refcount_bits=1" },
		{ "v3-comp", "-c -o compat=1.1" },
		{ "v2-comp", "-c -o compat=0.10" },
		{ "v3-comp-4k", "-c -o compat=1.1,cluster_size=4096" },
	};
	unsigned int i;
	char err[256], name[64];

	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		struct disk *d;
		int rc;

		snprintf(name, sizeof(name), "r-%s.qcow2", fmts[i].name);
		rc = sh("qemu-img convert -f raw -O qcow2 %s %s/ref.raw %s/%s",
			fmts[i].opts, dir, dir, name);
		d = rc ? NULL : open_img(name, true, err);
		ok(d && d->format == DISK_FMT_QCOW2 && d->size == IMG_SIZE &&
		   read_matches(d, ref, IMG_SIZE),
		   "read %s matches the raw data %s", fmts[i].name, err);
		disk_close(d);
	}
}

static void test_writes(const char *label, const char *opts, u8 *base,
			bool zeroes)
{
	u8 *ref = malloc(IMG_SIZE);
	char err[256], name[64];
	struct disk *d;
	int rc;

	memcpy(ref, base, IMG_SIZE);
	snprintf(name, sizeof(name), "w-%s.qcow2", label);
	rc = sh("qemu-img convert -f raw -O qcow2 %s %s/ref.raw %s/%s", opts,
		dir, dir, name);
	d = rc ? NULL : open_img(name, false, err);
	ok(d && random_writes(d, ref, IMG_SIZE, 400, 7, zeroes) &&
	   read_matches(d, ref, IMG_SIZE),
	   "%s: random writes%s read back %s", label,
	   zeroes ? " and zeroes" : "", err);
	disk_close(d);
	snprintf(err, sizeof(err), "%s/exp-%s.raw", dir, label);
	write_file(err, ref, IMG_SIZE);
	ok(check_img(name) == 0, "%s: qemu-img check clean", label);
	snprintf(err, sizeof(err), "exp-%s.raw", label);
	ok(compare_img(name, err) == 0, "%s: qemu-img compare matches", label);
	free(ref);
}

/*
 * map_read() runs on the I/O thread: when every cached L2 table has
 * dirty entries it must not commit them (two syncs) to load another, but
 * say "not mapped"; a read on a worker may. 512-byte clusters: an L2
 * table covers 32 KiB.
 */
static void test_map_read_dirty_cache(void)
{
	struct disk_req fl = { .op = DISK_OP_FLUSH };
	u8 buf[512] = { 1 };
	char err[256];
	struct disk *d;
	struct qcow2 *q;
	unsigned int i, dirty;
	u64 host = 0;
	int mapped, rd;

	if (sh("qemu-img create -q -f qcow2 -o cluster_size=512 %s/mr.qcow2 8M",
	       dir))
		abort();
	d = open_img("mr.qcow2", false, err);
	if (!d)
		abort();
	q = d->priv;
	/* Table 200's cluster, committed; then one dirty entry in 32 tables. */
	if (disk_write(d, buf, 512, 200 * 32768ULL))
		abort();
	disk_req_execute(d, &fl);
	for (i = 0; i < L2_CACHE_SIZE; i++)
		if (disk_write(d, buf, 512, i * 32768ULL))
			abort();
	dirty = q->nlinks;
	mapped = d->ops->map_read(d, 200 * 32768ULL, 512, &host);
	if (mapped == 1)
		d->ops->map_done(d);
	ok(!fl.result && dirty == L2_CACHE_SIZE && mapped == 0 &&
	   q->nlinks == dirty,
	   "map_read: every cached table dirty, another table's cluster is not mapped and nothing is committed (%u dirty, %d, %u after)",
	   dirty, mapped, q->nlinks);
	rd = disk_read(d, buf, 512, 200 * 32768ULL);
	dirty = q->nlinks;
	mapped = d->ops->map_read(d, 200 * 32768ULL, 512, &host);
	if (mapped == 1)
		d->ops->map_done(d);
	ok(!rd && buf[0] == 1 && !dirty && mapped == 1,
	   "map_read: a read commits them, then it maps");
	disk_close(d);
	ok(check_img("mr.qcow2") == 0, "map_read: qemu-img check clean");
}

static void test_backing(const u8 *base)
{
	static const char *const compat[] = { "1.1", "0.10" };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		u8 *ref = malloc(IMG_SIZE);
		char err[256], name[64], exp[160];
		struct disk *d;
		int rc;

		memcpy(ref, base, IMG_SIZE);
		snprintf(name, sizeof(name), "ov-%s.qcow2", compat[i]);
		rc = sh("qemu-img create -q -f qcow2 -o compat=%s -b r-v3-64k.qcow2 -F qcow2 %s/%s",
			compat[i], dir, name);
		d = rc ? NULL : open_img(name, false, err);
		ok(d && read_matches(d, ref, IMG_SIZE),
		   "overlay (compat=%s) reads the backing file %s", compat[i],
		   err);
		/* Whole clusters zeroed over backing data must read 0. */
		ok(d && !d->ops->zero(d, 0, SZ_1M, true) &&
		   !d->ops->zero(d, 2 * SZ_1M + 512, 70000, false) &&
		   (memset(ref, 0, SZ_1M),
		    memset(ref + 2 * SZ_1M + 512, 0, 70000), true) &&
		   random_writes(d, ref, IMG_SIZE, 300, 11, true) &&
		   read_matches(d, ref, IMG_SIZE),
		   "overlay (compat=%s): writes and zeroes over backing data",
		   compat[i]);
		disk_close(d);
		snprintf(exp, sizeof(exp), "%s/exp-ov-%s.raw", dir, compat[i]);
		write_file(exp, ref, IMG_SIZE);
		ok(check_img(name) == 0, "overlay (compat=%s): check clean",
		   compat[i]);
		snprintf(exp, sizeof(exp), "exp-ov-%s.raw", compat[i]);
		ok(compare_img(name, exp) == 0,
		   "overlay (compat=%s): compare matches", compat[i]);
		ok(sh("cmp -s %s/r-v3-64k.qcow2 %s/r-v3-64k.pristine", dir,
		      dir) == 0,
		   "overlay (compat=%s): backing file untouched", compat[i]);
		free(ref);
	}
}

static void test_refblocks(void)
{
	/* 512-byte clusters: a refcount block covers 128 KiB. */
	u8 *ref = calloc(1, 2 * SZ_1M);
	char err[256];
	struct disk *d;
	unsigned int seed = 3;
	int rc;

	rc = sh("qemu-img create -q -f qcow2 -o cluster_size=512 %s/small.qcow2 2M",
		dir);
	d = rc ? NULL : open_img("small.qcow2", false, err);
	fill_random(ref, 2 * SZ_1M, &seed);
	ok(d && !disk_write(d, ref, 2 * SZ_1M, 0) &&
	   read_matches(d, ref, 2 * SZ_1M),
	   "512-byte clusters: filling the image allocates refcount blocks %s",
	   err);
	disk_close(d);
	snprintf(err, sizeof(err), "%s/small.raw", dir);
	write_file(err, ref, 2 * SZ_1M);
	ok(check_img("small.qcow2") == 0 &&
	   compare_img("small.qcow2", "small.raw") == 0,
	   "512-byte clusters: check clean, compare matches");
	free(ref);
}

static void test_errors(void)
{
	char err[256], path[128];
	struct disk *d, *d2;
	int fd;

	d = open_img("r-v3-64k.qcow2", false, err);
	d2 = d ? open_img("r-v3-64k.qcow2", false, err) : NULL;
	ok(d && !d2 && strstr(err, "locked"),
	   "second read-write open is refused: %s", err);
	disk_close(d2);
	d2 = d ? open_img("r-v3-64k.qcow2", true, err) : NULL;
	ok(d && !d2, "read-only open of a write-locked image is refused");
	disk_close(d2);
	disk_close(d);

	d = open_img("r-v3-64k.qcow2", true, err);
	d2 = d ? open_img("r-v3-64k.qcow2", true, err) : NULL;
	ok(d && d2, "two read-only opens share the image");
	ok(d && disk_write(d, "x", 1, 0) == -EROFS,
	   "writes to a read-only image fail with EROFS");
	disk_close(d2);
	disk_close(d);

	sh("cp %s/r-v3-64k.qcow2 %s/bad.qcow2", dir, dir);
	snprintf(path, sizeof(path), "%s/bad.qcow2", dir);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		u8 bits[4] = { 0, 0, 0, 40 };	/* cluster_bits 40 */

		if (pwrite(fd, bits, 4, 20) != 4)
			close(fd), fd = -1;
		else
			close(fd);
	}
	d = open_img("bad.qcow2", false, err);
	ok(fd >= 0 && !d && strstr(err, "corrupt header"),
	   "corrupt header refused: %s", err);
	disk_close(d);

	sh("qemu-img create -q -f qcow2 -u -b gone.qcow2 -F qcow2 %s/orphan.qcow2 8M",
	   dir);
	sh("rm -f %s/gone.qcow2", dir);
	d = open_img("orphan.qcow2", false, err);
	ok(!d && strstr(err, "backing file") && strstr(err, "gone.qcow2"),
	   "missing backing file refused: %s", err);
	disk_close(d);
}

/*
 * A refcount that says a cluster past the end of the file is in use: the
 * allocation that reaches it reports corruption rather than skipping it
 * with the clusters in use below the end (qcow2_alloc's fast walk stops
 * at the file's end).
 */
static void test_refcount_past_end(void)
{
	u8 be[8], one[2] = { 0, 1 };
	char err[256], path[128];
	u64 rct, rb = 0;
	struct disk *d;
	struct stat st;
	int fd, w;

	sh("qemu-img create -q -f qcow2 -o cluster_size=65536 %s/end.qcow2 1M",
	   dir);
	snprintf(path, sizeof(path), "%s/end.qcow2", dir);
	fd = open(path, O_RDWR);
	/* Header: the refcount table's offset at byte 48; its entry 0. */
	w = fd >= 0 && !fstat(fd, &st) && pread(fd, be, 8, 48) == 8;
	rct = get_be64(be);
	w = w && pread(fd, be, 8, rct) == 8;
	rb = get_be64(be);
	/* 16-bit refcounts: the first cluster past the file (rounded up), 1. */
	w = w && rb && pwrite(fd, one, 2,
				  rb + 2 * ((st.st_size + 65535) >> 16)) == 2;
	if (fd >= 0)
		close(fd);
	d = w ? open_img("end.qcow2", false, err) : NULL;
	ok(d && disk_write(d, "x", 1, 0) == -EIO,
	   "a refcount past the end of the file is corruption, not skipped %s",
	   err);
	disk_close(d);
}

/*
 * Internal snapshots from qemu-img: their table and L1 tables go into the
 * metadata map without a false overlap; read-only use reads the data.
 */
static void test_snapshots(const u8 *ref)
{
	char err[256];
	struct disk *d;
	int rc;

	rc = sh("cp %s/r-v3-64k.pristine %s/snap.qcow2 && qemu-img snapshot -c one %s/snap.qcow2 && qemu-img snapshot -c two %s/snap.qcow2",
		dir, dir, dir, dir);
	d = rc ? NULL : open_img("snap.qcow2", true, err);
	ok(d && read_matches(d, ref, IMG_SIZE),
	   "image with two internal snapshots opens read-only and reads %s",
	   err);
	disk_close(d);
	d = rc ? NULL : open_img("snap.qcow2", false, err);
	ok(!rc && !d && strstr(err, "internal snapshots"),
	   "read-write open of it is refused: %s", err);
	disk_close(d);
}

/* A writer SIGKILLed mid-stream leaves at most leaked clusters. */
static void test_kill(void)
{
	int round, bad = 0;

	for (round = 0; round < 3; round++) {
		pid_t pid;
		int rc;

		sh("qemu-img create -q -f qcow2 %s/kill.qcow2 64M", dir);
		pid = fork();
		if (pid == 0) {
			char err[256];
			struct disk *d = open_img("kill.qcow2", false, err);
			u8 *ref = malloc(64 * SZ_1M);

			if (!d)
				_exit(1);
			for (;;)
				random_writes(d, ref, 64 * SZ_1M, 100,
					      round + 100, true);
		}
		usleep(150000 + round * 100000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		rc = check_img("kill.qcow2");
		if (rc != 0 && rc != 3)
			bad++;
	}
	ok(!bad, "SIGKILL during writes: qemu-img check never reports corruption");
}

int main(void)
{
	unsigned int seed = 1;
	u8 *ref;

	if (sh("qemu-img --version >/dev/null 2>&1")) {
		skip("qemu-img not installed (Debian package qemu-utils)",
		     "qcow2 suite");
		return tap_done();
	}
	snprintf(dir, sizeof(dir), "/tmp/lkvm-qcow2-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	ref = make_ref(IMG_SIZE, seed);
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/ref.raw", dir);
		write_file(p, ref, IMG_SIZE);
	}
	test_read_formats(ref);
	sh("cp %s/r-v3-64k.qcow2 %s/r-v3-64k.pristine", dir, dir);
	test_writes("v3", "-o compat=1.1", ref, true);
	test_writes("v2", "-o compat=0.10", ref, true);
	test_writes("v3-4k", "-o compat=1.1,cluster_size=4096", ref, true);
	/* 256 L2 tables, the cache 32: dirty tables leave it (a commit). */
	test_writes("v3-512", "-o compat=1.1,cluster_size=512", ref, true);
	test_writes("v3-rc8", "-o compat=1.1,refcount_bits=8", ref, false);
	test_writes("v3-rc64", "-o compat=1.1,refcount_bits=64", ref, true);
	test_writes("v3-comp", "-c -o compat=1.1", ref, true);
	test_writes("v2-comp", "-c -o compat=0.10", ref, false);
	test_backing(ref);
	test_refblocks();
	test_map_read_dirty_cache();
	test_errors();
	test_refcount_past_end();
	test_snapshots(ref);
	test_kill();
	sh("rm -rf %s", dir);
	free(ref);
	return tap_done();
}
