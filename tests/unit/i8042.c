// SPDX-License-Identifier: GPL-2.0
/* Unit tests for devices/i8042.c: probe commands, reset line, interrupts. */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "devices/i8042.h"
#include "tap.h"

struct irq_rec {
	struct irq_line line;
	int level;
};

static void rec_set(struct irq_line *line, int level)
{
	container_of(line, struct irq_rec, line)->level = level;
}

struct fixture {
	struct bus bus;
	struct i8042 kbc;
	unsigned int resets;	/* calls of the reset callback */
	struct irq_rec kbd, aux;
};

static void rec_reset(void *opaque)
{
	((struct fixture *)opaque)->resets++;
}

static u8 in(struct fixture *f, u16 port)
{
	u8 v = 0;

	bus_access(&f->bus, NULL, port, &v, 1, false);
	return v;
}

static void out(struct fixture *f, u16 port, u8 v)
{
	bus_access(&f->bus, NULL, port, &v, 1, true);
}

static int setup(struct fixture *f)
{
	const struct i8042_ops ops = { .reset = rec_reset, .opaque = f };

	memset(f, 0, sizeof(*f));
	f->kbd.line.set_level = rec_set;
	f->aux.line.set_level = rec_set;
	f->kbd.level = -1;
	f->aux.level = -1;
	bus_init(&f->bus, "pio");
	return i8042_init(&f->kbc, &f->bus, &ops, &f->kbd.line, &f->aux.line);
}

static void teardown(struct fixture *f)
{
	i8042_exit(&f->kbc);
	bus_destroy(&f->bus);
}

/* Send a controller command; return the reply, or -1 if none. */
static int command(struct fixture *f, u8 cmd)
{
	out(f, 0x64, cmd);
	if (!(in(f, 0x64) & 0x01))
		return -1;
	return in(f, 0x60);
}

static void test_probe(void)
{
	struct fixture f;
	u8 st, ctr;
	int r;

	ok(setup(&f) == 0, "i8042 registers at 0x60/0x64");
	st = in(&f, 0x64);
	ok(!(st & 0x03), "status: OBF and IBF clear (0x%02x)", st);
	ok(st & 0x10, "status: keylock off (Linux warns otherwise)");
	ok(f.kbd.level == 0 && f.aux.level == 0, "both lines low");
	ok(command(&f, 0xaa) == 0x55, "self test 0xaa -> 0x55");
	ok(!(in(&f, 0x64) & 0x01), "reply consumed: OBF clear");
	ok(in(&f, 0x64) & 0x08, "status bit 3: last write was a command");

	ctr = (u8)command(&f, 0x20);
	ok(ctr & 0x04, "CTR read 0x20: system flag set (0x%02x)", ctr);
	out(&f, 0x64, 0x60);
	out(&f, 0x60, 0x74);
	ok(!(in(&f, 0x64) & 0x08), "status bit 3 clear after a data write");
	ok(command(&f, 0x20) == 0x74, "CTR write 0x60 round trip");
	ok(command(&f, 0xab) == 0x00, "keyboard interface test -> 0");
	ok(command(&f, 0xa9) == 0x00, "AUX interface test -> 0");

	out(&f, 0x64, 0xa8);
	ok(!(command(&f, 0x20) & 0x20), "0xa8 enables AUX (CTR bit 5 clear)");
	out(&f, 0x64, 0xa7);
	ok(command(&f, 0x20) & 0x20, "0xa7 disables AUX (CTR bit 5 set)");
	out(&f, 0x64, 0xae);
	ok(!(command(&f, 0x20) & 0x10), "0xae enables keyboard");
	out(&f, 0x64, 0xad);
	ok(command(&f, 0x20) & 0x10, "0xad disables keyboard");

	/* Linux's AUX loop test: byte comes back flagged as AUX data. */
	out(&f, 0x64, 0xd3);
	out(&f, 0x60, 0x5a);
	st = in(&f, 0x64);
	ok((st & 0x21) == 0x21 && in(&f, 0x60) == 0x5a,
	   "AUX loop 0xd3: 0x5a back with AUXDATA");

	r = command(&f, 0xd0);
	ok(r >= 0 && (r & 0x03) == 0x03, "output port read: reset high, A20 on");
	ok(command(&f, 0x13) == -1, "unknown command: no reply");

	/* Nothing plugged in: device bytes time out with 0xfe. */
	out(&f, 0x60, 0xf2);
	st = in(&f, 0x64);
	ok((st & 0x61) == 0x41 && in(&f, 0x60) == 0xfe,
	   "keyboard byte: 0xfe with TIMEOUT");
	out(&f, 0x64, 0xd4);
	out(&f, 0x60, 0xff);
	st = in(&f, 0x64);
	ok((st & 0x61) == 0x61 && in(&f, 0x60) == 0xfe,
	   "AUX device byte: 0xfe with TIMEOUT and AUXDATA");
	ok(!f.resets, "no reset requested by any of this");
	teardown(&f);
}

