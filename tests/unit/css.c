// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for devices/css.c: a channel program running on one vCPU
 * keeps its subchannel busy whatever CSCH, HSCH and TSCH do meanwhile on
 * another, so no second SSCH (or MSCH) starts on it; the clear or halt
 * completes, with its status and interrupt, when the program ends.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/css.h"
#include "tap.h"
#include "unaligned.h"

#define RAM_SIZE	0x10000
#define CCW_ADDR	0x1000
#define DATA_ADDR	0x2000

struct fixture {
	struct guest_mem mem;
	u8 *ram;
	struct css css;
	struct css_subchannel sch;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool block_first;	/* the first command waits for `release` */
	bool entered, release;
	unsigned int executing, max_executing, executed;
	unsigned int interrupts;
	int ssch_cc;
};

static struct ccw_status slow_execute(struct css_subchannel *sch,
				      const struct ccw_data *d)
{
	struct fixture *f = sch->priv;
	bool wait;

	pthread_mutex_lock(&f->lock);
	f->executing++;
	f->max_executing = MAX(f->max_executing, f->executing);
	wait = f->block_first && f->executed == 0;
	f->executed++;
	f->entered = true;
	pthread_cond_broadcast(&f->cond);
	while (wait && !f->release)
		pthread_cond_wait(&f->cond, &f->lock);
	f->executing--;
	pthread_mutex_unlock(&f->lock);
	return ccw_status(CCW_DONE, 0, 0);
}

static const struct css_device_ops slow_ops = { .execute = slow_execute };

static void count_irq(void *opaque, struct css_subchannel *sch)
{
	struct fixture *f = opaque;

	pthread_mutex_lock(&f->lock);
	f->interrupts++;
	pthread_mutex_unlock(&f->lock);
}

static void setup(struct fixture *f)
{
	const struct css_irq_ops irq = { .io_interrupt = count_irq,
					 .opaque = f };
	u8 schib[CSS_SCHIB_SIZE] = { 0 };

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->ram = calloc(1, RAM_SIZE);
	if (!f->ram || guest_mem_add(&f->mem, 0, RAM_SIZE, f->ram, false))
		abort();
	css_init(&f->css, &f->mem, &irq);
	f->sch.ops = &slow_ops;
	f->sch.priv = f;
	if (css_add_subchannel(&f->css, &f->sch, 0))
		abort();
	/* One format-1 CCW: command 0x01, 8 bytes at DATA_ADDR, no chain. */
	f->ram[CCW_ADDR] = 0x01;
	f->ram[CCW_ADDR + 1] = 0;
	put_be16(f->ram + CCW_ADDR + 2, 8);
	put_be32(f->ram + CCW_ADDR + 4, DATA_ADDR);
	put_be32(schib + 4, 1u << 23);		/* enabled */
	if (css_msch(&f->sch, schib))
		abort();
}

static void teardown(struct fixture *f)
{
	css_subchannel_destroy(&f->sch);
	free(f->ram);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
}

static int ssch(struct fixture *f)
{
	u8 orb[CSS_ORB_SIZE] = { 0 };

	put_be32(orb, 0x12345678);		/* intparm */
	put_be32(orb + 4, 1u << 23 | 0x80 << 8);	/* format 1, LPM */
	put_be32(orb + 8, CCW_ADDR);
	return css_ssch(&f->sch, orb);
}

static void *ssch_thread(void *opaque)
{
	struct fixture *f = opaque;

	f->ssch_cc = ssch(f);
	return NULL;
}

/* Start a program on another thread and wait until its command runs. */
static void start_blocked(struct fixture *f, pthread_t *t)
{
	f->block_first = true;
	if (pthread_create(t, NULL, ssch_thread, f))
		abort();
	pthread_mutex_lock(&f->lock);
	while (!f->entered)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
}

static void finish(struct fixture *f, pthread_t t)
{
	pthread_mutex_lock(&f->lock);
	f->release = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(t, NULL);
}

static u32 scsw_ctrl(const u8 irb[CSS_IRB_SIZE])
{
	return get_be32(irb);
}

