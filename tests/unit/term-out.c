// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vmm/term-out.c: console output never blocks a thread,
 * holds writers back at the soft cap and calls them back when the reader
 * made room, keeps every byte in order while the reader lives, discards
 * only when the reader is gone or after a stop (term_out_finish), and
 * leaves the caller's descriptor flags alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"
#include "term-out.h"

static int rooms;

static void room(void *opaque)
{
	rooms++;
}

static u8 pat(size_t i)
{
	return (u8)(i * 7 + (i >> 8));
}

/* Read everything there is without blocking; check it against pat(). */
static size_t drain(int fd, size_t *pos, unsigned int *bad)
{
	u8 buf[8192];
	size_t total = 0;
	ssize_t n, i;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			if (buf[i] != pat(*pos + (size_t)i))
				(*bad)++;
		*pos += (size_t)n;
		total += (size_t)n;
	}
	return total;
}

static s64 ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (s64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A blocking pipe nobody reads, like a stalled stdout: writes never
 * block, stop at the soft cap, and every byte comes out in order later.
 */
static void test_backpressure(void)
{
	static u8 data[3 * TERM_OUT_SOFT_CAP];
	struct term_out o;
	size_t i, off = 0, pos = 0, got = 0;
	unsigned int bad = 0, rounds = 0;
	int p[2], rfl;

	for (i = 0; i < sizeof(data); i++)
		data[i] = pat(i);
	if (pipe(p))
		abort();
	fcntl(p[0], F_SETPIPE_SZ, 4096);
	ok(term_out_init(&o, p[1]) == 0 && o.mode == TERM_OUT_NONBLOCK &&
	   o.pollable, "a pipe is reopened non-blocking and polled");
	ok(!(fcntl(p[1], F_GETFL) & O_NONBLOCK),
	   "the caller's descriptor stays blocking");
	term_out_add_waiter(&o, room, NULL);
	rooms = 0;

	alarm(10);	/* the old code blocked in write() here for ever */
	off = term_out_write(&o, data, sizeof(data));
	ok(off < sizeof(data) && term_out_pending(&o) == TERM_OUT_SOFT_CAP,
	   "an unread pipe: the writer is refused at the soft cap (%zu taken)",
	   off);
	ok(term_out_room(&o) == 0 && term_out_write(&o, data + off, 1) == 0,
	   "full: no room, nothing more taken");
	term_out_service(&o);
	ok(rooms == 0, "no room callback while the reader sleeps");

	/* A slow reader: drain, service, write more, until all is through. */
	rfl = fcntl(p[0], F_GETFL);
	fcntl(p[0], F_SETFL, rfl | O_NONBLOCK);
	while (got < sizeof(data) && rounds++ < 100000) {
		got += drain(p[0], &pos, &bad);
		term_out_service(&o);
		if (off < sizeof(data))
			off += term_out_write(&o, data + off, sizeof(data) - off);
	}
	alarm(0);
	ok(got == sizeof(data) && !bad,
	   "a slow reader gets every byte in order (%zu of %zu, %u bad)", got,
	   sizeof(data), bad);
	ok(rooms > 0, "the room callback ran once the reader made room (%d)",
	   rooms);
	ok(o.bytes_out == sizeof(data) && !o.bytes_dropped, "counters");
	term_out_destroy(&o);
	close(p[0]);
	close(p[1]);
}

/* A guest that does not wait: kept to the hard cap, then dropped. */
static void test_hard_cap(void)
{
	static u8 data[TERM_OUT_HARD_CAP + 100];
	struct term_out o;
	int p[2];

	if (pipe(p))
		abort();
	fcntl(p[0], F_SETPIPE_SZ, 4096);
	term_out_init(&o, p[1]);
	memset(data, 'x', sizeof(data));
	ok(term_out_write_all(&o, data, 1000) == false,
	   "write_all below the soft cap: not full");
	ok(term_out_write_all(&o, data, TERM_OUT_SOFT_CAP + 8192),
	   "write_all past the soft cap: kept, and reported full");
	term_out_write_all(&o, data, sizeof(data));
	ok(term_out_pending(&o) == TERM_OUT_HARD_CAP && o.bytes_dropped > 0 &&
	   o.bytes_dropped + o.bytes_out + TERM_OUT_HARD_CAP ==
	   1000 + TERM_OUT_SOFT_CAP + 8192 + sizeof(data),
	   "beyond the hard cap bytes are dropped and counted (%llu)",
	   (unsigned long long)o.bytes_dropped);
	term_out_destroy(&o);
	close(p[0]);
	close(p[1]);
}

/* The reader goes away: discard everything, hold nobody back. */
static void test_reader_gone(void)
{
	static u8 data[2 * TERM_OUT_SOFT_CAP];
	struct term_out o;
	int p[2];

	if (pipe(p))
		abort();
	term_out_init(&o, p[1]);
	term_out_add_waiter(&o, room, NULL);
	rooms = 0;
	memset(data, 'y', sizeof(data));
	term_out_write(&o, data, sizeof(data));
	close(p[0]);
	term_out_service(&o);
	ok(o.failed && term_out_pending(&o) == 0 && rooms == 1,
	   "EPIPE: buffer discarded, writers released");
	ok(term_out_room(&o) == SIZE_MAX &&
	   term_out_write(&o, data, sizeof(data)) == sizeof(data),
	   "then everything is taken (and discarded)");
	term_out_destroy(&o);
	close(p[1]);
}

/*
 * A slow reader in a child process:
 * 1 KiB every 20 ms until EOF, then it exits with the KiB it read.
 */
static pid_t slow_reader(int rfd, int w1, int w2)
{
	pid_t pid = fork();
	char buf[1024];
	size_t got = 0;
	ssize_t n;

	if (pid)
		return pid;
	/* No write end may stay open here: it would hide the EOF. */
	close(w1);
	close(w2);
	while ((n = read(rfd, buf, sizeof(buf))) > 0) {
		got += (size_t)n;
		usleep(20000);
	}
	_exit((int)(got / 1024));
}

/* After a stop: an unread pipe is given up on; a slow reader is not. */
static void test_finish(void)
{
	static u8 data[TERM_OUT_SOFT_CAP];
	struct term_out o;
	s64 t0, dt;
	size_t dropped;
	pid_t pid;
	int p[2], st = 0;

	if (pipe(p))
		abort();
	fcntl(p[0], F_SETPIPE_SZ, 4096);
	term_out_init(&o, p[1]);
	memset(data, 'z', sizeof(data));
	term_out_write(&o, data, sizeof(data));
	t0 = ms_now();
	dropped = term_out_finish(&o, 300);
	dt = ms_now() - t0;
	ok(dropped == sizeof(data) - 4096 && dt >= 250 && dt < 2000,
	   "finish with an unread pipe: gives up after the idle time (%lld ms, %zu dropped)",
	   (long long)dt, dropped);
	ok(term_out_write(&o, data, 10) == 10 && term_out_pending(&o) == 0,
	   "after finish output is discarded");
	term_out_destroy(&o);
	close(p[0]);
	close(p[1]);

	if (pipe(p))
		abort();
	fcntl(p[0], F_SETPIPE_SZ, 4096);
	term_out_init(&o, p[1]);
	term_out_write(&o, data, 8192);
	pid = slow_reader(p[0], p[1], o.own_fd);
	dropped = term_out_finish(&o, 300);
	close(p[1]);
	term_out_destroy(&o);
	close(p[0]);
	waitpid(pid, &st, 0);
	ok(dropped == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 8,
	   "finish with a slow reader: every byte delivered (%d KiB)",
	   WEXITSTATUS(st));
}

static void test_kinds(void)
{
	char path[] = "/tmp/lkvm-term-out-XXXXXX";
	struct term_out o;
	int fd, sv[2];
	char buf[8] = { 0 };

	fd = mkstemp(path);
	ok(fd >= 0 && term_out_init(&o, fd) == 0 && o.mode == TERM_OUT_PLAIN &&
	   term_out_write(&o, "abc", 3) == 3 && pread(fd, buf, 3, 0) == 3 &&
	   !memcmp(buf, "abc", 3), "a regular file is written as is");
	term_out_destroy(&o);
	close(fd);
	unlink(path);

	fd = open("/dev/null", O_WRONLY);
	ok(fd >= 0 && term_out_init(&o, fd) == 0 && o.mode == TERM_OUT_PLAIN &&
	   term_out_write(&o, "abc", 3) == 3, "/dev/null never waits");
	term_out_destroy(&o);
	close(fd);

	ok(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv) &&
	   term_out_init(&o, sv[1]) == 0 && o.mode == TERM_OUT_SOCKET &&
	   term_out_write(&o, "abc", 3) == 3 && read(sv[0], buf, 3) == 3 &&
	   !(fcntl(sv[1], F_GETFL) & O_NONBLOCK),
	   "a socket is sent to with MSG_DONTWAIT, its flags untouched");
	term_out_destroy(&o);
	close(sv[0]);
	close(sv[1]);

	ok(term_out_init(&o, -1) == 0 && o.mode == TERM_OUT_NONE &&
	   term_out_write(&o, "abc", 3) == 3, "no fd: output discarded");
	term_out_destroy(&o);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_ERROR);
	test_backpressure();
	test_hard_cap();
	test_reader_gone();
	test_finish();
	test_kinds();
	return tap_done();
}
