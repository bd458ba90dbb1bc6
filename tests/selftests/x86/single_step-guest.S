/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of single_step: a run of instructions KVM emulates or exits for
 * (port I/O, MMIO, CPUID, RDMSR, WRMSR) between plain ones. The host steps
 * it with KVM_GUESTDBG_SINGLESTEP; ss_N labels every instruction boundary.
 */
#include "layout.h"

	.text
	.code64
	.globl	ss_blob
	.globl	ss_1, ss_2, ss_3, ss_4, ss_5, ss_6, ss_7, ss_8, ss_9
	.globl	ss_10, ss_11, ss_12, ss_13, ss_end
ss_blob:
	nop
ss_1:	movl	$0xe0, %edx
ss_2:	inb	%dx, %al
ss_3:	movl	ST_MMIO_BASE + 0x200, %eax
ss_4:	xorl	%eax, %eax
ss_5:	xorl	%ecx, %ecx
ss_6:	cpuid
ss_7:	movl	$0xc0000081, %ecx	/* STAR */
ss_8:	rdmsr
ss_9:	wrmsr
ss_10:	movl	$0xe0, %edx
ss_11:	outb	%al, %dx
ss_12:	movl	%eax, ST_MMIO_BASE + 0x200
ss_13:	nop
ss_end:	jmp	st_guest_returned

	.section .note.GNU-stack, "", @progbits
