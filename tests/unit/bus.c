// SPDX-License-Identifier: GPL-2.0
/* Unit tests for devices/bus.c: registration, lookup, overlap, moves. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "deadline.h"
#include "tap.h"

struct rec_dev {
	struct bus_dev dev;
	unsigned int calls;
	u64 last_offset;
	u32 last_len;
	bool last_write;
	u8 last_data[8];
};

static void rec_access(struct bus_dev *dev, struct vcpu *vcpu, u64 offset,
		       u8 *data, u32 len, bool is_write)
{
	struct rec_dev *r = container_of(dev, struct rec_dev, dev);
	u32 i;

	r->calls++;
	r->last_offset = offset;
	r->last_len = len;
	r->last_write = is_write;
	if (is_write) {
		memcpy(r->last_data, data, len);
	} else {
		/* Reads return offset + byte index, so callers can check. */
		for (i = 0; i < len; i++)
			data[i] = (u8)(offset + i);
	}
}

static void rec_init(struct rec_dev *r, const char *name, u64 base, u64 len)
{
	memset(r, 0, sizeof(*r));
	r->dev.name = name;
	r->dev.base = base;
	r->dev.len = len;
	r->dev.access = rec_access;
}

static bool all_ff(const u8 *d, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (d[i] != 0xff)
			return false;
	return true;
}

static void test_register_lookup(void)
{
	struct bus bus;
	struct rec_dev a, b, c;
	u8 data[8];
	bool hit;

	bus_init(&bus, "test");
	rec_init(&a, "a", 0x100, 0x10);
	rec_init(&b, "b", 0x10, 0x8);
	rec_init(&c, "c", 0x200, 1);
	ok(bus_register(&bus, &a.dev) == 0, "register a");
	ok(bus_register(&bus, &b.dev) == 0, "register b below a");
	ok(bus_register(&bus, &c.dev) == 0, "register c above a");
	ok(bus.nr_devs == 3 && bus.devs[0] == &b.dev &&
	   bus.devs[1] == &a.dev && bus.devs[2] == &c.dev,
	   "table sorted by base");

	hit = bus_access(&bus, NULL, 0x105, data, 2, false);
	ok(hit && a.calls == 1 && a.last_offset == 5 && a.last_len == 2 &&
	   data[0] == 5 && data[1] == 6, "read inside a gets offset 5");
	hit = bus_access(&bus, NULL, 0x10f, data, 1, false);
	ok(hit && a.last_offset == 0xf, "read at a's last byte");
	hit = bus_access(&bus, NULL, 0x100, data, 1, false);
	ok(hit && a.last_offset == 0, "read at a's first byte");
	memset(data, 0, sizeof(data));
	hit = bus_access(&bus, NULL, 0x110, data, 1, false);
	ok(!hit && data[0] == 0xff, "read just past a misses with 0xff");
	hit = bus_access(&bus, NULL, 0xff, data, 1, false);
	ok(!hit && data[0] == 0xff, "read just below a misses");
	hit = bus_access(&bus, NULL, 0x200, data, 1, false);
	ok(hit && c.calls == 1, "one-byte device c found");
	hit = bus_access(&bus, NULL, 0x0, data, 1, false);
	ok(!hit, "address 0 below everything misses");
	hit = bus_access(&bus, NULL, ~0ULL, data, 1, false);
	ok(!hit, "top address misses");

	data[0] = 0x12;
	data[1] = 0x34;
	data[2] = 0x56;
	data[3] = 0x78;
	hit = bus_access(&bus, NULL, 0x14, data, 4, true);
	ok(hit && b.last_write && b.last_offset == 4 && b.last_len == 4 &&
	   !memcmp(b.last_data, "\x12\x34\x56\x78", 4),
	   "4-byte write reaches b with its data");

	bus_destroy(&bus);
}

static void test_overlap(void)
{
	struct bus bus;
	struct rec_dev a, d1, d2, d3, d4, ok1, ok2, z, wrap, top;

	bus_init(&bus, "test");
	rec_init(&a, "a", 0x100, 0x10);
	ok(bus_register(&bus, &a.dev) == 0, "register a 0x100-0x10f");
	rec_init(&d1, "d1", 0xf8, 0x9);
	ok(bus_register(&bus, &d1.dev) == -EBUSY,
	   "range ending on a's first byte refused");
	rec_init(&d2, "d2", 0x10f, 0x4);
	ok(bus_register(&bus, &d2.dev) == -EBUSY,
	   "range starting on a's last byte refused");
	rec_init(&d3, "d3", 0x104, 0x2);
	ok(bus_register(&bus, &d3.dev) == -EBUSY, "range inside a refused");
	rec_init(&d4, "d4", 0x0, 0x1000);
	ok(bus_register(&bus, &d4.dev) == -EBUSY,
	   "range containing a refused");
	rec_init(&ok1, "ok1", 0xf8, 0x8);
	ok(bus_register(&bus, &ok1.dev) == 0, "range ending just below a");
	rec_init(&ok2, "ok2", 0x110, 0x8);
	ok(bus_register(&bus, &ok2.dev) == 0, "range starting just after a");
	ok(bus_register(&bus, &ok2.dev) == -EEXIST, "double register refused");
	rec_init(&z, "z", 0x400, 0);
	ok(bus_register(&bus, &z.dev) == -EINVAL, "empty range refused");
	rec_init(&wrap, "wrap", ~0ULL - 3, 8);
	ok(bus_register(&bus, &wrap.dev) == -EINVAL, "wrapping range refused");
	rec_init(&top, "top", ~0ULL - 3, 4);
	ok(bus_register(&bus, &top.dev) == 0,
	   "range ending at the top address accepted");
	ok(bus.nr_devs == 4, "only the valid ranges are in the table");
	bus_destroy(&bus);
}

