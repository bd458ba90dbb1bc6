/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DEVICES_DEBUG_EXIT_H
#define LKVM_DEVICES_DEBUG_EXIT_H

#include "bus.h"
#include "types.h"

/* Covers X86_PORT_DEBUG_EXIT .. +3 so 1, 2 and 4-byte writes all decode. */
#define DEBUG_EXIT_LEN	4

/*
 * The test-exit port: a guest write of value v at its base calls
 * ops->exit(opaque, v & 0xff), with which lkvm stops and exits with that
 * status, exactly (QEMU's isa-debug-exit exits
 * with (v << 1) | 1 instead). Reads return all-ones. Private fields.
 */
struct debug_exit_ops {
	/* The guest's verdict, 0-255. Called on a vCPU. */
	void (*exit)(void *opaque, int status);
	void *opaque;
};

struct debug_exit {
	struct bus_dev dev;
	struct bus *bus;
	struct debug_exit_ops ops;
};

/* Register at `port` (X86_PORT_DEBUG_EXIT) on `bus`. 0 or -errno. */
int debug_exit_init(struct debug_exit *de, struct bus *bus, u16 port,
		    const struct debug_exit_ops *ops);

/* Unregister. Call after vCPUs stopped. */
void debug_exit_exit(struct debug_exit *de);

#endif
