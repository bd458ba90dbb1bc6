// SPDX-License-Identifier: GPL-2.0
/*
 * bzImage loader: Linux boot protocol 2.12+. By default the compressed
 * kernel (the header's payload) is decompressed on the host and its ELF
 * loaded through the 64-bit boot protocol with the bzImage's header in
 * the zero page, as the kernel's own decompressor would leave it; with
 * --guest-decompress, or where the kernel wants what only its decompressor
 * does (KASLR), the protected-mode part is loaded and entered at its
 * 64-bit entry point (start + 0x200). The real-mode setup code is never
 * run; only its header is copied into the zero page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "x86/boot.h"
#include "x86/bzimage-payload.h"
#include "x86/layout.h"
#include "loader.h"

#define BP_MIN_VERSION		0x0206
#define BP_XLF_VERSION		0x020c	/* xloadflags appear in 2.12 */
#define BP_HDR_END_NEEDED	0x0264	/* through init_size (2.10) */
#define BP_HDR_END_MAX		(BP_SETUP_HEADER_OFF + \
				 sizeof(struct bp_setup_header))

struct bz_layout {
	u64 setup_size;		/* boot sector + setup code, in bytes */
	u64 hdr_end;		/* end of the setup header in the file */
	u16 version;
};

bool x86_is_bzimage(const u8 *buf, size_t len)
{
	return in_buf(len, BP_HDRS_OFF, 4) &&
	       get_le32(buf + BP_HDRS_OFF) == BP_HDRS_MAGIC;
}

static int bz_parse(const u8 *buf, size_t len, struct bz_layout *l,
		    const char **why)
{
	unsigned int sects;

	if (!x86_is_bzimage(buf, len)) {
		*why = "no \"HdrS\" bzImage header";
		return -ENOEXEC;
	}
	if (!in_buf(len, 0x206, 2)) {
		*why = "truncated bzImage header";
		return -ENOEXEC;
	}
	l->version = get_le16(buf + 0x206);
	if (l->version < BP_MIN_VERSION) {
		*why = "bzImage boot protocol is older than 2.06";
		return -ENOEXEC;
	}
	sects = buf[BP_SETUP_HEADER_OFF] ?: BP_SETUP_DEFAULT_SECTS;
	l->setup_size = (u64)(sects + 1) * BP_SECTOR_SIZE;
	if (l->setup_size > len) {
		*why = "truncated bzImage: setup code runs past the end of the file";
		return -ENOEXEC;
	}
	l->hdr_end = BP_JUMP_OFF + 2 + buf[BP_JUMP_OFF + 1];
	if (l->hdr_end < BP_HDR_END_NEEDED) {
		*why = "malformed bzImage: setup header (end = 0x202 + byte at 0x201) too short for protocol 2.12";
		return -ENOEXEC;
	}
	if (l->version < BP_XLF_VERSION ||
	    !(get_le16(buf + 0x236) & BP_XLF_KERNEL_64)) {
		*why = "bzImage has no 64-bit entry point (XLF_KERNEL_64 clear or protocol before 2.12)";
		return -ENOEXEC;
	}
	if (len - l->setup_size <= BP_ENTRY64_OFF) {
		*why = "truncated bzImage: protected-mode kernel too short for the 64-bit entry at 0x200";
		return -ENOEXEC;
	}
	return 0;
}

int x86_bzimage_check(const u8 *buf, size_t len, const char **why)
{
	struct bz_layout l;

	return bz_parse(buf, len, &l, why);
}

#define BP_PAYLOAD_VERSION	0x0208	/* payload_offset/length */

/* A command line that turns KASLR off ("nokaslr" as a whole word). */
static bool cmdline_nokaslr(const char *c)
{
	const char *p = c;

	while ((p = strstr(p, "nokaslr"))) {
		if ((p == c || p[-1] == ' ') && (!p[7] || p[7] == ' '))
			return true;
		p += 7;
	}
	return false;
}

/*
 * Decompress the payload and load its ELF. -EAGAIN: leave it to the
 * guest's decompressor (out->guest_decompress_why says why).
 */
static int bz_load_decompressed(const struct guest_mem *mem,
				const struct x86_mem_map *map,
				const struct boot_input *in,
				const struct bz_layout *l,
				const struct bp_setup_header *hdr,
				struct boot_state *out)
{
	const u8 *pm = in->kernel + l->setup_size;
	u64 pm_len = in->kernel_len - l->setup_size;
	enum bz_payload_format fmt;
	struct x86_elf_info info;
	const char *why;
	size_t elf_len;
	u8 *elf;
	int ret;

