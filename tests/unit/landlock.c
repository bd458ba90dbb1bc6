// SPDX-License-Identifier: GPL-2.0
/*
 * lib/landlock.c: the user-mode network thread's confinement. Each case
 * runs in a child process (Landlock binds the thread that asks, for
 * good), which reports the errno of each call back through a pipe. The
 * resolver's file reads, and where it is a symbolic link the link, its
 * target and the files beside the target (the manager's own directory,
 * where its updates are renamed in); any other file (one beside it or
 * beside the link, /etc/passwd beside the host's /etc/resolv.conf) is
 * refused with EACCES, and so is a plain resolver file renamed into its
 * place afterwards; nothing is written, made or
 * removed. From Landlock ABI 4, no TCP port binds, 0 included, while a
 * listener bound before (a hostfwd rule's) still takes connections, TCP
 * connects and UDP binds go through (lkvm-net's seccomp filter refuses
 * every bind: tests/unit/net-confine.c). From ABI 6, no connect to an
 * abstract Unix socket made outside; from ABI 7, no signal to another
 * process, while a thread of its own still takes one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock.h"
#include "tap.h"

static char scratch_dir[] = "/tmp/lkvm-landlock-XXXXXX";
#include "scratch-files.h"

/* 0 when path opens with flags, else errno. */
static int try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

#define MAX_RES 8

/* In a child: confine to resolv, signal, wait, then open each of paths. */
static int confined(const char *resolv, const char *const *paths,
		    const int *flags, unsigned int n, int *res, bool pause)
{
	int up[2], down[2], st;
	const char *why = "";
	char c = 0;
	pid_t pid;

	if (pipe(up) || pipe(down))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int r[MAX_RES + 1];
		unsigned int i;

		r[0] = landlock_user_net(resolv, &why);
		if (write(up[1], &c, 1) != 1 ||
		    (pause && read(down[0], &c, 1) != 1))
			_exit(2);
		for (i = 0; i < n; i++)
			r[i + 1] = try_open(paths[i], flags[i]);
		_exit(write(up[1], r, sizeof(r)) == sizeof(r) ? 0 : 2);
	}
	if (read(up[0], &c, 1) != 1)
		return -EIO;
	if (pause && rename(at("etc/new.conf"), at("etc/resolv.conf")))
		return -errno;
	if (pause && write(down[1], &c, 1) != 1)
		return -EIO;
	if (read(up[0], res, sizeof(int) * (MAX_RES + 1)) !=
	    (ssize_t)(sizeof(int) * (MAX_RES + 1)))
		return -EIO;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -ECHILD;
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	return 0;
}

static void plain_file(void)
{
	const char *const paths[] = {
		at("etc/resolv.conf"), at("etc/passwd"), at("secret/key"),
		"/etc/passwd", at("etc/resolv.conf"), at("etc/made"),
		at("etc"),
	};
	const int flags[] = {
		O_RDONLY, O_RDONLY, O_RDONLY, O_RDONLY, O_WRONLY,
		O_WRONLY | O_CREAT, O_RDONLY | O_DIRECTORY,
	};
	int res[MAX_RES + 1];

	ok(confined(at("etc/resolv.conf"), paths, flags, 7, res, false) == 0,
	   "a child confined to %s ran", at("etc/resolv.conf"));
	ok(res[0] == 1, "landlock_user_net() confined it (%d)", res[0]);
	ok(res[1] == 0, "the resolver's file reads (%s)", strerror(res[1]));
	ok(res[2] == EACCES, "a file beside it, in its directory: EACCES (%s)",
	   strerror(res[2]));
	ok(res[3] == EACCES, "a key in a directory beside that: EACCES (%s)",
	   strerror(res[3]));
	ok(res[4] == EACCES, "/etc/passwd: EACCES (%s)", strerror(res[4]));
	ok(res[5] == EACCES, "the resolver's file for writing: EACCES (%s)",
	   strerror(res[5]));
	ok(res[6] == EACCES, "a new file beside it: EACCES (%s)",
	   strerror(res[6]));
	ok(res[7] == EACCES, "its directory listed: EACCES (%s)",
	   strerror(res[7]));
	ok(access(at("etc/made"), F_OK) && errno == ENOENT,
	   "and that file was never made");
}

/*
 * The rule is on the file, not its name: one renamed into its place
 * after the thread confined itself does not read (libslirp then keeps
 * the name server it read last).
 */
static void replaced_file(void)
{
	const char *const paths[] = { at("etc/resolv.conf") };
	const int flags[] = { O_RDONLY };
	int res[MAX_RES + 1];

	ok(confined(at("etc/resolv.conf"), paths, flags, 1, res, true) == 0 &&
	   res[0] == 1, "a child confined to the resolver's file ran, confined");
	ok(res[1] == EACCES,
	   "a file renamed over the resolver's file afterwards: EACCES (%s)",
	   strerror(res[1]));
}

