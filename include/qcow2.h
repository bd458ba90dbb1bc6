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

#endif
