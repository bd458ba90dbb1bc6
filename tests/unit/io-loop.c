// SPDX-License-Identifier: GPL-2.0
/*
 * lib/io-loop.c: what io_loop_del() promises. From another thread, once
 * it returns, the handler is not running and is never called again, not
 * even for an event the I/O thread already holds (the batch epoll_wait
 * gave it), nor its poll function; an idle loop is woken for it. From
 * the I/O thread itself, later events of the batch under way skip the
 * handler. The handler is "poisoned" as io_loop_del() returns: any call
 * after that is counted.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "io-gate.h"
#include "io-loop.h"
#include "tap.h"

/* No wait in these tests lasts longer unless something is wrong. */
#define WAIT_NS (2 * 1000000000ULL)

static void spin_ns(u64 ns)
{
	u64 t0 = mono_now_ns();

	while (mono_now_ns() - t0 < ns)
		;
}

/* Until *flag == val or WAIT_NS: true if it came. */
static bool wait_for(atomic_int *flag, int val)
{
	u64 t0 = mono_now_ns();

	while (atomic_load(flag) != val)
		if (mono_now_ns() - t0 > WAIT_NS)
			return false;
	return true;
}

/* Posts of calls that are over forgotten: the next one is a new call. */
static void sem_forget(sem_t *sem)
{
	while (!sem_trywait(sem))
		;
}

static void drain(int fd)
{
	eventfd_t cnt;

	if (eventfd_read(fd, &cnt) && errno != EAGAIN)
		ok(0, "eventfd read: %s", strerror(errno));
}

/* The handler deleted; alive is 0 once io_loop_del() has returned. */
struct victim {
	struct io_handler h;
	atomic_int alive;
	atomic_int running;
	atomic_int calls;
	atomic_int late;	/* calls (or polls) once poisoned */
	atomic_int release;	/* a call may end before spin_ns */
	sem_t entered;		/* posted as each call begins */
	u64 spin_ns;		/* how long a call lasts at most */
	bool flood;		/* never drained: ready on every pass */
};

static void victim_enter(struct victim *v)
{
	u64 t0 = mono_now_ns();

	atomic_store(&v->running, 1);
	if (!atomic_load(&v->alive))
		atomic_fetch_add(&v->late, 1);
	atomic_fetch_add(&v->calls, 1);
	sem_post(&v->entered);
	while (!atomic_load(&v->release) && mono_now_ns() - t0 < v->spin_ns)
		;
}

static void victim_fn(struct io_handler *h, u32 events)
{
	struct victim *v = h->opaque;

	victim_enter(v);
	if (!v->flood)
		drain(h->fd);
	atomic_store(&v->running, 0);
}

static bool victim_poll(struct io_handler *h)
{
	struct victim *v = h->opaque;

	victim_enter(v);
	atomic_store(&v->running, 0);
	return false;
}

/* fd: an eventfd at count; -1 if it cannot be made. */
static int victim_init(struct victim *v, unsigned int count)
{
	v->h = (struct io_handler){ .fn = victim_fn, .opaque = v };
	v->h.fd = eventfd(count, EFD_NONBLOCK | EFD_CLOEXEC);
	atomic_store(&v->alive, 1);
	sem_init(&v->entered, 0, 0);
	return v->h.fd;
}

static void victim_fini(struct victim *v)
{
	if (v->h.fd >= 0)
		close(v->h.fd);
	sem_destroy(&v->entered);
}

/*
 * First in the batch, before the victim (edge-triggered, as the gate of
 * io-gate.h is): says it runs, then waits up to 200 us for the deletion
 * (io_loop_del() waits for it, as it must), or deletes the victim itself
 * (on the I/O thread).
 */
struct first {
	struct io_handler h;
	struct io_loop *loop;
	struct victim *del;	/* to delete on the I/O thread */
	sem_t in;
	atomic_int deleted;
	atomic_int del_errs;
};

