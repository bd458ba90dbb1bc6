// SPDX-License-Identifier: GPL-2.0
/* Unit tests for devices/ignored-ports.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "devices/debug-exit.h"
#include "devices/i8042.h"
#include "devices/ignored-ports.h"
#include "devices/rtc.h"
#include "devices/serial8250.h"
#include "tap.h"
#include "x86/layout.h"

static struct bus bus;

static u8 inb(u16 port, bool *hit)
{
	u8 v = 0x5a;

	*hit = bus_access(&bus, NULL, port, &v, 1, false);
	return v;
}

static void outb(u16 port, u8 v)
{
	bus_access(&bus, NULL, port, &v, 1, true);
}

static void noop_access(struct bus_dev *dev, struct vcpu *vcpu, u64 offset,
			u8 *data, u32 len, bool is_write)
{
}

static void rec_reset(void *opaque)
{
	(*(unsigned int *)opaque)++;
}

int main(void)
{
	static const struct {
		u16 port;
		u8 value;
		const char *what;
	} reads[] = {
		{ 0x00, 0x00, "DMA1 channel 0 address" },
		{ 0x08, 0x00, "DMA1 status" },
		{ 0x80, 0xff, "POST port" },
		{ 0x87, 0x00, "DMA page 0x87" },
		{ 0xc0, 0x00, "DMA2" },
		{ 0xdf, 0x00, "DMA2 last port" },
		{ 0xed, 0xff, "delay port 0xed" },
		{ 0x201, 0xff, "game port: absent" },
		{ 0x278, 0xff, "LPT2: absent" },
		{ 0x37a, 0xff, "LPT1 control: absent" },
		{ 0x3b4, 0xff, "MDA CRTC index: absent" },
		{ 0x3d5, 0xff, "VGA CRTC data: absent" },
		{ 0x3f4, 0xff, "floppy MSR: absent" },
		{ 0x3f7, 0xff, "floppy DIR: absent" },
	};
	static const u16 not_claimed[] = { 0x20, 0x21, 0x40, 0x43, 0x61, 0xa0,
					   0x4d0, 0x3f6, 0xcf8, 0xf4, 0x70 };
	unsigned int resets = 0;
	const struct ignored_ports_ops ops = {
		.reset = rec_reset, .opaque = &resets,
	};
	struct ignored_ports ip;
	unsigned int i;
	bool hit, all;
	u8 v, wide[4];

	bus_init(&bus, "pio");
	ok(ignored_ports_init(&ip, &bus, &ops) == 0, "ignored ports registered");
	for (i = 0; i < ARRAY_SIZE(reads); i++) {
		v = inb(reads[i].port, &hit);
		ok(hit && v == reads[i].value, "0x%x %s reads 0x%02x (got 0x%02x)",
		   reads[i].port, reads[i].what, reads[i].value, v);
	}
	all = true;
	for (i = 0; i < ARRAY_SIZE(not_claimed); i++) {
		inb(not_claimed[i], &hit);
		if (hit)
			all = false;
	}
	ok(all, "PIC, PIT, speaker, ELCR, IDE alt, PCI, debug-exit, RTC left alone");

	memset(wide, 0x11, sizeof(wide));
	ok(bus_access(&bus, NULL, 0x3c0, wide, 4, false) &&
	   wide[0] == 0xff && wide[3] == 0xff, "32-bit VGA read: all-ones");
	outb(0x80, 0x42);
	outb(0x3d4, 0x0e);
	ok(!resets, "writes dropped");

	v = inb(0x92, &hit);
	ok(hit && v == 0x02, "port 0x92: A20 on, reset clear (0x%02x)", v);
	outb(0x92, 0x00);
	ok(inb(0x92, &hit) == 0x00 && !resets, "port 0x92 keeps A20 bit");
	outb(0x92, 0x03);
	ok(resets == 1, "port 0x92 fast reset: the reset callback, once");
	ok(inb(0x92, &hit) == 0x02, "reset bit reads back clear");
	outb(0x92, 0x00);
	ignored_ports_reset(&ip);
	ok(inb(0x92, &hit) == 0x02, "ignored_ports_reset(): port 0x92 A20 on");

	/* Everything together, as the PC set-up registers it. */
	{
		struct serial8250 uarts[4];
		static const u16 bases[4] = {
			SERIAL8250_COM1_BASE, SERIAL8250_COM2_BASE,
			SERIAL8250_COM3_BASE, SERIAL8250_COM4_BASE };
		struct debug_exit de;
		struct i8042 kbc;
		struct rtc rtc;
		int err = 0;

		for (i = 0; i < 4; i++)
			err |= serial8250_init(&uarts[i], &bus, "ttyS", bases[i],
					       NULL, NULL);
		err |= rtc_init(&rtc, &bus);
		err |= i8042_init(&kbc, &bus, NULL, NULL, NULL);
		err |= debug_exit_init(&de, &bus, X86_PORT_DEBUG_EXIT, NULL);
		ok(err == 0, "COM1-4, RTC, i8042, debug-exit fit beside them");
		for (i = 0; i < 4; i++)
			serial8250_exit(&uarts[i]);
		rtc_exit(&rtc);
		i8042_exit(&kbc);
		debug_exit_exit(&de);
	}

	ignored_ports_exit(&ip);
	inb(0x80, &hit);
	ok(!hit && bus.nr_devs == 0, "exit unregisters everything");
	{
		struct ignored_ports ip2;
		struct bus_dev blocker = { .name = "blocker", .base = 0x378,
					   .len = 1, .access = noop_access };

		bus_register(&bus, &blocker);
		ok(ignored_ports_init(&ip2, &bus, &ops) == -EBUSY &&
		   bus.nr_devs == 1,
		   "a taken range fails init and leaves nothing behind");
	}
	bus_destroy(&bus);
	return tap_done();
}
