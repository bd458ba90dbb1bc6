/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_BOOTPARAM_H
#define LKVM_X86_BOOTPARAM_H

/*
 * Guest ABI structures the x86 loaders write: the Linux boot protocol's
 * setup header and zero page (Documentation/x86/boot.rst, zero-page.rst)
 * and Xen's PVH start-of-day structure. Only the fields lkvm reads or
 * writes are named; the rest is padding. Offsets are checked below.
 */

#include <assert.h>
#include <stddef.h>

#include "types.h"

/* Offsets in a bzImage file (and in the zero page). */
#define BP_SETUP_HEADER_OFF	0x1f1
#define BP_JUMP_OFF		0x200	/* header end = 0x202 + byte at 0x201 */
#define BP_HDRS_OFF		0x202
#define BP_HDRS_MAGIC		0x53726448	/* "HdrS" little endian */
#define BP_SETUP_DEFAULT_SECTS	4	/* setup_sects == 0 means this */
#define BP_SECTOR_SIZE		512
#define BP_ENTRY64_OFF		0x200	/* 64-bit entry from protected-mode start */
#define BP_BOOT_FLAG		0xaa55

/* loadflags */
#define BP_LOADED_HIGH		0x01
#define BP_KASLR_FLAG		0x02
#define BP_QUIET_FLAG		0x20
#define BP_KEEP_SEGMENTS	0x40
#define BP_CAN_USE_HEAP		0x80

/* xloadflags */
#define BP_XLF_KERNEL_64	0x0001
#define BP_XLF_ABOVE_4G		0x0002

#define BP_LOADER_UNDEFINED	0xff	/* type_of_loader: no assigned ID */
#define BP_HEAP_END_PTR		0xfe00	/* setup heap ends at 64 KiB - 0x200 */
#define BP_INITRD_MAX_OLD	0x37ffffffU	/* before protocol 2.03 */
#define BP_CMDLINE_SIZE_OLD	255	/* before protocol 2.06 */

#define BP_E820_MAX		128

/* The setup header, at 0x1f1 in both the image and the zero page. */
struct bp_setup_header {
	u8 setup_sects;			/* 0x1f1 */
	u16 root_flags;			/* 0x1f2 */
	u32 syssize;			/* 0x1f4 */
	u16 ram_size;			/* 0x1f8 */
	u16 vid_mode;			/* 0x1fa */
	u16 root_dev;			/* 0x1fc */
	u16 boot_flag;			/* 0x1fe */
	u16 jump;			/* 0x200 */
	u32 header;			/* 0x202 */
	u16 version;			/* 0x206 */
	u32 realmode_swtch;		/* 0x208 */
	u16 start_sys_seg;		/* 0x20c */
	u16 kernel_version;		/* 0x20e */
	u8 type_of_loader;		/* 0x210 */
	u8 loadflags;			/* 0x211 */
	u16 setup_move_size;		/* 0x212 */
	u32 code32_start;		/* 0x214 */
	u32 ramdisk_image;		/* 0x218 */
	u32 ramdisk_size;		/* 0x21c */
	u32 bootsect_kludge;		/* 0x220 */
	u16 heap_end_ptr;		/* 0x224 */
	u8 ext_loader_ver;		/* 0x226 */
	u8 ext_loader_type;		/* 0x227 */
	u32 cmd_line_ptr;		/* 0x228 */
	u32 initrd_addr_max;		/* 0x22c */
	u32 kernel_alignment;		/* 0x230 */
	u8 relocatable_kernel;		/* 0x234 */
	u8 min_alignment;		/* 0x235 */
	u16 xloadflags;			/* 0x236 */
	u32 cmdline_size;		/* 0x238 */
	u32 hardware_subarch;		/* 0x23c */
	u64 hardware_subarch_data;	/* 0x240 */
	u32 payload_offset;		/* 0x248 */
	u32 payload_length;		/* 0x24c */
	u64 setup_data;			/* 0x250 */
	u64 pref_address;		/* 0x258 */
	u32 init_size;			/* 0x260 */
	u32 handover_offset;		/* 0x264 */
	u32 kernel_info_offset;		/* 0x268 */
} __packed;

struct bp_e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __packed;

/* The zero page: one 4 KiB page, mostly left zero by lkvm. */
struct boot_params {
	u8 _pad0[0x070];
	u64 acpi_rsdp_addr;		/* 0x070 */
	u8 _pad0b[0x0c0 - 0x078];
	u32 ext_ramdisk_image;		/* 0x0c0 */
	u32 ext_ramdisk_size;		/* 0x0c4 */
	u32 ext_cmd_line_ptr;		/* 0x0c8 */
	u8 _pad1[0x1e8 - 0x0cc];
	u8 e820_entries;		/* 0x1e8 */
	u8 _pad2[0x1ef - 0x1e9];
	u8 sentinel;			/* 0x1ef */
	u8 _pad3[0x1f1 - 0x1f0];
	struct bp_setup_header hdr;	/* 0x1f1 */
	u8 _pad4[0x2d0 - 0x26c];
	struct bp_e820_entry e820_table[BP_E820_MAX];	/* 0x2d0 */
	u8 _pad5[0x1000 - 0xcd0];
} __packed;

static_assert(offsetof(struct bp_setup_header, jump) ==
	      BP_JUMP_OFF - BP_SETUP_HEADER_OFF, "setup_header layout");
static_assert(offsetof(struct bp_setup_header, xloadflags) ==
	      0x236 - BP_SETUP_HEADER_OFF, "setup_header layout");
static_assert(sizeof(struct bp_setup_header) == 0x26c - 0x1f1,
	      "setup_header size");
static_assert(offsetof(struct boot_params, acpi_rsdp_addr) == 0x070,
	      "zero page acpi_rsdp_addr");
static_assert(offsetof(struct boot_params, hdr) == 0x1f1, "zero page hdr");
static_assert(offsetof(struct boot_params, e820_table) == 0x2d0,
	      "zero page e820");
static_assert(sizeof(struct boot_params) == 4096, "zero page size");

/* PVH: Xen's start-of-day structure, passed in EBX. */
#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define HVM_START_MAGIC			0x336ec578
#define HVM_START_VERSION		1
#define HVM_MEMMAP_TYPE_RAM		1
#define HVM_MEMMAP_TYPE_RESERVED	2

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr;		/* version 1 */
	u32 memmap_entries;		/* version 1 */
	u32 reserved;
} __packed;

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
} __packed;

struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;
} __packed;

static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info size");
static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist size");
static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap size");

#endif
