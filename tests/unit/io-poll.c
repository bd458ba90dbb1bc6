// SPDX-License-Identifier: GPL-2.0
/*
 * lib/io-poll.c and the I/O loop's polling (lib/io-loop.c): the bound
 * grows, shrinks, stays under its cap and is never used when disabled;
 * a loop that polls finds quick events without sleeping and sleeps
 * (no CPU time) once nothing comes; while completions are expected it
 * sleeps through a disk's time but still polls for a driver's requests.
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "io-loop.h"
#include "io-poll.h"
#include "tap.h"

static void test_bound(void)
{
	struct io_poll p;
	unsigned int i;
	u32 prev;

	io_poll_init(&p, 0);
	io_poll_update(&p, false, 1000);
	io_poll_update(&p, false, 1000);
	ok(p.ns == 0, "max 0: a quick event does not start polling");
	io_poll_init(&p, 32000);
	ok(p.max_ns == 32000 && p.ns == 0, "init: cap kept, no polling yet");
	io_poll_update(&p, false, 100000);
	ok(p.ns == 0, "an event later than the cap does not start polling");
	io_poll_update(&p, false, 5000);
	ok(p.ns == IO_POLL_START_NS,
	   "an event within the cap starts polling at %u ns (got %u)",
	   IO_POLL_START_NS, p.ns);
	io_poll_update(&p, false, 5000);
	ok(p.ns == 2 * IO_POLL_START_NS, "the next one doubles it (got %u)",
	   p.ns);
	prev = p.ns;
	io_poll_update(&p, true, 0);
	ok(p.ns == prev && p.hits == 1, "a hit keeps the bound and is counted");
	for (i = 0; i < 20; i++)
		io_poll_update(&p, false, 32000);
	ok(p.ns == 32000, "growth stops at the cap (got %u)", p.ns);
	io_poll_update(&p, false, 32001);
	ok(p.ns == 16000, "an event past the cap halves it (got %u)", p.ns);
	for (i = 0; i < 100 && p.ns; i++)
		io_poll_update(&p, false, 1000000000ULL);
	ok(p.ns == 0 && i == 4,
	   "late events wear it down to 0 (after %u)", i);
	ok(p.misses == 24 + i, "misses counted (%llu)",
	   (unsigned long long)p.misses);
	io_poll_init(&p, 5000000);
	ok(p.max_ns == IO_POLL_MAX_NS, "the cap is clamped to %u ns",
	   IO_POLL_MAX_NS);
	io_poll_init(&p, 3000);
	io_poll_update(&p, false, 100);
	io_poll_update(&p, false, 100);
	ok(p.ns == 3000, "a cap that is not a power of two is met (got %u)",
	   p.ns);
}

/* /proc/loadavg's runnable count, and what it says about polling. */
static void test_load(void)
{
	struct io_poll p;

	ok(io_poll_parse_running("0.52 0.58 0.59 3/151 12345\n") == 3,
	   "loadavg: 3 runnable");
	ok(io_poll_parse_running("10.01 8.00 7.50 12/400 99") == 12,
	   "loadavg: 12 runnable");
	ok(io_poll_parse_running("") == -1 &&
	   io_poll_parse_running("0.5 0.5 0.5") == -1 &&
	   io_poll_parse_running("0.5 0.5 0.5 x/3 1") == -1 &&
	   io_poll_parse_running("0.5 0.5 0.5 3 1") == -1,
	   "loadavg: malformed lines give -1");
	ok(io_poll_cpu_free(1, 2) && io_poll_cpu_free(2, 2),
	   "2 CPUs, 1 or 2 runnable: poll");
	ok(!io_poll_cpu_free(3, 2), "2 CPUs, 3 runnable: do not");
	ok(io_poll_cpu_free(-1, 2) && io_poll_cpu_free(5, 0),
	   "unknown load or CPU count: poll");
	io_poll_init(&p, 32000);
	io_poll_update(&p, false, 1000);
	io_poll_update(&p, false, 1000);
	io_poll_preempted(&p);
	ok(p.ns == IO_POLL_START_NS && p.preempted == 1,
	   "a poll cut short halves the bound (got %u)", p.ns);
	io_poll_preempted(&p);
	ok(p.ns == 0, "and stops it below %u ns", IO_POLL_START_NS);
	io_poll_init(&p, 32000);
	io_poll_update(&p, false, 1000);
	io_poll_update(&p, false, 1000);
	io_poll_completion(&p);
	ok(p.ns == IO_POLL_START_NS && p.completions == 1 && !p.preempted,
	   "a poll that found only completions halves the bound (got %u)",
	   p.ns);
	io_poll_completion(&p);
	ok(p.ns == 0 && p.completions == 2, "and stops it below %u ns",
	   IO_POLL_START_NS);
}

