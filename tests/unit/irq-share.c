// SPDX-License-Identifier: GPL-2.0
/* Unit tests for devices/irq-share.c: OR of shared interrupt inputs. */
#include <errno.h>
#include <string.h>

#include "devices/irq-share.h"
#include "tap.h"

struct rec {
	struct irq_line line;
	int level;
	unsigned int sets;
};

static void rec_set(struct irq_line *line, int level)
{
	struct rec *r = container_of(line, struct rec, line);

	r->level = level;
	r->sets++;
}

int main(void)
{
	struct rec r = { .line = { .set_level = rec_set, .gsi = 4 },
			 .level = -1 };
	struct irq_share s;
	struct irq_line *a, *b;

	ok(irq_share_init(&s, &r.line, 0) == -EINVAL, "zero inputs refused");
	ok(irq_share_init(&s, &r.line, IRQ_SHARE_MAX_INPUTS + 1) == -EINVAL,
	   "too many inputs refused");
	ok(irq_share_init(&s, &r.line, 2) == 0, "two inputs");
	a = irq_share_input(&s, 0);
	b = irq_share_input(&s, 1);
	ok(a && b && a != b && !irq_share_input(&s, 2) && a->gsi == 4,
	   "inputs handed out, carry the GSI, third refused");
	irq_line_set(a, 0);
	ok(r.level == 0 && r.sets == 1, "first level goes out");
	irq_line_set(a, 1);
	ok(r.level == 1 && r.sets == 2, "a raises the line");
	irq_line_set(b, 1);
	ok(r.sets == 2, "b raising too: no new set (no false edge)");
	irq_line_set(b, 0);
	ok(r.level == 1 && r.sets == 2, "b lowering does not hide a");
	irq_line_set(a, 0);
	ok(r.level == 0 && r.sets == 3, "both low: line low");
	irq_line_set(b, 1);
	ok(r.level == 1 && r.sets == 4, "b alone raises it");
	irq_share_destroy(&s);
	return tap_done();
}
