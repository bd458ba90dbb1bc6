// SPDX-License-Identifier: GPL-2.0
/*
 * lkvm-net confined as devices/net-slirp.c confines it: Landlock
 * (landlock_user_net()), then the net role's own seccomp filter
 * (role-filter.h; a refused call fails with MARK here rather than
 * trapping). Each case runs in a child process. The sockets libslirp
 * makes (TCP and UDP over IPv4, its ping sockets) are made; IPv6 ones,
 * which lkvm's libslirp never makes, are not; an MPTCP or SCTP socket,
 * which Landlock's TCP bind rule does not see, is refused by the
 * filter, as are UDP-Lite, raw IP and Unix sockets; no
 * bind or listen at all, while a listener made before (a hostfwd
 * rule's) still takes a connection, and a TCP connect and a UDP send go
 * through; setsockopt only with libslirp's five options: no
 * IP_HDRINCL (a raw ICMP socket would send any packet) nor IPV6_HDRINCL
 * at SOL_RAW, no IP_TRANSPARENT or SO_MARK; no F_SETOWN (a socket's
 * SIGIO at another process); on s390x, setsockopt() is lkvm's direct
 * call (lib/socket-direct.c) and socketcall(SYS_SETSOCKOPT), whose
 * arguments the filter cannot read, is refused; if_nametoindex() (lkvm's,
 * lib/net-ifindex.c, which libslirp calls for a scoped name server)
 * answers as before confinement.
 * Without the filter, Landlock alone lets an MPTCP socket bind a port
 * where the kernel has MPTCP: what the filter closes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock.h"
#include "role-filter.h"
#include "tap.h"

/* The filter's answer to a refused call: no kernel path returns it here. */
#define MARK ENOTRECOVERABLE

enum {
	R_LANDLOCK, R_FILTER,
	S_TCP4, S_TCP6, S_TCP4_PROTO, S_UDP4, S_UDP6, S_UDP6_PROTO, S_PING4,
	S_RAW_ICMP4, S_PING6,
	S_MPTCP4, S_MPTCP6, S_SCTP_STREAM, S_SCTP_SEQPACKET, S_SEQPACKET,
	S_UDPLITE, S_RAW_IP, S_UNIX, S_NONBLOCK,
	B_TCP, B_UDP, B_LISTEN, C_TCP, C_ACCEPT, C_UDP, O_TTL, O_RECVERR,
	O_REUSEADDR, O_OOBINLINE, O_NODELAY, O_HDRINCL, O_RAW_HDRINCL6,
	O_TRANSPARENT, O_MARK, O_SOCKETCALL, F_NONBLOCK, I_LO_BEFORE, I_LO, I_NONE,
	I_NONE_ERR, F_OWNER, R_NR
};

/* 0 when socket() makes one (closed again), else errno. */
static int try_socket(int family, int type, int proto)
{
	int fd = socket(family, type, proto);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static struct sockaddr_in loopback;

/* A socket bound to 127.0.0.1, port 0: 0, or errno. */
static int try_bind(int type, int proto)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, proto), err = 0;

	if (fd < 0)
		return errno;
	if (bind(fd, (const struct sockaddr *)&loopback, sizeof(loopback)))
		err = errno;
	close(fd);
	return err;
}

/* listen() on a socket never bound: the kernel would pick a port. */
static int try_listen(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return errno;
	if (listen(fd, 1))
		err = errno;
	close(fd);
	return err;
}

/* setsockopt(fd, level, opt, 1): 0, or errno. */
static int try_opt(int fd, int level, int opt)
{
	int one = 1;

	return setsockopt(fd, level, opt, &one, sizeof(one)) ? errno : 0;
}

#ifdef __s390x__
/*
 * setsockopt(fd, level, opt, 1) through socketcall, as glibc makes it:
 * 0, or errno.
 */
static int try_socketcall_opt(int fd, int level, int opt)
{
	int one = 1;
	unsigned long args[5] = { (unsigned long)fd, (unsigned long)level,
				  (unsigned long)opt, (unsigned long)&one,
				  sizeof(one) };

	return syscall(__NR_socketcall, SYS_SETSOCKOPT, args) ? errno : 0;
}
#endif

