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
 *
 * While completions are expected (io_loop_expect(): disk requests in
 * flight), the loop keeps a second bound with other evidence. Polling
 * through a disk's service time only saves the wake-up of its completion
 * and burns a CPU meanwhile, which on a virtualized host slows the very
 * disk being waited for (a virtio disk at depth 1 on the project's hosts:
 * 4 KiB reads 46 us asleep against 59 us polling, fio 35 us). So there
 * only a driver's notification that carries work grows the bound; a
 * wait that polling ended on anything else (a completion, a packet from
 * a tap, a stale notification) halves it, and one that sleep ended on
 * such an event leaves it. At depth 1 it falls to 0: the thread sleeps
 * while the disk works and polls after each completion, for the driver's
 * next request. At depth 32 a driver's requests come between the
 * completions, and it stays.
 * max_ns 0 disables polling.
 */
#ifndef LKVM_IO_POLL_H
#define LKVM_IO_POLL_H

#include "types.h"

/* The first bound after none, and the smallest kept. */
#define IO_POLL_START_NS	2000U
/* The largest bound accepted (--io-poll). */
#define IO_POLL_MAX_NS		1000000U
/* A polling pass longer than this: the CPU was taken away. */
#define IO_POLL_PREEMPT_NS	20000U
/* How often the I/O loop looks whether a CPU is free to poll on. */
#define IO_POLL_LOAD_EVERY_NS	1000000U
/* lkvm run's cap without --io-poll, in microseconds. */
#define IO_POLL_DEFAULT_US	64U

struct io_poll {
	u32 max_ns;		/* cap; 0: never poll */
	u32 ns;			/* the current bound, 0..max_ns */
	u64 hits, misses;	/* events found by polling / after sleeping */
	u64 preempted;		/* polls cut short: the CPU was taken */
	u64 busy;		/* polls not started: no CPU free */
	u64 completions;	/* polls that found no driver's work */
};

/* Cap max_ns (clamped to IO_POLL_MAX_NS), current bound 0. */
void io_poll_init(struct io_poll *p, u32 max_ns);
/*
 * One wait for events has ended: hit if polling (within p->ns) found an
 * event, else waited_ns is the time from the end of the last handling to
 * the event (polling and sleep together). Adapts p->ns as above.
 */
void io_poll_update(struct io_poll *p, bool hit, u64 waited_ns);
/*
 * Polling lost the CPU (a pass took more than IO_POLL_PREEMPT_NS): what
 * else runs here needs it more. Halves the bound as a late event does;
 * the caller sleeps and leaves the wait out of io_poll_update().
 */
void io_poll_preempted(struct io_poll *p);
/*
 * Polling while completions were expected ended on an event but found no
 * driver's work (a completion, or a notification for work polling had
 * already taken): halves the bound; the caller leaves the wait out of
 * io_poll_update().
 */
void io_poll_completion(struct io_poll *p);

/*
 * The runnable tasks now, from /proc/loadavg's "running/total" field
 * (the reader itself included); -1 if buf does not hold one.
 */
int io_poll_parse_running(const char *buf);
/*
 * Is there a CPU to poll on: do the runnable tasks (the I/O thread
 * among them) fit on ncpus CPUs? Polling while others wait for a CPU
 * takes it from them: the guest's vCPU, io_uring's workers, other VMs.
 * As KVM's halt polling stops when another task is runnable.
 */
bool io_poll_cpu_free(int running, unsigned int ncpus);

#endif
