// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: TCP throughput through lkvm's user-mode network (libslirp,
 * devices/net-slirp.c) between a host socket and a guest-side socket, in
 * a network namespace this program makes. The guest's TCP stack is the
 * kernel's, behind a tap with the guest's address (192.168.33.15/24):
 * this program is the driver between them, on one thread, moving each
 * frame the tap gives into a transmit buffer of the virtio-net device and
 * each frame the device receives from libslirp into the tap. Two figures,
 * each over BENCH_SECONDS (1): the guest side sending to a server on the
 * namespace's loopback through the gateway (192.168.33.1), and the host
 * sending to the guest side through a hostfwd rule. The tap and the
 * kernel's stack are in the path too: these are lower bounds for the
 * device and libslirp.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TH_MAXQ 3
#include "log.h"
#include "virtio/net.h"
#include "virtio-pci-drv.h"

#define QSIZE 256
#define F(b) VIRTIO_BIT(VIRTIO_NET_F_##b)
#define GUEST_IP "192.168.33.15"
#define GATEWAY_IP "192.168.33.1"
#define BUF 0x800
#define NR_RX 128
#define NR_TX 64
#define RX_AREA TH_BUFS
#define TX_AREA (TH_BUFS + NR_RX * BUF)
#define FWD_PORT 5555
#define GUEST_PORT 5001
#define HOST_PORT 5002

struct bench {
	struct th t;
	struct virtio_pci vp;
	struct virtio_net *net;
	struct net_backend *user, *tap;
	u64 rx_addr[NR_RX];
	unsigned int rx_posted, rx_done, tx_posted, tx_done;
	double secs;
};

