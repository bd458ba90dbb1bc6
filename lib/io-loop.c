// SPDX-License-Identifier: GPL-2.0
/* The I/O thread: an epoll loop that dispatches ready fds to handlers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
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

/* The loop's own fds closed (each -1 after). */
static void io_loop_close_fds(struct io_loop *loop)
{
	int *fds[] = { &loop->kick_h.fd, &loop->wake_fd, &loop->epoll_fd };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	io_loop_close_loadavg(loop);
}

/* The kick that wakes the thread for io_loop_del(): drained, no more. */
static void io_loop_kicked(struct io_handler *h, u32 events)
{
	u64 cnt;

	if (read(h->fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		pr_err("I/O loop: kick: %s", strerror(errno));
}

/* A deleted handler's place in the batch under way: nothing to do. */
static void io_loop_skipped(struct io_handler *h, u32 events)
{
}

int io_loop_init(struct io_loop *loop)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	long n;
	int err;

	memset(loop, 0, sizeof(*loop));
	loop->wake_fd = loop->kick_h.fd = -1;
	loop->kick_h.fn = io_loop_kicked;
	loop->skip_h.fd = -1;
	loop->skip_h.fn = io_loop_skipped;
	pthread_mutex_init(&loop->pollers_lock, NULL);
	/* Polling looks here whether a CPU is free: none, it polls. */
	loop->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	loop->ncpus = n > 0 ? n : 0;
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epoll_fd < 0)
		goto fail;
	loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->wake_fd < 0)
		goto fail;
	/* The wake fd is the only registration with a NULL handler. */
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->wake_fd, &ev))
		goto fail;
	loop->kick_h.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev.data.ptr = &loop->kick_h;
	if (loop->kick_h.fd < 0 ||
	    epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->kick_h.fd, &ev))
		goto fail;
	return 0;
fail:
	err = -errno;
	io_loop_close_fds(loop);
	return err;
}

/*
 * The pollers without a limit and without a lock on the I/O thread.
 *
 * The thread walks the set loop->pollers points to (io_loop_walk_begin()
 * to io_loop_walk_end()): it loads the pointer, the slots in use and each
 * slot, and takes no lock. Adding to a set with a free slot, or deleting
 * (its slot set to NULL), changes only slots, which stay where they are.
 * A full set is replaced: a new one twice the size, the slots copied,
 * published with one store; the old one may still be in the thread's
 * hands, so it is not freed at once but retired, stamped with the walks
 * the thread had finished (loop->passes) just after the new one was
 * published, and freed under pollers_lock once passes has gone past the
 * stamp (io_loop_reap(): on the next add or delete, when the thread is
 * stopped, or at io_loop_destroy()).
 *
 * Why that is enough: the thread bumps passes at the end of each walk,
 * and each walk begins with a load of the pointer after that bump;
 * publisher and thread use sequentially consistent atomics for the
 * pointer and passes, so a walk that loaded the old pointer loaded it
 * before the new one was stored, and the bump before that walk comes
 * before the publisher reads passes: the stamp is at least that walk's
 * number, and passes goes past it only when the walk is over (its release
 * orders the walk's reads before the free). A walk that began after the
 * publication sees the new set. The thread's cost: that one store per
 * walk (a locked instruction on x86). The thread waits for nothing: a set
 * retired while it sleeps is freed on a later change or at the end;
 * since each is half the size of the next, the retired ones never hold
 * more slots than the set in use. Before io_loop_start() (and after
 * io_loop_stop()) no thread walks: the old set is freed at once.
 *
 * A deleted handler may still be polled by a walk already under way:
 * io_loop_del() waits for the round that holds it (below).
 */
#define IO_LOOP_POLLERS_FIRST 16

static struct io_pollers *io_loop_walk_begin(struct io_loop *loop,
					     unsigned int *used)
{
	struct io_pollers *set = atomic_load(&loop->pollers);

	*used = set ? atomic_load_explicit(&set->used, memory_order_acquire) :
		      0;
	return set;
}

/*
 * Sequentially consistent, as is the store of a deleted slot's NULL: a
 * walk after the round io_loop_del() waited for sees it (below).
 */
