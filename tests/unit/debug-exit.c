// SPDX-License-Identifier: GPL-2.0
/* Unit tests for devices/debug-exit.c: status propagation and widths. */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "devices/debug-exit.h"
#include "tap.h"
#include "vm.h"
#include "x86/layout.h"

/* Write `len` bytes of `value` at `port` on a fresh VM; return the VM. */
static struct vm *write_port(u16 port, u32 value, u32 len, bool *hit)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	struct debug_exit de;
	struct bus bus;
	u8 d[4] = { (u8)value, (u8)(value >> 8), (u8)(value >> 16),
		    (u8)(value >> 24) };

	bus_init(&bus, "pio");
	if (debug_exit_init(&de, &bus, vm, X86_PORT_DEBUG_EXIT))
		*hit = false;
	else
		*hit = bus_access(&bus, NULL, port, d, len, true);
	debug_exit_exit(&de, &bus);
	bus_destroy(&bus);
	return vm;
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
	struct vm *vm;
	unsigned int i;
	bool hit;
	u8 d[4];

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		vm = write_port(X86_PORT_DEBUG_EXIT, cases[i].value,
				cases[i].len, &hit);
		ok(hit && vm->stopping && vm->exit_status == cases[i].status,
		   "%u-byte write of 0x%x: exit status %d", cases[i].len,
		   cases[i].value, cases[i].status);
		free(vm);
	}
	vm = write_port(X86_PORT_DEBUG_EXIT + 1, 5, 1, &hit);
	ok(hit && !vm->stopping, "write to base + 1 ignored");
	free(vm);
	vm = write_port(X86_PORT_DEBUG_EXIT + 2, 5, 4, &hit);
	ok(!hit && !vm->stopping, "write running past the port not decoded");
	free(vm);

	{
		struct vm *v = calloc(1, sizeof(*v));
		struct debug_exit de;
		struct bus bus;

		bus_init(&bus, "pio");
		debug_exit_init(&de, &bus, v, X86_PORT_DEBUG_EXIT);
		memset(d, 0, sizeof(d));
		hit = bus_access(&bus, NULL, X86_PORT_DEBUG_EXIT, d, 4, false);
		ok(hit && d[0] == 0xff && d[3] == 0xff && !v->stopping,
		   "reads return all-ones and stop nothing");
		d[0] = 3;
		bus_access(&bus, NULL, X86_PORT_DEBUG_EXIT, d, 1, true);
		d[0] = 9;
		bus_access(&bus, NULL, X86_PORT_DEBUG_EXIT, d, 1, true);
		ok(v->exit_status == 3, "first status written wins");
		debug_exit_exit(&de, &bus);
		bus_destroy(&bus);
		free(v);
	}
	return tap_done();
}
