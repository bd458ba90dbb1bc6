// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/vsock-host.c's sockets and the I/O loop's batches of events
 * (tests/unit/virtio-vsock-drv.h's harness, the loop's handlers run here,
 * not on a thread): an event for a connection's socket taken in a batch
 * whose earlier handler closed that connection and opened another must
 * not reach the new one; nor one of a connection a reset on a vCPU closed
 * after the batch was taken.
 */
#include <sys/epoll.h>

#include "tap.h"
#include "virtio-vsock-drv.h"

#define BATCH 32

/* The ready events, as the I/O thread takes them; not run yet. */
static int loop_take(struct epoll_event *ev)
{
	return epoll_wait(L.epoll_fd, ev, BATCH, 0);
}

static void loop_run(const struct epoll_event *ev, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct io_handler *h = ev[i].data.ptr;

		if (h)
			h->fn(h, ev[i].events);
	}
}

/* Until nothing is ready. */
static void loop_pump(void)
{
	struct epoll_event ev[BATCH];
	int round, n;

	for (round = 0; round < 100 && (n = loop_take(ev)) > 0; round++)
		loop_run(ev, n);
}

/* A guest connection from gport to the host listener lfd: its host end. */
static int guest_conn(int lfd, u32 gport, u32 hport)
{
	tx(VSOCK_OP_REQUEST, gport, hport, 0, 0, NULL, 0);
	if (!rx_expect(VSOCK_OP_RESPONSE, gport, 100))
		return -1;
	return accept(lfd, NULL, NULL);
}

/*
 * Connection A's host end closes (unread bytes: also an error); the
 * batch with its event is taken; then, as the transmit queue's handler
 * earlier in the same batch would, the guest resets A and connects B.
 */
static int stale_batch(int lfd, bool unread, u32 ga, u32 gb, int *fdb)
{
	struct epoll_event ev[BATCH];
	int fda = guest_conn(lfd, ga, 2100), n;

	if (fda < 0)
		return -1;
	if (unread)
		tx(VSOCK_OP_RW, ga, 2100, 0, 0, "x", 1);
	loop_pump();
	close(fda);
	n = loop_take(ev);	/* with A's event, not run yet */
	tx(VSOCK_OP_RST, ga, 2100, 0, 0, NULL, 0);
	*fdb = guest_conn(lfd, gb, 2100);
	loop_run(ev, n);
	loop_pump();
	return n;
}

static void test_stale_error(int lfd)
{
	int fdb = -1, n = stale_batch(lfd, true, 7600, 7601, &fdb);
	bool rst = false;

	while (rx_next(&P, 50))
		rst |= P.h.op == VSOCK_OP_RST && P.h.dst_port == 7601;
	ok(n > 0 && fdb >= 0 && !rst && stats().nr_conns == 1,
	   "an error on a closed connection's socket, in the batch that opened the next: the next one stays (%d events)",
	   n);
	tx(VSOCK_OP_RST, 7601, 2100, 0, 0, NULL, 0);
	if (fdb >= 0)
		close(fdb);
	loop_pump();
}

static void test_stale_hup(int lfd)
{
	int fdb = -1, n = stale_batch(lfd, false, 7602, 7603, &fdb);
	u32 flags = 0;

	if (fdb >= 0)
		shutdown(fdb, SHUT_WR);
	loop_pump();
	while (rx_next(&P, 50))
		if (P.h.op == VSOCK_OP_SHUTDOWN && P.h.dst_port == 7603)
			flags = P.h.flags;
	ok(n > 0 && fdb >= 0 && flags == VSOCK_SHUTDOWN_SEND,
	   "a hang-up of a closed connection's socket, in the batch that opened the next: the next one's half close stays one (SHUTDOWN flags %u)",
	   flags);
	tx(VSOCK_OP_RST, 7603, 2100, 0, 0, NULL, 0);
	if (fdb >= 0)
		close(fdb);
	loop_pump();
}

/*
 * A reset on a vCPU closes every connection without waiting for the I/O
 * thread (io_loop_del_nowait()): a batch it took before may still hold
 * an event of one. A host program's connection accepted earlier in that
 * batch takes the freed slot (a table of one); the old connection's
 * error then reaches the new one, which must stay.
 */
static void test_stale_after_reset(void)
{
	struct epoll_event ev[BATCH];
	int lfd, fda, hc, n;
	bool eof;

	setup_loop(1, 300, 0, false);
	lfd = host_listen(2100);
	fda = guest_conn(lfd, 7620, 2100);
	tx(VSOCK_OP_RW, 7620, 2100, 0, 0, "x", 1);	/* left unread */
	loop_pump();
	hc = host_socket(sock);		/* the listener's event first */
	if (fda >= 0)
		close(fda);		/* then the connection's error */
	n = loop_take(ev);
	virtio_set_status(virtio_vsock_vdev(V), 0);
	loop_run(ev, n);
	loop_pump();
	eof = host_eof(hc, 50);
	ok(fda >= 0 && n == 2 && !eof && stats().nr_conns == 1,
	   "an error of a connection a reset closed, in a batch taken before: the host connection accepted into its slot stays (%d events%s)",
	   n, eof ? ", closed" : "");
	close(hc);
	close(lfd);
	teardown();
	remove_dir();
}

int main(void)
{
	char why[200] = "";
	int lfd;

	log_set_level(LOG_ERROR);
	setup_loop(64, 300, 0, false);
	lfd = host_listen(2100);
	test_stale_error(lfd);
	test_stale_hup(lfd);
	ok(!virtio_vsock_check(V, why, sizeof(why)) &&
	   stats().nr_conns == 0,
	   "the device's own invariants hold, no connection left %s", why);
	close(lfd);
	teardown();
	remove_dir();
	test_stale_after_reset();
	return tap_done();
}
