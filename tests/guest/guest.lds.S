/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linker script of the test guest, run through cpp:
 *   LOAD_ADDR  link and load address (0x100000 kernels, 0x10000 flat)
 *   PVH        define to emit the Xen PVH note in a PT_NOTE segment
 *   FLAT       define for the flat image (real-mode entry first)
 */
#include "arch.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
#ifdef FLAT
ENTRY(flat_start)
#else
ENTRY(startup_64)
#endif

PHDRS
{
	image PT_LOAD FLAGS(7);
#ifdef PVH
	note PT_NOTE FLAGS(4);
#endif
}

SECTIONS
{
	. = LOAD_ADDR;
	_start = .;
	.text : {
		KEEP(*(.head16))
		KEEP(*(.head.text))
		*(.text .text.*)
	} :image
	.rodata : {
		*(.rodata .rodata.*)
	} :image
	.data : {
		*(.data .data.*)
		. = ALIGN(8);
		__guest_tests_start = .;
		KEEP(*(.guest_tests))
		__guest_tests_end = .;
	} :image
#ifdef PVH
	/* In the padding before .bss: code and data stay where they are. */
	.notes : {
		KEEP(*(.note.Xen))
	} :image :note
#endif
	.bss ALIGN(4096) (NOLOAD) : {
		. = ALIGN(8);
		__bss_start = .;
		*(.bss .bss.[!n]* COMMON)
		. = ALIGN(8);
		__bss_end = .;
		*(.bss.noclear)
	} :image
	_end = .;

	/DISCARD/ : {
		*(.note.Xen)
		*(.note.gnu.property .note.GNU-stack .comment .eh_frame)
	}
}

#ifdef FLAT
ASSERT(_end <= AP_TRAMPOLINE_ADDR, "flat image overlaps the AP trampoline")
#else
ASSERT(startup_64 - _start == STARTUP64_OFFSET, "startup_64 misplaced")
#endif