static void first_fn(struct io_handler *h, u32 events)
{
	struct first *f = h->opaque;
	u64 t0 = mono_now_ns();

	drain(h->fd);
	if (f->del) {
		if (io_loop_del(f->loop, &f->del->h))
			atomic_fetch_add(&f->del_errs, 1);
		atomic_store(&f->del->alive, 0);
		return;
	}
	sem_post(&f->in);
	while (!atomic_load(&f->deleted) && mono_now_ns() - t0 < 200000)
		;
}

struct fixture {
	struct io_loop loop;
	struct io_gate gate;
	struct first first;
	struct victim v;
};

static void kick(int fd)
{
	if (eventfd_write(fd, 1))
		ok(0, "eventfd write: %s", strerror(errno));
}

static bool fixture_open(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	sem_init(&f->first.in, 0, 0);
	if (!io_gate_init(&f->gate) || io_loop_init(&f->loop))
		return false;
	f->first.h = (struct io_handler){ .fn = first_fn,
					  .opaque = &f->first };
	f->first.loop = &f->loop;
	f->first.h.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return victim_init(&f->v, 0) >= 0 && f->first.h.fd >= 0 &&
	       !io_loop_add(&f->loop, &f->gate.h, IO_GATE_EVENTS) &&
	       !io_loop_add(&f->loop, &f->first.h, EPOLLIN | EPOLLET) &&
	       !io_loop_add(&f->loop, &f->v.h, EPOLLIN) &&
	       !io_loop_start(&f->loop);
}

static void fixture_close(struct fixture *f)
{
	io_loop_destroy(&f->loop);
	io_gate_fini(&f->gate);
	close(f->first.h.fd);
	victim_fini(&f->v);
	sem_destroy(&f->first.in);
}

/* The next batch: first's event, then the victim's. */
static bool batch_first_victim(struct fixture *f)
{
	if (!io_gate_hold(&f->gate))
		return false;
	kick(f->first.h.fd);
	kick(f->v.h.fd);
	io_gate_release(&f->gate);
	return true;
}

/* The victim back in the loop, alive, for the next round. */
static bool victim_revive(struct fixture *f)
{
	drain(f->v.h.fd);
	atomic_store(&f->v.alive, 1);
	return io_loop_add(&f->loop, &f->v.h, EPOLLIN) == 0;
}

/*
 * Deleted from this thread while the I/O thread runs the handler before
 * it in the same batch: the victim's event is already in the thread's
 * hands.
 */
static void test_del_held_event(void)
{
	struct fixture f;
	int i, rounds = 300, errs = 0;

	if (!fixture_open(&f)) {
		ok(0, "held event: loop set up");
		return;
	}
	for (i = 0; i < rounds && !errs; i++) {
		atomic_store(&f.first.deleted, 0);
		if (!batch_first_victim(&f) || !sem_wait_long(&f.first.in)) {
			errs++;
			break;
		}
		if (io_loop_del(&f.loop, &f.v.h))
			errs++;
		if (atomic_load(&f.v.running))
			errs++;
		atomic_store(&f.v.alive, 0);
		atomic_store(&f.first.deleted, 1);
		if (!io_gate_pass(&f.gate) || !victim_revive(&f))
			errs++;
	}
	ok(!errs && i == rounds, "held event: %d rounds ran (%d errors)", i,
	   errs);
	ok(atomic_load(&f.v.late) == 0,
	   "held event: the victim is never called once io_loop_del() returned (%d late calls)",
	   atomic_load(&f.v.late));
	fixture_close(&f);
}

/*
 * Deleted from this thread while it runs: io_loop_del() returns when
 * the call is over.
 */
