// SPDX-License-Identifier: GPL-2.0
/*
 * Each role's filter as sc_build() makes it (sc_role_program()),
 * run by a BPF interpreter (bpf-eval.h) on this architecture's own
 * system call records: built for arm64 and s390x these run under
 * qemu-user, where no filter can be installed. Checks the program is
 * one the kernel takes, the audit arch value, the calls each role needs
 * on this architecture (s390x: socketcall, sigreturn, clone's flags in
 * its second argument) and representative forbidden ones.
 */
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/io_uring.h>
#include <linux/kvm.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf-eval.h"
#include "seccomp-filter.h"
#include "tap.h"

#define DENY SECCOMP_RET_TRAP
#define ALLOWED SECCOMP_RET_ALLOW

struct role_prog {
	struct sock_filter insn[SC_MAX_INSNS];
	size_t len;
};

static struct role_prog progs[SC_NR_ROLES];

/* The VM's descriptor is 5 below, the FLIC's (s390x) 6. */
static const struct sc_kvm_fds kvm_fds = { .vm_fd = 5, .flic_fd = 6 };

static u32 run_arch(enum sc_role role, u32 arch, long nr, int nargs,
		    va_list ap)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = arch };
	int i;

	for (i = 0; i < nargs && i < 6; i++)
		d.args[i] = va_arg(ap, u64);
	return bpf_eval_run(progs[role].insn, progs[role].len, &d);
}

/* The action for call nr with nargs u64 arguments, on this arch. */
static u32 verdict(enum sc_role role, long nr, int nargs, ...)
{
	va_list ap;
	u32 r;

	va_start(ap, nargs);
	r = run_arch(role, sc_audit_arch(), nr, nargs, ap);
	va_end(ap);
	return r;
}

static u32 verdict_arch(enum sc_role role, u32 arch, long nr)
{
	va_list ap;

	memset(&ap, 0, sizeof(ap));
	return run_arch(role, arch, nr, 0, ap);
}

static const char *action_name(u32 r)
{
	switch (r) {
	case SECCOMP_RET_ALLOW:
		return "allow";
	case SECCOMP_RET_TRAP:
		return "trap";
	case SECCOMP_RET_KILL_PROCESS:
		return "kill";
	default:
		return "other";
	}
}

/* One check: role, what, the expected action, the verdict. */
#define EXPECT(role, want, what, nr, nargs, ...) do {			\
	u32 got_ = verdict(role, nr, nargs, ##__VA_ARGS__);		\
	ok(got_ == (want), "%s: %s: %s", sc_role_name(role), what,	\
	   action_name(got_));						\
} while (0)

#define U(x) ((u64)(x))

#ifdef __s390x__
/* socketcall(call, args) with each of calls: all allowed, or all denied. */
#define SOCKETCALLS(role, want, ...)					\
	socketcalls(role, want, #__VA_ARGS__,				\
		    (const int[]){ __VA_ARGS__ },			\
		    sizeof((int[]){ __VA_ARGS__ }) / sizeof(int))

static void socketcalls(enum sc_role r, u32 want, const char *names,
			const int *calls, size_t n)
{
	size_t i, bad = n;

	for (i = 0; i < n && bad == n; i++)
		if (verdict(r, __NR_socketcall, 2, U(calls[i]),
			    U(0x10000)) != want)
			bad = i;
	ok(bad == n, "%s: socketcall(%s): %s%s", sc_role_name(r), names,
	   action_name(want), bad < n ? ", not every one" : "");
}
#endif

static void check_arch(void)
{
	u32 want, others[2];
	unsigned int r, o;
	bool all_kill = true;

#if defined(__x86_64__)
	want = AUDIT_ARCH_X86_64;
	others[0] = AUDIT_ARCH_I386;
	others[1] = AUDIT_ARCH_AARCH64;
#elif defined(__aarch64__)
	want = AUDIT_ARCH_AARCH64;
	others[0] = AUDIT_ARCH_ARM;
	others[1] = AUDIT_ARCH_X86_64;
#elif defined(__s390x__)
	want = AUDIT_ARCH_S390X;
	others[0] = AUDIT_ARCH_S390;
	others[1] = AUDIT_ARCH_X86_64;
#endif
	ok(sc_audit_arch() == want, "audit arch 0x%08x is this build's (0x%08x)",
	   sc_audit_arch(), want);
	for (r = 0; r < SC_NR_ROLES; r++)
		for (o = 0; o < ARRAY_SIZE(others); o++)
			if (verdict_arch(r, others[o], __NR_read) !=
			    SECCOMP_RET_KILL_PROCESS)
				all_kill = false;
	ok(all_kill, "every role: read with another arch value (compat, another ABI) kills the process");
#ifdef __x86_64__
	for (r = 0; r < SC_NR_ROLES; r++)
		EXPECT(r, DENY, "an x32 read (nr | 0x40000000)",
		       __NR_read | 0x40000000L, 0);
#endif
}

