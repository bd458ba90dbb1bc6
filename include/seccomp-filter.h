/* SPDX-License-Identifier: GPL-2.0 */
/*
 * seccomp-bpf filters per thread role. lib/seccomp-bpf.c compiles a list
 * of rules into a classic BPF program; lib/seccomp-policy.c holds each
 * role's rules; lib/seccomp-role.c installs them (sc_enter()) and
 * lib/seccomp-sigsys.c reports a violation. See lkvm.1, SECCOMP.
 */
#ifndef LKVM_SECCOMP_FILTER_H
#define LKVM_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "types.h"

/* lkvm's exit status when a thread made a forbidden call (128 + SIGSYS). */
#define LKVM_EXIT_SECCOMP 159

enum sc_mode {
	SC_MODE_ON,	/* a forbidden call traps: message, exit 159 */
	SC_MODE_LOG,	/* a forbidden call is logged by the kernel, runs */
	SC_MODE_OFF,	/* no filter */
};

enum sc_role {
	SC_ROLE_MAIN,
	SC_ROLE_VCPU,
	SC_ROLE_IO,
	SC_ROLE_CONTROL,
	SC_ROLE_P9,
	SC_ROLE_DISK,
	SC_ROLE_NET,
	SC_NR_ROLES
};

/* How one 64-bit argument is checked. */
enum sc_arg_kind {
	SC_ANY,		/* not checked */
	SC_ONE_OF,	/* equal to one of vals[0..nr) */
	SC_NOT_IN,	/* no bit of vals[0] set */
	SC_ALL_OF,	/* every bit of vals[0] set */
	SC_NOT,		/* different from vals[0] */
	SC_MASKED,	/* (arg & vals[0]) == vals[1] */
	SC_NONE_OF,	/* equal to none of vals[0..nr) */
};

#define SC_MAX_VALS 24
/* Arguments one rule checks: socket()'s family, type and protocol. */
#define SC_MAX_ARGS 3

struct sc_arg {
	u8 idx;			/* 0..5 */
	u8 kind;		/* enum sc_arg_kind */
	u8 nr;			/* values in vals (SC_ONE_OF, SC_NONE_OF) */
	bool wide;		/* compare the upper 32 bits too */
	u64 vals[SC_MAX_VALS];
};

/* A call is allowed when one rule for its number has all args passing. */
struct sc_rule {
	int nr;
	u8 nr_args;
	struct sc_arg args[SC_MAX_ARGS];
};

/* The largest program sc_compile() builds (BPF_MAXINSNS is 4096). */
#define SC_MAX_INSNS 4096

/*
 * Build a filter: wrong architecture -> kill the process; a rule matches
 * -> allow; else `deny` (SECCOMP_RET_TRAP or SECCOMP_RET_LOG, ...).
 * Returns the number of instructions, or -E2BIG / -EINVAL.
 */
int sc_compile(const struct sc_rule *rules, size_t nr_rules, u32 deny,
	       struct sock_filter *out, size_t max);

/* The AUDIT_ARCH_* value of the build's architecture. */
u32 sc_audit_arch(void);

/*
 * The KVM descriptors the filters name: a VM-wide ioctl is allowed on
 * its descriptor only (argument 0, this number), and not at all where it
 * is -1. Known once the VM is set up (sc_build()).
 */
struct sc_kvm_fds {
	int vm_fd;	/* KVM_CREATE_VM's */
	int flic_fd;	/* s390x: the FLIC device's; -1 elsewhere, or none */
};

/* A role's rules (lib/seccomp-policy.c) into out; 0 if max is short. */
#define SC_MAX_RULES 256
size_t sc_policy(enum sc_role role, const struct sc_kvm_fds *fds,
		 struct sc_rule *out, size_t max);
const char *sc_role_name(enum sc_role role);
/* The main thread's helper process's rules (vmm/main-helper.c), likewise. */
size_t sc_main_helper_policy(struct sc_rule *out, size_t max);

/*
 * A role's whole program as sc_build() makes it: the role's rules,
 * tgkill to the threads of process pid only, `deny` for the rest.
 * Returns the number of instructions, or -errno.
 */
int sc_role_program(enum sc_role role, const struct sc_kvm_fds *fds,
		    u32 deny, pid_t pid, struct sock_filter *out, size_t max);

/* The name of system call nr on this architecture, or NULL. */
const char *sc_syscall_name(long nr);

/*
 * Process-wide set-up, on the main thread before any thread role starts:
 * the mode, the SIGSYS handler, what libc would open lazily (tzset...);
 * the programs come later (sc_build()).
 * Returns -errno with a message printed; SC_MODE_ON on a kernel without
 * seccomp filters fails (never runs unfiltered).
 */
int sc_prepare(enum sc_mode mode);
/*
 * Every role's program, on the main thread after sc_prepare(), once the
 * KVM descriptors exist and before the first thread starts: a thread
 * whose filter is not built yet ends lkvm (sc_enter()). 0 or -errno,
 * with a message printed; nothing to do without filters.
 */
int sc_build(const struct sc_kvm_fds *fds);
enum sc_mode sc_mode_get(void);
/* True when filters will be installed (after sc_prepare()). */
bool sc_active(void);

/*
 * On the calling thread: name it ("lkvm-" role, index if >= 0) and, when
 * sc_active(), install the role's filter (no TSYNC: this thread only).
 * A failure to install is fatal (message, exit 1): never unfiltered.
 */
void sc_enter(enum sc_role role, int index);

/*
 * What the thread pools call (lib/seccomp-state.c, which the fuzz targets
 * link without the rest): sc_enter() once sc_prepare() has set it, and
 * whether every thread must start now.
 */
void sc_hooks_set(bool eager, void (*enter)(enum sc_role role, int index));
bool sc_pools_eager(void);
void sc_thread_enter(enum sc_role role, int index);

/* The SIGSYS handler's report for the calling thread's role. */
int sc_sigsys_install(void);
void sc_sigsys_set_role(enum sc_role role, int index);
const char *sc_thread_name_get(void);

/*
 * The tests' hook (lkvm.1, ENVIRONMENT): when $LKVM_SECCOMP_SELFTEST,
 * read by sc_prepare(), names this role ("vcpu:execve"), the thread
 * makes that call right after its filter is on. No effect otherwise.
 */
void sc_selftest(enum sc_role role);

#endif