static void test_del_running(void)
{
	struct fixture f;
	int i, rounds = 50, busy = 0, errs = 0;

	if (!fixture_open(&f)) {
		ok(0, "running: loop set up");
		return;
	}
	f.v.spin_ns = 1000000;
	for (i = 0; i < rounds; i++) {
		atomic_store(&f.v.release, 0);
		sem_forget(&f.v.entered);
		kick(f.v.h.fd);
		if (!sem_wait_long(&f.v.entered) ||
		    io_loop_del(&f.loop, &f.v.h)) {
			errs++;
			break;
		}
		if (atomic_load(&f.v.running))
			busy++;
		atomic_store(&f.v.alive, 0);
		atomic_store(&f.v.release, 1);
		if (!io_gate_pass(&f.gate) || !victim_revive(&f))
			errs++;
	}
	ok(!errs, "running: %d rounds ran", i);
	ok(busy == 0 && atomic_load(&f.v.late) == 0,
	   "running: io_loop_del() returns only once the handler's call is over (running at return %d times of %d, %d late calls)",
	   busy, rounds, atomic_load(&f.v.late));
	fixture_close(&f);
}

/* Deleted on the I/O thread by the handler before it in the batch. */
static void test_del_on_thread(void)
{
	struct fixture f;
	int i, rounds = 100, errs = 0, calls;

	if (!fixture_open(&f)) {
		ok(0, "on thread: loop set up");
		return;
	}
	f.first.del = &f.v;
	calls = atomic_load(&f.v.calls);
	for (i = 0; i < rounds && !errs; i++) {
		if (!batch_first_victim(&f) || !io_gate_pass(&f.gate) ||
		    atomic_load(&f.v.alive) || !victim_revive(&f))
			errs++;
	}
	ok(!errs && i == rounds && !atomic_load(&f.first.del_errs),
	   "on thread: %d rounds ran", i);
	ok(atomic_load(&f.v.late) == 0 && atomic_load(&f.v.calls) == calls,
	   "on thread: a handler deleted by an earlier one of the batch is skipped (%d late calls)",
	   atomic_load(&f.v.late));
	fixture_close(&f);
}

/*
 * A poll function: the loop polls on every pass while another fd floods
 * it (always ready); deleted as it polls, it is never polled again.
 */
static void test_del_poller(void)
{
	struct victim flood = { .flood = true };
	struct victim p = { .spin_ns = 1000000 };
	struct io_loop loop;
	int i, rounds = 50, busy = 0, errs = 0;

	if (io_loop_init(&loop)) {
		ok(0, "poller: loop set up");
		return;
	}
	if (loop.loadavg_fd >= 0)
		close(loop.loadavg_fd);
	loop.loadavg_fd = -1;
	io_loop_set_poll(&loop, 1000000);
	loop.poll.ns = 1000000;
	victim_init(&flood, 1);
	victim_init(&p, 0);
	p.h.poll = victim_poll;
	if (flood.h.fd < 0 || p.h.fd < 0 ||
	    io_loop_add(&loop, &flood.h, EPOLLIN) ||
	    io_loop_add(&loop, &p.h, EPOLLIN) || io_loop_start(&loop)) {
		ok(0, "poller: handlers added, loop started");
		goto out;
	}
	for (i = 0; i < rounds; i++) {
		atomic_store(&p.release, 0);
		sem_forget(&p.entered);
		if (!sem_wait_long(&p.entered) || io_loop_del(&loop, &p.h)) {
			errs++;
			break;
		}
		if (atomic_load(&p.running))
			busy++;
		atomic_store(&p.alive, 0);
		atomic_store(&p.release, 1);
		/* Two passes of the flood: any walk then is a later one. */
		sem_forget(&flood.entered);
		if (!sem_wait_long(&flood.entered) ||
		    !sem_wait_long(&flood.entered))
			errs++;
		atomic_store(&p.alive, 1);
		if (io_loop_add(&loop, &p.h, EPOLLIN))
			errs++;
	}
	ok(!errs, "poller: %d rounds ran", i);
	ok(busy == 0 && atomic_load(&p.late) == 0,
	   "poller: a poll function deleted as it runs is over when io_loop_del() returns, and not called again (running at return %d times of %d, %d late)",
	   busy, rounds, atomic_load(&p.late));
out:
	io_loop_destroy(&loop);
	victim_fini(&flood);
	victim_fini(&p);
}

