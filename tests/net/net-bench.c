// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: frames per second and Gbit/s through lkvm's virtio-net
 * into a tap, in a network namespace this program makes, beside the same
 * tap driven directly (writev of the same frames, read of them). TX:
 * 64-byte, 1500-byte and 64 KiB TSO frames posted by a driver on this
 * thread in batches of up to 256 and kicked once per batch; RX: 64- and
 * 1500-byte UDP datagrams sent in the namespace to the guest's address,
 * drained into posted buffers. Each figure runs for BENCH_SECONDS (1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#define TH_MAXQ 3
#include "log.h"
#include "virtio/net.h"
#include "virtio-pci-drv.h"

#define QSIZE 256
#define F(b) VIRTIO_BIT(VIRTIO_NET_F_##b)
#define GUEST_IP "10.9.0.2"

static struct th T;
static struct virtio_pci VP;
static struct virtio_net *N;
static struct net_backend *BE;
static double secs = 1.0;
static const u8 GMAC[6] = { 2, 0, 0, 0, 0, 2 };
static u8 HMAC[6];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* hdr + a frame of len bytes (TCP/IPv4 for TSO) at p; total length. */
static size_t make_frame(u8 *p, size_t len, bool tso)
{
	u8 *e = p + NET_HDR_LEN, *ip = e + 14;
	u16 v;

	memset(p, 0, NET_HDR_LEN + len);
	memcpy(e, HMAC, 6);
	memcpy(e + 6, GMAC, 6);
	e[12] = 0x08;
	ip[0] = 0x45;
	v = htons((u16)(len - 14));
	memcpy(ip + 2, &v, 2);
	ip[8] = 64;
	ip[9] = tso ? 6 : 17;
	inet_pton(AF_INET, GUEST_IP, ip + 12);
	inet_pton(AF_INET, "10.9.0.77", ip + 16);	/* no one */
	if (tso) {
		p[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		p[1] = VIRTIO_NET_HDR_GSO_TCPV4;
		v = htole16(54);
		memcpy(p + 2, &v, 2);
		v = htole16(1448);
		memcpy(p + 4, &v, 2);
		v = htole16(34);
		memcpy(p + 6, &v, 2);
		v = htole16(16);
		memcpy(p + 8, &v, 2);
		ip[34 - 14 + 12] = 5 << 4;	/* TCP data offset */
	}
	return NET_HDR_LEN + len;
}

static void report(const char *what, size_t len, double frames, double t)
{
	printf("%-34s %6zu B  %10.0f frames/s  %7.2f Gbit/s\n", what, len,
	       frames / t, frames * len * 8 / t / 1e9);
}

static double direct_tx(size_t len, bool tso)
{
	static u8 buf[70000];
	size_t n = make_frame(buf, len, tso);
	struct iovec iov = { buf, n };
	double t0 = now(), t, frames = 0;

	do {
		for (int i = 0; i < 256; i++)
			if (writev(BE->fds[0], &iov, 1) == (ssize_t)n)
				frames++;
		t = now() - t0;
	} while (t < secs);
	report(tso ? "tap direct TX (TSO)" : "tap direct TX", len, frames, t);
	return frames / t;
}

static double device_tx(size_t len, bool tso)
{
	struct th_queue *tq = &T.q[1];
	size_t n = make_frame(th_hva(&T, TH_BUFS), len, tso);
	double t0 = now(), t, frames = 0;
	u32 used;
	u16 i, idx;

	/* Every descriptor: the same buffer. */
	for (i = 0; i < tq->size; i++) {
		u8 *d = th_hva(&T, tq->desc + 16 * i);
		u64 a = htole64(TH_BUFS);
		u32 l = htole32((u32)n);

		memset(d, 0, 16);
		memcpy(d, &a, 8);
		memcpy(d + 8, &l, 4);
		idx = htole16(i);
		memcpy(th_hva(&T, tq->avail + 4 + 2 * i), &idx, 2);
	}
	do {
		u16 room = (u16)(tq->size - (u16)(tq->avail_idx -
						  tq->last_used));

		tq->avail_idx += room;
		idx = htole16(tq->avail_idx);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		memcpy(th_hva(&T, tq->avail + 2), &idx, 2);
		mwr(&T, tq->notify, 2, 1);
		while (th_used(&T, 1, &used))
			frames++;
		t = now() - t0;
	} while (t < secs);
	report(tso ? "lkvm virtio-net TX (TSO)" : "lkvm virtio-net TX", len,
	       frames, t);
	return frames / t;
}

static int sock_to_guest(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, GUEST_IP, &a.sin_addr);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		abort();
	return s;
}

static void fill(int s, size_t payload, unsigned int n)
{
	static u8 data[2000];
	unsigned int i;

	for (i = 0; i < n; i++)
		if (send(s, data, payload, MSG_DONTWAIT) < 0)
			break;
}

static void direct_rx(size_t payload)
{
	static u8 buf[4096];
	double t0 = now(), t, frames = 0;
	int s = sock_to_guest();

	do {
		fill(s, payload, 128);
		while (read(BE->fds[0], buf, sizeof(buf)) > 0)
			frames++;
		t = now() - t0;
	} while (t < secs);
	report("tap direct RX", payload + 42, frames, t);
	close(s);
}

static void device_rx(size_t payload)
{
	struct th_queue *tq = &T.q[0];
	double t0 = now(), t, frames = 0;
	int s = sock_to_guest();
	u32 used;
	u16 i, idx;

	for (i = 0; i < tq->size; i++) {
		u8 *d = th_hva(&T, tq->desc + 16 * i);
		u64 a = htole64(TH_BUFS + 0x800ULL * (i % 128));
		u32 l = htole32(0x800);
		u16 fl = htole16(VIRTQ_DESC_F_WRITE);

		memset(d, 0, 16);
		memcpy(d, &a, 8);
		memcpy(d + 8, &l, 4);
		memcpy(d + 12, &fl, 2);
		idx = htole16(i);
		memcpy(th_hva(&T, tq->avail + 4 + 2 * i), &idx, 2);
	}
	do {
		u16 room = (u16)(tq->size - (u16)(tq->avail_idx -
						  tq->last_used));

		tq->avail_idx += room;
		idx = htole16(tq->avail_idx);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		memcpy(th_hva(&T, tq->avail + 2), &idx, 2);
		mwr(&T, tq->notify, 2, 0);
		fill(s, payload, 128);
		virtio_net_backend_ready(N, 0, EPOLLIN);
		while (th_used(&T, 0, &used))
			frames++;
		t = now() - t0;
	} while (t < secs);
	report("lkvm virtio-net RX", payload + 42, frames, t);
	close(s);
}

int main(void)
{
	struct net_tap_options to = { .ifname = "lkvmbench0", .fd = -1,
				      .queues = 1, .host_ip = "10.9.0.1" };
	struct virtio_net_options o = { .pairs = 1, .queue_size = QSIZE };
	struct arpreq arp;
	struct ifreq ifr;
	double d, v;
	char err[256];
	const char *env = getenv("BENCH_SECONDS");
	int s;

	log_set_level(LOG_ERROR);
	if (env && atof(env) > 0)
		secs = atof(env);
	if (unshare(CLONE_NEWNET)) {
		printf("# virtio-net bench skipped: no network namespace: %s\n",
		       strerror(errno));
		return 0;
	}
	if (net_tap_open(&BE, &to, err, sizeof(err))) {
		printf("# virtio-net bench skipped: %s\n", err);
		return 0;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lkvmbench0");
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		abort();
	memcpy(HMAC, ifr.ifr_hwaddr.sa_data, 6);
	memset(&arp, 0, sizeof(arp));
	((struct sockaddr_in *)&arp.arp_pa)->sin_family = AF_INET;
	inet_pton(AF_INET, GUEST_IP,
		  &((struct sockaddr_in *)&arp.arp_pa)->sin_addr);
	arp.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(arp.arp_ha.sa_data, GMAC, 6);
	arp.arp_flags = ATF_COM | ATF_PERM;
	snprintf(arp.arp_dev, sizeof(arp.arp_dev), "lkvmbench0");
	if (ioctl(s, SIOCSARP, &arp))
		abort();
	close(s);
	memcpy(o.mac, GMAC, 6);
	th_init(&T);
	if (virtio_net_create(&N, &T.mem, "virtio-net.0", BE, &o, err,
			      sizeof(err)) ||
	    virtio_pci_init(&VP, virtio_net_vdev(N), &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_NET) ||
	    !(th_negotiate(&T, F(CSUM) | F(HOST_TSO4) | F(MRG_RXBUF)) &
	      VIRTIO_STATUS_FEATURES_OK))
		abort();
	th_queue(&T, 0, QSIZE, VIRTIO_MSI_NO_VECTOR);
	th_queue(&T, 1, QSIZE, VIRTIO_MSI_NO_VECTOR);
	th_queue(&T, 2, 64, VIRTIO_MSI_NO_VECTOR);
	th_driver_ok(&T);

	d = direct_tx(64, false);
	v = device_tx(64, false);
	printf("# 64-byte TX: %.2f of the direct tap\n", v / d);
	d = direct_tx(1514, false);
	v = device_tx(1514, false);
	printf("# 1514-byte TX: %.2f of the direct tap (target 0.8)\n", v / d);
	d = direct_tx(65000, true);
	v = device_tx(65000, true);
	printf("# 64 KiB TSO TX: %.2f of the direct tap\n", v / d);
	direct_rx(22);
	device_rx(22);
	direct_rx(1472);
	device_rx(1472);

	virtio_pci_destroy(&VP);
	virtio_net_destroy(N);
	th_fini(&T);
	return 0;
}
