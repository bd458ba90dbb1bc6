/* SPDX-License-Identifier: GPL-2.0 */
/* Guest of user_exception: faulting instructions at CPL3, with labels. */
	.text
	.code64
	.globl	ue_user, ue_de_insn, ue_de_next, ue_pf_insn, ue_pf_next
/* u64 ue_user(u64 unused): #DE, then #PF, each resumed by the handler. */
ue_user:
	xorl	%ecx, %ecx
	movl	$1, %eax
	xorl	%edx, %edx
ue_de_insn:
	divl	%ecx
ue_de_next:
	movabsq	$0x8000000000, %rcx
ue_pf_insn:
	movq	(%rcx), %rax
ue_pf_next:
	movl	$2, %eax
	ret

	.section .note.GNU-stack, "", @progbits
