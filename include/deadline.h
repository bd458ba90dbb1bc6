/* SPDX-License-Identifier: GPL-2.0 */
/* An absolute CLOCK_MONOTONIC deadline for the timed waits. */
#ifndef LKVM_DEADLINE_H
#define LKVM_DEADLINE_H

#include <time.h>

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
