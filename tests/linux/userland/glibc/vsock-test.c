// SPDX-License-Identifier: GPL-2.0
/*
 * vsock-test: a byte pipe over AF_VSOCK for the lkvm test user land
 * (busybox has no vsock). One stream connection, either
 *	vsock-test listen PORT		accept one connection on PORT
 *	vsock-test connect CID PORT	connect to CID:PORT
 * then standard input goes to the socket (write side shut down at its
 * end) while the socket's bytes go to standard output, until both are
 * done. Prints one line to standard error on failure; status 0 when
 * every byte went both ways, 1 otherwise.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static int fail(const char *what)
{
	fprintf(stderr, "vsock-test: %s: %s\n", what, strerror(errno));
	return 1;
}

static int fail_fd(const char *what)
{
	fail(what);
	return -1;
}

static int open_socket(int argc, char **argv)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK };
	int fd, one = 1;

	fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (fd < 0)
		return fail_fd("socket");
	if (argc == 3 && !strcmp(argv[1], "listen")) {
		int c;

		sa.svm_cid = VMADDR_CID_ANY;
		sa.svm_port = (unsigned int)strtoul(argv[2], NULL, 10);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    listen(fd, 1))
			return fail_fd("listen");
		fprintf(stderr, "vsock-test: listening on port %u\n",
			sa.svm_port);
		c = accept(fd, NULL, NULL);
		if (c < 0)
			return fail_fd("accept");
		close(fd);
		return c;
	}
	if (argc == 4 && !strcmp(argv[1], "connect")) {
		sa.svm_cid = (unsigned int)strtoul(argv[2], NULL, 10);
		sa.svm_port = (unsigned int)strtoul(argv[3], NULL, 10);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fail_fd("connect");
		return fd;
	}
	fprintf(stderr, "usage: vsock-test listen PORT | connect CID PORT\n");
	return -1;
}

/* Write all of buf; false on an error. */
static int write_all(int fd, const char *buf, ssize_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, (size_t)n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		buf += w;
		n -= w;
	}
	return 1;
}

static char buf[65536];

/* One read from standard input to the socket; 0 on an error. */
static int stdin_to_socket(int s, int *open, unsigned long long *sent)
{
	ssize_t n = read(0, buf, sizeof(buf));

	if (n < 0)
		return !fail("read stdin");
	if (n == 0) {
		*open = 0;
		return shutdown(s, SHUT_WR) ? !fail("shutdown") : 1;
	}
	if (!write_all(s, buf, n))
		return !fail("send");
	*sent += (unsigned long long)n;
	return 1;
}

/* One read from the socket to standard output; 0 on an error. */
static int socket_to_stdout(int s, int *open, unsigned long long *got)
{
	ssize_t n = read(s, buf, sizeof(buf));

	if (n < 0)
		return !fail("recv");
	if (n == 0) {
		*open = 0;
		return 1;
	}
	if (!write_all(1, buf, n))
		return !fail("write stdout");
	*got += (unsigned long long)n;
	return 1;
}

int main(int argc, char **argv)
{
	struct pollfd p[2];
	int s = open_socket(argc, argv);
	int in_open = 1, sock_open = 1;
	unsigned long long sent = 0, got = 0;

	if (s < 0)
		return 1;
	while (in_open || sock_open) {
		p[0] = (struct pollfd){ .fd = in_open ? 0 : -1, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = sock_open ? s : -1, .events = POLLIN };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return fail("poll");
		}
		if (p[0].revents && !stdin_to_socket(s, &in_open, &sent))
			return 1;
		if (p[1].revents && !socket_to_stdout(s, &sock_open, &got))
			return 1;
	}
	close(s);
	fprintf(stderr, "vsock-test: sent %llu, received %llu bytes\n", sent,
		got);
	return 0;
}