struct counter {
	struct io_handler h;
	int calls;
	pid_t tid;
};

static void counter_fn(struct io_handler *h, u32 events)
{
	struct counter *c = h->opaque;
	u64 v;

	if (read(h->fd, &v, sizeof(v)) == sizeof(v))
		__atomic_add_fetch(&c->calls, 1, __ATOMIC_RELEASE);
	c->tid = gettid();
}

/* utime + stime of a thread of ours, in clock ticks; -1 if unreadable. */
static long thread_ticks(pid_t tid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p)
		return -1;
	/* After the command's closing parenthesis: field 3 on. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (i = 0; i < 11 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A loop polling up to max_ns with one eventfd handler; 0 when started. */
static int loop_start(struct io_loop *loop, struct counter *c, u32 max_ns)
{
	memset(c, 0, sizeof(*c));
	if (io_loop_init(loop))
		return -1;
	c->h.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	c->h.fn = counter_fn;
	c->h.opaque = c;
	io_loop_set_poll(loop, max_ns);
	/* Poll whatever else this host runs: no /proc/loadavg to look at. */
	if (loop->loadavg_fd >= 0)
		close(loop->loadavg_fd);
	loop->loadavg_fd = -1;
	if (c->h.fd < 0 || io_loop_add(loop, &c->h, EPOLLIN) ||
	    io_loop_start(loop))
		return -1;
	return 0;
}

/* n events, each as soon as the last one was handled. */
static void loop_events(struct counter *c, int n)
{
	int i, base = __atomic_load_n(&c->calls, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++) {
		u64 one = 1;

		if (write(c->h.fd, &one, sizeof(one)) != sizeof(one))
			break;
		while (__atomic_load_n(&c->calls, __ATOMIC_ACQUIRE) <
		       base + i + 1)
			;
	}
}

static void loop_end(struct io_loop *loop, struct counter *c)
{
	io_loop_del(loop, &c->h);
	close(c->h.fd);
	io_loop_destroy(loop);
}

/* Polling hits so far (read while the loop runs: a hint only). */
static u64 hits(struct io_loop *loop)
{
	return __atomic_load_n(&loop->poll.hits, __ATOMIC_RELAXED);
}

static void test_loop(void)
{
	struct io_loop loop;
	struct counter c;
	long t0, t1, hz = sysconf(_SC_CLK_TCK);
	int i;

	if (loop_start(&loop, &c, 50000)) {
		ok(0, "loop with an eventfd started");
		return;
	}
	/*
	 * Back to back: within the cap, polling catches them, unless the
	 * CPU is taken from the polling thread (a busy host), which cuts
	 * polling short by design: up to 5 batches.
	 */
	for (i = 0; i < 5 && !hits(&loop); i++)
		loop_events(&c, 2000);
	ok(c.calls == 2000 * i, "every event handled (%d)", c.calls);
	/* Idle: the thread must sleep, not poll. */
	sleep_ms(100);
	t0 = thread_ticks(c.tid);
	sleep_ms(1000);
	t1 = thread_ticks(c.tid);
	ok(t0 >= 0 && t1 >= 0 && t1 - t0 <= hz / 50,
	   "idle I/O thread used %ld ticks of %ld in 1 s (at most 2%%)",
	   t1 - t0, hz);
	io_loop_stop(&loop);
	if (!loop.poll.hits && loop.poll.preempted)
		skip("the CPU was taken from every poll: host too busy",
		     "back-to-back events were found by polling (%llu misses, %llu polls cut short)",
		     (unsigned long long)loop.poll.misses,
		     (unsigned long long)loop.poll.preempted);
	else
		ok(loop.poll.hits > 0,
		   "back-to-back events were found by polling (%llu hits, %llu misses, %llu cut short)",
		   (unsigned long long)loop.poll.hits,
		   (unsigned long long)loop.poll.misses,
		   (unsigned long long)loop.poll.preempted);
	loop_end(&loop, &c);

	/* The same with polling off: never a hit. */
	if (loop_start(&loop, &c, 0)) {
		ok(0, "second loop started");
		return;
	}
	loop_events(&c, 200);
	io_loop_stop(&loop);
	ok(c.calls == 200 && loop.poll.hits == 0 && loop.poll.ns == 0,
	   "polling off: events handled, none by polling");
	/* Stopped, the loop keeps its handlers and starts again. */
	if (io_loop_start(&loop)) {
		ok(0, "the stopped loop started again");
		loop_end(&loop, &c);
		return;
	}
	{
		u64 one = 1;
		int i;

		if (write(c.h.fd, &one, sizeof(one)) != sizeof(one))
			ok(0, "an event for the loop started again");
		for (i = 0; i < 2000 && __atomic_load_n(&c.calls,
							__ATOMIC_ACQUIRE) < 201; i++)
			sleep_ms(1);
	}
	io_loop_stop(&loop);
	ok(c.calls == 201, "started again, it serves its handlers (%d of 201)",
	   c.calls);
	loop_end(&loop, &c);
}

