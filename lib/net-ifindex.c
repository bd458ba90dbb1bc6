// SPDX-License-Identifier: GPL-2.0
/*
 * if_nametoindex() as a socket lkvm-net's filter allows and one ioctl.
 *
 * libslirp 4.7 calls it from its lkvm-net thread, at the guest's first
 * DNS query, for each /etc/resolv.conf name server with a scope
 * ("nameserver fe80::1%wlan0", as NetworkManager writes them). glibc's
 * makes an AF_NETLINK socket (then an AF_UNIX one), which that thread's
 * seccomp filter refuses: lkvm was killed. This one makes an AF_INET
 * datagram socket (g_net allows it) and asks SIOCGIFINDEX (g_net allows
 * that ioctl too), so a scoped name server's line parses under the
 * filter as it does outside it.
 *
 * It takes the place of glibc's for the whole process: the executable
 * exports it and the Makefile names it undefined so that this member is
 * linked though lkvm's own code does not call it
 * (--undefined=if_nametoindex --export-dynamic-symbol=if_nametoindex);
 * libslirp, loaded with dlopen(), binds to the executable's definition
 * before libc's. On s390x its socket() is lib/socket-direct.c's.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

unsigned int if_nametoindex(const char *ifname)
{
	struct ifreq ifr;
	size_t len = strlen(ifname);
	int fd, ret, err;

	/* As glibc's: a name the kernel could not hold is no interface. */
	if (len > IFNAMSIZ - 1) {
		errno = ENODEV;
		return 0;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, len);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ret = ioctl(fd, SIOCGIFINDEX, &ifr);
	err = errno;
	if (close(fd))
		return 0;
	if (ret < 0) {
		errno = err;
		return 0;
	}
	return (unsigned int)ifr.ifr_ifindex;
}
