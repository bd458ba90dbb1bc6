/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Internet checksum (RFC 1071) for tests that build or check IP,
 * UDP and TCP headers: written apart from lkvm's own (virtio/net-rxhdr.c)
 * so that it can judge it.
 */
#ifndef LKVM_TESTS_INET_SUM_H
#define LKVM_TESTS_INET_SUM_H

#include <stddef.h>

#include "types.h"

/* s plus the big-endian 16-bit words of p[0, n), an odd byte padded. */
static inline u32 inet_sum(u32 s, const u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (u32)p[n - 1] << 8;
	return s;
}

/* The carries folded back in: 16 bits, not complemented. */
static inline u16 inet_fold(u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u16)s;
}

#endif
