// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 kernel loading: detect the format by content, then hand over to
 * the bzImage, ELF (vmlinux or PVH) or flat-binary loader.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "x86/boot.h"
#include "x86/layout.h"
#include "loader.h"

int x86_load_fail(struct boot_state *out, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	return err;
}

int x86_guest_write(const struct guest_mem *mem, u64 gpa, const void *buf,
		    u64 len, struct boot_state *out, const char *what)
{
	if (!len)
		return 0;
	if (gpa + len < gpa || guest_mem_write(mem, gpa, buf, len))
		return x86_load_fail(out, -E2BIG,
				     "%s (0x%llx bytes at 0x%llx) is not in guest RAM",
				     what, (unsigned long long)len,
				     (unsigned long long)gpa);
	return 0;
}

int x86_guest_zero(const struct guest_mem *mem, u64 gpa, u64 len,
		   struct boot_state *out, const char *what)
{
	u64 start = gpa, total = len;

	while (len) {
		u64 avail, n;
		u8 *p = guest_mem_ptr_avail(mem, gpa, &avail);

		if (!p)
			return x86_load_fail(out, -E2BIG,
					     "%s (0x%llx bytes at 0x%llx) is not in guest RAM",
					     what, (unsigned long long)total,
					     (unsigned long long)start);
		n = MIN(avail, len);
		memset(p, 0, n);
		gpa += n;
		len -= n;
	}
	return 0;
}

const char *x86_kernel_format_name(enum kernel_format fmt)
{
	switch (fmt) {
	case KERNEL_FMT_BZIMAGE:
		return "bzImage";
	case KERNEL_FMT_ELF:
		return "ELF vmlinux";
	case KERNEL_FMT_ELF_PVH:
		return "ELF (PVH entry)";
	case KERNEL_FMT_FLAT:
		return "flat binary";
	case KERNEL_FMT_UNKNOWN:
		break;
	}
	return "unknown";
}

enum kernel_format x86_kernel_detect(const u8 *buf, size_t len,
				     const char **why)
{
	struct x86_elf_info info;
	const char *reason = NULL;
	enum kernel_format fmt = KERNEL_FMT_UNKNOWN;

	if (!buf || !len)
		reason = "empty kernel image";
	else if (x86_is_elf(buf, len)) {
		if (!x86_elf_parse(buf, len, &info, &reason))
			fmt = info.has_pvh ? KERNEL_FMT_ELF_PVH : KERNEL_FMT_ELF;
	} else if (x86_is_bzimage(buf, len)) {
		if (!x86_bzimage_check(buf, len, &reason))
			fmt = KERNEL_FMT_BZIMAGE;
	} else if (len > X86_FLAT_MAX_SIZE) {
		reason = "not an ELF or bzImage kernel, and too big for a flat binary (over 576 KiB)";
	} else {
		fmt = KERNEL_FMT_FLAT;
	}
	if (why)
		*why = fmt == KERNEL_FMT_UNKNOWN ? reason : NULL;
	return fmt;
}

int x86_load_kernel(const struct guest_mem *mem, const struct x86_mem_map *map,
		    const struct boot_input *in, struct boot_state *out)
{
	enum kernel_format fmt;
	const char *why;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!mem || !map || !in || !in->cmdline || map->nr > E820_MAX_ENTRIES)
		return x86_load_fail(out, -EINVAL, "bad loader arguments");
	if (!in->initrd && in->initrd_len)
		return x86_load_fail(out, -EINVAL, "initrd length without data");

	fmt = x86_kernel_detect(in->kernel, in->kernel_len, &why);
	out->format = fmt;
	switch (fmt) {
	case KERNEL_FMT_BZIMAGE:
		if (in->protocol == BOOT_PROTO_PVH)
			return x86_load_fail(out, -ENOEXEC,
					     "a bzImage has no PVH entry point; boot it with the Linux 64-bit protocol");
		return x86_load_bzimage(mem, map, in, out);
	case KERNEL_FMT_ELF:
	case KERNEL_FMT_ELF_PVH:
		return x86_load_elf(mem, map, in, out);
	case KERNEL_FMT_FLAT:
		if (in->protocol != BOOT_PROTO_AUTO)
			return x86_load_fail(out, -ENOEXEC,
					     "not an ELF or bzImage kernel: only real-mode flat boot is possible");
		return x86_load_flat(mem, in, out);
	case KERNEL_FMT_UNKNOWN:
		break;
	}
	return x86_load_fail(out, -ENOEXEC, "no known kernel format: %s",
			     why ? why : "unrecognised");
}
