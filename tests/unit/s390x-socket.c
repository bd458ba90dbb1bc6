// SPDX-License-Identifier: GPL-2.0
/*
 * lib/socket-direct.c: on s390x, socket() and setsockopt() are lkvm's,
 * the direct system calls whose arguments a seccomp filter reads, for
 * the executable and for the libraries it loads: the executable exports
 * them, so a library's socket() and setsockopt() (libslirp's,
 * dlopen()ed) bind to them before libc's, which make them through
 * socketcall. Runs under qemu-user (make check ARCH=s390x).
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"

/* The process's definition of name is lkvm's (mine), libc's another. */
static void bound_to_lkvm(void *libc, const char *name, void *mine)
{
	void *lookup = dlsym(RTLD_DEFAULT, name);
	void *libcs = libc ? dlsym(libc, name) : NULL;

	ok(lookup == mine,
	   "the process's %s (what a library binds to) is lkvm's (%p, %p)",
	   name, lookup, mine);
	ok(libcs && libcs != mine, "libc's own %s is another function (%p)",
	   name, libcs);
}

static const char *err(int ret)
{
	return ret < 0 ? strerror(errno) : "ok";
}

/* What setsockopt() sets, getsockopt() reads; its errors are the kernel's. */
static void check_setsockopt(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, v = 0, ret;
	socklen_t len = sizeof(v);

	if (!ok(fd >= 0, "a TCP socket for setsockopt() (%s)", err(fd)))
		return;
	ret = setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ok(!ret, "lkvm's setsockopt(TCP_NODELAY) (%s)", err(ret));
	ret = getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len);
	ok(!ret && v, "and the socket has it (%s, %d)", err(ret), v);
	ret = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	v = 0;
	len = sizeof(v);
	if (!ret)
		ret = getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len);
	ok(!ret && v, "SO_REUSEADDR likewise (%s, %d)", err(ret), v);
	errno = 0;
	ret = setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, 1);
	ok(ret < 0 && errno == EINVAL,
	   "it returns the kernel's error (an option shorter than an int: %s)",
	   err(ret));
	errno = 0;
	ret = setsockopt(-1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ok(ret < 0 && errno == EBADF, "and no socket: %s", err(ret));
	close(fd);
}

int main(void)
{
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	int fd;

	bound_to_lkvm(libc, "socket", (void *)socket);
	bound_to_lkvm(libc, "setsockopt", (void *)setsockopt);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ok(fd >= 0, "lkvm's socket() makes a UDP socket (%s)", err(fd));
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0x7fff);
	ok(fd < 0 && errno == EINVAL,
	   "and returns the kernel's error (protocol 0x7fff, past IPPROTO_MAX: %s)",
	   fd < 0 ? strerror(errno) : "made");
	check_setsockopt();
	if (libc)
		dlclose(libc);
	return tap_done();
}
