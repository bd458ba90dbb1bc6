// SPDX-License-Identifier: GPL-2.0
/*
 * What each thread role may call once its set-up is done: groups of rules,
 * and each role as a list of groups. Found by tracing every suite's VMs
 * (strace -f, calls after each thread's sc_enter()) and by reading the
 * run-time paths; lkvm.1's SECCOMP says what each role holds and why.
 *
 * Argument checks: mmap and mprotect never with PROT_EXEC (not on s390x,
 * whose mmap takes its arguments in memory); ioctl numbers per role;
 * socket() (the I/O thread's family, AF_UNIX; the user-mode network's
 * family, type and protocol together, see g_net; on s390x, where lkvm's
 * socket() and setsockopt() are direct calls, glibc's other socket
 * calls are allowed by socketcall's call number, see SOCK below); clone
 * only with CLONE_VM alone (the exit path's detached child, main only:
 * no thread starts after the filters); openat only
 * for the 9p workers (Landlock confines them to their shares) and for
 * main's status file, with exactly the flags sandbox-status.h names;
 * rt_sigaction never on SIGSYS; prctl only PR_SET_PDEATHSIG (main's
 * detached child); the network's setsockopt only libslirp's options,
 * its fcntl only for a descriptor's flags.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/io_uring.h>
#include <linux/kvm.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "sandbox-status.h"
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
/* Up to SC_MAX_ARGS argument checks, all of which must pass. */
#define NARGS(...) (sizeof((struct sc_arg[]){ __VA_ARGS__ }) / \
		    sizeof(struct sc_arg))
#define ALLOWN(n, ...) { .nr = __NR_##n, .nr_args = NARGS(__VA_ARGS__), \
			 .args = { __VA_ARGS__ } }

#ifdef __s390x__
#define CLONE_FLAGS_ARG 1	/* s390x: clone(stack, flags, ...) */
#else
#define CLONE_FLAGS_ARG 0
#endif

/*
 * Socket calls. s390x's libc (Debian's glibc 2.36, built for kernels
 * before 4.3) makes every one through socketcall(call, args): the call
 * (argument 0) is checked, the arguments, in memory, cannot be. So the
 * two whose arguments a role checks, socket() and setsockopt(), are
 * lkvm's own there, the direct calls (lib/socket-direct.c), and no role
 * allows socketcall's SYS_SOCKET or SYS_SETSOCKOPT; SOCK() is for the
 * others. SOCK(sendto, SYS_SENDTO, SYS_SEND): send() is sendto()
 * elsewhere, its own socketcall on s390x.
 */
#ifdef __s390x__
#define SOCK(n, ...) ALLOW1(socketcall, ONE_OF(0, __VA_ARGS__))
#else
#define SOCK(n, ...) ALLOW(n)
#endif

/*
 * send() on a connected socket and nothing more: sendto() without an
 * address (its fifth argument NULL), s390x's socketcall SYS_SEND.
 */
#ifdef __s390x__
#define SEND_ONLY SOCK(send, SYS_SEND)
#else
#define SEND_ONLY ALLOW1(sendto, { .idx = 4, .kind = SC_ONE_OF, .nr = 1, \
				   .wide = true, .vals = { 0 } })
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
#ifdef __NR_sigreturn
	/* s390x: the return from a handler without SA_SIGINFO (a kick). */
	ALLOW(sigreturn),
#endif
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

/*
 * The KVM ioctls of a running VM: what a vCPU thread calls, for itself and
 * for the device code its exits run (g_kvm_vcpu, g_kvm_vm, g_kvm_flic);
 * the other threads' interrupts (g_irq, the I/O thread's too); main's
 * teardown (g_kvm_teardown). Never what creates or sets a VM up (VMs,
 * vCPUs, memory slots, devices, capabilities, a vCPU's first state): the
 * main thread makes those before any filter is on.
 *
 * Each list is every ioctl() on a run-time path of vmm/ (vcpu.c, vm.c,
 * vm-irq.c and the arch's directory), devices/ and virtio/, by name; the
 * numbers are the build's <linux/kvm.h> and <asm/kvm.h> (linux-libc-dev;
 * for a cross build the arch's linux-libc-dev-<arch>-cross headers), the
 * request's 32 bits the kernel reads. x86_64's was also traced on VMs;
 * arm64's and s390x's are from reading (no KVM on those here).
 *
 * Three lists, by the descriptor each request is made on:
 *
 *   g_kvm_vcpu: a vCPU's own (KVM_RUN, registers, ...), on any
 *   descriptor: the vCPUs' are made after the filters are built
 *   (vm_create(): the devices' threads start first).
 *
 *   g_kvm_vm: the VM's (interrupts, routes, irqfds, doorbells), on the VM
 *   descriptor only (PIN_VM: argument 0, its number when the filters are
 *   built, struct sc_kvm_fds). s390x's VM also takes KVM_SET_DEVICE_ATTR
 *   (its memory limit, TOD clock, CPU model, crypto keys), which no role
 *   may make on it. Newer kernels' s390x VM takes KVM_S390_MEM_OP too
 *   (guest absolute memory, which lkvm maps whole anyway): as a vCPU's,
 *   allowed on any descriptor.
 *
 *   g_kvm_flic (s390x): the FLIC device's KVM_SET_DEVICE_ATTR, on the
 *   FLIC's descriptor only (PIN_FLIC), for the vCPUs alone.
 *
 * A pin is a descriptor's number: it holds while that number names the
 * file it named when the filters were built.
 */
