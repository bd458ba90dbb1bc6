// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: virtio-vsock's packet path (virtio/vsock.c and
 * virtio/vsock-host.c) with real host UNIX sockets, single-threaded: the
 * I/O loop's handlers are run here after every step. The input is a story
 * of records: a guest packet (header and payload fuzz-controlled, over 1
 * or 2 descriptors), a host program connecting with a CONNECT line (or
 * junk), a host listener on SOCK_P accepting, host writes, reads, half
 * and full closes, receive buffers of fuzz-chosen sizes, a device reset.
 *
 * Invariants (a report and abort() when broken):
 *  - the device's own (virtio_vsock_check()): connections never beyond
 *    the bound and counted right, no key twice, host-bound bytes within
 *    buf_alloc, credit never beyond the guest's buffer;
 *  - every packet to the guest comes from CID 2 to the guest's CID, its
 *    used length is its header plus its len and fits the buffer;
 *  - the device never sends a connection more data than the guest's
 *    credit allows: bytes sent since the connection began, less the
 *    guest's last fwd_cnt, within its last buf_alloc;
 *  - every transmit chain comes back at once; well-formed rings never make
 *    the device ask for a reset;
 *  - the I/O loop goes quiet: no fd stays ready while its handler makes
 *    no progress (a spin of the level-triggered loop);
 *  - no fd leaks: after each input, its device and loop destroyed, the
 *    process has the fds it had before.
 *
 * Input: records of u8 kind (low 3 bits), u8 arg, u16 length (le), then
 * that many bytes.
 */
#include <endian.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "unaligned.h"
#include "virtio/vsock.h"

#define RAM_GPA		0x10000ULL
#define RAM_SIZE	0x100000ULL
#define QS		32
#define QAREA(q)	(RAM_GPA + 0x2000ULL * (q))
#define RXBUF(s)	(RAM_GPA + 0x10000ULL + 0x1100ULL * (s))
#define TXBUF		(RAM_GPA + 0x40000ULL)
#define CID		3
#define MAX_CONNS	8
#define NHOST		8
#define NKEYS		64

static u8 *ram;
static struct guest_mem mem;
static char dir[64], sock[96];

struct key {
	u32 hport, gport;
	u32 sent, fwd, alloc;
	bool used;
};

static struct {
	struct virtio_vsock *v;
	struct virtio_device *vdev;
	struct io_loop loop;
	u16 avail[3], used[3];
	u32 rxlen[QS];
	int host[NHOST];
	int lfd[4];
	struct key keys[NKEYS];
} S;

static void *hva(u64 gpa)
{
	return ram + (gpa - RAM_GPA);
}

static void die(const char *fmt, const char *a)
{
	fprintf(stderr, "vsock-tx: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\n");
	abort();
}

static void sig_used(struct virtio_device *vdev, struct virtq *vq)
{
}

static void sig_config(struct virtio_device *vdev)
{
}

static const struct virtio_transport_ops tops = {
	.name = "fuzz", .signal_used = sig_used, .signal_config = sig_config,
};

static void desc(unsigned int q, u16 i, u64 addr, u32 len, u16 flags,
		 u16 next)
{
	u8 *d = hva(QAREA(q) + 16ULL * i);

	put_le64(d, addr);
	put_le32(d + 8, len);
	put_le16(d + 12, flags);
	put_le16(d + 14, next);
}

static void avail(unsigned int q, u16 head)
{
	u64 a = QAREA(q) + 0x1000;

	put_le16(hva(a + 4 + 2 * (S.avail[q] % QS)), head);
	S.avail[q]++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	put_le16(hva(a + 2), S.avail[q]);
}

static bool used(unsigned int q, u32 *id, u32 *len)
{
	u64 u = QAREA(q) + 0x1800;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (get_le16(hva(u + 2)) == S.used[q])
		return false;
	*id = get_le32(hva(u + 4 + 8 * (S.used[q] % QS)));
	*len = get_le32(hva(u + 8 + 8 * (S.used[q] % QS)));
	S.used[q]++;
	return true;
}

