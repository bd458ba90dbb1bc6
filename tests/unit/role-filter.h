/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thread of a unit test under one of lkvm's own seccomp roles
 * (lib/seccomp-policy.c), with deny (SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO
 * | e, ...) for the calls the role forbids.
 */
#ifndef LKVM_TEST_ROLE_FILTER_H
#define LKVM_TEST_ROLE_FILTER_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp-filter.h"

/*
 * The role's program on the calling thread; false where none can be. No
 * KVM descriptors: the role's VM-wide ioctls are refused.
 */
static inline bool role_filter_install(enum sc_role role, u32 deny)
{
	static __thread struct sock_filter insn[SC_MAX_INSNS];
	static const struct sc_kvm_fds none = { .vm_fd = -1, .flic_fd = -1 };
	struct sock_fprog prog;
	int n = sc_role_program(role, &none, deny, getpid(), insn,
				SC_MAX_INSNS);

	if (n <= 0)
		return false;
	prog.len = (unsigned short)n;
	prog.filter = insn;
	return !prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) &&
	       !syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

#endif
