// SPDX-License-Identifier: GPL-2.0
/* The I/O loop's adaptive polling bound: see include/io-poll.h. */
#include "io-poll.h"

void io_poll_init(struct io_poll *p, u32 max_ns)
{
	*p = (struct io_poll){ .max_ns = MIN(max_ns, IO_POLL_MAX_NS) };
}

void io_poll_update(struct io_poll *p, bool hit, u64 waited_ns)
{
	u32 ns;

	if (hit) {
		p->hits++;
		return;
	}
	p->misses++;
	if (!p->max_ns) {
		p->ns = 0;
		return;
	}
	if (waited_ns <= p->max_ns) {
		ns = p->ns ? p->ns * 2 : IO_POLL_START_NS;
		p->ns = MIN(ns, p->max_ns);
		return;
	}
	ns = p->ns / 2;
	p->ns = ns < IO_POLL_START_NS ? 0 : ns;
}