static void test_partial(void)
{
	struct bus bus;
	struct rec_dev a, b;
	u8 data[8];
	bool hit;

	bus_init(&bus, "test");
	rec_init(&a, "a", 0x100, 4);
	rec_init(&b, "b", 0x104, 4);
	bus_register(&bus, &a.dev);
	bus_register(&bus, &b.dev);

	memset(data, 0, sizeof(data));
	hit = bus_access(&bus, NULL, 0x102, data, 4, false);
	ok(!hit && all_ff(data, 4) && a.calls == 0 && b.calls == 0,
	   "read straddling two devices misses, all-ones, nobody called");
	memset(data, 0, sizeof(data));
	hit = bus_access(&bus, NULL, 0x106, data, 4, false);
	ok(!hit && all_ff(data, 4) && b.calls == 0,
	   "read running past the last device misses");
	hit = bus_access(&bus, NULL, 0x103, data, 2, true);
	ok(!hit && a.calls == 0 && b.calls == 0, "straddling write dropped");
	memset(data, 0, sizeof(data));
	hit = bus_access(&bus, NULL, 0x100, data, 0, false);
	ok(!hit && a.calls == 0, "zero-length access refused");
	hit = bus_access(&bus, NULL, 0x100, data, 9, false);
	ok(!hit && a.calls == 0, "access longer than 8 bytes refused");
	hit = bus_access(&bus, NULL, 0x100, data, 4, false);
	ok(hit && a.calls == 1 && data[3] == 3, "exact fit hits");
	bus_destroy(&bus);
}

static void test_unregister_move(void)
{
	struct bus bus;
	struct rec_dev a, b, c, other;
	u8 data[4];
	bool hit;

	bus_init(&bus, "test");
	rec_init(&a, "a", 0x1000, 0x100);
	rec_init(&b, "b", 0x2000, 0x100);
	rec_init(&c, "c", 0x3000, 0x100);
	rec_init(&other, "other", 0x9000, 1);
	bus_register(&bus, &a.dev);
	bus_register(&bus, &b.dev);
	bus_register(&bus, &c.dev);

	ok(bus_unregister(&bus, &other.dev) == -ENOENT,
	   "unregistering a stranger is -ENOENT");
	ok(bus_unregister(&bus, &b.dev) == 0, "unregister b");
	hit = bus_access(&bus, NULL, 0x2000, data, 1, false);
	ok(!hit && b.calls == 0, "b no longer reached");
	ok(bus_unregister(&bus, &b.dev) == -ENOENT, "second unregister fails");
	ok(bus_register(&bus, &b.dev) == 0, "b registers again");

	ok(bus_move(&bus, &a.dev, 0x2080) == -EBUSY,
	   "move onto b's range refused");
	ok(a.dev.base == 0x1000, "refused move leaves base unchanged");
	hit = bus_access(&bus, NULL, 0x1000, data, 1, false);
	ok(hit && a.calls == 1, "a still at its old base");

	ok(bus_move(&bus, &a.dev, 0x1080) == 0,
	   "move overlapping only its own old range");
	ok(bus_move(&bus, &a.dev, 0x4000) == 0, "move a above c");
	ok(bus.devs[0] == &b.dev && bus.devs[1] == &c.dev &&
	   bus.devs[2] == &a.dev, "table re-sorted after the move");
	hit = bus_access(&bus, NULL, 0x1000, data, 1, false);
	ok(!hit, "old base no longer decodes");
	hit = bus_access(&bus, NULL, 0x4010, data, 1, false);
	ok(hit && a.last_offset == 0x10, "new base decodes with offsets");
	ok(bus_move(&bus, &a.dev, 0x100) == 0, "move a below everything");
	ok(bus.devs[0] == &a.dev, "a first in the table");
	ok(bus_move(&bus, &other.dev, 0x5000) == -ENOENT,
	   "moving an unregistered device is -ENOENT");
	ok(bus_move(&bus, &a.dev, ~0ULL - 0x10) == -EINVAL,
	   "move to a wrapping range refused");
	bus_destroy(&bus);
}

