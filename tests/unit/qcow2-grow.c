// SPDX-License-Identifier: GPL-2.0
/*
 * The qcow2 refcount table grows (devices/qcow2-grow.c): an image with
 * 512-byte clusters and 16-bit refcounts whose table is one cluster
 * counts 8 MiB of file; writes of 12 MiB of data take it past that. They
 * succeed, the header names a larger table, the image reopens read-write
 * (its reference check passes) and reads back what was written; the old
 * table's cluster is handed out again. With qemu-img installed, qemu-img
 * check finds the image clean, and an image qemu-img made grows too.
 *
 * The table's size limit (8 MiB, QCOW2_MAX_RCT_BYTES): growth past it
 * fails with ENOSPC before writing anything. Reaching 8 MiB by writes
 * takes 32 GiB of file at best, so the write path is tested with the
 * limit lowered to two clusters (q->rct_max): the table grows once, and
 * at 16 MiB of file the write that needs a cluster fails with ENOSPC; the
 * image is not marked corrupt (a write in place and a flush succeed, the
 * next allocating write fails with ENOSPC again), what was written before
 * reads back, also after a reopen read-write (the reference check), and
 * qemu-img check finds the image clean.
 * The image is built byte by byte (no qemu-img needed):
 *   cluster 0 header, 1 refcount table, 2 refcount block, 3-10 L1 table
 *   (512 entries: 16 MiB of guest).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
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

#define CS		512ULL
#define GUEST		(16 * SZ_1M)
#define DATA		(12 * SZ_1M)

static char dir[64];

static int build(const char *path)
{
	u8 b[11 * CS] = { 0 };
	unsigned int i;
	int fd, ret;

	put_be32(b, QCOW2_MAGIC);
	put_be32(b + 4, 3);
	put_be32(b + 20, 9);			/* cluster bits */
	put_be64(b + 24, GUEST);
	put_be32(b + 36, GUEST / CS / (CS / 8));	/* L1 entries */
	put_be64(b + 40, 3 * CS);
	put_be64(b + 48, 1 * CS);
	put_be32(b + 56, 1);
	put_be32(b + 96, 4);			/* 16-bit refcounts */
	put_be32(b + 100, QCOW2_V3_HEADER_LEN);
	put_be64(b + CS, 2 * CS);
	for (i = 0; i < 11; i++)
		b[2 * CS + 2 * i + 1] = 1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	ret = write(fd, b, sizeof(b)) == (ssize_t)sizeof(b) ? 0 : -EIO;
	if (close(fd))
		ret = -errno;
	return ret;
}

static struct disk *open_rw(const char *path, char *err)
{
	struct disk_open_opts o = { 0 };
	struct disk *d = NULL;

	err[0] = '\0';
	if (disk_open(&d, path, &o, err, 256))
		return NULL;
	return d;
}

