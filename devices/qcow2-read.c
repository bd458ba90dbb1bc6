// SPDX-License-Identifier: GPL-2.0
/*
 * The qcow2 read path: L2 lookup, backing file, zero and compressed
 * clusters.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "iov.h"
#include "qcow2-internal.h"

/* Read part of one guest cluster into iov[skip, skip + len). */
static int q_read_chunk(struct disk *d, struct qcow2 *q, u64 gcl, u64 in_off,
			const struct iovec *iov, int cnt, u64 skip, u64 len,
			struct iovec *tmp, int tmpmax)
{
	u64 *tbl, tbl_off, e, host;
	int ret, n;

	ret = qcow2_l2_get(d, q, gcl, false, &tbl, &tbl_off);
	if (ret)
		return ret;
	e = tbl ? be64toh(tbl[gcl % q->l2_entries]) : 0;
	if (e & QCOW2_OFLAG_COMPRESSED) {
		ret = qcow2_decompress(d, q, e);
		if (ret)
			return ret;
		iov_from_buf(iov, cnt, skip, q->ccache + in_off, len);
		return 0;
	}
	if (e & QCOW2_L2E_RESERVED)
		return qcow2_corrupt(d, "L2 entry", e);
	host = e & QCOW2_OFFSET_MASK;
	if (e & QCOW2_OFLAG_ZERO) {
		iov_memset(iov, cnt, skip, 0, len);
		return 0;
	}
	if (!host) {
		u64 goff = (gcl << q->h.cluster_bits) + in_off, blen = 0;

		if (q->backing && goff < q->backing->size)
			blen = MIN(len, q->backing->size - goff);
		if (blen) {
			n = iov_slice(iov, cnt, skip, blen, tmp, tmpmax);
			if (n < 0)
				return n;
			ret = 0;
			{
				struct disk_req r = {
					.op = DISK_OP_READ, .off = goff,
					.len = blen, .iov = tmp, .iovcnt = n,
				};
				disk_req_execute(q->backing, &r);
				if (r.result < 0)
					ret = r.result;
			}
			if (ret)
				return ret;
		}
		iov_memset(iov, cnt, skip + blen, 0, len - blen);
		return 0;
	}
	if (!IS_ALIGNED(host, q->cluster_size))
		return qcow2_corrupt(d, "L2 entry", e);
	n = iov_slice(iov, cnt, skip, len, tmp, tmpmax);
	if (n < 0)
		return n;
	return iov_pread_full(d->fd, tmp, n, host + in_off);
}

ssize_t qcow2_preadv(struct disk *d, const struct iovec *iov,
		     int iovcnt, u64 off)
{
	struct qcow2 *q = d->priv;
	u64 total = 0, len, done = 0;
	struct iovec *tmp;
	int ret = 0;

	len = iov_length(iov, iovcnt);
	if (off > d->size)
		return -EINVAL;
	total = MIN(len, d->size - off);
	tmp = malloc(sizeof(*tmp) * (iovcnt + 1));
	if (!tmp)
		return -ENOMEM;
	pthread_mutex_lock(&q->lock);
	while (done < total) {
		u64 pos = off + done;
		u64 gcl = pos >> q->h.cluster_bits;
		u64 in_off = pos & (q->cluster_size - 1);
		u64 n = MIN(total - done, q->cluster_size - in_off);

		ret = q_read_chunk(d, q, gcl, in_off, iov, iovcnt, done, n,
				   tmp, iovcnt + 1);
		if (ret)
			break;
		done += n;
	}
	pthread_mutex_unlock(&q->lock);
	free(tmp);
	return ret ? ret : (ssize_t)done;
}

int qcow2_map_read(struct disk *d, u64 off, u64 len, u64 *host)
{
	struct qcow2 *q = d->priv;
	u64 pos = off, expect = 0;
	int ret = 1;

	if (off > d->size || len > d->size - off || !len)
		return 0;
	/*
	 * This runs on the I/O thread: never wait for a request holding the
	 * lock (an allocating write syncs under it). Busy: not mapped, the
	 * read takes the metadata path.
	 */
	if (pthread_mutex_trylock(&q->lock))
		return 0;
	/* Nor commit dirty L2 entries to make room in the cache. */
	q->no_commit = true;
	while (pos < off + len) {
		u64 gcl = pos >> q->h.cluster_bits;
		u64 in_off = pos & (q->cluster_size - 1);
		u64 n = MIN(off + len - pos, q->cluster_size - in_off);
		u64 *tbl, tbl_off, e, h;

		ret = qcow2_l2_get(d, q, gcl, false, &tbl, &tbl_off);
		if (ret == -EAGAIN)
			ret = 0;
		if (ret || !tbl)
			break;
		e = be64toh(tbl[gcl % q->l2_entries]);
		h = e & QCOW2_OFFSET_MASK;
		if ((e & (QCOW2_OFLAG_COMPRESSED | QCOW2_L2E_RESERVED |
			  QCOW2_OFLAG_ZERO)) || !h ||
		    !IS_ALIGNED(h, q->cluster_size) ||
		    (pos != off && h + in_off != expect)) {
			ret = 0;
			break;
		}
		if (pos == off)
			*host = h + in_off;
		expect = h + in_off + n;
		pos += n;
		ret = 1;
	}
	q->no_commit = false;
	ret = ret < 0 ? ret : ret && pos == off + len;
	/* Out until map_done(): a commit frees nothing meanwhile. */
	if (ret == 1)
		__atomic_add_fetch(&q->mapped_reads, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&q->lock);
	return ret;
}

void qcow2_map_done(struct disk *d)
{
	struct qcow2 *q = d->priv;

	qcow2_count_put(q, &q->mapped_reads);
}
