/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A driver's side of a split virtqueue (virtio 1.x 2.7), for the fuzz
 * targets that feed a device through its rings: one descriptor written
 * in place, one head made available with its index published.
 */
#ifndef LKVM_FUZZ_SPLIT_RING_H
#define LKVM_FUZZ_SPLIT_RING_H

#include <endian.h>
#include <string.h>

#include "types.h"

/* The 16-byte descriptor at d, little-endian. */
static inline void split_desc_put(u8 *d, u64 addr, u32 len, u16 flags,
				  u16 next)
{
	u64 a = htole64(addr);
	u32 l = htole32(len);
	u16 f = htole16(flags), n = htole16(next);

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &f, 2);
	memcpy(d + 14, &n, 2);
}

/* head into the available ring at av (qsize entries); *idx moves on. */
static inline void split_avail_put(u8 *av, u16 *idx, unsigned int qsize,
				   u16 head)
{
	u16 v = htole16(head);

	memcpy(av + 4 + 2 * (*idx % qsize), &v, 2);
	(*idx)++;
	v = htole16(*idx);
	__atomic_store_n((u16 *)(av + 2), v, __ATOMIC_RELEASE);
}

#endif