/* A config-space-like device that moves another device when written. */
struct mover {
	struct bus_dev dev;
	struct bus *bus;
	struct bus_dev *target;
	int result;
};

static void mover_access(struct bus_dev *dev, struct vcpu *vcpu, u64 offset,
			 u8 *data, u32 len, bool is_write)
{
	struct mover *m = container_of(dev, struct mover, dev);

	if (is_write)
		m->result = bus_move(m->bus, m->target, data[0] * 0x100ULL);
}

static void test_reentrant_move(void)
{
	struct mover m = { .dev = { .name = "cfg", .base = 0xcf8, .len = 8,
				    .access = mover_access } };
	struct rec_dev bar;
	struct bus bus;
	u8 v = 0x20, data[1];

	bus_init(&bus, "test");
	rec_init(&bar, "bar", 0x1000, 0x40);
	m.bus = &bus;
	m.target = &bar.dev;
	m.result = 1;
	bus_register(&bus, &m.dev);
	bus_register(&bus, &bar.dev);
	ok(bus_access(&bus, NULL, 0xcfc, &v, 1, true) && m.result == 0,
	   "a device callback may move a device on its own bus");
	ok(bus_access(&bus, NULL, 0x2000, data, 1, false) && bar.calls == 1,
	   "the moved device decodes at its new base");
	bus_destroy(&bus);
}

struct race {
	struct bus bus;
	struct rec_dev mover, fixed;
	atomic_bool done;
	atomic_uint reads;
	unsigned int misses;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;
	u8 data[2];

	while (!atomic_load(&r->done)) {
		if (!bus_access(&r->bus, NULL, 0x10, data, 2, false) ||
		    data[0] != 0)
			r->misses++;
		atomic_fetch_add(&r->reads, 1);
	}
	return NULL;
}

/* Lookups on one thread while another moves a device around. */
static void test_concurrent(void)
{
	struct race *r = calloc(1, sizeof(*r));
	unsigned int i, start;
	u64 t_end;
	pthread_t t;
	int err = 0;

	bus_init(&r->bus, "test");
	rec_init(&r->fixed, "fixed", 0x10, 2);
	rec_init(&r->mover, "mover", 0x100, 0x10);
	bus_register(&r->bus, &r->fixed.dev);
	bus_register(&r->bus, &r->mover.dev);
	pthread_create(&t, NULL, race_reader, r);
	/*
	 * Move at least 20000 times and while the reader does 20000 reads,
	 * for at most 30 s: on a loaded host the reader may get its CPU
	 * late, so the bound is time, not a count of moves.
	 */
	start = atomic_load(&r->reads);
	t_end = mono_now_ms() + 30000;
	for (i = 0; i < 20000 || atomic_load(&r->reads) - start < 20000; i++) {
		err |= bus_move(&r->bus, &r->mover.dev,
				i & 1 ? 0x0 : 0x1000 + 0x10 * (i % 64));
		if (!(i & 1023) && mono_now_ms() > t_end)
			break;
	}
	atomic_store(&r->done, true);
	pthread_join(t, NULL);
	ok(!err && r->misses == 0 && atomic_load(&r->reads) - start >= 20000,
	   "lookups stay correct while another thread moves devices (%u reads, %u moves)",
	   atomic_load(&r->reads) - start, i);
	bus_destroy(&r->bus);
	free(r);
}

static void test_many(void)
{
	struct rec_dev devs[200];
	struct bus bus;
	unsigned int i, misses = 0, ordered = 1;
	u8 data[1];
	int err = 0;

	bus_init(&bus, "test");
	/* Register in a scrambled order to exercise inserts in the middle. */
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		unsigned int k = (i * 73) % ARRAY_SIZE(devs);

		rec_init(&devs[k], "many", 0x10 * k, 0x8);
		err |= bus_register(&bus, &devs[k].dev);
	}
	ok(err == 0 && bus.nr_devs == ARRAY_SIZE(devs),
	   "200 devices registered in scrambled order");
	for (i = 1; i < bus.nr_devs; i++)
		if (bus.devs[i - 1]->base >= bus.devs[i]->base)
			ordered = 0;
	ok(ordered, "table stays sorted");
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		if (!bus_access(&bus, NULL, 0x10 * i + 7, data, 1, false) ||
		    devs[i].last_offset != 7)
			misses++;
		if (bus_access(&bus, NULL, 0x10 * i + 8, data, 1, false))
			misses++;
	}
	ok(misses == 0, "every device found, every gap misses");
	bus_destroy(&bus);
}

int main(void)
{
	test_register_lookup();
	test_overlap();
	test_partial();
	test_unregister_move();
	test_reentrant_move();
	test_concurrent();
	test_many();
	return tap_done();
}
