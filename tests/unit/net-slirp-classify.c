// SPDX-License-Identifier: GPL-2.0
/*
 * net-slirp's user_may_open(): a guest frame for which libslirp opens a
 * host socket is counted against the socket limit. libslirp answers a
 * UDP datagram to port 67 itself only when it goes to its own address
 * (or the broadcast one); to any other address it opens a socket, as for
 * any other port.
 */
#include "../../devices/net-slirp.c"
#include "tap.h"

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
	struct net_user *u = calloc(1, sizeof(*u));
	unsigned int i, refused = 0;

	if (!u)
		abort();
	sl.connection_info = no_sockets;
	u->max_socks = 16;
	user_count(u);
	for (i = 0; i < 64; i++)
		refused += !user_flow_ok(u);
	ok(!refused,
	   "64 datagrams of one flow, libslirp holding no socket: none refused (%u refused)",
	   refused);
	free(u);
}

int main(void)
{
	static const u8 ext[4] = { 192, 0, 2, 1 };
	u8 f[64];
	size_t n;

	n = udp4(f, ext, 40000, 53);
	ok(user_may_open(f, n), "UDP to an outside address, port 53: may open a socket");
	n = udp4(f, ext, 40001, 67);
	ok(user_may_open(f, n),
	   "UDP to an outside address, port 67: may open a socket (libslirp's DHCP server takes only its own address)");
	test_one_flow();
	return tap_done();
}
