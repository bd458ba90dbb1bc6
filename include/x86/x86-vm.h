/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_VM_H
#define LKVM_X86_VM_H

#include <linux/kvm.h>
#include <stdatomic.h>

#include "x86/boot.h"
#include "x86/emul-assist.h"

/* x86-specific VM state, hung off struct vm's arch pointer. */
struct x86_vm {
	struct x86_mem_map mem_map;
	struct boot_state boot;
	struct kvm_cpuid2 *supported_cpuid;
	bool emulation_assist;
	atomic_ullong assists[ASSIST_NR_KINDS];
	char *cmdline;		/* the command line the guest gets */
};

struct vm;
static inline struct x86_vm *x86_vm(struct vm *vm)
{
	return (struct x86_vm *)vm->arch;
}

#endif
