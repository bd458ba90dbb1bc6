/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net on the fake backend (net-fake.h) behind virtio-pci, found by
 * the tests' PCI driver (virtio-pci-drv.h): the bring-up the tests that
 * drive virtio-net's queues share. Apart from net-fake.h, which the
 * network tools' tests use without a PCI bus.
 */
#ifndef LKVM_TEST_NET_FAKE_PCI_H
#define LKVM_TEST_NET_FAKE_PCI_H

#include "net-fake.h"
#include "virtio/net.h"
#include "virtio-pci-drv.h"

/*
 * A fresh t (th_init()) with vp, a one-pair virtio-net of MAC
 * 02:00:00:00:00:00 on f (net_fake_init(f, sock)) whose I/O runs in
 * loop, found on t's bus; the device, not yet negotiated. Aborts on any
 * failure.
 */
static inline struct virtio_net *net_fake_pci(struct th *t,
					      struct virtio_pci *vp,
					      struct net_fake *f, bool sock,
					      struct io_loop *loop)
{
	struct virtio_net_options o = { .mac = { 2 }, .pairs = 1,
					.loop = loop };
	struct virtio_net *net;
	char err[256];

	net_fake_init(f, sock);
	th_init(t);
	if (virtio_net_create(&net, &t->mem, "virtio-net.0", &f->be, &o, err,
			      sizeof(err)) ||
	    virtio_pci_init(vp, virtio_net_vdev(net), &t->host, &t->intx) ||
	    !th_find(t, VIRTIO_ID_NET))
		abort();
	return net;
}

#endif