/* A listener on 127.0.0.1 made before confinement (a hostfwd rule's). */
static int listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (const struct sockaddr *)&loopback, sizeof(loopback)) ||
	    listen(fd, 4) || getsockname(fd, (struct sockaddr *)a, &len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* In a child: confined (the filter too if filter), then every case. */
static void child(int out, bool filter)
{
	struct sockaddr_in a;
	int r[R_NR] = { 0 }, lfd = listener(&a), fd;
	const char *why = NULL;

	if (lfd < 0)
		_exit(2);
	r[I_LO_BEFORE] = (int)if_nametoindex("lo");
	r[R_LANDLOCK] = landlock_user_net("/etc/resolv.conf", &why);
	r[R_FILTER] = filter &&
		      role_filter_install(SC_ROLE_NET, SECCOMP_RET_ERRNO | MARK);
	r[S_TCP4] = try_socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	r[S_TCP6] = try_socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	r[S_TCP4_PROTO] = try_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	r[S_UDP4] = try_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r[S_UDP6] = try_socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r[S_UDP6_PROTO] = try_socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
	r[S_PING4] = try_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC,
				IPPROTO_ICMP);
	r[S_RAW_ICMP4] = try_socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC,
				    IPPROTO_ICMP);
	r[S_PING6] = try_socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC,
				IPPROTO_ICMPV6);
	r[S_MPTCP4] = try_bind(SOCK_STREAM, IPPROTO_MPTCP);
	r[S_MPTCP6] = try_socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC,
				 IPPROTO_MPTCP);
	r[S_SCTP_STREAM] = try_bind(SOCK_STREAM, IPPROTO_SCTP);
	r[S_SCTP_SEQPACKET] = try_bind(SOCK_SEQPACKET, IPPROTO_SCTP);
	r[S_SEQPACKET] = try_socket(AF_INET, SOCK_SEQPACKET, 0);
	r[S_UDPLITE] = try_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	r[S_RAW_IP] = try_socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	r[S_UNIX] = try_socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	r[S_NONBLOCK] = try_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r[B_TCP] = try_bind(SOCK_STREAM, 0);
	r[B_UDP] = try_bind(SOCK_DGRAM, 0);
	r[B_LISTEN] = try_listen();
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* libslirp's TCP options (tcp_fconnect()), set before connect. */
	r[O_REUSEADDR] = try_opt(fd, SOL_SOCKET, SO_REUSEADDR);
	r[O_OOBINLINE] = try_opt(fd, SOL_SOCKET, SO_OOBINLINE);
	r[O_NODELAY] = try_opt(fd, IPPROTO_TCP, TCP_NODELAY);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&a, sizeof(a)))
		r[C_TCP] = errno;
	fd = accept(lfd, NULL, NULL);
	r[C_ACCEPT] = fd < 0 ? errno : 0;
	/* A UDP send: the kernel gives the socket an ephemeral port. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, "x", 1, 0, (const struct sockaddr *)&a,
			     sizeof(a)) != 1)
		r[C_UDP] = errno;
	r[O_TTL] = try_opt(fd, IPPROTO_IP, IP_TTL);
	r[O_RECVERR] = try_opt(fd, IPPROTO_IP, IP_RECVERR);
	/* On UDP the kernel refuses it too, with ENOPROTOOPT. */
	r[O_HDRINCL] = try_opt(fd, IPPROTO_IP, IP_HDRINCL);
	/*
	 * A raw ICMPv6 socket's way to IP_HDRINCL; the filter sees only
	 * the level and the option (no IPv6 socket to try it on).
	 */
	r[O_RAW_HDRINCL6] = try_opt(fd, SOL_RAW, IPV6_HDRINCL);
	r[O_TRANSPARENT] = try_opt(fd, IPPROTO_IP, IP_TRANSPARENT);
	r[O_MARK] = try_opt(fd, SOL_SOCKET, SO_MARK);
#ifdef __s390x__
	/* An option the direct call may set, but through socketcall. */
	r[O_SOCKETCALL] = try_socketcall_opt(fd, SOL_SOCKET, SO_REUSEADDR);
