// SPDX-License-Identifier: GPL-2.0
/*
 * Flat binaries: raw real-mode code loaded at X86_FLAT_LOAD_ADDR and
 * entered at CS:IP = 0x1000:0000 with DS = ES = SS = 0x1000 and
 * SP = 0xfffc, i.e. the stack starts at the top of the first 64 KiB of the
 * image. A binary larger than 64 KiB must set up its own stack. There is
 * no command line or initrd; the image may reach up to 0xa0000, over the
 * EBDA, so firmware tables written there are the binary's to keep or not.
 */
#include <errno.h>

#include "x86/boot.h"
#include "x86/layout.h"
#include "loader.h"

int x86_load_flat(const struct guest_mem *mem, const struct boot_input *in,
		  struct boot_state *out)
{
	int ret;

	if (in->kernel_len > X86_FLAT_MAX_SIZE)
		return x86_load_fail(out, -ENOEXEC,
				     "flat binary larger than 576 KiB");
	if (in->initrd && in->initrd_len)
		return x86_load_fail(out, -EINVAL,
				     "a flat binary cannot take an initrd");
	ret = x86_guest_write(mem, X86_FLAT_LOAD_ADDR, in->kernel,
			      in->kernel_len, out, "flat binary");
	if (ret)
		return ret;
	out->format = KERNEL_FMT_FLAT;
	out->mode = CPU_MODE_REAL16;
	out->real_cs = X86_FLAT_CS;
	out->rip = 0;
	out->rsp = X86_FLAT_SP;
	out->kernel_start = X86_FLAT_LOAD_ADDR;
	out->kernel_end = X86_FLAT_LOAD_ADDR + in->kernel_len;
	return 0;
}
