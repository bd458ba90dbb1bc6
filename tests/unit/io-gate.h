/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A gate for the I/O thread: a handler that, once its eventfd is kicked,
 * holds the thread until the test opens it. While it is held, the events
 * that come are all in the loop's next batch, in the order they came,
 * and nothing the I/O thread does (a device's doorbell, a disk engine's
 * completions, polling) runs. Edge-triggered: epoll keeps a
 * level-triggered fd it returned on its ready list, where a new event
 * would find it ahead of others.
 *
 *   io_gate_init(&g);  io_loop_add(loop, &g.h, IO_GATE_EVENTS);
 *   io_gate_hold(&g);  ... the I/O thread is held ...  io_gate_release(&g);
 *   io_gate_pass(&g);  the loop is past every event before this call
 *   io_loop_del(loop, &g.h) or io_loop_destroy(loop);  io_gate_fini(&g);
 *
 * Shared by the unit tests (tests/unit/io-loop.c, tests/unit/virtio-blk.c,
 * tests/unit/virtio-blk-race.c).
 */
#ifndef LKVM_TESTS_IO_GATE_H
#define LKVM_TESTS_IO_GATE_H

#include <errno.h>
#include <semaphore.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "io-loop.h"

/* No wait for another thread lasts longer unless something is wrong. */
#define SEM_WAIT_LONG_S 2

/*
 * Threads meet on semaphores: asleep, not spinning, the one waited for
 * gets the CPU at once on a busy 2-CPU host. False after
 * SEM_WAIT_LONG_S.
 */
static inline bool sem_wait_long(sem_t *sem)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += SEM_WAIT_LONG_S;
	while (sem_timedwait(sem, &ts))
		if (errno != EINTR)
			return false;
	return true;
}

#define IO_GATE_EVENTS (EPOLLIN | EPOLLET)

struct io_gate {
	struct io_handler h;	/* h.fd: the eventfd that closes it */
	sem_t in;		/* posted as the I/O thread is held */
	sem_t open;		/* a post lets it go */
};

static void io_gate_fn(struct io_handler *h, u32 events)
{
	struct io_gate *g = h->opaque;
	eventfd_t cnt;

	if (eventfd_read(h->fd, &cnt) && errno != EAGAIN)
		return;
	sem_post(&g->in);
	sem_wait_long(&g->open);
}

/* The semaphores and the eventfd: false if there is no eventfd. */
static inline bool io_gate_init(struct io_gate *g)
{
	sem_init(&g->in, 0, 0);
	sem_init(&g->open, 0, 0);
	g->h = (struct io_handler){ .fn = io_gate_fn, .opaque = g };
	g->h.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return g->h.fd >= 0;
}

/* Out of the loop first (io_loop_del() or io_loop_destroy()). */
static inline void io_gate_fini(struct io_gate *g)
{
	if (g->h.fd >= 0)
		close(g->h.fd);
	g->h.fd = -1;
	sem_destroy(&g->in);
	sem_destroy(&g->open);
}

/* The I/O thread held in the gate's handler, past every earlier event. */
static inline bool io_gate_hold(struct io_gate *g)
{
	return !eventfd_write(g->h.fd, 1) && sem_wait_long(&g->in);
}

static inline void io_gate_release(struct io_gate *g)
{
	sem_post(&g->open);
}

/* The loop is past every event before this: it has served the gate's. */
static inline bool io_gate_pass(struct io_gate *g)
{
	if (!io_gate_hold(g))
		return false;
	io_gate_release(g);
	return true;
}

#endif