static void driver_up(void)
{
	unsigned int q;

	memset(S.avail, 0, sizeof(S.avail));
	memset(S.used, 0, sizeof(S.used));
	memset(ram, 0, RAM_SIZE);
	virtio_set_status(S.vdev, 0);
	virtio_set_status(S.vdev, VIRTIO_STATUS_ACKNOWLEDGE |
			  VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(S.vdev, 1, 1);	/* VERSION_1 */
	virtio_set_status(S.vdev, VIRTIO_STATUS_ACKNOWLEDGE |
			  VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	for (q = 0; q < 3; q++) {
		virtio_queue_set_size(S.vdev, q, QS);
		virtio_queue_set_addr(S.vdev, q, VIRTIO_AREA_DESC, QAREA(q));
		virtio_queue_set_addr(S.vdev, q, VIRTIO_AREA_DRIVER,
				      QAREA(q) + 0x1000);
		virtio_queue_set_addr(S.vdev, q, VIRTIO_AREA_DEVICE,
				      QAREA(q) + 0x1800);
		virtio_queue_set_ready(S.vdev, q, true);
	}
	virtio_set_status(S.vdev, VIRTIO_STATUS_ACKNOWLEDGE |
			  VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
			  VIRTIO_STATUS_DRIVER_OK);
	memset(S.keys, 0, sizeof(S.keys));
}

static struct key *key(u32 hport, u32 gport)
{
	unsigned int i, h = (hport * 31 + gport) % NKEYS;

	for (i = 0; i < NKEYS; i++) {
		struct key *k = &S.keys[(h + i) % NKEYS];

		if (!k->used) {
			k->used = true;
			k->hport = hport;
			k->gport = gport;
			return k;
		}
		if (k->hport == hport && k->gport == gport)
			return k;
	}
	return NULL;	/* full: this key is not modelled */
}

/* Up to n receive buffers of size len (at least 1), while room. */
static void post_rx(unsigned int n, u32 len)
{
	while (n-- && (u16)(S.avail[0] - S.used[0]) < QS) {
		u16 slot = S.avail[0] % QS;

		len = len ? MIN(len, 0x1100u) : 1;
		S.rxlen[slot] = len;
		desc(0, slot, RXBUF(slot), len, VIRTQ_DESC_F_WRITE, 0);
		avail(0, slot);
	}
	virtio_queue_notify(S.vdev, 0);
}

static void check_rx(void)
{
	struct vsock_hdr h;
	u32 id, len;
	char why[160];

	while (used(0, &id, &len)) {
		struct key *k;

		if (id >= QS)
			die("receive id %s out of range", "");
		if (len > S.rxlen[id])
			die("used length beyond the buffer%s", "");
		if (!len)
			continue;
		if (len < VSOCK_HDR_LEN)
			die("a packet shorter than its header%s", "");
		vsock_hdr_decode(&h, hva(RXBUF(id)));
		if (h.src_cid != VSOCK_HOST_CID || h.dst_cid != CID ||
		    h.len != len - VSOCK_HDR_LEN)
			die("a packet with bad addresses or length%s", "");
		k = key(h.src_port, h.dst_port);
		if (!k)
			continue;
		if (h.op == VSOCK_OP_REQUEST) {
			k->sent = k->fwd = k->alloc = 0;
		} else if (h.op == VSOCK_OP_RW) {
			k->sent += h.len;
			if (k->sent - k->fwd > k->alloc) {
				snprintf(why, sizeof(why),
					 "%u:%u: %u bytes sent, guest fwd %u, buf_alloc %u",
					 h.src_port, h.dst_port, k->sent,
					 k->fwd, k->alloc);
				die("beyond the guest's credit: %s", why);
			}
		}
		/* Give the buffer back at once (in order). */
		post_rx(1, S.rxlen[id]);
	}
}

/* A guest packet: header fields from the bytes, payload after them. */
static void guest_packet(u8 arg, const u8 *p, u16 n)
{
	u8 raw[VSOCK_HDR_LEN] = { 0 };
	struct vsock_hdr h;
	u32 total, split, id, len;
	struct key *k;

	memcpy(raw, p, MIN((size_t)n, sizeof(raw)));
	vsock_hdr_decode(&h, raw);
	/* Mostly well addressed, to reach past the first checks. */
	if (!(arg & 1)) {
		h.src_cid = CID;
		h.dst_cid = VSOCK_HOST_CID;
		h.type = VSOCK_TYPE_STREAM;
		h.src_port %= 4;
		h.dst_port = h.dst_port % 4 ? h.dst_port % 4 : 1u << 30;
		h.op = h.op % 8;
		h.len = n > VSOCK_HDR_LEN ? n - VSOCK_HDR_LEN : 0;
		if (h.op != VSOCK_OP_RW)
			h.len = 0;
		h.buf_alloc %= 1u << 20;
	}
	total = VSOCK_HDR_LEN + (n > VSOCK_HDR_LEN ? n - VSOCK_HDR_LEN : 0);
	if (arg & 2)
		total = MIN(total, (u32)n);	/* maybe short */
	vsock_hdr_encode(&h, raw);
	memcpy(hva(TXBUF), raw, sizeof(raw));
	if (n > VSOCK_HDR_LEN)
		memcpy(hva(TXBUF + VSOCK_HDR_LEN), p + VSOCK_HDR_LEN,
		       n - VSOCK_HDR_LEN);
	split = (arg >> 2) % (total + 1);
	if (split && split < total) {
		desc(1, 0, TXBUF, split, VIRTQ_DESC_F_NEXT, 1);
		desc(1, 1, TXBUF + split, total - split, 0, 0);
	} else {
		desc(1, 0, TXBUF, total ? total : 1, 0, 0);
	}
	/* The model: what the device takes as this connection's credit. */
	k = h.src_cid == CID && h.dst_cid == VSOCK_HOST_CID &&
	    h.type == VSOCK_TYPE_STREAM && h.len <= VSOCK_MAX_PAYLOAD &&
	    total == VSOCK_HDR_LEN + h.len &&
	    (!h.len || h.op == VSOCK_OP_RW) ?
	    key(h.dst_port, h.src_port) : NULL;
	if (k) {
		if (h.op == VSOCK_OP_REQUEST)
			k->sent = 0;
		k->fwd = h.fwd_cnt;
		k->alloc = h.buf_alloc;
	}
	avail(1, 0);
	virtio_queue_notify(S.vdev, 1);
	if (!used(1, &id, &len) || id != 0)
		die("a transmit chain not returned at once%s", "");
}

static int host_slot(void)
{
	unsigned int i;

	for (i = 0; i < NHOST; i++)
		if (S.host[i] < 0)
			return (int)i;
	return -1;
}

static void host_connect(u8 arg, const u8 *p, u16 n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int i = host_slot(), fd;
	char line[40];

	if (i < 0)
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	if (arg & 1) {
		if (write(fd, p, n) < 0)
			;
	} else {
		int l = snprintf(line, sizeof(line), "CONNECT %u\n", arg >> 1);

		if (write(fd, line, (size_t)l) < 0)
			;
	}
	S.host[i] = fd;
}

static void host_listen(u8 arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned int p = arg % 4;
	int i, fd;

	if (S.lfd[p] < 0) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", sock, p);
		unlink(sa.sun_path);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    listen(fd, 4)) {
			if (fd >= 0)
				close(fd);
			return;
		}
		S.lfd[p] = fd;
	}
	while ((i = host_slot()) >= 0) {
		fd = accept4(S.lfd[p], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		S.host[i] = fd;
	}
}

static void host_io(u8 arg, const u8 *p, u16 n)
{
	int *fd = &S.host[arg % NHOST];
	static u8 buf[65536];

	if (*fd < 0)
		return;
	switch ((arg >> 3) % 4) {
	case 0:
		if (write(*fd, p, n) < 0)
			;
		break;
	case 1:
		while (read(*fd, buf, sizeof(buf)) > 0)
			;
		break;
	case 2:
		shutdown(*fd, (arg >> 5) % 3);
		break;
	default:
		close(*fd);
		*fd = -1;
	}
}

/*
 * What the I/O thread would do now, until nothing is ready. Still busy
 * after LOOP_ROUNDS rounds: an fd that stays ready while its handler
 * makes no progress, the level-triggered loop spinning.
 */
#define LOOP_ROUNDS 1000

static void run_loop(void)
{
	struct epoll_event ev[32];
	int round, i, n;

	for (round = 0; round < LOOP_ROUNDS; round++) {
		n = epoll_wait(S.loop.epoll_fd, ev, 32, 0);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			struct io_handler *h = ev[i].data.ptr;

			if (h)
				h->fn(h, ev[i].events);
		}
		check_rx();
	}
	die("the I/O loop never goes quiet: a handler spins%s", "");
}

