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

/*
 * The handlers with a poll function, as the I/O thread walks them: slots
 * [0, used) hold one each, or NULL for one deleted (reused by the next
 * added). Replaced by one twice the size when full: see lib/io-loop.c.
 */
struct io_pollers {
	unsigned int size;		/* slots */
	atomic_uint used;		/* slots filled so far */
	struct io_pollers *retired;	/* next on io_loop.retired */
	u64 retired_at;			/* io_loop.passes when replaced */
	struct io_handler *_Atomic h[];
};

struct io_loop {
	int epoll_fd;
	int wake_fd;		/* eventfd that ends the loop */
	pthread_t thread;	/* io_loop_start()'s and io_loop_stop()'s */
	/*
	 * For io_loop_on_thread(), on any thread: started is true from
	 * before the thread is created until it has been joined; self is
	 * the thread's own pthread_self(), stored by it as it begins and
	 * cleared as it returns (zero without a thread).
	 */
	pthread_t _Atomic self;
	atomic_bool started;
	/*
	 * io_loop_del() from another thread waits for the end of the I/O
	 * thread's round (lib/io-loop.c): rounds counts them, del_waiters
	 * the threads waiting (futex on rounds), kick_h's eventfd wakes a
	 * sleeping I/O thread, running is false once it has returned. The
	 * batch under way (the I/O thread's own): deleted on that thread,
	 * a handler's later events in it are pointed at skip_h.
	 */
	atomic_uint rounds;
	atomic_uint del_waiters;
	atomic_bool running;
	struct io_handler kick_h;
	struct io_handler skip_h;
	struct epoll_event *batch;
	int batch_n;
	struct io_poll poll;	/* the I/O thread's own */
	/* Its bound while completions are expected (include/io-poll.h). */
	struct io_poll poll_busy;
	atomic_int expected;	/* completions the fds will bring */
	int loadavg_fd;		/* /proc/loadavg, or -1 */
	unsigned int ncpus;	/* online CPUs */
	u64 load_checked;	/* when the CPUs were last looked at (ns) */
	bool cpu_free;		/* then: a CPU to poll on */
	/*
	 * Handlers with a poll function: changed under pollers_lock, read
	 * by the I/O thread without it, which counts its walks of them in
	 * passes; a replaced set waits in retired until the thread has
	 * passed it (lib/io-loop.c).
	 */
	_Atomic(u64) passes;	/* walks of the pollers done */
	pthread_mutex_t pollers_lock;
	struct io_pollers *_Atomic pollers;	/* NULL: none yet */
	struct io_pollers *retired;
	bool pollers_live;	/* the thread may walk them: retire, not free */
	u64 ring_hits;		/* polls a handler's poll function served */
	bool quiet;		/* the pollers were told to stop waking it */
	u64 rearm_hits;		/* work found after ending the quiet */
};

int io_loop_init(struct io_loop *loop);
/*
 * events are EPOLLIN/EPOLLOUT...; h must stay valid until io_loop_del()
 * has returned. Any number of handlers may have poll functions, added
 * and deleted while the loop runs (-ENOMEM if their set cannot grow:
 * nothing added).
 */
int io_loop_add(struct io_loop *loop, struct io_handler *h, u32 events);
/*
 * h's events set again (any thread): epoll looks at its fd anew, so an
 * edge-triggered handler whose fd is ready now gets an event, on the I/O
 * thread.
 */
int io_loop_mod(struct io_loop *loop, struct io_handler *h, u32 events);
/*
 * h out of the loop. Once it returns, h is not running and will not be
 * called (neither fn nor poll nor quiet), not even for an event the I/O
 * thread already holds: h may be freed.
 * - From another thread it waits for the I/O thread to end the round it
 *   is in (it wakes a sleeping one): a handler's call, a few
 *   microseconds. So the caller must hold no lock that a handler of this
 *   loop may take: the handler would wait for the caller, the caller for
 *   the handler.
 * - On the I/O thread (from a handler or a poll function) it does not
 *   wait: h's events later in the batch under way, or in the one the
 *   loop holds while it polls, are skipped. h may be the handler
 *   running: its call goes on to its end.
 * - Before io_loop_start() or after io_loop_stop(): nothing to wait for.
 * The handler's fd must still be open. 0 or -errno (from epoll: h was
 * still taken out of the pollers, and waited for).
 */
int io_loop_del(struct io_loop *loop, struct io_handler *h);
/*
 * io_loop_del() without the wait on another thread: a call of h for an
 * event the I/O thread already holds may still come (once per event of
 * the batch under way), or be running. Only for a handler that stays
 * valid until the loop is stopped and finds under its own lock whether
 * it still has work, deleted where the caller holds that lock (vsock's
 * connections, deleted by a reset on a vCPU).
 */
int io_loop_del_nowait(struct io_loop *loop, struct io_handler *h);
/*
 * Before io_loop_start(): after handling events, look for more without
 * sleeping for an adaptive time of at most max_ns (include/io-poll.h),
 * when a CPU is free (/proc/loadavg, read through loadavg_fd; -1: as if
 * free); 0, the default, sleeps at once.
 */
void io_loop_set_poll(struct io_loop *loop, u32 max_ns);
/*
 * n more completions (n < 0: fewer) will come through the loop's fds: an
 * engine's requests in flight. Polling learns differently while any are
 * expected (include/io-poll.h). Any thread may call it.
 */
static inline void io_loop_expect(struct io_loop *loop, int n)
{
	atomic_fetch_add_explicit(&loop->expected, n, memory_order_relaxed);
}
int io_loop_start(struct io_loop *loop);
/*
 * Is the caller the I/O thread (or is there none: handlers run where the
 * caller runs them)? Work that needs the I/O thread's seccomp filter
 * (sockets) is handed to it from anywhere else.
 */
bool io_loop_on_thread(const struct io_loop *loop);
/*
 * Stops and joins the thread; safe to call when not started. The loop, its
 * handlers kept, may be started again. 0, or -errno if the thread cannot
 * be woken (its wake fd is not there): it still runs, the loop as it was.
 */
int io_loop_stop(struct io_loop *loop);
void io_loop_destroy(struct io_loop *loop);
/*
 * Would the loop accept fd for these EPOLL* events? epoll refuses regular
 * files and /dev/null, which are always ready: callers write those
 * directly.
 */
bool io_fd_pollable(int fd, u32 events);

#endif
