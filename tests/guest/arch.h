/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

/*
 * Constants shared by the test guest's assembly entry code and its C
 * runtime. Everything here must stay valid in both languages.
 */

/* Our own GDT: selectors. 0x10/0x18 match the Linux boot protocol. */
#define SEL_CODE32	0x08
#define SEL_CODE64	0x10
#define SEL_DATA	0x18
#define SEL_UDATA	0x23	/* user (CPL3) data, RPL 3 */
#define SEL_UCODE64	0x2b	/* user (CPL3) 64-bit code, RPL 3 */
#define SEL_TSS		0x30	/* 16-byte 64-bit TSS descriptor */
#define GDT_LIMIT	(8 * 8 - 1)


/* How the guest was entered (first argument of guest_start). */
#define BOOT_LINUX64	1	/* 64-bit boot protocol, RSI = zero page */
#define BOOT_LINUX32	2	/* 32-bit boot protocol, ESI = zero page */
#define BOOT_PVH	3	/* PVH, EBX = hvm_start_info */
#define BOOT_REAL	4	/* flat binary entered in real mode */
#define BOOT_AP		5	/* secondary CPU coming from the trampoline */

/* Physical page the AP start-up trampoline is copied to (SIPI vector). */
#define AP_TRAMPOLINE_ADDR	0x70000
#define AP_SIPI_VECTOR		(AP_TRAMPOLINE_ADDR >> 12)

#define BOOT_STACK_SIZE		16384

/* Where the images are linked. */
#define KERNEL_LOAD_ADDR	0x100000
#define FLAT_LOAD_ADDR		0x10000
/* startup_64 sits this far into the protected-mode payload. */
#define STARTUP64_OFFSET	0x200

/* Exit statuses with a fixed meaning. */
/* Test-exit port: lkvm exits with the status written (outl). */
#define X86_PORT_TEST_EXIT	0xf4

#define EXIT_OK			0
#define EXIT_FAIL		1	/* a test's check failed */
#define EXIT_USAGE		2	/* unknown test or bad argument */
#define EXIT_EXCEPTION		112	/* unexpected CPU exception */

#endif