/* CSCH or HSCH (fn) plus TSCH while the program runs on another thread. */
static void test_function_during_program(const char *name,
					 int (*fn)(struct css_subchannel *),
					 u32 fctl)
{
	u8 irb[CSS_IRB_SIZE], schib[CSS_SCHIB_SIZE] = { 0 };
	struct fixture f;
	unsigned int irqs;
	pthread_t t;
	int cc;

	setup(&f);
	start_blocked(&f, &t);
	ok(fn(&f.sch) == 0, "%s while a program runs: cc 0", name);
	cc = css_tsch(&f.sch, irb);
	ok(cc == 1, "TSCH then: cc 1, nothing pending yet (cc %d)", cc);
	cc = ssch(&f);
	ok(cc == 2, "a second SSCH on the subchannel: cc 2, busy (cc %d)",
	   cc);
	put_be32(schib + 4, 0);			/* disable */
	cc = css_msch(&f.sch, schib);
	ok(cc == 2, "MSCH to disable it: cc 2, busy (cc %d)", cc);
	pthread_mutex_lock(&f.lock);
	ok(f.executed == 1 && f.max_executing == 1,
	   "no second channel program started (%u commands run, %u at once)",
	   f.executed, f.max_executing);
	irqs = f.interrupts;
	pthread_mutex_unlock(&f.lock);
	ok(irqs == 0, "no interrupt before the program ends");

	finish(&f, t);
	ok(f.ssch_cc == 0, "the first SSCH: cc 0");
	ok(f.interrupts == 1, "one interrupt when it ends (%u)", f.interrupts);
	cc = css_tsch(&f.sch, irb);
	ok(cc == 0 && (scsw_ctrl(irb) & (SCSW_FCTL_START | SCSW_FCTL_HALT |
					 SCSW_FCTL_CLEAR)) ==
		      (fctl == SCSW_FCTL_CLEAR ? SCSW_FCTL_CLEAR :
						 SCSW_FCTL_HALT) &&
	   (scsw_ctrl(irb) & SCSW_STCTL_STATUS_PEND),
	   "TSCH: cc 0 with the %s function's status (cc %d, SCSW 0x%08x)",
	   name, cc, scsw_ctrl(irb));
	f.block_first = false;
	cc = ssch(&f);
	ok(cc == 0 && f.executed == 2,
	   "after that status is taken, SSCH starts again (cc %d)", cc);
	teardown(&f);
}

static void test_idle(void)
{
	u8 irb[CSS_IRB_SIZE];
	struct fixture f;

	setup(&f);
	ok(css_csch(&f.sch) == 0 && f.interrupts == 1,
	   "CSCH on an idle subchannel: cc 0, interrupt at once");
	ok(css_tsch(&f.sch, irb) == 0 &&
	   (scsw_ctrl(irb) & SCSW_FCTL_CLEAR),
	   "TSCH: the clear status");
	ok(css_hsch(&f.sch) == 0 && f.interrupts == 2,
	   "HSCH on an idle subchannel: cc 0, interrupt at once");
	ok(css_hsch(&f.sch) == 1, "HSCH with status pending: cc 1");
	ok(css_tsch(&f.sch, irb) == 0 && (scsw_ctrl(irb) & SCSW_FCTL_HALT),
	   "TSCH: the halt status");
	ok(ssch(&f) == 0 && f.executed == 1 && f.interrupts == 3,
	   "SSCH runs the program to its end, one interrupt");
	ok(ssch(&f) == 1, "a second SSCH with status pending: cc 1");
	ok(css_tsch(&f.sch, irb) == 0 && (scsw_ctrl(irb) & SCSW_FCTL_START) &&
	   irb[8] == (DEV_STAT_CHN_END | DEV_STAT_DEV_END),
	   "TSCH: the start function's status, channel and device end");
	teardown(&f);
}

static void test_halt_then_clear(void)
{
	u8 irb[CSS_IRB_SIZE];
	struct fixture f;
	pthread_t t;

	setup(&f);
	start_blocked(&f, &t);
	ok(css_hsch(&f.sch) == 0, "HSCH while a program runs: cc 0");
	ok(css_hsch(&f.sch) == 2, "a second HSCH: cc 2, halt in progress");
	ok(css_csch(&f.sch) == 0, "CSCH over the halt: cc 0");
	finish(&f, t);
	ok(css_tsch(&f.sch, irb) == 0 &&
	   (scsw_ctrl(irb) & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR)) ==
	   SCSW_FCTL_CLEAR && f.interrupts == 1,
	   "the clear wins: its status, one interrupt");
	teardown(&f);
}

/* css_destroy(): the subchannel is no longer found, nor points back. */
static void test_destroy(void)
{
	struct fixture f;

	setup(&f);
	ok(css_find(&f.css, CSS_SID(0)) == &f.sch, "subchannel 0 attached");
	css_destroy(&f.css);
	ok(!css_find(&f.css, CSS_SID(0)) && !f.sch.css && !f.css.nr_sch,
	   "after css_destroy() it is detached and not found");
	teardown(&f);
}

int main(void)
{
	test_idle();
	test_function_during_program("CSCH", css_csch, SCSW_FCTL_CLEAR);
	test_function_during_program("HSCH", css_hsch, SCSW_FCTL_HALT);
	test_halt_then_clear();
	test_destroy();
	return tap_done();
}
