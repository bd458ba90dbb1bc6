// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 images (versions 2 and 3): reads through L1/L2 tables, backing
 * files and zlib-compressed clusters; writes with cluster allocation and
 * refcount updates. No internal snapshots (images that have them open
 * read-only), no encryption, no external data files, no extended L2.
 *
 * Metadata is written through at once, in an order that a kill at any
 * point leaves consistent (at worst leaked clusters):
 *   allocate: refcount block entry -> cluster contents -> L2 (or L1) entry
 *   free:     L2 entry -> refcount entry
 * One mutex serialises every request on an image.
 *
 * The image may be hostile. At open, every table (header, L1, L2s,
 * refcount table and blocks, snapshot table and snapshots' L1 tables)
 * goes into a map (qcow2-meta.c) and an image whose tables overlap is
 * refused. Every write is checked against that map first: a metadata
 * update must land inside a table of its kind, guest data (and a new
 * table's first contents) outside every table and inside the file as far
 * as allocation has grown it. Allocation skips nothing on trust: a free
 * (refcount 0) cluster that the map says is a table is corruption. A
 * check that fails marks the image corrupt (one log line, the header's
 * corrupt bit on version 3): that request and every later write fail
 * with -EIO, reads go on.
 */
#include <endian.h>
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "disk.h"
#include "iov.h"
#include "log.h"
#include "qcow2.h"

#define L2_CACHE_SIZE 32

struct l2_cache_entry {
	u64 off;		/* host offset of the table, 0 = free */
	u64 *tbl;		/* big-endian entries */
	u64 used;		/* LRU stamp */
};

struct qcow2 {
	struct qcow2_header h;
	pthread_mutex_t lock;
	u64 cluster_size;
	u64 l2_entries;
	u64 *l1;		/* host byte order */
	u64 *rct;		/* refcount table, host byte order */
	u64 rct_entries;
	u8 **refblocks;		/* loaded refcount blocks, raw */
	u32 rc_bytes;		/* bytes per refcount entry */
	u64 rb_entries;		/* refcounts per block */
	struct l2_cache_entry l2c[L2_CACHE_SIZE];
	u64 l2c_clock;
	struct disk *backing;
	u8 *cow;		/* one cluster of scratch */
	u8 *cbuf;		/* compressed input */
	u8 *ccache;		/* last decompressed cluster */
	u64 ccache_entry;	/* its L2 entry, 0 = none */
	u64 free_hint;		/* no free cluster below this index */
	u64 host_end;		/* end of the file as far as we know */
	u32 csize_shift;	/* compressed descriptor: x = 62 - (bits - 8) */
	struct qcow2_meta meta;	/* where the tables are */
	bool corrupt;		/* a check failed: no more writes */
};

static u32 be32_at(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

static u64 be64_at(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

int qcow2_parse_header(const u8 *buf, size_t len, u64 file_size,
		       struct qcow2_header *h, char *err, size_t errlen)
{
	u64 cs, need, l2e;

	memset(h, 0, sizeof(*h));
	if (len < QCOW2_V2_HEADER_LEN || be32_at(buf) != QCOW2_MAGIC) {
		disk_error(err, errlen, "not a qcow2 header");
		return -EINVAL;
	}
	h->version = be32_at(buf + 4);
	h->backing_offset = be64_at(buf + 8);
	h->backing_size = be32_at(buf + 16);
	h->cluster_bits = be32_at(buf + 20);
	h->size = be64_at(buf + 24);
	h->crypt_method = be32_at(buf + 32);
	h->l1_size = be32_at(buf + 36);
	h->l1_offset = be64_at(buf + 40);
	h->rct_offset = be64_at(buf + 48);
	h->rct_clusters = be32_at(buf + 56);
	h->nb_snapshots = be32_at(buf + 60);
	h->snapshots_offset = be64_at(buf + 64);
	h->refcount_order = 4;
	h->header_length = QCOW2_V2_HEADER_LEN;
	if (h->version != 2 && h->version != 3) {
		disk_error(err, errlen, "unsupported qcow2 version %u", h->version);
		return -ENOTSUP;
	}
	if (h->version == 3) {
		if (len < QCOW2_V3_HEADER_LEN) {
			disk_error(err, errlen, "corrupt header: truncated");
			return -EINVAL;
		}
		h->incompat = be64_at(buf + 72);
		h->compat = be64_at(buf + 80);
		h->autoclear = be64_at(buf + 88);
		h->refcount_order = be32_at(buf + 96);
		h->header_length = be32_at(buf + 100);
		if (h->header_length < QCOW2_V3_HEADER_LEN ||
		    h->header_length > len) {
			disk_error(err, errlen, "corrupt header: header length %u",
			      h->header_length);
			return -EINVAL;
		}
		if (h->header_length > QCOW2_V3_HEADER_LEN)
			h->compression_type = buf[104];
	}
	if (h->cluster_bits < 9 || h->cluster_bits > 21) {
		disk_error(err, errlen, "corrupt header: cluster bits %u",
		      h->cluster_bits);
		return -EINVAL;
	}
	cs = 1ULL << h->cluster_bits;
	if (h->header_length > cs) {
		disk_error(err, errlen, "corrupt header: header longer than a cluster");
		return -EINVAL;
	}
	if (h->crypt_method) {
		disk_error(err, errlen, "encrypted images are not supported");
		return -ENOTSUP;
	}
	if (h->incompat & QCOW2_INCOMPAT_CORRUPT) {
		disk_error(err, errlen, "image is marked corrupt (qemu-img check -r all)");
		return -EINVAL;
	}
	if (h->incompat & QCOW2_INCOMPAT_DIRTY) {
		disk_error(err, errlen, "image is dirty: refcounts need a repair (qemu-img check -r all)");
		return -ENOTSUP;
	}
	if (h->incompat & ~(QCOW2_INCOMPAT_COMPRESSION)) {
		disk_error(err, errlen, "unsupported incompatible features 0x%llx",
		      (unsigned long long)h->incompat);
		return -ENOTSUP;
	}
	if (h->compression_type != 0) {
		disk_error(err, errlen, "unsupported compression type %u",
		      h->compression_type);
		return -ENOTSUP;
	}
	if (h->refcount_order > 6) {
		disk_error(err, errlen, "corrupt header: refcount order %u",
		      h->refcount_order);
		return -EINVAL;
	}
	if (h->backing_offset) {
		if (!h->backing_size ||
		    h->backing_size > QCOW2_MAX_BACKING_NAME ||
		    h->backing_offset > cs - h->backing_size ||
		    h->backing_offset + h->backing_size > len) {
			disk_error(err, errlen, "corrupt header: backing file name");
			return -EINVAL;
		}
	}
	if ((u64)h->l1_size * 8 > QCOW2_MAX_L1_BYTES) {
		disk_error(err, errlen, "corrupt header: L1 table too large");
		return -EINVAL;
	}
	l2e = cs / 8;
	need = (h->size + cs - 1) >> h->cluster_bits;
	need = (need + l2e - 1) / l2e;
	if (h->size > (1ULL << 56) || need > h->l1_size) {
		disk_error(err, errlen, "corrupt header: L1 table too small for the size");
		return -EINVAL;
	}
	if (!IS_ALIGNED(h->l1_offset, cs) || !IS_ALIGNED(h->rct_offset, cs) ||
	    (h->l1_size && !h->l1_offset) || !h->rct_offset ||
	    h->l1_offset > file_size ||
	    (u64)h->l1_size * 8 > file_size - h->l1_offset) {
		disk_error(err, errlen, "corrupt header: table offsets");
		return -EINVAL;
	}
	if (!h->rct_clusters ||
	    ((u64)h->rct_clusters << h->cluster_bits) > QCOW2_MAX_RCT_BYTES ||
	    h->rct_offset > file_size ||
	    ((u64)h->rct_clusters << h->cluster_bits) >
		    file_size - h->rct_offset) {
		disk_error(err, errlen, "corrupt header: refcount table");
		return -EINVAL;
	}
	return 0;
}

/* --- metadata I/O --- */

/* All of [off, off + len) or an error: metadata is never short. */
static int q_io(struct disk *d, void *buf, u64 len, u64 off, bool write)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = write ? pwrite(d->fd, p, len, off) :
				    pread(d->fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

static int q_pread(struct disk *d, void *buf, u64 len, u64 off)
{
	return q_io(d, buf, len, off, false);
}

static int q_pwrite(struct disk *d, const void *buf, u64 len, u64 off)
{
	return q_io(d, (void *)buf, len, off, true);
}

/*
 * A write would break the image (or the image is already inconsistent):
 * refuse every write from now on, say so once, and on version 3 set the
 * header's corrupt bit so that the next open refuses the image until
 * qemu-img check -r repairs it.
 */
static int q_set_corrupt(struct disk *d, struct qcow2 *q, const char *fmt,
			 ...) __printf(3, 4);
static int q_set_corrupt(struct disk *d, struct qcow2 *q, const char *fmt,
			 ...)
{
	const char *marked = "";
	char why[192];
	va_list ap;

	if (q->corrupt)
		return -EIO;
	q->corrupt = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (q->h.version >= 3) {
		u64 be = htobe64(q->h.incompat | QCOW2_INCOMPAT_CORRUPT);

		/* Offset 72: the incompatible features, in the header. */
		if (q_pwrite(d, &be, 8, 72))
			marked = " (could not mark it in the header)";
		else
			q->h.incompat |= QCOW2_INCOMPAT_CORRUPT;
	}
	pr_err_ratelimited("%s: qcow2 image corrupt: %s; writes fail from now on%s",
			   d->path, why, marked);
	return -EIO;
}

/* A metadata update: [off, off + len) must lie inside one table of kind. */
static int q_meta_write(struct disk *d, struct qcow2 *q, const void *buf,
			u64 len, u64 off, enum qcow2_meta_kind kind)
{
	const struct qcow2_meta_range *r;

	if (q->corrupt)
		return -EIO;
	r = qcow2_meta_find(&q->meta, off, len);
	if (!r || r->kind != kind || r->start > off || r->end - off < len)
		return q_set_corrupt(d, q,
				     "an update of %s at 0x%llx would land in %s",
				     qcow2_meta_name(kind),
				     (unsigned long long)off,
				     r ? qcow2_meta_name(r->kind) : "data");
	return q_pwrite(d, buf, len, off);
}

/*
 * May [off, off + len) take guest data (or a new table's first contents)?
 * Not if it overlaps a table, nor beyond the clusters the file holds or
 * allocation has handed out.
 */
static int q_check_clear(struct disk *d, struct qcow2 *q, u64 off, u64 len)
{
	const struct qcow2_meta_range *r;

	if (q->corrupt)
		return -EIO;
	if (off + len < off || off + len > q->host_end)
		return q_set_corrupt(d, q,
				     "data at 0x%llx lies past the end of the file (0x%llx)",
				     (unsigned long long)off,
				     (unsigned long long)q->host_end);
	r = qcow2_meta_find(&q->meta, off, len);
	if (r)
		return q_set_corrupt(d, q,
				     "data at 0x%llx would overwrite %s at 0x%llx",
				     (unsigned long long)off,
				     qcow2_meta_name(r->kind),
				     (unsigned long long)r->start);
	return 0;
}

static int q_write_clear(struct disk *d, struct qcow2 *q, const void *buf,
			 u64 len, u64 off)
{
	int ret = q_check_clear(d, q, off, len);

	return ret ? ret : q_pwrite(d, buf, len, off);
}

static int q_corrupt(struct disk *d, const char *what, u64 v)
{
	pr_err_ratelimited("%s: qcow2 metadata corrupt: %s 0x%llx", d->path,
			   what, (unsigned long long)v);
	return -EIO;
}

static u64 rc_get_raw(struct qcow2 *q, const u8 *blk, u64 i)
{
	u32 order = q->h.refcount_order;

	if (order < 3) {
		u32 bits = 1U << order;
		u64 bit = i * bits;

		return (blk[bit / 8] >> (bit % 8)) & ((1U << bits) - 1);
	}
	switch (order) {
	case 3:
		return blk[i];
	case 4:
		return ((u16)blk[2 * i] << 8) | blk[2 * i + 1];
	case 5:
		return be32_at(blk + 4 * i);
	default:
		return be64_at(blk + 8 * i);
	}
}

static void rc_set_raw(struct qcow2 *q, u8 *blk, u64 i, u64 v)
{
	u32 order = q->h.refcount_order;
	u64 be;

	if (order < 3) {
		u32 bits = 1U << order;
		u64 bit = i * bits;
		u8 mask = ((1U << bits) - 1) << (bit % 8);

		blk[bit / 8] = (blk[bit / 8] & ~mask) |
			       ((v << (bit % 8)) & mask);
		return;
	}
	be = htobe64(v);
	memcpy(blk + i * q->rc_bytes, (u8 *)&be + 8 - q->rc_bytes,
	       q->rc_bytes);
}

/* Byte range of the entry for cluster i within its block (for writing). */
static void rc_entry_span(struct qcow2 *q, u64 i, u64 *start, u64 *len)
{
	if (q->h.refcount_order < 3) {
		*start = (i << q->h.refcount_order) / 8;
		*len = 1;
	} else {
		*start = i * q->rc_bytes;
		*len = q->rc_bytes;
	}
}

static int rc_block(struct disk *d, struct qcow2 *q, u64 ri, u8 **out)
{
	u64 off = q->rct[ri];
	int ret;

	*out = NULL;
	if (!off)
		return 0;
	if (q->refblocks[ri]) {
		*out = q->refblocks[ri];
		return 0;
	}
	q->refblocks[ri] = malloc(q->cluster_size);
	if (!q->refblocks[ri])
		return -ENOMEM;
	ret = q_pread(d, q->refblocks[ri], q->cluster_size, off);
	if (ret) {
		free(q->refblocks[ri]);
		q->refblocks[ri] = NULL;
		return ret;
	}
	*out = q->refblocks[ri];
	return 0;
}

static int rc_get(struct disk *d, struct qcow2 *q, u64 cl, u64 *rc)
{
	u64 ri = cl / q->rb_entries;
	u8 *blk;
	int ret;

	*rc = 0;
	if (ri >= q->rct_entries)
		return 0;
	ret = rc_block(d, q, ri, &blk);
	if (ret || !blk)
		return ret;
	*rc = rc_get_raw(q, blk, cl % q->rb_entries);
	return 0;
}

/* Set the refcount of a cluster whose refcount block exists. */
static int rc_set(struct disk *d, struct qcow2 *q, u64 cl, u64 v)
{
	u64 ri = cl / q->rb_entries, i = cl % q->rb_entries, s, n;
	u8 *blk;
	int ret;

	if (ri >= q->rct_entries)
		return -ENOSPC;
	ret = rc_block(d, q, ri, &blk);
	if (ret)
		return ret;
	if (!blk)
		return q_corrupt(d, "refcount of unmapped cluster", cl);
	if (q->h.refcount_order < 6 && v >> (1U << q->h.refcount_order))
		return -ERANGE;
	rc_set_raw(q, blk, i, v);
	rc_entry_span(q, i, &s, &n);
	return q_meta_write(d, q, blk + s, n, q->rct[ri] + s,
			    QCOW2_META_REFBLOCK);
}

/*
 * Find a free cluster and give it refcount 1. A refcount block that does
 * not exist yet is created in the first free cluster of its own range.
 */
static int q_alloc(struct disk *d, struct qcow2 *q, u64 *out)
{
	u64 cl = MAX(q->free_hint, 1ULL);	/* cluster 0: the header */
	int ret;

	if (q->corrupt)
		return -EIO;
	for (;; cl++) {
		u64 ri = cl / q->rb_entries, rc, be;
		u64 off = cl << q->h.cluster_bits, old_end = q->host_end;
		const struct qcow2_meta_range *meta;
		u8 *blk;

		if (ri >= q->rct_entries ||
		    cl >= (QCOW2_OFFSET_MASK >> q->h.cluster_bits))
			return -ENOSPC;
		/* A table is never free, whatever its refcount says. */
		meta = qcow2_meta_find(&q->meta, off, q->cluster_size);
		if (!q->rct[ri]) {
			if (meta)
				return q_set_corrupt(d, q,
						     "%s at 0x%llx has no refcount block",
						     qcow2_meta_name(meta->kind),
						     (unsigned long long)meta->start);
			/* This cluster becomes the block for its range. */
			blk = calloc(1, q->cluster_size);
			ret = blk ? qcow2_meta_reserve(&q->meta) : -ENOMEM;
			if (ret) {
				free(blk);
				return ret;
			}
			rc_set_raw(q, blk, cl % q->rb_entries, 1);
			q->host_end = MAX(q->host_end, off + q->cluster_size);
			ret = q_write_clear(d, q, blk, q->cluster_size, off);
			if (!ret) {
				be = htobe64(off);
				ret = q_meta_write(d, q, &be, 8,
						   q->h.rct_offset + ri * 8,
						   QCOW2_META_RCT);
			}
			if (ret) {
				q->host_end = old_end;
				free(blk);
				return ret;
			}
			qcow2_meta_insert(&q->meta, off, q->cluster_size,
					  QCOW2_META_REFBLOCK);
			q->rct[ri] = off;
			q->refblocks[ri] = blk;
			continue;
		}
		ret = rc_get(d, q, cl, &rc);
		if (ret)
			return ret;
		if (rc && (cl << q->h.cluster_bits) >= q->host_end)
			return q_corrupt(d, "refcount beyond the end of file",
					 cl);
		if (rc)
			continue;
		if (meta)
			return q_set_corrupt(d, q,
					     "%s at 0x%llx has refcount 0",
					     qcow2_meta_name(meta->kind),
					     (unsigned long long)meta->start);
		ret = rc_set(d, q, cl, 1);
		if (ret)
			return ret;
		q->free_hint = cl + 1;
		q->host_end = MAX(q->host_end, (cl + 1) << q->h.cluster_bits);
		*out = cl << q->h.cluster_bits;
		return 0;
	}
}

/* Drop one reference from each cluster in [off, off + len). */
static int q_free_range(struct disk *d, struct qcow2 *q, u64 off, u64 len)
{
	u64 cl = off >> q->h.cluster_bits;
	u64 end = (off + len + q->cluster_size - 1) >> q->h.cluster_bits;
	int ret;

	for (; cl < end; cl++) {
		u64 rc;

		ret = rc_get(d, q, cl, &rc);
		if (ret)
			return ret;
		if (!rc)
			return q_corrupt(d, "freeing a free cluster", cl);
		ret = rc_set(d, q, cl, rc - 1);
		if (ret)
			return ret;
		if (rc == 1 && cl < q->free_hint)
			q->free_hint = cl;
	}
	return 0;
}

/* --- L2 tables --- */

static int l2_load(struct disk *d, struct qcow2 *q, u64 off, u64 **tbl)
{
	struct l2_cache_entry *victim = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < L2_CACHE_SIZE; i++) {
		struct l2_cache_entry *c = &q->l2c[i];

		if (c->off == off) {
			c->used = ++q->l2c_clock;
			*tbl = c->tbl;
			return 0;
		}
		if (!victim || c->used < victim->used)
			victim = &q->l2c[i];
	}
	if (!victim->tbl) {
		victim->tbl = malloc(q->cluster_size);
		if (!victim->tbl)
			return -ENOMEM;
	}
	victim->off = 0;
	ret = q_pread(d, victim->tbl, q->cluster_size, off);
	if (ret)
		return ret;
	victim->off = off;
	victim->used = ++q->l2c_clock;
	*tbl = victim->tbl;
	return 0;
}

/*
 * The L2 table for guest cluster index gcl: *tbl NULL if none (and !alloc).
 * With alloc, a missing table is allocated (zeroed) and linked into L1.
 */
static int l2_get(struct disk *d, struct qcow2 *q, u64 gcl, bool alloc,
		  u64 **tbl, u64 *tbl_off)
{
	u64 l1i = gcl / q->l2_entries, e, off, be;
	int ret;

	*tbl = NULL;
	if (l1i >= q->h.l1_size)
		return q_corrupt(d, "guest cluster beyond L1", gcl);
	e = q->l1[l1i];
	if (e & QCOW2_L1E_RESERVED)
		return q_corrupt(d, "L1 entry", e);
	off = e & QCOW2_OFFSET_MASK;
	if (off && !IS_ALIGNED(off, q->cluster_size))
		return q_corrupt(d, "L1 entry", e);
	if (!off) {
		if (!alloc)
			return 0;
		ret = q_alloc(d, q, &off);
		if (!ret)
			ret = qcow2_meta_reserve(&q->meta);
		if (ret)
			return ret;
		memset(q->cow, 0, q->cluster_size);
		ret = q_write_clear(d, q, q->cow, q->cluster_size, off);
		if (ret)
			return ret;
		e = off | QCOW2_OFLAG_COPIED;
		be = htobe64(e);
		ret = q_meta_write(d, q, &be, 8, q->h.l1_offset + l1i * 8,
				   QCOW2_META_L1);
		if (ret)
			return ret;
		qcow2_meta_insert(&q->meta, off, q->cluster_size,
				  QCOW2_META_L2);
		q->l1[l1i] = e;
	}
	*tbl_off = off;
	return l2_load(d, q, off, tbl);
}

static int l2_set(struct disk *d, struct qcow2 *q, u64 *tbl, u64 tbl_off,
		  u64 idx, u64 e)
{
	u64 old = tbl[idx];
	int ret;

	tbl[idx] = htobe64(e);
	ret = q_meta_write(d, q, &tbl[idx], 8, tbl_off + idx * 8,
			   QCOW2_META_L2);
	if (ret)
		tbl[idx] = old;
	return ret;
}

/* --- data paths --- */

static int read_full_iov(int fd, struct iovec *iov, unsigned int cnt,
			 u64 off)
{
	while (cnt) {
		ssize_t n = preadv(fd, iov, cnt, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		off += n;
		if (iov_advance(&iov, &cnt, n))
			return -EIO;
	}
	return 0;
}

/* Decompress the cluster described by L2 entry e into q->ccache. */
static int q_decompress(struct disk *d, struct qcow2 *q, u64 e)
{
	u32 x = q->csize_shift;
	u64 off = e & ((1ULL << x) - 1);
	u64 nsec = ((e & ~QCOW2_OFLAG_COMPRESSED & ~QCOW2_OFLAG_COPIED) >> x)
		   + 1;
	u64 end = (off & ~511ULL) + nsec * 512, clen;
	z_stream zs;
	int ret, zr;

	if (q->ccache_entry == e)
		return 0;
	if (end <= off || end - off > 2 * q->cluster_size)
		return q_corrupt(d, "compressed cluster", e);
	clen = end - off;
	/* The last sector may run past the end of the file. */
	{
		ssize_t n = pread(d->fd, q->cbuf, clen, off);

		if (n < 0)
			return -errno;
		clen = n;
	}
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -12) != Z_OK)
		return -ENOMEM;
	zs.next_in = q->cbuf;
	zs.avail_in = clen;
	zs.next_out = q->ccache;
	zs.avail_out = q->cluster_size;
	zr = inflate(&zs, Z_FINISH);
	ret = (zr == Z_STREAM_END || (zr == Z_BUF_ERROR && !zs.avail_out)) &&
	      !zs.avail_out ? 0 : q_corrupt(d, "compressed data at", off);
	inflateEnd(&zs);
	q->ccache_entry = ret ? 0 : e;
	return ret;
}

/* Read part of one guest cluster into iov[skip, skip + len). */
static int q_read_chunk(struct disk *d, struct qcow2 *q, u64 gcl, u64 in_off,
			const struct iovec *iov, int cnt, u64 skip, u64 len,
			struct iovec *tmp, int tmpmax)
{
	u64 *tbl, tbl_off, e, host;
	int ret, n;

	ret = l2_get(d, q, gcl, false, &tbl, &tbl_off);
	if (ret)
		return ret;
	e = tbl ? be64toh(tbl[gcl % q->l2_entries]) : 0;
	if (e & QCOW2_OFLAG_COMPRESSED) {
		ret = q_decompress(d, q, e);
		if (ret)
			return ret;
		iov_from_buf(iov, cnt, skip, q->ccache + in_off, len);
		return 0;
	}
	if (e & QCOW2_L2E_RESERVED)
		return q_corrupt(d, "L2 entry", e);
	host = e & QCOW2_OFFSET_MASK;
	if (e & QCOW2_OFLAG_ZERO) {
		iov_memset(iov, cnt, skip, 0, len);
		return 0;
	}
	if (!host) {
		u64 goff = (gcl << q->h.cluster_bits) + in_off, blen = 0;

		if (q->backing && goff < q->backing->size)
			blen = MIN(len, q->backing->size - goff);
		if (blen) {
			n = iov_slice(iov, cnt, skip, blen, tmp, tmpmax);
			if (n < 0)
				return n;
			ret = 0;
			{
				struct disk_req r = {
					.op = DISK_OP_READ, .off = goff,
					.len = blen, .iov = tmp, .iovcnt = n,
				};
				disk_req_execute(q->backing, &r);
				if (r.result < 0)
					ret = r.result;
			}
			if (ret)
				return ret;
		}
		iov_memset(iov, cnt, skip + blen, 0, len - blen);
		return 0;
	}
	if (!IS_ALIGNED(host, q->cluster_size))
		return q_corrupt(d, "L2 entry", e);
	n = iov_slice(iov, cnt, skip, len, tmp, tmpmax);
	if (n < 0)
		return n;
	return read_full_iov(d->fd, tmp, n, host + in_off);
}

static ssize_t qcow2_preadv(struct disk *d, const struct iovec *iov,
			    int iovcnt, u64 off)
{
	struct qcow2 *q = d->priv;
	u64 total = 0, len, done = 0;
	struct iovec *tmp;
	int ret = 0;

	len = iov_length(iov, iovcnt);
	if (off > d->size)
		return -EINVAL;
	total = MIN(len, d->size - off);
	tmp = malloc(sizeof(*tmp) * (iovcnt + 1));
	if (!tmp)
		return -ENOMEM;
	pthread_mutex_lock(&q->lock);
	while (done < total) {
		u64 pos = off + done;
		u64 gcl = pos >> q->h.cluster_bits;
		u64 in_off = pos & (q->cluster_size - 1);
		u64 n = MIN(total - done, q->cluster_size - in_off);

		ret = q_read_chunk(d, q, gcl, in_off, iov, iovcnt, done, n,
				   tmp, iovcnt + 1);
		if (ret)
			break;
		done += n;
	}
	pthread_mutex_unlock(&q->lock);
	free(tmp);
	return ret ? ret : (ssize_t)done;
}

/* Current contents of one guest cluster into q->cow (for copy-on-write). */
static int q_fill_cow(struct disk *d, struct qcow2 *q, u64 gcl, u64 e)
{
	struct iovec v = { .iov_base = q->cow, .iov_len = q->cluster_size };
	u64 goff = gcl << q->h.cluster_bits;
	u64 blen;

	if (e & QCOW2_OFLAG_COMPRESSED) {
		int ret = q_decompress(d, q, e);

		if (!ret)
			memcpy(q->cow, q->ccache, q->cluster_size);
		return ret;
	}
	if ((e & QCOW2_OFLAG_ZERO) || !q->backing ||
	    goff >= q->backing->size) {
		memset(q->cow, 0, q->cluster_size);
		if (!(e & QCOW2_OFLAG_ZERO) && (e & QCOW2_OFFSET_MASK))
			return q_pread(d, q->cow, q->cluster_size,
				       e & QCOW2_OFFSET_MASK);
		return 0;
	}
	if (e & QCOW2_OFFSET_MASK)
		return q_pread(d, q->cow, q->cluster_size,
			       e & QCOW2_OFFSET_MASK);
	memset(q->cow, 0, q->cluster_size);
	blen = MIN(q->cluster_size, q->backing->size - goff);
	v.iov_len = blen;
	{
		struct disk_req r = {
			.op = DISK_OP_READ, .off = goff, .len = blen,
			.iov = &v, .iovcnt = 1,
		};
		disk_req_execute(q->backing, &r);
		return r.result < 0 ? r.result : 0;
	}
}

/*
 * Before a write or zeroing changes guest cluster data described by L2
 * entry e: what e points to must be data, inside the file (a cluster
 * written in place, or one whose references are dropped afterwards).
 */
static int q_check_entry(struct disk *d, struct qcow2 *q, u64 e)
{
	const struct qcow2_meta_range *r;
	u64 off, len;

	if (e & QCOW2_OFLAG_COMPRESSED) {
		u32 x = q->csize_shift;
		u64 nsec = ((e & ~QCOW2_OFLAG_COMPRESSED &
			     ~QCOW2_OFLAG_COPIED) >> x) + 1;

		off = (e & ((1ULL << x) - 1)) & ~511ULL;
		len = nsec * 512;
		/* Only its clusters' refcounts change: no end-of-file check. */
		r = qcow2_meta_find(&q->meta, off, len);
		if (r)
			return q_set_corrupt(d, q,
					     "compressed data at 0x%llx overlaps %s at 0x%llx",
					     (unsigned long long)off,
					     qcow2_meta_name(r->kind),
					     (unsigned long long)r->start);
		return 0;
	}
	off = e & QCOW2_OFFSET_MASK;
	if (!off)
		return 0;
	if (!IS_ALIGNED(off, q->cluster_size))
		return q_set_corrupt(d, q, "L2 entry 0x%llx is not cluster-aligned",
				     (unsigned long long)e);
	r = qcow2_meta_find(&q->meta, off, q->cluster_size);
	if (r)
		return q_set_corrupt(d, q,
				     "an L2 entry points guest data at %s at 0x%llx",
				     qcow2_meta_name(r->kind),
				     (unsigned long long)r->start);
	return q_check_clear(d, q, off, q->cluster_size);
}

/* Release what an old L2 entry pointed to (after it was replaced). */
static int q_release_entry(struct disk *d, struct qcow2 *q, u64 e)
{
	if (e & QCOW2_OFLAG_COMPRESSED) {
		u32 x = q->csize_shift;
		u64 off = e & ((1ULL << x) - 1);
		u64 nsec = ((e & ~QCOW2_OFLAG_COMPRESSED &
			     ~QCOW2_OFLAG_COPIED) >> x) + 1;

		if (q->ccache_entry == e)
			q->ccache_entry = 0;
		return q_free_range(d, q, off & ~511ULL, nsec * 512);
	}
	if (e & QCOW2_OFFSET_MASK)
		return q_free_range(d, q, e & QCOW2_OFFSET_MASK, 1);
	return 0;
}

/*
 * Write part of one guest cluster from buf (flat, data != NULL) or from
 * iov[skip, skip + len) (data == NULL).
 */
static int q_write_chunk(struct disk *d, struct qcow2 *q, u64 gcl,
			 u64 in_off, const struct iovec *iov, int cnt,
			 u64 skip, u64 len, const u8 *data)
{
	u64 *tbl, tbl_off, idx, e, host, newc;
	bool full = in_off == 0 && len == q->cluster_size;
	int ret;

	ret = l2_get(d, q, gcl, true, &tbl, &tbl_off);
	if (ret)
		return ret;
	idx = gcl % q->l2_entries;
	e = be64toh(tbl[idx]);
	if (!(e & QCOW2_OFLAG_COMPRESSED) && (e & QCOW2_L2E_RESERVED))
		return q_corrupt(d, "L2 entry", e);
	ret = q_check_entry(d, q, e);
	if (ret)
		return ret;
	host = e & QCOW2_OFFSET_MASK;
	if (!(e & QCOW2_OFLAG_COMPRESSED) && host &&
	    (e & QCOW2_OFLAG_COPIED)) {
		if (e & QCOW2_OFLAG_ZERO) {
			/* Preallocated zero cluster: make it real zeroes. */
			if (!full) {
				memset(q->cow, 0, q->cluster_size);
				ret = q_write_clear(d, q, q->cow,
						    q->cluster_size, host);
				if (ret)
					return ret;
			}
		}
		if (data)
			ret = q_write_clear(d, q, data, len, host + in_off);
		else {
			iov_to_buf(iov, cnt, skip, q->cow, len);
			ret = q_write_clear(d, q, q->cow, len, host + in_off);
		}
		if (ret || !(e & QCOW2_OFLAG_ZERO))
			return ret;
		return l2_set(d, q, tbl, tbl_off, idx, e & ~QCOW2_OFLAG_ZERO);
	}
	/* Allocate: refcount, then data, then the L2 entry. */
	if (!full) {
		ret = q_fill_cow(d, q, gcl, e);
		if (ret)
			return ret;
	}
	if (data)
		memmove(q->cow + in_off, data, len);
	else
		iov_to_buf(iov, cnt, skip, q->cow + in_off, len);
	ret = q_alloc(d, q, &newc);
	if (ret)
		return ret;
	/* q_alloc may have evicted our table: reload it. */
	ret = q_write_clear(d, q, q->cow, q->cluster_size, newc);
	if (!ret)
		ret = l2_get(d, q, gcl, false, &tbl, &tbl_off);
	if (ret) {
		q_free_range(d, q, newc, 1);
		return ret;
	}
	ret = l2_set(d, q, tbl, tbl_off, idx, newc | QCOW2_OFLAG_COPIED);
	if (ret)
		return ret;
	return q_release_entry(d, q, e);
}

static ssize_t qcow2_pwritev(struct disk *d, const struct iovec *iov,
			     int iovcnt, u64 off, bool dsync)
{
	struct qcow2 *q = d->priv;
	u64 len, done = 0;
	int ret = 0;

	if (d->readonly)
		return -EROFS;
	len = iov_length(iov, iovcnt);
	if (off > d->size || len > d->size - off)
		return -ENOSPC;
	pthread_mutex_lock(&q->lock);
	if (q->corrupt)
		ret = -EIO;
	while (!ret && done < len) {
		u64 pos = off + done;
		u64 in_off = pos & (q->cluster_size - 1);
		u64 n = MIN(len - done, q->cluster_size - in_off);

		ret = q_write_chunk(d, q, pos >> q->h.cluster_bits, in_off,
				    iov, iovcnt, done, n, NULL);
		if (ret)
			break;
		done += n;
	}
	pthread_mutex_unlock(&q->lock);
	if (!ret && dsync && fdatasync(d->fd))
		ret = -errno;
	return ret ? ret : (ssize_t)done;
}

static int qcow2_map_read(struct disk *d, u64 off, u64 len, u64 *host)
{
	struct qcow2 *q = d->priv;
	u64 pos = off, expect = 0;
	int ret = 1;

	if (off > d->size || len > d->size - off || !len)
		return 0;
	pthread_mutex_lock(&q->lock);
	while (pos < off + len) {
		u64 gcl = pos >> q->h.cluster_bits;
		u64 in_off = pos & (q->cluster_size - 1);
		u64 n = MIN(off + len - pos, q->cluster_size - in_off);
		u64 *tbl, tbl_off, e, h;

		ret = l2_get(d, q, gcl, false, &tbl, &tbl_off);
		if (ret || !tbl)
			break;
		e = be64toh(tbl[gcl % q->l2_entries]);
		h = e & QCOW2_OFFSET_MASK;
		if ((e & (QCOW2_OFLAG_COMPRESSED | QCOW2_L2E_RESERVED |
			  QCOW2_OFLAG_ZERO)) || !h ||
		    !IS_ALIGNED(h, q->cluster_size) ||
		    (pos != off && h + in_off != expect)) {
			ret = 0;
			break;
		}
		if (pos == off)
			*host = h + in_off;
		expect = h + in_off + n;
		pos += n;
		ret = 1;
	}
	pthread_mutex_unlock(&q->lock);
	return ret < 0 ? ret : ret && pos == off + len;
}

static int qcow2_flush(struct disk *d)
{
	return fdatasync(d->fd) ? -errno : 0;
}

/* Does the cluster, as it stands, read as all zeroes without I/O? */
static bool q_reads_zero(struct qcow2 *q, u64 gcl, u64 e)
{
	if (e & QCOW2_OFLAG_COMPRESSED)
		return false;
	if (e & QCOW2_OFLAG_ZERO)
		return true;
	if (e & QCOW2_OFFSET_MASK)
		return false;
	return !q->backing ||
	       (gcl << q->h.cluster_bits) >= q->backing->size;
}

static int q_zero_cluster(struct disk *d, struct qcow2 *q, u64 gcl,
			  bool unmap)
{
	u64 *tbl, tbl_off, idx = gcl % q->l2_entries, e, ne;
	int ret;

	ret = l2_get(d, q, gcl, false, &tbl, &tbl_off);
	if (ret)
		return ret;
	e = tbl ? be64toh(tbl[idx]) : 0;
	if (q_reads_zero(q, gcl, e))
		return 0;
	ret = q_check_entry(d, q, e);
	if (ret)
		return ret;
	if (q->h.version < 3) {
		if (q->backing &&
		    (gcl << q->h.cluster_bits) < q->backing->size) {
			/* Deallocating would show the backing file. */
			memset(q->cow, 0, q->cluster_size);
			return q_write_chunk(d, q, gcl, 0, NULL, 0, 0,
					     q->cluster_size, q->cow);
		}
		ne = 0;
	} else {
		ne = QCOW2_OFLAG_ZERO;
		if (!unmap && !(e & QCOW2_OFLAG_COMPRESSED) &&
		    (e & QCOW2_OFLAG_COPIED) && (e & QCOW2_OFFSET_MASK)) {
			/* Keep the allocation, mark it zero. */
			ne = e | QCOW2_OFLAG_ZERO;
			e = 0;
		}
	}
	if (!tbl) {
		ret = l2_get(d, q, gcl, true, &tbl, &tbl_off);
		if (ret)
			return ret;
	}
	ret = l2_set(d, q, tbl, tbl_off, idx, ne);
	if (ret)
		return ret;
	return q_release_entry(d, q, e);
}

static int qcow2_zero(struct disk *d, u64 off, u64 len, bool unmap)
{
	struct qcow2 *q = d->priv;
	u64 done = 0;
	int ret = 0;

	if (d->readonly)
		return -EROFS;
	if (off > d->size || len > d->size - off)
		return -ENOSPC;
	pthread_mutex_lock(&q->lock);
	if (q->corrupt)
		ret = -EIO;
	while (done < len && !ret) {
		u64 pos = off + done;
		u64 gcl = pos >> q->h.cluster_bits;
		u64 in_off = pos & (q->cluster_size - 1);
		u64 n = MIN(len - done, q->cluster_size - in_off);
		u64 *tbl, tbl_off, e;

		if (n == q->cluster_size) {
			ret = q_zero_cluster(d, q, gcl, unmap);
		} else {
			ret = l2_get(d, q, gcl, false, &tbl, &tbl_off);
			e = tbl ? be64toh(tbl[gcl % q->l2_entries]) : 0;
			if (!ret && !q_reads_zero(q, gcl, e)) {
				u8 *z = calloc(1, n);

				ret = z ? q_write_chunk(d, q, gcl, in_off,
							NULL, 0, 0, n, z) :
					  -ENOMEM;
				free(z);
			}
		}
		done += n;
	}
	pthread_mutex_unlock(&q->lock);
	return ret;
}

static void qcow2_close(struct disk *d)
{
	struct qcow2 *q = d->priv;
	unsigned int i;

	if (!q)
		return;
	if (!d->readonly && fdatasync(d->fd))
		pr_err("%s: fdatasync: %s", d->path, strerror(errno));
	for (i = 0; i < L2_CACHE_SIZE; i++)
		free(q->l2c[i].tbl);
	if (q->refblocks)
		for (i = 0; i < q->rct_entries; i++)
			free(q->refblocks[i]);
	free(q->refblocks);
	free(q->rct);
	free(q->l1);
	free(q->cow);
	free(q->cbuf);
	free(q->ccache);
	qcow2_meta_free(&q->meta);
	disk_close(q->backing);
	pthread_mutex_destroy(&q->lock);
	free(q);
	d->priv = NULL;
}

/* The snapshot table and each snapshot's L1 table into the map. */
static int q_meta_snapshots(struct disk *d, struct qcow2 *q, char *why,
			    size_t whylen)
{
	u64 cs = q->cluster_size, start = q->h.snapshots_offset, pos, len;
	u8 e[QCOW2_SNAPSHOT_ENTRY_LEN];
	u32 i;
	int ret;

	if (q->h.nb_snapshots > QCOW2_MAX_SNAPSHOTS || !start ||
	    !IS_ALIGNED(start, cs) || start >= q->host_end) {
		disk_error(why, whylen, "corrupt snapshot table offset 0x%llx",
			   (unsigned long long)start);
		return -EINVAL;
	}
	pos = start;
	for (i = 0; i < q->h.nb_snapshots; i++) {
		u64 l1off, l1len;

		if (pos - start > QCOW2_MAX_SNAPSHOT_TABLE - sizeof(e)) {
			disk_error(why, whylen, "snapshot table too large");
			return -EINVAL;
		}
		ret = q_pread(d, e, sizeof(e), pos);
		if (ret) {
			disk_error(why, whylen, "cannot read the snapshot table: %s",
				   strerror(-ret));
			return ret;
		}
		l1off = be64_at(e);
		l1len = (u64)be32_at(e + 8) * 8;
		/* fixed part, extra data, ID string, name; 8-byte aligned */
		pos += sizeof(e) + be32_at(e + 36) + ((u32)e[12] << 8 | e[13]) +
		       ((u32)e[14] << 8 | e[15]);
		pos = ALIGN_UP(pos, 8ULL);
		if (!l1len)
			continue;
		if (!IS_ALIGNED(l1off, cs) || l1len > QCOW2_MAX_L1_BYTES ||
		    l1off >= q->host_end || l1len > q->host_end - l1off) {
			disk_error(why, whylen, "snapshot %u: corrupt L1 table", i);
			return -EINVAL;
		}
		ret = qcow2_meta_add(&q->meta, l1off, ALIGN_UP(l1len, cs),
				     QCOW2_META_SNAP_L1);
		if (ret)
			return ret;
	}
	len = pos - start;
	if (len > QCOW2_MAX_SNAPSHOT_TABLE) {
		disk_error(why, whylen, "snapshot table too large");
		return -EINVAL;
	}
	if (pos > q->host_end) {
		disk_error(why, whylen,
			   "snapshot table runs past the end of the file");
		return -EINVAL;
	}
	return qcow2_meta_add(&q->meta, start, ALIGN_UP(len, cs),
			      QCOW2_META_SNAPSHOTS);
}

/*
 * Every table into the map; refuse an image whose tables overlap (or
 * whose L1 entries point anywhere but at whole clusters of the file).
 */
static int q_meta_open(struct disk *d, struct qcow2 *q, char *why,
		       size_t whylen)
{
	struct qcow2_meta_range a, b;
	u64 cs = q->cluster_size, i;
	int ret;

	why[0] = '\0';
	ret = qcow2_meta_add(&q->meta, 0, cs, QCOW2_META_HEADER);
	if (!ret)
		ret = qcow2_meta_add(&q->meta, q->h.l1_offset,
				     ALIGN_UP((u64)q->h.l1_size * 8, cs),
				     QCOW2_META_L1);
	if (!ret)
		ret = qcow2_meta_add(&q->meta, q->h.rct_offset,
				     (u64)q->h.rct_clusters * cs,
				     QCOW2_META_RCT);
	for (i = 0; !ret && i < q->rct_entries; i++)
		if (q->rct[i])
			ret = qcow2_meta_add(&q->meta, q->rct[i], cs,
					     QCOW2_META_REFBLOCK);
	for (i = 0; !ret && i < q->h.l1_size; i++) {
		u64 e = q->l1[i], off = e & QCOW2_OFFSET_MASK;
		const char *bad = NULL;

		if (e & QCOW2_L1E_RESERVED)
			bad = "has reserved bits set";
		else if (!IS_ALIGNED(off, cs))
			bad = "is not cluster-aligned";
		else if (off >= q->host_end)
			bad = "points past the end of the file";
		if (bad && (off || (e & QCOW2_L1E_RESERVED))) {
			disk_error(why, whylen, "L1 entry %llu (0x%llx) %s",
				   (unsigned long long)i,
				   (unsigned long long)e, bad);
			return -EINVAL;
		}
		if (off)
			ret = qcow2_meta_add(&q->meta, off, cs,
					     QCOW2_META_L2);
	}
	if (!ret && q->h.nb_snapshots)
		ret = q_meta_snapshots(d, q, why, whylen);
	if (ret == -ENOMEM)
		disk_error(why, whylen, "out of memory for the table map");
	else if (ret && !why[0])
		disk_error(why, whylen, "a table lies out of range");
	if (ret)
		return ret;
	ret = qcow2_meta_seal(&q->meta, &a, &b);
	if (ret) {
		disk_error(why, whylen,
			   "tables overlap: %s at 0x%llx and %s at 0x%llx",
			   qcow2_meta_name(a.kind),
			   (unsigned long long)a.start,
			   qcow2_meta_name(b.kind),
			   (unsigned long long)b.start);
		return -EINVAL;
	}
	return 0;
}

static const struct disk_ops qcow2_ops = {
	.name = "qcow2",
	.preadv = qcow2_preadv,
	.pwritev = qcow2_pwritev,
	.flush = qcow2_flush,
	.zero = qcow2_zero,
	.map_read = qcow2_map_read,
	.close = qcow2_close,
};

/*
 * The backing format header extension, if the image has one: DISK_FMT_RAW
 * or DISK_FMT_QCOW2 in *fmt (else DISK_FMT_AUTO: probe). The extensions
 * follow the header, up to the backing file name, within the first
 * cluster (hdr holds hlen bytes).
 */
static int q_backing_format(const struct qcow2 *q, const u8 *hdr, u64 hlen,
			    enum disk_format *fmt)
{
	u64 off = q->h.header_length, end = MIN(hlen, q->cluster_size);

	if (q->h.backing_offset > off)
		end = MIN(end, q->h.backing_offset);

	*fmt = DISK_FMT_AUTO;
	while (off + 8 <= end) {
		u32 type = be32_at(hdr + off), len = be32_at(hdr + off + 4);

		if (!type)
			break;
		if (len > end - off - 8)
			return -EINVAL;
		if (type == QCOW2_EXT_BACKING_FORMAT) {
			if (len == 3 && !memcmp(hdr + off + 8, "raw", 3))
				*fmt = DISK_FMT_RAW;
			else if (len == 5 && !memcmp(hdr + off + 8, "qcow2", 5))
				*fmt = DISK_FMT_QCOW2;
			else
				return -ENOTSUP;
		}
		off += 8 + ALIGN_UP((u64)len, 8);
	}
	return 0;
}

static int q_open_backing(struct disk *d, struct qcow2 *q, const u8 *hdr,
			  u64 hlen, const struct disk_open_opts *opts,
			  int depth, char *err, size_t errlen)
{
	char name[QCOW2_MAX_BACKING_NAME + 1];
	enum disk_format fmt;
	int ret;

	memcpy(name, hdr + q->h.backing_offset, q->h.backing_size);
	name[q->h.backing_size] = '\0';
	if (strlen(name) != q->h.backing_size) {
		disk_error(err, errlen, "qcow2 image '%s': corrupt backing file name",
		      d->path);
		return -EINVAL;
	}
	ret = q_backing_format(q, hdr, hlen, &fmt);
	if (ret) {
		disk_error(err, errlen, "qcow2 image '%s': %s", d->path,
			   ret == -ENOTSUP ?
			   "backing format not supported (raw or qcow2)" :
			   "corrupt header extension");
		return ret;
	}
	return disk_open_backing(&q->backing, d, name, fmt, opts, depth + 1,
				 err, errlen);
}

int disk_qcow2_open(struct disk *d, const struct disk_open_opts *opts,
		    int depth, char *err, size_t errlen)
{
	struct qcow2 *q;
	struct stat st;
	u8 *hdr;
	u64 i, hlen, cs;
	char why[160];
	int ret;

	if (fstat(d->fd, &st))
		return -errno;
	if (d->direct) {
		disk_error(err, errlen, "'%s': direct is not supported on qcow2",
		      d->path);
		return -EINVAL;
	}
	hlen = MIN((u64)st.st_size, 1ULL << 21);
	hdr = malloc(hlen ? hlen : 1);
	if (!hdr)
		return -ENOMEM;
	q = calloc(1, sizeof(*q));
	if (!q) {
		free(hdr);
		return -ENOMEM;
	}
	pthread_mutex_init(&q->lock, NULL);
	d->priv = q;
	d->ops = &qcow2_ops;
	ret = q_pread(d, hdr, hlen, 0);
	if (!ret)
		ret = qcow2_parse_header(hdr, hlen, st.st_size, &q->h, why,
					 sizeof(why));
	if (ret) {
		disk_error(err, errlen, "qcow2 image '%s': %s", d->path,
		      ret == -EIO ? "cannot read header" : why);
		goto fail;
	}
	if (q->h.nb_snapshots && !d->readonly) {
		disk_error(err, errlen,
		      "qcow2 image '%s' has internal snapshots: only read-only use is supported",
		      d->path);
		ret = -ENOTSUP;
		goto fail;
	}
	if (!d->readonly && q->h.refcount_order < 3) {
		disk_error(err, errlen,
		      "qcow2 image '%s': refcount width %u is only supported read-only",
		      d->path, 1U << q->h.refcount_order);
		ret = -ENOTSUP;
		goto fail;
	}
	cs = q->cluster_size = 1ULL << q->h.cluster_bits;
	q->l2_entries = cs / 8;
	q->csize_shift = 62 - (q->h.cluster_bits - 8);
	q->rc_bytes = q->h.refcount_order >= 3 ?
		      1U << (q->h.refcount_order - 3) : 1;
	q->rb_entries = (cs * 8) >> q->h.refcount_order;
	q->rct_entries = ((u64)q->h.rct_clusters * cs) / 8;
	q->cow = malloc(cs);
	q->ccache = malloc(cs);
	q->cbuf = malloc(2 * cs);
	q->l1 = calloc(q->h.l1_size ? q->h.l1_size : 1, 8);
	q->rct = calloc(q->rct_entries, 8);
	q->refblocks = calloc(q->rct_entries, sizeof(*q->refblocks));
	if (!q->cow || !q->ccache || !q->cbuf || !q->l1 || !q->rct ||
	    !q->refblocks) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = q_pread(d, q->l1, (u64)q->h.l1_size * 8, q->h.l1_offset);
	if (!ret)
		ret = q_pread(d, q->rct, q->rct_entries * 8, q->h.rct_offset);
	if (ret) {
		disk_error(err, errlen, "qcow2 image '%s': cannot read tables: %s",
		      d->path, strerror(-ret));
		goto fail;
	}
	for (i = 0; i < q->h.l1_size; i++)
		q->l1[i] = be64toh(q->l1[i]);
	for (i = 0; i < q->rct_entries; i++) {
		q->rct[i] = be64toh(q->rct[i]);
		if ((q->rct[i] & QCOW2_RCT_RESERVED) ||
		    (q->rct[i] && q->rct[i] > (u64)st.st_size - cs)) {
			disk_error(err, errlen,
			      "qcow2 image '%s': corrupt refcount table entry %llu",
			      d->path, (unsigned long long)i);
			ret = -EINVAL;
			goto fail;
		}
		if (!IS_ALIGNED(q->rct[i], cs)) {
			disk_error(err, errlen,
			      "qcow2 image '%s': refcount table entry %llu (0x%llx) is not cluster-aligned",
			      d->path, (unsigned long long)i,
			      (unsigned long long)q->rct[i]);
			ret = -EINVAL;
			goto fail;
		}
	}
	q->host_end = ALIGN_UP((u64)st.st_size, cs);
	ret = q_meta_open(d, q, why, sizeof(why));
	if (ret) {
		disk_error(err, errlen, "qcow2 image '%s': %s", d->path, why);
		goto fail;
	}
	if (q->h.backing_offset) {
		ret = q_open_backing(d, q, hdr, hlen, opts, depth, err,
				     errlen);
		if (ret)
			goto fail;
	}
	if (!d->readonly && q->h.version >= 3 && q->h.autoclear) {
		/* Bitmaps and the like: we do not keep them up to date. */
		u64 zero = 0;

		ret = q_meta_write(d, q, &zero, 8, 88, QCOW2_META_HEADER);
		if (ret)
			goto fail;
		q->h.autoclear = 0;
	}
	d->size = ALIGN_DOWN(q->h.size, (u64)DISK_SECTOR);
	d->format = DISK_FMT_QCOW2;
	d->linear = false;
	d->discard_granularity = cs;
	free(hdr);
	return 0;
fail:
	free(hdr);
	qcow2_close(d);
	d->ops = NULL;
	return ret;
}
