/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test driver for virtio/vsock.c (tests/unit/virtio-vsock.c and the
 * bench, tests/vsock/vsock-bench.c): the device on the virtio-pci test
 * harness with a real I/O loop, its queues driven as a guest driver does
 * (64 receive buffers of 4 KiB, transmit packets of up to 4 KiB), and
 * host-side UNIX socket helpers.
 */
#ifndef LKVM_TESTS_VIRTIO_VSOCK_DRV_H
#define LKVM_TESTS_VIRTIO_VSOCK_DRV_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#define TH_MAXQ 3
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

static inline u64 ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

/*
 * The device on the harness; with start, the I/O loop's thread serves
 * its handlers, else the test runs them (and the device's transmit work
 * runs where the test notifies).
 */
static inline int setup_loop(unsigned int max_conns, unsigned int timeout_ms,
			     u32 buf, bool start)
{
	struct virtio_vsock_options o = {
		.guest_cid = CID, .path = sock, .loop = &L,
		.max_conns = max_conns, .timeout_ms = timeout_ms,
		.buf_alloc = buf,
	};
	char msg[256];
	unsigned int i;

	/* The host side writes to sockets the device may have closed. */
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/lkvm-vsock-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(sock, sizeof(sock), "%s/v.sock", dir);
	th_init(&T);
	if (io_loop_init(&L) || (start && io_loop_start(&L)))
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

static inline int setup(unsigned int max_conns, unsigned int timeout_ms,
			u32 buf)
{
	return setup_loop(max_conns, timeout_ms, buf, true);
}

static inline void teardown(void)
{
	io_loop_stop(&L);
	virtio_pci_destroy(&VP);
	virtio_vsock_destroy(V);
	io_loop_destroy(&L);
	th_fini(&T);
}

/* Remove dir with the SOCK_P listeners' sockets left in it. */
static inline void remove_dir(void)
{
	struct dirent *e;
	char p[PATH_MAX];
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static inline struct virtio_vsock_stats stats(void)
{
	struct virtio_vsock_stats st;

	virtio_vsock_get_stats(V, &st);
	return st;
}

/* CPU time the I/O thread used in the next window_ms, in ms. */
static inline u64 io_cpu_ms(unsigned int window_ms)
{
	struct timespec a, b;
	clockid_t cid;

	if (pthread_getcpuclockid(L.thread, &cid) ||
	    clock_gettime(cid, &a))
		abort();
	usleep(window_ms * 1000);
	if (clock_gettime(cid, &b))
		abort();
	return ((u64)b.tv_sec * 1000 + (u64)b.tv_nsec / 1000000) -
	       ((u64)a.tv_sec * 1000 + (u64)a.tv_nsec / 1000000);
}

/* The next used receive buffer, reposted; false after timeout_ms. */
static inline bool rx_next(struct pkt *p, int timeout_ms)
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

static inline bool rx_expect(u16 op, u32 gport, int timeout_ms)
{
	if (!rx_next(&P, timeout_ms)) {
		P.h.op = 0xfffe;
		return false;
	}
	return P.h.op == op && P.h.dst_port == gport &&
	       P.h.src_cid == VSOCK_HOST_CID && P.h.dst_cid == CID &&
	       P.h.type == VSOCK_TYPE_STREAM;
}

static inline void tx_raw(const void *buf, u32 len)
{
	struct th_queue *q = &T.q[1];
	u64 gpa = TXSLOT(q->avail_idx % q->size);

	u64 end;

	memcpy(th_hva(&T, gpa), buf, len);
	th_post(&T, 1, gpa, len, false);
	/* The I/O thread takes it: the slot is not reused before. */
	end = ms() + 2000;
	while (q->last_used != q->avail_idx && ms() < end)
		if (!th_used(&T, 1, NULL))
			sched_yield();
}

/* A packet from the guest's port gport to the host's hport. */
static inline void tx_credit(u16 op, u32 gport, u32 hport, u32 flags,
			     u32 buf_alloc, u32 fwd, const void *data, u32 len)
{
	u8 b[VSOCK_HDR_LEN + 4096];
	struct vsock_hdr h = {
		.src_cid = CID, .dst_cid = VSOCK_HOST_CID,
		.src_port = gport, .dst_port = hport, .len = len,
		.type = VSOCK_TYPE_STREAM, .op = op, .flags = flags,
		.buf_alloc = buf_alloc, .fwd_cnt = fwd,
	};

	vsock_hdr_encode(&h, b);
	if (len)
		memcpy(b + VSOCK_HDR_LEN, data, len);
	tx_raw(b, VSOCK_HDR_LEN + len);
}

/* The same with the test guest's buffer of GBUF bytes. */
static inline void tx(u16 op, u32 gport, u32 hport, u32 flags, u32 fwd,
		      const void *data, u32 len)
{
	tx_credit(op, gport, hport, flags, GBUF, fwd, data, len);
}

static inline int host_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	return fd;
}

static inline int host_listen(u32 port)
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
static inline int read_line(int fd, char *buf, size_t len,
			    int timeout_ms)
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
static inline bool host_eof(int fd, int timeout_ms)
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
static inline int host_to_guest(u32 gport, u32 *hport)
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

#endif
