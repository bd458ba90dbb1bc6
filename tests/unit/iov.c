// SPDX-License-Identifier: GPL-2.0
/* lib/iov.c: the walker stays inside the array and says where it stops. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iov.h"
#include "tap.h"

/* Three buffers of 3, 0 and 5 bytes, then one of 4: 12 bytes in all. */
static unsigned char a[3], b[1], c[5], d[4];

static void setup(struct iovec *v)
{
	v[0] = (struct iovec){ a, sizeof(a) };
	v[1] = (struct iovec){ b, 0 };
	v[2] = (struct iovec){ c, sizeof(c) };
	v[3] = (struct iovec){ d, sizeof(d) };
}

static void fill_seq(void)
{
	unsigned char *bufs[] = { a, c, d };
	size_t lens[] = { sizeof(a), sizeof(c), sizeof(d) };
	unsigned int i, j, k = 0;

	for (i = 0; i < 3; i++)
		for (j = 0; j < lens[i]; j++)
			bufs[i][j] = k++;
	b[0] = 0xee;
}

/* The full-transfer helpers on a temporary file. */
static void test_full_io(void)
{
	char path[] = "/tmp/lkvm-iov-XXXXXX";
	unsigned char x[4] = "abcd", y[6] = "efghij", in[16];
	struct iovec w[3], r[2], one;
	int fd = mkstemp(path);

	if (fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	unlink(path);
	w[0] = (struct iovec){ NULL, 0 };
	w[1] = (struct iovec){ x, sizeof(x) };
	w[2] = (struct iovec){ y, sizeof(y) };
	ok(!iov_pwrite_full(fd, w, 3, 5),
	   "pwrite_full writes an array with an empty entry in front");
	memset(in, 0, sizeof(in));
	ok(pread(fd, in, sizeof(in), 0) == 15 && !memcmp(in + 5, "abcdefghij", 10),
	   "pwrite_full put every byte at its offset");
	memset(in, 0, sizeof(in));
	r[0] = (struct iovec){ in, 3 };
	r[1] = (struct iovec){ in + 3, 7 };
	ok(!iov_pread_full(fd, r, 2, 5) && !memcmp(in, "abcdefghij", 10),
	   "pread_full gathers into two entries");
	one = (struct iovec){ in, 2 };
	ok(!iov_pread_full(fd, &one, 1, 13) && !memcmp(in, "ij", 2),
	   "pread_full of one entry (pread) up to the end of file");
	one = (struct iovec){ in, 4 };
	ok(iov_pread_full(fd, &one, 1, 13) == -EIO,
	   "pread_full past the end of file is -EIO");
	one = (struct iovec){ in, 0 };
	ok(!iov_pread_full(fd, &one, 1, 100),
	   "pread_full of nothing does no I/O and succeeds");
	close(fd);
	one = (struct iovec){ in, 4 };
	ok(iov_pread_full(fd, &one, 1, 0) == -EBADF &&
	   iov_pwrite_full(fd, w + 1, 2, 0) == -EBADF,
	   "a failing call's errno comes back");
}

int main(void)
{
	unsigned char buf[32], want[32];
	struct iovec v[4], out[4], *p;
	struct iovec big[2] = { { a, SIZE_MAX - 1 }, { b, 2 } };
	unsigned int i, cnt;
	size_t n;
	int r;

	setup(v);
	ok(iov_length(v, 4) == 12, "length sums every entry");
	ok(iov_length(v, 0) == 0, "length of an empty array is 0");
	ok(iov_length(big, 2) == SIZE_MAX, "length saturates on overflow");

	fill_seq();
	memset(buf, 0xaa, sizeof(buf));
	n = iov_to_buf(v, 4, 0, buf, 12);
	for (i = 0; i < 12; i++)
		want[i] = i;
	ok(n == 12 && !memcmp(buf, want, 12) && buf[12] == 0xaa,
	   "to_buf gathers all entries in order, skipping the empty one");

	memset(buf, 0xaa, sizeof(buf));
	n = iov_to_buf(v, 4, 2, buf, 7);
	ok(n == 7 && !memcmp(buf, want + 2, 7) && buf[7] == 0xaa,
	   "to_buf from an offset across entry boundaries");

	memset(buf, 0xaa, sizeof(buf));
	n = iov_to_buf(v, 4, 9, buf, 10);
	ok(n == 3 && !memcmp(buf, want + 9, 3) && buf[3] == 0xaa,
	   "to_buf stops at the array's end and says how much it copied");
	ok(iov_to_buf(v, 4, 12, buf, 4) == 0 &&
	   iov_to_buf(v, 4, SIZE_MAX, buf, 4) == 0,
	   "to_buf with a skip at or past the end copies nothing");

	for (i = 0; i < 12; i++)
		buf[i] = 100 + i;
	memset(a, 0, sizeof(a));
	memset(c, 0, sizeof(c));
	memset(d, 0, sizeof(d));
	n = iov_from_buf(v, 4, 4, buf, 20);
	ok(n == 8 && a[0] == 0 && c[0] == 0 && c[1] == 100 && c[4] == 103 &&
	   d[0] == 104 && d[3] == 107 && b[0] == 0xee,
	   "from_buf scatters at an offset, stays inside the array");

	n = iov_memset(v, 4, 1, 0x5a, 9);
	ok(n == 9 && a[0] == 0 && a[1] == 0x5a && a[2] == 0x5a &&
	   c[0] == 0x5a && c[4] == 0x5a && d[0] == 0x5a && d[1] == 0x5a &&
	   d[2] == 106 && b[0] == 0xee, "memset fills exactly [skip, skip+len)");

	r = iov_slice(v, 4, 2, 5, out, 4);
	ok(r == 2 && out[0].iov_base == a + 2 && out[0].iov_len == 1 &&
	   out[1].iov_base == c && out[1].iov_len == 4,
	   "slice describes a middle range, no empty entries");
	r = iov_slice(v, 4, 3, SIZE_MAX, out, 4);
	ok(r == 2 && out[0].iov_base == c && out[0].iov_len == 5 &&
	   out[1].iov_base == d && out[1].iov_len == 4,
	   "slice to the end with len SIZE_MAX");
	ok(iov_slice(v, 4, 0, 12, out, 2) == -E2BIG,
	   "slice into too few entries is -E2BIG");
	ok(iov_slice(v, 4, 0, 3, out, 1) == 1 && out[0].iov_len == 3,
	   "slice that fits max exactly succeeds");
	ok(iov_slice(v, 4, 12, 4, out, 4) == 0,
	   "slice past the end is empty");

	setup(v);
	p = v;
	cnt = 4;
	r = iov_advance(&p, &cnt, 4);
	ok(!r && p == &v[2] && cnt == 2 && v[2].iov_base == c + 1 &&
	   v[2].iov_len == 4, "advance skips whole and empty entries, trims the next");
	r = iov_advance(&p, &cnt, 4);
	ok(!r && p == &v[3] && cnt == 1 && v[3].iov_len == 4,
	   "advance by exactly an entry lands on the next one untouched");
	r = iov_advance(&p, &cnt, 4);
	ok(!r && cnt == 0, "advance by exactly the rest empties the array");
	setup(v);
	p = v;
	cnt = 4;
	r = iov_advance(&p, &cnt, 13);
	ok(r == -ERANGE && cnt == 0, "advance past the end is -ERANGE");
	p = v;
	cnt = 0;
	ok(!iov_advance(&p, &cnt, 0) && p == v, "advance of nothing is a no-op");

	test_full_io();
	return tap_done();
}