static void linked_file(void)
{
	const char *const paths[] = {
		at("etc/link.conf"), at("run/stub.conf"), at("run/other.conf"),
		at("secret/key"), at("etc/passwd"), at("run/stub.conf"),
	};
	const int flags[] = { O_RDONLY, O_RDONLY, O_RDONLY, O_RDONLY, O_RDONLY,
			      O_RDWR };
	int res[MAX_RES + 1];

	ok(confined(at("etc/link.conf"), paths, flags, 6, res, false) == 0 &&
	   res[0] == 1, "a child confined to a symbolic link ran, confined");
	ok(res[1] == 0 && res[2] == 0,
	   "the link and its target in another directory read (%s, %s)",
	   strerror(res[1]), strerror(res[2]));
	ok(res[3] == EACCES,
	   "a file beside the target, in a directory not a resolver manager's: EACCES (%s)",
	   strerror(res[3]));
	ok(res[4] == EACCES && res[5] == EACCES,
	   "a key elsewhere, a file beside the link: EACCES (%s, %s)",
	   strerror(res[4]), strerror(res[5]));
	ok(res[6] == EACCES, "the target for writing: EACCES (%s)",
	   strerror(res[6]));
}

/*
 * A link into a home directory: its target reads, nothing beneath that
 * directory else (a rule on it would cover its whole tree).
 */
static void linked_home(void)
{
	const char *const paths[] = {
		at("home/u/resolv.conf"), at("home/u/.ssh/id"), at("home/u/x"),
	};
	const int flags[] = { O_RDONLY, O_RDONLY, O_RDONLY };
	int res[MAX_RES + 1];

	ok(confined(at("etc/home.conf"), paths, flags, 3, res, false) == 0 &&
	   res[0] == 1, "a child confined to a link into a home directory ran, confined");
	ok(res[1] == 0 && res[2] == EACCES && res[3] == EACCES,
	   "its target reads, a key beneath that directory and a file beside it do not (%s, %s, %s)",
	   strerror(res[1]), strerror(res[2]), strerror(res[3]));
	ok(landlock_resolver_dir_known("/run/systemd/resolve") &&
	   landlock_resolver_dir_known("/run/resolvconf") &&
	   !landlock_resolver_dir_known("/home/u") &&
	   !landlock_resolver_dir_known("/mnt/wsl") &&
	   !landlock_resolver_dir_known("/etc/ssl") &&
	   !landlock_resolver_dir_known("/run") &&
	   !landlock_resolver_dir_known("/run/systemd/resolve/sub"),
	   "a resolver manager's directory is one of a few by name, nothing beneath or above");
}

/* A loop of links: no rule, confined all the same (was: unconfined). */
static void looped_file(void)
{
	const char *const paths[] = { at("secret/key"), "/etc/passwd" };
	const int flags[] = { O_RDONLY, O_RDONLY };
	int res[MAX_RES + 1];

	ok(confined(at("etc/loop.conf"), paths, flags, 2, res, false) == 0 &&
	   res[0] == 1, "a resolver file that is a loop of links: confined all the same (%d)",
	   res[0]);
	ok(res[1] == EACCES && res[2] == EACCES,
	   "... nothing reads (%s, %s)", strerror(res[1]), strerror(res[2]));
}

static void missing_file(void)
{
	const char *const paths[] = { at("secret/key"), at("etc/resolv.conf") };
	const int flags[] = { O_RDONLY, O_RDONLY };
	int res[MAX_RES + 1];

	ok(confined(at("none/resolv.conf"), paths, flags, 2, res, false) == 0 &&
	   res[0] == 1, "a resolver file in a missing directory: confined all the same");
	ok(res[1] == EACCES && res[2] == EACCES,
	   "nothing reads (%s, %s)", strerror(res[1]), strerror(res[2]));
	ok(confined(at("etc/gone.conf"), paths, flags, 2, res, false) == 0 &&
	   res[0] == 1, "a missing resolver file: confined all the same");
	ok(res[1] == EACCES && res[2] == EACCES,
	   "nothing reads (%s, %s)", strerror(res[1]), strerror(res[2]));
	ok(confined(at("secret"), paths, flags, 2, res, false) == 0 &&
	   res[0] == 1, "a directory for the resolver's file: confined");
	ok(res[1] == EACCES && res[2] == EACCES,
	   "and nothing beneath it reads (%s, %s)", strerror(res[1]),
	   strerror(res[2]));
}

