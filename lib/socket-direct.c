// SPDX-License-Identifier: GPL-2.0
/*
 * s390x: socket() and setsockopt() as the direct system calls, for lkvm
 * and for what it loads. Debian's glibc there (2.36, built for kernels
 * before 4.3) makes every socket call through socketcall(call, args),
 * whose arguments are in memory, where a seccomp filter cannot read
 * them; the direct calls (s390x has had them since Linux 4.3) pass them
 * in registers, so lkvm-net's filter checks the family, type and
 * protocol of libslirp's sockets and the level and option of its
 * setsockopt() as it does on x86_64 and arm64 (lib/seccomp-policy.c,
 * g_net), which refuses socketcall(SYS_SOCKET) and
 * socketcall(SYS_SETSOCKOPT): a thread that made them itself, a
 * hijacked one's way round those checks, is refused.
 *
 * These definitions take the place of glibc's for the whole process: the
 * executable exports them (the Makefile's --export-dynamic-symbol), and
 * the dynamic linker binds a library's socket() and setsockopt() to the
 * executable's definitions before libc's, libslirp's too, though it is
 * loaded with dlopen(RTLD_LOCAL) (tests/unit/s390x-socket.c). Both are
 * in this one file, so that the archive member lkvm's own socket() calls
 * pull in brings setsockopt() with it. glibc's own internal socket calls
 * (its resolver, its if_nametoindex()) are bound within libc and still
 * go through socketcall; none is made under a filter: the
 * if_nametoindex() libslirp calls under lkvm-net's is lkvm's own
 * (lib/net-ifindex.c), whose socket() is this one.
 *
 * Elsewhere glibc's socket calls are the direct ones already: nothing
 * here.
 */
#ifdef __s390x__
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int socket(int domain, int type, int protocol)
{
	return (int)syscall(__NR_socket, domain, type, protocol);
}

/*
 * Each int widened to a long here, not left to the variadic call: the
 * filter compares all 64 bits of an argument, the kernel reads the int.
 */
int setsockopt(int fd, int level, int optname, const void *optval,
	       socklen_t optlen)
{
	return (int)syscall(__NR_setsockopt, (long)fd, (long)level,
			    (long)optname, optval, (unsigned long)optlen);
}
#endif
