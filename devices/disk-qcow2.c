// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 images: open (the tables validated and mapped), backing file,
 * close. The format, the write order and the checks against a hostile
 * image: include/qcow2-internal.h.
 */
#include <endian.h>
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qcow2-internal.h"
#include "unaligned.h"

static void qcow2_close(struct disk *d)
{
	struct qcow2 *q = d->priv;
	unsigned int i;

	if (!q)
		return;
	/* The dirty L2 entries: a guest that never flushed keeps its data. */
	if (q->nlinks) {
		int ret = qcow2_commit(d, q);

		if (ret)
			pr_err("%s: writing the qcow2 metadata: %s", d->path,
			       strerror(-ret));
	}
	if (!d->readonly && fdatasync(d->fd))
		pr_err("%s: fdatasync: %s", d->path, strerror(errno));
	for (i = 0; i < L2_CACHE_SIZE; i++) {
		free(q->l2c[i].tbl);
		free(q->l2c[i].dirty);
	}
	if (q->refblocks)
		for (i = 0; i < q->rct_entries; i++)
			free(q->refblocks[i]);
	free(q->refblocks);
	free(q->rct);
	free(q->l1);
	free(q->cow);
	free(q->cbuf);
	free(q->ccache);
	qcow2_meta_free(&q->meta);
	disk_close(q->backing);
	pthread_cond_destroy(&q->sync_cond);
	pthread_mutex_destroy(&q->sync_lock);
	pthread_mutex_destroy(&q->lock);
	free(q);
	d->priv = NULL;
}

/* The snapshot table and each snapshot's L1 table into the map. */
static int q_meta_snapshots(struct disk *d, struct qcow2 *q, char *why,
			    size_t whylen)
{
	u64 cs = q->cluster_size, start = q->h.snapshots_offset, pos, len;
	u8 e[QCOW2_SNAPSHOT_ENTRY_LEN];
	u32 i;
	int ret;

	if (q->h.nb_snapshots > QCOW2_MAX_SNAPSHOTS || !start ||
	    !IS_ALIGNED(start, cs) || start >= q->host_end) {
		disk_error(why, whylen, "corrupt snapshot table offset 0x%llx",
			   (unsigned long long)start);
		return -EINVAL;
	}
	pos = start;
	for (i = 0; i < q->h.nb_snapshots; i++) {
		u64 l1off, l1len;

		if (pos - start > QCOW2_MAX_SNAPSHOT_TABLE - sizeof(e)) {
			disk_error(why, whylen, "snapshot table too large");
			return -EINVAL;
		}
		ret = qcow2_pread(d, e, sizeof(e), pos);
		if (ret) {
			disk_error(why, whylen, "cannot read the snapshot table: %s",
				   strerror(-ret));
			return ret;
		}
		l1off = get_be64(e);
		l1len = (u64)get_be32(e + 8) * 8;
		/* fixed part, extra data, ID string, name; 8-byte aligned */
		pos += sizeof(e) + get_be32(e + 36) + ((u32)e[12] << 8 | e[13]) +
		       ((u32)e[14] << 8 | e[15]);
		pos = ALIGN_UP(pos, 8ULL);
		if (!l1len)
			continue;
		if (!IS_ALIGNED(l1off, cs) || l1len > QCOW2_MAX_L1_BYTES ||
		    l1off >= q->host_end || l1len > q->host_end - l1off) {
			disk_error(why, whylen, "snapshot %u: corrupt L1 table", i);
			return -EINVAL;
		}
		ret = qcow2_meta_add(&q->meta, l1off, ALIGN_UP(l1len, cs),
				     QCOW2_META_SNAP_L1);
		if (ret)
			return ret;
	}
	len = pos - start;
	if (len > QCOW2_MAX_SNAPSHOT_TABLE) {
		disk_error(why, whylen, "snapshot table too large");
		return -EINVAL;
	}
	if (pos > q->host_end) {
		disk_error(why, whylen,
			   "snapshot table runs past the end of the file");
		return -EINVAL;
	}
	return qcow2_meta_add(&q->meta, start, ALIGN_UP(len, cs),
			      QCOW2_META_SNAPSHOTS);
}