/* What every role allows and denies, on this architecture's numbers. */
static void check_common(enum sc_role r)
{
	EXPECT(r, ALLOWED, "read", __NR_read, 3, U(0), U(0), U(1));
	EXPECT(r, ALLOWED, "exit_group", __NR_exit_group, 1, U(0));
	EXPECT(r, ALLOWED, "rt_sigreturn", __NR_rt_sigreturn, 0);
#ifdef __s390x__
	EXPECT(r, ALLOWED, "sigreturn (a handler without SA_SIGINFO)",
	       __NR_sigreturn, 0);
#endif
	EXPECT(r, DENY, "execve", __NR_execve, 3, U(0), U(0), U(0));
	EXPECT(r, DENY, "io_uring_setup", __NR_io_uring_setup, 2, U(8), U(0));
	EXPECT(r, ALLOWED, "rt_sigaction(SIGTERM)", __NR_rt_sigaction, 1,
	       U(SIGTERM));
	EXPECT(r, DENY, "rt_sigaction(SIGSYS)", __NR_rt_sigaction, 1,
	       U(SIGSYS));
	EXPECT(r, ALLOWED, "mprotect(PROT_READ | PROT_WRITE)", __NR_mprotect, 3,
	       U(0x10000), U(4096), U(PROT_READ | PROT_WRITE));
	EXPECT(r, DENY, "mprotect(PROT_READ | PROT_EXEC)", __NR_mprotect, 3,
	       U(0x10000), U(4096), U(PROT_READ | PROT_EXEC));
#ifdef __s390x__
	/* old_mmap: one pointer to the arguments, not checked. */
	EXPECT(r, ALLOWED, "mmap (old_mmap: arguments in memory)", __NR_mmap,
	       1, U(0x10000));
#else
	EXPECT(r, ALLOWED, "mmap(PROT_READ | PROT_WRITE)", __NR_mmap, 6,
	       U(0), U(4096), U(PROT_READ | PROT_WRITE),
	       U(MAP_PRIVATE | MAP_ANONYMOUS), U(-1), U(0));
	EXPECT(r, DENY, "mmap(PROT_EXEC)", __NR_mmap, 6, U(0), U(4096),
	       U(PROT_READ | PROT_EXEC), U(MAP_PRIVATE | MAP_ANONYMOUS),
	       U(-1), U(0));
#endif
	EXPECT(r, ALLOWED, "tgkill(own pid)", __NR_tgkill, 3, U(getpid()),
	       U(getpid()), U(SIGUSR1));
	EXPECT(r, DENY, "tgkill(another pid)", __NR_tgkill, 3,
	       U(getpid() + 1), U(getpid() + 1), U(SIGKILL));
	EXPECT(r, ALLOWED, "ioctl(TCGETS)", __NR_ioctl, 2, U(0), U(TCGETS));
	EXPECT(r, DENY, "ioctl(0x7a7a)", __NR_ioctl, 2, U(3), U(0x7a7a));
	EXPECT(r, DENY, "a number past every call (4000)", 4000, 0);
	if (r != SC_ROLE_MAIN)
		EXPECT(r, DENY, "clone", __NR_clone, 2, U(CLONE_VM), U(CLONE_VM));
#ifdef __s390x__
	EXPECT(r, DENY, "socketcall(SYS_BIND)", __NR_socketcall, 2,
	       U(SYS_BIND), U(0x10000));
#else
	EXPECT(r, DENY, "bind", __NR_bind, 0);
#endif
	if (r != SC_ROLE_NET) {
		EXPECT(r, DENY, "socket(AF_INET)", __NR_socket, 3, U(AF_INET),
		       U(SOCK_DGRAM), U(0));
		EXPECT(r, DENY, "setsockopt(SOL_SOCKET, SO_REUSEADDR)",
		       __NR_setsockopt, 3, U(5), U(SOL_SOCKET),
		       U(SO_REUSEADDR));
	}
#ifdef __s390x__
	/* lkvm's setsockopt() is the direct call (lib/socket-direct.c). */
	EXPECT(r, DENY, "socketcall(SYS_SETSOCKOPT)", __NR_socketcall, 2,
	       U(SYS_SETSOCKOPT), U(0x10000));
#endif
}