/*
 * A poll function deletes, on the I/O thread, a handler whose event the
 * loop already holds: polling, each pass walks the pollers after the
 * epoll_wait() that returned the batch, before the batch's handlers run
 * (vsock's transmit queue, polled, freeing a connection whose socket's
 * event came in the same pass). That event is skipped too.
 */
struct poll_del {
	struct io_handler h;
	struct io_loop *loop;
	struct victim *del;
	atomic_int armed;
	atomic_int del_errs;
};

/* Its eventfd is never written: no event to handle. */
static void poll_del_fn(struct io_handler *h, u32 events)
{
	drain(h->fd);
}

static bool poll_del_poll(struct io_handler *h)
{
	struct poll_del *d = h->opaque;

	if (!atomic_exchange(&d->armed, 0))
		return false;
	if (io_loop_del(d->loop, &d->del->h))
		atomic_fetch_add(&d->del_errs, 1);
	atomic_store(&d->del->alive, 0);
	return false;
}

static void test_del_from_poll(void)
{
	struct poll_del d = { 0 };
	struct io_gate gate;
	struct victim v = { 0 };
	struct io_loop loop;
	int i, rounds = 50, errs = 0, calls;

	if (!io_gate_init(&gate) || io_loop_init(&loop)) {
		ok(0, "from poll: loop set up");
		goto out_gate;
	}
	/* Polling whatever the load: the first pass holds the batch. */
	if (loop.loadavg_fd >= 0)
		close(loop.loadavg_fd);
	loop.loadavg_fd = -1;
	io_loop_set_poll(&loop, 1000000);
	d.h = (struct io_handler){ .fn = poll_del_fn, .opaque = &d,
				   .poll = poll_del_poll };
	d.h.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	d.loop = &loop;
	d.del = &v;
	if (victim_init(&v, 0) < 0 || d.h.fd < 0 ||
	    io_loop_add(&loop, &gate.h, IO_GATE_EVENTS) ||
	    io_loop_add(&loop, &d.h, EPOLLIN) ||
	    io_loop_add(&loop, &v.h, EPOLLIN) || io_loop_start(&loop)) {
		ok(0, "from poll: handlers added, loop started");
		goto out;
	}
	calls = atomic_load(&v.calls);
	for (i = 0; i < rounds && !errs; i++) {
		/*
		 * With the I/O thread in the gate's handler: the victim
		 * ready, the poll function armed, polling on. The next
		 * pass's epoll_wait() returns the victim's event, then the
		 * walk deletes it.
		 */
		if (!io_gate_hold(&gate)) {
			errs++;
			break;
		}
		kick(v.h.fd);
		atomic_store(&d.armed, 1);
		loop.poll.ns = 1000000;
		io_gate_release(&gate);
		/* Past that pass: the gate's next event is a later batch. */
		if (!io_gate_hold(&gate)) {
			errs++;
			break;
		}
		if (atomic_load(&d.armed) || atomic_load(&v.alive))
			errs++;
		drain(v.h.fd);
		atomic_store(&v.alive, 1);
		if (io_loop_add(&loop, &v.h, EPOLLIN))
			errs++;
		io_gate_release(&gate);
	}
	ok(!errs && i == rounds && !atomic_load(&d.del_errs),
	   "from poll: %d rounds ran", i);
	ok(atomic_load(&v.late) == 0 && atomic_load(&v.calls) == calls,
	   "from poll: a handler deleted by a poll function is skipped in the batch the loop holds (%d late calls)",
	   atomic_load(&v.late));
out:
	io_loop_destroy(&loop);
	victim_fini(&v);
	if (d.h.fd >= 0)
		close(d.h.fd);
out_gate:
	io_gate_fini(&gate);
}

struct idle_del {
	struct io_loop *loop;
	struct io_handler *h;
	atomic_int done;
};

static void *idle_del_thread(void *arg)
{
	struct idle_del *d = arg;

	io_loop_del(d->loop, d->h);
	atomic_store(&d->done, 1);
	return NULL;
}

