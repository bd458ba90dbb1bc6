// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/vsock.c (and its host side, virtio/vsock-host.c) behind the
 * virtio-pci transport, driven through its virtqueues as a guest driver
 * does, with the host side on real UNIX sockets served by a real I/O
 * loop: connections both ways (CONNECT/OK and SOCK_P), 16 MiB each way
 * with checksums, credit stalls that resume, RST on a closed port,
 * SHUTDOWN both ways (the host's shutdown(2) and close as the guest is
 * told them), 64 connections at once, a full table refused cleanly,
 * half-open connections timed out, and malformed packets dropped or reset
 * with rate-limited log lines.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "tap.h"
#include "virtio-vsock-drv.h"

/* A byte stream both sides can regenerate, and a checksum of it. */
struct stream {
	u64 x;
};

static void gen(struct stream *s, u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		s->x ^= s->x << 13;
		s->x ^= s->x >> 7;
		s->x ^= s->x << 17;
		p[i] = (u8)(s->x >> 24);
	}
}

static u64 fnv(u64 h, const u8 *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

static void test_host_to_guest(void)
{
	struct stream s = { 0x1234567 };
	u64 hsent = FNV0, hgot = FNV0, end = ms() + 60000;
	u32 hport = 0, sent = 0, got = 0, told = 0;
	static u8 chunk[65536];
	size_t have = 0, off = 0;
	int fd = host_to_guest(1000, &hport);
	bool eof = false, bad = false;

	ok(fd >= 0 && hport >= (1u << 30),
	   "host CONNECT 1000: the guest sees REQUEST, the host reads OK %u",
	   hport);
	if (fd < 0)
		return;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (!eof && ms() < end) {
		if (sent < MIB16 && off == have) {
			have = MIN(sizeof(chunk), (size_t)(MIB16 - sent));
			gen(&s, chunk, have);
			hsent = fnv(hsent, chunk, have);
			off = 0;
		}
		if (off < have) {
			ssize_t w = write(fd, chunk + off, have - off);

			if (w > 0) {
				off += (size_t)w;
				sent += (u32)w;
				if (sent == MIB16)
					shutdown(fd, SHUT_WR);
			}
		}
		while (rx_next(&P, 0)) {
			if (P.h.dst_port != 1000 || P.h.src_port != hport) {
				bad = true;
				continue;
			}
			if (P.h.op == VSOCK_OP_RW) {
				hgot = fnv(hgot, P.data, P.h.len);
				got += P.h.len;
				if (got - told >= GBUF / 2) {
					told = got;
					tx(VSOCK_OP_CREDIT_UPDATE, 1000, hport,
					   0, told, NULL, 0);
				}
			} else if (P.h.op == VSOCK_OP_SHUTDOWN) {
				eof = P.h.flags & VSOCK_SHUTDOWN_SEND;
			} else if (P.h.op != VSOCK_OP_CREDIT_REQUEST) {
				bad = true;
			}
		}
	}
	ok(eof && !bad && got == MIB16 && hgot == hsent,
	   "host to guest: 16 MiB in, checksum %s, then SHUTDOWN(send) at the host's EOF",
	   hgot == hsent ? "equal" : "DIFFERENT");
	/* The guest closes: SHUTDOWN both ways, RST back, host sees EOF. */
	tx(VSOCK_OP_SHUTDOWN, 1000, hport, 3, got, NULL, 0);
	ok(rx_expect(VSOCK_OP_RST, 1000, 2000) && host_eof(fd, 2000),
	   "guest SHUTDOWN(rcv|send): RST back, the host reads EOF");
	close(fd);
}

static void test_guest_to_host(void)
{
	struct stream s = { 0xabcdef };
	u64 hsent = FNV0, hgot = FNV0, end = ms() + 60000;
	u32 sent = 0, got = 0, palloc = 0, pfwd = 0, stalls = 0;
	int lfd = host_listen(2000), fd;
	u8 data[4096];
	static u8 in[65536];
	bool bad = false, rst = false, shut;

	tx(VSOCK_OP_REQUEST, 7000, 2000, 0, 0, NULL, 0);
	ok(rx_expect(VSOCK_OP_RESPONSE, 7000, 2000) && P.h.src_port == 2000,
	   "guest REQUEST to CID 2 port 2000: RESPONSE (host listens on SOCK_2000)");
	palloc = P.h.buf_alloc;
	pfwd = P.h.fwd_cnt;
	fd = accept(lfd, NULL, NULL);
	ok(fd >= 0 && palloc == VSOCK_DEFAULT_BUF_ALLOC,
	   "the host listener accepts; buf_alloc %u offered", palloc);
	if (fd < 0)
		return;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (got < MIB16 && ms() < end && !rst) {
		u32 credit = palloc - (sent - pfwd);
		ssize_t r;

		if (sent < MIB16 && credit >= sizeof(data)) {
			gen(&s, data, sizeof(data));
			hsent = fnv(hsent, data, sizeof(data));
			tx(VSOCK_OP_RW, 7000, 2000, 0, 0, data, sizeof(data));
			sent += sizeof(data);
		} else if (sent < MIB16) {
			stalls++;
		}
		r = read(fd, in, sizeof(in));
		if (r > 0) {
			hgot = fnv(hgot, in, (size_t)r);
			got += (u32)r;
		}
		while (rx_next(&P, 0)) {
			if (P.h.op == VSOCK_OP_RST)
				rst = true;
			else if (P.h.op != VSOCK_OP_CREDIT_UPDATE)
				bad = true;
			palloc = P.h.buf_alloc;
			pfwd = P.h.fwd_cnt;
		}
	}
	ok(!bad && !rst && got == MIB16 && hgot == hsent,
	   "guest to host: 16 MiB out in 4 KiB packets within credit, checksum %s (%u waits for credit)",
	   hgot == hsent ? "equal" : "DIFFERENT", stalls);
	tx(VSOCK_OP_SHUTDOWN, 7000, 2000, VSOCK_SHUTDOWN_SEND, 0, NULL, 0);
	ok(host_eof(fd, 2000), "guest SHUTDOWN(send): the host reads EOF");
	if (write(fd, "bye", 3) == 3)
		ok(rx_expect(VSOCK_OP_RW, 7000, 2000) && P.h.len == 3 &&
		   !memcmp(P.data, "bye", 3),
		   "the other direction still carries data");
	shutdown(fd, SHUT_WR);
	/* lkvm shut its own end's writing: the host's reading is open. */
	shut = rx_expect(VSOCK_OP_SHUTDOWN, 7000, 2000);
	ok(shut && P.h.flags == VSOCK_SHUTDOWN_SEND,
	   "host shutdown(SHUT_WR): the guest gets SHUTDOWN(send) (op %u flags %u)",
	   P.h.op, P.h.flags);
	tx(VSOCK_OP_RST, 7000, 2000, 0, 0, NULL, 0);
	usleep(20000);
	ok(stats().nr_conns == 0, "guest RST: the connection is gone");
	close(fd);
	close(lfd);
}

/* The next packet that is not a credit update or request, in timeout_ms. */
static bool rx_ctrl(u32 gport, int timeout_ms)
{
	while (rx_next(&P, timeout_ms))
		if (P.h.dst_port == gport &&
		    P.h.op != VSOCK_OP_CREDIT_UPDATE &&
		    P.h.op != VSOCK_OP_CREDIT_REQUEST)
			return true;
	return false;
}

/* A guest connection to the host listener lfd: the host's fd. */
static int guest_to_host(int lfd, u32 gport, u32 hport)
{
	tx(VSOCK_OP_REQUEST, gport, hport, 0, 0, NULL, 0);
	if (!rx_expect(VSOCK_OP_RESPONSE, gport, 2000))
		return -1;
	return accept(lfd, NULL, NULL);
}

/*
 * The host shuts its reading side. A UNIX socket shows that to lkvm's end
 * only as EPIPE on its next write (no poll event): the guest learns it
 * when it writes, as SHUTDOWN(rcv), not RST; the other way still works.
 */
static void test_host_shut_rd(void)
{
	int lfd = host_listen(2005), fd = guest_to_host(lfd, 7600, 2005);
	bool rst = false, got;

	if (fd < 0) {
		ok(0, "connect for the host's SHUT_RD");
		close(lfd);
		return;
	}
	shutdown(fd, SHUT_RD);
	tx(VSOCK_OP_RW, 7600, 2005, 0, 0, "lost", 4);
	got = rx_ctrl(7600, 2000);
	ok(got && P.h.op == VSOCK_OP_SHUTDOWN &&
	   P.h.flags == VSOCK_SHUTDOWN_RCV && stats().nr_conns == 1,
	   "host shutdown(SHUT_RD), the guest writes: SHUTDOWN(rcv) (op %u flags %u), not RST",
	   P.h.op, P.h.flags);
	tx(VSOCK_OP_RW, 7600, 2005, 0, 0, "late", 4);
	while (rx_ctrl(7600, 100))
		rst |= P.h.op == VSOCK_OP_RST;
	ok(!rst && stats().nr_conns == 1,
	   "a packet already on its way after that is dropped, no RST");
	got = write(fd, "back", 4) == 4 && rx_ctrl(7600, 2000);
	ok(got && P.h.op == VSOCK_OP_RW && P.h.len == 4 &&
	   !memcmp(P.data, "back", 4),
	   "the host's data still reaches the guest");
	shutdown(fd, SHUT_WR);
	got = rx_ctrl(7600, 2000);
	ok(got && P.h.op == VSOCK_OP_SHUTDOWN &&
	   P.h.flags == (VSOCK_SHUTDOWN_RCV | VSOCK_SHUTDOWN_SEND),
	   "then shutdown(SHUT_WR): SHUTDOWN(rcv|send) (flags %u)",
	   P.h.flags);
	tx(VSOCK_OP_RST, 7600, 2005, 0, 0, NULL, 0);
	usleep(20000);
	ok(stats().nr_conns == 0, "the guest's RST ends it");
	close(fd);
	close(lfd);
}

/*
 * The host writes its last bytes, shuts its writing side (the guest has
 * read everything: nothing left for lkvm to read or write), then closes.
 * The close reaches the guest at once as SHUTDOWN(rcv|send), the guest
 * writing nothing, and the I/O thread idles before and after it.
 */
static void test_host_close_after_eof(void)
{
	u32 hport = 0, cpu_eof, cpu_closed;
	int fd = host_to_guest(1004, &hport);
	bool shut = false, got;
	u64 t;

	if (fd < 0) {
		ok(0, "connect for the host's close after EOF");
		return;
	}
	if (write(fd, "last", 4) != 4)
		abort();
	shutdown(fd, SHUT_WR);
	while (!shut && rx_ctrl(1004, 2000))
		shut = P.h.op == VSOCK_OP_SHUTDOWN;
	ok(shut && P.h.flags == VSOCK_SHUTDOWN_SEND,
	   "host data, then shutdown(SHUT_WR): SHUTDOWN(send) (flags %u)",
	   P.h.flags);
	cpu_eof = (u32)io_cpu_ms(300);
	t = ms();
	close(fd);
	got = rx_ctrl(1004, 1000);
	t = ms() - t;
	ok(got && P.h.op == VSOCK_OP_SHUTDOWN &&
	   P.h.flags == (VSOCK_SHUTDOWN_RCV | VSOCK_SHUTDOWN_SEND),
	   "then close(): SHUTDOWN(rcv|send) in %llu ms, the guest writing nothing (op %u flags %u)",
	   (unsigned long long)t, got ? P.h.op : 0, P.h.flags);
	cpu_closed = (u32)io_cpu_ms(300);
	ok(cpu_eof < 60 && cpu_closed < 60,
	   "the I/O thread idles after the EOF (%u ms CPU in 300 ms) and after the close, the guest silent (%u ms)",
	   cpu_eof, cpu_closed);
	tx(VSOCK_OP_RST, 1004, hport, 0, 0, NULL, 0);
	usleep(20000);
	ok(stats().nr_conns == 0, "the guest's RST ends it");
}

/* The guest shut receiving: lkvm reads nothing, the close still comes. */
static void test_host_close_guest_shut_rcv(void)
{
	int lfd = host_listen(2007), fd = guest_to_host(lfd, 7602, 2007);
	bool got;

	if (fd < 0) {
		ok(0, "connect for the host's close after the guest's SHUTDOWN(rcv)");
		close(lfd);
		return;
	}
	tx(VSOCK_OP_SHUTDOWN, 7602, 2007, VSOCK_SHUTDOWN_RCV, 0, NULL, 0);
	usleep(20000);
	close(fd);
	got = rx_ctrl(7602, 1000);
	ok(got && P.h.op == VSOCK_OP_SHUTDOWN &&
	   P.h.flags == (VSOCK_SHUTDOWN_RCV | VSOCK_SHUTDOWN_SEND),
	   "the guest shut receiving, then the host closes: SHUTDOWN(rcv|send) at once (op %u flags %u)",
	   got ? P.h.op : 0, P.h.flags);
	tx(VSOCK_OP_RST, 7602, 2007, 0, 0, NULL, 0);
	usleep(20000);
	ok(stats().nr_conns == 0, "the guest's RST ends it");
	close(lfd);
}

/* The host closes with guest bytes unread: that loses data, so RST. */
static void test_host_close_unread(void)
{
	int lfd = host_listen(2006), fd = guest_to_host(lfd, 7601, 2006);
	bool got;

	if (fd < 0) {
		ok(0, "connect for the host's close with data unread");
		close(lfd);
		return;
	}
	tx(VSOCK_OP_RW, 7601, 2006, 0, 0, "unread", 6);
	usleep(20000);
	close(fd);
	got = rx_ctrl(7601, 2000);
	ok(got && P.h.op == VSOCK_OP_RST,
	   "the host closes with the guest's bytes unread: RST (op %u)",
	   P.h.op);
	usleep(20000);
	ok(stats().nr_conns == 0, "no connection left");
	close(lfd);
}

static void test_closed_port(void)
{
	tx(VSOCK_OP_REQUEST, 7001, 2999, 0, 0, NULL, 0);
	ok(rx_expect(VSOCK_OP_RST, 7001, 2000) && P.h.src_port == 2999,
	   "REQUEST to a host port nobody listens on: RST");
	tx(VSOCK_OP_RW, 7002, 2999, 0, 0, "x", 1);
	ok(rx_expect(VSOCK_OP_RST, 7002, 2000),
	   "RW on no connection: RST");
	tx(VSOCK_OP_RST, 7003, 2999, 0, 0, NULL, 0);
	ok(!rx_next(&P, 100), "RST on no connection: nothing back");
	ok(stats().nr_conns == 0, "no connection left");
}

/* Host-to-guest stall: the guest gives 8 KiB, then more. */
static void test_credit(void)
{
	static u8 big[65536];
	u32 hport = 0, got = 0, n;
	int fd = host_to_guest(1001, &hport), lfd, hfd;
	u64 stalls0 = stats().credit_stalls;
	bool req = false;
	u8 data[4096];

	if (fd < 0) {
		ok(0, "connect for the credit test");
		return;
	}
	/* The guest announces an 8 KiB buffer, nothing consumed. */
	tx_credit(VSOCK_OP_CREDIT_UPDATE, 1001, hport, 0, 8192, 0, NULL, 0);
	if (write(fd, big, sizeof(big)) != sizeof(big))
		abort();
	while (rx_next(&P, 300)) {
		if (P.h.op == VSOCK_OP_RW)
			got += P.h.len;
		else if (P.h.op == VSOCK_OP_CREDIT_REQUEST)
			req = true;
	}
	ok(got == 8192 && req && stats().credit_stalls > stalls0,
	   "host to guest stalls at the guest's 8 KiB credit (%u bytes) and asks for credit",
	   got);
	tx_credit(VSOCK_OP_CREDIT_UPDATE, 1001, hport, 0, 8192, 8192, NULL,
		  0);
	n = got;
	while (rx_next(&P, 300))
		if (P.h.op == VSOCK_OP_RW)
			got += P.h.len;
	ok(got - n == 8192, "a credit update resumes it: 8 KiB more (%u)",
	   got - n);
	tx(VSOCK_OP_RST, 1001, hport, 0, 0, NULL, 0);
	ok(host_eof(fd, 2000), "guest RST: the host socket is closed");
	close(fd);

	/* Guest-to-host stall: the host reads nothing, credit runs out. */
	lfd = host_listen(2001);
	tx(VSOCK_OP_REQUEST, 7010, 2001, 0, 0, NULL, 0);
	rx_expect(VSOCK_OP_RESPONSE, 7010, 2000);
	hfd = accept(lfd, NULL, NULL);
	{
		u32 sent = 0, palloc = P.h.buf_alloc, pfwd = P.h.fwd_cnt;
		u64 end = ms() + 20000;
		bool resumed = false, rst = false;

		memset(data, 'z', sizeof(data));
		while (palloc - (sent - pfwd) >= sizeof(data) &&
		       ms() < end) {
			tx(VSOCK_OP_RW, 7010, 2001, 0, 0, data, sizeof(data));
			sent += sizeof(data);
			while (rx_next(&P, 1)) {
				palloc = P.h.buf_alloc;
				pfwd = P.h.fwd_cnt;
			}
		}
		ok(sent >= palloc && palloc - (sent - pfwd) < sizeof(data),
		   "guest to host stalls when the host reads nothing (%u bytes in flight)",
		   sent);
		/* The host reads it all: a credit update comes. */
		fcntl(hfd, F_SETFL, O_NONBLOCK);
		while (ms() < end && !resumed) {
			while (read(hfd, big, sizeof(big)) > 0)
				;
			while (rx_next(&P, 1)) {
				rst |= P.h.op == VSOCK_OP_RST;
				pfwd = P.h.fwd_cnt;
				resumed = P.h.op == VSOCK_OP_CREDIT_UPDATE &&
					  palloc - (sent - pfwd) >= sizeof(data);
			}
		}
		ok(resumed && !rst,
		   "the host reads: a CREDIT_UPDATE gives credit back");
		/* Beyond the credit: RST. */
		while (!rst && ms() < end) {
			tx(VSOCK_OP_RW, 7010, 2001, 0, 0, data, sizeof(data));
			sent += sizeof(data);
			/* The host stops reading: ignore its updates. */
			while (rx_next(&P, 1))
				rst |= P.h.op == VSOCK_OP_RST;
		}
		ok(rst, "a guest sending beyond its credit gets RST");
	}
	close(hfd);
	close(lfd);
	usleep(20000);
	ok(stats().nr_conns == 0, "no connection left");
}

static void test_many(void)
{
	int lfd = host_listen(3000), fds[64], hfd;
	unsigned int i, good = 0, echoed = 0;
	char m[32];

	for (i = 0; i < 64; i++) {
		tx(VSOCK_OP_REQUEST, 8000 + i, 3000, 0, 0, NULL, 0);
		good += rx_expect(VSOCK_OP_RESPONSE, 8000 + i, 2000);
		fds[i] = accept(lfd, NULL, NULL);
	}
	ok(good == 64 && stats().nr_conns == 64,
	   "64 guest connections at once: 64 RESPONSEs, 64 in the table");
	for (i = 0; i < 64; i++) {
		snprintf(m, sizeof(m), "guest %u", i);
		tx(VSOCK_OP_RW, 8000 + i, 3000, 0, 0, m, (u32)strlen(m) + 1);
	}
	good = 0;
	for (i = 0; i < 64; i++) {
		char in[32] = "";
		unsigned int k;

		if (read(fds[i], in, sizeof(in)) > 0 &&
		    sscanf(in, "guest %u", &k) == 1) {
			good += k == i;
			/* Echo it back, from the host. */
			snprintf(m, sizeof(m), "host %u", k);
			if (write(fds[i], m, strlen(m) + 1) < 0)
				abort();
		}
	}
	for (i = 0; i < 64 && rx_next(&P, 2000); i++) {
		unsigned int k;

		if (P.h.op == VSOCK_OP_RW &&
		    sscanf((char *)P.data, "host %u", &k) == 1 &&
		    P.h.dst_port == 8000 + k)
			echoed++;
	}
	ok(good == 64 && echoed == 64,
	   "each of them carries its own bytes both ways (%u, %u)", good,
	   echoed);
	/* The table (64 here) is full: one more is refused cleanly. */
	tx(VSOCK_OP_REQUEST, 9000, 3000, 0, 0, NULL, 0);
	ok(rx_expect(VSOCK_OP_RST, 9000, 2000) && stats().refused_full == 1 &&
	   stats().nr_conns == 64,
	   "table full: a 65th REQUEST gets RST, the others stay");
	hfd = host_socket(sock);
	ok(host_eof(hfd, 2000) && stats().refused_full == 2,
	   "table full: a host connection is closed at once");
	close(hfd);
	for (i = 0; i < 64; i++)
		tx(VSOCK_OP_SHUTDOWN, 8000 + i, 3000, 3, 0, NULL, 0);
	good = 0;
	for (i = 0; i < 64; i++)
		good += rx_expect(VSOCK_OP_RST, 8000 + i, 2000) &&
			host_eof(fds[i], 2000);
	ok(good == 64 && stats().nr_conns == 0 &&
	   stats().max_conns_seen == 64,
	   "all closed by the guest: 64 RSTs, 64 host EOFs, table empty");
	for (i = 0; i < 64; i++)
		close(fds[i]);
	close(lfd);
}

static void test_timeouts(void)
{
	u64 t0 = stats().timeouts;
	int fd = host_socket(sock), fd2;

	ok(host_eof(fd, 3000) && stats().timeouts == t0 + 1,
	   "a host connection that never sends CONNECT is dropped after the timeout");
	close(fd);
	fd = host_socket(sock);
	if (write(fd, "CONNECT 77\n", 11) != 11)
		abort();
	ok(rx_expect(VSOCK_OP_REQUEST, 77, 2000),
	   "CONNECT 77: REQUEST to the guest");
	ok(host_eof(fd, 3000) && rx_expect(VSOCK_OP_RST, 77, 2000) &&
	   stats().nr_conns == 0,
	   "no RESPONSE from the guest: RST to it, the host socket closed");
	close(fd);
	fd = host_socket(sock);
	fd2 = host_socket(sock);
	if (write(fd, "CONNECT x\n", 10) != 10 ||
	    write(fd2, "CONNECT 4294967296\n", 19) != 19)
		abort();
	ok(host_eof(fd, 2000) && host_eof(fd2, 2000) && !rx_next(&P, 100),
	   "a bad CONNECT line closes the host socket, nothing reaches the guest");
	close(fd);
	close(fd2);
}

/* Count the lines written to stderr while fn runs. */
static unsigned int stderr_lines(void (*fn)(void))
{
	int p[2], saved = dup(2);
	unsigned int n = 0;
	char buf[65536];
	ssize_t r, i;

	if (saved < 0 || pipe(p))
		abort();
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	dup2(p[1], 2);
	fn();
	dup2(saved, 2);
	close(saved);
	close(p[1]);
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		for (i = 0; i < r; i++)
			n += buf[i] == '\n';
	close(p[0]);
	return n;
}

static unsigned int bad_rsts;

static void send_malformed(void)
{
	u8 b[VSOCK_HDR_LEN + 16];
	struct vsock_hdr h = {
		.src_cid = CID, .dst_cid = VSOCK_HOST_CID, .src_port = 5,
		.dst_port = 6, .type = VSOCK_TYPE_STREAM,
		.op = VSOCK_OP_RW,
	};
	unsigned int i;

	log_set_level(LOG_WARN);
	for (i = 0; i < 50; i++) {
		struct vsock_hdr x = h;

		switch (i % 5) {
		case 0:		/* length beyond the packet */
			x.len = 1000;
			break;
		case 1:		/* not a stream */
			x.type = 2;
			break;
		case 2:		/* unknown op */
			x.op = 99;
			break;
		case 3:		/* payload on a control op */
			x.op = VSOCK_OP_REQUEST;
			x.len = 16;
			break;
		case 4:		/* a payload over 64 KiB claimed */
			x.len = 0x80000000u;
			break;
		}
		vsock_hdr_encode(&x, b);
		tx_raw(b, sizeof(b));
	}
	/* Dropped silently-ish: short, or another CID. */
	for (i = 0; i < 50; i++) {
		struct vsock_hdr x = h;

		x.src_cid = i % 2 ? 4 : CID;
		x.dst_cid = i % 2 ? VSOCK_HOST_CID : 7;
		vsock_hdr_encode(&x, b);
		tx_raw(b, i % 3 ? VSOCK_HDR_LEN : 20);
	}
	while (rx_next(&P, 200))
		bad_rsts += P.h.op == VSOCK_OP_RST && P.h.dst_port == 5;
	log_set_level(LOG_ERROR);
}

static void test_malformed(void)
{
	u64 m0 = stats().malformed;
	unsigned int lines = stderr_lines(send_malformed);

	ok(stats().malformed - m0 == 100 && lines >= 1 && lines <= 11,
	   "100 malformed packets counted, %u log lines (rate-limited)",
	   lines);
	ok(bad_rsts == 50 && stats().nr_conns == 0 &&
	   !(virtio_get_status(virtio_vsock_vdev(V)) &
	     VIRTIO_STATUS_DEVICE_NEEDS_RESET),
	   "the 50 with good addresses get RST, the rest are dropped; the device carries on");
	tx(VSOCK_OP_REQUEST, 7100, 2998, 0, 0, NULL, 0);
	ok(rx_expect(VSOCK_OP_RST, 7100, 2000), "and still answers");
}

static void test_reset(void)
{
	u32 hport;
	int fd = host_to_guest(1002, &hport);

	mwr(&T, TC(&T, STATUS), 1, 0);
	ok(fd >= 0 && host_eof(fd, 2000) && stats().nr_conns == 0,
	   "a device reset closes the host sockets");
	close(fd);
}

static void test_config(void)
{
	u8 cfg[8];
	char msg[256];

	virtio_config_read(virtio_vsock_vdev(V), 0, cfg, 8);
	ok(get_le64(cfg) == CID && th_device_features(&T) ==
	   VIRTIO_CORE_FEATURES,
	   "device 19, guest_cid %d in the config space, no SEQPACKET",
	   CID);
	ok(vsock_check_path(sock, msg, sizeof(msg)) == 0,
	   "the socket it listens on is a socket");
}

int main(void)
{
	u64 t;

	log_set_level(LOG_ERROR);
	setup(64, 300, 0);
	test_config();
	t = ms();
	test_host_to_guest();
	printf("# host to guest: 16 MiB in %llu ms\n",
	       (unsigned long long)(ms() - t));
	t = ms();
	test_guest_to_host();
	printf("# guest to host: 16 MiB in %llu ms\n",
	       (unsigned long long)(ms() - t));
	test_host_shut_rd();
	test_host_close_after_eof();
	test_host_close_guest_shut_rcv();
	test_host_close_unread();
	test_closed_port();
	test_credit();
	test_many();
	test_timeouts();
	test_malformed();
	test_reset();
	{
		char why[200] = "";

		ok(!virtio_vsock_check(V, why, sizeof(why)),
		   "the device's own invariants hold %s", why);
	}
	teardown();
	ok(access(sock, F_OK) && errno == ENOENT,
	   "destroy removes the socket");
	remove_dir();
	return tap_done();
}
