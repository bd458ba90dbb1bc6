// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: qcow2 images (disk-qcow2.c, qcow2-*.c) from a hostile
 * file. The input is the image (a memfd). Its last byte is also the mode:
 * opened read-only when even. If it opens, up to 16 requests taken from
 * the input's tail (8 bytes each) read, and in read-write mode write or
 * zero, at offsets and lengths they choose: allocation, refcount block
 * growth, copy-on-write of compressed clusters, preallocated zero
 * clusters.
 *
 * Invariant, beyond no crash / no sanitizer report / no hang: no write
 * lands in metadata. The target links with --wrap for pwrite, so every
 * write to the file is recorded; before each request it works out the
 * image's metadata by itself, from the file as it stands (header, L1
 * table, every L2 table an L1 entry names, refcount table, every refcount
 * block it names), and after the request it checks each write:
 *   - a data write (512 bytes or more: guest data, a new table's zeroes)
 *     touches no metadata cluster;
 *   - an entry update (less than 512 bytes) lies inside one metadata
 *     cluster, or one this request wrote whole before;
 *   - nothing is written past the file's end plus what the request could
 *     allocate (3 clusters for each it touches, plus a few, plus a
 *     refcount table twice the size and its blocks);
 *   - a read-only image is never written at all.
 * A breach aborts with the write, the cluster and what holds it.
 *
 * And, for an image open read-write, at open and after each request: no
 * two users share a host cluster (the header, L1 table, refcount table
 * and blocks, L2 tables, guest data; only compressed data may share
 * with compressed data), and each cluster's refcount counts its users.
 * Else the allocator could hand a used cluster out again: one guest
 * cluster's data in another.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "disk.h"
#include "log.h"
#include "qcow2.h"

#define MAX_WRITES	8192

enum { C_DATA, C_HEADER, C_L1, C_L2, C_RCT, C_REFBLOCK, C_FRESH };
static const char *const kind_name[] = {
	"data", "the header", "the L1 table", "an L2 table",
	"the refcount table", "a refcount block", "a cluster new here",
};

static struct {
	bool on;
	size_t n;
	bool lost;
	struct { u64 off, len; } w[MAX_WRITES];
} rec;

static void record(size_t n, off_t off)
{
	if (!rec.on)
		return;
	if (rec.n == MAX_WRITES) {
		rec.lost = true;
		return;
	}
	rec.w[rec.n].off = off;
	rec.w[rec.n].len = n;
	rec.n++;
}

/*
 * Every pwrite of the disk code comes here (-Wl,--wrap=pwrite,...): noted,
 * then done by the system call itself.
 */
ssize_t __wrap_pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	record(n, off);
	return syscall(SYS_pwrite64, fd, buf, n, off);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return __wrap_pwrite64(fd, buf, n, off);
}

/* What each cluster below `limit` holds, worked out from the file. */
struct map {
	u64 cs;
	u32 bits;
	u64 limit;	/* bytes: no write may end past this */
	u64 ncl;
	u8 *kind;
};

static u64 rd64(int fd, u64 off)
{
	u64 v = 0;

	if (pread(fd, &v, 8, off) != 8)
		return 0;
	return be64toh(v);
}

static u32 rd32(int fd, u64 off)
{
	u32 v = 0;

	if (pread(fd, &v, 4, off) != 4)
		return 0;
	return be32toh(v);
}

static void mark(struct map *m, u64 start, u64 len, u8 kind)
{
	u64 cl = start >> m->bits, end;

	if (!len || start >= m->limit)
		return;
	end = MIN(m->limit, start + len);
	for (; cl < m->ncl && (cl << m->bits) < end; cl++)
		m->kind[cl] = kind;
}

/* Entries of a table at off, n of them (as many as the file holds). */
static void mark_pointed(struct map *m, int fd, u64 off, u64 n, u64 fsize,
			 u64 mask, u8 kind)
{
	u64 i, *t;
	ssize_t got;

	if (off >= fsize)
		return;
	n = MIN(n, (fsize - off) / 8);
	t = malloc(n * 8 + 8);
	if (!t)
		abort();
	got = pread(fd, t, n * 8, off);
	for (i = 0; got > 0 && i < (u64)got / 8; i++) {
		u64 e = be64toh(t[i]) & mask;

		if (e)
			mark(m, ALIGN_DOWN(e, m->cs), m->cs, kind);
	}
	free(t);
}

