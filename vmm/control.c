// SPDX-License-Identifier: GPL-2.0
/* The per-VM control socket: requests from `lkvm stop`, `lkvm stat` ... */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "control.h"
#include "kvm-names.h"
#include "log.h"
#include "vm.h"

#define CONTROL_MAX_REQUEST 64
#define CONTROL_MAX_CLIENTS 8

struct control_client {
	struct io_handler h;
	struct control *ctl;
	char req[CONTROL_MAX_REQUEST];
	size_t len;
	bool used;
};

struct control {
	struct vm *vm;
	struct io_handler listen_h;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

int control_dir(char *buf, size_t len, bool create)
{
	const char *lkvm_home = getenv("LKVM_HOME"), *home = getenv("HOME");
	int n;

	if (lkvm_home && *lkvm_home)
		n = snprintf(buf, len, "%s", lkvm_home);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.lkvm", home);
	else
		return -ENOENT;
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (create && mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static int control_path(const char *name, char *buf, size_t len, bool create)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int err = control_dir(dir, sizeof(dir), create), n;

	if (err)
		return err;
	n = snprintf(buf, len, "%s/%s.sock", dir, name);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int control_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int control_request(const char *name, const char *request, char *buf,
		    size_t len)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	size_t got = 0;
	int fd, err;

	err = control_path(name, path, sizeof(path), false);
	if (err)
		return err;
	fd = control_connect(path);
	if (fd < 0)
		return fd;
	if (dprintf(fd, "%s\n", request) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	shutdown(fd, SHUT_WR);
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	close(fd);
	return 0;
}

static double vm_uptime(struct vm *vm)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - vm->started.tv_sec) +
	       (now.tv_nsec - vm->started.tv_nsec) / 1e9;
}

static void control_stat(struct vm *vm, FILE *out)
{
	unsigned int i, r;

	fprintf(out, "ok\nname %s\npid %d\nstate %s\nuptime %.3f\n", vm->name,
		(int)getpid(), vm_paused(vm) ? "paused" : "running",
		vm_uptime(vm));
	fprintf(out, "memory %llu\ncpus %u\n",
		(unsigned long long)vm->cfg->ram_size, vm->nr_vcpus);
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		unsigned long long total = atomic_load(&v->exits_other);

		for (r = 0; r < ARRAY_SIZE(v->exits); r++)
			total += atomic_load(&v->exits[r]);
		fprintf(out, "vcpu%u exits %llu\n", i, total);
		for (r = 0; r < ARRAY_SIZE(v->exits); r++) {
			unsigned long long n = atomic_load(&v->exits[r]);

			if (n)
				fprintf(out, "vcpu%u %s %llu\n", i,
					kvm_exit_name(r), n);
		}
		if (v->nr_assists)
			fprintf(out, "vcpu%u emulation_assists %llu\n", i,
				(unsigned long long)v->nr_assists);
	}
}

/* Run one request; the reply goes to out. */
static void control_execute(struct control *ctl, const char *req, FILE *out)
{
	struct vm *vm = ctl->vm;
	unsigned int i;

	if (!strcmp(req, "stop")) {
		fprintf(out, "ok\n");
		vm_request_stop(vm, 0);
	} else if (!strcmp(req, "pause")) {
		if (vm_paused(vm))
			fprintf(out, "error: %s is already paused\n", vm->name);
		else if (vm_pause(vm, 2000))
			fprintf(out, "error: %s is stopping\n", vm->name);
		else
			fprintf(out, "ok\n");
	} else if (!strcmp(req, "resume")) {
		if (!vm_paused(vm)) {
			fprintf(out, "error: %s is not paused\n", vm->name);
		} else {
			vm_resume(vm);
			fprintf(out, "ok\n");
		}
	} else if (!strcmp(req, "stat") || !strcmp(req, "info")) {
		control_stat(vm, out);
	} else if (!strcmp(req, "debug")) {
		bool was_paused = vm_paused(vm);

		if (!was_paused && vm_pause(vm, 2000)) {
			fprintf(out, "error: %s is stopping\n", vm->name);
			return;
		}
		fprintf(out, "ok\n");
		for (i = 0; i < vm->nr_vcpus; i++)
			arch_dump_vcpu(&vm->vcpus[i], out);
		if (!was_paused)
			vm_resume(vm);
	} else {
		fprintf(out, "error: unknown request '%s'\n", req);
	}
}