/* The path devices/net-slirp.c passes: the host's own /etc. */
static void host_etc(void)
{
	const char *const paths[] = {
		"/etc/resolv.conf", "/etc/passwd", "/etc/hosts",
	};
	const int flags[] = { O_RDONLY, O_RDONLY, O_RDONLY };
	int before = try_open("/etc/resolv.conf", O_RDONLY);
	int res[MAX_RES + 1];

	ok(confined("/etc/resolv.conf", paths, flags, 3, res, false) == 0 &&
	   res[0] == 1, "a child confined to /etc/resolv.conf ran, confined");
	if (before)
		skip(strerror(before), "/etc/resolv.conf reads");
	else
		ok(res[1] == 0, "/etc/resolv.conf reads (%s)",
		   strerror(res[1]));
	ok(res[2] == EACCES && res[3] == EACCES,
	   "/etc/passwd and /etc/hosts beside it: EACCES (%s, %s)",
	   strerror(res[2]), strerror(res[3]));
}

/* A socket of type bound to 127.0.0.1:port: 0, else errno. */
static int try_bind(int type, unsigned int port, int *fd)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int s = socket(AF_INET, type | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return errno;
	if (bind(s, (struct sockaddr *)&a, sizeof(a)))
		err = errno;
	if (fd && !err)
		*fd = s;
	else
		close(s);
	return err;
}

/* The port a socket is bound to, or 0. */
static unsigned int port_of(int s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(s, (struct sockaddr *)&a, &len))
		return 0;
	return ntohs(a.sin_port);
}

enum {
	TCP_CONFINED, TCP_OLD_ABI, TCP_BIND_PORT, TCP_BIND_ZERO, UDP_BIND,
	TCP_CONNECT, TCP_ACCEPT, TCP_NR
};

/*
 * In a child: a listener bound first (a hostfwd rule's), a port seen
 * free; confined; then bind, connect to the listener and accept.
 */
static void tcp_child(int out)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int r[TCP_NR] = { 0 }, lfd = -1, fd = -1, c;
	unsigned int port;
	const char *why = NULL;

	if (try_bind(SOCK_STREAM, 0, &lfd) || listen(lfd, 1) ||
	    try_bind(SOCK_STREAM, 0, &fd))
		_exit(2);
	a.sin_port = htons(port_of(lfd));
	port = port_of(fd);
	close(fd);
	r[TCP_CONFINED] = landlock_user_net(at("etc/resolv.conf"), &why);
	r[TCP_OLD_ABI] = why != NULL;
	r[TCP_BIND_PORT] = try_bind(SOCK_STREAM, port, NULL);
	r[TCP_BIND_ZERO] = try_bind(SOCK_STREAM, 0, NULL);
	r[UDP_BIND] = try_bind(SOCK_DGRAM, 0, NULL);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		r[TCP_CONNECT] = errno;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		r[TCP_ACCEPT] = errno;
	_exit(write(out, r, sizeof(r)) == sizeof(r) ? 0 : 2);
}

static void tcp_binds(void)
{
	int r[TCP_NR], p[2], st;
	pid_t pid;

	if (pipe(p)) {
		ok(0, "a pipe for TCP's child: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		ok(0, "a child for TCP: %s", strerror(errno));
		return;
	}
	if (!pid)
		tcp_child(p[1]);
	close(p[1]);
	if (read(p[0], r, sizeof(r)) != sizeof(r) ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		ok(0, "a child for TCP ran");
		close(p[0]);
		return;
	}
	close(p[0]);
	ok(r[TCP_CONFINED] == 1, "a child for TCP confined itself (%d)",
	   r[TCP_CONFINED]);
	if (r[TCP_OLD_ABI]) {
		skip("Landlock before ABI 4", "TCP binds refused");
	} else {
		ok(r[TCP_BIND_PORT] == EACCES,
		   "a TCP bind to a port that was free: EACCES (%s)",
		   strerror(r[TCP_BIND_PORT]));
		ok(r[TCP_BIND_ZERO] == EACCES,
		   "a TCP bind to port 0 (ephemeral): EACCES (%s)",
		   strerror(r[TCP_BIND_ZERO]));
	}
	ok(r[UDP_BIND] == 0, "a UDP bind goes through (%s)",
	   strerror(r[UDP_BIND]));
	ok(r[TCP_CONNECT] == 0 && r[TCP_ACCEPT] == 0,
	   "a TCP connect goes through, and a listener bound before takes it (%s, %s)",
	   strerror(r[TCP_CONNECT]), strerror(r[TCP_ACCEPT]));
}

enum { SC_CONFINED, SC_ABI, SC_UNIX, SC_SIGNAL, SC_SIBLING, SC_NR };

static void on_sigurg(int sig)
{
}

static void *sibling_wait(void *arg)
{
	char c;

	return read(*(int *)arg, &c, 1) == 1 ? NULL : arg;
}

/*
 * In a child: a sibling thread started, then confined; a connect to an
 * abstract Unix socket the parent made, a signal to the parent, one to
 * the sibling (a thread of its own process, outside its domain).
 */
static void scope_child(int out, const struct sockaddr_un *addr,
			socklen_t len)
{
	int r[SC_NR] = { 0 }, p[2], fd;
	const char *why = NULL;
	pthread_t t;

	if (pipe(p) || signal(SIGURG, on_sigurg) == SIG_ERR ||
	    pthread_create(&t, NULL, sibling_wait, &p[0]))
		_exit(2);
	r[SC_CONFINED] = landlock_user_net(at("etc/resolv.conf"), &why);
	r[SC_ABI] = landlock_abi(&why);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)addr, len))
		r[SC_UNIX] = errno;
	if (kill(getppid(), SIGURG))
		r[SC_SIGNAL] = errno;
	r[SC_SIBLING] = pthread_kill(t, SIGURG);
	if (write(p[1], "", 1) != 1 || pthread_join(t, NULL))
		_exit(2);
	_exit(write(out, r, sizeof(r)) == sizeof(r) ? 0 : 2);
}