static struct io_handler *io_loop_walk_slot(struct io_pollers *set,
					    unsigned int i)
{
	return atomic_load(&set->h[i]);
}

/* Only the I/O thread writes passes: no read-modify-write needed. */
static void io_loop_walk_end(struct io_loop *loop)
{
	u64 done = atomic_load_explicit(&loop->passes, memory_order_relaxed);

	atomic_store(&loop->passes, done + 1);
}

/* Free the retired sets no walk can hold (all: the thread is gone). */
static void io_loop_reap(struct io_loop *loop, bool all)
{
	u64 done = atomic_load(&loop->passes);
	struct io_pollers **pp = &loop->retired;

	while (*pp) {
		struct io_pollers *set = *pp;

		if (all || done > set->retired_at) {
			*pp = set->retired;
			free(set);
		} else {
			pp = &set->retired;
		}
	}
}

/* Replace the full set by one twice its size with h added. */
static int io_loop_grow_pollers(struct io_loop *loop, struct io_pollers *old,
				struct io_handler *h)
{
	unsigned int i, used = old ? old->size : 0;
	unsigned int size = old ? old->size * 2 : IO_LOOP_POLLERS_FIRST;
	struct io_pollers *set;

	if (old && old->size > UINT_MAX / 2 / sizeof(set->h[0]))
		return -ENOMEM;
	set = calloc(1, sizeof(*set) + size * sizeof(set->h[0]));
	if (!set)
		return -ENOMEM;
	set->size = size;
	for (i = 0; i < used; i++)
		atomic_init(&set->h[i], io_loop_walk_slot(old, i));
	atomic_init(&set->h[used], h);
	atomic_init(&set->used, used + 1);
	atomic_store(&loop->pollers, set);
	if (!old)
		return 0;
	if (!loop->pollers_live) {
		free(old);
		return 0;
	}
	old->retired_at = atomic_load(&loop->passes);
	old->retired = loop->retired;
	loop->retired = old;
	return 0;
}

/* Add h in a free slot, else a new one; the thread sees it from its next walk. */
static int io_loop_add_poller(struct io_loop *loop, struct io_handler *h)
{
	struct io_pollers *set;
	unsigned int i, used;
	int err = 0;

	pthread_mutex_lock(&loop->pollers_lock);
	io_loop_reap(loop, false);
	set = atomic_load_explicit(&loop->pollers, memory_order_relaxed);
	used = set ? atomic_load_explicit(&set->used, memory_order_relaxed) : 0;
	for (i = 0; i < used; i++)
		if (!atomic_load_explicit(&set->h[i], memory_order_relaxed))
			break;
	if (i < used || (set && used < set->size)) {
		atomic_store_explicit(&set->h[i], h, memory_order_release);
		if (i == used)
			atomic_store_explicit(&set->used, used + 1,
					      memory_order_release);
	} else {
		err = io_loop_grow_pollers(loop, set, h);
	}
	pthread_mutex_unlock(&loop->pollers_lock);
	return err;
}

static void io_loop_empty_slot(struct io_pollers *set, struct io_handler *h)
{
	unsigned int i, used = set ? atomic_load_explicit(&set->used,
						memory_order_relaxed) : 0;

	for (i = 0; i < used; i++)
		if (atomic_load_explicit(&set->h[i], memory_order_relaxed) == h)
			atomic_store(&set->h[i], NULL);
}

/*
 * h's slot emptied, in the set and in the retired ones: a walk under way
 * on the I/O thread (h deleted by a handler's poll function) may still
 * hold one of those.
 */
static void io_loop_del_poller(struct io_loop *loop, struct io_handler *h)
{
	struct io_pollers *set;

	pthread_mutex_lock(&loop->pollers_lock);
	io_loop_reap(loop, false);
	io_loop_empty_slot(atomic_load_explicit(&loop->pollers,
						memory_order_relaxed), h);
	for (set = loop->retired; set; set = set->retired)
		io_loop_empty_slot(set, h);
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

int io_loop_mod(struct io_loop *loop, struct io_handler *h, u32 events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, h->fd, &ev))
		return -errno;
	return 0;
}