static u64 rd_be(const char *path, u64 off, unsigned int n)
{
	u8 b[8] = { 0 };
	u64 v = 0;
	unsigned int i;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, b, n, off) != (ssize_t)n)
		memset(b, 0, sizeof(b));
	close(fd);
	for (i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

/* Does an L1 entry, or an entry of an L2 table, name host offset off? */
static bool named(const char *path, u64 off)
{
	u64 l1 = rd_be(path, 40, 8), n = rd_be(path, 36, 4), i, j, l2;

	for (i = 0; i < n; i++) {
		l2 = rd_be(path, l1 + 8 * i, 8) & QCOW2_OFFSET_MASK;
		if (l2 == off)
			return true;
		for (j = 0; l2 && j < CS / 8; j++)
			if ((rd_be(path, l2 + 8 * j, 8) & QCOW2_OFFSET_MASK) ==
			    off)
				return true;
	}
	return false;
}

static bool have_qemu_img(void)
{
	return !system("qemu-img --version >/dev/null 2>&1");
}

static int qemu_check(const char *path)
{
	char cmd[256];
	int st;

	snprintf(cmd, sizeof(cmd), "qemu-img check -q %s >/dev/null 2>&1",
		 path);
	st = system(cmd);
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * Fill [0, len) in 256 KiB writes of a pattern: 0 or the first error,
 * the offset of the write that failed in *at.
 */
static int fill_to(struct disk *d, u64 len, u64 *at)
{
	u64 off, i, chunk = 256 * SZ_1K;
	u8 *buf = malloc(chunk);
	int ret = buf ? 0 : -ENOMEM;

	for (off = 0; !ret && off < len; off += chunk) {
		for (i = 0; i < chunk; i++)
			buf[i] = (u8)((off + i) * 7 / 512 + (off + i));
		ret = disk_write(d, buf, chunk, off);
		*at = off;
	}
	free(buf);
	return ret;
}

static int fill(struct disk *d)
{
	u64 at;

	return fill_to(d, DATA, &at);
}

/* [0, len) reads as fill() wrote it. */
static bool reads_back_len(struct disk *d, u64 len)
{
	u8 *b = malloc(len);
	bool same = b && !disk_read(d, b, len, 0);
	u64 i;

	for (i = 0; same && i < len; i++)
		same = b[i] == (u8)(i * 7 / 512 + i);
	free(b);
	return same;
}

static bool reads_back(struct disk *d)
{
	return reads_back_len(d, DATA);
}

static void grow_one(const char *label, const char *path)
{
	char err[256];
	struct disk *d = open_rw(path, err);
	u64 old_off = rd_be(path, 48, 8), rct_off, rct_cl;
	int w = d ? fill(d) : -1;

	ok(d && !w, "%s: 12 MiB of data written, past what a one-cluster refcount table counts (%d) %s",
	   label, w, err);
	disk_close(d);
	rct_off = rd_be(path, 48, 8);
	rct_cl = rd_be(path, 56, 4);
	ok(rct_cl >= 2 && rct_off != old_off,
	   "%s: the header names a larger refcount table (%llu clusters at 0x%llx)",
	   label, (unsigned long long)rct_cl, (unsigned long long)rct_off);
	d = open_rw(path, err);
	ok(d && reads_back(d),
	   "%s: reopens read-write (the reference check passes) and reads back %s",
	   label, err);
	disk_close(d);
	ok(named(path, old_off),
	   "%s: the old table's cluster (0x%llx) is handed out again: an L1 or L2 entry names it",
	   label, (unsigned long long)old_off);
	if (have_qemu_img())
		ok(qemu_check(path) == 0, "%s: qemu-img check: clean", label);
	else
		skip("qemu-img not installed", "%s: qemu-img check", label);
}

static int flush(struct disk *d)
{
	struct disk_req r = { .op = DISK_OP_FLUSH };

	disk_req_execute(d, &r);
	return (int)r.result;
}

/* The write path at the limit (lowered to two clusters: see the top). */
static void limit_writes(const char *path)
{
	char err[256];
	struct disk *d;
	u64 at = 0;
	u8 one[512];
	int w, again, inplace, f, st;

	if (!ok(!build(path), "limit: the image is built"))
		return;
	d = open_rw(path, err);
	if (!ok(d != NULL, "limit: the image opens %s", err))
		return;
	((struct qcow2 *)d->priv)->rct_max = 2 * CS;
	w = fill_to(d, GUEST, &at);
	ok(w == -ENOSPC && at > 8 * SZ_1M && at < GUEST,
	   "limit: a write past what the largest table counts fails with ENOSPC (%d, at %llu KiB of the guest)",
	   w, (unsigned long long)(at >> 10));
	memset(one, 0x5a, sizeof(one));
	again = disk_write(d, one, sizeof(one), GUEST - sizeof(one));
	inplace = disk_read(d, one, sizeof(one), 0);
	inplace = inplace ?: disk_write(d, one, sizeof(one), 0);
	f = flush(d);
	ok(again == -ENOSPC && !inplace && !f,
	   "limit: not corrupt: the next allocating write fails with ENOSPC again (%d), a write in place and a flush succeed (%d, %d)",
	   again, inplace, f);
	ok(reads_back_len(d, at), "limit: the %llu KiB written before read back",
	   (unsigned long long)(at >> 10));
	disk_close(d);
	ok(rd_be(path, 56, 4) == 2,
	   "limit: the header names a two-cluster table (%llu)",
	   (unsigned long long)rd_be(path, 56, 4));
	d = open_rw(path, err);
	ok(d && reads_back_len(d, at),
	   "limit: reopens read-write (the reference check passes) and reads back %s",
	   err);
	disk_close(d);
	if (!have_qemu_img()) {
		skip("qemu-img not installed", "limit: qemu-img check");
		return;
	}
	st = qemu_check(path);
	ok(st == 0, "limit: qemu-img check: clean (%d)", st);
}

/*
 * An image whose refcount table is 8 MiB (16384 clusters of 512 bytes):
 * cluster 0 header, 1-16384 the table, 16385-16392 the L1 table, then
 * the 65 refcount blocks that count all of it.
 */
#define BIG_RCT		(QCOW2_MAX_RCT_BYTES / CS)
#define BIG_L1		(1 + BIG_RCT)
#define BIG_RB		(BIG_L1 + 8)
#define BIG_NRB		65
#define BIG_END		(BIG_RB + BIG_NRB)

static int build_big(const char *path)
{
	u8 *b = calloc(BIG_END, CS);
	u64 i;
	int fd, ret;

	if (!b)
		return -ENOMEM;
	put_be32(b, QCOW2_MAGIC);
	put_be32(b + 4, 3);
	put_be32(b + 20, 9);
	put_be64(b + 24, GUEST);
	put_be32(b + 36, GUEST / CS / (CS / 8));
	put_be64(b + 40, BIG_L1 * CS);
	put_be64(b + 48, 1 * CS);
	put_be32(b + 56, BIG_RCT);
	put_be32(b + 96, 4);
	put_be32(b + 100, QCOW2_V3_HEADER_LEN);
	for (i = 0; i < BIG_NRB; i++)
		put_be64(b + CS + 8 * i, (BIG_RB + i) * CS);
	/* 16-bit refcounts, 256 a block: the blocks lie one after another. */
	for (i = 0; i < BIG_END; i++)
		b[BIG_RB * CS + 2 * i + 1] = 1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		free(b);
		return -errno;
	}
	ret = write(fd, b, BIG_END * CS) == (ssize_t)(BIG_END * CS) ? 0 : -EIO;
	if (close(fd))
		ret = -errno;
	free(b);
	return ret;
}

/* The real limit: the 8 MiB table does not grow: -ENOSPC, nothing written. */
static void limit_real(const char *path)
{
	struct disk *d;
	struct qcow2 *q;
	struct stat st;
	char err[256];
	u64 len;
	int g = 1;

	if (!ok(!build_big(path), "real limit: the image is built"))
		return;
	d = open_rw(path, err);
	if (!ok(d != NULL, "real limit: an image with an 8 MiB table opens read-write %s",
		err))
		return;
	q = d->priv;
	len = stat(path, &st) ? 0 : st.st_size;
	if (q->h.rct_clusters == BIG_RCT)
		g = qcow2_rct_grow(d, q, q->rct_entries * q->rb_entries);
	ok(g == -ENOSPC && !stat(path, &st) && (u64)st.st_size == len &&
	   rd_be(path, 48, 8) == CS && rd_be(path, 56, 4) == BIG_RCT,
	   "real limit: an 8 MiB table does not grow: ENOSPC (%d), nothing written",
	   g);
	disk_close(d);
}

int main(void)
{
	char p[128], cmd[256];

	snprintf(dir, sizeof(dir), "/tmp/lkvm-qgrow-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(p, sizeof(p), "%s/g.qcow2", dir);
	if (!ok(!build(p), "the image is built"))
		return tap_done();
	grow_one("built image", p);
	snprintf(p, sizeof(p), "%s/q.qcow2", dir);
	snprintf(cmd, sizeof(cmd),
		 "qemu-img create -q -f qcow2 -o cluster_size=512 %s 16M", p);
	if (have_qemu_img() && !system(cmd))
		grow_one("qemu-img image", p);
	else
		skip("qemu-img not installed", "an image qemu-img made");
	snprintf(p, sizeof(p), "%s/limit.qcow2", dir);
	limit_writes(p);
	snprintf(p, sizeof(p), "%s/real.qcow2", dir);
	limit_real(p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return tap_done();
}
