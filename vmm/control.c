// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VM control socket: requests from `lkvm stop`, `lkvm stat` ...
 * answered on a control thread of their own, so that pause and debug,
 * which wait for the vCPUs, never hold up the I/O thread. Every wait here
 * is bounded: a client has CONTROL_CLIENT_TIMEOUT_MS to send its request
 * and to take its reply, and a pause gives up after
 * CONTROL_PAUSE_TIMEOUT_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "deadline.h"
#include "log.h"
#include "main-helper.h"
#include "seccomp-filter.h"
#include "vm.h"

#define CONTROL_MAX_CLIENTS 8
/* After accept() runs out of descriptors or memory: wait, do not spin. */
#define CONTROL_ACCEPT_BACKOFF_MS 200

struct control_client {
	int fd;			/* -1: free */
	char req[CONTROL_MAX_REQUEST];
	size_t len;
	u64 deadline_ms;
};

struct control {
	struct vm *vm;
	int listen_fd;
	int wake_fd;
	int lock_fd;
	pthread_t thread;
	bool thread_started;
	atomic_bool quit;
	char path[CONTROL_PATH_MAX];
	u64 accept_after_ms;	/* back-off after a failed accept() */
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

/* Write all of buf to a non-blocking socket before deadline_ms. */
static int write_by(int fd, const char *buf, size_t len, u64 deadline_ms)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		u64 now;

		if (n > 0) {
			buf += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		now = mono_now_ms();
		if (now >= deadline_ms)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)(deadline_ms - now)) < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

static void control_client_close(struct control_client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void control_answer(struct control *ctl, struct control_client *c)
{
	char *reply = NULL;
	size_t reply_len = 0;
	FILE *out;
	int err;

	out = open_memstream(&reply, &reply_len);
	if (out) {
		control_reply(ctl->vm, c->req, c->len, out);
		if (fclose(out))
			reply_len = 0;
	}
	if (reply && reply_len) {
		/* The reply has its own time, after the request's. */
		err = write_by(c->fd, reply, reply_len,
			       mono_now_ms() + CONTROL_CLIENT_TIMEOUT_MS);
		if (err)
			pr_debug("control: reply lost: %s", strerror(-err));
	}
	free(reply);
	control_client_close(c);
}

static void control_client_read(struct control *ctl, struct control_client *c)
{
	ssize_t n = read(c->fd, c->req + c->len, sizeof(c->req) - c->len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		control_client_close(c);
		return;
	}
	c->len += n;
	/* A whole line, the end of the request, or all we take. */
	if (n == 0 || memchr(c->req, '\n', c->len) ||
	    c->len == sizeof(c->req))
		control_answer(ctl, c);
}

/* Only our own user and root may drive the VM. */
static bool control_peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    len != sizeof(cred))
		return false;
	if (cred.uid == geteuid() || cred.uid == 0)
		return true;
	pr_warn_ratelimited("control: refused a client with uid %u",
			    (unsigned int)cred.uid);
	return false;
}

static void control_accept(struct control *ctl)
{
	struct control_client *c;
	unsigned int i;
	int fd;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		c = &ctl->clients[i];
		if (c->fd >= 0)
			continue;
		fd = accept4(ctl->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/*
			 * The connection stays in the backlog, so the socket
			 * stays readable: poll it again only after a pause.
			 */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				pr_warn_ratelimited("control: accept: %s",
						    strerror(errno));
				ctl->accept_after_ms = mono_now_ms() +
					CONTROL_ACCEPT_BACKOFF_MS;
			}
			return;
		}
		if (!control_peer_allowed(fd)) {
			static const char deny[] = "error: permission denied\n";

			if (write(fd, deny, sizeof(deny) - 1) < 0)
				pr_debug("control: %s", strerror(errno));
			close(fd);
			continue;
		}
		c->fd = fd;
		c->len = 0;
		c->deadline_ms = mono_now_ms() + CONTROL_CLIENT_TIMEOUT_MS;
	}
	/* All slots taken: the rest wait in the backlog. */
}

static void *control_thread(void *arg)
{
	struct pollfd pfd[2 + CONTROL_MAX_CLIENTS];
	struct control_client *owner[2 + CONTROL_MAX_CLIENTS];
	struct control *ctl = arg;

	sc_thread_enter(SC_ROLE_CONTROL, -1);
	while (!atomic_load(&ctl->quit)) {
		unsigned int i, n = 0;
		int timeout = -1, listen_at = -1;
		bool room = false;
		u64 now = mono_now_ms();

		pfd[n] = (struct pollfd){ .fd = ctl->wake_fd, .events = POLLIN };
		owner[n++] = NULL;
		for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			struct control_client *c = &ctl->clients[i];
			int left;

			if (c->fd < 0) {
				room = true;
				continue;
			}
			left = c->deadline_ms > now ?
			       (int)(c->deadline_ms - now) : 0;
			if (timeout < 0 || left < timeout)
				timeout = left;
			pfd[n] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
			owner[n++] = c;
		}
		if (room && now < ctl->accept_after_ms) {
			int left = (int)(ctl->accept_after_ms - now);

			room = false;
			if (timeout < 0 || left < timeout)
				timeout = left;
		}
		if (room) {
			pfd[n] = (struct pollfd){ .fd = ctl->listen_fd,
						  .events = POLLIN };
			owner[n] = NULL;
			listen_at = n++;
		}
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("control: poll: %s", strerror(errno));
			break;
		}
		now = mono_now_ms();
		for (i = 1; i < n; i++) {
			struct control_client *c = owner[i];

			if (!c)
				continue;
			if (pfd[i].revents)
				control_client_read(ctl, c);
			else if (now >= c->deadline_ms)
				control_client_close(c);	/* idle */
		}
		if (listen_at >= 0 && pfd[listen_at].revents)
			control_accept(ctl);
	}
	return NULL;
}

