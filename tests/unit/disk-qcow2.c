// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile qcow2 images, built byte by byte (no qemu-img needed), against
 * devices/disk-qcow2.c: tables that overlap are refused at open with a
 * message naming them; so, at a read-write open, are a zero refcount on a
 * cluster in use, an L2 entry pointing data at a table or far past the
 * end of the file, two guest clusters sharing a host cluster (the image
 * opens read-only), and one whose L2 tables are too many to check in
 * reasonable time. The same damage made after open: no write lands in
 * metadata, the request fails with -EIO and the image is marked corrupt.
 * tests/unit/qcow2.c covers valid images from qemu-img.
 *
 * The image: 4 KiB clusters, version 3, 16-bit refcounts, 4 MiB:
 *   cluster 0 header, 1 refcount table, 2 refcount block, 3 L1 table
 *   (2 entries), 4 L2 table for guest clusters 0-511, 5 data of guest
 *   cluster 0. Clusters 0-5 have refcount 1.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"
#include "qcow2.h"
#include "tap.h"

#define CS		4096ULL
#define NCL		8
#define C_RCT		1
#define C_RB		2
#define C_L1		3
#define C_L2		4
#define C_DATA		5

struct img {
	u8 b[NCL * CS];
	u64 len;
};

static char dir[64];

