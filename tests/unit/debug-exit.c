// SPDX-License-Identifier: GPL-2.0
/* Unit tests for devices/debug-exit.c: status propagation and widths. */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "devices/debug-exit.h"
#include "tap.h"
#include "x86/layout.h"

/* What the exit callback was told. */
struct exits {
	unsigned int n;
	int status[4];
};

static void rec_exit(void *opaque, int status)
{
	struct exits *e = opaque;

	if (e->n < ARRAY_SIZE(e->status))
		e->status[e->n] = status;
	e->n++;
}

/* Write `len` bytes of `value` at `port` on a fresh device. */
static void write_port(u16 port, u32 value, u32 len, bool *hit,
		       struct exits *e)
{
	const struct debug_exit_ops ops = { .exit = rec_exit, .opaque = e };
	struct debug_exit de;
	struct bus bus;
	u8 d[4] = { (u8)value, (u8)(value >> 8), (u8)(value >> 16),
		    (u8)(value >> 24) };

	memset(e, 0, sizeof(*e));
	bus_init(&bus, "pio");
	if (debug_exit_init(&de, &bus, X86_PORT_DEBUG_EXIT, &ops))
		*hit = false;
	else
		*hit = bus_access(&bus, NULL, port, d, len, true);
	debug_exit_exit(&de);
	bus_destroy(&bus);
}

int main(void)
{
	static const struct {
		u32 value, len;
		int status;
	} cases[] = {
		{ 0, 1, 0 }, { 1, 1, 1 }, { 42, 1, 42 }, { 0xff, 1, 255 },
		{ 0x1234, 2, 0x34 }, { 0x0100, 2, 0 }, { 0xdeadbe07, 4, 7 },
		{ 0x80, 4, 0x80 },
	};
	struct exits e;
	unsigned int i;
	bool hit;
	u8 d[4];

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		write_port(X86_PORT_DEBUG_EXIT, cases[i].value, cases[i].len,
			   &hit, &e);
		ok(hit && e.n == 1 && e.status[0] == cases[i].status,
		   "%u-byte write of 0x%x: exit status %d", cases[i].len,
		   cases[i].value, cases[i].status);
	}
	write_port(X86_PORT_DEBUG_EXIT + 1, 5, 1, &hit, &e);
	ok(hit && !e.n, "write to base + 1 ignored");
	write_port(X86_PORT_DEBUG_EXIT + 2, 5, 4, &hit, &e);
	ok(!hit && !e.n, "write running past the port not decoded");

	{
		const struct debug_exit_ops ops = {
			.exit = rec_exit, .opaque = &e,
		};
		struct debug_exit de;
		struct bus bus;

		memset(&e, 0, sizeof(e));
		bus_init(&bus, "pio");
		debug_exit_init(&de, &bus, X86_PORT_DEBUG_EXIT, &ops);
		memset(d, 0, sizeof(d));
		hit = bus_access(&bus, NULL, X86_PORT_DEBUG_EXIT, d, 4, false);
		ok(hit && d[0] == 0xff && d[3] == 0xff && !e.n,
		   "reads return all-ones and stop nothing");
		d[0] = 3;
		bus_access(&bus, NULL, X86_PORT_DEBUG_EXIT, d, 1, true);
		d[0] = 9;
		bus_access(&bus, NULL, X86_PORT_DEBUG_EXIT, d, 1, true);
		ok(e.n == 2 && e.status[0] == 3 && e.status[1] == 9,
		   "each write reports its status (the VM keeps the first)");
		debug_exit_exit(&de);
		bus_destroy(&bus);

		bus_init(&bus, "pio");
		debug_exit_init(&de, &bus, X86_PORT_DEBUG_EXIT, NULL);
		d[0] = 1;
		ok(bus_access(&bus, NULL, X86_PORT_DEBUG_EXIT, d, 1, true),
		   "without ops a write is decoded and only logged");
		debug_exit_exit(&de);
		bus_destroy(&bus);
	}
	return tap_done();
}
