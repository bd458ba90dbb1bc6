/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode entry of the flat image: loaded at FLAT_LOAD_ADDR and started
 * at CS:IP = (FLAT_LOAD_ADDR >> 4):0. Switches to protected mode with our
 * GDT and joins the common 32-bit path with no boot information.
 */
#include "arch.h"

	.section .head16, "ax"
	.code16
	.globl flat_start
flat_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	flat_gdt_desc - flat_start
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	ljmpl	$SEL_CODE32, $flat_pm32
	.p2align 2
flat_gdt_desc:
	.word	GDT_LIMIT
	.long	gdt

	.code32
flat_pm32:
	movl	$BOOT_REAL, %ebp
	xorl	%edi, %edi
	jmp	pm32_common