/*
 * Every table into the map; refuse an image whose tables overlap (or
 * whose L1 entries point anywhere but at whole clusters of the file).
 */
static int q_meta_open(struct disk *d, struct qcow2 *q, char *why,
		       size_t whylen)
{
	struct qcow2_meta_range a, b;
	u64 cs = q->cluster_size, i;
	int ret;

	why[0] = '\0';
	ret = qcow2_meta_add(&q->meta, 0, cs, QCOW2_META_HEADER);
	if (!ret)
		ret = qcow2_meta_add(&q->meta, q->h.l1_offset,
				     ALIGN_UP((u64)q->h.l1_size * 8, cs),
				     QCOW2_META_L1);
	if (!ret)
		ret = qcow2_meta_add(&q->meta, q->h.rct_offset,
				     (u64)q->h.rct_clusters * cs,
				     QCOW2_META_RCT);
	for (i = 0; !ret && i < q->rct_entries; i++)
		if (q->rct[i])
			ret = qcow2_meta_add(&q->meta, q->rct[i], cs,
					     QCOW2_META_REFBLOCK);
	for (i = 0; !ret && i < q->h.l1_size; i++) {
		u64 e = q->l1[i], off = e & QCOW2_OFFSET_MASK;
		const char *bad = NULL;

		if (e & QCOW2_L1E_RESERVED)
			bad = "has reserved bits set";
		else if (!IS_ALIGNED(off, cs))
			bad = "is not cluster-aligned";
		else if (off >= q->host_end)
			bad = "points past the end of the file";
		if (bad && (off || (e & QCOW2_L1E_RESERVED))) {
			disk_error(why, whylen, "L1 entry %llu (0x%llx) %s",
				   (unsigned long long)i,
				   (unsigned long long)e, bad);
			return -EINVAL;
		}
		if (off)
			ret = qcow2_meta_add(&q->meta, off, cs,
					     QCOW2_META_L2);
	}
	if (!ret && q->h.nb_snapshots)
		ret = q_meta_snapshots(d, q, why, whylen);
	if (ret == -ENOMEM)
		disk_error(why, whylen, "out of memory for the table map");
	else if (ret && !why[0])
		disk_error(why, whylen, "a table lies out of range");
	if (ret)
		return ret;
	ret = qcow2_meta_seal(&q->meta, &a, &b);
	if (ret) {
		disk_error(why, whylen,
			   "tables overlap: %s at 0x%llx and %s at 0x%llx",
			   qcow2_meta_name(a.kind),
			   (unsigned long long)a.start,
			   qcow2_meta_name(b.kind),
			   (unsigned long long)b.start);
		return -EINVAL;
	}
	return 0;
}

static const struct disk_ops qcow2_ops = {
	.name = "qcow2",
	.preadv = qcow2_preadv,
	.pwritev = qcow2_pwritev,
	.flush = qcow2_flush,
	.zero = qcow2_zero,
	.map_read = qcow2_map_read,
	.map_done = qcow2_map_done,
	.close = qcow2_close,
};

/*
 * The backing format header extension, if the image has one: DISK_FMT_RAW
 * or DISK_FMT_QCOW2 in *fmt (else DISK_FMT_AUTO: probe). The extensions
 * follow the header, up to the backing file name, within the first
 * cluster (hdr holds hlen bytes).
 */
static int q_backing_format(const struct qcow2 *q, const u8 *hdr, u64 hlen,
			    enum disk_format *fmt)
{
	u64 off = q->h.header_length, end = MIN(hlen, q->cluster_size);

	if (q->h.backing_offset > off)
		end = MIN(end, q->h.backing_offset);