#if defined(__x86_64__)
/*
 * x86_64: KVM_RUN (vcpu.c); a debug exit's and a failed vCPU's registers
 * and code (KVM_GET_REGS, KVM_GET_SREGS, KVM_TRANSLATE) and the single
 * step's re-arm (KVM_SET_GUEST_DEBUG), the emulation assist's
 * KVM_SET_REGS and vCPU events (x86_64/exits.c); KVM_NMI, lkvm debug
 * --nmi served on the vCPU's thread (vcpu.c). Not KVM_SET_SREGS or
 * KVM_GET_LAPIC: arch_vcpu_init()'s only (x86_64/cpu.c), on main before
 * the filters.
 */
#define KVM_VCPU_IOCTLS ALLOW1(ioctl, ONE_OF(1, KVM_RUN, KVM_GET_REGS, \
	KVM_SET_REGS, KVM_GET_SREGS, KVM_TRANSLATE, KVM_GET_VCPU_EVENTS, \
	KVM_SET_VCPU_EVENTS, KVM_SET_GUEST_DEBUG, KVM_NMI))
/*
 * The VM's: a device's interrupt line or MSI (vm.c, vm-irq.c); the
 * virtio-pci driver's doorbells, irqfds and MSI routes as it enables its
 * queues and vectors (vm-irq.c, from a vCPU's MMIO exit).
 */
#define KVM_VM_IOCTLS ALLOW1(ioctl, ONE_OF(1, KVM_IRQ_LINE, KVM_SIGNAL_MSI, \
	KVM_IOEVENTFD, KVM_IRQFD, KVM_SET_GSI_ROUTING))
#elif defined(__aarch64__)
/*
 * arm64: KVM_RUN (vcpu.c); KVM_GET_ONE_REG, the core registers of a
 * debug exit's log and of a failed vCPU's dump (arm64/cpu.c). Not
 * KVM_SET_ONE_REG, KVM_SET_GUEST_DEBUG, KVM_ARM_VCPU_INIT or the GIC's
 * KVM_SET_DEVICE_ATTR: arch_vcpu_init() and the GIC's set-up only.
 */
#define KVM_VCPU_IOCTLS ALLOW1(ioctl, ONE_OF(1, KVM_RUN, KVM_GET_ONE_REG))
/*
 * The VM's: KVM_IRQ_LINE, a device's SPI (vm.c: the UART, virtio-mmio,
 * whose MMIO exits run here). Not KVM_IOEVENTFD: virtio-mmio's
 * doorbells are set as a device attaches, and let go by main
 * (g_kvm_teardown).
 * No MSI, irqfd or GSI routing: those are virtio-pci's, which arm64
 * lacks.
 */
#define KVM_VM_IOCTLS ALLOW1(ioctl, ONE_OF(1, KVM_IRQ_LINE))
#elif defined(__s390x__)
/*
 * s390x: KVM_RUN (vcpu.c); an interception's operands (KVM_S390_MEM_OP),
 * a program interruption and SIGP STOP (KVM_S390_IRQ), SIGP RESTART
 * (KVM_S390_INTERRUPT on the target vCPU's descriptor; the same request
 * on the VM's is a floating interrupt, which the devices make: service
 * signal, I/O and adapter interrupts, s390x/vm.c), SIGP's resets
 * (KVM_S390_INITIAL_RESET, KVM_S390_NORMAL_RESET) (s390x/exits.c). Not
 * KVM_ENABLE_CAP or KVM_S390_SET_INITIAL_PSW: arch_vcpu_init() only.
 */
