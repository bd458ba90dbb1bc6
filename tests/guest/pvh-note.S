/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit physical entry point of a PVH
 * kernel. Only linked into guest-pvh.elf.
 */
	.section .note.Xen, "a", @note
	.p2align 2
	.long	4f - 3f		/* name size */
	.long	6f - 5f		/* descriptor size */
	.long	18		/* XEN_ELFNOTE_PHYS32_ENTRY */
3:	.asciz	"Xen"
4:	.p2align 2
5:	.long	pvh_start32
6:	.p2align 2