/* A socket console's output (term-out.c): send(), on vCPUs, I/O, main. */
static void check_send(enum sc_role r)
{
#ifdef __s390x__
	EXPECT(r, ALLOWED, "socketcall(SYS_SEND) (a socket console)",
	       __NR_socketcall, 2, U(SYS_SEND), U(0x10000));
	if (r != SC_ROLE_IO)
		EXPECT(r, DENY, "socketcall(SYS_SENDTO)", __NR_socketcall, 2,
		       U(SYS_SENDTO), U(0x10000));
#else
	EXPECT(r, ALLOWED, "sendto(fd, buf, len, flags, NULL, 0) (send())",
	       __NR_sendto, 6, U(1), U(0x10000), U(16), U(MSG_DONTWAIT),
	       U(0), U(0));
	if (r != SC_ROLE_IO)
		EXPECT(r, DENY, "sendto with an address", __NR_sendto, 6,
		       U(1), U(0x10000), U(16), U(0), U(0x20000), U(16));
#endif
}

static void check_main(void)
{
	enum sc_role r = SC_ROLE_MAIN;

	/* exit_detached()'s child: clone(fn, stack, CLONE_VM, arg). */
#ifdef __s390x__
	EXPECT(r, ALLOWED, "clone(stack, CLONE_VM) (s390x's order)",
	       __NR_clone, 2, U(0x20000), U(CLONE_VM));
	EXPECT(r, DENY, "clone(CLONE_VM, SIGCHLD) (flags where x86 has them)",
	       __NR_clone, 2, U(CLONE_VM), U(SIGCHLD));
#else
	EXPECT(r, ALLOWED, "clone(CLONE_VM, stack)", __NR_clone, 2,
	       U(CLONE_VM), U(0x20000));
	EXPECT(r, DENY, "clone(SIGCHLD, CLONE_VM) (flags where s390x has them)",
	       __NR_clone, 2, U(SIGCHLD), U(CLONE_VM));
#endif
	EXPECT(r, DENY, "clone(CLONE_VM | CLONE_THREAD | ...) (a thread)",
	       __NR_clone, 2,
	       U(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		 CLONE_THREAD), U(CLONE_VM | CLONE_FS | CLONE_FILES |
				  CLONE_SIGHAND | CLONE_THREAD));
	EXPECT(r, DENY, "clone3", __NR_clone3, 2, U(0), U(88));
	EXPECT(r, ALLOWED, "openat(the status file's flags)", __NR_openat, 3,
	       U(AT_FDCWD), U(0), U(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
				   O_NOCTTY | O_NONBLOCK | O_NOFOLLOW));
	EXPECT(r, DENY, "openat(the status file's flags without O_NOFOLLOW)",
	       __NR_openat, 3, U(AT_FDCWD), U(0),
	       U(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY |
		 O_NONBLOCK));
	EXPECT(r, ALLOWED, "newfstatat(AT_SYMLINK_NOFOLLOW) (a socket's look before its removal)",
	       __NR_newfstatat, 4, U(3), U(0), U(0), U(AT_SYMLINK_NOFOLLOW));
	EXPECT(r, ALLOWED, "openat(the status file's directory, O_PATH)",
	       __NR_openat, 3, U(AT_FDCWD), U(0),
	       U(O_PATH | O_DIRECTORY | O_CLOEXEC));
	EXPECT(r, DENY, "openat(O_WRONLY | O_CREAT | O_TRUNC) (may block on a FIFO)",
	       __NR_openat, 3, U(AT_FDCWD), U(0),
	       U(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY));
	EXPECT(r, DENY, "openat(O_RDWR)", __NR_openat, 3, U(AT_FDCWD), U(0),
	       U(O_RDWR));
	EXPECT(r, ALLOWED, "unlinkat", __NR_unlinkat, 3, U(AT_FDCWD), U(0),
	       U(0));
	EXPECT(r, ALLOWED, "io_uring_register(IORING_UNREGISTER_FILES)",
	       __NR_io_uring_register, 2, U(3), U(IORING_UNREGISTER_FILES));
	EXPECT(r, DENY, "io_uring_register(IORING_REGISTER_FILES)",
	       __NR_io_uring_register, 2, U(3), U(IORING_REGISTER_FILES));
	EXPECT(r, ALLOWED, "timerfd_settime (a disk's retry timer, drain at shutdown)",
	       __NR_timerfd_settime, 0);
}

