/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One walker over struct iovec arrays, for the disk back-ends and the
 * virtio queue and block code: total length, copy to and from a flat
 * buffer, fill, slice out a byte range, and advance past a short
 * transfer.
 *
 * Every function takes the array and its count and stays inside them: a
 * skip or length beyond the array's end is not an error for the copies
 * (they return how much they did), while iov_slice() and iov_advance()
 * say so. Entries of length 0 are passed over and never emitted.
 */
#ifndef LKVM_IOV_H
#define LKVM_IOV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* The array's total length in bytes, SIZE_MAX if that overflows. */
size_t iov_length(const struct iovec *iov, unsigned int cnt);

/*
 * Copy up to len bytes, starting skip bytes into the array, to buf.
 * Returns the bytes copied: len, or less where the array ends first.
 */
size_t iov_to_buf(const struct iovec *iov, unsigned int cnt, size_t skip,
		  void *buf, size_t len);

/* The other way: buf into the array at skip. Returns the bytes copied. */
size_t iov_from_buf(const struct iovec *iov, unsigned int cnt, size_t skip,
		    const void *buf, size_t len);

/* Set len bytes of the array at skip to c. Returns the bytes set. */
size_t iov_memset(const struct iovec *iov, unsigned int cnt, size_t skip,
		  int c, size_t len);

/*
 * Describe the bytes [skip, skip + len) of the array in out[0 .. max)
 * (pointers into the same buffers; len SIZE_MAX: to the end). Returns
 * the number of entries written, fewer bytes than len where the array
 * ends first, or -E2BIG if out has fewer than the max entries needed.
 */
int iov_slice(const struct iovec *iov, unsigned int cnt, size_t skip,
	      size_t len, struct iovec *out, unsigned int max);

/*
 * Consume n bytes from the front of the array: *iov and *cnt move past
 * the entries used up, and the first entry left, if partly used, is
 * shortened in place. Returns 0, or -ERANGE if n is more than the array
 * holds (*cnt is then 0).
 */
int iov_advance(struct iovec **iov, unsigned int *cnt, size_t n);

/*
 * Read (or write) all of the array at file offset off, going on after
 * short transfers and EINTR: 0, -errno, or -EIO where the file gives or
 * takes nothing more (end of file). The array is consumed in place, as
 * by iov_advance(). One entry goes through pread()/pwrite(), more
 * through preadv()/pwritev().
 */
int iov_pread_full(int fd, struct iovec *iov, unsigned int cnt, off_t off);
int iov_pwrite_full(int fd, struct iovec *iov, unsigned int cnt, off_t off);

#endif
