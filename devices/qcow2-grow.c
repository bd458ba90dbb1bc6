// SPDX-License-Identifier: GPL-2.0
/*
 * The qcow2 refcount table grows when allocation reaches the first
 * cluster it does not cover (a 512-byte-cluster image with 16-bit
 * refcounts whose table is one cluster covers 8 MiB of file).
 *
 * The new table, at least twice the old one's size, and the refcount
 * blocks that count it and themselves go at that cluster, one run
 * [table][blocks] (nothing in use lies past what the old table covers:
 * the check at open refuses a cluster in use without a refcount). In an
 * order that a crash at any point leaves consistent:
 *   1. the run written (the old entries copied, entries for the new
 *      blocks), sync: until the header names it, it is unused clusters
 *      past the old table's reach (no refcount, no reference: not even a
 *      leak);
 *   2. the header's refcount_table_offset and refcount_table_clusters
 *      (offsets 48 to 59, one sector: written at once), sync: now the new
 *      table counts everything, the old one is a leaked cluster run;
 *   3. the old table's clusters freed (their refcounts dropped).
 * A failure before 2 leaves the old table in use; a failed sync after the
 * header write leaves the new one in use (the page cache holds that
 * header): the header is written again for the next sync, as after every
 * failed sync (qcow2_sync_lost(): a second failure may drop the first
 * rewrite), and the old table leaks.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qcow2-internal.h"
#include "unaligned.h"

/* Refcount blocks that count [s, s + t + the blocks themselves). */
static u64 grow_blocks(const struct qcow2 *q, u64 s, u64 t)
{
	u64 b = 0, need;

	for (;;) {
		need = (s + t + b - 1) / q->rb_entries - s / q->rb_entries + 1;
		if (need <= b)
			return b;
		b = need;
	}
}

/*
 * The new table's clusters (*t) and blocks (*b) for a run at cluster s:
 * -ENOSPC past the limits (q->rct_max: QCOW2_MAX_RCT_BYTES, the offset
 * mask).
 */
static int grow_size(const struct qcow2 *q, u64 s, u64 *t, u64 *b)
{
	u64 max_t = q->rct_max >> q->h.cluster_bits;
	u64 per = q->cluster_size / 8;

	*t = q->h.rct_clusters;
	do {
		if (*t >= max_t)
			return -ENOSPC;
		*t = MIN(2 * *t, max_t);
		*b = grow_blocks(q, s, *t);
	} while ((s + *t + *b - 1) / q->rb_entries >= *t * per);
	if (s + *t + *b > (QCOW2_OFFSET_MASK >> q->h.cluster_bits))
		return -ENOSPC;
	return 0;
}

/* The header's two refcount table fields, as q->h has them. */
int qcow2_write_rct_header(struct disk *d, struct qcow2 *q)
{
	u8 f[12];

	put_be64(f, q->h.rct_offset);
	put_be32(f + 8, q->h.rct_clusters);
	return qcow2_write_meta(d, q, f, sizeof(f), 48, QCOW2_META_HEADER);
}

struct grow {
	u64 s, t, b;		/* run start, table and block clusters */
	u64 n;			/* entries of the new table */
	u8 *run;		/* its contents */
	u64 *rct;		/* the new table, host byte order */
	u8 **blocks;		/* cached refcount blocks, by table index */
};

static void grow_free(struct grow *g)
{
	free(g->run);
	free(g->rct);
	free(g->blocks);
}

/* The run's contents, the new table and its cached blocks in memory. */
static int grow_build(struct qcow2 *q, struct grow *g)
{
	u64 cs = q->cluster_size, rbe = q->rb_entries, end = g->s + g->t + g->b;
	u64 first = g->s / rbe, i, c;
	u8 *blk;

	g->run = calloc(g->t + g->b, cs);
	g->rct = calloc(g->n, 8);
	g->blocks = calloc(g->n, sizeof(*g->blocks));
	if (!g->run || !g->rct || !g->blocks)
		return -ENOMEM;
	memcpy(g->rct, q->rct, q->rct_entries * 8);
	for (i = 0; i < g->b; i++) {
		blk = g->run + (g->t + i) * cs;
		for (c = MAX(g->s, (first + i) * rbe);
		     c < MIN(end, (first + i + 1) * rbe); c++)
			qcow2_rc_put(q, blk, c - (first + i) * rbe, 1);
		g->rct[first + i] = (g->s + g->t + i) << q->h.cluster_bits;
	}
	for (i = 0; i < g->n; i++)
		put_be64(g->run + 8 * i, g->rct[i]);
	return 0;
}

