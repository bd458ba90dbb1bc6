/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DEVICES_I8042_H
#define LKVM_DEVICES_I8042_H

#include <pthread.h>

#include "bus.h"
#include "irq.h"
#include "types.h"

#define I8042_DATA_PORT		0x60
#define I8042_CMD_PORT		0x64	/* read: status; write: command */
#define I8042_KBD_IRQ		1
#define I8042_AUX_IRQ		12
#define I8042_QUEUE_SIZE	16

struct i8042_ops {
	/* The guest pulsed the reset line. Called on a vCPU, lock held. */
	void (*reset)(void *opaque);
	void *opaque;
};

/*
 * A PS/2 keyboard controller with both ports present but nothing plugged
 * in: enough for Linux's i8042 driver to probe it quickly and quietly, and
 * for the reset line (command 0xfe, or output port bit 0 cleared) that
 * Linux's reboot=k uses, which ends the VM with status 0. Private fields.
 */
struct i8042 {
	struct bus_dev data_dev;
	struct bus_dev cmd_dev;
	struct bus *bus;
	pthread_mutex_t lock;
	struct i8042_ops ops;
	struct irq_line *kbd_irq;
	struct irq_line *aux_irq;
	int kbd_level, aux_level;

	u8 ctr;			/* controller command byte */
	u8 outport;		/* output port (bit 0 reset, bit 1 A20) */
	u8 pending_cmd;		/* command waiting for its data byte */
	bool last_was_cmd;	/* status bit 3 */
	u8 last_data;		/* what port 0x60 reads when empty */
	struct {
		u8 byte;
		u8 status;	/* AUXDATA / TIMEOUT bits to show with it */
	} queue[I8042_QUEUE_SIZE];
	unsigned int q_head, q_count;
};

/*
 * Register ports 0x60 and 0x64 on `bus`. Reset requests call ops->reset
 * (ops may be NULL: they are logged only). kbd_irq (IRQ 1) and aux_irq (IRQ 12) may be
 * NULL; without aux_irq Linux spends 250 ms on its AUX interrupt test and
 * then decides there is no AUX port. Returns 0 or -errno.
 */
int i8042_init(struct i8042 *kbc, struct bus *bus,
	       const struct i8042_ops *ops, struct irq_line *kbd_irq, struct irq_line *aux_irq);

/* Unregister and free the lock. Call after vCPUs stopped. */
void i8042_exit(struct i8042 *kbc);

/*
 * Back to the state firmware leaves it in (command byte, output port,
 * nothing queued, interrupt lines low). Call with the vCPUs stopped.
 */
void i8042_reset(struct i8042 *kbc);

#endif