#define KVM_VCPU_IOCTLS ALLOW1(ioctl, ONE_OF(1, KVM_RUN, \
	KVM_S390_MEM_OP, KVM_S390_IRQ, KVM_S390_INTERRUPT, \
	KVM_S390_INITIAL_RESET, KVM_S390_NORMAL_RESET))
/*
 * The VM's: a virtio-ccw driver's adapter indicators (SET_IND_ADAPTER,
 * a CCW the vCPU's START SUBCHANNEL runs), their routes and irqfds
 * (KVM_SET_GSI_ROUTING, KVM_IRQFD), which main's teardown takes back
 * (s390x/adapter.c). Both exist on the VM's descriptor alone; the pin
 * keeps them there. Not KVM_IOEVENTFD: virtio-ccw's doorbells are set as
 * a device attaches, and let go by main (g_kvm_teardown).
 */
#define KVM_VM_IOCTLS ALLOW1(ioctl, ONE_OF(1, KVM_SET_GSI_ROUTING, KVM_IRQFD))
/*
 * The FLIC's: the adapter of the driver's ISC and its indicator pages
 * (KVM_DEV_FLIC_ADAPTER_REGISTER, _MODIFY: s390x/adapter.c), from the
 * same CCW, so on a vCPU only.
 */
static const struct sc_rule g_kvm_flic[] = {
	ALLOW1(ioctl, ONE_OF(1, KVM_SET_DEVICE_ATTR)),
};
#endif

static const struct sc_rule g_kvm_vcpu[] = {
	KVM_VCPU_IOCTLS,
};

static const struct sc_rule g_kvm_vm[] = {
	KVM_VM_IOCTLS,
};

/*
 * A device's interrupt from a thread that is not a vCPU's (the I/O
 * thread's devices: console input, a tap's packets, vsock; a disk or 9p
 * worker completing a request, libslirp's, the control thread's config
 * change or break), on the VM's descriptor (PIN_VM): x86_64's interrupt
 * line or MSI (vm.c, vm-irq.c); arm64's line (virtio-mmio only: no
 * MSI); s390x's floating I/O or adapter interrupt (s390x/vm.c), which a
 * used buffer costs where no irqfd takes it: classic indicators, adapter
 * ones KVM would not route (virtio/ccw.c), a config change's alert
 * (devices/css.c).
 */
static const struct sc_rule g_irq[] = {
#if defined(__x86_64__)
	ALLOW1(ioctl, ONE_OF(1, KVM_IRQ_LINE, KVM_SIGNAL_MSI)),
#elif defined(__aarch64__)
	ALLOW1(ioctl, ONE_OF(1, KVM_IRQ_LINE)),
#elif defined(__s390x__)
	ALLOW1(ioctl, ONE_OF(1, KVM_S390_INTERRUPT)),
#endif
};

/*
 * main's teardown (vm_devices_quiesce(), vm_devices_destroy()), on the
 * VM's descriptor (PIN_VM): the last completions' interrupts (as g_irq);
 * a detaching device's doorbells (KVM_IOEVENTFD_FLAG_DEASSIGN: vm-irq.c,
 * s390x/vm.c); its irqfds (devices/pci.c msix_destroy(); s390x/adapter.c
 * thinint_release(), which commits the routes left: KVM_SET_GSI_ROUTING).
 * None of a vCPU's: its threads have ended.
 */
static const struct sc_rule g_kvm_teardown[] = {
#if defined(__x86_64__)
	ALLOW1(ioctl, ONE_OF(1, KVM_IRQ_LINE, KVM_SIGNAL_MSI, KVM_IOEVENTFD,
			     KVM_IRQFD)),
#elif defined(__aarch64__)
	ALLOW1(ioctl, ONE_OF(1, KVM_IRQ_LINE, KVM_IOEVENTFD)),
#elif defined(__s390x__)
	ALLOW1(ioctl, ONE_OF(1, KVM_S390_INTERRUPT, KVM_IOEVENTFD, KVM_IRQFD,
			     KVM_SET_GSI_ROUTING)),
#endif
};