/* The run's ranges into the map (room reserved: cannot fail). */
static void grow_map(struct qcow2 *q, const struct grow *g, bool add)
{
	u64 cs = q->cluster_size, i, off = g->s << q->h.cluster_bits;

	if (add)
		qcow2_meta_insert(&q->meta, off, g->t * cs, QCOW2_META_RCT);
	else
		qcow2_meta_remove(&q->meta, off, g->t * cs, QCOW2_META_RCT);
	for (i = 0; i < g->b; i++) {
		u64 o = off + (g->t + i) * cs;

		if (add)
			qcow2_meta_insert(&q->meta, o, cs, QCOW2_META_REFBLOCK);
		else
			qcow2_meta_remove(&q->meta, o, cs, QCOW2_META_REFBLOCK);
	}
}

int qcow2_rct_grow(struct disk *d, struct qcow2 *q, u64 s)
{
	u64 cs = q->cluster_size, old_off = q->h.rct_offset, i;
	u64 old_len = (u64)q->h.rct_clusters * cs, old_end = q->host_end;
	u64 first = s / q->rb_entries;
	struct grow g = { .s = s };
	int ret;

	ret = grow_size(q, s, &g.t, &g.b);
	if (ret)
		return ret;
	g.n = g.t * (cs / 8);
	ret = grow_build(q, &g);
	if (!ret)
		ret = qcow2_meta_reserve_n(&q->meta, g.b + 1);
	/* The cached blocks, for after the switch. */
	for (i = 0; !ret && i < g.b; i++) {
		g.blocks[first + i] = malloc(cs);
		if (!g.blocks[first + i])
			ret = -ENOMEM;
		else
			memcpy(g.blocks[first + i],
			       g.run + (g.t + i) * cs, cs);
	}
	if (ret)
		goto fail;
	/* 1: the run, stable before the header names it. */
	q->host_end = MAX(q->host_end, (s + g.t + g.b) << q->h.cluster_bits);
	ret = qcow2_write_clear(d, q, g.run, (g.t + g.b) * cs,
				s << q->h.cluster_bits);
	if (!ret)
		ret = qcow2_barrier(d, q);
	if (ret)
		goto fail;
	grow_map(q, &g, true);
	/* 2: the header. */
	q->h.rct_offset = s << q->h.cluster_bits;
	q->h.rct_clusters = g.t;
	ret = qcow2_write_rct_header(d, q);
	if (ret) {
		q->h.rct_offset = old_off;
		q->h.rct_clusters = old_len / cs;
		grow_map(q, &g, false);
		goto fail;
	}
	/* The page cache has the new header: the new table is in use. */
	for (i = 0; i < q->rct_entries; i++)
		g.blocks[i] = q->refblocks[i];
	free(q->refblocks);
	free(q->rct);
	q->refblocks = g.blocks;
	q->rct = g.rct;
	q->rct_entries = g.n;
	g.blocks = NULL;
	g.rct = NULL;
	free(g.run);
	qcow2_meta_remove(&q->meta, old_off, old_len, QCOW2_META_RCT);
	/*
	 * A failure here leaves the new table in use: the barrier's
	 * qcow2_sync_lost() has written the header again (and does at each
	 * later failure), the old table leaks.
	 */
	ret = qcow2_barrier(d, q);
	if (ret)
		return ret;
	/* 3: nothing names the old table any more. */
	return qcow2_free_range(d, q, old_off, old_len);
fail:
	q->host_end = old_end;
	if (g.blocks)
		for (i = 0; i < g.b; i++)
			free(g.blocks[first + i]);
	grow_free(&g);
	return ret;
}