#endif
	r[I_LO] = (int)if_nametoindex("lo");
	errno = 0;
	r[I_NONE] = (int)if_nametoindex("nosuchif0");
	r[I_NONE_ERR] = errno;
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		r[F_NONBLOCK] = errno;
	/* SIGIO to the parent, on this socket's I/O. */
	if (fcntl(fd, F_SETOWN, getppid()))
		r[F_OWNER] = errno;
	_exit(write(out, r, sizeof(r)) == sizeof(r) ? 0 : 2);
}

static bool run(int *r, bool filter)
{
	int p[2], st;
	pid_t pid;
	bool good;

	if (pipe(p))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid)
		child(p[1], filter);
	close(p[1]);
	good = read(p[0], r, sizeof(int) * R_NR) == sizeof(int) * R_NR;
	close(p[0]);
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       !WEXITSTATUS(st) && good;
}

/* Made, or refused by the kernel for its own reasons: not the filter. */
static void expect_made(const int *r, int i, const char *what, const int *also)
{
	ok(!r[i] || (also && (r[i] == also[0] || r[i] == also[1])),
	   "%s: made (%s)", what, strerror(r[i]));
}

static void expect_refused(const int *r, int i, const char *what)
{
	ok(r[i] == MARK, "%s: the filter refuses it (%s)", what,
	   strerror(r[i]));
}

/*
 * Whether the kernel makes the socket (unconfined), else why not: the
 * case is skipped where it cannot (no module, disabled by sysctl).
 */
static const char *lacks(int family, int type, int proto)
{
	int err = try_socket(family, type, proto);

	return err ? strerror(err) : NULL;
}