static void put64(u8 *p, u64 v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static void put32(u8 *p, u32 v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static void set_rc(struct img *m, u64 cl, u16 v)
{
	m->b[C_RB * CS + 2 * cl] = v >> 8;
	m->b[C_RB * CS + 2 * cl + 1] = v;
}

static void set_l1(struct img *m, u64 i, u64 e)
{
	put64(m->b + C_L1 * CS + 8 * i, e);
}

static void set_l2(struct img *m, u64 i, u64 e)
{
	put64(m->b + C_L2 * CS + 8 * i, e);
}

static void set_rct(struct img *m, u64 i, u64 e)
{
	put64(m->b + C_RCT * CS + 8 * i, e);
}

static void build(struct img *m)
{
	u8 *h = m->b;
	u64 i;

	memset(m, 0, sizeof(*m));
	m->len = (C_DATA + 1) * CS;
	put32(h, QCOW2_MAGIC);
	put32(h + 4, 3);
	put32(h + 20, 12);			/* cluster bits */
	put64(h + 24, 4 * SZ_1M);		/* size */
	put32(h + 36, 2);			/* L1 entries */
	put64(h + 40, C_L1 * CS);
	put64(h + 48, C_RCT * CS);
	put32(h + 56, 1);			/* refcount table clusters */
	put32(h + 96, 4);			/* refcount order */
	put32(h + 100, QCOW2_V3_HEADER_LEN);
	set_rct(m, 0, C_RB * CS);
	set_l1(m, 0, C_L2 * CS | QCOW2_OFLAG_COPIED);
	set_l2(m, 0, C_DATA * CS | QCOW2_OFLAG_COPIED);
	memset(m->b + C_DATA * CS, 0xd0, CS);
	for (i = 0; i <= C_DATA; i++)
		set_rc(m, i, 1);
}

static void path_of(char *p, size_t n, const char *name)
{
	snprintf(p, n, "%s/%s", dir, name);
}

static int save(const struct img *m, const char *name)
{
	char p[128];
	int fd, ok;

	path_of(p, sizeof(p), name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	ok = write(fd, m->b, m->len) == (ssize_t)m->len;
	close(fd);
	return ok ? 0 : -EIO;
}

static struct disk *open_as(const char *name, bool ro, char *err)
{
	struct disk_open_opts o = { .readonly = ro };
	struct disk *d = NULL;
	char p[128];

	path_of(p, sizeof(p), name);
	err[0] = '\0';
	if (disk_open(&d, p, &o, err, 256))
		return NULL;
	return d;
}

/* The bytes [off, off + len) of the file as it is now equal m's. */
static bool file_same(const struct img *m, const char *name, u64 off,
		      u64 len)
{
	u8 *b = malloc(len);
	char p[128];
	bool same;
	int fd;

	path_of(p, sizeof(p), name);
	fd = open(p, O_RDONLY);
	same = fd >= 0 && b && pread(fd, b, len, off) == (ssize_t)len &&
	       !memcmp(b, m->b + off, len);
	if (fd >= 0)
		close(fd);
	free(b);
	return same;
}

static u64 file_size(const char *name)
{
	struct stat st;
	char p[128];

	path_of(p, sizeof(p), name);
	return stat(p, &st) ? 0 : (u64)st.st_size;
}

/* Expect open to fail with a message holding both words. */
static void open_refused(const struct img *m, bool ro, const char *what,
		    const char *w1, const char *w2)
{
	char err[256];
	struct disk *d;

	save(m, "refuse.qcow2");
	d = open_as("refuse.qcow2", ro, err);
	ok(!d && strstr(err, w1) && strstr(err, w2),
	   "%s: refused at open: %s", what, d ? "(opened)" : err);
	disk_close(d);
}

static void test_open_refusals(void)
{
	struct img *m = malloc(sizeof(*m));
	char err[256];
	struct disk *d;

	build(m);
	save(m, "good.qcow2");
	d = open_as("good.qcow2", false, err);
	ok(d != NULL, "the hand-built image opens read-write %s", err);
	disk_close(d);

	build(m);
	set_rct(m, 0, 0x200);
	open_refused(m, false, "refcount table entry 0x200 (inside the header)",
		"refcount table entry", "aligned");

	build(m);
	set_rct(m, 0, C_L1 * CS);
	open_refused(m, false, "refcount block at the L1 table", "refcount block",
		"L1 table");

	build(m);
	set_rct(m, 0, C_RCT * CS);
	open_refused(m, false, "refcount block at the refcount table",
		"refcount block", "refcount table");

	build(m);
	put64(m->b + 40, C_RCT * CS);
	open_refused(m, false, "L1 table over the refcount table", "L1 table",
		"refcount table");

	build(m);
	set_l1(m, 1, C_RB * CS | QCOW2_OFLAG_COPIED);
	open_refused(m, false, "L2 table at the refcount block", "L2 table",
		"refcount block");

	build(m);
	set_l1(m, 1, C_L2 * CS | QCOW2_OFLAG_COPIED);
	open_refused(m, false, "two L1 entries sharing one L2 table", "L2 table",
		"L2 table");

	build(m);
	set_l1(m, 1, 7 * CS + 512);
	open_refused(m, false, "L1 entry not cluster-aligned", "L1 entry",
		"aligned");

	build(m);
	set_l1(m, 1, 1ULL << 40);
	open_refused(m, false, "L1 entry past the end of the file", "L1 entry",
		"end of the file");

	/* A snapshot whose L1 table is the active one (read-only open). */
	build(m);
	m->len = 7 * CS;
	put32(m->b + 60, 1);
	put64(m->b + 64, 6 * CS);
	put64(m->b + 6 * CS, C_L1 * CS);
	put32(m->b + 6 * CS + 8, 2);
	open_refused(m, true, "snapshot L1 table at the active L1 table",
		"snapshot L1 table", "L1 table");

	build(m);
	put32(m->b + 60, 1);
	put64(m->b + 64, C_L2 * CS);
	open_refused(m, true, "snapshot table over the L2 table",
		"snapshot table", "L2 table");
	free(m);
}

/*
 * An image like m is refused read-write at open (the reference check) and
 * opens read-only. Past the open, the same damage made to the file behind
 * the image's back: a guest write to guest cluster gcl fails with -EIO,
 * leaves the file's first `keep` clusters as built, marks the image
 * corrupt (later writes, even legitimate in-place ones, fail; reads go
 * on; a reopen is refused).
 */
static void expect_refused_write(struct img *m, const char *what, u64 gcl,
				 u64 keep)
{
	u8 *buf = malloc(CS), *rd = malloc(CS);
	struct img *good = malloc(sizeof(*good));
	char err[256];
	struct disk *d;
	int ret, ret2 = 0, rret = -1;
	u64 size0;

	save(m, "w.qcow2");
	d = open_as("w.qcow2", false, err);
	ok(!d && strstr(err, "qemu-img check"),
	   "%s: refused read-write at open: %s", what, d ? "(opened)" : err);
	disk_close(d);
	d = open_as("w.qcow2", true, err);
	ok(d && !disk_read(d, rd, CS, 0) && rd[0] == 0xd0,
	   "%s: opens read-only %s", what, err);
	disk_close(d);

	build(good);
	save(good, "w.qcow2");
	d = open_as("w.qcow2", false, err);
	save(m, "w.qcow2");
	size0 = file_size("w.qcow2");
	memset(buf, 0x5a, CS);
	ret = d ? disk_write(d, buf, CS, gcl * CS) : -1;
	if (d) {
		ret2 = disk_write(d, buf, CS, 0);
		rret = disk_read(d, rd, CS, 0);
	}
	ok(d && ret == -EIO,
	   "%s, made after open: the write fails with EIO (%d) %s", what,
	   ret, err);
	ok(file_same(m, "w.qcow2", CS, (keep - 1) * CS) &&
	   file_size("w.qcow2") <= MAX(size0, (NCL + 2) * CS),
	   "%s, made after open: no metadata changed, file not grown past its bounds",
	   what);
	ok(d && ret2 == -EIO && rret == 0 && rd[0] == 0xd0,
	   "%s, made after open: image corrupt from then on: writes fail, reads work",
	   what);
	disk_close(d);
	d = open_as("w.qcow2", false, err);
	ok(!d && strstr(err, "marked corrupt"),
	   "%s, made after open: reopen refused: %s", what,
	   d ? "(opened)" : err);
	disk_close(d);
	free(good);
	free(buf);
	free(rd);
}

static void test_zero_refcounts(void)
{
	static const struct {
		u64 cl;
		const char *name;
	} meta[] = {
		{ C_RCT, "refcount table" },
		{ C_RB, "refcount block" },
		{ C_L1, "L1 table" },
		{ C_L2, "L2 table" },
	};
	struct img *m = malloc(sizeof(*m));
	char what[96];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(meta); i++) {
		build(m);
		set_rc(m, meta[i].cl, 0);
		snprintf(what, sizeof(what),
			 "zero refcount on the %s, allocating write",
			 meta[i].name);
		expect_refused_write(m, what, 7, C_DATA + 1);
	}
	free(m);
}

static void test_bad_data_pointers(void)
{
	static const struct {
		u64 e;
		const char *name;
	} bad[] = {
		{ C_L1 * CS | QCOW2_OFLAG_COPIED, "the L1 table" },
		{ C_L2 * CS | QCOW2_OFLAG_COPIED, "its own L2 table" },
		{ C_RB * CS | QCOW2_OFLAG_COPIED, "the refcount block" },
		{ C_RCT * CS | QCOW2_OFLAG_COPIED, "the refcount table" },
		{ C_L1 * CS | QCOW2_OFLAG_COPIED | QCOW2_OFLAG_ZERO,
		  "the L1 table (preallocated zero)" },
		{ C_L1 * CS, "the L1 table (not COPIED: freed after COW)" },
		{ (1ULL << 40) | QCOW2_OFLAG_COPIED,
		  "1 TiB, far past the end of the file" },
	};
	struct img *m = malloc(sizeof(*m));
	char what[96];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		build(m);
		set_l2(m, 1, bad[i].e);
		snprintf(what, sizeof(what), "L2 entry pointing data at %s",
			 bad[i].name);
		expect_refused_write(m, what, 1, C_DATA + 1);
	}
	free(m);
}

/*
 * No two guest clusters share a host cluster, whatever the image says: a
 * data cluster with refcount 0 (the allocator would hand it out again),
 * two L2 entries naming one cluster, in place (COPIED) or copied on write
 * and then freed. Guest cluster 0's data (0xd0) must survive writes to
 * the others; an image like that is refused read-write at open, naming
 * the cluster, and opens read-only.
 */
static void test_aliasing(void)
{
	static const struct {
		const char *name, *w1, *w2;
		u16 rc;
		u64 l2_1;
	} c[] = {
		{ "data cluster with refcount 0", "refcount 0", "0x5000", 0, 0 },
		{ "two L2 entries on one cluster, in place", "share", "0x5000",
		  1, C_DATA * CS | QCOW2_OFLAG_COPIED },
		{ "two L2 entries on one cluster, copy-on-write", "share",
		  "0x5000", 1, C_DATA * CS },
		{ "two L2 entries on one cluster, refcount 0", "share", "0x5000",
		  0, C_DATA * CS },
	};
	struct img *m = malloc(sizeof(*m));
	u8 *buf = malloc(CS), *rd = malloc(CS);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		char err[256], err2[256];
		struct disk *d;
		int r = 0;

		build(m);
		set_rc(m, C_DATA, c[i].rc);
		if (c[i].l2_1) {
			set_l2(m, 0, c[i].l2_1);
			set_l2(m, 1, c[i].l2_1);
		}
		save(m, "a.qcow2");
		d = open_as("a.qcow2", false, err);
		memset(buf, 0x5a, CS);
		if (d) {
			r = disk_write(d, buf, CS, 1 * CS);
			r = r ?: disk_write(d, buf, CS, 7 * CS);
			r = r ?: disk_write(d, buf, CS, 8 * CS);
			memset(rd, 0, CS);
			r = r ?: disk_read(d, rd, CS, 0);
		}
		ok(!d || (!r && rd[0] == 0xd0 && rd[CS - 1] == 0xd0),
		   "%s: writes to guest clusters 1, 7, 8 leave guest cluster 0 alone (%d, reads 0x%02x)",
		   c[i].name, r, d ? rd[0] : 0xd0);
		disk_close(d);
		save(m, "a.qcow2");
		d = open_as("a.qcow2", false, err);
		ok(!d && strstr(err, c[i].w1) && strstr(err, c[i].w2),
		   "%s: refused read-write at open: %s", c[i].name,
		   d ? "(opened)" : err);
		disk_close(d);
		d = open_as("a.qcow2", true, err2);
		ok(d && !disk_read(d, rd, CS, 0) && rd[0] == 0xd0,
		   "%s: opens read-only and reads %s", c[i].name, err2);
		disk_close(d);
	}
	free(m);
	free(buf);
	free(rd);
}

