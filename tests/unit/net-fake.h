/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtio-net backend for unit tests: one end of a datagram socketpair,
 * used as a tap's fd (sock false) or as the user-mode backend's socket
 * (sock true); the test holds the other end, peer.
 */
#ifndef LKVM_TEST_NET_FAKE_H
#define LKVM_TEST_NET_FAKE_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net-backend.h"

struct net_fake {
	struct net_backend be;
	int peer;
};

static void net_fake_close(struct net_backend *be)
{
	struct net_fake *f = (struct net_fake *)be;

	close(be->fds[0]);
	close(f->peer);
}

static const struct net_backend_ops net_fake_ops = {
	.name = "fake",
	.close = net_fake_close,
};

/* f as a one-queue backend over a new socketpair (aborts without one). */
static inline void net_fake_init(struct net_fake *f, bool sock)
{
	int sv[2];

	memset(f, 0, sizeof(*f));
	f->be.ops = &net_fake_ops;
	f->be.nr_queues = 1;
	f->be.sock = sock;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
		abort();
	f->be.fds[0] = sv[0];
	f->peer = sv[1];
}

#endif