	if (!in_buf(pm_len, hdr->payload_offset, hdr->payload_length))
		return x86_load_fail(out, -ENOEXEC,
				     "malformed bzImage: payload (0x%x bytes at 0x%x) runs past the end of the file",
				     hdr->payload_length, hdr->payload_offset);
	pm += hdr->payload_offset;
	fmt = bz_payload_detect(pm, hdr->payload_length);
	ret = bz_payload_decompress(pm, hdr->payload_length,
				    x86_map_low_ram_end(map), &elf, &elf_len,
				    &why);
	if (ret)
		return x86_load_fail(out, ret == -ENOMEM ? -ENOMEM : -ENOEXEC,
				     "bzImage payload (%s): %s%s",
				     bz_payload_format_name(fmt), why,
				     ret == -EOPNOTSUPP ?
				     "; --guest-decompress runs the kernel's own decompressor" :
				     "");
	if (x86_elf_parse(elf, elf_len, &info, &why) || !info.is64) {
		free(elf);
		return x86_load_fail(out, -ENOEXEC,
				     "bzImage payload (%s) is not a 64-bit ELF kernel",
				     bz_payload_format_name(fmt));
	}
	/* What the header says the kernel needs bounds what it may become. */
	if (info.hi - info.lo > hdr->init_size) {
		free(elf);
		return x86_load_fail(out, -ENOEXEC,
				     "bzImage payload (%s): its kernel spans 0x%llx bytes, more than the header's init_size 0x%x",
				     bz_payload_format_name(fmt),
				     (unsigned long long)(info.hi - info.lo),
				     hdr->init_size);
	}
	/*
	 * Relocations after the ELF: the kernel was built for KASLR, which
	 * only its decompressor does. Honour that unless told "nokaslr".
	 */
	if (x86_elf_extent(elf, elf_len) < elf_len &&
	    !cmdline_nokaslr(in->cmdline)) {
		free(elf);
		out->guest_decompress_why =
			"a KASLR kernel (nokaslr lets lkvm decompress it)";
		return -EAGAIN;
	}
	ret = x86_load_elf_image(mem, map, in, elf, elf_len, hdr, out);
	free(elf);
	out->format = KERNEL_FMT_BZIMAGE;
	if (!ret) {
		out->decompressed = bz_payload_format_name(fmt);
		out->decompressed_size = elf_len;
	}
	return ret;
}

int x86_load_bzimage(const struct guest_mem *mem,
		     const struct x86_mem_map *map,
		     const struct boot_input *in, struct boot_state *out)
{
	const u8 *buf = in->kernel;
	struct x86_kernel_area ka = { .nr = 2 };
	struct bp_setup_header hdr;
	struct bz_layout l;
	u64 pm_len, load, runtime, init_size, align;
	const char *why;
	int ret;

	ret = bz_parse(buf, in->kernel_len, &l, &why);
	if (ret)
		return x86_load_fail(out, ret, "%s", why);

	memset(&hdr, 0, sizeof(hdr));
	memcpy(&hdr, buf + BP_SETUP_HEADER_OFF,
	       MIN(l.hdr_end, (u64)BP_HDR_END_MAX) - BP_SETUP_HEADER_OFF);
	if (!hdr.setup_sects)
		hdr.setup_sects = BP_SETUP_DEFAULT_SECTS;
	if (in->guest_decompress)
		out->guest_decompress_why = "--guest-decompress";
	else if (l.version < BP_PAYLOAD_VERSION || !hdr.payload_length)
		out->guest_decompress_why = "the bzImage names no payload";
	if (!out->guest_decompress_why) {
		ret = bz_load_decompressed(mem, map, in, &l, &hdr, out);
		if (ret != -EAGAIN)
			return ret;
	}
	pm_len = in->kernel_len - l.setup_size;
	init_size = MAX((u64)hdr.init_size, pm_len);

	if (hdr.relocatable_kernel) {
		align = hdr.kernel_alignment;
		if (!align || (align & (align - 1)))
			return x86_load_fail(out, -ENOEXEC,
					     "malformed bzImage: kernel_alignment 0x%llx is not a power of two",
					     (unsigned long long)align);
		load = hdr.pref_address;
		if (!load || !IS_ALIGNED(load, align) ||
		    !x86_map_loadable(map, load, init_size))
			load = ALIGN_UP(X86_KERNEL_ADDR, align);
		runtime = load;
	} else {
		/* It moves itself to pref_address when that is set. */
		load = X86_KERNEL_ADDR;
		runtime = hdr.pref_address ?: X86_KERNEL_ADDR;
	}
	if (!x86_map_loadable(map, load, pm_len))
		return x86_load_fail(out, -E2BIG,
				     "kernel (0x%llx bytes at 0x%llx) does not fit in RAM",
				     (unsigned long long)pm_len,
				     (unsigned long long)load);
	if (!x86_map_loadable(map, runtime, init_size))
		return x86_load_fail(out, -E2BIG,
				     "kernel needs 0x%llx bytes (init_size) at 0x%llx, beyond RAM",
				     (unsigned long long)init_size,
				     (unsigned long long)runtime);

	ka.start[0] = load;
	ka.end[0] = load + pm_len;
	ka.start[1] = runtime;
	ka.end[1] = runtime + init_size;
	out->kernel_start = MIN(load, runtime);
	out->kernel_end = MAX(ka.end[0], ka.end[1]);
	out->rip = load + BP_ENTRY64_OFF;
	hdr.code32_start = (u32)load;
	/* The zero page may still refuse (command line, initrd): first. */
	ret = x86_setup_zero_page(mem, map, in, &hdr, &ka, out);
	if (ret)
		return ret;
	return x86_guest_write(mem, load, buf + l.setup_size, pm_len, out,
			       "kernel");
}