static void control_client_done(struct control_client *c)
{
	io_loop_del(&c->ctl->vm->io, &c->h);
	close(c->h.fd);
	c->used = false;
}

static void control_client_ready(struct io_handler *h, u32 events)
{
	struct control_client *c = h->opaque;
	char *reply = NULL;
	size_t reply_len = 0;
	FILE *out;
	ssize_t n;
	char *nl;

	n = read(h->fd, c->req + c->len, sizeof(c->req) - 1 - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		c->len += n;
	c->req[c->len] = '\0';
	nl = strchr(c->req, '\n');
	if (!nl && n > 0 && c->len < sizeof(c->req) - 1 && !(events & EPOLLHUP))
		return;		/* wait for the rest of the line */
	if (nl)
		*nl = '\0';
	out = open_memstream(&reply, &reply_len);
	if (out) {
		if (!nl && c->len >= sizeof(c->req) - 1)
			fprintf(out, "error: request too long\n");
		else
			control_execute(c->ctl, c->req, out);
		fclose(out);
		/* Replies are small: the socket buffer takes them whole. */
		if (reply && write(h->fd, reply, reply_len) < 0)
			pr_debug("control: reply lost: %s", strerror(errno));
		free(reply);
	}
	control_client_done(c);
}

static void control_accept(struct io_handler *h, u32 events)
{
	struct control *ctl = h->opaque;
	unsigned int i;
	int fd;

	(void)events;
	while ((fd = accept4(h->fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct control_client *c = NULL;

		for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
			if (!ctl->clients[i].used) {
				c = &ctl->clients[i];
				break;
			}
		if (!c) {
			pr_warn_ratelimited("control: too many clients");
			close(fd);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->used = true;
		c->ctl = ctl;
		c->h = (struct io_handler){ .fd = fd,
					    .fn = control_client_ready,
					    .opaque = c };
		if (io_loop_add(&ctl->vm->io, &c->h, EPOLLIN | EPOLLRDHUP)) {
			close(fd);
			c->used = false;
		}
	}
}

int control_start(struct vm *vm)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct control *ctl;
	int fd, err;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->vm = vm;
	ctl->listen_h.fd = -1;
	vm->control = ctl;
	err = control_path(vm->name, ctl->path, sizeof(ctl->path), true);
	if (err)
		return err;
	/* A socket nobody answers on is left from a VM that died: reuse. */
	fd = control_connect(ctl->path);
	if (fd >= 0) {
		close(fd);
		ctl->path[0] = '\0';
		return -EEXIST;
	}
	if (fd == -ECONNREFUSED)
		unlink(ctl->path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", ctl->path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(fd, CONTROL_MAX_CLIENTS)) {
		err = -errno;
		close(fd);
		ctl->path[0] = '\0';
		return err;
	}
	ctl->listen_h = (struct io_handler){ .fd = fd, .fn = control_accept,
					     .opaque = ctl };
	err = io_loop_add(&vm->io, &ctl->listen_h, EPOLLIN);
	if (err) {
		close(fd);
		ctl->listen_h.fd = -1;
		unlink(ctl->path);
		ctl->path[0] = '\0';
	}
	return err;
}

/* After the I/O thread stopped: no handler runs any more. */
void control_stop(struct vm *vm)
{
	struct control *ctl = vm->control;
	unsigned int i;

	if (!ctl)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i].used)
			close(ctl->clients[i].h.fd);
	if (ctl->listen_h.fd >= 0)
		close(ctl->listen_h.fd);
	if (ctl->path[0])
		unlink(ctl->path);
	free(ctl);
	vm->control = NULL;
}