/* A compressed entry: off, in one 512-byte sector (4 KiB clusters). */
static u64 comp_entry(u64 off)
{
	return QCOW2_OFLAG_COMPRESSED | off;
}

/*
 * Compressed clusters may share a host cluster (packed), but then its
 * refcount counts each: one that says 1 for two, or 2 for three, is
 * refused read-write (freeing one would free the others' data); 2 for
 * two, 3 for three open. Compressed data over a cluster that is guest
 * data too is refused.
 */
static void test_compressed_refs(void)
{
	struct img *m = malloc(sizeof(*m));
	char err[256];
	struct disk *d;

	build(m);
	set_l2(m, 0, comp_entry(C_DATA * CS));
	set_l2(m, 1, comp_entry(C_DATA * CS + 512));
	set_rc(m, C_DATA, 2);
	save(m, "c.qcow2");
	d = open_as("c.qcow2", false, err);
	ok(d != NULL,
	   "two compressed clusters in one host cluster, refcount 2: opens read-write %s",
	   err);
	disk_close(d);

	set_rc(m, C_DATA, 1);
	open_refused(m, false,
		     "two compressed clusters in one host cluster, refcount 1",
		     "0x5000 (compressed data of 2 guest clusters)",
		     "refcount 1");

	set_l2(m, 3, comp_entry(C_DATA * CS + 1024));
	set_rc(m, C_DATA, 2);
	open_refused(m, false,
		     "three compressed clusters in one host cluster, refcount 2",
		     "0x5000 (compressed data of 3 guest clusters)",
		     "refcount 2");
	set_rc(m, C_DATA, 3);
	save(m, "c.qcow2");
	d = open_as("c.qcow2", false, err);
	ok(d != NULL,
	   "three compressed clusters in one host cluster, refcount 3: opens read-write %s",
	   err);
	disk_close(d);
	set_l2(m, 3, 0);

	set_rc(m, C_DATA, 2);
	set_l2(m, 2, C_DATA * CS | QCOW2_OFLAG_COPIED);
	open_refused(m, false, "compressed data in a guest data cluster",
		     "share", "0x5000");
	free(m);
}

