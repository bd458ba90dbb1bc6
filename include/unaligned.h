/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loads and stores of little- and big-endian integers at any alignment:
 * guest-visible structures (boot headers, virtio config, channel-subsystem
 * blocks) read and written byte-order-correct on every host.
 */
#ifndef LKVM_UNALIGNED_H
#define LKVM_UNALIGNED_H

#include <endian.h>
#include <string.h>

#include "types.h"

/* get_le16(), put_le16(), get_be16(), ...: e is le or be. */
#define LKVM_UNALIGNED_ACCESSORS(e, bits)				\
static inline u##bits get_##e##bits(const void *p)			\
{									\
	u##bits v;							\
									\
	memcpy(&v, p, sizeof(v));					\
	return e##bits##toh(v);						\
}									\
static inline void put_##e##bits(void *p, u##bits v)			\
{									\
	v = hto##e##bits(v);						\
	memcpy(p, &v, sizeof(v));					\
}

LKVM_UNALIGNED_ACCESSORS(le, 16)
LKVM_UNALIGNED_ACCESSORS(le, 32)
LKVM_UNALIGNED_ACCESSORS(le, 64)
LKVM_UNALIGNED_ACCESSORS(be, 16)
LKVM_UNALIGNED_ACCESSORS(be, 32)
LKVM_UNALIGNED_ACCESSORS(be, 64)

#undef LKVM_UNALIGNED_ACCESSORS

#endif