int control_listen(const char *name, int *lock_fd, int *listen_fd,
		   char *path, size_t len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int err;

	*listen_fd = -1;
	path[0] = '\0';
	/* The name's lock first: whoever holds it owns NAME.sock. */
	*lock_fd = control_lock(name);
	if (*lock_fd < 0)
		return *lock_fd;
	err = control_path(name, ".sock", path, len, true);
	if (err)
		goto fail;
	/* Left by a VM that died: nobody holds the lock any more. */
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		goto fail;
	}
	*listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
			    SOCK_CLOEXEC, 0);
	if (*listen_fd < 0) {
		err = -errno;
		goto fail;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (bind(*listen_fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		goto fail;
	}
	/* 0600 whatever the umask; the 0700 directory covers the gap. */
	if (chmod(path, 0600) || listen(*listen_fd, 16)) {
		err = -errno;
		unlink(path);
		goto fail;
	}
	return 0;
fail:
	path[0] = '\0';
	if (*listen_fd >= 0)
		close(*listen_fd);
	close(*lock_fd);
	*lock_fd = *listen_fd = -1;
	return err;
}

int control_start(struct vm *vm)
{
	const struct jail_config *jail = &vm->cfg->jail;
	struct control *ctl;
	unsigned int i;
	int err;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->vm = vm;
	ctl->listen_fd = ctl->wake_fd = -1;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		ctl->clients[i].fd = -1;
	vm->control = ctl;

	if (jail->inside) {
		/* The lkvm outside the jail made it, and removes it. */
		ctl->lock_fd = jail->lock_fd;
		ctl->listen_fd = jail->listen_fd;
	} else {
		err = control_listen(vm->name, &ctl->lock_fd, &ctl->listen_fd,
				     ctl->path, sizeof(ctl->path));
		if (err)
			return err;
		/* Removed at teardown by the main thread's helper. */
		err = main_helper_keep(&vm->helper, ctl->path);
		if (err)
			pr_debug("control: '%s' not kept for the helper: %s",
				 ctl->path, strerror(-err));
	}
	ctl->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctl->wake_fd < 0)
		return -errno;
	return 0;
}

int control_serve(struct vm *vm)
{
	struct control *ctl = vm->control;
	int err;

	if (!ctl || ctl->listen_fd < 0 || ctl->wake_fd < 0)
		return 0;
	err = pthread_create(&ctl->thread, NULL, control_thread, ctl);
	if (err)
		return -err;
	ctl->thread_started = true;
	return 0;
}

void control_stop(struct vm *vm)
{
	struct control *ctl = vm->control;
	unsigned int i;
	u64 one = 1;

	if (!ctl) {
		control_verbs_release(vm);
		return;
	}
	if (ctl->thread_started) {
		atomic_store(&ctl->quit, true);
		if (write(ctl->wake_fd, &one, sizeof(one)) < 0)
			pr_debug("control: wake: %s", strerror(errno));
		pthread_join(ctl->thread, NULL);
	}
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i].fd >= 0)
			close(ctl->clients[i].fd);
	if (ctl->listen_fd >= 0)
		close(ctl->listen_fd);
	if (ctl->wake_fd >= 0)
		close(ctl->wake_fd);
	if (ctl->path[0])
		main_helper_unlink(&vm->helper, ctl->path);
	/* Last: the name is free once the socket is gone. */
	if (ctl->lock_fd >= 0)
		close(ctl->lock_fd);
	free(ctl);
	vm->control = NULL;
	/* The control thread, their only caller, is gone. */
	control_verbs_release(vm);
}

static int control_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = {
		.tv_sec = CONTROL_REPLY_TIMEOUT_MS / 1000,
		.tv_usec = (CONTROL_REPLY_TIMEOUT_MS % 1000) * 1000,
	};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		goto fail;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		goto fail;
	return fd;
fail:
	err = errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : -errno;
	close(fd);
	return err;
}

int control_request(const char *name, const char *request, char *buf,
		    size_t len)
{
	char path[CONTROL_PATH_MAX];
	size_t got = 0;
	int fd, err;

	err = control_path(name, ".sock", path, sizeof(path), false);
	if (err)
		return err;
	fd = control_connect(path);
	if (fd < 0)
		return fd;
	if (dprintf(fd, "%s\n", request) < 0) {
		err = errno == EAGAIN ? -ETIMEDOUT : -errno;
		close(fd);
		return err;
	}
	shutdown(fd, SHUT_WR);
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno == EAGAIN ? -ETIMEDOUT : -errno;
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	close(fd);
	return 0;
}
