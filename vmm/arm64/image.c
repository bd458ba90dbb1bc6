// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 Image: its 64-byte header (little-endian: text_offset at 8,
 * image_size at 16, flags at 24, magic "ARM\x64" at 56) and the boot
 * protocol's placement: the kernel at a 2 MiB-aligned base plus
 * text_offset, the device tree in its own 2 MiB block at the top of RAM,
 * the initrd just below it.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arm64/arm64.h"

static u64 le64_at(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

int arm64_image_parse(const u8 *data, size_t len, struct arm64_image *img,
		      const char **why)
{
	u32 magic;

	memset(img, 0, sizeof(*img));
	if (len < ARM64_IMAGE_HDR_SIZE) {
		*why = "shorter than the Image header";
		return -EINVAL;
	}
	memcpy(&magic, data + 56, sizeof(magic));
	if (le32toh(magic) != ARM64_IMAGE_MAGIC) {
		*why = "no arm64 Image magic (ARM\\x64 at offset 56)";
		return -EINVAL;
	}
	img->text_offset = le64_at(data + 8);
	img->image_size = le64_at(data + 16);
	img->flags = le64_at(data + 24);
	if (!img->image_size) {
		/* Kernels before 3.17: text_offset is not to be trusted. */
		img->text_offset = ARM64_IMAGE_DEFAULT_TEXT;
	}
	img->big_endian = img->flags & 1;
	switch ((img->flags >> 1) & 3) {
	case 1:
		img->page_size_kb = 4;
		break;
	case 2:
		img->page_size_kb = 16;
		break;
	case 3:
		img->page_size_kb = 64;
		break;
	default:
		img->page_size_kb = 0;
		break;
	}
	img->anywhere = img->flags & 8;
	if (img->big_endian) {
		*why = "a big-endian kernel";
		return -EINVAL;
	}
	if (img->text_offset >= SZ_2M || (img->text_offset & 0xfff)) {
		*why = "text_offset beyond the 2 MiB block or not page aligned";
		return -EINVAL;
	}
	return 0;
}

#define boot_fail(b, err, ...)						\
	({								\
		snprintf((b)->error, sizeof((b)->error), __VA_ARGS__);	\
		(err);							\
	})

/*
 * Everything is checked before anything is written: a refused image leaves
 * guest memory as it was. The header's image_size is any 64-bit number:
 * nothing here adds it to an address before it is known to fit.
 */
int arm64_load_image(const struct guest_mem *mem, u64 ram_base,
		     u64 ram_size, const u8 *kernel, size_t kernel_len,
		     const u8 *initrd, size_t initrd_len,
		     struct arm64_boot *boot)
{
	struct arm64_image img;
	const char *why;
	u64 ram_end = ram_base + ram_size, size, dtb;
	int err;

	memset(boot, 0, sizeof(*boot));
	err = arm64_image_parse(kernel, kernel_len, &img, &why);
	if (err)
		return boot_fail(boot, err, "not a usable arm64 Image: %s", why);
	size = MAX((u64)kernel_len, img.image_size);
	/* The load base: 2 MiB aligned, at the start of RAM. */
	boot->kernel_start = ALIGN_UP(ram_base, SZ_2M) + img.text_offset;
	/* Device tree: the last 2 MiB block (8-byte aligned, <= 2 MiB). */
	dtb = ALIGN_DOWN(ram_end, SZ_2M) - SZ_2M;
	if (ram_size < 2 * SZ_2M || boot->kernel_start > dtb ||
	    size > dtb - boot->kernel_start)
		return boot_fail(boot, -E2BIG,
				 "kernel (%llu bytes with BSS) and device tree do not fit in %llu MiB",
				 (unsigned long long)size,
				 (unsigned long long)(ram_size >> 20));
	boot->kernel_end = boot->kernel_start + size;
	boot->entry = boot->kernel_start;
	boot->dtb_start = dtb;
	if (initrd_len &&
	    initrd_len > dtb - ALIGN_UP(boot->kernel_end, SZ_4K))
		return boot_fail(boot, -E2BIG,
				 "initrd of %zu bytes does not fit between the kernel and the device tree",
				 initrd_len);
	if (guest_mem_write(mem, boot->kernel_start, kernel, kernel_len))
		return boot_fail(boot, -EFAULT, "cannot write the kernel");
	if (!initrd_len)
		return 0;
	boot->initrd_start = ALIGN_DOWN(dtb - initrd_len, SZ_4K);
	boot->initrd_size = initrd_len;
	if (guest_mem_write(mem, boot->initrd_start, initrd, initrd_len))
		return boot_fail(boot, -EFAULT, "cannot write the initrd");
	return 0;
}
