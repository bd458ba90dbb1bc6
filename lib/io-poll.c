// SPDX-License-Identifier: GPL-2.0
/* The I/O loop's adaptive polling bound: see include/io-poll.h. */
#include <stdlib.h>
#include <string.h>

#include "io-poll.h"

void io_poll_init(struct io_poll *p, u32 max_ns)
{
	*p = (struct io_poll){ .max_ns = MIN(max_ns, IO_POLL_MAX_NS) };
}

static void io_poll_shrink(struct io_poll *p)
{
	u32 ns = p->ns / 2;

	p->ns = ns < IO_POLL_START_NS ? 0 : ns;
}

void io_poll_preempted(struct io_poll *p)
{
	p->preempted++;
	io_poll_shrink(p);
}

void io_poll_completion(struct io_poll *p)
{
	p->completions++;
	io_poll_shrink(p);
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
	io_poll_shrink(p);
}

int io_poll_parse_running(const char *buf)
{
	const char *p = buf;
	unsigned long v;
	char *end;
	int i;

	/* "0.52 0.58 0.59 3/151 12345": the fourth field, before '/'. */
	for (i = 0; i < 3; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -1;
	v = strtoul(p, &end, 10);
	if (*end != '/' || v > 1000000)
		return -1;
	return (int)v;
}

bool io_poll_cpu_free(int running, unsigned int ncpus)
{
	/* Unknown: poll, as where /proc cannot be read. */
	if (running < 0 || !ncpus)
		return true;
	return (unsigned int)running <= ncpus;
}
