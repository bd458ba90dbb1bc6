// SPDX-License-Identifier: GPL-2.0
/* qcow2 zlib-compressed clusters, one decompressed at a time. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "qcow2-internal.h"

/* Decompress the cluster described by L2 entry e into q->ccache. */
int qcow2_decompress(struct disk *d, struct qcow2 *q, u64 e)
{
	u32 x = q->csize_shift;
	u64 off = e & ((1ULL << x) - 1);
	u64 nsec = ((e & ~QCOW2_OFLAG_COMPRESSED & ~QCOW2_OFLAG_COPIED) >> x)
		   + 1;
	u64 end = (off & ~511ULL) + nsec * 512, clen;
	z_stream zs;
	int ret, zr;

	if (q->ccache_entry == e)
		return 0;
	if (end <= off || end - off > 2 * q->cluster_size)
		return qcow2_corrupt(d, "compressed cluster", e);
	clen = end - off;
	/* The last sector may run past the end of the file. */
	{
		ssize_t n = pread(d->fd, q->cbuf, clen, off);

		if (n < 0)
			return -errno;
		clen = n;
	}
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -12) != Z_OK)
		return -ENOMEM;
	zs.next_in = q->cbuf;
	zs.avail_in = clen;
	zs.next_out = q->ccache;
	zs.avail_out = q->cluster_size;
	zr = inflate(&zs, Z_FINISH);
	ret = (zr == Z_STREAM_END || (zr == Z_BUF_ERROR && !zs.avail_out)) &&
	      !zs.avail_out ? 0 : qcow2_corrupt(d, "compressed data at", off);
	inflateEnd(&zs);
	q->ccache_entry = ret ? 0 : e;
	return ret;
}