/*
 * The check's map has a ceiling (2 bits a cluster, 64 MiB): a sparse file
 * of 2^28 clusters and one more is refused read-write, saying why; it
 * opens read-only.
 */
static void test_check_ceiling(void)
{
	struct img *m = malloc(sizeof(*m));
	char p[128], err[256];
	struct disk *d;

	build(m);
	save(m, "big.qcow2");
	path_of(p, sizeof(p), "big.qcow2");
	if (truncate(p, ((1ULL << 28) + 1) * CS)) {
		skip(strerror(errno), "2^28 + 1 clusters: no sparse 1 TiB file");
		free(m);
		return;
	}
	d = open_as("big.qcow2", false, err);
	ok(!d && strstr(err, "268435457 clusters") && strstr(err, "read-only"),
	   "2^28 + 1 clusters: refused read-write: %s", d ? "(opened)" : err);
	disk_close(d);
	d = open_as("big.qcow2", true, err);
	ok(d != NULL, "2^28 + 1 clusters: opens read-only %s", err);
	disk_close(d);
	unlink(p);
	free(m);
}

/*
 * The check reads at most 4 GiB of L2 tables and refcount blocks: an L1
 * table naming 70000 L2 tables of 64 KiB in a sparse file (4.4 GiB of
 * holes, each a table to read and walk: the old code read them all)
 * is refused read-write before any is read, saying why; it opens
 * read-only.
 */
