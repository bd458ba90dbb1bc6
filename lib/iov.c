// SPDX-License-Identifier: GPL-2.0
/* The iovec walker. See include/iov.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "iov.h"
#include "types.h"

enum iov_op { IOV_TO_BUF, IOV_FROM_BUF, IOV_FILL };

/* The one loop: visit [skip, skip + len) of the array, piece by piece. */
static size_t iov_walk(const struct iovec *iov, unsigned int cnt,
		       size_t skip, unsigned char *buf, int c, size_t len,
		       enum iov_op op)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < cnt && done < len; i++) {
		size_t l = iov[i].iov_len, n;
		unsigned char *p;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		p = (unsigned char *)iov[i].iov_base + skip;
		n = MIN(l - skip, len - done);
		if (op == IOV_TO_BUF)
			memcpy(buf + done, p, n);
		else if (op == IOV_FROM_BUF)
			memcpy(p, buf + done, n);
		else
			memset(p, c, n);
		done += n;
		skip = 0;
	}
	return done;
}

size_t iov_length(const struct iovec *iov, unsigned int cnt)
{
	size_t total = 0;
	unsigned int i;

	for (i = 0; i < cnt; i++) {
		if (iov[i].iov_len > SIZE_MAX - total)
			return SIZE_MAX;
		total += iov[i].iov_len;
	}
	return total;
}

size_t iov_to_buf(const struct iovec *iov, unsigned int cnt, size_t skip,
		  void *buf, size_t len)
{
	return iov_walk(iov, cnt, skip, buf, 0, len, IOV_TO_BUF);
}

size_t iov_from_buf(const struct iovec *iov, unsigned int cnt, size_t skip,
		    const void *buf, size_t len)
{
	return iov_walk(iov, cnt, skip, (unsigned char *)buf, 0, len,
			IOV_FROM_BUF);
}

size_t iov_memset(const struct iovec *iov, unsigned int cnt, size_t skip,
		  int c, size_t len)
{
	return iov_walk(iov, cnt, skip, NULL, c, len, IOV_FILL);
}

int iov_slice(const struct iovec *iov, unsigned int cnt, size_t skip,
	      size_t len, struct iovec *out, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < cnt && len; i++) {
		size_t l = iov[i].iov_len, m;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		if (n == max)
			return -E2BIG;
		m = MIN(l - skip, len);
		out[n].iov_base = (unsigned char *)iov[i].iov_base + skip;
		out[n].iov_len = m;
		n++;
		len -= m;
		skip = 0;
	}
	return n;
}

int iov_advance(struct iovec **iov, unsigned int *cnt, size_t n)
{
	while (*cnt && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		(*cnt)--;
	}
	if (!*cnt)
		return n ? -ERANGE : 0;
	(*iov)->iov_base = (unsigned char *)(*iov)->iov_base + n;
	(*iov)->iov_len -= n;
	return 0;
}

static int iov_rw_full(int fd, struct iovec *iov, unsigned int cnt,
		       off_t off, bool write)
{
	/* Empty entries in front would make the call return 0. */
	iov_advance(&iov, &cnt, 0);
	while (cnt) {
		ssize_t n;

		if (cnt == 1)
			n = write ? pwrite(fd, iov->iov_base, iov->iov_len, off) :
				    pread(fd, iov->iov_base, iov->iov_len, off);
		else
			n = write ? pwritev(fd, iov, cnt, off) :
				    preadv(fd, iov, cnt, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		off += n;
		if (iov_advance(&iov, &cnt, n))
			return -EIO;
	}
	return 0;
}

int iov_pread_full(int fd, struct iovec *iov, unsigned int cnt, off_t off)
{
	return iov_rw_full(fd, iov, cnt, off, false);
}

int iov_pwrite_full(int fd, struct iovec *iov, unsigned int cnt, off_t off)
{
	return iov_rw_full(fd, iov, cnt, off, true);
}