/*
 * io_loop_del() and the I/O thread.
 *
 * The thread counts its rounds: one round is a wait (the walks of the
 * pollers, epoll_wait) and the batch of events it returned, dispatched.
 * At the start of each, the thread stores the next number in rounds,
 * then looks whether a deleter waits (del_waiters) and wakes it (futex).
 *
 * A deleter on another thread takes h out of epoll and out of the
 * pollers first, then reads rounds: r. A round that begins after that
 * read (its store comes later) calls epoll_wait after the deletion and
 * walks pollers that no longer hold h; only round r may still hold h,
 * in the batch or in a walk. So the deleter wakes the thread (a sleeping
 * one would never end round r: the kick eventfd) and waits until rounds
 * is no longer r, or the thread is gone. The deleter's store emptying
 * h's slot, its read of rounds, the thread's store of rounds and its
 * reads of the slots are sequentially consistent: a walk that begins
 * after the store of r + 1 reads NULL. The store of rounds and the read
 * of del_waiters on one side, the increment of del_waiters and the read
 * of rounds on the other make the same pattern: either the thread sees
 * the waiter and wakes it, or the waiter sees the new round and does
 * not sleep (FUTEX_WAIT itself compares rounds with r).
 *
 * The thread's cost: a store and a load per round, whatever the number
 * of events; the system calls are the deleter's.
 *
 * On the thread itself nothing waits (that would never end): the events
 * for h still ahead in the batch under way are pointed at skip_h. The
 * batch is under way from the epoll_wait() that returned it, before its
 * dispatch: a poll function that runs in between deletes from it too.
 */
#define IO_LOOP_DEL_SPIN_NS 20000

/* EAGAIN (rounds moved on) and EINTR: the callers look again. */
static void io_loop_futex(atomic_uint *word, int op, u32 val)
{
	if (syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL,
		    0) < 0 && errno != EAGAIN && errno != EINTR)
		pr_warn_ratelimited("I/O loop: futex: %s", strerror(errno));
}

/* The I/O thread: a new round begins (or none will: it returns). */
static void io_loop_next_round(struct io_loop *loop)
{
	u32 r = atomic_load_explicit(&loop->rounds, memory_order_relaxed);

	atomic_store(&loop->rounds, r + 1);
	if (atomic_load(&loop->del_waiters))
		io_loop_futex(&loop->rounds, FUTEX_WAKE, INT_MAX);
}

/*
 * The I/O thread returns: no round will end any more (or none began:
 * pthread_create() failed). Its id is taken back before the join that
 * lets another thread reuse it.
 */
static void io_loop_exit(struct io_loop *loop)
{
	loop->batch_n = 0;
	atomic_store_explicit(&loop->self, 0, memory_order_relaxed);
	atomic_store(&loop->running, false);
	io_loop_next_round(loop);
}

/* Another thread: until the round under way is over. */
static void io_loop_wait_round(struct io_loop *loop)
{
	u32 r = atomic_load(&loop->rounds);
	u64 one = 1, t0 = mono_now_ns();

	if (!atomic_load(&loop->running))
		return;
	atomic_fetch_add(&loop->del_waiters, 1);
	/* EAGAIN: the counter is full, the thread has a kick to read. */
	if (write(loop->kick_h.fd, &one, sizeof(one)) != sizeof(one) &&
	    errno != EAGAIN)
		pr_err("I/O loop: cannot kick: %s", strerror(errno));
	/* A handler's call is short: a while on the CPU, then asleep. */
	while (atomic_load(&loop->rounds) == r &&
	       mono_now_ns() - t0 < IO_LOOP_DEL_SPIN_NS)
		;
	while (atomic_load(&loop->rounds) == r && atomic_load(&loop->running))
		io_loop_futex(&loop->rounds, FUTEX_WAIT, r);
	atomic_fetch_sub(&loop->del_waiters, 1);
}

/* The I/O thread: h's events still ahead in the batch are skipped. */
static void io_loop_skip_batch(struct io_loop *loop, struct io_handler *h)
{
	int i;

	for (i = 0; i < loop->batch_n; i++)
		if (loop->batch[i].data.ptr == h)
			loop->batch[i].data.ptr = &loop->skip_h;
}

