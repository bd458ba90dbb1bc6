// SPDX-License-Identifier: GPL-2.0
/*
 * The SIGSYS handler of --seccomp on: one line naming the thread's role
 * and the forbidden call, then _exit(LKVM_EXIT_SECCOMP). Async-signal-safe:
 * only write(2) and exit_group, both allowed in every role's filter, and
 * atomic loads (log_console_prefix()): the line starts a line of its own,
 * on a terminal the guest's output left sane, when the console shares
 * stderr's file, as log_msg()'s do.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "seccomp-filter.h"

/* The calling thread's name ("lkvm-vcpu0"), set by sc_enter(). */
static __thread char sc_thread_name[16] = "lkvm-main";

static size_t put_str(char *buf, size_t at, size_t max, const char *s)
{
	while (*s && at < max)
		buf[at++] = *s++;
	return at;
}

static size_t put_num(char *buf, size_t at, size_t max, long v)
{
	char digits[24];
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0 && at < max)
		buf[at++] = '-';
	while (n && at < max)
		buf[at++] = digits[--n];
	return at;
}

static void sc_sigsys(int sig, siginfo_t *si, void *uctx)
{
	const char *name = sc_syscall_name(si->si_syscall);
	char line[LOG_PREFIX_MAX + 160];
	size_t n, max = sizeof(line) - 1;

	n = log_console_prefix(line);
	n = put_str(line, n, max, "lkvm: seccomp: thread ");
	n = put_str(line, n, max, sc_thread_name);
	n = put_str(line, n, max, " made forbidden system call ");
	n = put_num(line, n, max, si->si_syscall);
	n = put_str(line, n, max, " (");
	n = put_str(line, n, max, name ? name : "unknown");
	n = put_str(line, n, max, "): exiting");
	line[n++] = '\n';
	/* Nothing to do if stderr is gone: the status says it. */
	if (write(STDERR_FILENO, line, n) < 0)
		n = 0;
	syscall(SYS_exit_group, LKVM_EXIT_SECCOMP);
}

void sc_sigsys_set_role(enum sc_role role, int index)
{
	size_t n = 0, max = sizeof(sc_thread_name) - 1;

	n = put_str(sc_thread_name, n, max, "lkvm-");
	n = put_str(sc_thread_name, n, max, sc_role_name(role));
	if (index >= 0)
		n = put_num(sc_thread_name, n, max, index);
	sc_thread_name[n] = '\0';
}

const char *sc_thread_name_get(void)
{
	return sc_thread_name;
}

int sc_sigsys_install(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sc_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL))
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	return -pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