/* What a device's code runs on a vCPU or the I/O thread. */
static const struct sc_rule g_device[] = {
	/* virtio-net on a tap: offloads and queues set by the driver. */
	ALLOW1(ioctl, ONE_OF(1, TUNSETOFFLOAD, TUNSETQUEUE)),
	/* The console's output when lkvm's stdout is a socket (term-out.c). */
	SEND_ONLY,
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

static const struct sc_rule g_io[] = {
#ifdef __NR_epoll_wait
	ALLOW(epoll_wait),
#endif
	ALLOW(epoll_pwait),
	/*
	 * virtio-vsock's host side: Unix sockets only, the guest's connects
	 * to PATH_PORT and the host's accepted on PATH (virtio/vsock-host.c).
	 * socket() is the direct call, family checked, on s390x too
	 * (lib/socket-direct.c: no socketcall SYS_SOCKET here).
	 */
	ALLOW1(socket, ONE_OF(0, AF_UNIX)),
};

/* The I/O thread's and libslirp's connections: connect, accept, talk. */
static const struct sc_rule g_stream[] = {
	SOCK(connect, SYS_CONNECT),
	SOCK(accept4, SYS_ACCEPT4),
	SOCK(sendto, SYS_SENDTO, SYS_SEND),
	SOCK(recvfrom, SYS_RECVFROM, SYS_RECV),
	SOCK(sendmsg, SYS_SENDMSG),
	SOCK(recvmsg, SYS_RECVMSG),
	SOCK(shutdown, SYS_SHUTDOWN),
};

/* The control socket: clients, their credentials, the debug verb. */
static const struct sc_rule g_control[] = {
#ifdef __NR_poll
	ALLOW(poll),
#endif
	ALLOW(ppoll),
	SOCK(accept4, SYS_ACCEPT4),
	SOCK(getsockopt, SYS_GETSOCKOPT),
	ALLOW(geteuid),
	SOCK(sendmsg, SYS_SENDMSG),
	SOCK(recvmsg, SYS_RECVMSG),
	/*
	 * lkvm debug's dump of each paused vCPU (arch_dump_vcpu()): x86_64's
	 * registers and code; arm64's core registers one by one; s390x's are
	 * in the run area, no ioctl. Not KVM_NMI: lkvm debug --nmi asks the
	 * vCPU, which makes it (vcpu_request_nmi()).
	 */
#if defined(__x86_64__)
	ALLOW1(ioctl, ONE_OF(1, KVM_GET_REGS, KVM_GET_SREGS,
					      KVM_TRANSLATE)),
#elif defined(__aarch64__)
	ALLOW1(ioctl, ONE_OF(1, KVM_GET_ONE_REG)),
#endif
};

/* The 9p server on its shares (Landlock already limits it to them). */
static const struct sc_rule g_9p[] = {
	ALLOW(openat),
	ALLOW(openat2),
	ALLOW(newfstatat),
	ALLOW(fstatfs),
#ifdef __s390x__
	/* s390x's glibc makes fstatfs() with fstatfs64. */
	ALLOW(fstatfs64),
#endif
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
};

/*
 * lkvm-net at run time: every path by which libslirp 4.7 (Debian 12's,
 * read at its v4.7.0 tag; lkvm's SlirpConfig: version 1, IPv4 only, no
 * TFTP, bootfile, DNS search, domain, host name, emulation, guestfwd or
 * outbound address) and the glibc 2.36 and glib 2.74 under it make a
 * system call once the filter is on, guest traffic or host files
 * driving them. Read from the source, traced with strace on
 * tests/net/user-netns-seccomp (x86_64), and for glibc's calls under
 * qemu-user on arm64 and s390x, where they are the same calls (s390x:
 * socket() and setsockopt() direct, the other socket calls through
 * socketcall: SYS_ACCEPT, SYS_CONNECT, SYS_SEND, SYS_RECV, SYS_SENDTO,
 * SYS_RECVFROM, SYS_SENDMSG, SYS_RECVMSG, SYS_SHUTDOWN, SYS_GETSOCKOPT,
 * SYS_GETSOCKNAME, SYS_GETPEERNAME, the number each of those glibc
 * functions passes in libc6:s390x's code and under qemu-s390x -strace).
 * "ok": the filter allows each call (on all three), Landlock lets it
 * through or its refusal is handled.
 *
 * - DNS forwarding (a guest datagram or TCP connection to .3 port 53:
 *   sotranslate_out4(), get_dns_addr()): stat() = newfstatat (each
 *   query once a second has passed since the file was last read, for
 *   the time is kept only when a read succeeds); fopen() = openat
 *   O_RDONLY, fstat, read, close;
 *   fgets(), sscanf(), inet_pton() make none; a scoped name server
 *   ("%wlan0", on any line, before inet_pton()) calls if_nametoindex():
 *   lkvm's own, socket AF_INET/SOCK_DGRAM, ioctl SIOCGIFINDEX, close
 *   (lib/net-ifindex.c; glibc's netlink socket killed the thread, the
 *   fix of the last review). ok. Search/options lines, lines longer
 *   than its 512-byte buffer (fgets() in pieces), names longer than an
 *   interface's (ENODEV, no call): no other call. No IPv4 server (a
 *   file of IPv6 ones, a missing file: openat fails): the query is
 *   refused (EPERM, an ICMP error to the guest; 4.7 no longer falls
 *   back to 127.0.0.1). A file renamed over a plain /etc/resolv.conf:
 *   Landlock refuses the reread, which costs the first query after the
 *   change (refused); later ones go to the server read last (its stat
 *   is kept: lkvm.1, SECCOMP).
 * - UDP and TCP flows (to the gateway: 127.0.0.1; elsewhere as
 *   addressed, the guest network's broadcast included; 255.255.255.255
 *   becomes 127.0.0.1 too): socket, fcntl O_NONBLOCK/FD_CLOEXEC,
 *   setsockopt SO_REUSEADDR SO_OOBINLINE TCP_NODELAY IP_TTL IP_RECVERR,
 *   connect, sendto (a zero-byte send() on connect), recvfrom/recv,
 *   recv MSG_OOB, send MSG_OOB, ioctl FIONREAD, getsockopt SO_ERROR,
 *   getsockname, shutdown, close; a UDP socket's ICMP errors:
 *   recvmsg(MSG_ERRQUEUE). A failed send (EACCES, ENETUNREACH)
 *   answers with an ICMP error, strerror() on the way, which reads no
 *   catalogue in lkvm's C locale (lkvm never calls setlocale()). ok.
 * - ICMP echo (not to the gateway or .3, which libslirp answers
 *   itself): a ping socket (SOCK_DGRAM, IPPROTO_ICMP); where
 *   ping_group_range refuses it (EACCES), a raw ICMP socket (needs
 *   CAP_NET_RAW); without that, a UDP datagram to port 7 (as above);
 *   sendto, recv, close. ok (tests/net/user-netns: both sockets live).
 * - hostfwd: accept on the listeners bound before the thread; the new
 *   socket's fcntl and setsockopt as above; getnameinfo() with
 *   NI_NUMERICHOST | NI_NUMERICSERV makes none (no NSS: libslirp looks
 *   no name up, so no nsswitch.conf, hosts or NSS module). UDP rules:
 *   recvfrom, sendto. ok.
 * - lkvm's count of libslirp's sockets (slirp_connection_info()):
 *   getsockname of the hostfwd sockets, inet_ntop(). ok.
 * - DHCP/BOOTP, ARP, NCSI, IP fragments (ip_reass()), ICMP the guest
 *   sends to be answered, the TCP and fragment timers (from the poll
 *   loop; no libslirp timer is armed: its only one is IPv6's): memory
 *   and the frame out (sendmsg on lkvm's socket pair). TFTP: no prefix,
 *   an error frame, no open. IPv6 frames: dropped (in6_enabled off).
 * - glib's logging: g_debug() under SLIRP_DEBUG, g_warning() and
 *   g_critical() (none reachable with lkvm's configuration: DHCP's
 *   option sizes, guestfwd, Unix forwards, vmstate, the FTP/IRC
 *   emulation's truncation, a short send_packet, which lkvm's never
 *   is), g_return_if_fail(),
 *   a failed g_assert() (g_printerr(), then g_print()). glib's own
 *   writer and print functions load iconv's modules for the first line
 *   (an openat O_DIRECTORY: refused, lkvm-net killed), stat
 *   /etc/localtime, write to journald over a Unix socket of their own
 *   where stderr is the journal (refused), print on stdout (the guest's
 *   console). Fixed: lkvm sets glib's writer and print handlers to its
 *   log (devices/net-slirp.c): log_msg(), a write to stderr, or the
 *   console's stream (poll, write or send, futex). glib's other calls
 *   (g_malloc, g_strdup, GString, g_getenv at slirp_new() on main) make
 *   none beyond memory.
 * - Memory: malloc's arena for the thread (mmap PROT_NONE, mprotect
 *   read-write, munmap), growth and trim (brk, mmap, mremap, madvise,
 *   munmap), sched_getaffinity when it counts CPUs for more arenas;
 *   never PROT_EXEC. glib has no slice allocator in this path. ok.
 * - Time: libslirp's clock is lkvm's (clock_gettime); lkvm's rate
 *   limits' time() (clock_gettime where there is no vDSO). No random
 *   numbers (g_rand_*() is IPv6's and Unix forwards').
 * - Aborts (g_assert(), g_error(), glibc's fortify and malloc checks):
 *   writev or write to stderr, then abort(): rt_sigprocmask,
 *   rt_sigaction (not SIGSYS), tgkill on this process. ok.
 * - Binding and loading: libslirp and glib are loaded with RTLD_NOW
 *   before any filter; lazy binding in lkvm makes no call; nothing
 *   loads later (iconv's was glib's logging, above; no NSS, no
 *   libgcc_s: the thread returns, it is not cancelled).
 * - The thread's end: exit, madvise on its stack (glibc). ok. Then
 *   slirp_cleanup() on main, under main's filter: close of each socket
 *   (no segment is sent), free. ok.
 */
/*
 * libslirp: the guest's connections become host sockets (IP only).
 *
 * Its sockets (4.7, Debian's; 4.8 and 4.9 likewise), each made by its
 * slirp_socket(): the type with SOCK_CLOEXEC, or without it where the
 * kernel refused that flag (EINVAL); protocol 0 but for ICMP. For the
 * guest's TCP connections (tcp_fconnect()) and UDP flows, its DNS
 * forwarding among them (udp_attach()); for its pings, a ping socket
 * (SOCK_DGRAM, IPPROTO_ICMP), or a raw ICMP one where the host refuses
 * ping sockets (EACCES: net.ipv4.ping_group_range), which only works
 * with CAP_NET_RAW. IPv4 only: lkvm leaves libslirp's IPv6 off
 * (SlirpConfig.in6_enabled 0, devices/net-slirp.c), so no AF_INET6
 * socket at all. The family, the type and the protocol together: never MPTCP
 * (IPPROTO_MPTCP) or SCTP, whose binds and listeners Landlock's TCP rule
 * does not see, nor UDP-Lite, raw IP, packet or Unix sockets. On s390x
 * too: there lkvm's socket() is the direct call (lib/socket-direct.c),
 * libslirp's included, and socketcall(SYS_SOCKET) is not allowed.
 *
 * Its socketcalls on s390x: those of the calls above whose arguments no
 * architecture checks (SOCK()); SYS_ACCEPT4, which the thread does not
 * make, comes with the group it shares with the I/O thread (g_stream)
 * and takes no more than SYS_ACCEPT does. Not SYS_SOCKET or
 * SYS_SETSOCKOPT (direct calls, checked), SYS_BIND, SYS_LISTEN,
 * SYS_SOCKETPAIR, SYS_SENDMMSG, SYS_RECVMMSG or any other number.
 *
 * No bind or listen: lkvm's libslirp binds nothing once its thread runs
 * (the hostfwd listeners are bound and listening before user_start()
 * starts it). libslirp 4.7 binds or listens on a running Slirp only for
 * an outbound address (SlirpConfig version 2), its FTP/IRC emulation
 * (enable_emu), a Unix socket's forward, guestfwd or a hostfwd rule
 * added later, none of which lkvm uses. What still gets a port: the
 * kernel's ephemeral one of a TCP connect and of a UDP socket's first
 * send (any host may then answer to it: a UDP flow's NAT, as libslirp
 * works), and accept() on the hostfwd listeners.
 */
static const struct sc_rule g_net[] = {
	ALLOWN(socket, ONE_OF(0, AF_INET),
	       ONE_OF(1, SOCK_STREAM, SOCK_STREAM | SOCK_CLOEXEC),
	       ONE_OF(2, 0, IPPROTO_TCP)),
	ALLOWN(socket, ONE_OF(0, AF_INET),
	       ONE_OF(1, SOCK_DGRAM, SOCK_DGRAM | SOCK_CLOEXEC),
	       ONE_OF(2, 0, IPPROTO_UDP)),
	ALLOWN(socket, ONE_OF(0, AF_INET),
	       ONE_OF(1, SOCK_DGRAM, SOCK_DGRAM | SOCK_CLOEXEC, SOCK_RAW,
		      SOCK_RAW | SOCK_CLOEXEC),
	       ONE_OF(2, IPPROTO_ICMP)),
#ifdef __NR_poll
	ALLOW(poll),
#endif
	ALLOW(ppoll),
#if defined(__NR_accept) || defined(__s390x__)
	SOCK(accept, SYS_ACCEPT),
#endif
	/*
	 * Only the options libslirp (4.7 to 4.9) sets on a running Slirp,
	 * each with its level: SO_REUSEADDR and SO_OOBINLINE, TCP_NODELAY
	 * (its TCP connections), IP_TTL and IP_RECVERR (its UDP and ICMP
	 * sockets). Nothing else: no IP_HDRINCL on a raw ICMP socket
	 * (ping's fallback), which would send any IP packet, nor
	 * IP_TRANSPARENT, SO_MARK, SO_BINDTODEVICE or TCP_REPAIR, and no
	 * IPv6 option (no IPv6 socket either). On s390x too, where lkvm's
	 * setsockopt() is the direct call (lib/socket-direct.c), libslirp's
	 * included; socketcall(SYS_SETSOCKOPT), arguments unseen, is
	 * refused.
	 */
	ALLOWN(setsockopt, ONE_OF(1, SOL_SOCKET),
	       ONE_OF(2, SO_REUSEADDR, SO_OOBINLINE)),
	ALLOWN(setsockopt, ONE_OF(1, IPPROTO_TCP), ONE_OF(2, TCP_NODELAY)),
	ALLOWN(setsockopt, ONE_OF(1, IPPROTO_IP), ONE_OF(2, IP_TTL, IP_RECVERR)),
	SOCK(getsockopt, SYS_GETSOCKOPT),
	SOCK(getsockname, SYS_GETSOCKNAME),
	SOCK(getpeername, SYS_GETPEERNAME),
	/*
	 * libslirp's O_NONBLOCK and FD_CLOEXEC (slirp_set_nonblock(),
	 * slirp_set_cloexec()), nothing more: never F_SETOWN or F_SETSIG,
	 * which would aim a socket's SIGIO at another process.
	 */
	ALLOW1(fcntl, ONE_OF(1, F_GETFL, F_SETFL, F_GETFD, F_SETFD)),
	/*
	 * SIOCGIFINDEX: lkvm's if_nametoindex() (lib/net-ifindex.c), for a
	 * scoped name server in resolv.conf.
	 */
	ALLOW1(ioctl, ONE_OF(1, FIONBIO, FIONREAD, SIOCGIFINDEX)),
	/*
	 * Its DNS forwarder rereads /etc/resolv.conf: read-only opens,
	 * kept by Landlock to that file's directory (lib/landlock.c).
	 */
	ALLOW1(openat, ONE_OF(2, O_RDONLY, O_RDONLY | O_CLOEXEC)),
	ALLOW(newfstatat),
};

/*
 * The main thread waits, then tears down: devices (their fds, disks'
 * flushes, the ring's last completions), the control socket's file, the
 * terminal, the status file; then the detached child of exit_detached().
 */
static const struct sc_rule g_main[] = {
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
	ALLOW1(openat, ONE_OF(2, STATUS_FILE_OPEN_FLAGS, PINNED_DIR_OPEN_FLAGS)),
	/* A kept socket's look before its removal (lib/pinned-name.c). */
	ALLOW1(newfstatat, ONE_OF(3, AT_SYMLINK_NOFOLLOW)),
	ALLOW1(clone, ONE_OF(CLONE_FLAGS_ARG, CLONE_VM)),
	ALLOW(close_range),
	ALLOW(getppid),
	/* The console's last output at teardown, when it is a socket. */
	SEND_ONLY,
	/* A tap's downscript: its helper's answer, then the helper. */
	ALLOW(wait4),
	ALLOW1(prctl, ONE_OF(0, PR_SET_PDEATHSIG)),
	/* A disk engine's ring lets its image go (devices/disk-uring.c). */
	ALLOW1(io_uring_register, ONE_OF(1, IORING_UNREGISTER_FILES)),
	/*
	 * Its drain at shutdown resubmits what the ring refused and arms the
	 * retry timer as every submit does (uring_arm_retry()).
	 */
	ALLOW(timerfd_settime),
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

/* Whose descriptor a group's ioctls are pinned to (argument 0). */
enum sc_pin {
	PIN_NONE,
	PIN_VM,		/* sc_kvm_fds.vm_fd */
	PIN_FLIC,	/* sc_kvm_fds.flic_fd */
};

struct sc_group {
	const struct sc_rule *rules;
	size_t nr;
	enum sc_pin pin;
};

#define GROUP(g) { g, ARRAY_SIZE(g), PIN_NONE }
#define GROUP_ON(g, pin) { g, ARRAY_SIZE(g), pin }
#define MAX_GROUPS 8

static const struct sc_group role_groups[SC_NR_ROLES][MAX_GROUPS] = {
	[SC_ROLE_MAIN] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_main), GROUP(g_disk),
			   GROUP_ON(g_kvm_teardown, PIN_VM) },
	[SC_ROLE_VCPU] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_device), GROUP(g_disk),
			   GROUP(g_kvm_vcpu), GROUP_ON(g_kvm_vm, PIN_VM),
