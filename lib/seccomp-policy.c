// SPDX-License-Identifier: GPL-2.0
/*
 * What each thread role may call once its set-up is done: groups of rules,
 * and each role as a list of groups. Found by tracing every suite's VMs
 * (strace -f, calls after each thread's sc_enter()) and by reading the
 * run-time paths; lkvm.1's SECCOMP says what each role holds and why.
 *
 * Argument checks: mmap and mprotect never with PROT_EXEC (not on s390x,
 * whose mmap takes its arguments in memory); ioctl numbers per role;
 * socket families (the user-mode network only, AF_INET/AF_INET6); clone
 * only with CLONE_VM alone (the exit path's detached child, main only:
 * no thread starts after the filters); openat only for the 9p workers
 * (Landlock confines them to their shares) and for main's status file,
 * with exactly the flags status_file_write() uses; rt_sigaction never on
 * SIGSYS; prctl only PR_SET_PDEATHSIG (main's detached child).
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/io_uring.h>
#include <linux/kvm.h>
#include <linux/sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "seccomp-filter.h"

static const char *const role_names[SC_NR_ROLES] = {
	[SC_ROLE_MAIN] = "main",
	[SC_ROLE_VCPU] = "vcpu",
	[SC_ROLE_IO] = "io",
	[SC_ROLE_CONTROL] = "control",
	[SC_ROLE_P9] = "9p",
	[SC_ROLE_DISK] = "disk",
	[SC_ROLE_NET] = "net",
};

const char *sc_role_name(enum sc_role role)
{
	return (unsigned int)role < SC_NR_ROLES ? role_names[role] : "?";
}

#define NVALS(...) (sizeof((u64[]){ __VA_ARGS__ }) / sizeof(u64))
#define ONE_OF(i, ...) { .idx = (i), .kind = SC_ONE_OF, \
			 .nr = NVALS(__VA_ARGS__), .vals = { __VA_ARGS__ } }
#define ALLOW(n) { .nr = __NR_##n }
#define ALLOW1(n, ...) { .nr = __NR_##n, .nr_args = 1, \
			  .args = { __VA_ARGS__ } }

#ifdef __s390x__
#define CLONE_FLAGS_ARG 1	/* s390x: clone(stack, flags, ...) */
#else
#define CLONE_FLAGS_ARG 0
#endif

/* Every role: memory, signals, time, stdio, exit. */
static const struct sc_rule g_common[] = {
	ALLOW(read),
	ALLOW(write),
	ALLOW(readv),
	ALLOW(writev),
	ALLOW(close),
	ALLOW(futex),
#ifdef __s390x__
	ALLOW(mmap),
#else
	ALLOW1(mmap, { .idx = 2, .kind = SC_NOT_IN,
				       .vals = { PROT_EXEC } }),
#endif
	ALLOW1(mprotect, { .idx = 2, .kind = SC_NOT_IN,
					   .vals = { PROT_EXEC } }),
	ALLOW(munmap),
	ALLOW(madvise),
	ALLOW(mremap),
	ALLOW(brk),
	ALLOW(rt_sigprocmask),
	ALLOW(rt_sigreturn),
	ALLOW1(rt_sigaction, { .idx = 0, .kind = SC_NOT,
					       .vals = { SIGSYS } }),
	ALLOW(exit),
	ALLOW(exit_group),
	ALLOW(getpid),
	ALLOW(gettid),
	ALLOW(clock_gettime),
	ALLOW(clock_nanosleep),
	ALLOW(nanosleep),
	ALLOW(sched_yield),
	ALLOW(sched_getaffinity),
	ALLOW(restart_syscall),
	ALLOW(getrandom),
	ALLOW(lseek),
	ALLOW(fstat),
	ALLOW1(newfstatat, ONE_OF(3, AT_EMPTY_PATH)),
	/* The terminal: a fatal signal's handler restores it anywhere. */
	ALLOW1(ioctl, ONE_OF(1, TCGETS, TCSETS, TCSETSW,
					      TCSETSF, TIOCGWINSZ)),
};

/* The KVM ioctls of a running VM (not those that create or set up). */
#ifdef __x86_64__
#define KVM_RUNTIME_IOCTLS ONE_OF(1, KVM_RUN, KVM_GET_REGS, KVM_SET_REGS, \
	KVM_GET_SREGS, KVM_SET_SREGS, KVM_TRANSLATE, KVM_IRQ_LINE, \
	KVM_SIGNAL_MSI, KVM_IOEVENTFD, KVM_IRQFD, KVM_SET_GSI_ROUTING, \
	KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS, KVM_SET_GUEST_DEBUG, \
	KVM_GET_LAPIC, KVM_NMI)