/*
 * A disk at depth 1 as the I/O loop sees it: a driver's queue (a handler
 * with a poll function) whose request the loop submits, then the disk's
 * completion on another fd DISK_US later, then the driver's next request
 * at once.
 */
#define DISK_US 30

struct disk_sim {
	struct io_loop *loop;
	struct io_handler queue;	/* the driver's notifications */
	struct io_handler done;		/* the disk's completions */
	int request;			/* posted by the driver */
	int quiet;			/* the loop polls: do not notify */
	int submitted, completed;	/* by the loop */
	int polls_busy;			/* poll calls while the disk works */
	int kicks;			/* notifications the driver sent */
	int irq_fd;			/* the driver's interrupt (unread) */
	int poll_next;		/* completions with a bound above 0 */
	int loud_next;		/* of those, with the queue notifying */
	u32 busy_ns_max;	/* the busy bound's highest, as requests came */
};

static void fd_signal(int fd)
{
	u64 one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

/* The loop takes the driver's request: submitted, a completion expected. */
static bool sim_take(struct disk_sim *d)
{
	if (!__atomic_exchange_n(&d->request, 0, __ATOMIC_ACQUIRE))
		return false;
	/* On the I/O thread, which alone writes the bounds. */
	d->busy_ns_max = MAX(d->busy_ns_max, d->loop->poll_busy.ns);
	io_loop_expect(d->loop, 1);
	__atomic_add_fetch(&d->submitted, 1, __ATOMIC_RELEASE);
	return true;
}

static bool sim_poll(struct io_handler *h)
{
	struct disk_sim *d = h->opaque;

	if (atomic_load(&d->loop->expected) > 0)
		d->polls_busy++;
	return sim_take(d);
}

static void sim_quiet(struct io_handler *h, bool quiet)
{
	struct disk_sim *d = h->opaque;

	__atomic_store_n(&d->quiet, quiet, __ATOMIC_SEQ_CST);
}

static void sim_kick(struct io_handler *h, u32 events)
{
	u64 v;

	if (read(h->fd, &v, sizeof(v)) == sizeof(v))
		sim_take(h->opaque);
}

static void sim_done(struct io_handler *h, u32 events)
{
	struct disk_sim *d = h->opaque;
	u64 v;

	if (read(h->fd, &v, sizeof(v)) != sizeof(v))
		return;
	if (d->loop->poll.ns || d->loop->poll_busy.ns) {
		d->poll_next++;
		if (!__atomic_load_n(&d->quiet, __ATOMIC_SEQ_CST))
			d->loud_next++;
	}
	io_loop_expect(d->loop, -1);
	/* The used buffer, then the interrupt: lkvm writes an irqfd. */
	__atomic_add_fetch(&d->completed, 1, __ATOMIC_RELEASE);
	fd_signal(d->irq_fd);
}

static void wait_count(int *count, int n)
{
	while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < n)
		;
}

static void spin_us(u64 us)
{
	u64 end = mono_now_ns() + us * 1000;

	while (mono_now_ns() < end)
		;
}

/* A loop with the simulated queue and disk, expecting `expect` already. */
static int sim_start(struct io_loop *loop, struct disk_sim *d, int expect)
{
	*d = (struct disk_sim){ .loop = loop };
	if (io_loop_init(loop))
		return -1;
	io_loop_expect(loop, expect);
	io_loop_set_poll(loop, 200000);
	if (loop->loadavg_fd >= 0)
		close(loop->loadavg_fd);
	loop->loadavg_fd = -1;
	d->queue = (struct io_handler){
		.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
		.fn = sim_kick, .opaque = d, .poll = sim_poll,
		.quiet = sim_quiet,
	};
	d->done = (struct io_handler){
		.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
		.fn = sim_done, .opaque = d,
	};
	d->irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->queue.fd < 0 || d->done.fd < 0 || d->irq_fd < 0 ||
	    io_loop_add(loop, &d->queue, EPOLLIN) ||
	    io_loop_add(loop, &d->done, EPOLLIN) || io_loop_start(loop))
		return -1;
	return 0;
}