#ifdef __s390x__
			   GROUP_ON(g_kvm_flic, PIN_FLIC),
#endif
	},
	[SC_ROLE_IO] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_io), GROUP(g_stream),
			 GROUP(g_device), GROUP(g_disk), GROUP_ON(g_irq, PIN_VM) },
	/* g_irq: debug --sysrq's break raises the UART's line. */
	[SC_ROLE_CONTROL] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_control),
			      GROUP_ON(g_irq, PIN_VM) },
	[SC_ROLE_P9] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_9p),
			 GROUP_ON(g_irq, PIN_VM) },
	[SC_ROLE_DISK] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_disk),
			   GROUP_ON(g_irq, PIN_VM) },
	[SC_ROLE_NET] = { GROUP(g_common), GROUP(g_runtime), GROUP(g_net),
			  GROUP(g_stream), GROUP_ON(g_irq, PIN_VM) },
};

/*
 * The main thread's helper, a process of its own (vmm/main-helper.c): a
 * request on its socket, the answer, and the teardown's file calls on
 * the names it was given (include/pinned-name.h): the directory's and
 * the status file's opens, fstat, unlinkat of a file (not a directory),
 * close. Anything else kills it, and lkvm makes the calls itself.
 */
static const struct sc_rule g_main_helper[] = {
	ALLOW(read),
	ALLOW(write),
	ALLOW(close),
	ALLOW1(openat, ONE_OF(2, STATUS_FILE_OPEN_FLAGS, PINNED_DIR_OPEN_FLAGS)),
#ifdef __NR_fstat
	ALLOW(fstat),
#endif
	ALLOW(newfstatat),
	ALLOW1(unlinkat, ONE_OF(2, 0)),
	ALLOW(restart_syscall),
	ALLOW(exit),
	ALLOW(exit_group),
};

