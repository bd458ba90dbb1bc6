/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel loaders' fuzz targets fill guest RAM with RAM_MARK before a
 * load and ask afterwards which bytes it wrote.
 */
#ifndef LKVM_FUZZ_RAM_MARK_H
#define LKVM_FUZZ_RAM_MARK_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"

#define RAM_MARK	0xa5

/* Does every byte of p[0, len) still hold RAM_MARK? */
static inline bool ram_untouched(const u8 *p, u64 len)
{
	static u8 ref[4096];
	u64 off;

	if (!ref[0])
		memset(ref, RAM_MARK, sizeof(ref));
	for (off = 0; off < len; off += sizeof(ref))
		if (memcmp(p + off, ref, MIN((u64)sizeof(ref), len - off)))
			return false;
	return true;
}

/*
 * Made once: guest RAM of ram_len bytes, and an initrd of initrd_len
 * whose pattern tells any offset from its neighbours (a misplaced copy
 * shows). Aborts without memory.
 */
static inline void loader_buffers(u8 **ram, size_t ram_len, u8 **initrd,
				  size_t initrd_len)
{
	size_t i;

	if (*ram)
		return;
	*ram = malloc(ram_len);
	*initrd = malloc(initrd_len);
	if (!*ram || !*initrd)
		abort();
	for (i = 0; i < initrd_len; i++)
		(*initrd)[i] = (u8)(i * 7 + i / 251);
}

#endif
