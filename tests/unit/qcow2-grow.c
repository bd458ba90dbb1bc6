// SPDX-License-Identifier: GPL-2.0
/*
 * The qcow2 refcount table grows (devices/qcow2-grow.c): an image with
 * 512-byte clusters and 16-bit refcounts whose table is one cluster
 * counts 8 MiB of file; writes of 12 MiB of data take it past that. They
 * succeed, the header names a larger table, the image reopens read-write
 * (its reference check passes) and reads back what was written; the old
 * table's cluster is handed out again. With qemu-img installed, qemu-img
 * check finds the image clean, and an image qemu-img made grows too.
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
#include <sys/wait.h>
#include <unistd.h>

#include "disk.h"
#include "qcow2.h"
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

/* Fill [0, DATA) in 256 KiB writes of a pattern; 0 or the first error. */
static int fill(struct disk *d)
{
	u64 off, i, chunk = 256 * SZ_1K;
	u8 *buf = malloc(chunk);
	int ret = buf ? 0 : -ENOMEM;

	for (off = 0; !ret && off < DATA; off += chunk) {
		for (i = 0; i < chunk; i++)
			buf[i] = (u8)((off + i) * 7 / 512 + (off + i));
		ret = disk_write(d, buf, chunk, off);
	}
	free(buf);
	return ret;
}

static bool reads_back(struct disk *d)
{
	u8 *b = malloc(DATA);
	bool same = b && !disk_read(d, b, DATA, 0);
	u64 i;

	for (i = 0; same && i < DATA; i++)
		same = b[i] == (u8)(i * 7 / 512 + i);
	free(b);
	return same;
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
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return tap_done();
}