int main(void)
{
	/* No IPv6 on the host, ping sockets refused, no CAP_NET_RAW. */
	static const int ping[] = { EACCES, EPROTONOSUPPORT };
	static const int raw[] = { EPERM, EACCES };
	const char *mptcp = lacks(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	const char *sctp = lacks(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	const char *why = "";
	int abi = landlock_abi(&why), r[R_NR];
	char reason[128];

	loopback.sin_family = AF_INET;
	loopback.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (abi <= 0) {
		skip(abi < 0 ? strerror(-abi) : why, "lkvm-net's confinement");
		return tap_done();
	}
	/* Landlock alone: what the review found. */
	if (!ok(run(r, false), "a child confined by Landlock alone ran"))
		return tap_done();
	if (mptcp) {
		snprintf(reason, sizeof(reason), "no MPTCP on this host: %s",
			 mptcp);
		skip(reason, "Landlock alone: an MPTCP bind");
	} else if (abi < LANDLOCK_ABI_NET || r[S_MPTCP4]) {
		skip(abi < LANDLOCK_ABI_NET ? "Landlock before ABI 4" :
		     "this kernel's Landlock refuses it itself",
		     "Landlock alone: an MPTCP bind goes through (%s)",
		     strerror(r[S_MPTCP4]));
	} else {
		ok(r[B_TCP] == EACCES && !r[S_MPTCP4],
		   "Landlock alone refuses a TCP bind (%s) but not an MPTCP one: the filter must",
		   strerror(r[B_TCP]));
	}

	if (!ok(run(r, true), "a child confined as lkvm-net ran"))
		return tap_done();
	ok(r[R_LANDLOCK] == 1, "Landlock confined it (%d)", r[R_LANDLOCK]);
	if (!r[R_FILTER]) {
		skip("seccomp filters cannot be installed here",
		     "lkvm-net's filter on a thread");
		return tap_done();
	}
	expect_made(r, S_TCP4, "TCP over IPv4 (libslirp's, SOCK_CLOEXEC)", NULL);
	expect_refused(r, S_TCP6, "TCP over IPv6 (lkvm leaves libslirp's IPv6 off)");
	expect_made(r, S_TCP4_PROTO, "TCP, IPPROTO_TCP, without SOCK_CLOEXEC", NULL);
	expect_made(r, S_UDP4, "UDP over IPv4", NULL);
	expect_refused(r, S_UDP6, "UDP over IPv6");
	expect_refused(r, S_UDP6_PROTO, "UDP over IPv6, IPPROTO_UDP");
	expect_made(r, S_PING4, "an ICMP ping socket (or the host refuses it itself)",
	     ping);
	expect_made(r, S_RAW_ICMP4, "a raw ICMP socket, ping's fallback (or no CAP_NET_RAW)",
	     raw);
	expect_refused(r, S_PING6, "an ICMPv6 ping socket");
	if (mptcp) {
		snprintf(reason, sizeof(reason), "no MPTCP on this host: %s",
			 mptcp);
		skip(reason, "MPTCP refused by the filter");
	} else {
		expect_refused(r, S_MPTCP4, "an MPTCP socket over IPv4");
		expect_refused(r, S_MPTCP6, "an MPTCP socket over IPv6");
	}
	if (sctp) {
		snprintf(reason, sizeof(reason), "no SCTP on this host: %s",
			 sctp);
		skip(reason, "SCTP refused by the filter");
	} else {
		expect_refused(r, S_SCTP_STREAM, "an SCTP socket (SOCK_STREAM)");
		expect_refused(r, S_SCTP_SEQPACKET, "an SCTP socket (SOCK_SEQPACKET)");
	}
	expect_refused(r, S_SEQPACKET, "AF_INET, SOCK_SEQPACKET, 0");
	expect_refused(r, S_UDPLITE, "a UDP-Lite socket");
	expect_refused(r, S_RAW_IP, "a raw IP socket (IPPROTO_RAW)");
	expect_refused(r, S_UNIX, "a Unix socket");
	expect_refused(r, S_NONBLOCK, "SOCK_NONBLOCK (not libslirp's flags)");
	expect_refused(r, B_TCP, "a TCP bind to port 0");
	expect_refused(r, B_UDP, "a UDP bind to port 0");
	expect_refused(r, B_LISTEN, "listen() on an unbound TCP socket");
	ok(!r[C_TCP] && !r[C_ACCEPT],
	   "a TCP connect goes through, and a listener made before takes it (%s, %s)",
	   strerror(r[C_TCP]), strerror(r[C_ACCEPT]));
	ok(!r[C_UDP], "a UDP send goes through (%s)", strerror(r[C_UDP]));
	ok(!r[O_TTL], "setsockopt(IP_TTL) (libslirp's) goes through (%s)",
	   strerror(r[O_TTL]));
	ok(!r[O_RECVERR], "setsockopt(IP_RECVERR) (libslirp's) goes through (%s)",
	   strerror(r[O_RECVERR]));
	ok(!r[O_REUSEADDR], "setsockopt(SO_REUSEADDR) (libslirp's) goes through (%s)",
	   strerror(r[O_REUSEADDR]));
	ok(!r[O_OOBINLINE], "setsockopt(SO_OOBINLINE) (libslirp's) goes through (%s)",
	   strerror(r[O_OOBINLINE]));
	ok(!r[O_NODELAY], "setsockopt(TCP_NODELAY) (libslirp's) goes through (%s)",
	   strerror(r[O_NODELAY]));
	expect_refused(r, O_HDRINCL, "setsockopt(IP_HDRINCL)");
	expect_refused(r, O_RAW_HDRINCL6, "setsockopt(SOL_RAW, IPV6_HDRINCL)");
	expect_refused(r, O_TRANSPARENT, "setsockopt(IP_TRANSPARENT)");
	expect_refused(r, O_MARK, "setsockopt(SO_MARK)");
#ifdef __s390x__
	/* Its arguments are in memory, unseen: refused whatever they are. */
	expect_refused(r, O_SOCKETCALL,
		       "socketcall(SYS_SETSOCKOPT, SO_REUSEADDR)");
#endif
	ok(!r[F_NONBLOCK], "fcntl(F_SETFL, O_NONBLOCK) (libslirp's) goes through (%s)",
	   strerror(r[F_NONBLOCK]));
	expect_refused(r, F_OWNER, "fcntl(F_SETOWN) of another process");
	ok(r[I_LO_BEFORE] > 0 && r[I_LO] == r[I_LO_BEFORE],
	   "if_nametoindex(\"lo\") gives lo's index as before confinement (%d, %d)",
	   r[I_LO], r[I_LO_BEFORE]);
	ok(!r[I_NONE] && r[I_NONE_ERR] == ENODEV,
	   "if_nametoindex(\"nosuchif0\"): 0, ENODEV (%d, %s)", r[I_NONE],
	   strerror(r[I_NONE_ERR]));
	return tap_done();
}
