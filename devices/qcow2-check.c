// SPDX-License-Identifier: GPL-2.0
/*
 * The reference check at a read-write open of a qcow2 image: every
 * cluster the image uses (header, L1 table, refcount table and blocks,
 * L2 tables, guest data, compressed data) has a refcount, and no two
 * users share a cluster (except compressed clusters, packed together,
 * whose refcount must then count each of them). Else the allocator, which
 * trusts refcounts, could hand a used cluster out again, or a write in
 * place could land in another guest cluster: one guest cluster's data
 * showing in another. Such an image is refused read-write; it opens
 * read-only, and qemu-img check -r all repairs it.
 *
 * Where compressed data shares a cluster, its refcount must count every
 * guest cluster that uses it (freeing one would free the others' data):
 * a second walk of the L2 tables counts those.
 *
 * Cost: one read of each L2 table and each refcount block (for a 64 GiB
 * image with 64 KiB clusters, 128 L2 tables and 32 refcount blocks:
 * 10 MiB; the L2 tables twice if compressed data shares clusters), at
 * most QCOW2_CHECK_MAX_READ bytes of them, counted before any is read
 * (an L1 table may name millions of L2 tables in a sparse file: hours of
 * reading; such an image is refused read-write), and 2 bits per cluster
 * of the file, at most QCOW2_CHECK_MAX_MAP bytes (a bigger file is
 * refused read-write), plus 4 bytes per reference to a shared cluster,
 * at most QCOW2_CHECK_MAX_SHARED of them.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qcow2-internal.h"

/* What uses a cluster, 2 bits each. */
enum {
	USE_NONE,
	USE_ONE,	/* a table or guest data: nothing else may */
	USE_COMP,	/* compressed data, once */
	USE_COMPS,	/* compressed data, more than once */
};

struct refmap {
	u8 *bits;
	u64 ncl;		/* at most 2^28: a u32 holds a cluster index */
	bool counting;		/* the second walk */
	bool any_shared;	/* a cluster is USE_COMPS */
	u32 *shared;		/* USE_COMPS clusters, once per reference */
	size_t nshared, cap, pos;
	char *why;
	size_t whylen;
};

static unsigned int use_get(const struct refmap *m, u64 cl)
{
	return (m->bits[cl / 4] >> (cl % 4 * 2)) & 3;
}

static void use_set(struct refmap *m, u64 cl, unsigned int v)
{
	u8 shift = cl % 4 * 2;

	m->bits[cl / 4] = (m->bits[cl / 4] & ~(3U << shift)) | v << shift;
}

/* [off, off + len) is a table: its clusters used once. */
static void use_table(struct refmap *m, struct qcow2 *q, u64 off, u64 len)
{
	u64 cl = off >> q->h.cluster_bits;
	u64 end = (off + len + q->cluster_size - 1) >> q->h.cluster_bits;

	/* Tables lie inside the file and apart (q_meta_open()). */
	for (; cl < end && cl < m->ncl; cl++)
		use_set(m, cl, USE_ONE);
}

/* [*off, *end): the sectors compressed L2 entry e names. */
static void comp_span(struct qcow2 *q, u64 e, u64 *off, u64 *end)
{
	u32 x = q->csize_shift;
	u64 nsec = ((e & ~QCOW2_OFLAG_COMPRESSED & ~QCOW2_OFLAG_COPIED) >> x) +
		   1;

	*off = (e & ((1ULL << x) - 1)) & ~511ULL;
	*end = *off + nsec * 512;
}

/* The second walk: each reference to a cluster compressed data shares. */
static int count_shared(struct refmap *m, struct qcow2 *q, u64 e)
{
	u64 off, end, cl;

	if (!(e & QCOW2_OFLAG_COMPRESSED))
		return 0;
	comp_span(q, e, &off, &end);
	for (cl = off >> q->h.cluster_bits; (cl << q->h.cluster_bits) < end;
	     cl++) {
		if (use_get(m, cl) != USE_COMPS)
			continue;
		if (m->nshared == QCOW2_CHECK_MAX_SHARED) {
			disk_error(m->why, m->whylen,
				   "more than %llu references to compressed clusters that share host clusters, too many to check at a read-write open: open it read-only (ro)",
				   QCOW2_CHECK_MAX_SHARED);
			return -EFBIG;
		}
		if (m->nshared == m->cap) {
			size_t cap = m->cap ? 2 * m->cap : 1024;
			u32 *p = realloc(m->shared, cap * sizeof(*p));

			if (!p) {
				disk_error(m->why, m->whylen,
					   "out of memory for the reference check");
				return -ENOMEM;
			}
			m->shared = p;
			m->cap = cap;
		}
		m->shared[m->nshared++] = cl;
	}
	return 0;
}

