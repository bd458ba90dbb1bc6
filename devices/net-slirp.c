// SPDX-License-Identifier: GPL-2.0
/*
 * The user-mode backend: libslirp (DHCP, DNS forwarding, TCP/UDP/ICMP
 * through the host's sockets, host-to-guest port forwarding) on its own
 * thread. The device sees a datagram socket: one frame per message, led
 * by a zero virtio-net header; the thread strips the header before
 * slirp_input() and adds it to what libslirp sends. No offloads.
 *
 * libslirp opens a host socket for each of the guest's flows (a UDP
 * source port, a TCP SYN, a ping) and keeps it for up to minutes, and one
 * for each connection a hostfwd listener takes: a guest, or the host's
 * peers, could take every descriptor lkvm has. Once libslirp holds
 * max_sockets of them (counted in its connection list), a guest frame
 * that might open another is dropped (one rate-limited line) and the
 * listeners are not polled, until some close; other frames go through,
 * and so do the datagrams of a UDP flow that had its socket at the last
 * count (libslirp finds a UDP socket by the guest's source address and
 * port, which its list shows for IPv4; an IPv6 flow's datagrams are
 * refused at the limit: the list does not show their addresses).
 *
 * libslirp (and the glib under it) is opened with dlopen() when a
 * user-mode NIC is made: linked in, it cost every lkvm start about
 * 1.2 MiB of RSS, NIC or not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "landlock.h"
#include "log.h"
#include "seccomp-filter.h"
#include "net-backend.h"

#ifdef LKVM_HAVE_SLIRP
#include <dlfcn.h>
#include <slirp/libslirp.h>

/* libslirp's entry points; typeof takes their types from its header. */
static struct {
	__typeof__(slirp_new) *new;
	__typeof__(slirp_input) *input;
	__typeof__(slirp_pollfds_fill) *pollfds_fill;
	__typeof__(slirp_pollfds_poll) *pollfds_poll;
	__typeof__(slirp_add_hostfwd) *add_hostfwd;
	__typeof__(slirp_cleanup) *cleanup;
	/* Optional: counts the sockets exactly (4.0 on). */
	__typeof__(slirp_connection_info) *connection_info;
	bool ok;
} sl;
static pthread_once_t sl_once = PTHREAD_ONCE_INIT;

/*
 * glib's log messages (libslirp's g_debug() lines, which SLIRP_DEBUG turns
 * on, its g_warning()s) go to lkvm's log, at the level they name, as
 * "user network: libslirp: ...": lkvm-net logs them under its filter.
 * glib's own writer would not do: the first message of the process
 * loads the charset converter (iconv's modules: an O_DIRECTORY open the
 * filter refuses, so lkvm-net was killed at the guest's first DNS query
 * under SLIRP_DEBUG=misc G_MESSAGES_DEBUG=all), talks to journald on a
 * Unix socket of its own where stderr is the journal (refused too), and
 * prints debug lines on stdout, the guest's console. glib's types, as its
 * ABI has them since 2.50 (g_log_set_writer_func()); an older glib keeps
 * its own writer.
 */
struct glib_log_field {
	const char *key;
	const void *value;
	ssize_t length;		/* -1: a NUL-terminated string */
};

#define GLIB_LOG_LEVEL_ERROR	(1 << 2)
#define GLIB_LOG_LEVEL_CRITICAL	(1 << 3)
#define GLIB_LOG_LEVEL_WARNING	(1 << 4)
#define GLIB_LOG_LEVEL_MESSAGE	(1 << 5)
#define GLIB_LOG_LEVEL_INFO	(1 << 6)
#define GLIB_LOG_WRITER_HANDLED	1

