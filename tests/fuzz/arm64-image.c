// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the arm64 Image loader (vmm/arm64/image.c): a
 * kernel file of any bytes and an initrd, into a RAM whose size and start
 * the input chooses.
 *
 * Input:
 *   u8 flags   bit 0: RAM ends 64 KiB short of a 2 MiB boundary;
 *              bit 1: RAM starts 64 KiB past ARM64_RAM_BASE
 *   u8 ram     RAM is (ram % 30 + 1) MiB (less 64 KiB with bit 0)
 *   le32 ilen  initrd length (ilen % 32 MiB; its bytes are a pattern)
 *   then the kernel image.
 *
 * RAM is filled with a marker before each load. Invariants (abort =
 * finding), against this file's own reading of the header
 * (Documentation/arm64/booting.rst):
 * - a refused image: -EINVAL exactly when the header is not a usable
 *   little-endian Image (short, no magic, big-endian, text_offset not a
 *   4K multiple below 2 MiB), else -E2BIG exactly when the kernel with
 *   its image_size and the device tree's 2 MiB, or then the initrd, do
 *   not fit; a reason given; no byte of guest memory changed;
 * - an accepted one: the kernel at the 2 MiB aligned start of RAM plus
 *   text_offset (0x80000 when image_size is 0), byte for byte, entered
 *   there; kernel_end covers image_size and the file; the device tree's
 *   block 2 MiB aligned, inside RAM, above the kernel, untouched; the
 *   initrd intact, 4K aligned, between the kernel's end and the device
 *   tree; nothing else changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/arm64.h"
#include "log.h"
#include "ram-mark.h"
#include "unaligned.h"

#define MARK		RAM_MARK
#define MAX_RAM		(31ULL << 20)
#define MAX_INITRD	(32U << 20)


struct fz {
	u8 *ram;
	u64 ram_base, ram_size;
	struct guest_mem mem;
	u8 *initrd;
};

static struct fz F;
static char last_result[200];

static bool untouched(u64 from, u64 to)
{
	return from >= to || ram_untouched(F.ram + from, to - from);
}

static unsigned __int128 align_up(unsigned __int128 v, u64 a)
{
	return (v + a - 1) / a * a;
}

/* Whether the header makes a usable Image; its text_offset and size. */
static bool header_ok(const u8 *k, size_t len, u64 *text, u64 *size)
{
	if (len < 64 || memcmp(k + 56, "ARM\x64", 4) ||
	    (get_le64(k + 24) & 1))
		return false;
	*size = get_le64(k + 16);
	*text = *size ? get_le64(k + 8) : 0x80000;
	return *text < SZ_2M && !(*text % SZ_4K);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u64 text = 0, isize = 0, end, dtb, start;
	struct arm64_boot b;
	size_t ilen, klen;
	unsigned __int128 kend;
	const u8 *k;
	bool fits;
	int r;

	if (size < 6)
		return 0;
	log_set_level(LOG_ERROR);
	loader_buffers(&F.ram, MAX_RAM, &F.initrd, MAX_INITRD);
	F.ram_base = ARM64_RAM_BASE + (data[0] & 2 ? SZ_64K : 0);
	F.ram_size = (u64)(data[1] % 30 + 1) << 20;
	if (data[0] & 1)
		F.ram_size -= SZ_64K;
	memset(&F.mem, 0, sizeof(F.mem));
	if (guest_mem_add(&F.mem, F.ram_base, F.ram_size, F.ram, false))
		abort();
	memset(F.ram, MARK, F.ram_size);
	ilen = get_le32(data + 2) % MAX_INITRD;
	k = data + 6;
	klen = size - 6;

	r = arm64_load_image(&F.mem, F.ram_base, F.ram_size, k, klen,
			     ilen ? F.initrd : NULL, ilen, &b);
	snprintf(last_result, sizeof(last_result), "%s",
		 r ? b.error : "loaded");

	if (!header_ok(k, klen, &text, &isize)) {
		if (r != -EINVAL || !b.error[0] || !untouched(0, F.ram_size))
			abort();
		return 0;
	}
	/* Where it must go, in 128 bits: nothing wraps here. */
	end = F.ram_base + F.ram_size;
	start = ALIGN_UP(F.ram_base, SZ_2M) + text;
	kend = (unsigned __int128)start + MAX((u64)klen, isize);
	dtb = ALIGN_DOWN(end, SZ_2M) - SZ_2M;
	fits = F.ram_size >= 2 * SZ_2M && align_up(kend, SZ_2M) <= dtb &&
	       (!ilen || ilen <= dtb - (u64)align_up(kend, SZ_4K));
	if (!fits) {
		if (r != -E2BIG || !b.error[0] || !untouched(0, F.ram_size))
			abort();
		return 0;
	}
	if (r || b.kernel_start != start || b.entry != start ||
	    b.kernel_end != (u64)kend || b.dtb_start != dtb ||
	    memcmp(F.ram + (start - F.ram_base), k, klen))
		abort();
	/* The device tree's block, then the rest, untouched. */
	if (!untouched(dtb - F.ram_base, dtb + SZ_2M - F.ram_base))
		abort();
	if (!untouched(0, start - F.ram_base))
		abort();
	if (!ilen) {
		if (b.initrd_size || b.initrd_start ||
		    !untouched(start + klen - F.ram_base, F.ram_size))
			abort();
		return 0;
	}
	if (b.initrd_size != ilen || b.initrd_start % SZ_4K ||
	    b.initrd_start < b.kernel_end || b.initrd_start + ilen > dtb ||
	    memcmp(F.ram + (b.initrd_start - F.ram_base), F.initrd, ilen) ||
	    !untouched(start + klen - F.ram_base,
		       b.initrd_start - F.ram_base) ||
	    !untouched(b.initrd_start + ilen - F.ram_base, F.ram_size))
		abort();
	return 0;
}

#define FUZZ_REPLAY_AFTER(path) printf("%s: %s\n", path, last_result)
#include "replay.h"