#else
/* Not traced on these: any ioctl of KVM's type (0xae). */
#define KVM_RUNTIME_IOCTLS { .idx = 1, .kind = SC_MASKED, \
			     .vals = { 0xff00, KVMIO << 8 } }
#endif

/* What a device's code runs on a vCPU or the I/O thread. */
static const struct sc_rule g_device[] = {
	ALLOW1(ioctl, KVM_RUNTIME_IOCTLS),
	/* virtio-net on a tap: offloads and queues set by the driver. */
	ALLOW1(ioctl, ONE_OF(1, TUNSETOFFLOAD, TUNSETQUEUE)),
	ALLOW(eventfd2),
	ALLOW(epoll_ctl),
#ifdef __NR_poll
	ALLOW(poll),
#endif
	ALLOW(ppoll),
	ALLOW(timerfd_settime),
	ALLOW(timerfd_gettime),
};

/* A disk's requests on an open image: threads, io_uring, flush, zero. */
static const struct sc_rule g_disk[] = {
	ALLOW(pread64),
	ALLOW(pwrite64),
	ALLOW(preadv),
	ALLOW(pwritev),
	ALLOW(preadv2),
	ALLOW(pwritev2),
	ALLOW(fdatasync),
	ALLOW(fsync),
	ALLOW(fallocate),
	ALLOW(ftruncate),
	ALLOW(io_uring_enter),
	ALLOW1(ioctl, ONE_OF(1, BLKZEROOUT)),
};

/* A disk worker completes requests: interrupts, eventfds. */
static const struct sc_rule g_irq[] = {
	ALLOW1(ioctl, ONE_OF(1, KVM_IRQ_LINE,
					      KVM_SIGNAL_MSI)),
};

static const struct sc_rule g_io[] = {
#ifdef __NR_epoll_wait
	ALLOW(epoll_wait),
#endif
	ALLOW(epoll_pwait),
	/*
	 * virtio-vsock's host side: Unix sockets only, the guest's connects
	 * to PATH_PORT and the host's accepted on PATH (virtio/vsock.c).
	 */
	ALLOW1(socket, ONE_OF(0, AF_UNIX)),
	ALLOW(connect),
	ALLOW(accept4),
	ALLOW(sendto),
	ALLOW(recvfrom),
	ALLOW(sendmsg),
	ALLOW(recvmsg),
	ALLOW(shutdown),
};

/* The control socket: clients, their credentials, the debug verb. */
static const struct sc_rule g_control[] = {
#ifdef __NR_poll
	ALLOW(poll),
#endif
	ALLOW(ppoll),
	ALLOW(accept4),
	ALLOW(getsockopt),
	ALLOW(geteuid),
	ALLOW(sendmsg),
	ALLOW(recvmsg),
	ALLOW1(ioctl, ONE_OF(1, KVM_GET_REGS, KVM_GET_SREGS,
					      KVM_TRANSLATE, KVM_NMI)),
};

/* The 9p server on its shares (Landlock already limits it to them). */
static const struct sc_rule g_9p[] = {
	ALLOW(openat),
	ALLOW(openat2),
	ALLOW(newfstatat),
	ALLOW(fstatfs),
	ALLOW(fcntl),
	ALLOW(flock),
	ALLOW(getdents64),
	ALLOW(mkdirat),
	ALLOW(mknodat),
	ALLOW(unlinkat),
#ifdef __NR_renameat
	ALLOW(renameat),
#endif
	ALLOW(renameat2),
	ALLOW(linkat),
	ALLOW(symlinkat),
	ALLOW(readlinkat),
	ALLOW(fchownat),
	ALLOW(fchmodat),
	ALLOW(fchmod),
	ALLOW(fchown),
	ALLOW(utimensat),
	ALLOW(getxattr),
	ALLOW(lgetxattr),
	ALLOW(fgetxattr),
	ALLOW(setxattr),
	ALLOW(lsetxattr),
	ALLOW(fsetxattr),
	ALLOW(listxattr),
	ALLOW(llistxattr),
	ALLOW(flistxattr),
	ALLOW(removexattr),
	ALLOW(lremovexattr),
	ALLOW(fremovexattr),
	ALLOW(truncate),
	ALLOW(geteuid),
#ifdef __NR_chmod
	ALLOW(chmod),
#endif
	ALLOW(pread64),
	ALLOW(pwrite64),
	ALLOW(preadv),
	ALLOW(pwritev),
	ALLOW(fdatasync),
	ALLOW(fsync),
	ALLOW(ftruncate),
	ALLOW(fallocate),
	ALLOW1(ioctl, ONE_OF(1, KVM_IRQ_LINE,
					      KVM_SIGNAL_MSI)),
};

