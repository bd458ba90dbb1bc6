// SPDX-License-Identifier: GPL-2.0
/*
 * s390x kernel loading: Linux's image (arch/s390/boot/bzImage) goes to
 * guest address 0 as it is -- it carries its own IPL PSW and low core --
 * and is entered at 0x10000 when it has the "S390EP" mark at 0x10008; the
 * command line and the initrd's place go into its parameter area. Other
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

int s390_load_kernel(const struct guest_mem *mem, u64 ram_size,
		     const u8 *kernel, size_t kernel_len,
		     const u8 *initrd, size_t initrd_len,
		     const char *cmdline, struct s390_boot *boot)
{
	u8 *parm;
	u64 max_cmdline, start;
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
	if (guest_mem_write(mem, 0, kernel, kernel_len))
		return boot_fail(boot, -EFAULT, "cannot write the image");
	boot->kernel_end = kernel_len;
	boot->is_linux = kernel_len >= S390_LINUX_MAGIC + 6 &&
			 !memcmp(kernel + S390_LINUX_MAGIC, "S390EP", 6);
	if (!boot->is_linux) {
		/* Short IPL PSW: the address in bytes 4-7, 31 bits. */
		boot->entry = ((u32)kernel[4] << 24 | (u32)kernel[5] << 16 |
			       (u32)kernel[6] << 8 | kernel[7]) & 0x7fffffffu;
		if (initrd_len || clen)
			return boot_fail(boot, -EINVAL,
					 "not a Linux image: no command line or initrd");
		return 0;
	}
	boot->entry = S390_KERNEL_START;
	if (kernel_len < S390_PARM_CMDLINE + 1)
		return boot_fail(boot, -EINVAL, "Linux image without a parameter area");
	parm = guest_mem_ptr(mem, S390_PARM_IPL_DEVICE,
			     S390_PARM_CMDLINE - S390_PARM_IPL_DEVICE);
	if (!parm)
		return boot_fail(boot, -EFAULT, "no room for the parameter area");
	max_cmdline = get_be64(parm + (S390_PARM_MAX_CMDLINE -
				       S390_PARM_IPL_DEVICE));
	if (!max_cmdline)
		max_cmdline = S390_LEGACY_CMDLINE_MAX;
	if (clen + 1 > max_cmdline)
		return boot_fail(boot, -E2BIG,
				 "command line of %zu bytes, the kernel takes %llu",
				 clen, (unsigned long long)max_cmdline - 1);
	{
		u8 *cl = guest_mem_ptr(mem, S390_PARM_CMDLINE, max_cmdline);

		if (!cl)
			return boot_fail(boot, -EFAULT, "no room for the command line");
		memset(cl, 0, max_cmdline);
		memcpy(cl, cmdline ? cmdline : "", clen);
	}
	if (!initrd_len)
		return 0;
	start = MAX(S390_INITRD_DEFAULT, ALIGN_UP((u64)kernel_len, SZ_1M));
	if (start + initrd_len > ram_size || start + initrd_len < start)
		return boot_fail(boot, -E2BIG,
				 "initrd (%zu bytes) does not fit in RAM above 0x%llx",
				 initrd_len, (unsigned long long)start);
	if (guest_mem_write(mem, start, initrd, initrd_len))
		return boot_fail(boot, -EFAULT, "cannot write the initrd");
	put_be64(parm + (S390_PARM_INITRD_START - S390_PARM_IPL_DEVICE), start);
	put_be64(parm + (S390_PARM_INITRD_SIZE - S390_PARM_IPL_DEVICE),
		 initrd_len);
	boot->initrd_start = start;
	boot->initrd_size = initrd_len;
	return 0;
}
