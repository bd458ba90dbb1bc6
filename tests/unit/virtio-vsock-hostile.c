// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/vsock.c against a hostile guest driver and a hostile local user
 * of its host socket (tests/unit/virtio-vsock-drv.h's harness): a
 * transmit notification that lands on a thread under a vCPU's seccomp
 * filter, a receive buffer with room for a header only while host data
 * waits, a CONNECT line written a few bytes at a time, a guest port used
 * again while its last connection still drains to the host, a host
 * connection while lkvm has no file descriptor left, a flood of host
 * connections that never finish their handshake. The I/O thread's CPU
 * time tells whether it spins.
 */
#include <pthread.h>
#include <sys/resource.h>

#include "role-filter.h"
#include "seccomp-filter.h"
#include "tap.h"
#include "virtio-vsock-drv.h"

/* --- A notification on a vCPU --- */

struct vcpu_job {
	u16 op;
	u32 gport, hport;
	const char *data;
	bool filtered;
};

/* The vCPU's own filter on this thread, forbidden calls failing EPERM. */
static bool vcpu_filter(void)
{
	return role_filter_install(SC_ROLE_VCPU, SECCOMP_RET_ERRNO | EPERM);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu_job *j = arg;

	j->filtered = vcpu_filter();
	if (j->filtered)
		tx(j->op, j->gport, j->hport, 0, 0, j->data,
		   j->data ? (u32)strlen(j->data) : 0);
	return NULL;
}

/* A packet whose notification a vCPU thread delivers (no ioeventfd). */
static bool tx_on_vcpu(u16 op, u32 gport, u32 hport, const char *data)
{
	struct vcpu_job j = { op, gport, hport, data, false };
	pthread_t t;

	if (pthread_create(&t, NULL, vcpu_thread, &j) ||
	    pthread_join(t, NULL))
		abort();
	return j.filtered;
}

static void test_vcpu_notify(void)
{
	int lfd = host_listen(2002), fd = -1;
	char in[8] = "";

	if (!tx_on_vcpu(VSOCK_OP_REQUEST, 7300, 2002, NULL)) {
		skip("no seccomp filter here",
		     "a REQUEST notified on a vCPU thread under its filter");
		close(lfd);
		return;
	}
	ok(rx_expect(VSOCK_OP_RESPONSE, 7300, 2000) && P.h.src_port == 2002,
	   "a REQUEST notified on a vCPU thread under its filter: RESPONSE (the host socket made on the I/O thread)");
	if (P.h.op == VSOCK_OP_RESPONSE)
		fd = accept(lfd, NULL, NULL);
	tx_on_vcpu(VSOCK_OP_RW, 7300, 2002, "abc");
	ok(fd >= 0 && read(fd, in, 3) == 3 && !memcmp(in, "abc", 3),
	   "its data, notified on the vCPU, reaches the host listener");
	tx_on_vcpu(VSOCK_OP_RST, 7300, 2002, NULL);
	ok(fd >= 0 && host_eof(fd, 2000), "its RST closes the host socket");
	if (fd >= 0)
		close(fd);
	close(lfd);
}

/* --- A receive buffer with room for a header only --- */

/* Wait for n used receive buffers without posting them again. */
static unsigned int rx_take(unsigned int n, int timeout_ms)
{
	u64 end = ms() + (u64)timeout_ms;
	unsigned int got = 0;

	while (got < n && ms() < end) {
		if (th_used(&T, 0, NULL))
			got++;
		else
			usleep(100);
	}
	return got;
}

static void test_header_only_rx(void)
{
	struct th_queue *q = &T.q[0];
	u32 hport = 0, i, cpu, outstanding;
	int fd = host_to_guest(1003, &hport);
	bool update = false, data = false;

	if (fd < 0) {
		ok(0, "connect for the header-only receive buffer");
		return;
	}
	/* 64 RSTs (a closed port) use up every receive buffer. */
	for (i = 0; i < RXQS; i++)
		tx(VSOCK_OP_REQUEST, 7400 + i, 2997, 0, 0, NULL, 0);
	ok(rx_take(RXQS, 2000) == RXQS, "the receive queue is used up");
	/* One buffer with room for a header, and host data waiting. */
	th_post(&T, 0, RXSLOT(q->avail_idx % q->size), VSOCK_HDR_LEN, true);
	if (write(fd, "hello", 5) != 5)
		abort();
	cpu = (u32)io_cpu_ms(300);
	ok(cpu < 60,
	   "host data and a header-only receive buffer: the I/O thread does not spin (%u ms CPU in 300 ms)",
	   cpu);
	outstanding = (u16)(q->avail_idx - q->last_used);
	if (rx_next(&P, 500))
		update = P.h.op == VSOCK_OP_CREDIT_UPDATE &&
			 P.h.dst_port == 1003 && !P.h.len;
	/* Full-sized buffers again: the data goes. */
	for (i = outstanding; i < RXQS; i++)
		th_post(&T, 0, RXSLOT(q->avail_idx % q->size), RXLEN, true);
	while (rx_next(&P, 500))
		data |= P.h.op == VSOCK_OP_RW && P.h.len == 5 &&
			!memcmp(P.data, "hello", 5);
	ok(update && data,
	   "the header-only buffer carries a credit update; the data goes in the next full one");
	tx(VSOCK_OP_RST, 1003, hport, 0, 0, NULL, 0);
	ok(host_eof(fd, 2000), "RST: the host socket is closed");
	close(fd);
}

/* --- A CONNECT line a few bytes at a time --- */

static void test_slow_connect(void)
{
	int fd = host_socket(sock);
	u32 cpu;

	if (write(fd, "CONNECT 12", 10) != 10)
		abort();
	cpu = (u32)io_cpu_ms(150);
	ok(cpu < 30,
	   "half a CONNECT line: the I/O thread waits for the rest without spinning (%u ms CPU in 150 ms)",
	   cpu);
	if (write(fd, "34\n", 3) != 3)
		abort();
	ok(rx_expect(VSOCK_OP_REQUEST, 1234, 2000),
	   "the rest of the line: REQUEST to port 1234");
	tx(VSOCK_OP_RST, 1234, P.h.src_port, 0, 0, NULL, 0);
	ok(host_eof(fd, 2000) && !rx_next(&P, 100),
	   "the guest's RST closes the host socket");
	close(fd);
}

/* --- A guest port used again while its last connection drains --- */

/* rx_expect(), credit updates passed over. */
static bool rx_expect_ctrl(u16 op, u32 gport, int timeout_ms)
{
	while (rx_expect(op, gport, timeout_ms) ||
	       P.h.op == VSOCK_OP_CREDIT_UPDATE)
		if (P.h.op == op)
			return true;
	return false;
}

static void test_reuse_closing(void)
{
	int lfd = host_listen(2003), fd;
	u32 sent = 0, palloc, pfwd;
	static u8 big[65536];
	u8 data[4096];
	bool rst = false, resp = false;

	tx(VSOCK_OP_REQUEST, 7500, 2003, 0, 0, NULL, 0);
	rx_expect(VSOCK_OP_RESPONSE, 7500, 2000);
	palloc = P.h.buf_alloc;
	pfwd = P.h.fwd_cnt;
	fd = accept(lfd, NULL, NULL);
	/* The host reads nothing: all the credit, most of it held. */
	memset(data, 'q', sizeof(data));
	while (fd >= 0 && palloc - (sent - pfwd) >= sizeof(data)) {
		tx(VSOCK_OP_RW, 7500, 2003, 0, 0, data, sizeof(data));
		sent += sizeof(data);
	}
	tx(VSOCK_OP_SHUTDOWN, 7500, 2003, 3, 0, NULL, 0);
	ok(fd >= 0 && rx_expect_ctrl(VSOCK_OP_RST, 7500, 2000) &&
	   stats().nr_conns == 1,
	   "the guest closes with %u bytes the host has not read: RST at once, the bytes still draining",
	   sent);
	tx(VSOCK_OP_REQUEST, 7500, 2003, 0, 0, NULL, 0);
	ok(rx_expect_ctrl(VSOCK_OP_RST, 7500, 100),
	   "a REQUEST from the same port meanwhile is refused (RST), not left unanswered");
	/* The host reads it all: the old connection ends, the port is free. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (!host_eof(fd, 0) && stats().nr_conns)
		while (read(fd, big, sizeof(big)) > 0)
			;
	tx(VSOCK_OP_REQUEST, 7500, 2003, 0, 0, NULL, 0);
	while (rx_next(&P, 500) && !resp && !rst) {
		resp = P.h.op == VSOCK_OP_RESPONSE && P.h.dst_port == 7500;
		rst = P.h.op == VSOCK_OP_RST;
	}
	ok(resp, "once drained, the same port connects again");
	tx(VSOCK_OP_RST, 7500, 2003, 0, 0, NULL, 0);
	if (fd >= 0)
		close(fd);
	fd = accept(lfd, NULL, NULL);
	if (fd >= 0)
		close(fd);
	close(lfd);
}

/* --- A host connection when lkvm is out of file descriptors --- */

static void test_out_of_fds(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), fds[256];
	struct rlimit old, low;
	unsigned int n = 0;
	int full;
	u32 cpu;

	if (c < 0 || getrlimit(RLIMIT_NOFILE, &old))
		abort();
	low = old;
	low.rlim_cur = 128;
	if (setrlimit(RLIMIT_NOFILE, &low))
		abort();
	while (n < ARRAY_SIZE(fds) && (fds[n] = dup(0)) >= 0)
		n++;
	full = n < ARRAY_SIZE(fds) && errno == EMFILE;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (connect(c, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	cpu = (u32)io_cpu_ms(200);
	ok(full && cpu < 40,
	   "a host connection while lkvm has no fd left: the I/O thread does not spin on the listener (%u ms CPU in 200 ms)",
	   cpu);
	while (n)
		close(fds[--n]);
	if (setrlimit(RLIMIT_NOFILE, &old))
		abort();
	if (write(c, "CONNECT 1235\n", 13) != 13)
		abort();
	ok(rx_expect(VSOCK_OP_REQUEST, 1235, 2000),
	   "fds again: the waiting connection is taken, REQUEST to port 1235");
	tx(VSOCK_OP_RST, 1235, P.h.src_port, 0, 0, NULL, 0);
	ok(host_eof(c, 2000), "the guest's RST closes it");
	close(c);
}

/* --- A local user's flood of connections that never finish --- */

static void test_half_open_flood(void)
{
	int lfd = host_listen(2004), fds[64], fd;
	unsigned int i, closed = 0;
	u64 r0 = stats().refused_full;

	for (i = 0; i < 64; i++)
		fds[i] = host_socket(sock);
	usleep(50000);
	for (i = 0; i < 64; i++)
		closed += host_eof(fds[i], 0);
	tx(VSOCK_OP_REQUEST, 7700, 2004, 0, 0, NULL, 0);
	ok(rx_expect(VSOCK_OP_RESPONSE, 7700, 1000),
	   "64 host connections that never send CONNECT (a table of 64): the guest still connects to the host");
	ok(closed == 32 && stats().refused_full - r0 == 32,
	   "half the table for unfinished host connections: the other %u closed at once",
	   closed);
	fd = accept(lfd, NULL, NULL);
	tx(VSOCK_OP_RST, 7700, 2004, 0, 0, NULL, 0);
	for (i = 0; i < 64; i++)
		close(fds[i]);
	if (fd >= 0)
		close(fd);
	close(lfd);
	usleep(20000);
}

/* Whatever an earlier test left in the receive queue. */
static void rx_drain(void)
{
	while (rx_next(&P, 50))
		;
}

int main(void)
{
	char why[200] = "";

	log_set_level(LOG_ERROR);
	setup(64, 300, 0);
	test_vcpu_notify();
	rx_drain();
	test_header_only_rx();
	rx_drain();
	test_slow_connect();
	rx_drain();
	test_reuse_closing();
	rx_drain();
	test_out_of_fds();
	rx_drain();
	test_half_open_flood();
	ok(!virtio_vsock_check(V, why, sizeof(why)) &&
	   stats().nr_conns == 0,
	   "the device's own invariants hold, no connection left %s", why);
	teardown();
	remove_dir();
	return tap_done();
}