/* The L2 entry e of guest cluster gcl. */
static int use_entry(struct refmap *m, struct qcow2 *q, u64 gcl, u64 e)
{
	unsigned long long goff = gcl << q->h.cluster_bits;
	const struct qcow2_meta_range *r;
	u64 off, end, cl;

	if (m->counting)
		return count_shared(m, q, e);
	if (e & QCOW2_OFLAG_COMPRESSED) {
		comp_span(q, e, &off, &end);
	} else {
		off = e & QCOW2_OFFSET_MASK;
		if (!off)
			return 0;
		if (!IS_ALIGNED(off, q->cluster_size)) {
			disk_error(m->why, m->whylen,
				   "the L2 entry of guest offset 0x%llx (0x%llx) is not cluster-aligned",
				   goff, (unsigned long long)e);
			return -EINVAL;
		}
		end = off + q->cluster_size;
	}
	if (end > m->ncl << q->h.cluster_bits) {
		disk_error(m->why, m->whylen,
			   "guest offset 0x%llx points past the end of the file (0x%llx)",
			   goff, (unsigned long long)off);
		return -EINVAL;
	}
	r = qcow2_meta_find(&q->meta, off, end - off);
	if (r) {
		disk_error(m->why, m->whylen,
			   "guest offset 0x%llx points at %s at 0x%llx",
			   goff, qcow2_meta_name(r->kind),
			   (unsigned long long)r->start);
		return -EINVAL;
	}
	for (cl = off >> q->h.cluster_bits; (cl << q->h.cluster_bits) < end;
	     cl++) {
		unsigned int u = use_get(m, cl);

		if (u == USE_ONE ||
		    (u != USE_NONE && !(e & QCOW2_OFLAG_COMPRESSED))) {
			disk_error(m->why, m->whylen,
				   "guest offset 0x%llx and another share host cluster 0x%llx",
				   goff,
				   (unsigned long long)(cl << q->h.cluster_bits));
			return -EINVAL;
		}
		if (!(e & QCOW2_OFLAG_COMPRESSED)) {
			use_set(m, cl, USE_ONE);
		} else {
			use_set(m, cl, u == USE_NONE ? USE_COMP : USE_COMPS);
			m->any_shared |= u != USE_NONE;
		}
	}
	return 0;
}

/* Every entry of every L2 table. q->cow is the buffer. */
static int use_l2s(struct disk *d, struct qcow2 *q, struct refmap *m)
{
	const u64 *t = (const u64 *)q->cow;
	u64 i, j;
	int ret;

	for (i = 0; i < q->h.l1_size; i++) {
		u64 off = q->l1[i] & QCOW2_OFFSET_MASK;

		if (!off)
			continue;
		ret = qcow2_pread(d, q->cow, q->cluster_size, off);
		if (ret) {
			disk_error(m->why, m->whylen,
				   "cannot read the L2 table at 0x%llx: %s",
				   (unsigned long long)off, strerror(-ret));
			return ret;
		}
		for (j = 0; j < q->l2_entries; j++) {
			ret = use_entry(m, q, i * q->l2_entries + j,
					be64toh(t[j]));
			if (ret)
				return ret;
		}
	}
	return 0;
}

static bool range_used(const struct refmap *m, u64 cl, u64 end)
{
	for (; cl < end && cl % 4; cl++)
		if (use_get(m, cl))
			return true;
	for (; cl + 4 <= end; cl += 4)
		if (m->bits[cl / 4])
			return true;
	for (; cl < end; cl++)
		if (use_get(m, cl))
			return true;
	return false;
}

/* Cluster cl has n users but refcount rc. */
static int refcount_bad(struct refmap *m, struct qcow2 *q, u64 cl, u64 rc,
			u64 n)
{
	unsigned long long off = cl << q->h.cluster_bits;
	const struct qcow2_meta_range *r;
	const char *what = "guest data";
	char shared[64];

	r = qcow2_meta_find(&q->meta, off, q->cluster_size);
	if (r) {
		what = qcow2_meta_name(r->kind);
	} else if (use_get(m, cl) == USE_COMPS) {
		snprintf(shared, sizeof(shared),
			 "compressed data of %llu guest clusters",
			 (unsigned long long)n);
		what = shared;
	} else if (use_get(m, cl) == USE_COMP) {
		what = "compressed data";
	}
	disk_error(m->why, m->whylen,
		   "cluster 0x%llx (%s) is in use but has refcount %llu",
		   off, what, (unsigned long long)rc);
	return -EINVAL;
}

