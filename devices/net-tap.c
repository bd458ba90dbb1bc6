// SPDX-License-Identifier: GPL-2.0
/*
 * The tap backend: /dev/net/tun with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR,
 * a 12-byte (virtio 1.x) header, little-endian on a big-endian host,
 * offloads passed through (TUNSETOFFLOAD), IFF_MULTI_QUEUE for more than
 * one queue; or an open tap handed over with fd=N.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "net-backend.h"
#include "seccomp-filter.h"

struct net_tap {
	struct net_backend be;
	char ifname[IFNAMSIZ];
	bool multi;
	bool attached[NET_BACKEND_MAX_QUEUES];
	char *downscript;
	/*
	 * With seccomp filters the downscript runs from a helper forked at
	 * open, before them: one byte on helper_fd runs it, its wait status
	 * comes back (lkvm.1, SECCOMP).
	 */
	pid_t helper;
	int helper_fd;
};

/* What a script's wait status means; 0 if it exited 0. */
static int tap_script_status(const char *script, const char *ifname,
			     int status, char *err, size_t errlen)
{
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "'%s %s' failed (status %d)", script,
			 ifname, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -EIO;
	}
	return 0;
}

/* Run script with the interface's name; 0 if it exited 0. */
static int tap_script(const char *script, const char *ifname, char *err,
		      size_t errlen)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(err, errlen, "cannot run '%s': %s", script,
			 strerror(errno));
		return -errno;
	}
	if (!pid) {
		execl(script, script, ifname, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waiting for '%s': %s", script,
				 strerror(errno));
			return -errno;
		}
	return tap_script_status(script, ifname, status, err, errlen);
}

