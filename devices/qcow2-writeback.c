// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 L2 entry updates held in memory (the cached tables, marked dirty)
 * and written by a commit, in the order include/qcow2-internal.h gives:
 * what the new entries name is synced first, the entries are written and
 * synced, and only then are the clusters of the entries they replaced
 * freed.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>

#include "qcow2-internal.h"

/* Release what an old L2 entry pointed to (no entry names it any more). */
static int wb_release(struct disk *d, struct qcow2 *q, u64 e)
{
	if (e & QCOW2_OFLAG_COMPRESSED) {
		u32 x = q->csize_shift;
		u64 off = e & ((1ULL << x) - 1);
		u64 nsec = ((e & ~QCOW2_OFLAG_COMPRESSED &
			     ~QCOW2_OFLAG_COPIED) >> x) + 1;

		if (q->ccache_entry == e)
			q->ccache_entry = 0;
		return qcow2_free_range(d, q, off & ~511ULL, nsec * 512);
	}
	if (e & QCOW2_OFFSET_MASK)
		return qcow2_free_range(d, q, e & QCOW2_OFFSET_MASK, 1);
	return 0;
}

static bool wb_names_clusters(u64 e)
{
	return e & (QCOW2_OFLAG_COMPRESSED | QCOW2_OFFSET_MASK);
}

static bool wb_is_dirty(const struct l2_cache_entry *c, u64 idx)
{
	return c->dirty[idx / 8] & (1U << (idx % 8));
}

int qcow2_l2_update(struct disk *d, struct qcow2 *q, u64 *tbl, u64 idx,
		    u64 e, u64 old)
{
	struct l2_cache_entry *c = NULL;
	bool dirty, frees = wb_names_clusters(old);
	unsigned int i;
	int ret;

	for (i = 0; i < L2_CACHE_SIZE && !c; i++)
		if (q->l2c[i].tbl == tbl && q->l2c[i].off)
			c = &q->l2c[i];
	if (!c)
		return qcow2_corrupt(d, "L2 table not cached for entry", idx);
	dirty = wb_is_dirty(c, idx);
	if ((!dirty && q->nlinks >= q->defer_max) ||
	    (frees && q->nfrees >= q->defer_max)) {
		/* Cleans every table: tbl stays cached, idx is clean. */
		ret = qcow2_commit(d, q);
		if (ret)
			return ret;	/* what e names leaks */
		dirty = false;
	}
	if (!dirty) {
		struct qcow2_link *l = &q->links[q->nlinks++];

		l->slot = c - q->l2c;
		l->idx = idx;
		l->disk_e = tbl[idx];
		c->dirty[idx / 8] |= 1U << (idx % 8);
		c->dlo = c->ndirty ? MIN(c->dlo, (u32)idx) : idx;
		c->dhi = c->ndirty ? MAX(c->dhi, (u32)idx) : idx;
		c->ndirty++;
	}
	tbl[idx] = htobe64(e);
	if (frees)
		q->frees[q->nfrees++] = old;
	return 0;
}

/* Every table clean again; with undo, unwritten entries as in the file. */
static void wb_clean(struct qcow2 *q, bool undo)
{
	unsigned int i;

	for (i = 0; i < q->nlinks; i++) {
		struct qcow2_link *l = &q->links[i];
		struct l2_cache_entry *c = &q->l2c[l->slot];

		if (undo && c->ndirty)
			c->tbl[l->idx] = l->disk_e;
		c->dirty[l->idx / 8] &= ~(1U << (l->idx % 8));
	}
	for (i = 0; i < L2_CACHE_SIZE; i++)
		q->l2c[i].ndirty = 0;
	q->nlinks = 0;
}

/*
 * The dirty entries of one cached table, WB_PIECE entries at a time
 * (pieces without one are skipped): each write stays an entry update, a
 * few hundred bytes. The clean entries in a piece are the file's bytes.
 */
#define WB_PIECE 32

static int wb_write_table(struct disk *d, struct qcow2 *q,
			  struct l2_cache_entry *c)
{
	u32 p;
	int ret;

	for (p = c->dlo / WB_PIECE; p <= c->dhi / WB_PIECE; p++) {
		const u8 *bits = c->dirty + p * (WB_PIECE / 8);
		u32 k, first = p * WB_PIECE;

		for (k = 0; k < WB_PIECE / 8 && !bits[k]; k++)
			;
		if (k == WB_PIECE / 8)
			continue;
		ret = qcow2_write_meta(d, q, &c->tbl[first], WB_PIECE * 8,
				       c->off + (u64)first * 8, QCOW2_META_L2);
		if (ret)
			return ret;
	}
	return 0;
}

