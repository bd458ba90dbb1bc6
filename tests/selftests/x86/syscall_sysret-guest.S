/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of syscall_sysret. sysret_user (CPL3) sets DF and AC, executes
 * SYSCALL; syscall_entry (the LSTAR target) records the state it runs in
 * before anything can change it, lets C check it, and returns with
 * SYSRETQ; the user side records what it came back to.
 */
#include "layout.h"

	.text
	.code64
	.globl	syscall_entry, sysret_user, sysret_user_syscall_next
/* u64 sysret_user(u64 arg) at CPL3. */
sysret_user:
	pushq	%rbx
	pushfq
	orq	$0x40400, (%rsp)	/* AC | DF: SFMASK clears them */
	popfq
	syscall
sysret_user_syscall_next:
	pushfq
	popq	%rax
	movq	%rax, sc_user_rflags(%rip)
	movw	%cs, %ax
	movw	%ax, sc_user_cs(%rip)
	movw	%ss, %ax
	movw	%ax, sc_user_ss(%rip)
	cld
	pushfq
	andq	$~0x40000, (%rsp)
	popfq
	popq	%rbx
	movl	$1, %eax
	ret

syscall_entry:
	movq	%rcx, sc_rcx(%rip)
	movq	%r11, sc_r11(%rip)
	pushfq
	popq	sc_rflags(%rip)
	movw	%cs, sc_cs(%rip)
	movw	%ss, sc_ss(%rip)
	movq	%rsp, sc_rsp(%rip)
	/* Checked in C; the state is already saved. */
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	syscall_check
	movq	%rbx, %rsp
	movq	sc_rcx(%rip), %rcx
	movq	sc_r11(%rip), %r11
	sysretq

	.section .note.GNU-stack, "", @progbits