static void check_vcpu(void)
{
	enum sc_role r = SC_ROLE_VCPU;

	EXPECT(r, ALLOWED, "ioctl(KVM_RUN)", __NR_ioctl, 2, U(5), U(KVM_RUN));
#ifndef __aarch64__
	EXPECT(r, ALLOWED, "ioctl(KVM_IRQFD)", __NR_ioctl, 2, U(5),
	       U(KVM_IRQFD));
#endif
	EXPECT(r, DENY, "ioctl(KVM_CREATE_VCPU) (set-up, not run time)",
	       __NR_ioctl, 2, U(5), U(KVM_CREATE_VCPU));
	EXPECT(r, DENY, "ioctl(KVM_SET_USER_MEMORY_REGION)", __NR_ioctl, 2,
	       U(5), U(KVM_SET_USER_MEMORY_REGION));
	EXPECT(r, DENY, "ioctl(KVM_CREATE_DEVICE)", __NR_ioctl, 2, U(5),
	       U(KVM_CREATE_DEVICE));
#if defined(__aarch64__)
	EXPECT(r, DENY, "ioctl(KVM_ARM_VCPU_INIT)", __NR_ioctl, 2, U(5),
	       U(KVM_ARM_VCPU_INIT));
	EXPECT(r, ALLOWED, "ioctl(KVM_GET_ONE_REG)", __NR_ioctl, 2, U(5),
	       U(KVM_GET_ONE_REG));
	EXPECT(r, DENY, "ioctl(KVM_SET_ONE_REG) (vCPU 0's boot registers)",
	       __NR_ioctl, 2, U(5), U(KVM_SET_ONE_REG));
	EXPECT(r, DENY, "ioctl(KVM_IRQFD) (virtio-pci's, not arm64's)",
	       __NR_ioctl, 2, U(5), U(KVM_IRQFD));
#elif defined(__s390x__)
	EXPECT(r, DENY, "ioctl(KVM_S390_SET_INITIAL_PSW)", __NR_ioctl, 2,
	       U(5), U(KVM_S390_SET_INITIAL_PSW));
	EXPECT(r, ALLOWED, "ioctl(KVM_S390_NORMAL_RESET) (SIGP reset)",
	       __NR_ioctl, 2, U(5), U(KVM_S390_NORMAL_RESET));
	EXPECT(r, ALLOWED, "ioctl(KVM_S390_MEM_OP)", __NR_ioctl, 2, U(5),
	       U(KVM_S390_MEM_OP));
	EXPECT(r, ALLOWED, "ioctl(KVM_S390_IRQ)", __NR_ioctl, 2, U(5),
	       U(KVM_S390_IRQ));
	EXPECT(r, ALLOWED, "ioctl(KVM_SET_DEVICE_ATTR) (the FLIC's adapters)",
	       __NR_ioctl, 2, U(6), U(KVM_SET_DEVICE_ATTR));
	EXPECT(r, DENY, "ioctl(KVM_SET_DEVICE_ATTR) on the VM (its attributes)",
	       __NR_ioctl, 2, U(5), U(KVM_SET_DEVICE_ATTR));
	EXPECT(r, DENY, "ioctl(KVM_IOEVENTFD) (set as a device attaches)",
	       __NR_ioctl, 2, U(5), U(KVM_IOEVENTFD));
#endif
	EXPECT(r, DENY, "ioctl(0xaf80) (not KVM's type)", __NR_ioctl, 2, U(5),
	       U(0xaf80));
	EXPECT(r, DENY, "ioctl(_IO(KVMIO, 0xff)) (KVM's type, no such call)",
	       __NR_ioctl, 2, U(5), U(_IO(KVMIO, 0xff)));
	EXPECT(r, DENY, "openat", __NR_openat, 3, U(AT_FDCWD), U(0),
	       U(O_RDONLY));
	EXPECT(r, ALLOWED, "eventfd2", __NR_eventfd2, 2, U(0), U(0));
	EXPECT(r, ALLOWED, "ppoll", __NR_ppoll, 0);
	EXPECT(r, ALLOWED, "pwritev (a disk request)", __NR_pwritev, 0);
}

