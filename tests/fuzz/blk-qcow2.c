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
 *     allocate (3 clusters for each it touches, plus a few);
 *   - a read-only image is never written at all.
 * A breach aborts with the write, the cluster and what holds it.
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
	m->limit = ALIGN_UP(fsize, m->cs) +
		   3 * m->cs * ((reqlen >> m->bits) + 4);
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
	}
	disk_close(d);
	free(m.kind);
	close(fd);
	return 0;
}

#define FUZZ_REPLAY_MAX (1 << 22)
#include "replay.h"
