/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lkvm's guest init, embedded: lkvm_guest_init[] holds the static binary
 * make built from vmm/guest-init/ (empty where no guest init is built for
 * the arch), lkvm_guest_init_end marks its end.
 */
	.section .rodata, "a"
	.balign 16
	.globl lkvm_guest_init
	.globl lkvm_guest_init_end
lkvm_guest_init:
#ifdef GUEST_INIT_BIN
	.incbin GUEST_INIT_BIN
#endif
lkvm_guest_init_end:
	.section .note.GNU-stack, "", @progbits
