/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DEVICES_IGNORED_PORTS_H
#define LKVM_DEVICES_IGNORED_PORTS_H

#include "bus.h"
#include "types.h"

#define IGNORED_PORTS_MAX	16

/*
 * Ports a PC has and guests touch, which lkvm models as present but doing
 * nothing: DMA controllers and page registers, the POST and delay ports,
 * and the absent-card ranges (VGA, floppy, parallel, game port) that Linux
 * probes. Registering them keeps --debug-ioport quiet about routine
 * traffic. Port 0x92 (system control port A) keeps its A20 bit; setting
 * its bit 0 (fast reset) calls ops->reset. Private fields.
 */
struct ignored_ports_ops {
	/* A fast reset through port 0x92. Called on a vCPU. */
	void (*reset)(void *opaque);
	void *opaque;
};

struct ignored_ports {
	struct ignored_ports_ops ops;
	struct bus *bus;
	u8 port92;
	unsigned int nr_devs;
	struct bus_dev devs[IGNORED_PORTS_MAX];
};

/* Register every range on `bus` (port I/O). 0 or -errno (nothing left). */
int ignored_ports_init(struct ignored_ports *ip, struct bus *bus,
		       const struct ignored_ports_ops *ops);

/* Unregister all. Call after vCPUs stopped. */
void ignored_ports_exit(struct ignored_ports *ip);

/* Port 0x92 back to its power-on value (A20 on). */
void ignored_ports_reset(struct ignored_ports *ip);

#endif
