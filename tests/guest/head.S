/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the test guest.
 *
 *   startup_32   payload offset 0: Linux 32-bit boot protocol (ESI = zero
 *                page, protected mode, paging off)
 *   startup_64   payload offset 0x200: Linux 64-bit boot protocol (RSI =
 *                zero page, long mode, identity-mapped paging on)
 *   pvh_start32  PVH (EBX = hvm_start_info, protected mode, paging off)
 *   ap_pm32      secondary CPUs, reached from the real-mode trampoline
 *
 * Every 32-bit path builds (or, for APs, reuses) identity page tables for
 * the first 4 GiB, enters long mode and calls guest_start(proto, info) or
 * ap_main() on its own stack.
 */
#include "arch.h"

#define CR0_PE		0x00000001
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100
#define PTE_P_W		0x007	/* present, writable, user */
#define PDE_2M		0x087

	.section .head.text, "ax"
	.code32
	.globl startup_32
startup_32:
	cli
	cld
	movl	$BOOT_LINUX32, %ebp
	movl	%esi, %edi
	jmp	pm32_common

	.org	STARTUP64_OFFSET
	.code64
	.globl startup_64
startup_64:
	cli
	cld
	movl	$BOOT_LINUX64, %ebp
	movq	%rsi, %rbx
	/* The protocol promises no stack: use ours before lretq. */
	leaq	boot_stack_top(%rip), %rsp
	/* Keep the loader's identity map; APs will use it too. */
	movq	%cr3, %rax
	movl	%eax, boot_cr3(%rip)
	lgdt	gdt_desc(%rip)
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	pushq	$SEL_CODE64
	leaq	bsp_long64(%rip), %rax
	pushq	%rax
	lretq

	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl	$BOOT_PVH, %ebp
	movl	%ebx, %edi
	jmp	pm32_common

/*
 * Flat 32-bit code, paging off. EBP = BOOT_*, EDI = boot info pointer.
 * DS must be flat (true for every entry; real-mode and AP entries load our
 * GDT and DS first).
 */
	.globl pm32_common
pm32_common:
	lgdt	gdt_desc
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	ljmp	$SEL_CODE32, $1f
1:
	cmpl	$BOOT_AP, %ebp
	je	3f
	movl	%edi, %ebx

	/* PML4 and PDPT: clear, then one entry and four entries. */
	movl	$pt_pml4, %edi
	xorl	%eax, %eax
	movl	$2048, %ecx
	rep stosl
	movl	$(pt_pdpt + PTE_P_W), pt_pml4
	movl	$(pt_pd + PTE_P_W), pt_pdpt
	movl	$(pt_pd + 0x1000 + PTE_P_W), pt_pdpt + 8
	movl	$(pt_pd + 0x2000 + PTE_P_W), pt_pdpt + 16
	movl	$(pt_pd + 0x3000 + PTE_P_W), pt_pdpt + 24

	/* Four page directories of 2 MiB pages: 4 GiB identity. */
	xorl	%ecx, %ecx
2:
	movl	%ecx, %eax
	shll	$21, %eax
	orl	$PDE_2M, %eax
	movl	%eax, pt_pd(, %ecx, 8)
	movl	$0, pt_pd + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	2b
	movl	$pt_pml4, boot_cr3
	movl	%ebx, %edi
3:
	movl	boot_cr3, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $long64_from32

	.code64
long64_from32:
	movl	%edi, %ebx
	cmpl	$BOOT_AP, %ebp
	je	ap_long64

/* BSP in long mode: EBP = BOOT_*, RBX = boot info pointer. */
bsp_long64:
	leaq	boot_stack_top(%rip), %rsp
	/* Clear .bss (small; page tables and stacks live in .bss.noclear). */
	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	shrq	$3, %rcx
	xorl	%eax, %eax
	rep stosq
	movl	%ebp, %edi
	movq	%rbx, %rsi
	call	guest_start
	jmp	halt_forever

ap_long64:
	movq	ap_stack_top(%rip), %rsp
	call	ap_main
	jmp	halt_forever

	.globl halt_forever
halt_forever:
	cli
	hlt
	jmp	halt_forever

/* Secondary CPUs arrive here from the trampoline, DS already flat. */
	.code32
ap_pm32:
	movl	$BOOT_AP, %ebp
	xorl	%edi, %edi
	jmp	pm32_common

/*
 * AP start-up trampoline: copied to AP_TRAMPOLINE_ADDR and entered by
 * SIPI at CS = AP_TRAMPOLINE_ADDR >> 4, IP = 0 in real mode.
 */
	.section .rodata.trampoline, "a"
	.code16
	.globl ap_tramp_start, ap_tramp_end
ap_tramp_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	ap_tramp_gdt - ap_tramp_start
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	ljmpl	$SEL_CODE32, $ap_pm32
	.p2align 2
ap_tramp_gdt:
	.word	GDT_LIMIT
	.long	gdt
ap_tramp_end:

/* Instruction KVM's emulator cannot execute, on an MMIO address. */
	.text
	.code64
	.globl emulfail_exec, emulfail_insn, emulfail_insn_end
emulfail_exec:
	pushq	%rcx
	movl	$0xd0f00000, %eax
emulfail_insn:
	.byte	0xf3, 0x48, 0x0f, 0xb8, 0x08	/* popcnt (%rax), %rcx */
emulfail_insn_end:
	popq	%rcx
	ret

	.globl idt_load_empty
idt_load_empty:
	subq	$16, %rsp
	movw	$0, (%rsp)
	movq	$0, 2(%rsp)
	lidt	(%rsp)
	addq	$16, %rsp
	ret

/*
 * Interrupt and exception stubs, 16 bytes apart: vector v's stub is at
 * irq_stubs + 16 * v. Each pushes a dummy error code where the CPU does
 * not, then the vector number.
 */
	.p2align 4
	.globl irq_stubs
irq_stubs:
	vec = 0
	.rept 256
	.p2align 4
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	irq_common
	vec = vec + 1
	.endr

irq_common:
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
	call	irq_dispatch
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
	addq	$16, %rsp
	iretq

	.data
	.p2align 3
	.globl gdt, gdt_end, boot_cr3, ap_stack_top
gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* 0x08: 32-bit code, flat */
	.quad	0x00af9b000000ffff	/* 0x10: 64-bit code */
	.quad	0x00cf93000000ffff	/* 0x18: data, flat */
	.quad	0x00cff3000000ffff	/* 0x20: user data, flat */
	.quad	0x00affb000000ffff	/* 0x28: user 64-bit code */
	.quad	0, 0			/* 0x30: TSS, filled by user.c */
gdt_end:
	.if gdt_end - gdt - 1 - GDT_LIMIT
	.error "GDT_LIMIT does not match the GDT"
	.endif
	.p2align 3
gdt_desc:
	.word	GDT_LIMIT
	.quad	gdt
boot_cr3:
	.long	0
	.p2align 3
ap_stack_top:
	.quad	0

	.section .bss.noclear, "aw", @nobits
	.p2align 12
pt_pml4:
	.skip	4096
pt_pdpt:
	.skip	4096
pt_pd:
	.skip	4 * 4096
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:
