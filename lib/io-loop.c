// SPDX-License-Identifier: GPL-2.0
/* The I/O thread: an epoll loop that dispatches ready fds to handlers. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "io-loop.h"
#include "log.h"
#include "seccomp-filter.h"

#define IO_LOOP_MAX_EVENTS 32

static void io_loop_close_loadavg(struct io_loop *loop)
{
	if (loop->loadavg_fd >= 0)
		close(loop->loadavg_fd);
	loop->loadavg_fd = -1;
}

int io_loop_init(struct io_loop *loop)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	long n;

	memset(loop, 0, sizeof(*loop));
	pthread_mutex_init(&loop->pollers_lock, NULL);
	/* Polling looks here whether a CPU is free: none, it polls. */
	loop->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	loop->ncpus = n > 0 ? n : 0;
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epoll_fd < 0) {
		int err = -errno;

		io_loop_close_loadavg(loop);
		return err;
	}
	loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->wake_fd < 0) {
		int err = -errno;

		close(loop->epoll_fd);
		io_loop_close_loadavg(loop);
		return err;
	}
	/* The wake fd is the only registration with a NULL handler. */
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->wake_fd, &ev)) {
		int err = -errno;

		close(loop->wake_fd);
		close(loop->epoll_fd);
		io_loop_close_loadavg(loop);
		return err;
	}
	return 0;
}

/* Append h to the pollers; the I/O thread sees it from its next pass. */
static int io_loop_add_poller(struct io_loop *loop, struct io_handler *h)
{
	unsigned int n;
	int err = 0;

	pthread_mutex_lock(&loop->pollers_lock);
	n = atomic_load_explicit(&loop->npollers, memory_order_relaxed);
	if (n < IO_LOOP_MAX_POLLERS) {
		atomic_store_explicit(&loop->pollers[n], h,
				      memory_order_relaxed);
		atomic_store_explicit(&loop->npollers, n + 1,
				      memory_order_release);
	} else {
		err = -ENOSPC;
	}
	pthread_mutex_unlock(&loop->pollers_lock);
	return err;
}

static void io_loop_del_poller(struct io_loop *loop, struct io_handler *h)
{
	unsigned int i, n;

	pthread_mutex_lock(&loop->pollers_lock);
	n = atomic_load_explicit(&loop->npollers, memory_order_relaxed);
	for (i = 0; i < n; i++)
		if (atomic_load_explicit(&loop->pollers[i],
					 memory_order_relaxed) == h)
			atomic_store_explicit(&loop->pollers[i], NULL,
					      memory_order_relaxed);
	pthread_mutex_unlock(&loop->pollers_lock);
}

int io_loop_add(struct io_loop *loop, struct io_handler *h, u32 events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };
	int err;

	if (h->poll) {
		err = io_loop_add_poller(loop, h);
		if (err)
			return err;
	}
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, h->fd, &ev)) {
		err = -errno;
		if (h->poll)
			io_loop_del_poller(loop, h);
		return err;
	}
	return 0;
}

int io_loop_del(struct io_loop *loop, struct io_handler *h)
{
	if (h->poll)
		io_loop_del_poller(loop, h);
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, h->fd, NULL))
		return -errno;
	return 0;
}

/* One look at every handler's own source of work: did one find some? */
static bool io_loop_poll_handlers(struct io_loop *loop)
{
	unsigned int i, n;
	bool found = false;

	n = atomic_load_explicit(&loop->npollers, memory_order_acquire);
	for (i = 0; i < n; i++) {
		struct io_handler *h = atomic_load_explicit(&loop->pollers[i],
						memory_order_relaxed);

		if (h && h->poll(h))
			found = true;
	}
	if (found)
		loop->ring_hits++;
	return found;
}

/* Tell every poller that may stop waking the loop while it polls. */
static void io_loop_quiet(struct io_loop *loop, bool quiet)
{
	unsigned int i, n;

	n = atomic_load_explicit(&loop->npollers, memory_order_acquire);
	for (i = 0; i < n; i++) {
		struct io_handler *h = atomic_load_explicit(&loop->pollers[i],
						memory_order_relaxed);

		if (h && h->quiet)
			h->quiet(h, quiet);
	}
	loop->quiet = quiet;
}

/*
 * Before sleeping: the pollers wake the loop again; then one more look,
 * for work that came while they did not (true: do not sleep).
 */
static bool io_loop_rearm(struct io_loop *loop)
{
	if (!loop->quiet)
		return false;
	io_loop_quiet(loop, false);
	if (!io_loop_poll_handlers(loop))
		return false;
	loop->rearm_hits++;
	return true;
}

/* Sleep until an event, the pollers woken again first. */
static int io_loop_sleep(struct io_loop *loop, struct epoll_event *events)
{
	if (io_loop_rearm(loop))
		return 0;
	return epoll_wait(loop->epoll_fd, events, IO_LOOP_MAX_EVENTS, -1);
}

void io_loop_set_poll(struct io_loop *loop, u32 max_ns)
{
	io_poll_init(&loop->poll, max_ns);
}

/* Is a CPU free to poll on? Looked at once per IO_POLL_LOAD_EVERY_NS. */
static bool io_loop_cpu_free(struct io_loop *loop, u64 now)
{
	char buf[128];
	ssize_t n;

	if (loop->loadavg_fd < 0)
		return true;
	if (loop->load_checked &&
	    now - loop->load_checked < IO_POLL_LOAD_EVERY_NS)
		return loop->cpu_free;
	loop->load_checked = now;
	n = pread(loop->loadavg_fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	loop->cpu_free = io_poll_cpu_free(io_poll_parse_running(buf),
					  loop->ncpus);
	return loop->cpu_free;
}

/*
 * Wait for events: look without sleeping for up to the polling bound
 * (include/io-poll.h), at the fds and at the handlers' own poll functions
 * (a virtqueue's ring: buffers the driver added without a notification,
 * because the device had not asked for one or the notification is still
 * on its way), then sleep; tell the bound how it went. While it polls,
 * the pollers may stop waking it (io_handler.quiet: vhost's busy-loop
 * discipline); they wake it again before it sleeps. A pass
 * that took more than IO_POLL_PREEMPT_NS means the CPU was given to
 * something else: that something (the driver just woken, io_uring's
 * workers) needs the CPU more than polling does, so it stops; and it
 * does not start while more tasks are runnable than there are CPUs.
 */
static int io_loop_wait(struct io_loop *loop, struct epoll_event *events)
{
	struct io_poll *p = &loop->poll;
	u64 t0, last, now, bound = p->ns;
	bool preempted = false;
	int n;

	if (!p->max_ns)
		return io_loop_sleep(loop, events);
	t0 = last = mono_now_ns();
	if (bound && !io_loop_cpu_free(loop, t0)) {
		/* Others wait for a CPU: sleep, keep the bound. */
		p->busy++;
		return io_loop_sleep(loop, events);
	}
	if (bound && !loop->quiet)
		io_loop_quiet(loop, true);
	while (bound) {
		n = epoll_wait(loop->epoll_fd, events, IO_LOOP_MAX_EVENTS, 0);
		if (n > 0) {
			io_poll_update(p, true, 0);
			/*
			 * The quiet sources wake nobody: looked at on every
			 * pass, or events that never stop (a flood on
			 * another fd) would leave their work waiting.
			 */
			io_loop_poll_handlers(loop);
		}
		if (n)
			return n;
		if (io_loop_poll_handlers(loop)) {
			/* Work done without a wake-up: a hit, look again. */
			io_poll_update(p, true, 0);
			return 0;
		}
		now = mono_now_ns();
		if (now - last > IO_POLL_PREEMPT_NS) {
			io_poll_preempted(p);
			preempted = true;
			break;
		}
		if (now - t0 >= bound)
			break;
		last = now;
	}
	n = io_loop_sleep(loop, events);
	if (n > 0 && !preempted)
		io_poll_update(p, false, mono_now_ns() - t0);
	return n;
}

static void *io_loop_thread(void *arg)
{
	struct io_loop *loop = arg;
	struct epoll_event events[IO_LOOP_MAX_EVENTS];

	sc_thread_enter(SC_ROLE_IO, -1);
	for (;;) {
		int i, n = io_loop_wait(loop, events);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("I/O loop: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (i = 0; i < n; i++) {
			struct io_handler *h = events[i].data.ptr;

			if (!h) {
				/* Stopped: leave no source quiet. */
				if (loop->quiet)
					io_loop_quiet(loop, false);
				return NULL;
			}
			h->fn(h, events[i].events);
		}
	}
}

int io_loop_start(struct io_loop *loop)
{
	int err = pthread_create(&loop->thread, NULL, io_loop_thread, loop);

	if (err)
		return -err;
	loop->started = true;
	return 0;
}

void io_loop_stop(struct io_loop *loop)
{
	u64 one = 1;

	if (!loop->started)
		return;
	if (write(loop->wake_fd, &one, sizeof(one)) != sizeof(one))
		pr_err("I/O loop: cannot wake: %s", strerror(errno));
	else
		pthread_join(loop->thread, NULL);
	loop->started = false;
}

void io_loop_destroy(struct io_loop *loop)
{
	io_loop_stop(loop);
	if (loop->wake_fd >= 0)
		close(loop->wake_fd);
	if (loop->epoll_fd >= 0)
		close(loop->epoll_fd);
	loop->wake_fd = loop->epoll_fd = -1;
	io_loop_close_loadavg(loop);
	pthread_mutex_destroy(&loop->pollers_lock);
}

bool io_fd_pollable(int fd, u32 events)
{
	struct epoll_event ev = { .events = events };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	bool ok;

	if (ep < 0)
		return false;
	ok = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0;
	close(ep);
	return ok;
}
