/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_IO_LOOP_H
#define LKVM_IO_LOOP_H

#include <pthread.h>
#include <stdatomic.h>
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
/*
 * While the loop polls (io_loop_set_poll()), it also asks each handler
 * that has one whether work came in without its fd becoming ready (a
 * virtqueue the driver added buffers to without notifying): true if the
 * poll found work and did it.
 */
typedef bool (*io_poll_fn)(struct io_handler *h);
/*
 * With a poll function, optionally: quiet(h, true) when the loop starts
 * polling, so the source may stop waking it (a virtqueue's driver need not
 * notify: a VM exit saved per kick), quiet(h, false) before it sleeps, to
 * be woken again. After that the loop polls once more (the poll function
 * sees what came in while the source was quiet), so nothing is lost.
 */
typedef void (*io_quiet_fn)(struct io_handler *h, bool quiet);

struct io_handler {
	int fd;
	io_handler_fn fn;
	void *opaque;
	io_poll_fn poll;	/* optional: set before io_loop_add() */
	io_quiet_fn quiet;	/* optional, with poll */
};

/* Handlers with a poll function one loop can have. */
#define IO_LOOP_MAX_POLLERS 64

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
	/*
	 * Handlers with a poll function: appended under pollers_lock, read
	 * by the I/O thread without it (count published with release); a
	 * deleted one leaves a NULL slot.
	 */
	pthread_mutex_t pollers_lock;
	struct io_handler *_Atomic pollers[IO_LOOP_MAX_POLLERS];
	_Atomic unsigned int npollers;
	u64 ring_hits;		/* polls a handler's poll function served */
	bool quiet;		/* the pollers were told to stop waking it */
	u64 rearm_hits;		/* work found after ending the quiet */
};

int io_loop_init(struct io_loop *loop);
/*
 * events are EPOLLIN/EPOLLOUT...; h must stay valid until removed, and
 * one with a poll function until the loop is stopped (-ENOSPC beyond
 * IO_LOOP_MAX_POLLERS of them).
 */
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
