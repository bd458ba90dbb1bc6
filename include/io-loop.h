/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_IO_LOOP_H
#define LKVM_IO_LOOP_H

#include <pthread.h>
#include <stdbool.h>

#include "io-poll.h"
#include "types.h"

/*
 * The I/O thread: one epoll loop for ioeventfds, the terminal, tap devices,
 * io_uring completions and the control socket. Handlers run on that thread
 * and must not block.
 */
struct io_handler;
typedef void (*io_handler_fn)(struct io_handler *h, u32 events);

struct io_handler {
	int fd;
	io_handler_fn fn;
	void *opaque;
};

struct io_loop {
	int epoll_fd;
	int wake_fd;		/* eventfd that ends the loop */
	pthread_t thread;
	bool started;
	struct io_poll poll;	/* the I/O thread's own */
	int loadavg_fd;		/* /proc/loadavg, or -1 */
	unsigned int ncpus;	/* online CPUs */
	u64 load_checked;	/* when the CPUs were last looked at (ns) */
	bool cpu_free;		/* then: a CPU to poll on */
};

int io_loop_init(struct io_loop *loop);
/* events are EPOLLIN/EPOLLOUT...; h must stay valid until removed. */
int io_loop_add(struct io_loop *loop, struct io_handler *h, u32 events);
int io_loop_del(struct io_loop *loop, struct io_handler *h);
/*
 * Before io_loop_start(): after handling events, look for more without
 * sleeping for an adaptive time of at most max_ns (include/io-poll.h),
 * when a CPU is free (/proc/loadavg, read through loadavg_fd; -1: as if
 * free); 0, the default, sleeps at once.
 */
void io_loop_set_poll(struct io_loop *loop, u32 max_ns);
int io_loop_start(struct io_loop *loop);
/* Stops and joins the thread; safe to call when not started. */
void io_loop_stop(struct io_loop *loop);
void io_loop_destroy(struct io_loop *loop);
/*
 * Would the loop accept fd for these EPOLL* events? epoll refuses regular
 * files and /dev/null, which are always ready: callers write those
 * directly.
 */
bool io_fd_pollable(int fd, u32 events);

#endif
