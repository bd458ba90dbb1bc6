/* SPDX-License-Identifier: GPL-2.0 */
/* CLOCK_MONOTONIC: now, and absolute deadlines for the timed waits. */
#ifndef LKVM_DEADLINE_H
#define LKVM_DEADLINE_H

#include <time.h>

#include "types.h"

/* Now on CLOCK_MONOTONIC, in nanoseconds and in milliseconds. */
static inline u64 mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static inline u64 mono_now_ms(void)
{
	return mono_now_ns() / 1000000;
}

/* *ts = now on CLOCK_MONOTONIC + ms (for pthread_cond_clockwait() etc). */
static inline void deadline_in_ms(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

#endif
