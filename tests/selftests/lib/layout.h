/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ST_LAYOUT_H
#define ST_LAYOUT_H

/*
 * What the selftest host and guest code agree on: the guest-physical
 * layout (identity-mapped, so also the guest's virtual layout), the
 * selectors, and the guest-to-host call (ucall) format. Included by host
 * code and by freestanding guest code alike.
 *
 *   0x00001000  PML4, PDPT, 4 PDs (0x1000-0x6fff): 4 GiB identity map,
 *               2 MiB pages, user-accessible
 *   0x00007000  GDT                0x00007800  TSS
 *   0x00008000  IDT (256 gates)
 *   0x0000e000  hole: no memslot, MMIO exits (ucall at ST_UCALL_ADDR)
 *   0x00010000  RAM again: stacks, then scratch from ST_SCRATCH
 *   0x00400000  the test binary's own image, at its link addresses
 */
#define ST_PML4			0x1000ULL
#define ST_PDPT			0x2000ULL
#define ST_PD			0x3000ULL
#define ST_GDT			0x7000ULL
#define ST_TSS			0x7800ULL
#define ST_IDT			0x8000ULL
#define ST_HOLE_START		0xe000ULL
#define ST_HOLE_END		0x10000ULL
#define ST_MMIO_BASE		0xe000ULL	/* for tests: 0xe000-0xefff */
#define ST_UCALL_ADDR		0xfff0ULL
#define ST_KSTACK_TOP		0x30000ULL	/* CPL0: 16 KiB per vCPU */
#define ST_MAX_VCPUS		4
#define ST_RSP0_TOP		0x38000ULL	/* TSS.RSP0: from CPL3 */
#define ST_USTACK_TOP		0x40000ULL	/* CPL3 code */
#define ST_SCRATCH		0x100000ULL	/* free RAM up to 4 MiB */
#define ST_SCRATCH_END		0x400000ULL
#define ST_IMAGE_MIN		0x400000ULL

#define ST_SEL_KCODE		0x08
#define ST_SEL_KDATA		0x10
#define ST_SEL_UCODE32		0x1b
#define ST_SEL_UDATA		0x23
#define ST_SEL_UCODE		0x2b
#define ST_SEL_TSS		0x30
#define ST_GDT_ENTRIES		8

/* Guest-to-host calls. */
#define ST_UCALL_SYNC		1	/* args[0] = stage */
#define ST_UCALL_ASSERT		2	/* file, line, expr; args if nargs */
#define ST_UCALL_DONE		3
#define ST_UCALL_UNHANDLED	4	/* vector, error code, rip, cs */

#ifndef __ASSEMBLER__
struct st_ucall {
	unsigned long long cmd;
	unsigned long long args[4];
	unsigned long long nargs;
	unsigned long long file;	/* guest address of a C string */
	unsigned long long expr;	/* guest address of a C string */
	unsigned long long line;
};

/* What the exception stubs push, lowest address first. */
struct st_irq_frame {
	unsigned long long r15, r14, r13, r12, r11, r10, r9, r8;
	unsigned long long rbp, rdi, rsi, rdx, rcx, rbx, rax;
	unsigned long long vector, error_code;
	unsigned long long rip, cs, rflags, rsp, ss;
};
#endif

#endif
