// SPDX-License-Identifier: GPL-2.0
/* The qcow2 write path: copy-on-write, allocation, write-zeroes. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iov.h"
#include "qcow2-internal.h"

/* Current contents of one guest cluster into q->cow (for copy-on-write). */
static int q_fill_cow(struct disk *d, struct qcow2 *q, u64 gcl, u64 e)
{
	struct iovec v = { .iov_base = q->cow, .iov_len = q->cluster_size };
	u64 goff = gcl << q->h.cluster_bits;
	u64 blen;

	if (e & QCOW2_OFLAG_COMPRESSED) {
		int ret = qcow2_decompress(d, q, e);

		if (!ret)
			memcpy(q->cow, q->ccache, q->cluster_size);
		return ret;
	}
	if ((e & QCOW2_OFLAG_ZERO) || !q->backing ||
	    goff >= q->backing->size) {
		memset(q->cow, 0, q->cluster_size);
		if (!(e & QCOW2_OFLAG_ZERO) && (e & QCOW2_OFFSET_MASK))
			return qcow2_pread(d, q->cow, q->cluster_size,
					   e & QCOW2_OFFSET_MASK);
		return 0;
	}
	if (e & QCOW2_OFFSET_MASK)
		return qcow2_pread(d, q->cow, q->cluster_size,
				   e & QCOW2_OFFSET_MASK);
	memset(q->cow, 0, q->cluster_size);
	blen = MIN(q->cluster_size, q->backing->size - goff);
	v.iov_len = blen;
	{
		struct disk_req r = {
			.op = DISK_OP_READ, .off = goff, .len = blen,
			.iov = &v, .iovcnt = 1,
		};
		disk_req_execute(q->backing, &r);
		return r.result < 0 ? r.result : 0;
	}
}

/*
 * Before a write or zeroing changes guest cluster data described by L2
 * entry e: what e points to must be data, inside the file (a cluster
 * written in place, or one whose references are dropped afterwards).
 */
static int q_check_entry(struct disk *d, struct qcow2 *q, u64 e)
{
	const struct qcow2_meta_range *r;
	u64 off, len;

	if (e & QCOW2_OFLAG_COMPRESSED) {
		u32 x = q->csize_shift;
		u64 nsec = ((e & ~QCOW2_OFLAG_COMPRESSED &
			     ~QCOW2_OFLAG_COPIED) >> x) + 1;

		off = (e & ((1ULL << x) - 1)) & ~511ULL;
		len = nsec * 512;
		/* Only its clusters' refcounts change: no end-of-file check. */
		return qcow2_clear_of_tables(d, q, off, len,
					     "compressed data", "overlaps");
	}
	off = e & QCOW2_OFFSET_MASK;
	if (!off)
		return 0;
	if (!IS_ALIGNED(off, q->cluster_size))
		return qcow2_set_corrupt(d, q, "L2 entry 0x%llx is not cluster-aligned",
					 (unsigned long long)e);
	r = qcow2_meta_find(&q->meta, off, q->cluster_size);
	if (r)
		return qcow2_set_corrupt(d, q,
					 "an L2 entry points guest data at %s at 0x%llx",
					 qcow2_meta_name(r->kind),
					 (unsigned long long)r->start);
	return qcow2_check_clear(d, q, off, q->cluster_size);
}

/*
 * Write part of one guest cluster from buf (flat, data != NULL) or from
 * iov[skip, skip + len) (data == NULL).
 */
static int q_write_chunk(struct disk *d, struct qcow2 *q, u64 gcl,
			 u64 in_off, const struct iovec *iov, int cnt,
			 u64 skip, u64 len, const u8 *data)
{
	u64 *tbl, tbl_off, idx, e, host, newc;
	bool full = in_off == 0 && len == q->cluster_size;
	int ret;

	ret = qcow2_l2_get(d, q, gcl, true, &tbl, &tbl_off);
	if (ret)
		return ret;
	idx = gcl % q->l2_entries;
	e = be64toh(tbl[idx]);
	if (!(e & QCOW2_OFLAG_COMPRESSED) && (e & QCOW2_L2E_RESERVED))
		return qcow2_corrupt(d, "L2 entry", e);
	ret = q_check_entry(d, q, e);
	if (ret)
		return ret;
	host = e & QCOW2_OFFSET_MASK;
	if (!(e & QCOW2_OFLAG_COMPRESSED) && host &&
	    (e & QCOW2_OFLAG_COPIED)) {
		if (e & QCOW2_OFLAG_ZERO) {
			/* Preallocated zero cluster: make it real zeroes. */
			if (!full) {
				memset(q->cow, 0, q->cluster_size);
				ret = qcow2_write_clear(d, q, q->cow,
							q->cluster_size, host);
				if (ret)
					return ret;
			}
		}
		if (data)
			ret = qcow2_write_clear(d, q, data, len, host + in_off);
		else {
			iov_to_buf(iov, cnt, skip, q->cow, len);
			ret = qcow2_write_clear(d, q, q->cow, len, host + in_off);
		}
		if (ret || !(e & QCOW2_OFLAG_ZERO))
			return ret;
		/* The zeroes and data stable before the entry says data. */
		return qcow2_l2_update(d, q, tbl, idx, e & ~QCOW2_OFLAG_ZERO,
				       0);
	}
	/* Allocate: refcount, then data, (at the commit: sync,) the entry. */
	if (!full) {
		ret = q_fill_cow(d, q, gcl, e);
		if (ret)
			return ret;
	}
	if (data)
		memmove(q->cow + in_off, data, len);
	else
		iov_to_buf(iov, cnt, skip, q->cow + in_off, len);
	ret = qcow2_alloc(d, q, &newc);
	if (ret)
		return ret;
	ret = qcow2_write_clear(d, q, q->cow, q->cluster_size, newc);
	if (ret) {
		/* Nothing names it: its refcount can go at once. */
		qcow2_free_range(d, q, newc, 1);
		return ret;
	}
	return qcow2_l2_update(d, q, tbl, idx, newc | QCOW2_OFLAG_COPIED, e);
}