static int user_glib_log(int glevel, const struct glib_log_field *f, size_t n,
			 void *data)
{
	enum log_level level = LOG_DEBUG;
	size_t i;

	if (glevel & (GLIB_LOG_LEVEL_ERROR | GLIB_LOG_LEVEL_CRITICAL))
		level = LOG_ERROR;
	else if (glevel & GLIB_LOG_LEVEL_WARNING)
		level = LOG_WARN;
	else if (glevel & (GLIB_LOG_LEVEL_MESSAGE | GLIB_LOG_LEVEL_INFO))
		level = LOG_INFO;
	for (i = 0; i < n; i++) {
		int len = f[i].length < 0 ? INT_MAX :
			  (int)MIN(f[i].length, (ssize_t)INT_MAX);

		if (strcmp(f[i].key, "MESSAGE"))
			continue;
		/*
		 * Debug lines are the operator's own asking (SLIRP_DEBUG and
		 * --loglevel debug); the rest, which a guest might find a way
		 * to repeat, within one rate limit.
		 */
		if (level == LOG_DEBUG)
			log_msg(level, "user network: libslirp: %.*s", len,
				(const char *)f[i].value);
		else
			pr_ratelimited(level, "user network: libslirp: %.*s",
				       len, (const char *)f[i].value);
		break;
	}
	return GLIB_LOG_WRITER_HANDLED;
}

/*
 * glib's g_printerr() and g_print(), which a failed g_assert() in
 * libslirp calls before it aborts (the assertion, then "Bail out!"):
 * to lkvm's log too, at the error level (libslirp prints nothing else
 * with them). glib's own would convert the line to the locale's charset
 * first (iconv's modules: refused), so lkvm-net died of the filter
 * (status 159, "openat") rather than of the assertion, whose line was
 * lost, and g_print() would write on stdout, the guest's console.
 */
static void user_glib_print(const char *s)
{
	/* glib's assertion lines start with a line of their own. */
	if (!strncmp(s, "**\n", 3))
		s += 3;
	log_msg(LOG_ERROR, "user network: libslirp: %s", s);
}

/* Stays loaded: its threads and timers may outlive one NIC. */
static void sl_load(void)
{
	void *lib = dlopen("libslirp.so.0", RTLD_NOW | RTLD_LOCAL);
	void (*set_writer)(__typeof__(user_glib_log) *fn, void *data,
			   void *data_free);
	void *(*set_print)(__typeof__(user_glib_print) *fn);

	if (!lib)
		return;
	/* Before libslirp logs anything: glib takes one writer, once. */
	*(void **)&set_writer = dlsym(lib, "g_log_set_writer_func");
	if (set_writer)
		set_writer(user_glib_log, NULL, NULL);
	*(void **)&set_print = dlsym(lib, "g_set_printerr_handler");
	if (set_print)
		set_print(user_glib_print);
	*(void **)&set_print = dlsym(lib, "g_set_print_handler");
	if (set_print)
		set_print(user_glib_print);
	*(void **)&sl.new = dlsym(lib, "slirp_new");
	*(void **)&sl.input = dlsym(lib, "slirp_input");
	*(void **)&sl.pollfds_fill = dlsym(lib, "slirp_pollfds_fill");
	*(void **)&sl.pollfds_poll = dlsym(lib, "slirp_pollfds_poll");
	*(void **)&sl.add_hostfwd = dlsym(lib, "slirp_add_hostfwd");
	*(void **)&sl.cleanup = dlsym(lib, "slirp_cleanup");
	*(void **)&sl.connection_info = dlsym(lib, "slirp_connection_info");
	sl.ok = sl.new && sl.input && sl.pollfds_fill && sl.pollfds_poll &&
		sl.add_hostfwd && sl.cleanup;
}

#define USER_FRAME_MAX	(NET_HDR_LEN + 65536)
/* The eventfd, the socket pair, the guest's sockets and some slack. */
#define USER_MAX_POLL	(NET_USER_SOCKETS_MAX + 64)
/* Counting the sockets again: at most this often at the limit, ... */
#define USER_RECOUNT_MS	100
/* ... and this often while it holds host connections back. */
#define USER_FULL_RECOUNT_MS	1000
/* hostfwd's TCP listeners noted (-n takes 16 rules). */
#define USER_MAX_LISTENERS	16
/* The guest's UDP flows noted at a count: at most half of these slots. */
#define USER_UDP_SLOTS	4096

