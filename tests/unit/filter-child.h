/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A seccomp filter program tried in a child process: whether one can be
 * installed here at all (not under qemu-user), and what the child it
 * confines then does.
 */
#ifndef LKVM_TEST_FILTER_CHILD_H
#define LKVM_TEST_FILTER_CHILD_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's exit status when the program could not be installed. */
#define FILTER_CHILD_NOT_INSTALLED	50

/*
 * The program f of len instructions installed in a child that then runs
 * then() (unless NULL) and exits 0: the child's wait status, or -1 where
 * no child could be made or the program not installed.
 */
static inline int filter_child(const struct sock_filter *f, size_t len,
			       void (*then)(void))
{
	struct sock_fprog prog = { .len = (unsigned short)len,
				   .filter = (struct sock_filter *)f };
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
			_exit(FILTER_CHILD_NOT_INSTALLED);
		if (then)
			then();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == FILTER_CHILD_NOT_INSTALLED)
		return -1;
	return st;
}

#endif