/* n host-order entries of tbl to the table of kind at off, again. */
static void wb_rewrite(struct disk *d, struct qcow2 *q, const u64 *tbl,
		       u64 n, u64 off, enum qcow2_meta_kind kind)
{
	u64 per = q->cluster_size / 8, i, k;
	u64 *b = malloc(q->cluster_size);

	for (i = 0; b && i < n; i += per) {
		u64 m = MIN(per, n - i);

		for (k = 0; k < m; k++)
			b[k] = htobe64(tbl[i + k]);
		if (qcow2_write_meta(d, q, b, m * 8, off + i * 8, kind))
			break;
	}
	free(b);
}

/*
 * Has a sync of the file failed since a barrier last looked? The kernel
 * dropped the dirty pages then: perhaps what a dirty entry names (its
 * cluster's refcount and contents), written before, though a later sync
 * succeeds. A failed barrier, a failed write of entries in a commit or a
 * sync outside the lock (a flush, a write-through write in place) counts:
 * each counts itself in q->sync_errors (qcow2_sync_error()). Called at
 * every barrier (after those outside the lock are waited out) and when a
 * commit fails: no entry is written then. Each failure is seen once, and
 * each brings its own rewrite: what one failure's rewrite wrote, the next
 * failure may drop.
 */
bool qcow2_sync_lost(struct disk *d, struct qcow2 *q)
{
	unsigned int n = __atomic_load_n(&q->sync_errors, __ATOMIC_ACQUIRE);

	if (n == q->sync_errors_seen)
		return false;
	q->sync_errors_seen = n;
	/* What the entries name may be lost: back to the file's. */
	wb_clean(q, true);
	q->nfrees = 0;	/* still named: kept */
	/*
	 * The L1 and refcount table entries of new tables are written
	 * unsynced, and later entries depend on them (a refcount block the
	 * file's table does not name counts nothing); so does the header's
	 * switch to a larger refcount table (qcow2-grow.c: allocations past
	 * the old table's reach are counted in the new one only). Write the
	 * three again, for the next barrier. Best effort: a write that
	 * fails here fails that barrier too.
	 */
	qcow2_write_rct_header(d, q);
	wb_rewrite(d, q, q->rct, q->rct_entries, q->h.rct_offset,
		   QCOW2_META_RCT);
	wb_rewrite(d, q, q->l1, q->h.l1_size, q->h.l1_offset, QCOW2_META_L1);
	return true;
}

int qcow2_commit(struct disk *d, struct qcow2 *q)
{
	struct l2_cache_entry *evict = NULL;
	unsigned int i, nf;
	int ret = 0;

	if (q->nlinks) {
		/*
		 * What the entries name (contents, refcounts) first; if
		 * that or an earlier sync failed, the entries are undone.
		 */
		ret = qcow2_barrier(d, q);
		for (i = 0; !ret && i < L2_CACHE_SIZE; i++) {
			struct l2_cache_entry *c = &q->l2c[i];

			if (!c->ndirty)
				continue;
			ret = wb_write_table(d, q, c);
			if (!ret)
				c->ndirty = 0;
			else
				evict = c;
		}
		/*
		 * Not written: back to what the file holds, the writes
		 * that were acknowledged are lost, and every flush says so.
		 */
		wb_clean(q, ret);
		/*
		 * The table whose piece failed holds new entries in the
		 * pieces before it, perhaps part of that piece (a short
		 * write), old ones after: it leaves the cache, and is read
		 * again from the file when next needed.
		 */
		if (evict) {
			evict->off = 0;
			evict->used = 0;
		}
		if (ret) {
			q->nfrees = 0;	/* still named: kept */
			ret = qcow2_sync_error(d, q, ret);
			/* Every entry that failure may concern is undone. */
			qcow2_sync_lost(d, q);
			return ret;
		}
	}
	/*
	 * The entries (and anything else written) durable, or else (this
	 * sync or one outside the lock failed) the frees dropped ...
	 */
	ret = qcow2_barrier(d, q);
	nf = q->nfrees;
	q->nfrees = 0;
	if (ret)
		return ret;	/* the old clusters leak */
	/* ... and the reads mapped before them done (on the ring) ... */
	if (nf)
		qcow2_wait_none(q, &q->mapped_reads);
	/* ... before their old clusters' refcounts drop. */
	for (i = 0; !ret && i < nf; i++)
		ret = wb_release(d, q, q->frees[i]);
	return ret;
}
