// SPDX-License-Identifier: GPL-2.0
/*
 * lib/socket-direct.c: on s390x, socket() is lkvm's, the direct system
 * call whose arguments a seccomp filter reads, for the executable and
 * for the libraries it loads: the executable exports it, so a library's
 * socket() (libslirp's, dlopen()ed) binds to it before libc's, which
 * makes it through socketcall. Runs under qemu-user (make check
 * ARCH=s390x).
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"

int main(void)
{
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *lookup = dlsym(RTLD_DEFAULT, "socket");
	void *libcs = libc ? dlsym(libc, "socket") : NULL;
	int fd;

	ok(lookup == (void *)socket,
	   "the process's socket (what a library binds to) is lkvm's (%p, %p)",
	   lookup, (void *)socket);
	ok(libcs && libcs != (void *)socket,
	   "libc's own socket is another function (%p)", libcs);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ok(fd >= 0, "lkvm's socket() makes a UDP socket (%s)",
	   fd < 0 ? strerror(errno) : "ok");
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0x7fff);
	ok(fd < 0 && errno == EINVAL,
	   "and returns the kernel's error (protocol 0x7fff, past IPPROTO_MAX: %s)",
	   fd < 0 ? strerror(errno) : "made");
	if (libc)
		dlclose(libc);
	return tap_done();
}