ssize_t qcow2_pwritev(struct disk *d, const struct iovec *iov,
		      int iovcnt, u64 off, bool dsync)
{
	struct qcow2 *q = d->priv;
	u64 len, done = 0;
	bool synced = false;
	int ret = 0;

	if (d->readonly)
		return -EROFS;
	len = iov_length(iov, iovcnt);
	if (off > d->size || len > d->size - off)
		return -ENOSPC;
	pthread_mutex_lock(&q->lock);
	if (q->corrupt)
		ret = -EIO;
	while (!ret && done < len) {
		u64 pos = off + done;
		u64 in_off = pos & (q->cluster_size - 1);
		u64 n = MIN(len - done, q->cluster_size - in_off);

		ret = q_write_chunk(d, q, pos >> q->h.cluster_bits, in_off,
				    iov, iovcnt, done, n, NULL);
		if (ret)
			break;
		done += n;
	}
	/* Write-through: its entries (and every other dirty one) durable. */
	if (!ret && dsync && q->nlinks) {
		ret = qcow2_commit(d, q);
		synced = true;
	}
	/* Written in place only: the data, outside the lock. */
	if (!ret && dsync && !synced)
		ret = qcow2_sync_unlocked(d, q);
	else
		pthread_mutex_unlock(&q->lock);
	return ret ? ret : (ssize_t)done;
}

/*
 * Everything written before is durable once this returns 0: the dirty
 * entries committed (their last sync is the flush's), else one sync
 * outside the lock.
 */
int qcow2_flush(struct disk *d)
{
	struct qcow2 *q = d->priv;
	int ret;

	pthread_mutex_lock(&q->lock);
	if (q->nlinks) {
		ret = qcow2_commit(d, q);
		pthread_mutex_unlock(&q->lock);
		return ret;
	}
	return qcow2_sync_unlocked(d, q);
}

/* Does the cluster, as it stands, read as all zeroes without I/O? */
static bool q_reads_zero(struct qcow2 *q, u64 gcl, u64 e)
{
	if (e & QCOW2_OFLAG_COMPRESSED)
		return false;
	if (e & QCOW2_OFLAG_ZERO)
		return true;
	if (e & QCOW2_OFFSET_MASK)
		return false;
	return !q->backing ||
	       (gcl << q->h.cluster_bits) >= q->backing->size;
}

static int q_zero_cluster(struct disk *d, struct qcow2 *q, u64 gcl,
			  bool unmap)
{
	u64 *tbl, tbl_off, idx = gcl % q->l2_entries, e, ne;
	int ret;

	ret = qcow2_l2_get(d, q, gcl, false, &tbl, &tbl_off);
	if (ret)
		return ret;
	e = tbl ? be64toh(tbl[idx]) : 0;
	if (q_reads_zero(q, gcl, e))
		return 0;
	ret = q_check_entry(d, q, e);
	if (ret)
		return ret;
	if (q->h.version < 3) {
		if (q->backing &&
		    (gcl << q->h.cluster_bits) < q->backing->size) {
			/* Deallocating would show the backing file. */
			memset(q->cow, 0, q->cluster_size);
			return q_write_chunk(d, q, gcl, 0, NULL, 0, 0,
					     q->cluster_size, q->cow);
		}
		ne = 0;
	} else {
		ne = QCOW2_OFLAG_ZERO;
		if (!unmap && !(e & QCOW2_OFLAG_COMPRESSED) &&
		    (e & QCOW2_OFLAG_COPIED) && (e & QCOW2_OFFSET_MASK)) {
			/* Keep the allocation, mark it zero. */
			ne = e | QCOW2_OFLAG_ZERO;
			e = 0;
		}
	}
	if (!tbl) {
		ret = qcow2_l2_get(d, q, gcl, true, &tbl, &tbl_off);
		if (ret)
			return ret;
	}
	return qcow2_l2_update(d, q, tbl, idx, ne, e);
}

int qcow2_zero(struct disk *d, u64 off, u64 len, bool unmap)
{
	struct qcow2 *q = d->priv;
	u64 done = 0;
	int ret = 0;

	if (d->readonly)
		return -EROFS;
	if (off > d->size || len > d->size - off)
		return -ENOSPC;
	pthread_mutex_lock(&q->lock);
	if (q->corrupt)
		ret = -EIO;
	while (done < len && !ret) {
		u64 pos = off + done;
		u64 gcl = pos >> q->h.cluster_bits;
		u64 in_off = pos & (q->cluster_size - 1);
		u64 n = MIN(len - done, q->cluster_size - in_off);
		u64 *tbl, tbl_off, e;

		if (n == q->cluster_size) {
			ret = q_zero_cluster(d, q, gcl, unmap);
		} else {
			ret = qcow2_l2_get(d, q, gcl, false, &tbl, &tbl_off);
			e = tbl ? be64toh(tbl[gcl % q->l2_entries]) : 0;
			if (!ret && !q_reads_zero(q, gcl, e)) {
				u8 *z = calloc(1, n);

				ret = z ? q_write_chunk(d, q, gcl, in_off,
							NULL, 0, 0, n, z) :
					  -ENOMEM;
				free(z);
			}
		}
		done += n;
	}
	pthread_mutex_unlock(&q->lock);
	return ret;
}
