/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interface between the x86_64 loader files. */
#ifndef LKVM_X86_LOADER_H
#define LKVM_X86_LOADER_H

#include "guest-mem.h"
#include "types.h"
#include "unaligned.h"
#include "x86/boot.h"
#include "x86/bootparam.h"

/* GDT at X86_GDT_ADDR written by x86_setup_gdt(). */
#define X86_GDT_CODE32_SEL	0x08
#define X86_GDT_CODE64_SEL	0x10	/* Linux __BOOT_CS */
#define X86_GDT_DATA_SEL	0x18	/* Linux __BOOT_DS */
#define X86_GDT_ENTRIES		4

/* Flat binaries: real-mode CS:IP and SS:SP. */
#define X86_FLAT_CS		(X86_FLAT_LOAD_ADDR >> 4)
#define X86_FLAT_SP		0xfffc

/* Record a reason in out->error and return err. */
int x86_load_fail(struct boot_state *out, int err, const char *fmt, ...)
	__printf(3, 4);

/*
 * Write or zero guest memory; a range not backed by guest RAM is -E2BIG
 * with "<what> (... at ...) is not in guest RAM" in out->error.
 */
int x86_guest_write(const struct guest_mem *mem, u64 gpa, const void *buf,
		    u64 len, struct boot_state *out, const char *what);
int x86_guest_zero(const struct guest_mem *mem, u64 gpa, u64 len,
		   struct boot_state *out, const char *what);

/* [off, off + n) lies inside a buffer of len bytes, without overflow. */
static inline bool in_buf(size_t len, u64 off, u64 n)
{
	return off <= len && n <= len - off;
}

/*
 * Memory-map queries. "Loadable" means inside one RAM entry of the map,
 * at or above X86_KERNEL_ADDR (clear of the low-memory structures) and
 * below 4 GiB (what the boot page tables map and 32-bit fields can say).
 */
bool x86_map_loadable(const struct x86_mem_map *map, u64 addr, u64 len);
/* End of the RAM entry below 4 GiB that contains X86_KERNEL_ADDR, or 0. */
u64 x86_map_low_ram_end(const struct x86_mem_map *map);

/* Format probes: 0 when buf is such a kernel, else -ENOEXEC and *why. */
bool x86_is_bzimage(const u8 *buf, size_t len);
int x86_bzimage_check(const u8 *buf, size_t len, const char **why);
bool x86_is_elf(const u8 *buf, size_t len);

/* What the ELF parser found. */
struct x86_elf_info {
	bool is64;
	u16 machine;
	u64 entry;		/* e_entry translated to physical */
	bool entry_ok;		/* entry lies in a loaded segment */
	bool has_pvh;
	u64 pvh_entry;
	u64 lo, hi;		/* physical span of PT_LOAD segments */
	unsigned int nr_load;
};

int x86_elf_parse(const u8 *buf, size_t len, struct x86_elf_info *info,
		  const char **why);

/* The loaders, called by x86_load_kernel() after detection. */
int x86_load_bzimage(const struct guest_mem *mem,
		     const struct x86_mem_map *map,
		     const struct boot_input *in, struct boot_state *out);
int x86_load_elf(const struct guest_mem *mem, const struct x86_mem_map *map,
		 const struct boot_input *in, struct boot_state *out);
/*
 * An ELF kernel in buf through the 64-bit boot protocol (or PVH, when
 * bz_hdr is NULL and the ELF has the note); bz_hdr: the setup header of
 * the bzImage it came out of, for the zero page.
 */
int x86_load_elf_image(const struct guest_mem *mem,
		       const struct x86_mem_map *map,
		       const struct boot_input *in, const u8 *buf, size_t len,
		       const struct bp_setup_header *bz_hdr,
		       struct boot_state *out);
/* Where the file contents of an ELF x86_elf_parse() accepted end. */
size_t x86_elf_extent(const u8 *buf, size_t len);
int x86_load_flat(const struct guest_mem *mem, const struct boot_input *in,
		  struct boot_state *out);

/* Pieces shared by the loaders. */
int x86_setup_gdt(const struct guest_mem *mem, struct boot_state *out);
int x86_setup_page_tables(const struct guest_mem *mem,
			  struct boot_state *out);
/*
 * The loaders refuse an image before they write anything: the checks that
 * can fail (the x86_check_* and x86_plan_* below, the memory-map checks)
 * come first, then the writes, which only fail if the map claims RAM that
 * guest memory does not back.
 */
/* -E2BIG (with the reason) when cmdline is longer than max_len. */
int x86_check_cmdline(const char *cmdline, u64 max_len,
		      struct boot_state *out);
/* Command line at X86_CMDLINE_ADDR; -E2BIG beyond max_len characters. */
int x86_place_cmdline(const struct guest_mem *mem, const char *cmdline,
		      u64 max_len, struct boot_state *out);
/* Guest-physical areas the kernel occupies, which the initrd must avoid. */
struct x86_kernel_area {
	u64 start[2];
	u64 end[2];
	unsigned int nr;
};

/*
 * Where the initrd goes (out->initrd_start, out->initrd_size; 0 without
 * one): as high as possible below limit (exclusive), page aligned, clear
 * of the kernel's areas. Writes nothing.
 */
int x86_plan_initrd(const struct x86_mem_map *map,
		    const struct boot_input *in, u64 limit,
		    const struct x86_kernel_area *ka, struct boot_state *out);
/* Copy the initrd where x86_plan_initrd() put it. */
int x86_write_initrd(const struct guest_mem *mem,
		     const struct boot_input *in, struct boot_state *out);
/*
 * Zero page for the 64-bit boot protocol from a setup header (the image's
 * or a synthesized one): places cmdline and initrd, writes the e820 table,
 * and fills the long-mode part of out (GDT, page tables, RSI, RSP). It
 * checks the command line and the initrd's place before writing; the
 * caller writes the kernel after it succeeded.
 */
int x86_setup_zero_page(const struct guest_mem *mem,
			const struct x86_mem_map *map,
			const struct boot_input *in,
			const struct bp_setup_header *hdr,
			const struct x86_kernel_area *ka,
			struct boot_state *out);
/* hvm_start_info, memmap, modlist, cmdline and initrd for PVH entry. */
int x86_setup_pvh(const struct guest_mem *mem, const struct x86_mem_map *map,
		  const struct boot_input *in,
		  const struct x86_kernel_area *ka, struct boot_state *out);

#endif