/* The users of cluster cl: 1, or for USE_COMPS as many as counted. */
static u64 users(struct refmap *m, u64 cl)
{
	u64 n = 0;

	if (use_get(m, cl) != USE_COMPS)
		return 1;
	/* m->shared is sorted and cl only grows: a cursor walks it. */
	while (m->pos < m->nshared && m->shared[m->pos] < cl)
		m->pos++;
	while (m->pos < m->nshared && m->shared[m->pos] == cl) {
		m->pos++;
		n++;
	}
	return n;
}

/* Each used cluster against its refcount. q->cow is the buffer. */
static int check_refcounts(struct disk *d, struct qcow2 *q,
			   struct refmap *m)
{
	u64 ri, nblocks = (m->ncl + q->rb_entries - 1) / q->rb_entries;
	int ret;

	for (ri = 0; ri < nblocks; ri++) {
		u64 first = ri * q->rb_entries, cl;
		u64 end = MIN(first + q->rb_entries, m->ncl);

		if (!range_used(m, first, end))
			continue;
		if (ri >= q->rct_entries || !q->rct[ri]) {
			for (cl = first; !use_get(m, cl); cl++)
				;
			return refcount_bad(m, q, cl, 0, users(m, cl));
		}
		ret = qcow2_pread(d, q->cow, q->cluster_size, q->rct[ri]);
		if (ret) {
			disk_error(m->why, m->whylen,
				   "cannot read the refcount block at 0x%llx: %s",
				   (unsigned long long)q->rct[ri],
				   strerror(-ret));
			return ret;
		}
		for (cl = first; cl < end; cl++) {
			u64 rc, n;

			if (!use_get(m, cl))
				continue;
			rc = qcow2_rc_entry(q, q->cow, cl - first);
			n = users(m, cl);
			if (rc < n)
				return refcount_bad(m, q, cl, rc, n);
		}
	}
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

int qcow2_check_refs(struct disk *d, struct qcow2 *q, char *why,
		     size_t whylen)
{
	struct refmap m = { .why = why, .whylen = whylen };
	u64 i, cs = q->cluster_size, tables = 0;
	int ret;

	m.ncl = q->host_end >> q->h.cluster_bits;
	if (m.ncl > QCOW2_CHECK_MAX_MAP * 4) {
		disk_error(why, whylen,
			   "%llu clusters are too many to check at a read-write open (at most %llu): open it read-only (ro), or convert it to larger clusters",
			   (unsigned long long)m.ncl,
			   QCOW2_CHECK_MAX_MAP * 4);
		return -EFBIG;
	}
	/* Each L2 table once (twice if compressed data shares), each block. */
	for (i = 0; i < q->h.l1_size; i++)
		tables += !!(q->l1[i] & QCOW2_OFFSET_MASK);
	for (i = 0; i < q->rct_entries; i++)
		tables += !!q->rct[i];
	if (tables * cs > QCOW2_CHECK_MAX_READ) {
		disk_error(why, whylen,
			   "%llu MiB of L2 tables and refcount blocks are more than a read-write open checks (%llu MiB): it opens read-only (ro)",
			   (unsigned long long)(tables * cs >> 20),
			   QCOW2_CHECK_MAX_READ >> 20);
		return -EFBIG;
	}
	m.bits = calloc(m.ncl / 4 + 1, 1);
	if (!m.bits) {
		disk_error(why, whylen, "out of memory for the reference check");
		return -ENOMEM;
	}
	use_table(&m, q, 0, cs);
	use_table(&m, q, q->h.l1_offset, (u64)q->h.l1_size * 8);
	use_table(&m, q, q->h.rct_offset, (u64)q->h.rct_clusters * cs);
	for (i = 0; i < q->rct_entries; i++)
		if (q->rct[i])
			use_table(&m, q, q->rct[i], cs);
	for (i = 0; i < q->h.l1_size; i++)
		if (q->l1[i] & QCOW2_OFFSET_MASK)
			use_table(&m, q, q->l1[i] & QCOW2_OFFSET_MASK, cs);
	ret = use_l2s(d, q, &m);
	if (!ret && m.any_shared) {
		m.counting = true;
		ret = use_l2s(d, q, &m);
		if (!ret)
			qsort(m.shared, m.nshared, sizeof(*m.shared), u32_cmp);
	}
	if (!ret)
		ret = check_refcounts(d, q, &m);
	free(m.shared);
	free(m.bits);
	return ret;
}
