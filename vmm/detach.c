// SPDX-License-Identifier: GPL-2.0
/* Deliver lkvm's exit status before KVM's VM teardown; see detach.h. */
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "detach.h"

#define DETACH_STACK_SIZE (64 * 1024)

struct detach_args {
	int keep_fd;
	pid_t parent;
	atomic_int ready;
};

/* Close every fd but keep; raw syscalls only (we share the parent's heap). */
static void close_all_but(int keep)
{
	/* close_range(2): 0 to keep - 1 and keep + 1 to the end. */
	if (keep > 0)
		syscall(SYS_close_range, 0, keep - 1, 0);
	syscall(SYS_close_range, keep + 1, ~0U, 0);
}

static int detach_child(void *arg)
{
	struct detach_args *a = arg;
	sigset_t all;

	sigfillset(&all);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, sizeof(long));
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	close_all_but(a->keep_fd);
	atomic_store(&a->ready, 1);
	/* The parent may already be gone: then we were reparented. */
	/* ppoll(NULL, 0, NULL, NULL): pause(2) on every arch (arm64 has none). */
	while (syscall(SYS_getppid) == a->parent)
		syscall(SYS_ppoll, NULL, 0, NULL, NULL, 0);
	syscall(SYS_exit, 0);
	return 0;
}

void exit_detached(int vm_fd, int status)
{
	static struct detach_args args;
	struct timespec pause = { 0, 20000 };
	char *stack;
	int i;

	args.keep_fd = vm_fd;
	args.parent = getpid();
	atomic_store(&args.ready, 0);
	stack = malloc(DETACH_STACK_SIZE);
	if (vm_fd < 0 || !stack ||
	    clone(detach_child, stack + DETACH_STACK_SIZE, CLONE_VM, &args) < 0)
		_exit(status);
	/* Wait (at most ~100 ms) until the child has dropped the other fds. */
	for (i = 0; i < 5000 && !atomic_load(&args.ready); i++)
		nanosleep(&pause, NULL);
	_exit(status);
}
