// SPDX-License-Identifier: GPL-2.0
/*
 * net-slirp's user_may_open(): a guest frame for which libslirp opens a
 * host socket is counted against the socket limit. libslirp answers a
 * UDP datagram to port 67 itself only when it goes to its own address
 * (or the broadcast one); to any other address it opens a socket, as for
 * any other port. At the limit, a datagram of an IPv4 UDP flow that
 * libslirp's connection list shows with a socket still passes.
 */
#include "../../devices/net-slirp.c"
#include "tap.h"

#ifdef LKVM_HAVE_SLIRP

/* Ethernet + IPv4 (20 bytes) + UDP to dst:dport. */
static size_t udp4(u8 *f, const u8 dst[4], u16 sport, u16 dport)
{
	memset(f, 0, 64);
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;
	f[14 + 9] = 17;
	f[14 + 12] = 10;
	f[14 + 15] = 15;
	memcpy(f + 14 + 16, dst, 4);
	f[34] = sport >> 8;
	f[35] = sport & 0xff;
	f[36] = dport >> 8;
	f[37] = dport & 0xff;
	return 64;
}

/* libslirp's connection list: the column names, no socket. */
static char *no_sockets(Slirp *slirp)
{
	(void)slirp;
	return strdup("  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\n");
}

/*
 * One UDP flow's datagrams (the same source port: one host socket) are
 * each counted as a new flow until the next recount, 100 ms on: a guest
 * sending more than max_socks datagrams in that time has them dropped
 * though it holds no socket at all.
 */
static void test_one_flow(void)
{
	static const u8 ext[4] = { 192, 0, 2, 1 };
	struct net_user *u = calloc(1, sizeof(*u));
	unsigned int i, refused = 0;
	u8 f[64];
	size_t n = udp4(f, ext, 40000, 9);

	if (!u)
		abort();
	sl.connection_info = no_sockets;
	u->max_socks = 16;
	user_count(u);
	for (i = 0; i < 64; i++)
		refused += !user_flow_ok(u, f, n);
	ok(!refused,
	   "64 datagrams of one flow, libslirp holding no socket: none refused (%u refused)",
	   refused);
	free(u);
}

/*
 * A list as libslirp 4.7 prints it: TCP, a hostfwd=udp rule's socket
 * (the host's end first, then the guest's), a guest's IPv4 UDP flow, an
 * IPv6 one (its addresses shown as 0), an ICMP one.
 */
static char *four_sockets(Slirp *slirp)
{
	char *s = NULL;

	(void)slirp;
	if (asprintf(&s, "  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\n"
		     "%-19s %3d %15s %5d %15s %5d %5d %5d\n"
		     "%-19s %3d %15s %5d %15s %5d %5d %5d\n"
		     "%-19s %3d %15s %5d %15s %5d %5d %5d\n"
		     "%-19s %3d %15s %5d %15s %5d %5d %5d\n"
		     "%-19s %3d %15s  -    %15s  -    %5d %5d\n",
		     "  TCP[ESTABLISHED]", 5, "10.0.2.15", 41000, "10.0.2.2", 80, 0, 0,
		     "  UDP[HOST_FORWARD]", 6, "127.0.0.1", 2223, "10.0.2.15", 5300, 0, 0,
		     "  UDP[239 sec]", 7, "10.0.2.15", 5555, "10.0.2.2", 7100, 0, 0,
		     "  UDP[240 sec]", 8, "*", 5556, "0.0.0.0", 7100, 0, 0,
		     "  ICMP[9 sec]", 9, "10.0.2.15", "10.0.2.2", 0, 0) < 0)
		abort();
	return s;
}

/* A datagram from 10.0.2.15:sport (udp4()'s is 10.0.0.15). */
static size_t udp4_guest(u8 *f, const u8 dst[4], u16 sport, u16 dport)
{
	size_t n = udp4(f, dst, sport, dport);

	f[14 + 14] = 2;
	return n;
}

/* The limit reached: which datagrams pass? */
static void test_known_flows(void)
{
	static const u8 ext[4] = { 192, 0, 2, 1 };
	struct net_user *u = calloc(1, sizeof(*u));
	u8 f[64];
	size_t n;

	if (!u)
		abort();
	sl.connection_info = four_sockets;
	u->max_socks = 5;
	user_count(u);
	ok(u->socks == 5 && u->counted_full,
	   "five sockets counted, the limit (%u)", u->socks);
	n = udp4_guest(f, ext, 5555, 53);
	ok(user_flow_ok(u, f, n),
	   "at the limit: a datagram from 10.0.2.15:5555, which has its socket, passes");
	ok(u->socks == 5, "... and counts as no new socket (%u)", u->socks);
	n = udp4_guest(f, ext, 5300, 40000);
	ok(user_flow_ok(u, f, n),
	   "... one from the guest's end of a hostfwd=udp rule passes");
	n = udp4_guest(f, ext, 5554, 53);
	ok(!user_flow_ok(u, f, n), "... one from another port is refused");
	n = udp4_guest(f, ext, 5555, 53);
	f[14 + 15] = 16;
	ok(!user_flow_ok(u, f, n),
	   "... one from another address (10.0.2.16:5555) is refused");
	n = udp4_guest(f, ext, 5556, 53);
	ok(!user_flow_ok(u, f, n),
	   "... one from the port of a socket shown without its address (IPv6) is refused");
	n = udp4_guest(f, ext, 41000, 53);
	ok(!user_flow_ok(u, f, n),
	   "... a UDP datagram from a TCP connection's port is refused");
	n = udp4_guest(f, ext, 5555, 53);
	f[14 + 6] = 0x20;
	ok(!user_flow_ok(u, f, n), "... a fragment of a known flow is refused");
	free(u);
}

int main(void)
{
	static const u8 ext[4] = { 192, 0, 2, 1 };
	u8 f[64];
	size_t n;

	log_set_level(LOG_ERROR);
	n = udp4(f, ext, 40000, 53);
	ok(user_may_open(f, n), "UDP to an outside address, port 53: may open a socket");
	n = udp4(f, ext, 40001, 67);
	ok(user_may_open(f, n),
	   "UDP to an outside address, port 67: may open a socket (libslirp's DHCP server takes only its own address)");
	test_one_flow();
	test_known_flows();
	return tap_done();
}
#else	/* !LKVM_HAVE_SLIRP: a cross build without the arch's libslirp */
int main(void)
{
	skip("lkvm built without libslirp", "user_may_open()");
	return tap_done();
}
#endif
