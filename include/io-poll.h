/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O loop's adaptive polling bound (lib/io-poll.c), after QEMU's
 * iothread poll-max-ns and vhost's busyloop: after handling events the
 * I/O thread looks for more without sleeping, for at most `ns`
 * nanoseconds, so that a doorbell or a disk completion that follows soon
 * costs no sleep and wake-up. The bound follows what the waits show:
 *
 *   polling found an event             hit: the bound was long enough,
 *                                      it stays
 *   the event came after the bound,    a longer bound would have caught
 *   within max_ns of the last one      it: double (from IO_POLL_START_NS)
 *   the event came later than max_ns   no bound would have: halve, to 0
 *                                      below IO_POLL_START_NS
 *
 * Where every other wait is long (a disk slower than the cap, at depth
 * 1) it settles within a factor of two of the latency of the quick
 * events (the driver's next request), so the long waits cost at most
 * that much polling each; where nothing comes quickly (an idle guest) it
 * falls to 0 within a few events. Polling only follows an event: an idle
 * VM's I/O thread sleeps.
 * max_ns 0 disables polling.
 */
#ifndef LKVM_IO_POLL_H
#define LKVM_IO_POLL_H

#include "types.h"

/* The first bound after none, and the smallest kept. */
#define IO_POLL_START_NS	2000U
/* The largest bound accepted (--io-poll). */
#define IO_POLL_MAX_NS		1000000U
/* lkvm run's cap without --io-poll, in microseconds. */
#define IO_POLL_DEFAULT_US	64U

struct io_poll {
	u32 max_ns;		/* cap; 0: never poll */
	u32 ns;			/* the current bound, 0..max_ns */
	u64 hits, misses;	/* events found by polling / after sleeping */
};

/* Cap max_ns (clamped to IO_POLL_MAX_NS), current bound 0. */
void io_poll_init(struct io_poll *p, u32 max_ns);
/*
 * One wait for events has ended: hit if polling (within p->ns) found an
 * event, else waited_ns is the time from the end of the last handling to
 * the event (polling and sleep together). Adapts p->ns as above.
 */
void io_poll_update(struct io_poll *p, bool hit, u64 waited_ns);

#endif
