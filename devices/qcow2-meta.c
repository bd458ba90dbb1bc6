// SPDX-License-Identifier: GPL-2.0
/*
 * The qcow2 metadata map: which byte ranges of an image file hold the
 * header, the L1 table, L2 tables, the refcount table, refcount blocks
 * and the snapshot table (and snapshots' L1 tables), so that disk-qcow2.c
 * can refuse an image whose tables overlap and check every write against
 * it. A sorted array of disjoint ranges: lookups are a binary search;
 * insertions (a new L2 table or refcount block) and removals (a refcount
 * table replaced by a larger one) move the tail, which is rare.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qcow2.h"

const char *qcow2_meta_name(enum qcow2_meta_kind kind)
{
	switch (kind) {
	case QCOW2_META_HEADER:
		return "the header";
	case QCOW2_META_L1:
		return "the L1 table";
	case QCOW2_META_L2:
		return "an L2 table";
	case QCOW2_META_RCT:
		return "the refcount table";
	case QCOW2_META_REFBLOCK:
		return "a refcount block";
	case QCOW2_META_SNAPSHOTS:
		return "the snapshot table";
	case QCOW2_META_SNAP_L1:
		return "a snapshot L1 table";
	}
	return "metadata";
}

/* Room for k more ranges. */
static int meta_room(struct qcow2_meta *m, size_t k)
{
	struct qcow2_meta_range *r;
	size_t cap;

	if (k <= m->cap - m->n)
		return 0;
	cap = m->cap ? 2 * m->cap : 16;
	while (cap - m->n < k) {
		if (cap > SIZE_MAX / 2 / sizeof(*r))
			return -ENOMEM;
		cap *= 2;
	}
	r = realloc(m->r, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	m->r = r;
	m->cap = cap;
	return 0;
}

static int meta_grow(struct qcow2_meta *m)
{
	return meta_room(m, 1);
}

int qcow2_meta_add(struct qcow2_meta *m, u64 start, u64 len,
		   enum qcow2_meta_kind kind)
{
	int ret;

	if (!len)
		return 0;
	if (start + len < start)
		return -EINVAL;
	ret = meta_grow(m);
	if (ret)
		return ret;
	m->r[m->n].start = start;
	m->r[m->n].end = start + len;
	m->r[m->n].kind = kind;
	m->n++;
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct qcow2_meta_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

int qcow2_meta_seal(struct qcow2_meta *m, struct qcow2_meta_range *a,
		    struct qcow2_meta_range *b)
{
	size_t i, far = 0;

	if (m->n)
		qsort(m->r, m->n, sizeof(*m->r), range_cmp);
	/* far: the range reaching furthest among those seen so far. */
	for (i = 1; i < m->n; i++) {
		if (m->r[i].start < m->r[far].end) {
			*a = m->r[far];
			*b = m->r[i];
			return -EEXIST;
		}
		if (m->r[i].end > m->r[far].end)
			far = i;
	}
	m->sealed = true;
	return 0;
}

/* Index of the first range ending after off (m->n if none). */
static size_t meta_search(const struct qcow2_meta *m, u64 off)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->r[mid].end > off)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

const struct qcow2_meta_range *qcow2_meta_find(const struct qcow2_meta *m,
					       u64 off, u64 len)
{
	size_t i;

	if (!len)
		return NULL;
	i = meta_search(m, off);
	if (i == m->n)
		return NULL;
	/* [off, off + len) wrapping the address space overlaps the rest. */
	if (off + len < off || m->r[i].start < off + len)
		return &m->r[i];
	return NULL;
}

int qcow2_meta_reserve(struct qcow2_meta *m)
{
	return meta_grow(m);
}

int qcow2_meta_reserve_n(struct qcow2_meta *m, size_t k)
{
	return meta_room(m, k);
}

int qcow2_meta_insert(struct qcow2_meta *m, u64 start, u64 len,
		      enum qcow2_meta_kind kind)
{
	size_t i;
	int ret;

	if (!m->sealed)
		return -EINVAL;
	if (!len || start + len < start)
		return -EINVAL;
	if (qcow2_meta_find(m, start, len))
		return -EEXIST;
	ret = meta_grow(m);
	if (ret)
		return ret;
	i = meta_search(m, start);
	memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(*m->r));
	m->r[i].start = start;
	m->r[i].end = start + len;
	m->r[i].kind = kind;
	m->n++;
	return 0;
}

int qcow2_meta_remove(struct qcow2_meta *m, u64 start, u64 len,
		      enum qcow2_meta_kind kind)
{
	size_t i = meta_search(m, start);

	if (i == m->n || m->r[i].start != start ||
	    m->r[i].end - start != len || m->r[i].kind != kind)
		return -ENOENT;
	memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(*m->r));
	m->n--;
	return 0;
}

void qcow2_meta_free(struct qcow2_meta *m)
{
	free(m->r);
	memset(m, 0, sizeof(*m));
}
