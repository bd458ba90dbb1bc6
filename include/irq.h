/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_IRQ_H
#define LKVM_IRQ_H

#include "types.h"

/*
 * An interrupt line a device drives. The VM fills it in (KVM_IRQ_LINE on a
 * GSI); unit tests fill it with a recorder. Devices never call KVM directly.
 */
struct irq_line {
	void (*set_level)(struct irq_line *line, int level);
	void *opaque;
	u32 gsi;
};

static inline void irq_line_set(struct irq_line *line, int level)
{
	if (line && line->set_level)
		line->set_level(line, level);
}

#endif
