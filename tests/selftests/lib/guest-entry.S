/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-side entry code of the selftest harness: the 256 interrupt stubs
 * (their addresses in st_guest_vectors, which the host writes into the
 * IDT), the common path into st_guest_irq(), the return path of a guest
 * entry function, CPL3 calls, and the faulting-MSR helpers.
 */
#include "layout.h"

	.text
	.code64

/* Vectors whose exceptions push an error code. */
#define HAS_ERR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || \
		    (n) == 21 || (n) == 29 || (n) == 30)

	.macro	stub n
	.p2align 4
st_stub_\n:
	.if	HAS_ERR(\n)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	st_irq_common
	.endm

	.altmacro
	.set	i, 0
	.rept	256
	stub	%i
	.set	i, i + 1
	.endr

st_irq_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	cld
	call	st_guest_irq
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector, error code */
	iretq

/* The return address of a guest entry function: report DONE. */
	.globl	st_guest_returned
st_guest_returned:
	andq	$-16, %rsp
1:	movl	$ST_UCALL_DONE, %edi
	xorl	%esi, %esi
	xorl	%edx, %edx
	xorl	%ecx, %ecx
	xorl	%r8d, %r8d
	call	st_ucall
	jmp	1b

/* u64 st_run_user_asm(fn, arg, user_stack_top) */
	.globl	st_run_user_asm, st_user_return, st_user_exit_insn
st_run_user_asm:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, st_user_saved_rsp(%rip)
	pushq	$ST_SEL_UDATA		/* SS */
	pushq	%rdx			/* RSP */
	pushq	$0x3002			/* RFLAGS: IOPL 3, IF off */
	pushq	$ST_SEL_UCODE		/* CS */
	leaq	st_user_entry(%rip), %rax
	pushq	%rax
	iretq
st_user_entry:
	movq	%rdi, %rax
	movq	%rsi, %rdi
	call	*%rax
st_user_exit_insn:
	ud2

/* st_user_return(result): back to st_run_user_asm's caller, at CPL0. */
st_user_return:
	movq	%rdi, %rax
	movl	$ST_SEL_KDATA, %ecx
	movl	%ecx, %ds
	movl	%ecx, %es
	movl	%ecx, %ss
	movq	st_user_saved_rsp(%rip), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

/*
 * u64 st_rdmsr_safe(u32 msr, u64 *val), u64 st_wrmsr_safe(u32 msr, u64 v):
 * 0, or the vector of the fault the instruction raised. st_guest_irq()
 * resumes a faulting instruction listed in st_fixups at its pair's second
 * address with the vector in r8.
 */
	.globl	st_rdmsr_safe, st_wrmsr_safe
st_rdmsr_safe:
	movl	%edi, %ecx
	xorl	%r8d, %r8d
1:	rdmsr
2:	testq	%r8, %r8
	jnz	3f
	shlq	$32, %rdx
	movl	%eax, %eax
	orq	%rdx, %rax
	movq	%rax, (%rsi)
3:	movq	%r8, %rax
	ret
	.pushsection st_fixups, "a"
	.quad	1b, 2b
	.popsection

st_wrmsr_safe:
	movl	%edi, %ecx
	movl	%esi, %eax
	movq	%rsi, %rdx
	shrq	$32, %rdx
	xorl	%r8d, %r8d
1:	wrmsr
2:	movq	%r8, %rax
	ret
	.pushsection st_fixups, "a"
	.quad	1b, 2b
	.popsection

	.section .rodata
	.p2align 3
	.globl	st_guest_vectors
	.macro	stub_addr n
	.quad	st_stub_\n
	.endm
st_guest_vectors:
	.set	i, 0
	.rept	256
	stub_addr %i
	.set	i, i + 1
	.endr

	.data
	.p2align 3
st_user_saved_rsp:
	.quad	0

	.section .note.GNU-stack, "", @progbits
