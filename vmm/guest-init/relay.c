// SPDX-License-Identifier: GPL-2.0
/* The guest init's stdin relay; see relay.h and guest-job.h. */
#include "guest-job.h"
#include "relay.h"
#include "sys.h"

#define RELAY_IN	0	/* hvc3: lkvm's input */
#define RELAY_PIPE	1	/* the command's stdin: POLLERR, no reader */
#define RELAY_STATUS	2	/* hvc2: "eof=N", polled until it comes */

/* Write all of buf; 0, or the error (-EPIPE: nobody reads any more). */
static long relay_write_all(int fd, const char *buf, unsigned long n)
{
	while (n) {
		long w = sys3(__NR_write, fd, (long)buf, (long)n);

		if (w == -EINTR)
			continue;
		if (w <= 0)
			return w ? w : -EIO;
		buf += w;
		n -= (unsigned long)w;
	}
	return 0;
}

int guest_stdin_relay(int in_fd, int status_fd, int pipe_w)
{
	static char buf[4096];
	unsigned long sigpipe = 1UL << (SIGPIPE - 1);
	struct guest_eof_parser eof = { 0 };
	unsigned long long passed = 0, total = 0;
	int have_total = 0, status_open = 1;
	struct pollfd p[3];
	long n, err;

	/*
	 * A write to the pipe after its reader went is -EPIPE, not a death
	 * by SIGPIPE: the relay ends as it means to.
	 */
	sys6(__NR_rt_sigprocmask, SIG_BLOCK, (long)&sigpipe, 0, 8, 0, 0);
	/* Unannounced, lkvm never sends a byte: the command's input ends. */
	if (relay_write_all(status_fd, GUEST_JOB_STDIN_READY "\n",
			    sizeof(GUEST_JOB_STDIN_READY)))
		return 1;
	while (!have_total || passed < total) {
		p[RELAY_IN].fd = in_fd;
		p[RELAY_IN].events = POLLIN;
		p[RELAY_PIPE].fd = pipe_w;
		p[RELAY_PIPE].events = 0;
		/*
		 * A hung-up or failed hvc2 is not polled again: it would say
		 * so at once, forever.
		 */
		p[RELAY_STATUS].fd = status_open && !have_total ? status_fd
								 : -1;
		p[RELAY_STATUS].events = POLLIN;
		p[0].revents = p[1].revents = p[2].revents = 0;
		n = sys3(__NR_poll, (long)p, 3, -1);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return 1;
		/* The command exited or closed its stdin. */
		if (p[RELAY_PIPE].revents & (POLLERR | POLLHUP | POLLNVAL))
			return 0;
		if (p[RELAY_STATUS].revents) {
			n = sys3(__NR_read, status_fd, (long)buf, sizeof(buf));
			if (n > 0 && guest_eof_feed(&eof, buf, (unsigned long)n,
						    &total))
				have_total = 1;
			else if (n <= 0 && n != -EINTR && n != -EAGAIN)
				status_open = 0;
		}
		if (p[RELAY_IN].revents & POLLIN) {
			n = sys3(__NR_read, in_fd, (long)buf, sizeof(buf));
			if (n == -EINTR || n == -EAGAIN)
				continue;
			if (n <= 0)
				return 1;
			err = relay_write_all(pipe_w, buf, (unsigned long)n);
			if (err)
				return err == -EPIPE ? 0 : 1;
			passed += (unsigned long long)n;
		} else if (p[RELAY_IN].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			return 1;
		}
	}
	return 0;
}
