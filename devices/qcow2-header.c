// SPDX-License-Identifier: GPL-2.0
/* Parse and validate a qcow2 header. See include/qcow2.h. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "disk.h"
#include "qcow2.h"
#include "unaligned.h"

/* A header field: where it is in struct qcow2_header and in the file. */
struct qcow2_field {
	u8 field;		/* offsetof() */
	u8 width;		/* 4 or 8 bytes, the same in both */
	u8 at;			/* offset in the file's header */
};

#define FIELD(name, at)							\
	{ offsetof(struct qcow2_header, name),				\
	  sizeof(((struct qcow2_header *)0)->name), at }

/* Version 2's header, after the magic; version 3 adds the rest. */
static const struct qcow2_field v2_fields[] = {
	FIELD(version, 4),
	FIELD(backing_offset, 8),
	FIELD(backing_size, 16),
	FIELD(cluster_bits, 20),
	FIELD(size, 24),
	FIELD(crypt_method, 32),
	FIELD(l1_size, 36),
	FIELD(l1_offset, 40),
	FIELD(rct_offset, 48),
	FIELD(rct_clusters, 56),
	FIELD(nb_snapshots, 60),
	FIELD(snapshots_offset, 64),
};

static const struct qcow2_field v3_fields[] = {
	FIELD(incompat, 72),
	FIELD(compat, 80),
	FIELD(autoclear, 88),
	FIELD(refcount_order, 96),
	FIELD(header_length, 100),
};

/* The fields of table t from buf (big-endian) into h. */
static void read_fields(struct qcow2_header *h, const u8 *buf,
			const struct qcow2_field *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u8 *p = (u8 *)h + t[i].field;

		if (t[i].width == 4) {
			u32 v = get_be32(buf + t[i].at);

			memcpy(p, &v, 4);
		} else {
			u64 v = get_be64(buf + t[i].at);

			memcpy(p, &v, 8);
		}
	}
}

int qcow2_parse_header(const u8 *buf, size_t len, u64 file_size,
		       struct qcow2_header *h, char *err, size_t errlen)
{
	u64 cs, need, l2e;

	memset(h, 0, sizeof(*h));
	if (len < QCOW2_V2_HEADER_LEN || get_be32(buf) != QCOW2_MAGIC) {
		disk_error(err, errlen, "not a qcow2 header");
		return -EINVAL;
	}
	read_fields(h, buf, v2_fields, ARRAY_SIZE(v2_fields));
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
		read_fields(h, buf, v3_fields, ARRAY_SIZE(v3_fields));
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
