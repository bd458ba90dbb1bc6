// SPDX-License-Identifier: GPL-2.0
/*
 * The guest init's stdin relay (vmm/guest-init/relay.c), run here as it
 * runs in the guest, in a child process, with pipes and sockets for hvc3,
 * hvc2 and the command's stdin: it passes the input and ends after "eof=N";
 * a hung-up hvc2 does not make it spin and its input still flows; the
 * command gone (its stdin without a reader) ends it, with status 0 and
 * not by SIGPIPE, whether input comes or not.
 *
 * The relay is freestanding (the kernel's UAPI headers, raw system
 * calls): this file takes from libc only what does not clash with them.
 */
#include "../../vmm/guest-init/job.c"
#include "../../vmm/guest-init/relay.c"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define WAIT_MS		2000

struct relay {
	long pid;
	int in_w;		/* lkvm's side of hvc3 */
	int status;		/* lkvm's side of hvc2 */
	int cmd_r;		/* the command's stdin */
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Start the relay as the init does, its ends of everything closed here. */
static int relay_start(struct relay *r)
{
	int in[2], st[2], cmd[2];

	if (pipe(in) || socketpair(AF_UNIX, SOCK_STREAM, 0, st) || pipe(cmd))
		return -1;
	r->pid = fork();
	if (r->pid == 0) {
		/* As in the guest: SIGPIPE's default action, and not blocked. */
		signal(SIGPIPE, SIG_DFL);
		close(in[1]);
		close(st[1]);
		close(cmd[0]);
		_exit(guest_stdin_relay(in[0], st[0], cmd[1]));
	}
	close(in[0]);
	close(st[0]);
	close(cmd[1]);
	r->in_w = in[1];
	r->status = st[1];
	r->cmd_r = cmd[0];
	return r->pid > 0 ? 0 : -1;
}

/* Read exactly len bytes (the "stdin=ready\n" line). */
static int read_exact(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int ready_said(struct relay *r)
{
	char line[sizeof(GUEST_JOB_STDIN_READY)];

	return !read_exact(r->status, line, sizeof(line)) &&
	       !memcmp(line, GUEST_JOB_STDIN_READY "\n", sizeof(line));
}

/*
 * The relay's wait status once it ended, or -1 if it still ran after
 * WAIT_MS (then it is killed).
 */
static int relay_end(struct relay *r)
{
	int st = 0, i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		if (sys6(__NR_wait4, r->pid, (long)&st, WNOHANG, 0, 0, 0) ==
		    r->pid)
			return st;
		sleep_ms(10);
	}
	kill((pid_t)r->pid, SIGKILL);
	sys6(__NR_wait4, r->pid, (long)&st, 0, 0, 0, 0);
	return -1;
}

static void relay_close(struct relay *r)
{
	close(r->in_w);
	close(r->status);
	close(r->cmd_r);
}

/* The relay's CPU time so far, in clock ticks (/proc/PID/stat). */
static long cpu_ticks(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long utime, stime;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After "(comm) ": state, then 10 fields, then utime and stime. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &utime, &stime) != 2)
		return -1;
	return (long)(utime + stime);
}

/* What the command's stdin holds up to its end (or 1 s of nothing). */
static size_t cmd_read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	int i;

	for (i = 0; i < 100 && got < size; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (sys3(__NR_poll, (long)&p, 1, 10) <= 0)
			continue;
		n = read(fd, buf + got, size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void test_input_and_end(void)
{
	struct relay r;
	char buf[64];
	size_t n;
	int st;

	if (relay_start(&r)) {
		ok(0, "relay started");
		return;
	}
	ok(ready_said(&r), "the relay says stdin=ready on hvc2 first");
	if (write(r.in_w, "hello", 5) != 5 ||
	    write(r.status, "eof=5\n", 6) != 6)
		ok(0, "input written");
	n = cmd_read_all(r.cmd_r, buf, sizeof(buf));
	st = relay_end(&r);
	ok(n == 5 && !memcmp(buf, "hello", 5),
	   "the command reads the input, then its end (%zu bytes)", n);
	ok(st == 0, "after eof=5 and 5 bytes the relay exits 0 (wait status %d)",
	   st);
	relay_close(&r);
}

static void test_status_hangup(void)
{
	struct relay r;
	long ticks;
	char buf[64];
	size_t n;
	int st;

	if (relay_start(&r)) {
		ok(0, "relay started");
		return;
	}
	ok(ready_said(&r), "stdin=ready said");
	/* hvc2 hangs up: POLLIN and POLLHUP, and read() says 0, for ever. */
	close(r.status);
	r.status = -1;
	sleep_ms(400);
	ticks = cpu_ticks(r.pid);
	ok(ticks >= 0 && ticks < 5,
	   "hvc2 hung up, no input: the relay waits, not spins (%ld ticks of CPU in 0.4 s)",
	   ticks);
	if (write(r.in_w, "abc", 3) != 3)
		ok(0, "input written");
	close(r.in_w);
	r.in_w = -1;
	n = cmd_read_all(r.cmd_r, buf, sizeof(buf));
	st = relay_end(&r);
	ok(n == 3 && !memcmp(buf, "abc", 3),
	   "... hvc3's input still reaches the command (%zu bytes)", n);
	ok(st >= 0 && WIFEXITED(st),
	   "... and the relay ends when hvc3 does (wait status %d)", st);
	relay_close(&r);
}

static void test_command_gone(bool input)
{
	struct relay r;
	int st;

	if (relay_start(&r)) {
		ok(0, "relay started");
		return;
	}
	ok(ready_said(&r), "stdin=ready said");
	/* The command exits (or closes its stdin) without reading it. */
	close(r.cmd_r);
	r.cmd_r = -1;
	/* The relay may be gone already: then the write gets EPIPE. */
	if (input && write(r.in_w, "unread", 6) != 6 && errno != EPIPE)
		ok(0, "input written");
	st = relay_end(&r);
	ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "the command's stdin without a reader, %s: the relay exits 0, not killed by SIGPIPE, not waiting (wait status %d)",
	   input ? "input coming" : "no input", st);
	relay_close(&r);
}

int main(void)
{
	/*
	 * This process writes to hvc3's pipe after the relay may have
	 * ended: EPIPE, not death (the relay itself gets SIG_DFL).
	 */
	signal(SIGPIPE, SIG_IGN);
	test_input_and_end();
	test_status_hangup();
	test_command_gone(false);
	test_command_gone(true);
	return tap_done();
}
