// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: virtio-vsock stream throughput both ways and round-trip
 * latency, through the device's virtqueues (a driver on this thread, as in
 * tests/unit/virtio-vsock.c: 4 KiB receive buffers, 4 KiB packets out)
 * and lkvm's I/O loop to a host UNIX socket, beside the same bytes over a
 * host UNIX socket pair (the limit): a host program on a thread writes
 * 64 KiB at a time, or reads, for BENCH_SECONDS (1) per figure.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "virtio-vsock-drv.h"

static double secs = 1.0;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct peer {
	int fd;
	size_t chunk;
	u64 bytes;
	pthread_t thread;
};

/* Write chunk-sized pieces for secs seconds, then shut the write side. */
static void *writer(void *arg)
{
	struct peer *p = arg;
	static u8 buf[65536];
	double end = now() + secs;

	memset(buf, 0x5a, sizeof(buf));
	while (now() < end) {
		ssize_t n = write(p->fd, buf, p->chunk);

		if (n <= 0)
			break;
		p->bytes += (u64)n;
	}
	shutdown(p->fd, SHUT_WR);
	return NULL;
}

/* Read chunk-sized pieces until end of file. */
static void *reader(void *arg)
{
	struct peer *p = arg;
	static u8 buf[65536];
	ssize_t n;

	while ((n = read(p->fd, buf, p->chunk)) > 0)
		p->bytes += (u64)n;
	return NULL;
}

static void start(struct peer *p, int fd, size_t chunk, void *(*fn)(void *))
{
	p->fd = fd;
	p->chunk = chunk;
	p->bytes = 0;
	if (pthread_create(&p->thread, NULL, fn, p))
		abort();
}

/* The same bytes over a socket pair: MiB/s. */
static double pair_rate(size_t wchunk, size_t rchunk)
{
	struct peer w, r;
	double t0;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		abort();
	t0 = now();
	start(&w, sv[0], wchunk, writer);
	start(&r, sv[1], rchunk, reader);
	pthread_join(w.thread, NULL);
	pthread_join(r.thread, NULL);
	close(sv[0]);
	close(sv[1]);
	return r.bytes / (now() - t0) / (1 << 20);
}

static double to_guest_rate(void)
{
	u32 hport = 0, got = 0, told = 0;
	int fd = host_to_guest(1000, &hport);
	bool eof = false;
	struct peer w;
	double t0;

	if (fd < 0)
		return 0;
	t0 = now();
	start(&w, fd, 65536, writer);
	while (!eof && rx_next(&P, 2000)) {
		if (P.h.op == VSOCK_OP_RW) {
			got += P.h.len;
			if (got - told >= GBUF / 2) {
				told = got;
				tx(VSOCK_OP_CREDIT_UPDATE, 1000, hport, 0, told,
				   NULL, 0);
			}
		}
		eof = P.h.op == VSOCK_OP_SHUTDOWN;
	}
	pthread_join(w.thread, NULL);
	t0 = now() - t0;
	tx(VSOCK_OP_SHUTDOWN, 1000, hport, 3, got, NULL, 0);
	rx_expect(VSOCK_OP_RST, 1000, 2000);
	close(fd);
	return eof && got == w.bytes ? got / t0 / (1 << 20) : 0;
}

static double to_host_rate(void)
{
	u32 sent = 0, palloc, pfwd;
	int lfd = host_listen(2000), hfd;
	static u8 data[4096];
	struct peer r;
	double t0, end;

	tx(VSOCK_OP_REQUEST, 7000, 2000, 0, 0, NULL, 0);
	if (!rx_expect(VSOCK_OP_RESPONSE, 7000, 2000))
		return 0;
	palloc = P.h.buf_alloc;
	pfwd = P.h.fwd_cnt;
	hfd = accept(lfd, NULL, NULL);
	t0 = now();
	end = t0 + secs;
	start(&r, hfd, 65536, reader);
	while (now() < end) {
		if (palloc - (sent - pfwd) >= sizeof(data)) {
			tx(VSOCK_OP_RW, 7000, 2000, 0, 0, data, sizeof(data));
			sent += sizeof(data);
		}
		while (rx_next(&P, palloc - (sent - pfwd) >= sizeof(data) ?
			       0 : 1)) {
			palloc = P.h.buf_alloc;
			pfwd = P.h.fwd_cnt;
		}
	}
	tx(VSOCK_OP_SHUTDOWN, 7000, 2000, 3, 0, NULL, 0);
	pthread_join(r.thread, NULL);
	t0 = now() - t0;
	while (rx_next(&P, 100))
		;
	close(hfd);
	close(lfd);
	return r.bytes == sent ? sent / t0 / (1 << 20) : 0;
}

/* One byte host -> guest -> host, n times: microseconds each. */
static double vsock_rtt(unsigned int n)
{
	u32 hport = 0, i, got = 0;
	int fd = host_to_guest(1001, &hport);
	double t0;
	char c = 'x';

	if (fd < 0)
		return 0;
	t0 = now();
	for (i = 0; i < n; i++) {
		if (write(fd, &c, 1) != 1)
			return 0;
		while (!rx_next(&P, 0) || P.h.op != VSOCK_OP_RW)
			;
		got++;
		tx(VSOCK_OP_RW, 1001, hport, 0, got, &c, 1);
		if (read(fd, &c, 1) != 1)
			return 0;
	}
	t0 = (now() - t0) / n * 1e6;
	tx(VSOCK_OP_RST, 1001, hport, 0, 0, NULL, 0);
	close(fd);
	return t0;
}

static void *echo(void *arg)
{
	int fd = *(int *)arg;
	char c;

	while (read(fd, &c, 1) == 1 && write(fd, &c, 1) == 1)
		;
	return NULL;
}

static double pair_rtt(unsigned int n)
{
	pthread_t t;
	unsigned int i;
	double t0;
	int sv[2];
	char c = 'x';

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    pthread_create(&t, NULL, echo, &sv[1]))
		abort();
	t0 = now();
	for (i = 0; i < n; i++)
		if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
			abort();
	t0 = (now() - t0) / n * 1e6;
	shutdown(sv[0], SHUT_RDWR);
	pthread_join(t, NULL);
	close(sv[0]);
	close(sv[1]);
	return t0;
}

int main(void)
{
	const char *s = getenv("BENCH_SECONDS");
	double v, p;

	if (s && atof(s) > 0)
		secs = atof(s);
	log_set_level(LOG_ERROR);
	setup(0, 0, 0);
	v = to_guest_rate();
	p = pair_rate(65536, 4096);
	printf("vsock host->guest: %8.0f MiB/s   socket pair: %8.0f MiB/s   ratio %.2f\n",
	       v, p, p ? v / p : 0);
	v = to_host_rate();
	p = pair_rate(4096, 65536);
	printf("vsock guest->host: %8.0f MiB/s   socket pair: %8.0f MiB/s   ratio %.2f\n",
	       v, p, p ? v / p : 0);
	v = vsock_rtt(2000);
	p = pair_rtt(2000);
	printf("vsock round trip:  %8.1f us      socket pair: %8.1f us      ratio %.2f\n",
	       v, p, v ? p / v : 0);
	teardown();
	remove_dir();
	return 0;
}