static void check_io(void)
{
	enum sc_role r = SC_ROLE_IO;

	EXPECT(r, ALLOWED, "epoll_pwait", __NR_epoll_pwait, 0);
#ifdef __s390x__
	/* lib/socket-direct.c: the direct call, so the family is checked. */
	EXPECT(r, ALLOWED, "socket(AF_UNIX) (direct)", __NR_socket, 3,
	       U(AF_UNIX), U(SOCK_STREAM), U(0));
	EXPECT(r, DENY, "socket(AF_INET)", __NR_socket, 3, U(AF_INET),
	       U(SOCK_STREAM), U(0));
	/* SYS_SOCKET: its family unseen; send() and recv() are their own. */
	SOCKETCALLS(r, ALLOWED, SYS_CONNECT, SYS_ACCEPT4, SYS_SEND, SYS_RECV,
		    SYS_SENDTO, SYS_RECVFROM, SYS_SENDMSG, SYS_RECVMSG,
		    SYS_SHUTDOWN);
	SOCKETCALLS(r, DENY, SYS_SOCKET, SYS_LISTEN, SYS_BIND, SYS_SOCKETPAIR);
#else
	EXPECT(r, ALLOWED, "socket(AF_UNIX)", __NR_socket, 3, U(AF_UNIX),
	       U(SOCK_STREAM), U(0));
	EXPECT(r, ALLOWED, "connect", __NR_connect, 0);
	EXPECT(r, ALLOWED, "sendto (send())", __NR_sendto, 0);
	EXPECT(r, DENY, "listen", __NR_listen, 0);
#endif
#ifdef __s390x__
	EXPECT(r, ALLOWED, "ioctl(KVM_S390_INTERRUPT)", __NR_ioctl, 2, U(5),
	       U(KVM_S390_INTERRUPT));
#else
	EXPECT(r, ALLOWED, "ioctl(KVM_IRQ_LINE)", __NR_ioctl, 2, U(5),
	       U(KVM_IRQ_LINE));
#endif
	EXPECT(r, ALLOWED, "io_uring_enter", __NR_io_uring_enter, 0);
}

static void check_control(void)
{
	enum sc_role r = SC_ROLE_CONTROL;

#ifdef __s390x__
	/* SYS_GETSOCKOPT: the client's SO_PEERCRED. */
	SOCKETCALLS(r, ALLOWED, SYS_ACCEPT4, SYS_GETSOCKOPT, SYS_SENDMSG,
		    SYS_RECVMSG);
	SOCKETCALLS(r, DENY, SYS_SOCKET, SYS_CONNECT, SYS_BIND, SYS_SENDTO);
#else
	EXPECT(r, ALLOWED, "accept4", __NR_accept4, 0);
	EXPECT(r, ALLOWED, "getsockopt", __NR_getsockopt, 0);
	EXPECT(r, DENY, "socket(AF_UNIX)", __NR_socket, 3, U(AF_UNIX),
	       U(SOCK_STREAM), U(0));
	EXPECT(r, DENY, "connect", __NR_connect, 0);
#endif
	/* The debug verb's register dump. */
#if defined(__x86_64__)
	EXPECT(r, ALLOWED, "ioctl(KVM_GET_REGS) (the debug verb)", __NR_ioctl,
	       2, U(5), U(KVM_GET_REGS));
#elif defined(__aarch64__)
	EXPECT(r, ALLOWED, "ioctl(KVM_GET_ONE_REG) (the debug verb)",
	       __NR_ioctl, 2, U(5), U(KVM_GET_ONE_REG));
	EXPECT(r, DENY, "ioctl(KVM_GET_REGS) (arm64 KVM answers EINVAL)",
	       __NR_ioctl, 2, U(5), U(KVM_GET_REGS));
	EXPECT(r, DENY, "ioctl(KVM_SET_ONE_REG)", __NR_ioctl, 2, U(5),
	       U(KVM_SET_ONE_REG));
#elif defined(__s390x__)
	EXPECT(r, DENY, "ioctl(KVM_GET_REGS) (s390x's dump reads the run area)",
	       __NR_ioctl, 2, U(5), U(KVM_GET_REGS));
	/* A balloon's new target: the config change's interrupt. */
	EXPECT(r, ALLOWED, "ioctl(KVM_S390_INTERRUPT) (a config change)",
	       __NR_ioctl, 2, U(5), U(KVM_S390_INTERRUPT));
#endif
	EXPECT(r, DENY, "ioctl(KVM_RUN)", __NR_ioctl, 2, U(5), U(KVM_RUN));
	EXPECT(r, DENY, "openat", __NR_openat, 3, U(AT_FDCWD), U(0),
	       U(O_RDONLY));
}

static void check_9p(void)
{
	enum sc_role r = SC_ROLE_P9;

	EXPECT(r, ALLOWED, "openat", __NR_openat, 3, U(AT_FDCWD), U(0),
	       U(O_RDWR | O_CREAT));
	EXPECT(r, ALLOWED, "mkdirat", __NR_mkdirat, 0);
	EXPECT(r, ALLOWED, "renameat2", __NR_renameat2, 0);
	EXPECT(r, ALLOWED, "getdents64", __NR_getdents64, 0);
	EXPECT(r, ALLOWED, "fchmodat", __NR_fchmodat, 0);
	/* glibc's fstatfs() (a walk's pseudo file system check, Tstatfs). */
#ifdef __s390x__
	EXPECT(r, ALLOWED, "fstatfs64 (s390x glibc's fstatfs())",
	       __NR_fstatfs64, 0);
#else
	EXPECT(r, ALLOWED, "fstatfs", __NR_fstatfs, 0);
#endif
	EXPECT(r, DENY, "ioctl(KVM_RUN)", __NR_ioctl, 2, U(5), U(KVM_RUN));
}