static void sim_end(struct io_loop *loop, struct disk_sim *d)
{
	io_loop_stop(loop);
	io_loop_del(loop, &d->queue);
	io_loop_del(loop, &d->done);
	close(d->queue.fd);
	close(d->done.fd);
	close(d->irq_fd);
	io_loop_destroy(loop);
}

/* The driver posts a request; it notifies unless the loop polls. */
static void sim_request(struct disk_sim *d)
{
	__atomic_store_n(&d->request, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&d->quiet, __ATOMIC_SEQ_CST)) {
		d->kicks++;
		fd_signal(d->queue.fd);
	}
}

#define SIM_ROUNDS 2000

/* From now: how often this (the driver's) thread loses its CPU. */
static void driver_mark(struct rusage *ru0)
{
	if (getrusage(RUSAGE_THREAD, ru0))
		ru0->ru_nivcsw = -1;
}

/* Times it was switched out since driver_mark(); unknown: LONG_MAX. */
static long driver_switches(const struct rusage *ru0)
{
	struct rusage ru;

	if (ru0->ru_nivcsw < 0 || getrusage(RUSAGE_THREAD, &ru))
		return LONG_MAX;
	return ru.ru_nivcsw - ru0->ru_nivcsw;
}

static void test_busy_depth1(void)
{
	struct rusage ru0;
	struct io_loop loop;
	struct disk_sim d;
	int i;

	if (sim_start(&loop, &d, 0)) {
		ok(0, "loop with a simulated disk started");
		return;
	}
	driver_mark(&ru0);
	for (i = 0; i < SIM_ROUNDS; i++) {
		sim_request(&d);
		wait_count(&d.submitted, i + 1);
		spin_us(DISK_US);
		fd_signal(d.done.fd);
		wait_count(&d.completed, i + 1);
	}
	io_loop_stop(&loop);
	ok(d.completed == SIM_ROUNDS && !atomic_load(&loop.expected),
	   "depth 1: %d requests completed, none expected after",
	   d.completed);
	/*
	 * Polling through the disk's time would call the driver's poll
	 * function on every pass, tens per request; sleeping, the loop
	 * looks once before it sleeps and once as it wakes.
	 */
	ok(d.polls_busy <= 3 * SIM_ROUNDS,
	   "the loop slept while the disk worked: %d polls of the queue in %d requests' disk time",
	   d.polls_busy, SIM_ROUNDS);
	ok(loop.poll_busy.ns == 0 && loop.poll_busy.hits == 0,
	   "the bound while completions are expected stayed 0 (%u ns, %llu hits)",
	   loop.poll_busy.ns, (unsigned long long)loop.poll_busy.hits);
	if (!loop.poll.hits &&
	    (loop.poll.preempted || driver_switches(&ru0) > SIM_ROUNDS / 20))
		skip("the CPU was taken from every poll or from the driver: host too busy",
		     "the driver's next requests were found by polling");
	else
		ok(loop.poll.hits > 0,
		   "the driver's next requests were found by polling (%llu of %d)",
		   (unsigned long long)loop.poll.hits, SIM_ROUNDS);
	/*
	 * Woken by the completion with a bound that says it polls next,
	 * the loop asked the queue not to notify before it completed the
	 * request: the driver's next one, its answer to the interrupt,
	 * needs no doorbell. How many doorbells that saves depends on the
	 * driver getting a CPU while the loop polls (on a busy host the
	 * polling thread itself keeps it waiting, and the request comes
	 * just after polling gave up): counted, not asserted.
	 */
	if (!d.poll_next)
		skip("no completion came while a bound was above 0: host too busy",
		     "the queue was quiet before each completion that polling follows");
	else
		ok(!d.loud_next,
		   "the queue was quiet before each completion that polling follows: %d of %d not (%d doorbells in %d requests)",
		   d.loud_next, d.poll_next, d.kicks, SIM_ROUNDS);
	sim_end(&loop, &d);
}

/*
 * Completions stay expected (a deep queue) while the driver posts
 * requests back to back: those notifications are what polling is for,
 * and the bound grows for them as it does without a disk.
 */