/* libslirp: the guest's connections become host sockets (IP only). */
static const struct sc_rule g_net[] = {
	ALLOW1(socket, ONE_OF(0, AF_INET, AF_INET6)),
#ifdef __NR_poll
	ALLOW(poll),
#endif
	ALLOW(ppoll),
	ALLOW(connect),
	ALLOW(bind),
	ALLOW(listen),
#ifdef __NR_accept
	ALLOW(accept),
#endif
	ALLOW(accept4),
	ALLOW(sendto),
	ALLOW(recvfrom),
	ALLOW(sendmsg),
	ALLOW(recvmsg),
	ALLOW(setsockopt),
	ALLOW(getsockopt),
	ALLOW(getsockname),
	ALLOW(getpeername),
	ALLOW(shutdown),
	ALLOW(fcntl),
	ALLOW1(ioctl, ONE_OF(1, KVM_IRQ_LINE, KVM_SIGNAL_MSI,
					      FIONBIO, FIONREAD)),
	/* Its DNS forwarder rereads /etc/resolv.conf: read-only opens. */
	ALLOW1(openat, ONE_OF(2, O_RDONLY, O_RDONLY | O_CLOEXEC)),
	ALLOW(newfstatat),
};

/*
 * The main thread waits, then tears down: devices (their fds, disks'
 * flushes, the ring's last completions), the control socket's file, the
 * terminal, the status file; then the detached child of exit_detached().
 */
static const struct sc_rule g_main[] = {
	ALLOW1(ioctl, KVM_RUNTIME_IOCTLS),
	ALLOW(epoll_ctl),
#ifdef __NR_poll
	ALLOW(poll),
#endif
	ALLOW(ppoll),
#ifdef __NR_unlink
	ALLOW(unlink),
#endif
	ALLOW(unlinkat),
	ALLOW(flock),
	ALLOW1(openat, ONE_OF(2, O_WRONLY | O_CREAT |
					       O_TRUNC | O_CLOEXEC |
					       O_NOCTTY)),
	ALLOW1(clone, ONE_OF(CLONE_FLAGS_ARG, CLONE_VM)),
	ALLOW(close_range),
	ALLOW(getppid),
	/* A tap's downscript: its helper's answer, then the helper. */
	ALLOW(wait4),
	ALLOW1(prctl, ONE_OF(0, PR_SET_PDEATHSIG)),
	/* A disk engine's ring lets its image go (devices/disk-uring.c). */
	ALLOW1(io_uring_register, ONE_OF(1, IORING_UNREGISTER_FILES)),
};

/*
 * A sanitizer build (make check-asan): the runtime writes its report to
 * the file log_path names, opened when the report is made. Test builds
 * only; lkvm.1 says so.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SC_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SC_SANITIZER 1
#endif
#endif

/* The runtime: sanitizer builds, then every build. */
static const struct sc_rule g_runtime[] = {
#ifdef SC_SANITIZER
	ALLOW1(openat, ONE_OF(2, O_WRONLY | O_CREAT | O_TRUNC,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)),
	ALLOW(readlink),
	ALLOW(readlinkat),
#endif
	/* A thread's alternate signal stack, taken down as it exits. */
	ALLOW(sigaltstack),
};

struct sc_group {
	const struct sc_rule *rules;
	size_t nr;
};

#define GROUP(g) { g, ARRAY_SIZE(g) }
#define MAX_GROUPS 6

static const struct sc_group role_groups[SC_NR_ROLES][MAX_GROUPS] = {
	[SC_ROLE_MAIN] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_main), GROUP(g_disk) },
	[SC_ROLE_VCPU] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_device), GROUP(g_disk) },
	[SC_ROLE_IO] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_io), GROUP(g_device),
			 GROUP(g_disk) },
	/* g_irq: debug --sysrq's break raises the UART's line. */
	[SC_ROLE_CONTROL] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_control),
			      GROUP(g_irq) },
	[SC_ROLE_P9] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_9p) },
	[SC_ROLE_DISK] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_disk), GROUP(g_irq) },
	[SC_ROLE_NET] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_net) },
};

size_t sc_policy(enum sc_role role, struct sc_rule *out, size_t max)
{
	size_t n = 0, i, g;

	if ((unsigned int)role >= SC_NR_ROLES)
		return 0;
	for (g = 0; g < MAX_GROUPS; g++) {
		const struct sc_group *grp = &role_groups[role][g];

		for (i = 0; i < grp->nr; i++) {
			if (n == max)
				return 0;
			out[n++] = grp->rules[i];
		}
	}
	return n;
}