static void check_disk(void)
{
	enum sc_role r = SC_ROLE_DISK;

	EXPECT(r, ALLOWED, "pwritev", __NR_pwritev, 0);
	EXPECT(r, ALLOWED, "fdatasync", __NR_fdatasync, 0);
	EXPECT(r, ALLOWED, "io_uring_enter", __NR_io_uring_enter, 0);
	EXPECT(r, ALLOWED, "ioctl(BLKZEROOUT)", __NR_ioctl, 2, U(5),
	       U(BLKZEROOUT));
#if defined(__x86_64__)
	EXPECT(r, ALLOWED, "ioctl(KVM_SIGNAL_MSI)", __NR_ioctl, 2, U(5),
	       U(KVM_SIGNAL_MSI));
#elif defined(__aarch64__)
	EXPECT(r, ALLOWED, "ioctl(KVM_IRQ_LINE)", __NR_ioctl, 2, U(5),
	       U(KVM_IRQ_LINE));
	EXPECT(r, DENY, "ioctl(KVM_SIGNAL_MSI) (no MSI on arm64)", __NR_ioctl,
	       2, U(5), U(KVM_SIGNAL_MSI));
#elif defined(__s390x__)
	/* Classic indicators, or adapter ones KVM would not route. */
	EXPECT(r, ALLOWED, "ioctl(KVM_S390_INTERRUPT) (a completion's interrupt)",
	       __NR_ioctl, 2, U(5), U(KVM_S390_INTERRUPT));
	EXPECT(r, DENY, "ioctl(KVM_IRQ_LINE) (no interrupt lines on s390x)",
	       __NR_ioctl, 2, U(5), U(KVM_IRQ_LINE));
#endif
	EXPECT(r, DENY, "ioctl(KVM_RUN)", __NR_ioctl, 2, U(5), U(KVM_RUN));
	EXPECT(r, DENY, "openat", __NR_openat, 3, U(AT_FDCWD), U(0),
	       U(O_RDONLY));
}

/* socket(family, type, protocol) in lkvm-net: allowed or denied. */
#define NET_SOCKET(want, what, fam, type, proto)			\
	EXPECT(SC_ROLE_NET, want, "socket(" what ")", __NR_socket, 3,	\
	       U(fam), U(type), U(proto))

/* setsockopt(5, level, opt) in lkvm-net: allowed or denied. */
#define NET_OPT(want, level, opt)					\
	EXPECT(SC_ROLE_NET, want, "setsockopt(" #level ", " #opt ")",	\
	       __NR_setsockopt, 3, U(5), U(level), U(opt))