/*
 * The loop asleep with nothing to do: io_loop_del() wakes it, and
 * returns at once; before the loop starts it waits for nothing.
 */
static void test_del_idle(void)
{
	struct idle_del d = { 0 };
	struct fixture f;
	pthread_t t;
	u64 t0;

	if (!fixture_open(&f)) {
		ok(0, "idle: loop set up");
		return;
	}
	d.loop = &f.loop;
	d.h = &f.v.h;
	/* Time to fall asleep. */
	spin_ns(20000000);
	t0 = mono_now_ns();
	if (pthread_create(&t, NULL, idle_del_thread, &d)) {
		ok(0, "idle: thread");
		fixture_close(&f);
		return;
	}
	if (!ok(wait_for(&d.done, 1),
		"idle: io_loop_del() on a sleeping loop returns (%llu us)",
		(unsigned long long)(mono_now_ns() - t0) / 1000))
		return;	/* the thread is stuck: leave it */
	pthread_join(t, NULL);
	io_loop_stop(&f.loop);
	if (io_loop_add(&f.loop, &f.v.h, EPOLLIN))
		ok(0, "idle: added again");
	ok(io_loop_del(&f.loop, &f.v.h) == 0,
	   "idle: io_loop_del() on a stopped loop returns");
	fixture_close(&f);
}

struct stopper {
	struct io_loop *loop;
	atomic_int done;
};

static void *stopper_thread(void *arg)
{
	struct stopper *s = arg;

	io_loop_stop(s->loop);
	atomic_store(&s->done, 1);
	return NULL;
}

/* Until *flag == val or ns: true if it came. */
static bool wait_for_ns(atomic_int *flag, int val, u64 ns)
{
	u64 t0 = mono_now_ns();

	while (atomic_load(flag) != val)
		if (mono_now_ns() - t0 > ns)
			return false;
	return true;
}

/*
 * io_loop_stop() whose wake-up write fails with EAGAIN (the wake fd's
 * counter full: the wake-up is already there) while the I/O thread runs
 * a handler: stop returns only once the thread has been joined, and
 * meanwhile io_loop_del() from another thread still waits for the
 * handler's call to end.
 */
static void test_stop_wake_full(void)
{
	struct stopper s = { 0 };
	struct fixture f;
	bool early;
	pthread_t t;

	if (!fixture_open(&f)) {
		ok(0, "stop, wake fd full: loop set up");
		return;
	}
	s.loop = &f.loop;
	/* Read by the I/O thread: the gate orders it before. */
	f.v.spin_ns = 300000000;
	if (!io_gate_pass(&f.gate)) {
		ok(0, "stop, wake fd full: set up");
		fixture_close(&f);
		return;
	}
	kick(f.v.h.fd);
	if (!sem_wait_long(&f.v.entered) ||
	    eventfd_write(f.loop.wake_fd, 0xfffffffffffffffeULL) ||
	    pthread_create(&t, NULL, stopper_thread, &s)) {
		ok(0, "stop, wake fd full: set up");
		fixture_close(&f);
		return;
	}
	/* Time for a stop that does not wait to return. */
	early = wait_for_ns(&s.done, 1, 50000000);
	ok(!early && atomic_load(&f.v.running),
	   "stop, wake fd full: io_loop_stop() does not return while the I/O thread runs a handler");
	ok(!io_loop_on_thread(&f.loop),
	   "stop, wake fd full: this thread is not the I/O thread meanwhile");
	if (io_loop_del(&f.loop, &f.v.h))
		ok(0, "stop, wake fd full: io_loop_del()");
	ok(!atomic_load(&f.v.running),
	   "stop, wake fd full: io_loop_del() meanwhile waits for the handler's call");
	atomic_store(&f.v.alive, 0);
	ok(wait_for(&s.done, 1), "stop, wake fd full: io_loop_stop() returns");
	pthread_join(t, NULL);
	/* The old code left the thread running: let it end first. */
	wait_for(&f.v.running, 0);
	spin_ns(10000000);
	ok(io_loop_on_thread(&f.loop) && !io_loop_start(&f.loop),
	   "stop, wake fd full: stopped, and started again");
	fixture_close(&f);
}

