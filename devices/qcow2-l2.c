// SPDX-License-Identifier: GPL-2.0
/* qcow2 L2 tables: the cache, lookup, allocation, entry updates. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qcow2-internal.h"

/*
 * A cache slot for a table not cached: the least recently used of the
 * clean ones. If every one has dirty entries, they are committed first
 * (a failed commit leaves them clean too, its error kept for the flushes),
 * unless q->no_commit (map_read on the I/O thread, which must not sync):
 * then NULL.
 */
static struct l2_cache_entry *l2_victim(struct disk *d, struct qcow2 *q)
{
	struct l2_cache_entry *victim = NULL;
	unsigned int i;

	for (i = 0; i < L2_CACHE_SIZE; i++) {
		struct l2_cache_entry *c = &q->l2c[i];

		if (!c->ndirty && (!victim || c->used < victim->used))
			victim = c;
	}
	if (victim || q->no_commit)
		return victim;
	qcow2_commit(d, q);
	return l2_victim(d, q);
}

static int l2_load(struct disk *d, struct qcow2 *q, u64 off, u64 **tbl)
{
	struct l2_cache_entry *victim;
	unsigned int i;
	int ret;

	for (i = 0; i < L2_CACHE_SIZE; i++) {
		struct l2_cache_entry *c = &q->l2c[i];

		if (c->off == off) {
			c->used = ++q->l2c_clock;
			*tbl = c->tbl;
			return 0;
		}
	}
	victim = l2_victim(d, q);
	if (!victim)
		return -EAGAIN;
	if (!victim->tbl) {
		victim->tbl = malloc(q->cluster_size);
		victim->dirty = calloc(1, q->l2_entries / 8);
		if (!victim->tbl || !victim->dirty) {
			free(victim->tbl);
			free(victim->dirty);
			victim->tbl = NULL;
			victim->dirty = NULL;
			return -ENOMEM;
		}
	}
	victim->off = 0;
	ret = qcow2_pread(d, victim->tbl, q->cluster_size, off);
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
int qcow2_l2_get(struct disk *d, struct qcow2 *q, u64 gcl, bool alloc,
		 u64 **tbl, u64 *tbl_off)
{
	u64 l1i = gcl / q->l2_entries, e, off, be;
	int ret;

	*tbl = NULL;
	if (l1i >= q->h.l1_size)
		return qcow2_corrupt(d, "guest cluster beyond L1", gcl);
	e = q->l1[l1i];
	if (e & QCOW2_L1E_RESERVED)
		return qcow2_corrupt(d, "L1 entry", e);
	off = e & QCOW2_OFFSET_MASK;
	if (off && !IS_ALIGNED(off, q->cluster_size))
		return qcow2_corrupt(d, "L1 entry", e);
	if (!off) {
		if (!alloc)
			return 0;
		ret = qcow2_alloc(d, q, &off);
		if (!ret)
			ret = qcow2_meta_reserve(&q->meta);
		if (ret)
			return ret;
		memset(q->cow, 0, q->cluster_size);
		ret = qcow2_write_clear(d, q, q->cow, q->cluster_size, off);
		/* Its refcount and zeroes stable before L1 points at it. */
		if (!ret)
			ret = qcow2_barrier(d, q);
		if (ret)
			return ret;
		e = off | QCOW2_OFLAG_COPIED;
		be = htobe64(e);
		ret = qcow2_write_meta(d, q, &be, 8, q->h.l1_offset + l1i * 8,
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