static void map_build(struct map *m, int fd, u64 fsize, u64 reqlen)
{
	u64 l1_off, rct_off, l1_n, rct_len;

	m->bits = rd32(fd, 20);
	m->cs = 1ULL << m->bits;
	/* And a refcount table twice the size, with a block per cluster. */
	m->limit = ALIGN_UP(fsize, m->cs) +
		   3 * m->cs * ((reqlen >> m->bits) + 4) +
		   m->cs * (4 * (u64)rd32(fd, 56) + 4);
	m->ncl = m->limit >> m->bits;
	free(m->kind);
	m->kind = calloc(m->ncl, 1);
	if (!m->kind)
		abort();
	l1_n = rd32(fd, 36);
	l1_off = rd64(fd, 40);
	rct_off = rd64(fd, 48);
	rct_len = (u64)rd32(fd, 56) << m->bits;
	mark(m, 0, m->cs, C_HEADER);
	mark(m, l1_off, ALIGN_UP(l1_n * 8, m->cs), C_L1);
	mark(m, rct_off, rct_len, C_RCT);
	/* Tables first, then what they name (an overlap keeps the latter). */
	mark_pointed(m, fd, rct_off, rct_len / 8, fsize, ~0x1ffULL,
		     C_REFBLOCK);
	mark_pointed(m, fd, l1_off, l1_n, fsize, QCOW2_OFFSET_MASK, C_L2);
}

static void breach(const char *what, u64 off, u64 len, const struct map *m,
		   u64 cl)
{
	fprintf(stderr,
		"blk-qcow2: %s: write of %llu bytes at 0x%llx, cluster 0x%llx (%s), limit 0x%llx\n",
		what, (unsigned long long)len, (unsigned long long)off,
		(unsigned long long)(cl << m->bits),
		cl < m->ncl ? kind_name[m->kind[cl]] : "past the limit",
		(unsigned long long)m->limit);
	abort();
}

static void check_writes(struct map *m)
{
	size_t i;

	if (rec.lost)
		return;	/* more writes than recorded: nothing to conclude */
	for (i = 0; i < rec.n; i++) {
		u64 off = rec.w[i].off, len = rec.w[i].len, cl, last;

		if (!len)
			continue;
		if (off + len < off || off + len > m->limit)
			breach("past the bound", off, len, m, off >> m->bits);
		cl = off >> m->bits;
		last = (off + len - 1) >> m->bits;
		if (len < DISK_SECTOR) {
			if (cl != last || m->kind[cl] == C_DATA)
				breach("entry update outside metadata", off,
				       len, m, cl);
			continue;
		}
		for (; cl <= last; cl++)
			if (m->kind[cl] != C_DATA && m->kind[cl] != C_FRESH)
				breach("data write into metadata", off, len,
				       m, cl);
		/* Clusters written whole may take entries next. */
		for (cl = off >> m->bits; cl <= last; cl++)
			if ((cl << m->bits) >= off &&
			    ((cl + 1) << m->bits) <= off + len)
				m->kind[cl] = C_FRESH;
	}
}

/* Refcount of cluster cl (refcount order 3 to 6): 0 if none. */
static u64 refcount_of(int fd, u64 fsize, u32 bits, u32 order, u64 rct_off,
		       u64 rct_len, u64 cl)
{
	u64 per = (8ULL << bits) >> order, rb, v = 0;
	u32 bytes = 1U << (order - 3), i;
	u8 b[8];

	if (cl / per >= rct_len / 8)
		return 0;
	rb = rd64(fd, rct_off + cl / per * 8) & ~0x1ffULL;
	if (!rb || rb >= fsize ||
	    pread(fd, b, bytes, rb + cl % per * bytes) != (ssize_t)bytes)
		return 0;
	for (i = 0; i < bytes; i++)
		v = v << 8 | b[i];
	return v;
}

static void ref_breach(const char *what, u64 cl, u32 bits, u64 v)
{
	fprintf(stderr, "blk-qcow2: %s: host cluster 0x%llx (0x%llx)\n", what,
		(unsigned long long)(cl << bits), (unsigned long long)v);
	abort();
}

/* [off, off + len) has one more user: none before, a refcount. */
static void use(u8 *used, u64 ncl, u64 off, u64 len, u32 bits)
{
	u64 cl = off >> bits, end = (off + len + (1ULL << bits) - 1) >> bits;

	for (; len && cl < end; cl++) {
		if (cl >= ncl)
			ref_breach("a user past the end of the file", cl, bits,
				   off);
		if (used[cl])
			ref_breach("two users share", cl, bits, off);
		used[cl] = 1;
	}
}

/* Compressed L2 entry e: one more user of each cluster it touches. */
static void use_comp(u32 *comp, u64 ncl, u64 e, u32 bits)
{
	u32 x = 62 - (bits - 8);
	u64 nsec = ((e & ~QCOW2_OFLAG_COMPRESSED & ~QCOW2_OFLAG_COPIED) >> x) +
		   1;
	u64 off = (e & ((1ULL << x) - 1)) & ~511ULL, cl;

	for (cl = off >> bits; (cl << bits) < off + nsec * 512; cl++) {
		if (cl >= ncl)
			ref_breach("compressed data past the end of the file",
				   cl, bits, e);
		comp[cl]++;
	}
}