static void test_check_read_cap(void)
{
	const u64 cs = 65536, n = 70000, l1 = 3 * cs, first = 12;
	u8 *b = calloc(first, cs);
	char p[128], err[256];
	struct disk *d;
	u64 i;
	int fd;

	if (!b)
		abort();
	put32(b, QCOW2_MAGIC);
	put32(b + 4, 3);
	put32(b + 20, 16);			/* cluster bits */
	put64(b + 24, SZ_1G);			/* size */
	put32(b + 36, n);			/* L1 entries */
	put64(b + 40, l1);
	put64(b + 48, 1 * cs);
	put32(b + 56, 1);
	put32(b + 96, 4);
	put32(b + 100, QCOW2_V3_HEADER_LEN);
	put64(b + cs, 2 * cs);
	for (i = 0; i < first; i++)
		b[2 * cs + 2 * i + 1] = 1;
	for (i = 0; i < n; i++)
		put64(b + l1 + 8 * i, (first + i) * cs | QCOW2_OFLAG_COPIED);
	path_of(p, sizeof(p), "many-l2.qcow2");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, b, first * cs) != (ssize_t)(first * cs) ||
	    close(fd))
		abort();
	free(b);
	if (truncate(p, (first + n) * cs)) {
		skip(strerror(errno), "70000 L2 tables: no sparse 4.4 GiB file");
		unlink(p);
		return;
	}
	d = open_as("many-l2.qcow2", false, err);
	ok(!d && strstr(err, "4375 MiB of L2 tables") &&
	   strstr(err, "(4096 MiB)") && strstr(err, "read-only (ro)"),
	   "70000 L2 tables of 64 KiB: refused read-write: %s",
	   d ? "(opened)" : err);
	disk_close(d);
	d = open_as("many-l2.qcow2", true, err);
	ok(d != NULL, "70000 L2 tables of 64 KiB: opens read-only %s", err);
	disk_close(d);
	unlink(p);
}

/* The checks leave a sound image alone: allocation of data and L2. */
static void test_sound_image(void)
{
	struct img *m = malloc(sizeof(*m));
	u8 *buf = malloc(CS), *rd = malloc(CS);
	char err[256];
	struct disk *d;
	bool good;

	build(m);
	save(m, "s.qcow2");
	d = open_as("s.qcow2", false, err);
	memset(buf, 0x33, CS);
	good = d && !disk_write(d, buf, CS, 3 * CS) &&
	       !disk_write(d, buf, CS, 600 * CS) &&
	       !disk_write(d, buf, 512, 512) &&
	       !d->ops->zero(d, 3 * CS, CS, false) &&
	       !disk_write(d, buf, CS, 3 * CS) &&
	       !disk_read(d, rd, CS, 600 * CS) && !memcmp(rd, buf, CS) &&
	       !disk_read(d, rd, CS, 0) && rd[0] == 0xd0 && rd[512] == 0x33;
	ok(good, "sound image: writes allocate data and an L2 table %s", err);
	disk_close(d);
	d = open_as("s.qcow2", false, err);
	ok(d && !disk_read(d, rd, CS, 3 * CS) && !memcmp(rd, buf, CS),
	   "sound image: reopens and reads back %s", err);
	disk_close(d);
	free(buf);
	free(rd);
	free(m);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lkvm-qcow2h-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_open_refusals();
	test_zero_refcounts();
	test_bad_data_pointers();
	test_sound_image();
	test_aliasing();
	test_compressed_refs();
	test_check_ceiling();
	test_check_read_cap();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			return 1;
	}
	return tap_done();
}