struct user_timer {
	struct user_timer *next;
	SlirpTimerCb cb;
	void *cb_opaque;
	s64 expire_ms;		/* -1: not armed */
};

struct net_user {
	struct net_backend be;
	Slirp *slirp;
	int fd;			/* the thread's end of the socket pair */
	int wake;		/* eventfd: stop */
	pthread_t thread;
	bool started;
	/* Lazy: what user_start() needs, kept until the driver comes. */
	SlirpConfig cfg;
	struct net_user_options opt;
	bool lazy_failed;
	struct user_timer *timers;
	struct pollfd pfd[USER_MAX_POLL];
	unsigned int npfd;
	/*
	 * The host sockets libslirp holds, at most: counted (its connection
	 * list), plus each guest frame let through since that might have
	 * opened one and each connection a hostfwd listener took. Without
	 * the list: the sockets it asked to poll at the last fill, plus
	 * those frames (new_flows).
	 */
	unsigned int max_socks, socks, nsock, new_flows;
	u64 counted_ms;
	/*
	 * The last count itself reached max_socks. Until it does, reaching
	 * it by the frames let through (each of one flow's datagrams counts)
	 * counts again at once; after, at most every USER_RECOUNT_MS.
	 */
	bool counted_full;
	bool full;		/* socks reached max_socks at the last look */
	/* hostfwd's TCP listeners: not polled while full (no accept). */
	int listeners[USER_MAX_LISTENERS];
	unsigned int nr_listeners;
	/*
	 * The guest's IPv4 UDP flows (user_udp_key()) that had a socket at
	 * the last count: at the limit their datagrams open none and pass.
	 * Open addressing; 0 is a free slot.
	 */
	u64 udp_flows[USER_UDP_SLOTS];
	unsigned int nr_udp_flows;
	u8 frame[USER_FRAME_MAX];
};

static ssize_t user_send(const void *buf, size_t len, void *opaque)
{
	struct net_user *u = opaque;
	u8 hdr[NET_HDR_LEN] = { 0 };
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)buf, .iov_len = len },
	};
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	/* A guest without receive buffers: the frame is lost, as on a wire. */
	if (sendmsg(u->fd, &m, MSG_DONTWAIT) < 0 && errno != EAGAIN)
		pr_debug("user network: to the guest: %s", strerror(errno));
	return (ssize_t)len;
}

static void user_guest_error(const char *msg, void *opaque)
{
	pr_warn_ratelimited("user network: guest error: %s", msg);
}

static s64 user_clock(void *opaque)
{
	return (s64)mono_now_ns();
}

static void *user_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct net_user *u = opaque;
	struct user_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = u->timers;
	u->timers = t;
	return t;
}

static void user_timer_free(void *timer, void *opaque)
{
	struct net_user *u = opaque;
	struct user_timer **pp;

	for (pp = &u->timers; *pp; pp = &(*pp)->next)
		if (*pp == timer) {
			*pp = ((struct user_timer *)timer)->next;
			free(timer);
			return;
		}
}

static void user_timer_mod(void *timer, s64 expire_ms, void *opaque)
{
	((struct user_timer *)timer)->expire_ms = expire_ms;
}

static void user_poll_fd(int fd, void *opaque)
{
}

static void user_notify(void *opaque)
{
}

static const SlirpCb user_cb = {
	.send_packet = user_send,
	.guest_error = user_guest_error,
	.clock_get_ns = user_clock,
	.timer_new = user_timer_new,
	.timer_free = user_timer_free,
	.timer_mod = user_timer_mod,
	.register_poll_fd = user_poll_fd,
	.unregister_poll_fd = user_poll_fd,
	.notify = user_notify,
};

