/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DEVICES_IRQ_SHARE_H
#define LKVM_DEVICES_IRQ_SHARE_H

#include <pthread.h>

#include "irq.h"
#include "types.h"

#define IRQ_SHARE_MAX_INPUTS 8

/*
 * Several devices on one interrupt line (COM1 and COM3 on IRQ 4, COM2 and
 * COM4 on IRQ 3): each drives its own input line, the output carries the
 * OR of the inputs and changes only when the OR does. Without this, one
 * device lowering a shared GSI would hide another one's pending interrupt.
 */
struct irq_share {
	pthread_mutex_t lock;
	struct irq_line *out;
	struct irq_line in[IRQ_SHARE_MAX_INPUTS];
	unsigned int nr_inputs;
	u32 levels;		/* bit i: level of in[i] */
	int out_level;		/* -1 before the first change */
};

/* Set up `nr_inputs` inputs (at most IRQ_SHARE_MAX_INPUTS) feeding `out`. */
int irq_share_init(struct irq_share *s, struct irq_line *out,
		   unsigned int nr_inputs);

/* The line input `i` is to be given to a device. */
struct irq_line *irq_share_input(struct irq_share *s, unsigned int i);

void irq_share_destroy(struct irq_share *s);

#endif