/* From ABI 6 and 7: abstract Unix sockets and signals kept in scope. */
static void scoped(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int r[SC_NR], p[2], st, lfd;
	socklen_t len;
	pid_t pid;

	/* An abstract name: a NUL first. */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			  snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1,
				   "lkvm-landlock-%d", (int)getpid()));
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, len) ||
	    listen(lfd, 1) || signal(SIGURG, on_sigurg) == SIG_ERR ||
	    pipe(p)) {
		ok(0, "an abstract Unix listener: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		ok(0, "a child for scopes: %s", strerror(errno));
		return;
	}
	if (!pid)
		scope_child(p[1], &addr, len);
	close(p[1]);
	if (read(p[0], r, sizeof(r)) != sizeof(r) ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		ok(0, "a child for scopes ran");
		close(p[0]);
		close(lfd);
		return;
	}
	close(p[0]);
	close(lfd);
	ok(r[SC_CONFINED] == 1, "a child for scopes confined itself (%d)",
	   r[SC_CONFINED]);
	if (r[SC_ABI] < LANDLOCK_ABI_SCOPE)
		skip("Landlock before ABI 6", "an abstract Unix socket refused");
	else
		ok(r[SC_UNIX] == EPERM,
		   "a connect to an abstract Unix socket made outside: EPERM (%s)",
		   strerror(r[SC_UNIX]));
	if (r[SC_ABI] < LANDLOCK_ABI_SIGNAL)
		skip("Landlock before ABI 7", "a signal to another process refused");
	else
		ok(r[SC_SIGNAL] == EPERM,
		   "a signal to another process (the parent): EPERM (%s)",
		   strerror(r[SC_SIGNAL]));
	ok(r[SC_SIBLING] == 0,
	   "a signal to a thread of its own process started before: sent (%s)",
	   strerror(r[SC_SIBLING]));
}

int main(void)
{
	const char *why = "";
	int abi = landlock_abi(&why);
	char cmd[64];

	if (abi <= 0) {
		skip(abi < 0 ? strerror(-abi) : why, "Landlock");
		return tap_done();
	}
	if (!mkdtemp(scratch_dir) || mkdir(at("etc"), 0700) || mkdir(at("run"), 0700) ||
	    mkdir(at("secret"), 0700) ||
	    symlink("../run/stub.conf", at("etc/link.conf")) ||
	    mkdir(at("home"), 0700) || mkdir(at("home/u"), 0700) ||
	    mkdir(at("home/u/.ssh"), 0700) ||
	    symlink("../home/u/resolv.conf", at("etc/home.conf")) ||
	    symlink("loop.conf", at("etc/loop.conf"))) {
		perror(scratch_dir);
		return 1;
	}
	put("etc/resolv.conf", "nameserver 192.0.2.1\n");
	put("etc/new.conf", "nameserver 192.0.2.2\n");
	put("etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	put("run/stub.conf", "nameserver 127.0.0.53\n");
	put("run/other.conf", "nameserver 127.0.0.54\n");
	put("secret/key", "secret\n");
	put("home/u/resolv.conf", "nameserver 192.0.2.3\n");
	put("home/u/.ssh/id", "a private key\n");
	put("home/u/x", "the user's\n");
	plain_file();
	replaced_file();
	linked_file();
	linked_home();
	looped_file();
	missing_file();
	host_etc();
	tcp_binds();
	scoped();
	ok(landlock_fs_rights(1) == 0x1fff && landlock_fs_rights(3) == 0x7fff,
	   "ABI 1 handles 13 rights, ABI 3 15");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch_dir);
	if (system(cmd))
		return 1;
	return tap_done();
}
