// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a hostile guest on the pvpanic event register
 * (devices/pvpanic.c), through the MMIO window's access handler (the PCI
 * BAR uses the same one): reads and writes of 1-8 bytes at any offset,
 * any value, and machine resets between them.
 *
 * Invariants (a report and abort() when broken), against a model of the
 * register as include/devices/pvpanic.h describes it:
 *  - a read of 1 or 2 bytes at offset 0 gives PANICKED | CRASH_LOADED in
 *    its first byte and 0 in the second; any other read gives zeros;
 *  - the panicked callback runs once for the first write with PANICKED
 *    set since the last reset, never otherwise; CRASH_LOADED alone counts
 *    once per write; every other access, and every write with bits
 *    beyond the two events, is counted as ignored, once;
 *  - the handler writes no byte past the access's length, and nothing
 *    into a write's data.
 *
 * Input: 4-byte operations: u8 op (bits 0-2: length - 1; bit 3 write;
 * bit 4 a machine reset instead; bit 5 the offset's high bits set), u8
 * offset, then the value's two low bytes (the others are 0x5a).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pvpanic.h"
#include "log.h"

#define BROKEN(...)							\
	do {								\
		fprintf(stderr, "pvpanic-regs: " __VA_ARGS__);		\
		fprintf(stderr, "\n");					\
		abort();						\
	} while (0)

#define CANARY	0xee

struct model {
	bool panicked;
	unsigned int calls, crash_loaded, ignored;
};

static void on_panic(void *opaque)
{
	((struct model *)opaque)->calls++;
}

static void step(struct pvpanic *p, struct model *m, unsigned int *want_calls,
		 const u8 *op)
{
	u32 len = 1 + (op[0] & 7);
	bool write = op[0] & 8, reg;
	u64 off = op[1] | (op[0] & 0x20 ? 0xffffffff00000000ULL : 0);
	u8 data[16], sent[16];
	u32 i, v;

	memset(data, CANARY, sizeof(data));
	for (i = 0; i < len; i++)
		data[i] = i < 2 ? op[2 + i] : 0x5a;
	memcpy(sent, data, sizeof(data));
	p->mmio.access(&p->mmio, NULL, off, data, len, write);
	reg = off == 0 && (len == 1 || len == 2);
	for (i = len; i < sizeof(data); i++)
		if (data[i] != CANARY)
			BROKEN("a %u-byte access wrote byte %u", len, i);
	if (write) {
		if (memcmp(data, sent, sizeof(data)))
			BROKEN("a write's data changed");
		if (!reg) {
			m->ignored++;
			return;
		}
		v = op[2] | (len == 2 ? (u32)op[3] << 8 : 0);
		if (v & ~(u32)PVPANIC_EVENTS)
			m->ignored++;
		if (v & PVPANIC_PANICKED) {
			if (!m->panicked)
				(*want_calls)++;
			m->panicked = true;
		} else if (v & PVPANIC_CRASH_LOADED) {
			m->crash_loaded++;
		}
		return;
	}
	if (!reg)
		m->ignored++;
	for (i = 0; i < len; i++)
		if (data[i] != (reg && !i ? PVPANIC_EVENTS : 0))
			BROKEN("a %u-byte read at %#llx gave %#x in byte %u",
			       len, (unsigned long long)off, data[i], i);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct pvpanic p;
	struct bus bus;
	struct model m = { 0 };
	struct pvpanic_ops ops = { .panicked = on_panic, .opaque = &m };
	unsigned int want_calls = 0;
	size_t pos;

	log_set_level(LOG_ERROR);
	bus_init(&bus, "mmio");
	if (pvpanic_mmio_init(&p, &bus, 0x9000000, &ops))
		abort();
	for (pos = 0; pos + 4 <= size; pos += 4) {
		if (data[pos] & 0x10) {
			pvpanic_reset(&p);
			m.panicked = false;
		} else {
			step(&p, &m, &want_calls, data + pos);
		}
		if (m.calls != want_calls || atomic_load(&p.panicked) !=
		    m.panicked)
			BROKEN("%u panic calls, the model %u; panicked %d, the model %d",
			       m.calls, want_calls, atomic_load(&p.panicked),
			       m.panicked);
		if (atomic_load(&p.nr_crash_loaded) != m.crash_loaded ||
		    atomic_load(&p.nr_ignored) != m.ignored)
			BROKEN("crash_loaded %u, ignored %u; the model %u, %u",
			       atomic_load(&p.nr_crash_loaded),
			       atomic_load(&p.nr_ignored), m.crash_loaded,
			       m.ignored);
	}
	pvpanic_destroy(&p);
	bus_destroy(&bus);
	return 0;
}

#include "replay.h"
