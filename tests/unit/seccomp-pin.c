// SPDX-License-Identifier: GPL-2.0
/*
 * The VM-wide KVM ioctls' pin to the VM's descriptor, in the kernel
 * rather than the test interpreter: a child under the disk role's real
 * filter, built with an eventfd's number as the VM's, makes the role's
 * interrupt ioctl on that eventfd (allowed: the kernel answers ENOTTY, an
 * eventfd has no ioctls), on the same number with bits set above 32 (the
 * kernel reads an unsigned int: the same descriptor, allowed), and on
 * another eventfd (refused by the filter, with the deny's errno).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-filter.h"
#include "tap.h"

#ifdef __s390x__
#define IRQ_IOCTL KVM_S390_INTERRUPT
#else
#define IRQ_IOCTL KVM_IRQ_LINE
#endif
#define DENY_ERRNO EXFULL

enum { SAME, HIGH, OTHER, NR };

/* The ioctl's errno (0 if it succeeded). */
static int irq_ioctl(unsigned long fd)
{
	return syscall(SYS_ioctl, fd, (unsigned long)IRQ_IOCTL, 0UL) ? errno :
								       0;
}

static void child(int vm, int other, int out)
{
	static struct sock_filter insn[SC_MAX_INSNS];
	const struct sc_kvm_fds fds = { .vm_fd = vm, .flic_fd = -1 };
	struct sock_fprog prog;
	int n = sc_role_program(SC_ROLE_DISK, &fds,
				SECCOMP_RET_ERRNO | DENY_ERRNO, getpid(),
				insn, SC_MAX_INSNS);
	int r[NR];

	if (n <= 0)
		_exit(2);
	prog.len = (unsigned short)n;
	prog.filter = insn;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		_exit(3);
	r[SAME] = irq_ioctl((unsigned long)vm);
	r[HIGH] = irq_ioctl((unsigned long)vm | (1UL << 32));
	r[OTHER] = irq_ioctl((unsigned long)other);
	if (write(out, r, sizeof(r)) != sizeof(r))
		_exit(4);
	_exit(0);
}

int main(void)
{
	int vm = eventfd(0, EFD_CLOEXEC), other = eventfd(0, EFD_CLOEXEC);
	int p[2], r[NR], st;
	pid_t pid;

	if (vm < 0 || other < 0 || pipe(p))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		child(vm, other, p[1]);
	close(p[1]);
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 3) {
		printf("1..0 # SKIP no seccomp filter could be installed here\n");
		return 0;
	}
	if (WEXITSTATUS(st) || read(p[0], r, sizeof(r)) != sizeof(r)) {
		ok(0, "the child reported (status %d)", WEXITSTATUS(st));
		return tap_done();
	}
	ok(r[SAME] == ENOTTY,
	   "the interrupt ioctl on the VM's descriptor reaches the kernel (%s)",
	   strerror(r[SAME]));
	ok(r[HIGH] == ENOTTY,
	   "and on its number with bits above 32, which the kernel ignores (%s)",
	   strerror(r[HIGH]));
	ok(r[OTHER] == DENY_ERRNO,
	   "on another descriptor the filter refuses it (%s)",
	   strerror(r[OTHER]));
	return tap_done();
}