/* One TCP flow: a sender thread, a receiver thread. */
struct flow {
	int listen_fd;			/* the receiver's */
	struct sockaddr_in to;		/* where the sender connects */
	struct sockaddr_in from;	/* and from (port 0: any) */
	double secs;
	unsigned long long bytes;
	double t0, t1;
	int failed;
	int done;			/* atomic: the receiver's end */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sender(void *arg)
{
	static char data[65536];
	struct flow *f = arg;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	double end;

	if (s < 0 || bind(s, (struct sockaddr *)&f->from, sizeof(f->from)) ||
	    connect(s, (struct sockaddr *)&f->to, sizeof(f->to))) {
		f->failed = errno ? errno : EIO;
		if (s >= 0)
			close(s);
		return NULL;
	}
	end = now() + f->secs;
	while (now() < end)
		if (send(s, data, sizeof(data), 0) < 0)
			break;
	close(s);
	return NULL;
}

static void *receiver(void *arg)
{
	static char buf[65536];
	struct flow *f = arg;
	struct pollfd pfd = { .fd = f->listen_fd, .events = POLLIN };
	ssize_t r;
	int c;

	if (poll(&pfd, 1, 10000) != 1) {
		f->failed = ETIMEDOUT;
		__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	c = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	f->t0 = now();
	while (c >= 0 && (r = recv(c, buf, sizeof(buf), 0)) > 0)
		f->bytes += (unsigned long long)r;
	f->t1 = now();
	if (c >= 0)
		close(c);
	else
		f->failed = errno;
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void rx_post(struct bench *b, u64 addr)
{
	b->rx_addr[b->rx_posted++ % NR_RX] = addr;
	th_post(&b->t, 0, addr, BUF, true);
}

/*
 * One round of the driver: frames the device received from libslirp
 * into the tap, frames from the tap into the device's transmit queue.
 * It waits at most 1 ms: with 10, the figures fell by half (a wake-up
 * this single-threaded driver does not see, as an I/O thread would).
 */
static void drive(struct bench *b)
{
	struct pollfd pfd[2] = {
		{ .fd = b->tap->fds[0], .events = POLLIN },
		{ .fd = b->user->fds[0], .events = POLLIN },
	};
	u32 len;
	ssize_t n;

	if (b->tx_posted - b->tx_done >= NR_TX)
		pfd[0].events = 0;
	/* Frames held for a full backend: wait until it takes more. */
	if (b->tx_posted != b->tx_done)
		pfd[1].events |= POLLOUT;
	poll(pfd, 2, 1);
	virtio_net_backend_ready(b->net, 0, EPOLLIN | EPOLLOUT);
	while (th_used(&b->t, 0, &len)) {
		u64 a = b->rx_addr[b->rx_done++ % NR_RX];

		/* The tap takes the same 12-byte header. */
		if (write(b->tap->fds[0], th_hva(&b->t, a), len) < 0 &&
		    errno != EAGAIN)
			abort();
		rx_post(b, a);
	}
	while (th_used(&b->t, 1, &len))
		b->tx_done++;
	while (b->tx_posted - b->tx_done < NR_TX) {
		u64 a = TX_AREA + (u64)(b->tx_posted % NR_TX) * BUF;
		u8 *p = th_hva(&b->t, a);

		n = read(b->tap->fds[0], p, BUF);
		if (n <= NET_HDR_LEN)
			break;
		memset(p, 0, NET_HDR_LEN);
		b->tx_posted++;
		th_post(&b->t, 1, a, (u32)n, false);
		while (th_used(&b->t, 1, &len))
			b->tx_done++;
	}
}

static int listener(const char *ip, u16 port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	inet_pton(AF_INET, ip, &a.sin_addr);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
		abort();
	return s;
}

static void run_flow(struct bench *b, const char *what, const char *lip,
		     u16 lport, const char *from, const char *to, u16 port)
{
	struct flow f = { .secs = b->secs };
	pthread_t ts, tr;
	double t;

	f.listen_fd = listener(lip, lport);
	f.from.sin_family = AF_INET;
	inet_pton(AF_INET, from, &f.from.sin_addr);
	f.to.sin_family = AF_INET;
	f.to.sin_port = htons(port);
	inet_pton(AF_INET, to, &f.to.sin_addr);
	if (pthread_create(&tr, NULL, receiver, &f) ||
	    pthread_create(&ts, NULL, sender, &f))
		abort();
	while (!__atomic_load_n(&f.done, __ATOMIC_ACQUIRE))
		drive(b);
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	close(f.listen_fd);
	t = f.t1 - f.t0;
	if (f.failed || !f.bytes || t <= 0) {
		printf("# %s: failed (%s)\n", what, strerror(f.failed));
		return;
	}
	printf("%-44s %8.1f MiB in %.2f s  %7.3f Gbit/s\n", what,
	       f.bytes / 1048576.0, t, f.bytes * 8 / t / 1e9);
}

static int lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	r = s < 0 || ioctl(s, SIOCSIFFLAGS, &ifr) ? -1 : 0;
	if (s >= 0)
		close(s);
	return r;
}

int main(void)
{
	static struct bench b;
	struct net_hostfwd fwd = { .host_port = FWD_PORT,
				   .guest_port = GUEST_PORT };
	struct net_user_options uo = { .fwd = &fwd, .nr_fwd = 1 };
	struct net_tap_options to = { .ifname = "lkvmsb0", .fd = -1,
				      .queues = 1, .host_ip = GUEST_IP };
	struct virtio_net_options o = { .pairs = 1, .queue_size = QSIZE };
	const char *env = getenv("BENCH_SECONDS");
	struct ifreq ifr;
	char err[256];
	unsigned int i;
	int s;

	log_set_level(LOG_ERROR);
	b.secs = env && atof(env) > 0 ? atof(env) : 1.0;
	if (!net_user_available()) {
		printf("# libslirp bench skipped: lkvm built without libslirp\n");
		return 0;
	}
	if (unshare(CLONE_NEWNET) || lo_up()) {
		printf("# libslirp bench skipped: no network namespace: %s\n",
		       strerror(errno));
		return 0;
	}
	if (net_tap_open(&b.tap, &to, err, sizeof(err))) {
		printf("# libslirp bench skipped: %s\n", err);
		return 0;
	}
	fwd.host_addr.s_addr = htonl(INADDR_LOOPBACK);
	inet_pton(AF_INET, GATEWAY_IP, &uo.host);
	inet_pton(AF_INET, GUEST_IP, &uo.guest);
	if (net_user_open(&b.user, &uo, err, sizeof(err))) {
		printf("# libslirp bench skipped: %s\n", err);
		net_backend_close(b.tap);
		return 0;
	}
	/* The device's address is the tap's: the guest stack's own. */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lkvmsb0");
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		abort();
	close(s);
	memcpy(o.mac, ifr.ifr_hwaddr.sa_data, 6);
	th_init(&b.t);
	if (virtio_net_create(&b.net, &b.t.mem, "virtio-net.0", b.user, &o,
			      err, sizeof(err)) ||
	    virtio_pci_init(&b.vp, virtio_net_vdev(b.net), &b.t.host,
			    &b.t.intx) ||
	    !th_find(&b.t, VIRTIO_ID_NET) ||
	    !(th_negotiate(&b.t, F(MRG_RXBUF)) & VIRTIO_STATUS_FEATURES_OK))
		abort();
	th_queue(&b.t, 0, QSIZE, VIRTIO_MSI_NO_VECTOR);
	th_queue(&b.t, 1, QSIZE, VIRTIO_MSI_NO_VECTOR);
	th_queue(&b.t, 2, 64, VIRTIO_MSI_NO_VECTOR);
	th_driver_ok(&b.t);
	for (i = 0; i < NR_RX; i++)
		rx_post(&b, RX_AREA + (u64)i * BUF);

	run_flow(&b, "libslirp TCP guest -> host (gateway)", "127.0.0.1",
		 HOST_PORT, GUEST_IP, GATEWAY_IP, HOST_PORT);
	run_flow(&b, "libslirp TCP host -> guest (hostfwd)", GUEST_IP,
		 GUEST_PORT, "127.0.0.1", "127.0.0.1", FWD_PORT);

	virtio_pci_destroy(&b.vp);
	virtio_net_destroy(b.net);
	th_fini(&b.t);
	net_backend_close(b.tap);
	return 0;
}