size_t sc_main_helper_policy(struct sc_rule *out, size_t max)
{
	size_t i;

	if (max < ARRAY_SIZE(g_main_helper))
		return 0;
	for (i = 0; i < ARRAY_SIZE(g_main_helper); i++)
		out[i] = g_main_helper[i];
	return i;
}

/* A pinned group's rule with its descriptor check; false if it has no room. */
static bool pin_rule(struct sc_rule *r, int fd)
{
	if (r->nr_args >= SC_MAX_ARGS)
		return false;
	r->args[r->nr_args++] = (struct sc_arg){
		.idx = 0, .kind = SC_ONE_OF, .nr = 1, .vals = { (u64)(u32)fd },
	};
	return true;
}

size_t sc_policy(enum sc_role role, const struct sc_kvm_fds *fds,
		 struct sc_rule *out, size_t max)
{
	size_t n = 0, i, g;
	int fd;

	if ((unsigned int)role >= SC_NR_ROLES || !fds)
		return 0;
	for (g = 0; g < MAX_GROUPS; g++) {
		const struct sc_group *grp = &role_groups[role][g];

		fd = grp->pin == PIN_VM ? fds->vm_fd :
		     grp->pin == PIN_FLIC ? fds->flic_fd : -1;
		/* No such descriptor: nothing to make the group's calls on. */
		if (grp->pin != PIN_NONE && fd < 0)
			continue;
		for (i = 0; i < grp->nr; i++) {
			if (n == max)
				return 0;
			out[n] = grp->rules[i];
			if (grp->pin != PIN_NONE && !pin_rule(&out[n], fd))
				return 0;
			n++;
		}
	}
	return n;
}

int sc_role_program(enum sc_role role, const struct sc_kvm_fds *fds,
		    u32 deny, pid_t pid, struct sock_filter *out, size_t max)
{
	struct sc_rule *rules = calloc(SC_MAX_RULES, sizeof(*rules));
	size_t nr;
	int n;

	if (!rules)
		return -ENOMEM;
	nr = sc_policy(role, fds, rules, SC_MAX_RULES - 1);
	/* Signals to this process's threads only (kicks, raise()). */
	rules[nr++] = (struct sc_rule){
		.nr = __NR_tgkill, .nr_args = 1,
		.args = { { .idx = 0, .kind = SC_ONE_OF, .nr = 1,
			    .vals = { (u64)pid } } },
	};
	n = nr > 1 ? sc_compile(rules, nr, deny, out, max) : -E2BIG;
	free(rules);
	return n;
}