/*
 * io_loop_stop() that cannot wake the thread at all (a wake fd that is
 * not there: no system call can fail here otherwise) leaves it running
 * and says so: the loop stays as it was, io_loop_del() still waits, and
 * a later stop that can wake it joins it.
 */
static void test_stop_unwakeable(void)
{
	struct fixture f;
	int wake_fd;

	if (!fixture_open(&f)) {
		ok(0, "stop, no wake fd: loop set up");
		return;
	}
	f.v.spin_ns = 100000000;
	if (!io_gate_pass(&f.gate)) {
		ok(0, "stop, no wake fd: set up");
		fixture_close(&f);
		return;
	}
	kick(f.v.h.fd);
	if (!sem_wait_long(&f.v.entered)) {
		ok(0, "stop, no wake fd: set up");
		fixture_close(&f);
		return;
	}
	wake_fd = f.loop.wake_fd;
	f.loop.wake_fd = -1;
	ok(io_loop_stop(&f.loop) == -EBADF,
	   "stop, no wake fd: io_loop_stop() says it cannot stop the thread");
	f.loop.wake_fd = wake_fd;
	ok(!io_loop_on_thread(&f.loop),
	   "stop, no wake fd: the thread is still there for io_loop_on_thread()");
	if (io_loop_del(&f.loop, &f.v.h))
		ok(0, "stop, no wake fd: io_loop_del()");
	ok(!atomic_load(&f.v.running),
	   "stop, no wake fd: io_loop_del() still waits for the handler's call");
	atomic_store(&f.v.alive, 0);
	io_loop_stop(&f.loop);
	ok(io_loop_on_thread(&f.loop) && !io_loop_start(&f.loop),
	   "stop, no wake fd: stopped by the next io_loop_stop(), started again");
	/* The old code left the thread running: let it end first. */
	wait_for(&f.v.running, 0);
	spin_ns(10000000);
	fixture_close(&f);
}

/*
 * No order forced: the victim's fd always ready, deleted at random
 * moments of the loop's work, added again at once.
 */
static void test_del_race(void)
{
	struct victim v = { .flood = true };
	struct io_loop loop;
	int i, rounds = 2000, errs = 0;
	unsigned int seed = 1;

	if (io_loop_init(&loop)) {
		ok(0, "race: loop set up");
		return;
	}
	if (victim_init(&v, 1) < 0 || io_loop_add(&loop, &v.h, EPOLLIN) ||
	    io_loop_start(&loop)) {
		ok(0, "race: loop started");
		io_loop_destroy(&loop);
		victim_fini(&v);
		return;
	}
	for (i = 0; i < rounds; i++) {
		seed = seed * 1103515245 + 12345;
		spin_ns((seed >> 16) % 20000);
		if (io_loop_del(&loop, &v.h))
			errs++;
		atomic_store(&v.alive, 0);
		spin_ns((seed >> 8) % 5000);
		atomic_store(&v.alive, 1);
		if (io_loop_add(&loop, &v.h, EPOLLIN))
			errs++;
	}
	io_loop_destroy(&loop);
	victim_fini(&v);
	ok(!errs, "race: %d deletions (%d calls)", rounds,
	   atomic_load(&v.calls));
	ok(atomic_load(&v.late) == 0,
	   "race: never called between io_loop_del() and the next add (%d late calls)",
	   atomic_load(&v.late));
}

int main(void)
{
	u64 t0 = mono_now_ns();

	test_del_held_event();
	test_del_running();
	test_del_on_thread();
	test_del_poller();
	test_del_from_poll();
	test_del_idle();
	test_del_race();
	test_stop_wake_full();
	test_stop_unwakeable();
	ok(1, "took %llu ms",
	   (unsigned long long)(mono_now_ns() - t0) / 1000000);
	return tap_done();
}