static int io_loop_remove(struct io_loop *loop, struct io_handler *h,
			  bool wait)
{
	int err = 0;

	if (h->poll)
		io_loop_del_poller(loop, h);
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, h->fd, NULL))
		err = -errno;
	if (io_loop_on_thread(loop))
		io_loop_skip_batch(loop, h);
	else if (wait)
		io_loop_wait_round(loop);
	return err;
}

int io_loop_del(struct io_loop *loop, struct io_handler *h)
{
	return io_loop_remove(loop, h, true);
}

int io_loop_del_nowait(struct io_loop *loop, struct io_handler *h)
{
	return io_loop_remove(loop, h, false);
}

/* One look at every handler's own source of work: did one find some? */
static bool io_loop_poll_handlers(struct io_loop *loop)
{
	unsigned int i, used;
	struct io_pollers *set = io_loop_walk_begin(loop, &used);
	bool found = false;

	for (i = 0; i < used; i++) {
		struct io_handler *h = io_loop_walk_slot(set, i);

		if (h && h->poll(h))
			found = true;
	}
	io_loop_walk_end(loop);
	if (found)
		loop->ring_hits++;
	return found;
}

/* Tell every poller that may stop waking the loop while it polls. */
static void io_loop_quiet(struct io_loop *loop, bool quiet)
{
	unsigned int i, used;
	struct io_pollers *set = io_loop_walk_begin(loop, &used);

	for (i = 0; i < used; i++) {
		struct io_handler *h = io_loop_walk_slot(set, i);

		if (h && h->quiet)
			h->quiet(h, quiet);
	}
	io_loop_walk_end(loop);
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

/*
 * The batch is the loop's from the epoll_wait() that returns it: a poll
 * function run before its dispatch (a polling pass, a driver's work) may
 * delete a handler with an event in it, to be skipped as well.
 */
static int io_loop_epoll(struct io_loop *loop, struct epoll_event *events,
			 int timeout)
{
	int n = epoll_wait(loop->epoll_fd, events, IO_LOOP_MAX_EVENTS, timeout);

	loop->batch_n = n > 0 ? n : 0;
	return n;
}

/* Sleep until an event, the pollers woken again first. */
static int io_loop_sleep(struct io_loop *loop, struct epoll_event *events)
{
	if (io_loop_rearm(loop))
		return 0;
	return io_loop_epoll(loop, events, -1);
}

void io_loop_set_poll(struct io_loop *loop, u32 max_ns)
{
	io_poll_init(&loop->poll, max_ns);
	io_poll_init(&loop->poll_busy, max_ns);
}

/*
 * Woken while completions were expected: did a driver post work (a
 * notification from a handler that polls its source, and the work is
 * there: not one for work polling already took)? The pollers do it now.
 */
static bool io_loop_driver_work(struct io_loop *loop,
				struct epoll_event *events, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct io_handler *h = events[i].data.ptr;

		if (h && h->poll)
			return io_loop_poll_handlers(loop);
	}
	return false;
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
 * While completions are expected it uses the second bound, which only a
 * driver's work teaches (include/io-poll.h).
 */
static int io_loop_wait(struct io_loop *loop, struct epoll_event *events)
{
	bool busy = atomic_load_explicit(&loop->expected,
					 memory_order_relaxed) > 0;
	struct io_poll *p = busy ? &loop->poll_busy : &loop->poll;
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
		n = io_loop_epoll(loop, events, 0);
		if (n > 0) {
			/*
			 * The quiet sources wake nobody: looked at on every
			 * pass, or events that never stop (a flood on
			 * another fd) would leave their work waiting.
			 */
			if (io_loop_poll_handlers(loop) || !busy)
				io_poll_update(p, true, 0);
			else
				io_poll_completion(p);
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
	if (n > 0 && !preempted &&
	    (!busy || io_loop_driver_work(loop, events, n)))
		io_poll_update(p, false, mono_now_ns() - t0);
	/*
	 * Woken, and a bound says it polls next: the pollers stop notifying
	 * before the handlers run, so that a driver's answer to what they do
	 * (its next request after a completion) costs it no doorbell.
	 * Sleeping again wakes them first (io_loop_rearm()). Not while no
	 * CPU is free: the next wait would sleep at once, and telling the
	 * pollers twice would be all it did.
	 */
	if (n > 0 && (loop->poll.ns || loop->poll_busy.ns) &&
	    io_loop_cpu_free(loop, mono_now_ns()))
		io_loop_quiet(loop, true);
	return n;
}

static void *io_loop_thread(void *arg)
{
	struct io_loop *loop = arg;
	struct epoll_event events[IO_LOOP_MAX_EVENTS];

	atomic_store_explicit(&loop->self, pthread_self(),
			      memory_order_relaxed);
	sc_thread_enter(SC_ROLE_IO, -1);
	loop->batch = events;
	for (;;) {
		int i, n;

		io_loop_next_round(loop);
		n = io_loop_wait(loop, events);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("I/O loop: epoll_wait: %s", strerror(errno));
			io_loop_exit(loop);
			return NULL;
		}
		for (i = 0; i < n; i++) {
			struct io_handler *h = events[i].data.ptr;

			if (!h) {
				/* Stopped: leave no source quiet. */
				if (loop->quiet)
					io_loop_quiet(loop, false);
				io_loop_exit(loop);
				return NULL;
			}
			h->fn(h, events[i].events);
		}
		loop->batch_n = 0;
	}
}

/* Is the I/O thread there to walk the pollers? Without it, none is retired. */
static void io_loop_pollers_live(struct io_loop *loop, bool live)
{
	pthread_mutex_lock(&loop->pollers_lock);
	loop->pollers_live = live;
	if (!live)
		io_loop_reap(loop, true);
	pthread_mutex_unlock(&loop->pollers_lock);
}

int io_loop_start(struct io_loop *loop)
{
	int err;

	io_loop_pollers_live(loop, true);
	atomic_store(&loop->running, true);
	/* Before the thread is: another thread's io_loop_del() waits. */
	atomic_store(&loop->started, true);
	err = pthread_create(&loop->thread, NULL, io_loop_thread, loop);
	if (err) {
		/* A deleter that came meanwhile is woken. */
		io_loop_exit(loop);
		atomic_store(&loop->started, false);
		io_loop_pollers_live(loop, false);
		return -err;
	}
	return 0;
}

/*
 * Only the thread itself finds its own id in self (cleared as it
 * returns, before a new thread may reuse the id); any other thread,
 * between io_loop_start() and the join, finds started true and is not it.
 * started's stores are sequentially consistent, as are io_loop_del()'s
 * loads of running and rounds: a thread that finds the loop started
 * also waits for the round under way.
 */
bool io_loop_on_thread(const struct io_loop *loop)
{
	pthread_t self = atomic_load_explicit(&loop->self,
					      memory_order_relaxed);

	return (self && pthread_equal(pthread_self(), self)) ||
	       !atomic_load(&loop->started);
}

/*
 * The wake-up written, or already there (EAGAIN: the eventfd's counter
 * is full, so it is readable), the thread returns at its next round and
 * is joined. If it cannot be written at all, the thread runs on: the
 * loop stays started, io_loop_del() still waits for it.
 */
int io_loop_stop(struct io_loop *loop)
{
	u64 one = 1;

	if (!atomic_load(&loop->started))
		return 0;
	if (write(loop->wake_fd, &one, sizeof(one)) != sizeof(one) &&
	    errno != EAGAIN) {
		int err = -errno;

		pr_err("I/O loop: cannot wake: %s", strerror(errno));
		return err;
	}
	pthread_join(loop->thread, NULL);
	io_loop_pollers_live(loop, false);
	/* Taken back, so that the loop can be started again. */
	if (read(loop->wake_fd, &one, sizeof(one)) != sizeof(one))
		pr_err("I/O loop: cannot rearm: %s", strerror(errno));
	atomic_store(&loop->started, false);
	return 0;
}

void io_loop_destroy(struct io_loop *loop)
{
	/* A thread that cannot be stopped still uses all of it: kept. */
	if (io_loop_stop(loop))
		return;
	io_loop_close_fds(loop);
	io_loop_reap(loop, true);
	free(atomic_load_explicit(&loop->pollers, memory_order_relaxed));
	atomic_store_explicit(&loop->pollers, NULL, memory_order_relaxed);
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
