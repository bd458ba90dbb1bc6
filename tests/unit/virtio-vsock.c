// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/vsock.c behind the virtio-pci transport, driven through its
 * virtqueues as a guest driver does, with the host side on real UNIX
 * sockets served by a real I/O loop: connections both ways (CONNECT/OK
 * and SOCK_P), 16 MiB each way with checksums, credit stalls that resume,
 * RST on a closed port, SHUTDOWN both ways, 64 connections at once, a
 * full table refused cleanly, half-open connections timed out, and
 * malformed packets dropped or reset with rate-limited log lines.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#define TH_MAXQ 3
#include "tap.h"
#include "log.h"
#include "unaligned.h"
#include "virtio/vsock.h"
#include "virtio-pci-drv.h"

#define NOVEC VIRTIO_MSI_NO_VECTOR
#define CID 3
#define RXQS 64
#define TXQS 32
#define RXSLOT(s) (TH_BUFS + (u64)(s) * 0x1100)
#define TXSLOT(s) (0x110000ULL + (u64)(s) * 0x1100)
#define RXLEN (VSOCK_HDR_LEN + 4096)
#define GBUF (256 * 1024)	/* the test guest's buf_alloc */
#define MIB16 (16u << 20)

static struct th T;
static struct virtio_pci VP;
static struct virtio_vsock *V;
static struct io_loop L;
static char dir[64], sock[80];

struct pkt {
	struct vsock_hdr h;
	u8 data[4096];
};

static u64 ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

static int setup(unsigned int max_conns, unsigned int timeout_ms, u32 buf)
{
	struct virtio_vsock_options o = {
		.guest_cid = CID, .path = sock, .loop = &L,
		.max_conns = max_conns, .timeout_ms = timeout_ms,
		.buf_alloc = buf,
	};
	char msg[256];
	unsigned int i;

	th_init(&T);
	if (io_loop_init(&L) || io_loop_start(&L))
		abort();
	if (virtio_vsock_create(&V, &T.mem, "virtio-vsock.0", &o, msg,
				sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		abort();
	}
	if (virtio_pci_init(&VP, virtio_vsock_vdev(V), &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_VSOCK))
		abort();
	th_negotiate(&T, 0);
	if (!th_queue(&T, 0, RXQS, NOVEC) || !th_queue(&T, 1, TXQS, NOVEC) ||
	    !th_queue(&T, 2, 8, NOVEC))
		abort();
	th_driver_ok(&T);
	for (i = 0; i < RXQS; i++)
		th_post(&T, 0, RXSLOT(i), RXLEN, true);
	return 0;
}

static void teardown(void)
{
	io_loop_stop(&L);
	virtio_pci_destroy(&VP);
	virtio_vsock_destroy(V);
	io_loop_destroy(&L);
	th_fini(&T);
}

static struct virtio_vsock_stats stats(void)
{
	struct virtio_vsock_stats st;

	virtio_vsock_get_stats(V, &st);
	return st;
}

/* The next used receive buffer, reposted; false after timeout_ms. */
static bool rx_next(struct pkt *p, int timeout_ms)
{
	struct th_queue *q = &T.q[0];
	u64 end = ms() + (u64)timeout_ms;
	u8 *b;
	u32 id, len;
	u16 idx;

	for (;;) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		memcpy(&idx, th_hva(&T, q->used + 2), 2);
		if (le16toh(idx) != q->last_used)
			break;
		if (ms() >= end)
			return false;
		usleep(50);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(&id, th_hva(&T, q->used + 4 + 8 * (q->last_used % q->size)), 4);
	memcpy(&len, th_hva(&T, q->used + 8 + 8 * (q->last_used % q->size)),
	       4);
	q->last_used++;
	id = le32toh(id);
	len = le32toh(len);
	b = th_hva(&T, RXSLOT(id));
	vsock_hdr_decode(&p->h, b);
	if (len < VSOCK_HDR_LEN || p->h.len != len - VSOCK_HDR_LEN ||
	    p->h.len > sizeof(p->data)) {
		fprintf(stderr, "# bad used length %u for header len %u\n",
			len, p->h.len);
		p->h.op = 0xffff;
	} else {
		memcpy(p->data, b + VSOCK_HDR_LEN, p->h.len);
	}
	th_post(&T, 0, RXSLOT(q->avail_idx % q->size), RXLEN, true);
	return true;
}

/* The next packet that is not a credit update, or op 0xfffe. */
static struct pkt P;

static bool rx_expect(u16 op, u32 gport, int timeout_ms)
{
	if (!rx_next(&P, timeout_ms)) {
		P.h.op = 0xfffe;
		return false;
	}
	return P.h.op == op && P.h.dst_port == gport &&
	       P.h.src_cid == VSOCK_HOST_CID && P.h.dst_cid == CID &&
	       P.h.type == VSOCK_TYPE_STREAM;
}

static void tx_raw(const void *buf, u32 len)
{
	struct th_queue *q = &T.q[1];
	u64 gpa = TXSLOT(q->avail_idx % q->size);

	memcpy(th_hva(&T, gpa), buf, len);
	th_post(&T, 1, gpa, len, false);
	while (th_used(&T, 1, NULL))
		;
}

static void tx(u16 op, u32 gport, u32 hport, u32 flags, u32 fwd,
	       const void *data, u32 len)
{
	u8 b[VSOCK_HDR_LEN + 4096];
	struct vsock_hdr h = {
		.src_cid = CID, .dst_cid = VSOCK_HOST_CID,
		.src_port = gport, .dst_port = hport, .len = len,
		.type = VSOCK_TYPE_STREAM, .op = op, .flags = flags,
		.buf_alloc = GBUF, .fwd_cnt = fwd,
	};

	vsock_hdr_encode(&h, b);
	if (len)
		memcpy(b + VSOCK_HDR_LEN, data, len);
	tx_raw(b, VSOCK_HDR_LEN + len);
}

static int host_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	return fd;
}

