// SPDX-License-Identifier: GPL-2.0
/*
 * s390x kernel loading: Linux's image (arch/s390/boot/bzImage) goes to
 * guest address 0 as it is -- it carries its own IPL PSW and low core --
 * and is entered at 0x10000 when it has the "S390EP" mark at 0x10008; the
 * command line and the initrd's place go into its parameter area, whose
 * command line buffer (its size at 0x10430) is part of the image. Other
 * images are entered at the address of their short IPL PSW (bytes 4-7).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "s390x/s390x.h"
#include "unaligned.h"

#define boot_fail(b, err, ...)						\
	({								\
		snprintf((b)->error, sizeof((b)->error), __VA_ARGS__);	\
		(err);							\
	})

/*
 * Everything is checked before anything is written: a refused image leaves
 * guest memory as it was.
 */
int s390_load_kernel(const struct guest_mem *mem, u64 ram_size,
		     const u8 *kernel, size_t kernel_len,
		     const u8 *initrd, size_t initrd_len,
		     const char *cmdline, struct s390_boot *boot)
{
	u8 *parm, *cl;
	u64 max_cmdline, start = 0;
	size_t clen = cmdline ? strlen(cmdline) : 0;

	memset(boot, 0, sizeof(*boot));
	if (kernel_len < 8)
		return boot_fail(boot, -EINVAL, "image too small (%zu bytes)",
				 kernel_len);
	if (!memcmp(kernel, "\177ELF", 4))
		return boot_fail(boot, -EINVAL,
				 "an ELF file: give the kernel's image (arch/s390/boot/bzImage)");
	if (kernel_len > ram_size)
		return boot_fail(boot, -E2BIG,
				 "image (%zu bytes) larger than RAM", kernel_len);
	boot->is_linux = kernel_len >= S390_LINUX_MAGIC + 6 &&
			 !memcmp(kernel + S390_LINUX_MAGIC, "S390EP", 6);
	if (!boot->is_linux) {
		if (initrd_len || clen)
			return boot_fail(boot, -EINVAL,
					 "not a Linux image: no command line or initrd");
		if (guest_mem_write(mem, 0, kernel, kernel_len))
			return boot_fail(boot, -EFAULT, "cannot write the image");
		boot->kernel_end = kernel_len;
		/* Short IPL PSW: the address in bytes 4-7, 31 bits. */
		boot->entry = get_be32(kernel + 4) & 0x7fffffffu;
		return 0;
	}
	if (kernel_len < S390_PARM_CMDLINE + 1)
		return boot_fail(boot, -EINVAL, "Linux image without a parameter area");
	max_cmdline = get_be64(kernel + S390_PARM_MAX_CMDLINE);
	if (!max_cmdline)
		max_cmdline = S390_LEGACY_CMDLINE_MAX;
	/* The command line buffer is the image's own (struct parmarea). */
	if (max_cmdline > kernel_len - S390_PARM_CMDLINE)
		return boot_fail(boot, -EINVAL,
				 "a command line of %llu bytes at 0x%llx runs past the image's %zu bytes",
				 (unsigned long long)max_cmdline,
				 S390_PARM_CMDLINE, kernel_len);
	if (clen + 1 > max_cmdline)
		return boot_fail(boot, -E2BIG,
				 "command line of %zu bytes, the kernel takes %llu",
				 clen, (unsigned long long)max_cmdline - 1);
	if (initrd_len) {
		start = MAX(S390_INITRD_DEFAULT,
			    ALIGN_UP((u64)kernel_len, SZ_1M));
		if (start + initrd_len > ram_size || start + initrd_len < start)
			return boot_fail(boot, -E2BIG,
					 "initrd (%zu bytes) does not fit in RAM above 0x%llx",
					 initrd_len, (unsigned long long)start);
	}
	if (guest_mem_write(mem, 0, kernel, kernel_len))
		return boot_fail(boot, -EFAULT, "cannot write the image");
	boot->kernel_end = kernel_len;
	boot->entry = S390_KERNEL_START;
	parm = guest_mem_ptr(mem, S390_PARM_IPL_DEVICE,
			     S390_PARM_CMDLINE - S390_PARM_IPL_DEVICE);
	cl = guest_mem_ptr(mem, S390_PARM_CMDLINE, max_cmdline);
	if (!parm || !cl)
		return boot_fail(boot, -EFAULT, "no room for the parameter area");
	memset(cl, 0, max_cmdline);
	memcpy(cl, cmdline ? cmdline : "", clen);
	if (!initrd_len)
		return 0;
	if (guest_mem_write(mem, start, initrd, initrd_len))
		return boot_fail(boot, -EFAULT, "cannot write the initrd");
	put_be64(parm + (S390_PARM_INITRD_START - S390_PARM_IPL_DEVICE), start);
	put_be64(parm + (S390_PARM_INITRD_SIZE - S390_PARM_IPL_DEVICE),
		 initrd_len);
	boot->initrd_start = start;
	boot->initrd_size = initrd_len;
	return 0;
}
