// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O thread's CPU time while a device cannot make progress and its
 * descriptor stays ready: virtio-net with frames waiting in the backend
 * and no receive buffer from the guest (a socket backend, as the
 * user-mode network's, and a file-descriptor one, as a tap's), virtio-net
 * with frames to send and a backend that takes none, the terminal's
 * input (a pipe, a file) with a sink that has no room, the terminal's
 * output with a reader that reads nothing. A readiness the handler does
 * not consume would make the thread spin: it must stay nearly idle.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include "io-loop.h"
#include "log.h"
#include "net-fake-pci.h"
#include "tap.h"
#include "term.h"
#include "term-out.h"
#include "virtio/net.h"
#include "virtio-pci-drv.h"

#define NOVEC VIRTIO_MSI_NO_VECTOR
#define WINDOW_MS 300
#define MAX_CPU_MS 60

static struct io_loop L;
static struct th T;
static struct virtio_pci VP;

/* CPU time the I/O thread used in the next window_ms, in ms. */
static unsigned int io_cpu_ms(unsigned int window_ms)
{
	struct timespec a, b;
	clockid_t cid;

	if (pthread_getcpuclockid(L.thread, &cid) || clock_gettime(cid, &a))
		abort();
	usleep(window_ms * 1000);
	if (clock_gettime(cid, &b))
		abort();
	return (unsigned int)(((u64)b.tv_sec * 1000 + (u64)b.tv_nsec / 1000000) -
			      ((u64)a.tv_sec * 1000 + (u64)a.tv_nsec / 1000000));
}

/* --- net --- */

/* One-descriptor tx frame on queue 1 at gpa, made available, no kick. */
static void tx_frame(unsigned int i, u64 gpa, u32 len)
{
	struct th_queue *tq = &T.q[1];
	u16 slot = tq->avail_idx % tq->size, v;
	u8 *d = th_hva(&T, tq->desc + 16 * slot);
	u64 a = htole64(gpa);
	u32 l = htole32(len);

	memset(d, 0, 16);
	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	v = htole16(slot);
	memcpy(th_hva(&T, tq->avail + 4 + 2 * slot), &v, 2);
	tq->avail_idx++;
	v = htole16(tq->avail_idx);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(th_hva(&T, tq->avail + 2), &v, 2);
}

static void test_net(bool sock)
{
	static struct net_fake fb;
	const char *what = sock ? "net, socket backend" : "net, fd backend";
	u8 frame[NET_HDR_LEN + 1500] = { 0 };
	struct virtio_net *net = net_fake_pci(&T, &VP, &fb, sock, &L);
	unsigned int cpu, queued = 0, i;

	th_negotiate(&T, 0);
	th_queue(&T, 0, 64, NOVEC);
	th_queue(&T, 1, 64, NOVEC);
	th_driver_ok(&T);

	/* Frames for the guest until the backend holds no more; no buffers. */
	while (send(fb.peer, frame, sizeof(frame), MSG_DONTWAIT) > 0)
		queued++;
	cpu = io_cpu_ms(WINDOW_MS);
	ok(queued && cpu < MAX_CPU_MS,
	   "%s: %u frames waiting, no receive buffer: the I/O thread used %u ms of CPU in %u ms",
	   what, queued, cpu, WINDOW_MS);

	/* The backend's peer reads nothing: fill its queue, then transmit. */
	while (send(fb.be.fds[0], frame, sizeof(frame), MSG_DONTWAIT) > 0)
		;
	for (i = 0; i < 32; i++)
		tx_frame(i, TH_BUFS + i * 0x800, sizeof(frame));
	mwr(&T, T.q[1].notify, 2, 1);
	cpu = io_cpu_ms(WINDOW_MS);
	ok(!th_used(&T, 1, NULL) && cpu < MAX_CPU_MS,
	   "%s: 32 frames to send, a backend that takes none: the I/O thread used %u ms of CPU in %u ms",
	   what, cpu, WINDOW_MS);

	io_loop_stop(&L);
	virtio_pci_destroy(&VP);
	virtio_net_destroy(net);
	if (io_loop_start(&L))
		abort();
	th_fini(&T);
}

/* --- terminal input --- */

static size_t no_room(void *opaque, const u8 *buf, size_t len)
{
	/* Counted on the I/O thread, read on the main one. */
	__atomic_fetch_add((unsigned int *)opaque, 1, __ATOMIC_RELAXED);
	return 0;
}

static void test_term_in(bool file)
{
	const char *what = file ? "terminal input, a file" :
				  "terminal input, a pipe";
	char path[] = "/tmp/lkvm-io-spin-XXXXXX";
	unsigned int calls = 0, cpu;
	struct term t;
	int p[2] = { -1, -1 }, in;

	if (file) {
		in = mkstemp(path);
		if (in < 0 || write(in, "typed ahead\n", 12) != 12 ||
		    lseek(in, 0, SEEK_SET))
			abort();
		unlink(path);
	} else {
		if (pipe(p) || write(p[1], "typed ahead\n", 12) != 12)
			abort();
		in = p[0];
	}
	if (term_init(&t, in, -1) ||
	    term_attach(&t, &L, no_room, &calls, NULL, NULL))
		abort();
	usleep(20000);
	cpu = io_cpu_ms(WINDOW_MS);
	ok(cpu < MAX_CPU_MS,
	   "%s, a sink with no room: the I/O thread used %u ms of CPU in %u ms (sink called %u times)",
	   what, cpu, WINDOW_MS, __atomic_load_n(&calls, __ATOMIC_RELAXED));
	io_loop_stop(&L);
	term_detach(&t);
	term_destroy(&t);
	if (io_loop_start(&L))
		abort();
	close(in);
	if (p[1] >= 0)
		close(p[1]);
}

/* --- terminal output --- */

static void test_term_out(bool sock)
{
	const char *what = sock ? "terminal output, a socket" :
				  "terminal output, a pipe";
	static struct term_out o;
	static u8 chunk[4096];
	unsigned int cpu;
	int p[2];

	if (sock ? socketpair(AF_UNIX, SOCK_STREAM, 0, p) : pipe(p))
		abort();
	if (term_out_init(&o, p[1]) || term_out_attach(&o, &L))
		abort();
	memset(chunk, 'x', sizeof(chunk));
	/* Nobody reads p[0]: the buffer fills, the rest waits. */
	while (term_out_write(&o, chunk, sizeof(chunk)) == sizeof(chunk))
		;
	cpu = io_cpu_ms(WINDOW_MS);
	ok(term_out_pending(&o) && cpu < MAX_CPU_MS,
	   "%s nobody reads, %zu bytes pending: the I/O thread used %u ms of CPU in %u ms",
	   what, term_out_pending(&o), cpu, WINDOW_MS);
	io_loop_stop(&L);
	term_out_detach(&o);
	term_out_destroy(&o);
	if (io_loop_start(&L))
		abort();
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (io_loop_init(&L) || io_loop_start(&L))
		abort();
	test_net(true);
	test_net(false);
	test_term_in(false);
	test_term_in(true);
	test_term_out(false);
	test_term_out(true);
	io_loop_stop(&L);
	io_loop_destroy(&L);
	return tap_done();
}