	*fmt = DISK_FMT_AUTO;
	while (off + 8 <= end) {
		u32 type = get_be32(hdr + off), len = get_be32(hdr + off + 4);

		if (!type)
			break;
		if (len > end - off - 8)
			return -EINVAL;
		if (type == QCOW2_EXT_BACKING_FORMAT) {
			if (len == 3 && !memcmp(hdr + off + 8, "raw", 3))
				*fmt = DISK_FMT_RAW;
			else if (len == 5 && !memcmp(hdr + off + 8, "qcow2", 5))
				*fmt = DISK_FMT_QCOW2;
			else
				return -ENOTSUP;
		}
		off += 8 + ALIGN_UP((u64)len, 8);
	}
	return 0;
}

static int q_open_backing(struct disk *d, struct qcow2 *q, const u8 *hdr,
			  u64 hlen, const struct disk_open_opts *opts,
			  int depth, char *err, size_t errlen)
{
	char name[QCOW2_MAX_BACKING_NAME + 1];
	enum disk_format fmt;
	int ret;

	memcpy(name, hdr + q->h.backing_offset, q->h.backing_size);
	name[q->h.backing_size] = '\0';
	if (strlen(name) != q->h.backing_size) {
		disk_error(err, errlen, "qcow2 image '%s': corrupt backing file name",
		      d->path);
		return -EINVAL;
	}
	ret = q_backing_format(q, hdr, hlen, &fmt);
	if (ret) {
		disk_error(err, errlen, "qcow2 image '%s': %s", d->path,
			   ret == -ENOTSUP ?
			   "backing format not supported (raw or qcow2)" :
			   "corrupt header extension");
		return ret;
	}
	return disk_open_backing(&q->backing, d, name, fmt, opts, depth + 1,
				 err, errlen);
}

