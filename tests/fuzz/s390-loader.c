// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the s390x kernel loader (vmm/s390x/loader.c): a
 * kernel file of any bytes with a command line and an initrd, into a RAM
 * whose size the input chooses.
 *
 * Input:
 *   u8 flags   bit 0: no command line at all (NULL)
 *   u8 ram     RAM is (ram % 128 + 1) * 128 KiB at 0
 *   u8 clen    command line length (bytes from the input, NULs made 'x')
 *   le32 ilen  initrd length (ilen % 16 MiB; its bytes are a pattern)
 *   then clen bytes of command line, then the kernel image.
 *
 * RAM is filled with a marker before each load. Invariants (abort =
 * finding):
 * - a refused image: -EINVAL or -E2BIG with a reason, and no byte of
 *   guest memory changed;
 * - an ELF file, an image larger than RAM, a command line or initrd for an
 *   image that is not Linux's are refused;
 * - an accepted image: at 0 byte for byte, but for the parameter area's
 *   initrd fields and command line; Linux's ("S390EP" at 0x10008) entered
 *   at 0x10000, any other at its short IPL PSW's address (bytes 4-7, 31
 *   bits);
 * - Linux's command line at 0x10480, NUL-terminated, within the size the
 *   image gives at 0x10430 (896 when 0), zero-filled to that size, all of
 *   it inside the image (it is the image's own parameter area);
 * - the initrd: intact, 1 MiB aligned, at 8 MiB or past the image, inside
 *   RAM, its start and size big-endian at 0x10408 and 0x10410;
 * - no byte outside the image and the initrd changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ram-mark.h"
#include "s390x/s390x.h"
#include "unaligned.h"

#define MARK		RAM_MARK
#define MAX_RAM		(16ULL << 20)
#define MAX_INITRD	(16U << 20)

struct fz {
	u8 *ram;
	u64 ram_size;
	struct guest_mem mem;
	u8 *initrd;
	char cmdline[256];
};

static struct fz F;
static char last_result[160];

/* No byte of [from, to) differs from the marker. */
static bool untouched(u64 from, u64 to)
{
	return from >= to || ram_untouched(F.ram + from, to - from);
}

static bool same(const u8 *a, const u8 *b, u64 from, u64 to)
{
	return from >= to || !memcmp(a + from, b + from, to - from);
}

static void check_linux(const u8 *k, size_t len, const char *cmdline,
			size_t ilen, const struct s390_boot *b)
{
	u64 max = get_be64(k + S390_PARM_MAX_CMDLINE) ?:
		  S390_LEGACY_CMDLINE_MAX;
	size_t clen = cmdline ? strlen(cmdline) : 0;
	const u8 *cl = F.ram + S390_PARM_CMDLINE;
	u64 i;

	if (b->entry != S390_KERNEL_START || clen + 1 > max ||
	    S390_PARM_CMDLINE + max > len ||
	    memcmp(cl, cmdline ? cmdline : "", clen))
		abort();
	for (i = clen; i < max; i++)
		if (cl[i])
			abort();
	/* The image, but for the initrd's fields and the command line. */
	if (!same(F.ram, k, 0, S390_PARM_INITRD_START) ||
	    !same(F.ram, k, S390_PARM_INITRD_SIZE + 8, S390_PARM_CMDLINE) ||
	    !same(F.ram, k, S390_PARM_CMDLINE + max, len))
		abort();
	if (!ilen) {
		if (b->initrd_size || b->initrd_start ||
		    !same(F.ram, k, S390_PARM_INITRD_START,
			  S390_PARM_INITRD_SIZE + 8))
			abort();
		return;
	}
	if (b->initrd_size != ilen || b->initrd_start % SZ_1M ||
	    b->initrd_start < MAX(S390_INITRD_DEFAULT, (u64)len) ||
	    b->initrd_start + ilen > F.ram_size ||
	    memcmp(F.ram + b->initrd_start, F.initrd, ilen) ||
	    get_be64(F.ram + S390_PARM_INITRD_START) != b->initrd_start ||
	    get_be64(F.ram + S390_PARM_INITRD_SIZE) != ilen)
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct s390_boot b;
	const char *cmdline;
	size_t clen, ilen, klen, i;
	const u8 *k;
	int r;

	if (size < 7)
		return 0;
	log_set_level(LOG_ERROR);
	loader_buffers(&F.ram, MAX_RAM, &F.initrd, MAX_INITRD);
	F.ram_size = (u64)(data[1] % 128 + 1) << 17;
	memset(&F.mem, 0, sizeof(F.mem));
	if (guest_mem_add(&F.mem, 0, F.ram_size, F.ram, false))
		abort();
	memset(F.ram, MARK, F.ram_size);

	clen = MIN((size_t)data[2], size - 7);
	ilen = get_le32(data + 3) % MAX_INITRD;
	for (i = 0; i < clen; i++)
		F.cmdline[i] = data[7 + i] ? (char)data[7 + i] : 'x';
	F.cmdline[clen] = '\0';
	cmdline = data[0] & 1 ? NULL : F.cmdline;
	k = data + 7 + clen;
	klen = size - 7 - clen;

	r = s390_load_kernel(&F.mem, F.ram_size, k, klen,
			     ilen ? F.initrd : NULL, ilen, cmdline, &b);
	snprintf(last_result, sizeof(last_result), "%s",
		 r ? b.error : b.is_linux ? "Linux" : "IPL image");
	if (r) {
		if ((r != -EINVAL && r != -E2BIG) || !b.error[0] ||
		    !untouched(0, F.ram_size))
			abort();
		return 0;
	}
	if (klen < 8 || !memcmp(k, "\177ELF", 4) || klen > F.ram_size ||
	    b.kernel_end != klen)
		abort();
	if (b.is_linux != (klen >= S390_LINUX_MAGIC + 6 &&
			   !memcmp(k + S390_LINUX_MAGIC, "S390EP", 6)))
		abort();
	if (b.is_linux) {
		check_linux(k, klen, cmdline, ilen, &b);
	} else if (ilen || (cmdline && *cmdline) ||
		   b.entry != (get_be32(k + 4) & 0x7fffffffu) ||
		   !same(F.ram, k, 0, klen) || b.initrd_size) {
		abort();
	}
	if (!untouched(klen, b.initrd_size ? b.initrd_start : F.ram_size) ||
	    (b.initrd_size &&
	     !untouched(b.initrd_start + b.initrd_size, F.ram_size)))
		abort();
	return 0;
}

#define FUZZ_REPLAY_AFTER(path) printf("%s: %s\n", path, last_result)
#include "replay.h"