static int host_listen(u32 port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", sock, port);
	unlink(sa.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 128))
		abort();
	return fd;
}

/* Read a line (up to '\n') within timeout_ms: its length or -1. */
static int read_line(int fd, char *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t n = 0;

	while (n + 1 < len && poll(&pfd, 1, timeout_ms) == 1) {
		if (read(fd, buf + n, 1) != 1)
			break;
		if (buf[n++] == '\n') {
			buf[n] = 0;
			return (int)n;
		}
	}
	buf[n] = 0;
	return -1;
}

/* Does fd reach end of file (or a reset) within timeout_ms? */
static bool host_eof(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	while (poll(&pfd, 1, timeout_ms) == 1) {
		ssize_t r = read(fd, &c, 1);

		if (r <= 0)
			return true;
	}
	return false;
}

/* Host connects with CONNECT port; the guest accepts. The host fd. */
static int host_to_guest(u32 gport, u32 *hport)
{
	char line[64], want[64];
	int fd = host_socket(sock);

	snprintf(line, sizeof(line), "CONNECT %u\n", gport);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
	    !rx_expect(VSOCK_OP_REQUEST, gport, 2000)) {
		close(fd);
		return -1;
	}
	*hport = P.h.src_port;
	tx(VSOCK_OP_RESPONSE, gport, *hport, 0, 0, NULL, 0);
	snprintf(want, sizeof(want), "OK %u\n", *hport);
	if (read_line(fd, line, sizeof(line), 2000) < 0 || strcmp(line, want)) {
		close(fd);
		return -1;
	}
	return fd;
}

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
	bool bad = false, rst = false;

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
	ok(rx_expect(VSOCK_OP_SHUTDOWN, 7000, 2000) &&
	   (P.h.flags & VSOCK_SHUTDOWN_SEND),
	   "host shutdown(SHUT_WR): the guest gets SHUTDOWN(send)");
	tx(VSOCK_OP_RST, 7000, 2000, 0, 0, NULL, 0);
	usleep(20000);
	ok(stats().nr_conns == 0, "guest RST: the connection is gone");
	close(fd);
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
	{
		u8 b[VSOCK_HDR_LEN];
		struct vsock_hdr h = {
			.src_cid = CID, .dst_cid = VSOCK_HOST_CID,
			.src_port = 1001, .dst_port = hport,
			.type = VSOCK_TYPE_STREAM,
			.op = VSOCK_OP_CREDIT_UPDATE, .buf_alloc = 8192,
		};

		vsock_hdr_encode(&h, b);
		tx_raw(b, sizeof(b));
	}
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
	{
		u8 b[VSOCK_HDR_LEN];
		struct vsock_hdr h = {
			.src_cid = CID, .dst_cid = VSOCK_HOST_CID,
			.src_port = 1001, .dst_port = hport,
			.type = VSOCK_TYPE_STREAM,
			.op = VSOCK_OP_CREDIT_UPDATE, .buf_alloc = 8192,
			.fwd_cnt = 8192,
		};

		vsock_hdr_encode(&h, b);
		tx_raw(b, sizeof(b));
	}
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
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/lkvm-vsock-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(sock, sizeof(sock), "%s/v.sock", dir);
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
	rmdir(dir);
	return tap_done();
}
