/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_EMUL_ASSIST_H
#define LKVM_X86_EMUL_ASSIST_H

#include "types.h"

/*
 * Emulation assist: on hosts whose KVM runs guest supervisor code through
 * its instruction emulator (kvm_pvm with pvm_native=Y), a few instructions
 * the emulator lacks stop the vCPU with an emulation failure. The assist
 * completes the ones whose effect is simple and well defined, so that an
 * ordinary Linux kernel can boot there. On VMX/SVM hosts it never fires.
 */

enum assist_kind {
	ASSIST_NONE,		/* not an instruction the assist knows */
	ASSIST_EXCEPTION,	/* int3: deliver #BP after the instruction */
	ASSIST_SOFT_INT,	/* int n: deliver vector n after it */
	ASSIST_SKIP,		/* fwait, fninit: no effect worth emulating */
	ASSIST_NR_KINDS,
};

struct assist_action {
	enum assist_kind kind;
	u8 vector;
	u8 len;			/* instruction length: RIP advances by it */
	const char *what;	/* "int3", "fwait", ... */
};

/* Decode the failed instruction; bytes beyond len are not read. */
void emul_assist_decode(const u8 *insn, size_t len, struct assist_action *act);

/*
 * Kernel command-line words appended for Linux guests when the assist is
 * on: CPU features the host's emulator advertises but cannot execute. The
 * switch for a guest kernel's SYSCALL completion (below) follows them.
 * Linux (6.1) reads at most 127 characters of clearcpuid=, so the features
 * that have their own switch (xsave, pku, fsgsbase) use it instead.
 */
#define EMUL_ASSIST_CLEARCPUID \
	"smap,smep,umip,cx16,avx,avx2,rdpid,popcnt,bmi1,bmi2,rdrand,rdseed," \
	"movbe,sse4_2,sse4_1,abm,adx,sha_ni,aes,pclmulqdq"
#define EMUL_ASSIST_CLEARCPUID_MAX 127
#define EMUL_ASSIST_CMDLINE \
	"clearcpuid=" EMUL_ASSIST_CLEARCPUID " noxsave nopku nofsgsbase"

/*
 * On these hosts a user-mode SYSCALL stays at CPL3 and faults on the
 * kernel's entry point; a guest kernel with lkvm's patch
 * (kernel-patches/, "x86/entry: Optionally complete a SYSCALL...")
 * completes the system call from that fault when this switch is given.
 * Kernels without the patch ignore it. Appended after EMUL_ASSIST_CMDLINE
 * unless the command line sets it already (syscall_fault_fixup=0 turns
 * the patch off, to see what an unpatched kernel does here).
 */
#define EMUL_ASSIST_SYSCALL_FIXUP "syscall_fault_fixup"

/* True when this host's KVM emulates guest CPL0 code. */
bool emul_assist_host_needs(void);

/* A guest stuck on one RIP is ended after this many assists in a row. */
#define EMUL_ASSIST_MAX_SAME_RIP 1000

#endif
