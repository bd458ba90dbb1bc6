/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The qcow2 on-disk format (versions 2 and 3), as the QEMU project's
 * docs/interop/qcow2.txt describes it: every field big-endian.
 */
#ifndef LKVM_QCOW2_H
#define LKVM_QCOW2_H

#include "types.h"

#define QCOW2_MAGIC			0x514649fbU	/* "QFI\xfb" */
#define QCOW2_V2_HEADER_LEN		72
#define QCOW2_V3_HEADER_LEN		104

#define QCOW2_INCOMPAT_DIRTY		(1ULL << 0)
#define QCOW2_INCOMPAT_CORRUPT		(1ULL << 1)
#define QCOW2_INCOMPAT_DATA_FILE	(1ULL << 2)
#define QCOW2_INCOMPAT_COMPRESSION	(1ULL << 3)
#define QCOW2_INCOMPAT_EXTL2		(1ULL << 4)

/* Header extensions (type, length, data padded to 8 bytes). */
#define QCOW2_EXT_BACKING_FORMAT	0xe2792acaU

/* L1 / L2 / refcount table entries. */
#define QCOW2_OFLAG_COPIED		(1ULL << 63)
#define QCOW2_OFLAG_COMPRESSED		(1ULL << 62)
#define QCOW2_OFLAG_ZERO		(1ULL << 0)
#define QCOW2_OFFSET_MASK		0x00fffffffffffe00ULL
#define QCOW2_L1E_RESERVED		0x7f000000000001ffULL
#define QCOW2_L2E_RESERVED		0x3f000000000001feULL
#define QCOW2_RCT_RESERVED		0x00000000000001ffULL

/* Limits lkvm accepts (the same orders of magnitude QEMU accepts). */
#define QCOW2_MAX_L1_BYTES		(32ULL << 20)
#define QCOW2_MAX_RCT_BYTES		(8ULL << 20)
#define QCOW2_MAX_BACKING_NAME		1023
#define QCOW2_MAX_SNAPSHOTS		65536
#define QCOW2_MAX_SNAPSHOT_TABLE	(64ULL << 20)
#define QCOW2_SNAPSHOT_ENTRY_LEN	40	/* the fixed part */

struct qcow2_header {
	u32 version;
	u64 backing_offset;
	u32 backing_size;
	u32 cluster_bits;
	u64 size;
	u32 crypt_method;
	u32 l1_size;
	u64 l1_offset;
	u64 rct_offset;
	u32 rct_clusters;
	u32 nb_snapshots;
	u64 snapshots_offset;
	u64 incompat;
	u64 compat;
	u64 autoclear;
	u32 refcount_order;
	u32 header_length;
	u8 compression_type;
};

/*
 * Parse and validate the header in buf (the image's first bytes, len of
 * them; at least the header cluster or the whole file if shorter) of an
 * image file_size bytes long. -EINVAL with a reason in err for anything
 * lkvm cannot use; -ENOTSUP for valid images with features it lacks.
 */
int qcow2_parse_header(const u8 *buf, size_t len, u64 file_size,
		       struct qcow2_header *h, char *err, size_t errlen);

/*
 * The metadata map (devices/qcow2-meta.c): every byte range of the file
 * that holds metadata, by kind, rounded out to whole clusters. Built at
 * open (qcow2_meta_add() for each table, then qcow2_meta_seal(), which
 * refuses ranges that overlap), grown at run time by qcow2_meta_insert()
 * as tables are allocated, and asked before every write.
 */
enum qcow2_meta_kind {
	QCOW2_META_HEADER,
	QCOW2_META_L1,
	QCOW2_META_L2,
	QCOW2_META_RCT,
	QCOW2_META_REFBLOCK,
	QCOW2_META_SNAPSHOTS,
	QCOW2_META_SNAP_L1,
};

struct qcow2_meta_range {
	u64 start;
	u64 end;		/* exclusive */
	enum qcow2_meta_kind kind;
};

struct qcow2_meta {
	struct qcow2_meta_range *r;
	size_t n;
	size_t cap;
	bool sealed;		/* sorted, no overlaps */
};

const char *qcow2_meta_name(enum qcow2_meta_kind kind);
/* Unsorted, before qcow2_meta_seal(): -ENOMEM or 0. */
int qcow2_meta_add(struct qcow2_meta *m, u64 start, u64 len,
		   enum qcow2_meta_kind kind);
/*
 * Sort; -EEXIST if two ranges overlap, with *a and *b (a copy of each)
 * describing the pair, the one that starts first in *a.
 */
int qcow2_meta_seal(struct qcow2_meta *m, struct qcow2_meta_range *a,
		    struct qcow2_meta_range *b);
/* Room for one more range, so that the next insert cannot fail on memory. */
int qcow2_meta_reserve(struct qcow2_meta *m);
/* Room for k more ranges. */
int qcow2_meta_reserve_n(struct qcow2_meta *m, size_t k);
/* After sealing: a new range in order; -EEXIST if it overlaps one. */
int qcow2_meta_insert(struct qcow2_meta *m, u64 start, u64 len,
		      enum qcow2_meta_kind kind);
/* After sealing: the first range overlapping [off, off + len), or NULL. */
const struct qcow2_meta_range *qcow2_meta_find(const struct qcow2_meta *m,
					       u64 off, u64 len);
/* After sealing: drop the range exactly [start, start + len) of kind. */
int qcow2_meta_remove(struct qcow2_meta *m, u64 start, u64 len,
		      enum qcow2_meta_kind kind);
void qcow2_meta_free(struct qcow2_meta *m);

#endif