/* n big-endian entries at off (the file holds them: the image opened). */
static u64 *read_table(int fd, u64 off, u64 n)
{
	u64 *t = malloc(n * 8 + 8);

	if (!t || pread(fd, t, n * 8, off) != (ssize_t)(n * 8))
		abort();
	return t;
}

/* The image (read-write, so refcount order 3 to 6) from the file. */
static void check_refs(int fd)
{
	u64 fsize, ncl, l1_off, rct_off, rct_len, i, j, cs;
	u32 bits, l1_n, order;
	u64 *l1, *l2;
	struct stat st;
	u32 *comp;
	u8 *used;

	if (fstat(fd, &st))
		abort();
	fsize = st.st_size;
	bits = rd32(fd, 20);
	cs = 1ULL << bits;
	order = rd32(fd, 4) >= 3 ? rd32(fd, 96) : 4;
	ncl = (fsize + cs - 1) >> bits;
	l1_n = rd32(fd, 36);
	l1_off = rd64(fd, 40);
	rct_off = rd64(fd, 48);
	rct_len = (u64)rd32(fd, 56) << bits;
	used = calloc(ncl + 1, 1);
	comp = calloc(ncl + 1, sizeof(*comp));
	if (!used || !comp)
		abort();
	use(used, ncl, 0, cs, bits);
	use(used, ncl, l1_off, l1_n * 8ULL, bits);
	use(used, ncl, rct_off, rct_len, bits);
	for (i = 0; i < rct_len / 8; i++) {
		u64 rb = rd64(fd, rct_off + 8 * i) & ~0x1ffULL;

		if (rb)
			use(used, ncl, rb, cs, bits);
	}
	l1 = read_table(fd, l1_off, l1_n);
	l2 = malloc(cs);
	if (!l2)
		abort();
	for (i = 0; i < l1_n; i++) {
		u64 l2_off = be64toh(l1[i]) & QCOW2_OFFSET_MASK;

		if (!l2_off)
			continue;
		use(used, ncl, l2_off, cs, bits);
		if (pread(fd, l2, cs, l2_off) != (ssize_t)cs)
			abort();	/* inside the file: use() said so */
		for (j = 0; j < cs / 8; j++) {
			u64 e = be64toh(l2[j]);

			if (e & QCOW2_OFLAG_COMPRESSED)
				use_comp(comp, ncl, e, bits);
			else if (e & QCOW2_OFFSET_MASK)
				use(used, ncl, e & QCOW2_OFFSET_MASK, cs, bits);
		}
	}
	free(l1);
	free(l2);
	for (i = 0; i < ncl; i++) {
		u64 n = used[i] + comp[i];

		if (used[i] && comp[i])
			ref_breach("compressed data shares", i, bits, comp[i]);
		if (n && refcount_of(fd, fsize, bits, order, rct_off, rct_len,
				     i) < n)
			ref_breach("a refcount below the cluster's users", i,
				   bits, n);
	}
	free(comp);
	free(used);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct disk_open_opts o = { .no_lock = true };
	static u8 buf[256 * 1024];
	struct map m = { 0 };
	struct disk *d;
	char path[64];
	size_t i;
	int fd;

	if (size < 8)
		return 0;
	log_set_level(LOG_ERROR);
	o.readonly = !(data[size - 1] & 1);
	fd = memfd_create("fuzz-qcow2", 0);
	if (fd < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (disk_open(&d, path, &o, NULL, 0)) {
		close(fd);
		return 0;
	}
	if (!o.readonly && d->format == DISK_FMT_QCOW2)
		check_refs(fd);
	for (i = 0; i + 8 <= size && i < 8 * 16; i += 8) {
		struct stat st;
		u64 v, off, len;

		memcpy(&v, data + size - 8 - i, 8);
		if (!d->size)
			break;
		off = (v % d->size) & ~511ULL;
		len = MIN((u64)sizeof(buf), d->size - off);
		len = MIN(len, ((v >> 48) + 1) * 512);
		if (fstat(fd, &st))
			abort();
		if (d->format == DISK_FMT_QCOW2)
			map_build(&m, fd, st.st_size, len);
		rec.n = 0;
		rec.lost = false;
		rec.on = true;
		disk_read(d, buf, len, off);
		if (o.readonly && rec.n && d->format == DISK_FMT_QCOW2)
			breach("read-only image written", rec.w[0].off,
			       rec.w[0].len, &m, rec.w[0].off >> m.bits);
		if (!o.readonly && (v & 1))
			disk_write(d, buf, len, off);
		else if (!o.readonly && (v & 2))
			d->ops->zero(d, off, len, v & 4);
		rec.on = false;
		/* Probed as raw: the whole file is the guest's. */
		if (d->format == DISK_FMT_QCOW2)
			check_writes(&m);
		if (!o.readonly && d->format == DISK_FMT_QCOW2)
			check_refs(fd);
	}
	disk_close(d);
	free(m.kind);
	close(fd);
	return 0;
}

#define FUZZ_REPLAY_MAX (1 << 22)
#include "replay.h"
