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

#define LKVM_UNALIGNED_ACCESSORS(bits)					\
static inline u##bits get_le##bits(const void *p)			\
{									\
	u##bits v;							\
									\
	memcpy(&v, p, sizeof(v));					\
	return le##bits##toh(v);					\
}									\
static inline u##bits get_be##bits(const void *p)			\
{									\
	u##bits v;							\
									\
	memcpy(&v, p, sizeof(v));					\
	return be##bits##toh(v);					\
}									\
static inline void put_le##bits(void *p, u##bits v)			\
{									\
	v = htole##bits(v);						\
	memcpy(p, &v, sizeof(v));					\
}									\
static inline void put_be##bits(void *p, u##bits v)			\
{									\
	v = htobe##bits(v);						\
	memcpy(p, &v, sizeof(v));					\
}

LKVM_UNALIGNED_ACCESSORS(16)
LKVM_UNALIGNED_ACCESSORS(32)
LKVM_UNALIGNED_ACCESSORS(64)

#undef LKVM_UNALIGNED_ACCESSORS

#endif
