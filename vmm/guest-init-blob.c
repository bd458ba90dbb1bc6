// SPDX-License-Identifier: GPL-2.0
/*
 * lkvm's guest init, embedded: lkvm_guest_init[] holds the static binary
 * make built from vmm/guest-init/ (GUEST_INIT_BIN, its path), and
 * lkvm_guest_init_end marks its end; where no guest init is built for the
 * arch, nothing is between them. A C file, so that every build of the
 * library (the sanitizer's too) has it.
 */
#include "sandbox-job.h"

#ifdef GUEST_INIT_BIN
#define GUEST_INIT_INCBIN "	.incbin \"" GUEST_INIT_BIN "\"\n"
#else
#define GUEST_INIT_INCBIN ""
#endif

asm(".pushsection .rodata, \"a\"\n"
    "	.balign 16\n"
    "	.globl lkvm_guest_init\n"
    "	.globl lkvm_guest_init_end\n"
    "lkvm_guest_init:\n"
    GUEST_INIT_INCBIN
    "lkvm_guest_init_end:\n"
    "	.popsection\n");