static void setup(void)
{
	struct virtio_vsock_options o = {
		.guest_cid = CID, .path = sock, .loop = &S.loop,
		.max_conns = MAX_CONNS, .timeout_ms = 50,
		.buf_alloc = 16384,
	};
	char msg[256];
	unsigned int i;

	if (io_loop_init(&S.loop) ||
	    virtio_vsock_create(&S.v, &mem, "virtio-vsock.0", &o, msg,
				sizeof(msg)))
		die("cannot make the device: %s", msg);
	S.vdev = virtio_vsock_vdev(S.v);
	virtio_device_set_transport(S.vdev, &tops, NULL);
	for (i = 0; i < NHOST; i++)
		S.host[i] = -1;
	for (i = 0; i < 4; i++)
		S.lfd[i] = -1;
	driver_up();
	post_rx(QS, 0x1100);
}

static void teardown(void)
{
	unsigned int i;
	char p[128];

	for (i = 0; i < NHOST; i++)
		if (S.host[i] >= 0)
			close(S.host[i]);
	for (i = 0; i < 4; i++) {
		if (S.lfd[i] < 0)
			continue;
		close(S.lfd[i]);
		snprintf(p, sizeof(p), "%s_%u", sock, i);
		unlink(p);
	}
	virtio_vsock_destroy(S.v);
	io_loop_destroy(&S.loop);
}

