// SPDX-License-Identifier: GPL-2.0
/* One interrupt line driven by several devices: the output is their OR. */
#include <errno.h>
#include <string.h>

#include "devices/irq-share.h"

static void irq_share_set(struct irq_line *line, int level)
{
	struct irq_share *s = line->opaque;
	unsigned int i = (unsigned int)(line - s->in);
	int out;

	pthread_mutex_lock(&s->lock);
	if (level)
		s->levels |= 1u << i;
	else
		s->levels &= ~(1u << i);
	out = s->levels != 0;
	/* Forward under the lock so changes reach the output in order. */
	if (out != s->out_level) {
		s->out_level = out;
		irq_line_set(s->out, out);
	}
	pthread_mutex_unlock(&s->lock);
}

int irq_share_init(struct irq_share *s, struct irq_line *out,
		   unsigned int nr_inputs)
{
	unsigned int i;
	int err;

	if (nr_inputs == 0 || nr_inputs > IRQ_SHARE_MAX_INPUTS)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	err = pthread_mutex_init(&s->lock, NULL);
	if (err)
		return -err;
	s->out = out;
	s->nr_inputs = nr_inputs;
	s->out_level = -1;
	for (i = 0; i < nr_inputs; i++) {
		s->in[i].set_level = irq_share_set;
		s->in[i].opaque = s;
		s->in[i].gsi = out ? out->gsi : 0;
	}
	return 0;
}

struct irq_line *irq_share_input(struct irq_share *s, unsigned int i)
{
	return i < s->nr_inputs ? &s->in[i] : NULL;
}

void irq_share_destroy(struct irq_share *s)
{
	pthread_mutex_destroy(&s->lock);
}
