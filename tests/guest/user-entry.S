/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run_user_asm(fn, arg, stack_top): call fn(arg) at CPL3 on stack_top and
 * return its result. User code comes back through a #UD from the ud2 at
 * user_exit_insn (a software interrupt would be simpler, but some hosts'
 * KVM turns "int n" from user mode into #UD anyway): the CPU switches to
 * the TSS's RSP0, irq_dispatch recognises the address and calls
 * user_return(result), which restores the kernel stack saved here.
 */
#include "arch.h"

	.text
	.code64
	.globl run_user_asm, user_return, user_exit_insn
run_user_asm:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, user_saved_rsp(%rip)
	pushq	$SEL_UDATA		/* SS */
	pushq	%rdx			/* RSP */
	pushq	$0x2			/* RFLAGS: IF off, IOPL 0 */
	pushq	$SEL_UCODE64		/* CS */
	leaq	user_entry(%rip), %rax
	pushq	%rax			/* RIP */
	iretq

user_entry:
	movq	%rdi, %rax
	movq	%rsi, %rdi
	call	*%rax
user_exit_insn:
	ud2

/* user_return(result): back on the kernel stack of run_user_asm's caller. */
user_return:
	movq	%rdi, %rax
	movl	$SEL_DATA, %ecx
	movl	%ecx, %ds
	movl	%ecx, %es
	movl	%ecx, %ss
	movq	user_saved_rsp(%rip), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

	.data
	.p2align 3
user_saved_rsp:
	.quad	0