static void remove_dir(void)
{
	rmdir(dir);
}

/* The process's open fds (-1 if /proc/self/fd cannot be read). */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	signal(SIGPIPE, SIG_IGN);	/* the host side writes to closed ends */
	snprintf(dir, sizeof(dir), "/tmp/lkvm-vsock-fuzz-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(sock, sizeof(sock), "%s/v.sock", dir);
	atexit(remove_dir);
	ram = calloc(1, RAM_SIZE);
	if (!ram || guest_mem_add(&mem, RAM_GPA, RAM_SIZE, ram, false))
		abort();
	log_set_level(LOG_ERROR + (getenv("VSOCK_FUZZ_LOG") ? 3 : 0));
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char why[200];
	size_t off = 0;
	int fds = open_fds(), left;

	setup();
	while (off + 4 <= size) {
		u8 kind = data[off] & 7, arg = data[off + 1];
		u16 n = get_le16(data + off + 2);

		off += 4;
		n = (u16)MIN((size_t)n, size - off);
		switch (kind) {
		case 0:
		case 1:
			guest_packet(arg, data + off, n);
			break;
		case 2:
			host_connect(arg, data + off, n);
			break;
		case 3:
			host_listen(arg);
			break;
		case 4:
		case 5:
			host_io(arg, data + off, n);
			break;
		case 6:
			post_rx(arg % 8 + 1, n ? n : 0x1100);
			break;
		default:
			driver_up();
			post_rx(QS, 0x1100);
			break;
		}
		off += n;
		run_loop();
		check_rx();
		if (virtio_vsock_check(S.v, why, sizeof(why)))
			die("device invariant: %s", why);
		if (virtio_get_status(S.vdev) &
		    VIRTIO_STATUS_DEVICE_NEEDS_RESET)
			die("well-formed rings made the device ask for a reset%s",
			    "");
	}
	teardown();
	left = open_fds();
	if (fds >= 0 && left != fds) {
		snprintf(why, sizeof(why), "%d fds before, %d after", fds,
			 left);
		die("fds leaked: %s", why);
	}
	return 0;
}