/* The helper: async-signal-safe calls only (forked from threads). */
static void __noreturn tap_helper_main(int fd, const char *script, const char *ifname)
{
	int status = -1;
	pid_t pid;
	char go;

	if (dup2(fd, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		_exit(1);
	syscall(SYS_close_range, 4, ~0U, 0);
	/* EOF: lkvm went without tearing down; nothing to run. */
	if (read(3, &go, 1) != 1)
		_exit(0);
	pid = fork();
	if (!pid) {
		execl(script, script, ifname, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (write(3, &status, sizeof(status)) != sizeof(status))
		_exit(1);
	_exit(0);
}

static int tap_helper_start(struct net_tap *t, char *err, size_t errlen)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "downscript helper: %s", strerror(errno));
		return -errno;
	}
	t->helper = fork();
	if (t->helper < 0) {
		snprintf(err, errlen, "downscript helper: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (!t->helper)
		tap_helper_main(sv[1], t->downscript, t->ifname);
	close(sv[1]);
	t->helper_fd = sv[0];
	return 0;
}

static int tap_downscript(struct net_tap *t, char *err, size_t errlen)
{
	int status = 0, r = 0;
	char go = 1;

	if (!t->helper)
		return tap_script(t->downscript, t->ifname, err, errlen);
	if (write(t->helper_fd, &go, 1) != 1 ||
	    read(t->helper_fd, &status, sizeof(status)) != sizeof(status)) {
		snprintf(err, errlen, "'%s': its helper is gone", t->downscript);
		r = -EIO;
	}
	close(t->helper_fd);
	while (waitpid(t->helper, NULL, 0) < 0 && errno == EINTR)
		;
	t->helper = 0;
	return r ? r : tap_script_status(t->downscript, t->ifname, status,
					 err, errlen);
}

static unsigned int tun_flags(unsigned int off)
{
	unsigned int f = 0;

	if (off & NET_OFF_CSUM)
		f |= TUN_F_CSUM;
	if (off & NET_OFF_TSO4)
		f |= TUN_F_TSO4;
	if (off & NET_OFF_TSO6)
		f |= TUN_F_TSO6;
	if (off & NET_OFF_ECN)
		f |= TUN_F_TSO_ECN;
	return f;
}

static int tap_set_offload(struct net_backend *be, unsigned int off)
{
	if (ioctl(be->fds[0], TUNSETOFFLOAD, tun_flags(off)))
		return -errno;
	return 0;
}

static int tap_set_queues(struct net_backend *be, unsigned int n)
{
	struct net_tap *t = be->priv;
	struct ifreq ifr;
	unsigned int i;

	if (!t->multi)
		return n == 1 ? 0 : -EINVAL;
	for (i = 0; i < be->nr_queues; i++) {
		bool want = i < n;

		if (t->attached[i] == want)
			continue;
		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_flags = want ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
		if (ioctl(be->fds[i], TUNSETQUEUE, &ifr))
			return -errno;
		t->attached[i] = want;
	}
	return 0;
}

static void tap_close(struct net_backend *be)
{
	struct net_tap *t = be->priv;
	unsigned int i;
	char err[256];

	for (i = 0; i < be->nr_queues; i++)
		if (be->fds[i] >= 0)
			close(be->fds[i]);
	if (t->downscript && tap_downscript(t, err, sizeof(err)))
		pr_err("downscript: %s", err);
	free(t->downscript);
	free(t);
}

static const struct net_backend_ops tap_ops = {
	.name = "tap",
	.set_offload = tap_set_offload,
	.set_queues = tap_set_queues,
	.close = tap_close,
};

/* The header: 12 bytes, little-endian. */
static int tap_vnet_hdr(int fd)
{
	int sz = 12;

	if (ioctl(fd, TUNSETVNETHDRSZ, &sz))
		return -errno;
#if __BYTE_ORDER == __BIG_ENDIAN
	sz = 1;
	if (ioctl(fd, TUNSETVNETLE, &sz))
		return -errno;
#endif
	return 0;
}

/* host_mac=: the tap's own address (tun allows it while up). */
static int tap_hwaddr(const char *ifname, const u8 mac[6], char *err,
		      size_t errlen)
{
	struct ifreq ifr;
	int s, r;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		r = -errno;
		snprintf(err, errlen, "host_mac: socket: %s", strerror(errno));
		return r;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	r = ioctl(s, SIOCSIFHWADDR, &ifr) ? -errno : 0;
	if (r)
		snprintf(err, errlen, "cannot set host_mac on tap '%s': %s",
			 ifname, strerror(-r));
	close(s);
	return r;
}

/* host_ip/24 on the tap, and up. */
static int tap_address(const char *ifname, const char *ip, char *err,
		       size_t errlen)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;
	int s, r = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		goto fail;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1) {
		close(s);
		snprintf(err, errlen, "invalid host_ip '%s'", ip);
		return -EINVAL;
	}
	if (ioctl(s, SIOCSIFADDR, &ifr))
		goto fail;
	sin->sin_addr.s_addr = htonl(0xffffff00);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) || ioctl(s, SIOCGIFFLAGS, &ifr))
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		goto fail;
	close(s);
	return 0;
fail:
	r = -errno;
	snprintf(err, errlen, "cannot configure tap '%s' with %s: %s",
		 ifname, ip, strerror(errno));
	if (s >= 0)
		close(s);
	return r;
}

/* Take fd=N: a tap opened with IFF_VNET_HDR by whoever gave it. */
static int tap_take_fd(struct net_tap *t, int fd, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fl;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr)) {
		snprintf(err, errlen, "fd=%d is not a tap: %s", fd,
			 strerror(errno));
		return -EINVAL;
	}
	if (!(ifr.ifr_flags & IFF_TAP) || !(ifr.ifr_flags & IFF_NO_PI) ||
	    !(ifr.ifr_flags & IFF_VNET_HDR)) {
		snprintf(err, errlen,
			 "fd=%d: a tap with IFF_NO_PI and IFF_VNET_HDR is needed",
			 fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC)) {
		snprintf(err, errlen, "fd=%d: %s", fd, strerror(errno));
		return -EINVAL;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	t->be.fds[0] = fd;
	return 0;
}

