// SPDX-License-Identifier: GPL-2.0
/* qcow2 refcounts: lookup, update, cluster allocation and free. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qcow2-internal.h"
#include "unaligned.h"

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
		return get_be32(blk + 4 * i);
	default:
		return get_be64(blk + 8 * i);
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
	ret = qcow2_pread(d, q->refblocks[ri], q->cluster_size, off);
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
		return qcow2_corrupt(d, "refcount of unmapped cluster", cl);
	if (q->h.refcount_order < 6 && v >> (1U << q->h.refcount_order))
		return -ERANGE;
	rc_set_raw(q, blk, i, v);
	rc_entry_span(q, i, &s, &n);
	return qcow2_write_meta(d, q, blk + s, n, q->rct[ri] + s,
				QCOW2_META_REFBLOCK);
}

/*
 * The first cluster from cl, below lim (both in the range of the loaded
 * refcount block blk), whose refcount is 0; lim if none. Most of an
 * image is in use: after a free near its start, the next allocations
 * walk all of it up to the end, under the image lock, so this loop does
 * only the refcount reads (a quarter of the time of the full check).
 */
static u64 rc_skip_used(struct qcow2 *q, const u8 *blk, u64 cl, u64 lim)
{
	u64 base = cl - cl % q->rb_entries;

	while (cl < lim && rc_get_raw(q, blk, cl - base))
		cl++;
	return cl;
}

/*
 * Find a free cluster and give it refcount 1. A refcount block that does
 * not exist yet is created in the first free cluster of its own range;
 * past the refcount table's reach, the table grows (qcow2-grow.c).
 */
int qcow2_alloc(struct disk *d, struct qcow2 *q, u64 *out)
{
	u64 cl = MAX(q->free_hint, 1ULL);	/* cluster 0: the header */
	int ret;

	if (q->corrupt)
		return -EIO;
	for (;; cl++) {
		u64 ri = cl / q->rb_entries, rc, be, lim;
		u64 off = cl << q->h.cluster_bits, old_end = q->host_end;
		const struct qcow2_meta_range *meta;
		u8 *blk;

		if (cl >= (QCOW2_OFFSET_MASK >> q->h.cluster_bits))
			return -ENOSPC;
		/* Past the table's reach: a larger one, counting cl. */
		if (ri >= q->rct_entries) {
			ret = qcow2_rct_grow(d, q, cl);
			if (ret)
				return ret;
			/* Again from the old table's clusters, now free. */
			cl = MIN(cl, q->free_hint) - 1;
			continue;
		}
		/*
		 * Clusters in use below the known end of the file: skipped
		 * here as below (a used one past it is corruption, found
		 * below).
		 */
		lim = MIN((ri + 1) * q->rb_entries,
			  q->host_end >> q->h.cluster_bits);
		if (q->rct[ri] && cl < lim) {
			ret = rc_block(d, q, ri, &blk);
			if (ret)
				return ret;
			cl = rc_skip_used(q, blk, cl, lim);
			if (cl == lim) {
				cl--;	/* the loop's cl++ makes it lim */
				continue;
			}
			off = cl << q->h.cluster_bits;
		}
		/* A table is never free, whatever its refcount says. */
		meta = qcow2_meta_find(&q->meta, off, q->cluster_size);
		if (!q->rct[ri]) {
			if (meta)
				return qcow2_set_corrupt(d, q,
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
			ret = qcow2_write_clear(d, q, blk, q->cluster_size, off);
			/* The block stable before the table points at it. */
			if (!ret)
				ret = qcow2_barrier(d, q);
			if (!ret) {
				be = htobe64(off);
				ret = qcow2_write_meta(d, q, &be, 8,
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
			return qcow2_corrupt(d, "refcount beyond the end of file",
					     cl);
		if (rc)
			continue;
		if (meta)
			return qcow2_set_corrupt(d, q,
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
int qcow2_free_range(struct disk *d, struct qcow2 *q, u64 off, u64 len)
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
			return qcow2_corrupt(d, "freeing a free cluster", cl);
		ret = rc_set(d, q, cl, rc - 1);
		if (ret)
			return ret;
		if (rc == 1 && cl < q->free_hint)
			q->free_hint = cl;
	}
	return 0;
}

u64 qcow2_rc_entry(struct qcow2 *q, const u8 *blk, u64 i)
{
	return rc_get_raw(q, blk, i);
}

void qcow2_rc_put(struct qcow2 *q, u8 *blk, u64 i, u64 v)
{
	rc_set_raw(q, blk, i, v);
}
