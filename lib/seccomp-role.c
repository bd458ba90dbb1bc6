// SPDX-License-Identifier: GPL-2.0
/*
 * The process's seccomp state: the mode, each role's compiled filter
 * (built once by sc_build() on the main thread), and sc_enter(), which
 * each thread calls on itself once its set-up is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "seccomp-filter.h"

struct sc_state {
	enum sc_mode mode;
	bool prepared;
	bool built;	/* sc_build(): prog[] */
	struct sock_fprog prog[SC_NR_ROLES];
	/* $LKVM_SECCOMP_SELFTEST: role and call name, or role -1. */
	int selftest_role;
	char selftest_call[32];
};

static struct sc_state sc = { .mode = SC_MODE_OFF, .selftest_role = -1 };

enum sc_mode sc_mode_get(void)
{
	return sc.mode;
}

bool sc_active(void)
{
	return sc.prepared && sc.mode != SC_MODE_OFF;
}

static void selftest_parse(void)
{
	const char *env = getenv("LKVM_SECCOMP_SELFTEST");
	const char *colon;
	int r;

	if (!env)
		return;
	colon = strchr(env, ':');
	if (!colon || strlen(colon + 1) >= sizeof(sc.selftest_call))
		return;
	for (r = 0; r < SC_NR_ROLES; r++)
		if (strlen(sc_role_name(r)) == (size_t)(colon - env) &&
		    !strncmp(env, sc_role_name(r), (size_t)(colon - env)))
			break;
	if (r == SC_NR_ROLES)
		return;
	sc.selftest_role = r;
	snprintf(sc.selftest_call, sizeof(sc.selftest_call), "%s", colon + 1);
}

/* The kernel must have filters, SECCOMP_RET_TRAP/LOG and KILL_PROCESS. */
static int sc_kernel_check(enum sc_mode mode)
{
	u32 act[] = { SECCOMP_RET_KILL_PROCESS,
		      mode == SC_MODE_LOG ? SECCOMP_RET_LOG : SECCOMP_RET_TRAP };
	unsigned int i;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return -errno;
	for (i = 0; i < ARRAY_SIZE(act); i++)
		if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act[i]))
			return -errno;
	return 0;
}

int sc_prepare(enum sc_mode mode)
{
	long ncpus;
	int err;

	sc.mode = mode;
	/* Threads are still named for their roles. */
	sc_hooks_set(false, sc_enter);
	if (mode == SC_MODE_OFF)
		return 0;
	err = sc_kernel_check(mode);
	if (err) {
		pr_err("--seccomp %s: this kernel cannot filter system calls (%s); --seccomp off runs without",
		       mode == SC_MODE_LOG ? "log" : "on", strerror(-err));
		return err;
	}
	err = sc_sigsys_install();
	if (err) {
		pr_err("seccomp: cannot handle SIGSYS: %s", strerror(-err));
		return err;
	}
	/* What libc would otherwise open on first use, under a filter. */
	tzset();
	/*
	 * glibc's malloc reads /sys/devices/system/cpu/online (openat) to
	 * bound its arenas when a thread needs one and none is free, in
	 * that thread: with the bound set here, never. glibc's own default,
	 * 8 a CPU.
	 */
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	mallopt(M_ARENA_MAX, (int)(8 * (ncpus > 0 ? MIN(ncpus, 4096L) : 2)));
	selftest_parse();
	sc.prepared = true;
	sc_hooks_set(true, sc_enter);
	return 0;
}

int sc_build(const struct sc_kvm_fds *fds)
{
	struct sock_filter buf[SC_MAX_INSNS];
	u32 deny = sc.mode == SC_MODE_LOG ? SECCOMP_RET_LOG : SECCOMP_RET_TRAP;
	unsigned int r;
	int n;

	if (!sc_active())
		return 0;
	if (sc.built)
		return -EALREADY;
	for (r = 0; r < SC_NR_ROLES; r++) {
		n = sc_role_program(r, fds, deny, getpid(), buf, SC_MAX_INSNS);
		if (n < 0) {
			pr_err("seccomp: the %s filter does not compile: %s",
			       sc_role_name(r), strerror(-n));
			goto fail;
		}
		sc.prog[r].filter = malloc(sizeof(buf[0]) * (size_t)n);
		if (!sc.prog[r].filter) {
			pr_err("out of memory");
			n = -ENOMEM;
			goto fail;
		}
		memcpy(sc.prog[r].filter, buf, sizeof(buf[0]) * (size_t)n);
		sc.prog[r].len = (unsigned short)n;
	}
	sc.built = true;
	return 0;
fail:
	/* The programs built before this one: none is installed unbuilt. */
	while (r--) {
		free(sc.prog[r].filter);
		sc.prog[r] = (struct sock_fprog){ 0 };
	}
	return n;
}

static void sc_fatal(const char *what, int err)
{
	pr_err("seccomp: %s: cannot install the filter of %s: %s",
	       sc_thread_name_get(), what, strerror(err));
	_exit(1);
}

void sc_enter(enum sc_role role, int index)
{
	sc_sigsys_set_role(role, index);
	/* An error here only leaves the default name "lkvm". */
	prctl(PR_SET_NAME, (unsigned long)sc_thread_name_get(), 0, 0, 0);
	if (!sc_active())
		return;
	/* Never unfiltered: a thread before sc_build() is lkvm's bug. */
	if (!sc.built) {
		pr_err("seccomp: %s: started before the filters were built",
		       sc_thread_name_get());
		_exit(1);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		sc_fatal("no_new_privs", errno);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &sc.prog[role]))
		sc_fatal(sc_role_name(role), errno);
	sc_selftest(role);
}

/* The forbidden calls the tests make, each harmless if allowed (log). */
void sc_selftest(enum sc_role role)
{
	const char *c = sc.selftest_call;
	long r = 0;
	int fd;

	if (sc.selftest_role != (int)role)
		return;
	if (!strcmp(c, "execve")) {
		r = syscall(SYS_execve, NULL, NULL, NULL);
	} else if (!strcmp(c, "openat")) {
		/* A new file, where none can be made if this went through. */
		r = syscall(SYS_openat, AT_FDCWD,
			    "/nonexistent-lkvm-seccomp-selftest/new",
			    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	} else if (!strcmp(c, "socket")) {
		fd = (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(c, "ioctl")) {
		/* An ioctl number no role lists, on no descriptor. */
		r = syscall(SYS_ioctl, -1, 0x7a7aUL, 0);
	} else if (!strcmp(c, "io_uring_setup")) {
		r = syscall(SYS_io_uring_setup, 0, NULL);
	}
	pr_warn("seccomp self-test: %s %s: the call returned (%ld)",
		sc_thread_name_get(), c, r);
}
