// SPDX-License-Identifier: GPL-2.0
/*
 * The qcow2 metadata map (devices/qcow2-meta.c): overlapping tables are
 * found at sealing whatever their order, lookups find exactly the ranges
 * a byte span touches, insertions keep the order and refuse overlaps.
 */
#include <errno.h>
#include <string.h>

#include "qcow2.h"
#include "tap.h"

static void test_seal(void)
{
	struct qcow2_meta m = { 0 };
	struct qcow2_meta_range a, b;
	int ret;

	qcow2_meta_add(&m, 0x4000, 0x1000, QCOW2_META_L2);
	qcow2_meta_add(&m, 0, 0x1000, QCOW2_META_HEADER);
	qcow2_meta_add(&m, 0x1000, 0x2000, QCOW2_META_RCT);
	qcow2_meta_add(&m, 0x3000, 0x1000, QCOW2_META_L1);
	ok(qcow2_meta_seal(&m, &a, &b) == 0 && m.n == 4 &&
	   m.r[0].kind == QCOW2_META_HEADER && m.r[3].kind == QCOW2_META_L2,
	   "disjoint tables seal, sorted by offset");
	qcow2_meta_free(&m);

	/* A small table inside a large one, after a third in between. */
	qcow2_meta_add(&m, 0x10000, 0x8000, QCOW2_META_L1);
	qcow2_meta_add(&m, 0x11000, 0x1000, QCOW2_META_L2);
	qcow2_meta_add(&m, 0x16000, 0x1000, QCOW2_META_REFBLOCK);
	ret = qcow2_meta_seal(&m, &a, &b);
	ok(ret == -EEXIST && a.kind == QCOW2_META_L1 &&
	   b.kind == QCOW2_META_L2,
	   "a table inside another is an overlap, named by kind");
	qcow2_meta_free(&m);

	/* Overlap with a range that is not the previous one. */
	qcow2_meta_add(&m, 0x0, 0x10000, QCOW2_META_RCT);
	qcow2_meta_add(&m, 0x1000, 0x1000, QCOW2_META_HEADER);
	qcow2_meta_add(&m, 0x0, 0x1000, QCOW2_META_L1);
	ok(qcow2_meta_seal(&m, &a, &b) == -EEXIST,
	   "overlaps found whatever the order of adding");
	qcow2_meta_free(&m);

	qcow2_meta_add(&m, 0x0, 0x1000, QCOW2_META_HEADER);
	qcow2_meta_add(&m, 0x0, 0x1000, QCOW2_META_REFBLOCK);
	ok(qcow2_meta_seal(&m, &a, &b) == -EEXIST,
	   "two tables at one offset overlap");
	qcow2_meta_free(&m);
}

static void test_find_insert(void)
{
	struct qcow2_meta m = { 0 };
	struct qcow2_meta_range a, b;
	const struct qcow2_meta_range *r;
	bool good = true;
	u64 i;

	qcow2_meta_add(&m, 0, 0x1000, QCOW2_META_HEADER);
	qcow2_meta_add(&m, 0x3000, 0x1000, QCOW2_META_L1);
	qcow2_meta_seal(&m, &a, &b);
	ok(!qcow2_meta_find(&m, 0x1000, 0x2000) &&
	   qcow2_meta_find(&m, 0x1000, 0x2001) == &m.r[1] &&
	   qcow2_meta_find(&m, 0xfff, 1) == &m.r[0] &&
	   !qcow2_meta_find(&m, 0x4000, 0x100000) &&
	   !qcow2_meta_find(&m, 0x3000, 0) &&
	   qcow2_meta_find(&m, 0x3800, ~0ULL) == &m.r[1],
	   "find: exact bounds, empty and wrapping spans");
	ok(qcow2_meta_insert(&m, 0x3fff, 2, QCOW2_META_L2) == -EEXIST &&
	   qcow2_meta_insert(&m, 0x800, 0x1000, QCOW2_META_L2) == -EEXIST &&
	   m.n == 2, "insert refuses overlaps");
	/* Insert in descending order: each goes before the last. */
	for (i = 100; i >= 5; i--)
		good = good && !qcow2_meta_insert(&m, i * 0x1000, 0x1000,
						  QCOW2_META_L2);
	qcow2_meta_insert(&m, 0x1000, 0x1000, QCOW2_META_REFBLOCK);
	for (i = 1; i < m.n; i++)
		good = good && m.r[i - 1].end <= m.r[i].start;
	r = qcow2_meta_find(&m, 0x1000, 0x800);
	ok(good && m.n == 99 && r && r->kind == QCOW2_META_REFBLOCK &&
	   qcow2_meta_find(&m, 0x40000, 1)->start == 0x40000,
	   "inserts keep the map sorted and disjoint");
	ok(qcow2_meta_remove(&m, 0x1000, 0x800, QCOW2_META_REFBLOCK) ==
		   -ENOENT &&
	   qcow2_meta_remove(&m, 0x1000, 0x1000, QCOW2_META_L2) == -ENOENT &&
	   qcow2_meta_remove(&m, 0x1800, 0x1000, QCOW2_META_REFBLOCK) ==
		   -ENOENT && m.n == 99,
	   "remove wants a range exactly, and of its kind");
	good = !qcow2_meta_remove(&m, 0x1000, 0x1000, QCOW2_META_REFBLOCK) &&
	       m.n == 98 && !qcow2_meta_find(&m, 0x1000, 0x1000) &&
	       qcow2_meta_find(&m, 0x1000, 0x2001) == &m.r[1];
	for (i = 1; i < m.n; i++)
		good = good && m.r[i - 1].end <= m.r[i].start;
	ok(good, "remove: the range is gone, the rest stays sorted");
	good = !qcow2_meta_reserve_n(&m, 1000) && m.cap - m.n >= 1000;
	ok(good, "reserve_n: room for that many more (%zu)", m.cap - m.n);
	qcow2_meta_free(&m);
}

int main(void)
{
	test_seal();
	test_find_insert();
	return tap_done();
}
