// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bench/halt-poll.h, the benchmarks' model of a halted vCPU under
 * KVM: the window grows, shrinks and stays by KVM's rules; an interrupt
 * raised within the window is taken without sleeping; one raised later
 * wakes the sleeper; a wake-up left over from a polled interrupt is not
 * taken for a new one.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "types.h"
#include "../bench/halt-poll.h"
#include "tap.h"

static void params(struct halt_poll *hp, uint64_t max, unsigned int shrink)
{
	*hp = (struct halt_poll){ .max_ns = max, .grow = 2,
				  .grow_start_ns = 10000, .shrink = shrink };
}

/* One step of a window's history: `times` waits of `wait` ns, then the check. */
struct adjust_step {
	u64 wait;
	unsigned int times;
	u64 expect;
	const char *what;
};

static void run_steps(struct halt_poll *hp, const struct adjust_step *s,
		      unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < s[i].times; j++)
			halt_poll_adjust(hp, s[i].wait);
		ok(hp->window_ns == s[i].expect, "%s (%llu ns)", s[i].what,
		   (unsigned long long)hp->window_ns);
	}
}

static void test_adjust(void)
{
	static const struct adjust_step grow[] = {
		{ 50000, 1, 10000, "a wait under the cap starts the window at grow_start" },
		{ 50000, 3, 80000, "longer waits double it: 10, 20, 40, 80 us" },
		{ 50000, 1, 80000, "a wait that fits leaves it" },
		{ 190000, 2, 200000, "growth stops at halt_poll_ns" },
		{ 300000, 1, 0, "a wait past halt_poll_ns with shrink 0 ends polling" },
	};
	static const struct adjust_step shrink[] = {
		{ 300000, 1, 20000, "shrink 2 halves the window" },
		{ 300000, 2, 0, "below grow_start it drops to 0" },
	};
	static const struct adjust_step off[] = {
		{ 5000, 2, 0, "halt_poll_ns 0: the window never opens" },
	};
	struct halt_poll hp;

	params(&hp, 200000, 0);
	run_steps(&hp, grow, ARRAY_SIZE(grow));
	params(&hp, 200000, 2);
	hp.window_ns = 40000;
	run_steps(&hp, shrink, ARRAY_SIZE(shrink));
	params(&hp, 0, 0);
	run_steps(&hp, off, ARRAY_SIZE(off));
}

struct raiser {
	unsigned int *pending;
	int fd;
	unsigned int delay_us;
};

static void *raise_later(void *arg)
{
	struct raiser *r = arg;

	usleep(r->delay_us);
	halt_poll_raise(r->pending);
	if (eventfd_write(r->fd, 1))
		return (void *)1;
	return NULL;
}

static uint64_t timed_wait(struct halt_poll *hp, unsigned int *pending,
			   int fd, unsigned int delay_us, int timeout_ms,
			   int *ret)
{
	struct raiser r = { pending, fd, delay_us };
	uint64_t t0 = halt_poll_now();
	pthread_t t;

	if (pthread_create(&t, NULL, raise_later, &r)) {
		*ret = -2;
		return 0;
	}
	*ret = halt_poll_wait(hp, pending, fd, timeout_ms);
	pthread_join(t, NULL);
	return halt_poll_now() - t0;
}

static void test_wait(void)
{
	struct halt_poll hp;
	unsigned int pending = 0;
	int fd = eventfd(0, 0), ret;
	uint64_t ns;

	if (fd < 0) {
		ok(0, "eventfd");
		return;
	}
	/* A window of 2 s: an interrupt 5 ms later is polled, not slept. */
	params(&hp, 4000000000ULL, 0);
	hp.window_ns = 2000000000ULL;
	ns = timed_wait(&hp, &pending, fd, 5000, 1000, &ret);
	ok(ret == 1 && hp.polled == 1 && hp.slept == 0 && !pending,
	   "an interrupt inside the window is taken polling (ret %d, polled %llu, slept %llu)",
	   ret, (unsigned long long)hp.polled,
	   (unsigned long long)hp.slept);
	ok(hp.window_ns == 2000000000ULL, "a polled wait leaves the window");

	/*
	 * The eventfd write behind that interrupt is still counted: a
	 * later wait with nothing raised must not take it for one.
	 */
	hp.window_ns = 0;
	ns = halt_poll_now();
	ret = halt_poll_wait(&hp, &pending, fd, 50);
	ns = halt_poll_now() - ns;
	ok(ret == 0 && ns >= 50000000ULL,
	   "a left-over wake-up is not an interrupt: timed out after %llu ms",
	   (unsigned long long)(ns / 1000000));

	/* A window of 1 ms: an interrupt 200 ms later is slept for. */
	params(&hp, 1000000000ULL, 0);
	hp.window_ns = 1000000;
	ns = timed_wait(&hp, &pending, fd, 200000, 1000, &ret);
	ok(ret == 1 && hp.slept == 1 && hp.polled == 0 && ns >= 200000000ULL,
	   "an interrupt after the window wakes the sleeper (ret %d, slept %llu, %llu ms)",
	   ret, (unsigned long long)hp.slept,
	   (unsigned long long)(ns / 1000000));
	ok(hp.window_ns == 2000000, "and the window grows (%llu ns)",
	   (unsigned long long)hp.window_ns);

	/* Polling off: the wait sleeps, and still gets the interrupt. */
	params(&hp, 0, 0);
	ns = timed_wait(&hp, &pending, fd, 2000, 1000, &ret);
	ok(ret == 1 && hp.slept == 1 && hp.polled == 0,
	   "halt_poll_ns 0: every interrupt is slept for (ret %d)", ret);

	/* Raised before the wait: taken at once. */
	halt_poll_raise(&pending);
	ret = halt_poll_wait(&hp, &pending, fd, 1000);
	ok(ret == 1 && !pending && hp.slept == 1 && hp.polled == 1,
	   "an interrupt raised before the halt is taken without sleeping");
	close(fd);
}

int main(void)
{
	test_adjust();
	test_wait();
	return tap_done();
}