static void test_irqs(void)
{
	struct fixture f;

	setup(&f);
	out(&f, 0x64, 0x60);
	out(&f, 0x60, 0x47);
	ok(f.kbd.level == 0, "no byte waiting: keyboard line low");
	out(&f, 0x64, 0xd2);
	out(&f, 0x60, 0x1c);
	ok(f.kbd.level == 1 && f.aux.level == 0,
	   "keyboard-side byte with KBDINT: IRQ 1 high");
	in(&f, 0x60);
	ok(f.kbd.level == 0, "read: IRQ 1 low");
	out(&f, 0x64, 0xd3);
	out(&f, 0x60, 0xa5);
	ok(f.aux.level == 1 && f.kbd.level == 0, "AUX byte: IRQ 12 high");
	in(&f, 0x60);
	ok(f.aux.level == 0, "read: IRQ 12 low");
	out(&f, 0x64, 0x60);
	out(&f, 0x60, 0x44);
	ok(command(&f, 0xaa) == 0x55 && f.kbd.level == 0,
	   "interrupts disabled in CTR: reply polled, line stays low");
	teardown(&f);
}

static void test_reset(void)
{
	struct fixture f;

	setup(&f);
	out(&f, 0x64, 0xd1);
	out(&f, 0x60, 0xdf);
	ok(!f.resets, "output port write with bit 0 set: no reset");
	out(&f, 0x64, 0xff);
	ok(!f.resets, "pulse command 0xff (no line): no reset");
	out(&f, 0x64, 0xfe);
	ok(f.resets == 1, "0xfe pulses reset: the reset callback, once");
	teardown(&f);

	setup(&f);
	out(&f, 0x64, 0xd1);
	out(&f, 0x60, 0xde);
	ok(f.resets == 1, "output port bit 0 cleared: the reset callback, once");
	teardown(&f);
}

/* i8042_reset(): the command byte and output port as firmware left them. */
static void test_power_on_reset(void)
{
	struct fixture f;

	setup(&f);
	out(&f, 0x64, 0x60);
	out(&f, 0x60, 0x03);		/* both interrupts, no translation */
	out(&f, 0x64, 0xd2);
	out(&f, 0x60, 0x42);		/* a keyboard byte queued: IRQ 1 */
	out(&f, 0x64, 0xd1);		/* a command waiting for data */
	ok(f.kbd.level == 1, "before the reset: keyboard line high");
	i8042_reset(&f.kbc);
	ok(f.kbd.level == 0 && f.aux.level == 0 && !f.resets,
	   "after it: lines low, and no guest reset request");
	ok(!(in(&f, 0x64) & 0x01), "nothing queued");
	out(&f, 0x64, 0x20);
	ok(in(&f, 0x60) == 0x45, "command byte 0x45 again");
	out(&f, 0x64, 0xd0);
	ok(in(&f, 0x60) == 0x03, "output port 0x03 (A20, no reset)");
	teardown(&f);
}

/* Random guest traffic: no crash, queue bounded, lines follow the queue. */
static void test_random(void)
{
	unsigned int i, seed = 777, bad = 0;
	struct fixture f;

	setup(&f);
	for (i = 0; i < 100000; i++) {
		unsigned int r = rand_r(&seed);
		u8 v = (u8)(r >> 8);

		if (r & 1)
			out(&f, r & 2 ? 0x64 : 0x60, v);
		else
			in(&f, r & 2 ? 0x64 : 0x60);
		if (f.kbc.q_count > I8042_QUEUE_SIZE)
			bad++;
		if (!f.kbc.q_count && (f.kbd.level || f.aux.level))
			bad++;
	}
	ok(!bad, "random guest: queue bounded, lines low when empty (%u bad)",
	   bad);
	teardown(&f);
}

int main(void)
{
	test_probe();
	test_irqs();
	test_reset();
	test_power_on_reset();
	test_random();
	return tap_done();
}