static void check_net(void)
{
	enum sc_role r = SC_ROLE_NET;
	const u64 ce = SOCK_CLOEXEC;

	/* libslirp's (slirp_socket(): SOCK_CLOEXEC, or without it). */
	NET_SOCKET(ALLOWED, "AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0 (TCP)",
		   AF_INET, SOCK_STREAM | ce, 0);
	NET_SOCKET(ALLOWED, "AF_INET, SOCK_STREAM, IPPROTO_TCP", AF_INET,
		   SOCK_STREAM, IPPROTO_TCP);
	/* lkvm leaves libslirp's IPv6 off: no IPv6 socket at all. */
	NET_SOCKET(DENY, "AF_INET6, SOCK_STREAM, 0", AF_INET6,
		   SOCK_STREAM, 0);
	NET_SOCKET(DENY, "AF_INET6, SOCK_STREAM, IPPROTO_TCP", AF_INET6,
		   SOCK_STREAM, IPPROTO_TCP);
	NET_SOCKET(ALLOWED, "AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0 (UDP)",
		   AF_INET, SOCK_DGRAM | ce, 0);
	NET_SOCKET(DENY, "AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP",
		   AF_INET6, SOCK_DGRAM | ce, IPPROTO_UDP);
	NET_SOCKET(ALLOWED, "AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP (ping)",
		   AF_INET, SOCK_DGRAM | ce, IPPROTO_ICMP);
	NET_SOCKET(ALLOWED, "AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP (ping's fallback)",
		   AF_INET, SOCK_RAW | ce, IPPROTO_ICMP);
	NET_SOCKET(DENY, "AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMPV6",
		   AF_INET6, SOCK_DGRAM | ce, IPPROTO_ICMPV6);
	NET_SOCKET(DENY, "AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6",
		   AF_INET6, SOCK_RAW | ce, IPPROTO_ICMPV6);
	/* Not TCP to Landlock: their binds and listeners unchecked. */
	NET_SOCKET(DENY, "AF_INET, SOCK_STREAM, IPPROTO_MPTCP", AF_INET,
		   SOCK_STREAM, IPPROTO_MPTCP);
	NET_SOCKET(DENY, "AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP",
		   AF_INET6, SOCK_STREAM | ce, IPPROTO_MPTCP);
	NET_SOCKET(DENY, "AF_INET, SOCK_STREAM, IPPROTO_SCTP", AF_INET,
		   SOCK_STREAM, IPPROTO_SCTP);
	NET_SOCKET(DENY, "AF_INET6, SOCK_SEQPACKET, IPPROTO_SCTP", AF_INET6,
		   SOCK_SEQPACKET, IPPROTO_SCTP);
	NET_SOCKET(DENY, "AF_INET, SOCK_SEQPACKET, 0", AF_INET,
		   SOCK_SEQPACKET, 0);
	NET_SOCKET(DENY, "AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE", AF_INET,
		   SOCK_DGRAM, IPPROTO_UDPLITE);
	NET_SOCKET(DENY, "AF_INET, SOCK_DGRAM, IPPROTO_TCP", AF_INET,
		   SOCK_DGRAM, IPPROTO_TCP);
	NET_SOCKET(DENY, "AF_INET, SOCK_STREAM, IPPROTO_UDP", AF_INET,
		   SOCK_STREAM, IPPROTO_UDP);
	NET_SOCKET(DENY, "AF_INET, SOCK_RAW, IPPROTO_RAW", AF_INET, SOCK_RAW,
		   IPPROTO_RAW);
	NET_SOCKET(DENY, "AF_INET, SOCK_RAW, IPPROTO_TCP", AF_INET, SOCK_RAW,
		   IPPROTO_TCP);
	NET_SOCKET(DENY, "AF_INET6, SOCK_RAW, IPPROTO_ICMP (v4's protocol)",
		   AF_INET6, SOCK_RAW, IPPROTO_ICMP);
	NET_SOCKET(DENY, "AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0 (not libslirp's flags)",
		   AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	NET_SOCKET(DENY, "AF_INET, SOCK_STREAM, IPPROTO_MPTCP | 1 << 32 (the kernel reads an int)",
		   AF_INET, SOCK_STREAM, 0x100000000ULL + IPPROTO_MPTCP);
	NET_SOCKET(DENY, "AF_UNIX, SOCK_STREAM, 0", AF_UNIX, SOCK_STREAM, 0);
	NET_SOCKET(DENY, "AF_NETLINK, SOCK_RAW, 0", AF_NETLINK, SOCK_RAW, 0);
	NET_SOCKET(DENY, "AF_PACKET, SOCK_DGRAM, 0", AF_PACKET, SOCK_DGRAM, 0);
#ifdef __s390x__
	/*
	 * socket() and setsockopt() are direct calls (lib/socket-direct.c);
	 * SYS_SOCKET and SYS_SETSOCKOPT, whose arguments are unseen, are
	 * not allowed, whatever option the memory holds. No bind or listen.
	 */
	SOCKETCALLS(r, ALLOWED, SYS_ACCEPT, SYS_ACCEPT4, SYS_CONNECT, SYS_SEND,
		    SYS_RECV, SYS_SENDTO, SYS_RECVFROM, SYS_SENDMSG,
		    SYS_RECVMSG, SYS_GETSOCKOPT, SYS_GETSOCKNAME,
		    SYS_GETPEERNAME, SYS_SHUTDOWN);
	SOCKETCALLS(r, DENY, SYS_SOCKET, SYS_BIND, SYS_LISTEN, SYS_SOCKETPAIR,
		    SYS_SENDMMSG, SYS_RECVMMSG);
	SOCKETCALLS(r, DENY, SYS_SETSOCKOPT);
	/* No call number the kernel does not know either. */
	SOCKETCALLS(r, DENY, 0, SYS_SENDMMSG + 1);
#else
	EXPECT(r, DENY, "bind (none after the thread starts)", __NR_bind, 0);
	EXPECT(r, DENY, "listen (an unbound socket would get a port)",
	       __NR_listen, 0);
	EXPECT(r, ALLOWED, "connect", __NR_connect, 0);
	EXPECT(r, ALLOWED, "accept4 (a hostfwd listener's connection)",
	       __NR_accept4, 0);
#endif
	/*
	 * setsockopt: only libslirp's five options, each at its level (on
	 * s390x too, where it is the direct call).
	 */
	NET_OPT(ALLOWED, SOL_SOCKET, SO_REUSEADDR);
	NET_OPT(ALLOWED, SOL_SOCKET, SO_OOBINLINE);
	NET_OPT(ALLOWED, IPPROTO_TCP, TCP_NODELAY);
	NET_OPT(ALLOWED, IPPROTO_IP, IP_TTL);
	NET_OPT(ALLOWED, IPPROTO_IP, IP_RECVERR);
	NET_OPT(DENY, IPPROTO_IP, IP_HDRINCL);
	NET_OPT(DENY, IPPROTO_IPV6, IPV6_HDRINCL);
	NET_OPT(DENY, SOL_RAW, IPV6_HDRINCL);
	NET_OPT(DENY, IPPROTO_IP, IP_TRANSPARENT);
	NET_OPT(DENY, IPPROTO_IPV6, IPV6_TRANSPARENT);
	NET_OPT(DENY, IPPROTO_IP, IP_PKTINFO);
	NET_OPT(DENY, IPPROTO_IPV6, IPV6_RECVERR);
	NET_OPT(DENY, SOL_SOCKET, SO_MARK);
	NET_OPT(DENY, SOL_SOCKET, SO_BINDTODEVICE);
	NET_OPT(DENY, IPPROTO_TCP, TCP_REPAIR);
	/* An allowed option at another level: the pair, not the number. */
	NET_OPT(DENY, IPPROTO_TCP, IP_TTL);
	NET_OPT(DENY, SOL_SOCKET, TCP_NODELAY);
	NET_OPT(DENY, IPPROTO_IP, SO_OOBINLINE);
	EXPECT(r, DENY, "setsockopt(IPPROTO_IP, IP_HDRINCL | 1 << 32) (the kernel reads an int)",
	       __NR_setsockopt, 3, U(5), U(IPPROTO_IP),
	       0x100000000ULL + IP_HDRINCL);
	EXPECT(r, ALLOWED, "fcntl(F_SETFL) (O_NONBLOCK)", __NR_fcntl, 3, U(5),
	       U(F_SETFL), U(O_NONBLOCK));
	EXPECT(r, ALLOWED, "fcntl(F_GETFD)", __NR_fcntl, 2, U(5), U(F_GETFD));
	EXPECT(r, DENY, "fcntl(F_SETOWN) (SIGIO to another process)",
	       __NR_fcntl, 3, U(5), U(F_SETOWN), U(1));
	EXPECT(r, DENY, "fcntl(F_SETOWN_EX)", __NR_fcntl, 3, U(5),
	       U(F_SETOWN_EX), U(0x10000));
	EXPECT(r, DENY, "fcntl(F_SETSIG)", __NR_fcntl, 3, U(5), U(F_SETSIG),
	       U(SIGKILL));
	EXPECT(r, DENY, "fcntl(F_DUPFD)", __NR_fcntl, 3, U(5), U(F_DUPFD),
	       U(0));
	EXPECT(r, ALLOWED, "openat(O_RDONLY) (resolv.conf)", __NR_openat, 3,
	       U(AT_FDCWD), U(0), U(O_RDONLY));
	EXPECT(r, DENY, "openat(O_WRONLY | O_CREAT)", __NR_openat, 3,
	       U(AT_FDCWD), U(0), U(O_WRONLY | O_CREAT));
}

int main(void)
{
	static struct sc_rule rules[SC_MAX_RULES];
	const char *why;
	unsigned int r;
	size_t at, nr, i;
	int n;

	for (r = 0; r < SC_NR_ROLES; r++) {
		n = sc_role_program(r, &kvm_fds, DENY, getpid(), progs[r].insn,
				    SC_MAX_INSNS);
		progs[r].len = n > 0 ? (size_t)n : 0;
		why = n > 0 ? bpf_eval_check(progs[r].insn, progs[r].len, &at) :
			      "does not compile";
		if (!ok(!why, "role %s: %d instructions the kernel takes%s%s",
			sc_role_name(r), n, why ? ": " : "", why ? why : ""))
			return tap_done();
		nr = sc_policy(r, &kvm_fds, rules, SC_MAX_RULES);
		for (i = 0; i < nr && sc_syscall_name(rules[i].nr); i++)
			;
		ok(nr && i == nr, "role %s: every rule's call exists here%s%d",
		   sc_role_name(r), i < nr ? ": not " : ", ",
		   i < nr ? rules[i].nr : (int)nr);
	}
	check_arch();
	for (r = 0; r < SC_NR_ROLES; r++)
		check_common(r);
	check_send(SC_ROLE_MAIN);
	check_send(SC_ROLE_VCPU);
	check_send(SC_ROLE_IO);
	check_main();
	check_vcpu();
	check_io();
	check_control();
	check_9p();
	check_disk();
	check_net();
	return tap_done();
}
