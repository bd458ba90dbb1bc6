// SPDX-License-Identifier: GPL-2.0
/*
 * Test-exit port: a guest writes its verdict and the owner (lkvm: exit
 * with it) is told. The
 * low byte of a write at the port itself is the status (a process exit
 * status has 8 bits); writes to the other three bytes are ignored, reads
 * give all-ones from the bus.
 */
#include <string.h>

#include "devices/debug-exit.h"
#include "log.h"

static void debug_exit_access(struct bus_dev *dev, struct vcpu *vcpu,
			      u64 offset, u8 *data, u32 len, bool is_write)
{
	struct debug_exit *de = dev->priv;
	u32 value = 0;
	u32 i;

	if (!is_write || offset != 0)
		return;
	for (i = 0; i < len && i < sizeof(value); i++)
		value |= (u32)data[i] << (8 * i);
	pr_info("debug-exit: guest wrote 0x%x, exiting with status %u", value,
		value & 0xff);
	if (de->ops.exit)
		de->ops.exit(de->ops.opaque, (int)(value & 0xff));
}

int debug_exit_init(struct debug_exit *de, struct bus *bus, u16 port,
		    const struct debug_exit_ops *ops)
{
	memset(de, 0, sizeof(*de));
	if (ops)
		de->ops = *ops;
	de->bus = bus;
	de->dev.name = "debug-exit";
	de->dev.base = port;
	de->dev.len = DEBUG_EXIT_LEN;
	de->dev.access = debug_exit_access;
	de->dev.priv = de;
	return bus_register(bus, &de->dev);
}

void debug_exit_exit(struct debug_exit *de)
{
	bus_unregister(de->bus, &de->dev);
}