int disk_qcow2_open(struct disk *d, const struct disk_open_opts *opts,
		    int depth, char *err, size_t errlen)
{
	struct qcow2 *q;
	struct stat st;
	u8 *hdr;
	u64 i, hlen, cs;
	char why[160];
	int ret;

	if (fstat(d->fd, &st))
		return -errno;
	if (d->direct) {
		disk_error(err, errlen, "'%s': direct is not supported on qcow2",
		      d->path);
		return -EINVAL;
	}
	hlen = MIN((u64)st.st_size, 1ULL << 21);
	hdr = malloc(hlen ? hlen : 1);
	if (!hdr)
		return -ENOMEM;
	q = calloc(1, sizeof(*q));
	if (!q) {
		free(hdr);
		return -ENOMEM;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_mutex_init(&q->sync_lock, NULL);
	pthread_cond_init(&q->sync_cond, NULL);
	d->priv = q;
	d->ops = &qcow2_ops;
	ret = qcow2_pread(d, hdr, hlen, 0);
	if (!ret)
		ret = qcow2_parse_header(hdr, hlen, st.st_size, &q->h, why,
					 sizeof(why));
	if (ret) {
		disk_error(err, errlen, "qcow2 image '%s': %s", d->path,
		      ret == -EIO ? "cannot read header" : why);
		goto fail;
	}
	if (q->h.nb_snapshots && !d->readonly) {
		disk_error(err, errlen,
		      "qcow2 image '%s' has internal snapshots: only read-only use is supported",
		      d->path);
		ret = -ENOTSUP;
		goto fail;
	}
	if (!d->readonly && q->h.refcount_order < 3) {
		disk_error(err, errlen,
		      "qcow2 image '%s': refcount width %u is only supported read-only",
		      d->path, 1U << q->h.refcount_order);
		ret = -ENOTSUP;
		goto fail;
	}
	cs = q->cluster_size = 1ULL << q->h.cluster_bits;
	q->l2_entries = cs / 8;
	q->csize_shift = 62 - (q->h.cluster_bits - 8);
	q->rc_bytes = q->h.refcount_order >= 3 ?
		      1U << (q->h.refcount_order - 3) : 1;
	q->rb_entries = (cs * 8) >> q->h.refcount_order;
	q->rct_entries = ((u64)q->h.rct_clusters * cs) / 8;
	q->defer_max = QCOW2_DEFER;
	q->rct_max = QCOW2_MAX_RCT_BYTES;
	q->cow = malloc(cs);
	q->ccache = malloc(cs);
	q->cbuf = malloc(2 * cs);
	q->l1 = calloc(q->h.l1_size ? q->h.l1_size : 1, 8);
	q->rct = calloc(q->rct_entries, 8);
	q->refblocks = calloc(q->rct_entries, sizeof(*q->refblocks));
	if (!q->cow || !q->ccache || !q->cbuf || !q->l1 || !q->rct ||
	    !q->refblocks) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = qcow2_pread(d, q->l1, (u64)q->h.l1_size * 8, q->h.l1_offset);
	if (!ret)
		ret = qcow2_pread(d, q->rct, q->rct_entries * 8, q->h.rct_offset);
	if (ret) {
		disk_error(err, errlen, "qcow2 image '%s': cannot read tables: %s",
		      d->path, strerror(-ret));
		goto fail;
	}
	for (i = 0; i < q->h.l1_size; i++)
		q->l1[i] = be64toh(q->l1[i]);
	for (i = 0; i < q->rct_entries; i++) {
		q->rct[i] = be64toh(q->rct[i]);
		if ((q->rct[i] & QCOW2_RCT_RESERVED) ||
		    (q->rct[i] && q->rct[i] > (u64)st.st_size - cs)) {
			disk_error(err, errlen,
			      "qcow2 image '%s': corrupt refcount table entry %llu",
			      d->path, (unsigned long long)i);
			ret = -EINVAL;
			goto fail;
		}
		if (!IS_ALIGNED(q->rct[i], cs)) {
			disk_error(err, errlen,
			      "qcow2 image '%s': refcount table entry %llu (0x%llx) is not cluster-aligned",
			      d->path, (unsigned long long)i,
			      (unsigned long long)q->rct[i]);
			ret = -EINVAL;
			goto fail;
		}
	}
	q->host_end = ALIGN_UP((u64)st.st_size, cs);
	ret = q_meta_open(d, q, why, sizeof(why));
	if (ret) {
		disk_error(err, errlen, "qcow2 image '%s': %s", d->path, why);
		goto fail;
	}
	/* Allocation trusts the refcounts: they must hold. */
	ret = d->readonly ? 0 : qcow2_check_refs(d, q, why, sizeof(why));
	if (ret) {
		disk_error(err, errlen, "qcow2 image '%s': %s%s", d->path, why,
			   ret == -EINVAL ?
			   "; it opens read-only (ro), qemu-img check -r all repairs it" :
			   "");
		goto fail;
	}
	if (q->h.backing_offset) {
		ret = q_open_backing(d, q, hdr, hlen, opts, depth, err,
				     errlen);
		if (ret)
			goto fail;
	}
	if (!d->readonly && q->h.version >= 3 && q->h.autoclear) {
		/*
		 * Bitmaps and the like: we do not keep them up to date. The
		 * bits must be gone on disk before any guest write is, or a
		 * crash leaves a bitmap that misses the write, and says it
		 * is valid.
		 */
		u64 zero = 0;

		ret = qcow2_write_meta(d, q, &zero, 8, 88, QCOW2_META_HEADER);
		if (!ret)
			ret = qcow2_barrier(d, q);
		if (ret) {
			disk_error(err, errlen,
				   "qcow2 image '%s': cannot clear the autoclear features: %s",
				   d->path, strerror(-ret));
			goto fail;
		}
		q->h.autoclear = 0;
	}
	d->size = ALIGN_DOWN(q->h.size, (u64)DISK_SECTOR);
	d->format = DISK_FMT_QCOW2;
	d->linear = false;
	d->discard_granularity = cs;
	free(hdr);
	return 0;
fail:
	free(hdr);
	qcow2_close(d);
	d->ops = NULL;
	return ret;
}
