/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode setup sectors of guest.bzImage, for boot loaders that run the
 * setup code (QEMU's linuxboot ROM jumps to setup + 0x200 with CS = setup
 * segment + 0x20, DS = ES = SS = setup segment). lkvm does not run it: it
 * enters the payload's 64-bit entry directly.
 *
 * The setup area doubles as the zero page: the boot loader has filled the
 * setup header in place (command line, initrd); this code adds the BIOS
 * E820 map, enables A20, switches to protected mode with a flat GDT
 * (CS 0x10, DS 0x18) and jumps to code32_start with ESI = zero page.
 *
 * Bytes 0x1f1-0x26f (setup header) are left zero here: mkbzimage writes
 * them. Code starts at 0x1000, past the zero page's e820/EDD tables.
 */
#include "arch.h"

#define SMAP	0x534d4150

	.code16
	.section .text, "ax"
	.globl _start
_start:
	.org	0x200
	.byte	0xeb, setup_jump - 1f	/* jmp short, over the header */
1:
	.org	0x270
setup_jump:
	jmp	setup_main

	.org	0x1000
setup_main:
	cli
	cld
	/* Make CS equal DS (we were entered at CS = DS + 0x20). */
	movw	%ds, %ax
	pushw	%ax
	pushw	$(2f - _start)
	lretw
2:
	/* Fast A20 gate. */
	inb	$0x92, %al
	orb	$2, %al
	andb	$0xfe, %al
	outb	%al, $0x92

	/* BIOS E820 map into the zero page's e820_table. */
	xorl	%ebx, %ebx
	movw	$0x2d0, %di
	xorw	%bp, %bp
3:
	movl	$0xe820, %eax
	movl	$20, %ecx
	movl	$SMAP, %edx
	pushw	%di
	pushw	%bp
	int	$0x15
	popw	%bp
	popw	%di
	jc	4f
	cmpl	$SMAP, %eax
	jne	4f
	incw	%bp
	addw	$20, %di
	cmpw	$128, %bp
	jae	4f
	testl	%ebx, %ebx
	jnz	3b
4:
	movw	%bp, %ax
	movb	%al, 0x1e8

	/* ESI = linear address of the zero page (this segment). */
	xorl	%esi, %esi
	movw	%ds, %si
	shll	$4, %esi
	leal	(setup_gdt - _start)(%esi), %eax
	movl	%eax, setup_gdt_desc - _start + 2
	lgdtl	setup_gdt_desc - _start
	movl	0x214, %eax		/* code32_start */
	movl	%eax, setup_far - _start

	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	movw	$0x18, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	ljmpl	*%cs:(setup_far - _start)

	.p2align 3
setup_gdt:
	.quad	0
	.quad	0
	.quad	0x00cf9b000000ffff	/* 0x10: 32-bit code, flat */
	.quad	0x00cf93000000ffff	/* 0x18: data, flat */
setup_gdt_end:
setup_gdt_desc:
	.word	setup_gdt_end - setup_gdt - 1
	.long	0
setup_far:
	.long	0
	.word	0x10