static short to_poll(int ev)
{
	short p = 0;

	if (ev & SLIRP_POLL_IN)
		p |= POLLIN;
	if (ev & SLIRP_POLL_OUT)
		p |= POLLOUT;
	if (ev & SLIRP_POLL_PRI)
		p |= POLLPRI;
	if (ev & SLIRP_POLL_ERR)
		p |= POLLERR;
	if (ev & SLIRP_POLL_HUP)
		p |= POLLHUP;
	return p;
}

static bool user_listener(const struct net_user *u, int fd)
{
	unsigned int i;

	for (i = 0; i < u->nr_listeners; i++)
		if (u->listeners[i] == fd)
			return true;
	return false;
}

static int user_add_poll(int fd, int events, void *opaque)
{
	struct net_user *u = opaque;

	u->nsock++;
	/* At the limit, host connections wait in the listener's backlog. */
	if (u->full && user_listener(u, fd))
		return -1;
	if (u->npfd >= USER_MAX_POLL) {
		pr_warn_ratelimited("user network: more than %d sockets",
				    USER_MAX_POLL - 2);
		return -1;
	}
	u->pfd[u->npfd] = (struct pollfd){ .fd = fd, .events = to_poll(events) };
	return (int)u->npfd++;
}

static int user_get_revents(int idx, void *opaque)
{
	struct net_user *u = opaque;
	short r;
	int ev = 0;

	if (idx < 0 || (unsigned int)idx >= u->npfd)
		return 0;
	r = u->pfd[idx].revents;
	/* A listener that is readable: libslirp accepts one connection. */
	if (r & POLLIN && user_listener(u, u->pfd[idx].fd))
		u->full = ++u->socks >= u->max_socks;
	if (r & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (r & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

/*
 * Might libslirp open a host socket for this frame of n bytes? An IPv4 or
 * IPv6 datagram that is UDP (DHCP aside: libslirp answers it itself), a
 * TCP SYN, an ICMP echo request, a fragment or anything it cannot see
 * into; not ARP, neighbour discovery or a segment of a connection.
 */
static bool user_may_open(const u8 *f, size_t n)
{
	unsigned int type = n >= 14 ? (unsigned int)f[12] << 8 | f[13] : 0;
	const u8 *l4;
	u8 proto;

	if (type == 0x0800 && n >= 14 + 20) {
		size_t ihl = (size_t)(f[14] & 0xf) * 4;

		/* Fragments: libslirp reassembles them first. */
		if ((f[14 + 6] & 0x3f) || f[14 + 7] || n < 14 + ihl + 14)
			return true;
		proto = f[14 + 9];
		l4 = f + 14 + ihl;
		if (proto == 1)		/* ICMP: an echo request */
			return l4[0] == 8;
	} else if (type == 0x86dd && n >= 14 + 40 + 14) {
		proto = f[14 + 6];
		l4 = f + 14 + 40;
		if (proto == 58)	/* ICMPv6: an echo request */
			return l4[0] == 128;
	} else {
		return type == 0x0800 || type == 0x86dd;
	}
	if (proto == 6)			/* TCP: SYN without ACK */
		return (l4[13] & 0x12) == 0x02;
	if (proto == 17)		/* UDP: all but DHCP's broadcasts */
		return (l4[2] << 8 | l4[3]) != 67 || type != 0x0800 ||
		       memcmp(f + 14 + 16, "\xff\xff\xff\xff", 4);
	return true;
}

/* A UDP flow as libslirp finds its socket: the guest's address and port. */
static u64 udp_key(u32 addr, unsigned int port)
{
	return 1ULL << 48 | (u64)addr << 16 | port;
}

/*
 * The flow of a frame of n bytes that is an IPv4 UDP datagram, whole (not
 * a fragment); else 0.
 */
static u64 user_udp_key(const u8 *f, size_t n)
{
	size_t ihl;

	if (n < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 17)
		return 0;
	ihl = (size_t)(f[14] & 0xf) * 4;
	if (ihl < 20 || n < 14 + ihl + 8 || (f[14 + 6] & 0x3f) || f[14 + 7])
		return 0;
	return udp_key((u32)f[26] << 24 | (u32)f[27] << 16 |
		       (u32)f[28] << 8 | f[29],
		       (unsigned int)f[14 + ihl] << 8 | f[14 + ihl + 1]);
}

static unsigned int udp_slot(u64 key)
{
	return (unsigned int)((key * 0x9e3779b97f4a7c15ULL) >> 52) &
	       (USER_UDP_SLOTS - 1);
}

/* Note a flow; past half the slots, no more (their datagrams wait). */
static void user_udp_note(struct net_user *u, u64 key)
{
	unsigned int i = udp_slot(key);

	if (u->nr_udp_flows >= USER_UDP_SLOTS / 2)
		return;
	while (u->udp_flows[i] && u->udp_flows[i] != key)
		i = (i + 1) & (USER_UDP_SLOTS - 1);
	if (!u->udp_flows[i]) {
		u->udp_flows[i] = key;
		u->nr_udp_flows++;
	}
}

static bool user_udp_known(const struct net_user *u, u64 key)
{
	unsigned int i = udp_slot(key);

	if (!key)
		return false;
	for (; u->udp_flows[i]; i = (i + 1) & (USER_UDP_SLOTS - 1))
		if (u->udp_flows[i] == key)
			return true;
	return false;
}

/*
 * Note the guest's end of a UDP line of the connection list, from after
 * its descriptor: "ADDR PORT ADDR PORT ..." with the guest's address
 * first, or second for a hostfwd rule's socket (the host's end first).
 * Not "*" (IPv6 sockets show it too), nor what does not parse.
 */
static void user_udp_line(struct net_user *u, const char *s, bool hostfwd)
{
	char a[2][16];
	unsigned int port[2];
	struct in_addr in;

	if (sscanf(s, "%15s %u %15s %u", a[0], &port[0], a[1], &port[1]) == 4 &&
	    port[hostfwd] <= 0xffff &&
	    inet_pton(AF_INET, a[hostfwd], &in) == 1)
		user_udp_note(u, udp_key(ntohl(in.s_addr), port[hostfwd]));
}

/*
 * Count libslirp's sockets: the lines of its connection list with a
 * descriptor ("  UDP[12 sec]   7  10.0.2.15 ..."), the TCP listeners of
 * hostfwd rules and the guest's IPv4 UDP flows among them noted.
 */
static void user_count(struct net_user *u)
{
	char *info, *line, *next, *p, *end;
	unsigned int n = 0;
	long fd;

	u->counted_ms = mono_now_ms();
	info = sl.connection_info ? sl.connection_info(u->slirp) : NULL;
	if (!info) {
		u->socks = u->nsock + u->new_flows;
		return;
	}
	u->nr_listeners = 0;
	memset(u->udp_flows, 0, sizeof(u->udp_flows));
	u->nr_udp_flows = 0;
	/* The first line names the columns. */
	for (line = strchr(info, '\n'); line; line = next) {
		next = strchr(++line, '\n');
		p = strchr(line, ']');
		if (!p || (next && p > next))
			continue;
		fd = strtol(p + 1, &end, 10);
		if (end == p + 1 || fd < 0)
			continue;
		n++;
		/* Within the line: strstr() would scan the whole list. */
		line += strspn(line, " ");
		if (!strncmp(line, "TCP[HOST_FORWARD]",
			     strlen("TCP[HOST_FORWARD]")) &&
		    u->nr_listeners < USER_MAX_LISTENERS)
			u->listeners[u->nr_listeners++] = (int)fd;
		else if (!strncmp(line, "UDP[", 4))
			user_udp_line(u, end,
				      !strncmp(line, "UDP[HOST_FORWARD]",
					       strlen("UDP[HOST_FORWARD]")));
	}
	/* Allocated by glib, whose allocator is malloc's. */
	free(info);
	u->socks = n;
	u->counted_full = n >= u->max_socks;
}

/*
 * May a guest frame of n bytes that might open a socket go to libslirp?
 * At the limit, a datagram of a UDP flow that has its socket may.
 */
static bool user_flow_ok(struct net_user *u, const u8 *f, size_t n)
{
	if (!sl.connection_info)
		u->socks = u->nsock + u->new_flows;
	else if (u->socks >= u->max_socks &&
		 (!u->counted_full ||
		  mono_now_ms() - u->counted_ms >= USER_RECOUNT_MS))
		user_count(u);
	u->full = u->socks >= u->max_socks;
	if (u->full && user_udp_known(u, user_udp_key(f, n)))
		return true;
	if (u->full) {
		pr_warn_ratelimited("user network: the guest has %u host sockets, all it may: a new flow refused",
				    u->socks);
		return false;
	}
	u->socks++;
	u->new_flows++;
	return true;
}

/* Frames from the guest: header off, into libslirp. */
static void user_from_guest(struct net_user *u)
{
	const u8 *f = u->frame + NET_HDR_LEN;
	ssize_t n;

	for (;;) {
		n = recv(u->fd, u->frame, sizeof(u->frame), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= NET_HDR_LEN)
			return;
		if (user_may_open(f, (size_t)n - NET_HDR_LEN) &&
		    !user_flow_ok(u, f, (size_t)n - NET_HDR_LEN))
			continue;
		sl.input(u->slirp, f, (int)(n - NET_HDR_LEN));
	}
}

static void user_run_timers(struct net_user *u)
{
	s64 now = (s64)mono_now_ns() / 1000000;
	struct user_timer *t;
	bool again = true;

	/* A callback may re-arm or free timers: start over after each. */
	while (again) {
		again = false;
		for (t = u->timers; t; t = t->next) {
			if (t->expire_ms < 0 || t->expire_ms > now)
				continue;
			t->expire_ms = -1;
			t->cb(t->cb_opaque);
			again = true;
			break;
		}
	}
}

static int user_timeout(struct net_user *u, u32 slirp_ms)
{
	s64 now = (s64)mono_now_ns() / 1000000, t = slirp_ms;
	struct user_timer *tm;

	for (tm = u->timers; tm; tm = tm->next)
		if (tm->expire_ms >= 0)
			t = MIN(t, MAX(tm->expire_ms - now, (s64)0));
	return (int)MIN(t, (s64)1000);
}

/*
 * libslirp parses the guest's frames on this thread, and its filter lets
 * it open files for reading (the resolver's configuration, reread as it
 * changes) and make the IP sockets libslirp makes (TCP, UDP, ICMP; never
 * MPTCP or SCTP), but not bind or listen: the hostfwd listeners are
 * bound and listening before it starts, and it binds none
 * (lib/seccomp-policy.c, g_net). Landlock keeps those opens to that one
 * file (traced with strace on tests/net/user-netns: the thread opens
 * nothing else; libslirp looks no name up, so no hosts or nsswitch.conf),
 * from ABI 4 (Linux 6.7) refuses the thread every TCP bind as a second
 * wall, from ABI 6 every abstract Unix socket made outside, from ABI 7
 * every signal to another process. A bug in libslirp cannot read the
 * user's files nor bind or listen on a port (tests/unit/landlock.c,
 * tests/unit/net-confine.c); what still gets a port is the kernel's
 * ephemeral one of a connect or of a UDP socket's first send. TCP
 * connects are not restricted: the guest's NAT reaches any address and
 * port.
 */
static void user_landlock(void)
{
	const char *why = NULL;
	int r = landlock_user_net("/etc/resolv.conf", &why);

	if (r < 0)
		pr_warn("user network: Landlock: %s", strerror(-r));
	else if (r == 0)
		pr_info("user network: no Landlock: %s", why);
	else if (why)
		pr_debug("user network: %s", why);
}

static void *user_thread(void *arg)
{
	struct net_user *u = arg;
	u32 timeout;
	int r;

	user_landlock();
	sc_thread_enter(SC_ROLE_NET, -1);
	/* The hostfwd listeners, before any guest frame. */
	user_count(u);
	for (;;) {
		/* Held back: see whether some closed. */
		if (u->full && sl.connection_info &&
		    mono_now_ms() - u->counted_ms >= USER_FULL_RECOUNT_MS) {
			user_count(u);
			u->full = u->socks >= u->max_socks;
		}
		timeout = 1000;
		u->npfd = 0;
		u->pfd[u->npfd++] = (struct pollfd){ .fd = u->wake,
						      .events = POLLIN };
		u->pfd[u->npfd++] = (struct pollfd){ .fd = u->fd,
						      .events = POLLIN };
		u->nsock = 0;
		u->new_flows = 0;
		sl.pollfds_fill(u->slirp, &timeout, user_add_poll, u);
		r = poll(u->pfd, u->npfd, user_timeout(u, timeout));
		if (r < 0 && errno != EINTR) {
			pr_err("user network: poll: %s", strerror(errno));
			return NULL;
		}
		if (u->pfd[0].revents)
			return NULL;
		sl.pollfds_poll(u->slirp, r < 0, user_get_revents, u);
		if (u->pfd[1].revents & POLLIN)
			user_from_guest(u);
		user_run_timers(u);
	}
}

static void user_close(struct net_backend *be)
{
	struct net_user *u = be->priv;
	u64 one = 1;

	if (u->started) {
		if (write(u->wake, &one, sizeof(one)) == sizeof(one))
			pthread_join(u->thread, NULL);
		else
			pr_err("user network: cannot stop: %s",
			       strerror(errno));
	}
	if (u->slirp)
		sl.cleanup(u->slirp);
	while (u->timers)
		user_timer_free(u->timers, u);
	if (u->wake >= 0)
		close(u->wake);
	if (u->fd >= 0)
		close(u->fd);
	if (be->fds[0] >= 0)
		close(be->fds[0]);
	free(u);
}

/* libslirp, its forwarding rules and its thread. */
static int user_start(struct net_user *u, char *err, size_t errlen)
{
	unsigned int i;
	int r;

	pthread_once(&sl_once, sl_load);
	if (!sl.ok) {
		snprintf(err, errlen,
			 "cannot load libslirp.so.0 (Debian's libslirp0) for user-mode networking; -n none goes without");
		return -ENOENT;
	}
	u->slirp = sl.new(&u->cfg, &user_cb, u);
	if (!u->slirp) {
		r = -ENOMEM;
		snprintf(err, errlen, "user network: libslirp refused to start");
		return r;
	}
	/* Bound here: the thread's Landlock refuses it TCP binds. */
	for (i = 0; i < u->opt.nr_fwd; i++) {
		const struct net_hostfwd *f = &u->opt.fwd[i];

		if (sl.add_hostfwd(u->slirp, f->udp, f->host_addr,
				      f->host_port, f->guest_addr.s_addr ?
				      f->guest_addr : u->opt.guest,
				      f->guest_port)) {
			r = -EADDRINUSE;
			snprintf(err, errlen,
				 "hostfwd %s:%u-:%u: cannot listen on the host's port %u",
				 f->udp ? "udp" : "tcp", f->host_port,
				 f->guest_port, f->host_port);
			return r;
		}
	}
	r = -pthread_create(&u->thread, NULL, user_thread, u);
	if (r) {
		snprintf(err, errlen, "user network: thread: %s",
			 strerror(-r));
		return r;
	}
	u->started = true;
	return 0;
}

/* The driver is setting the device up: a lazy NIC starts now. */
static int user_set_offload(struct net_backend *be, unsigned int offloads)
{
	struct net_user *u = be->priv;
	char err[256];
	int r;

	if (u->started || u->lazy_failed)
		return u->lazy_failed ? -EIO : 0;
	r = user_start(u, err, sizeof(err));
	if (r) {
		u->lazy_failed = true;
		pr_err("user network: %s", err);
	}
	return r;
}

static const struct net_backend_ops user_ops = {
	.name = "user",
	.set_offload = user_set_offload,
	.close = user_close,
};

bool net_user_available(void)
{
	return true;
}

void net_user_preload(void)
{
	pthread_once(&sl_once, sl_load);
}

int net_user_open(struct net_backend **out, const struct net_user_options *o,
		  char *err, size_t errlen)
{
	u32 host = ntohl(o->host.s_addr), guest = ntohl(o->guest.s_addr);
	SlirpConfig cfg = { .version = 1 };
	struct net_user *u;
	int sv[2], sz = 4 * USER_FRAME_MAX, r;
	unsigned int i;

	if (!net_user_addrs_ok(o->host, o->guest)) {
		snprintf(err, errlen,
			 "host_ip and guest_ip must be two host addresses of one /24");
		return -EINVAL;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	u->be.ops = &user_ops;
	u->be.priv = u;
	u->be.nr_queues = 1;
	u->be.sock = true;
	u->be.fds[0] = u->fd = -1;
	u->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->wake < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv)) {
		r = -errno;
		snprintf(err, errlen, "user network: %s", strerror(errno));
		goto fail;
	}
	u->be.fds[0] = sv[0];
	u->fd = sv[1];
	for (i = 0; i < 2; i++)
		if (setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)) ||
		    setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz))) {
			r = -errno;
			snprintf(err, errlen, "user network: %s",
				 strerror(errno));
			goto fail;
		}
	cfg.in_enabled = true;
	cfg.vnetwork.s_addr = htonl(host & 0xffffff00);
	cfg.vnetmask.s_addr = htonl(0xffffff00);
	cfg.vhost = o->host;
	cfg.vdhcp_start = o->guest;
	/* The DNS forwarder: .3 of the network, or .2 where that is taken. */
	cfg.vnameserver.s_addr = htonl((host & 0xffffff00) |
				       ((host & 0xff) == 3 ||
					(guest & 0xff) == 3 ? 2 : 3));
	cfg.if_mtu = 1500;
	cfg.if_mru = 1500;
	u->cfg = cfg;
	u->opt = *o;
	u->max_socks = o->max_sockets && o->max_sockets < NET_USER_SOCKETS_MAX ?
		       o->max_sockets : NET_USER_SOCKETS_MAX;
	/*
	 * Under seccomp filters nothing can load libslirp later: dlopen()
	 * opens the libraries and maps their code executable, which no
	 * role's filter allows. That load is what the start costs (0.3 ms,
	 * 1.4 MiB here); slirp_new() alone (0.03 ms, 0.1 MiB) is not worth
	 * deferring into the filtered thread (README, virtio-net figures).
	 */
	if (o->lazy && !o->nr_fwd && !sc_pools_eager()) {
		*out = &u->be;
		return 0;
	}
	r = user_start(u, err, errlen);
	if (r)
		goto fail;
	*out = &u->be;
	return 0;
fail:
	user_close(&u->be);
	return r;
}

#else	/* !LKVM_HAVE_SLIRP */

bool net_user_available(void)
{
	return false;
}

void net_user_preload(void)
{
}

int net_user_open(struct net_backend **out, const struct net_user_options *o,
		  char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "mode=user needs libslirp, which this lkvm was built without");
	return -ENOTSUP;
}

#endif