static void test_busy_deep(void)
{
	struct rusage ru0;
	struct io_loop loop;
	struct disk_sim d;
	int i;

	if (sim_start(&loop, &d, 32)) {
		ok(0, "loop with a simulated deep queue started");
		return;
	}
	driver_mark(&ru0);
	for (i = 0; i < SIM_ROUNDS; i++) {
		sim_request(&d);
		wait_count(&d.submitted, i + 1);
	}
	io_loop_stop(&loop);
	/*
	 * Deterministic enough: the driver posts within the cap of the
	 * loop's wait whenever it runs once the loop sleeps, and a driver
	 * kept from its CPU by polling runs just then.
	 */
	ok(d.busy_ns_max > 0,
	   "completions expected: the driver's notifications grew the bound (to %u ns; %llu misses)",
	   d.busy_ns_max, (unsigned long long)loop.poll_busy.misses);
	/*
	 * Whether polling then finds the requests depends on the driver
	 * running while the loop polls: where another task holds the
	 * other CPU, the two share one, and a driver that lost its CPU
	 * to the polling thread posts just after polling gave up.
	 */
	if (driver_switches(&ru0) > SIM_ROUNDS / 20)
		skip("the driver lost its CPU: host too busy",
		     "completions expected: the driver's requests were found by polling (%llu hits, %ld switches)",
		     (unsigned long long)loop.poll_busy.hits,
		     driver_switches(&ru0));
	else
		ok(loop.poll_busy.hits > SIM_ROUNDS / 2,
		   "completions expected: the driver's requests were found by polling (%llu hits, bound now %u ns, %ld switches)",
		   (unsigned long long)loop.poll_busy.hits,
		   loop.poll_busy.ns, driver_switches(&ru0));
	ok(loop.poll.hits == 0 && loop.poll.misses == 0,
	   "the idle bound learnt nothing meanwhile");
	sim_end(&loop, &d);
}

/* A poller that never finds work and counts being told to be quiet. */
struct quiet_count {
	struct io_handler h;
	int told_quiet;
};

static bool never_work(struct io_handler *h)
{
	return false;
}

static void count_quiet(struct io_handler *h, bool quiet)
{
	struct quiet_count *q = h->opaque;

	if (quiet)
		__atomic_add_fetch(&q->told_quiet, 1, __ATOMIC_RELAXED);
}

/*
 * A loop woken while a completion is expected, its busy bound 0 and its
 * idle bound learnt (the thread would poll once the completion is
 * reaped), with /proc/loadavg replaced by a file saying `loadavg`, on 2
 * CPUs: how often its poller was told to be quiet during 200 events;
 * -1 if it could not be set up.
 */
static int quiet_told(const char *loadavg, struct io_loop *loop)
{
	char path[] = "/tmp/lkvm-loadavg-XXXXXX";
	struct quiet_count q = { 0 };
	size_t len = strlen(loadavg);
	struct counter c;
	int fd = mkstemp(path);

	memset(&c, 0, sizeof(c));
	if (fd < 0)
		return -1;
	unlink(path);
	if (write(fd, loadavg, len) != (ssize_t)len || io_loop_init(loop)) {
		close(fd);
		return -1;
	}
	c.h = (struct io_handler){ eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
				   counter_fn, &c };
	q.h = (struct io_handler){ eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
				   counter_fn, &q, never_work, count_quiet };
	io_loop_set_poll(loop, 50000);
	loop->poll.ns = 50000;	/* as if learnt */
	io_loop_expect(loop, 1);
	if (loop->loadavg_fd >= 0)
		close(loop->loadavg_fd);
	loop->loadavg_fd = fd;
	loop->ncpus = 2;
	if (c.h.fd < 0 || q.h.fd < 0 || io_loop_add(loop, &c.h, EPOLLIN) ||
	    io_loop_add(loop, &q.h, EPOLLIN) || io_loop_start(loop))
		return -1;
	loop_events(&c, 200);
	io_loop_stop(loop);
	io_loop_del(loop, &q.h);
	close(q.h.fd);
	loop_end(loop, &c);
	return c.calls == 200 ? q.told_quiet : -1;
}

/*
 * Woken with a bound that says the thread polls next, the loop tells its
 * pollers to stop notifying before the handlers run; not when no CPU is
 * free (more runnable tasks than CPUs), where the next wait sleeps at
 * once and would only undo it.
 */
static void test_no_cpu_no_quiet(void)
{
	struct io_loop loop;
	int busy, idle;

	busy = quiet_told("9.00 9.00 9.00 9/200 4242\n", &loop);
	ok(busy == 0 && loop.poll.ns == 50000 && loop.poll_busy.ns == 0,
	   "no CPU free: the pollers were never told to be quiet, the bounds kept (told %d times in 200 events)",
	   busy);
	idle = quiet_told("0.00 0.00 0.00 1/200 4242\n", &loop);
	ok(idle >= 200,
	   "a CPU free: told to be quiet at each of 200 wake-ups (%d times)",
	   idle);
}

int main(void)
{
	test_bound();
	test_load();
	test_loop();
	test_busy_depth1();
	test_busy_deep();
	test_no_cpu_no_quiet();
	return tap_done();
}
