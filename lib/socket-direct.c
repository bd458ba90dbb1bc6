// SPDX-License-Identifier: GPL-2.0
/*
 * s390x: socket() as the direct system call, for lkvm and for what it
 * loads. Debian's glibc there (built for kernels before 4.3) makes it
 * through socketcall(SYS_SOCKET, args), whose arguments are in memory,
 * where a seccomp filter cannot read them; the direct call (s390x has
 * had it since Linux 4.3) passes them in registers, so lkvm-net's filter
 * checks the family, type and protocol of libslirp's sockets as it does
 * on x86_64 and arm64 (lib/seccomp-policy.c, g_net).
 *
 * This definition takes the place of glibc's for the whole process: the
 * executable exports it (the Makefile's --export-dynamic-symbol=socket),
 * and the dynamic linker binds a library's socket() to the executable's
 * definition before libc's, libslirp's too, though it is loaded with
 * dlopen(RTLD_LOCAL) (tests/unit/s390x-socket.c). glibc's own internal
 * sockets (its resolver, its if_nametoindex()) call its hidden __socket
 * and still go through socketcall; none is made under a filter: the
 * if_nametoindex() libslirp calls under lkvm-net's is lkvm's own
 * (lib/net-ifindex.c), whose socket() is this one.
 *
 * Elsewhere glibc's socket() is the direct call already: nothing here.
 */
#ifdef __s390x__
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int socket(int domain, int type, int protocol)
{
	return (int)syscall(__NR_socket, domain, type, protocol);
}
#endif