static int tap_open_queue(struct net_tap *t, unsigned int i, char *err,
			  size_t errlen)
{
	struct ifreq ifr;
	int fd, r;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open /dev/net/tun: %s",
			 strerror(errno));
		return r;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (t->multi)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->ifname);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		r = -errno;
		snprintf(err, errlen, "cannot open tap '%s'%s: %s",
			 t->ifname[0] ? t->ifname : "(new)",
			 t->multi ? " with several queues" : "",
			 strerror(errno));
		close(fd);
		return r;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	t->be.fds[i] = fd;
	t->attached[i] = true;
	return 0;
}

int net_tap_open(struct net_backend **out, const struct net_tap_options *o,
		 char *err, size_t errlen)
{
	unsigned int queues = o->queues ? o->queues : 1, i;
	struct net_tap *t;
	int r;

	if (queues > NET_BACKEND_MAX_QUEUES || (o->fd >= 0 && queues > 1)) {
		snprintf(err, errlen, "queues=%u: the tap gives at most %u%s",
			 queues, o->fd >= 0 ? 1 : NET_BACKEND_MAX_QUEUES,
			 o->fd >= 0 ? " through fd=" : "");
		return -EINVAL;
	}
	if (o->ifname && strlen(o->ifname) >= IFNAMSIZ) {
		snprintf(err, errlen, "tapif '%s' is longer than %d bytes",
			 o->ifname, IFNAMSIZ - 1);
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->be.ops = &tap_ops;
	t->be.priv = t;
	t->be.nr_queues = queues;
	t->multi = queues > 1;
	for (i = 0; i < NET_BACKEND_MAX_QUEUES; i++)
		t->be.fds[i] = -1;
	snprintf(t->ifname, sizeof(t->ifname), "%s", o->ifname ?: "");
	if (o->fd >= 0) {
		r = tap_take_fd(t, o->fd, err, errlen);
		if (r) {
			free(t);
			return r;
		}
	} else {
		for (i = 0; i < queues; i++) {
			r = tap_open_queue(t, i, err, errlen);
			if (r)
				goto fail;
		}
	}
	for (i = 0; i < queues; i++) {
		r = tap_vnet_hdr(t->be.fds[i]);
		if (r) {
			snprintf(err, errlen, "tap '%s': cannot set the header: %s",
				 t->ifname, strerror(-r));
			goto fail;
		}
	}
	/* Offloads the tap can pass to the guest: all, or none. */
	if (!ioctl(t->be.fds[0], TUNSETOFFLOAD,
		   TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN))
		t->be.offloads = NET_OFF_CSUM | NET_OFF_TSO4 | NET_OFF_TSO6 |
				 NET_OFF_ECN;
	/* None until the driver says which it takes. */
	if (ioctl(t->be.fds[0], TUNSETOFFLOAD, 0)) {
		r = -errno;
		snprintf(err, errlen, "tap '%s': TUNSETOFFLOAD: %s",
			 t->ifname, strerror(errno));
		goto fail;
	}
	if (o->host_mac) {
		r = tap_hwaddr(t->ifname, o->host_mac, err, errlen);
		if (r)
			goto fail;
	}
	if (o->host_ip && *o->host_ip) {
		r = tap_address(t->ifname, o->host_ip, err, errlen);
		if (r)
			goto fail;
	}
	if (o->script && *o->script && strcmp(o->script, "none")) {
		r = tap_script(o->script, t->ifname, err, errlen);
		if (r)
			goto fail;
	}
	if (o->downscript && *o->downscript && strcmp(o->downscript, "none")) {
		t->downscript = strdup(o->downscript);
		if (!t->downscript) {
			r = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		/* No process can start once the filters are on. */
		if (sc_pools_eager()) {
			r = tap_helper_start(t, err, errlen);
			if (r)
				goto fail;
		}
	}
	*out = &t->be;
	return 0;
fail:
	/* fd=N stays the caller's. */
	for (i = 0; i < queues; i++)
		if (t->be.fds[i] >= 0 && o->fd < 0)
			close(t->be.fds[i]);
	free(t->downscript);
	free(t);
	return r;
}
