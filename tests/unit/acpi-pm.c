// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for devices/acpi-pm.c through the port bus, as a guest's
 * ACPI code reaches it: the S5 request through PM1_CNT (ACPICA's two
 * writes, and byte-wise) and through the sleep control register powers
 * off once; other sleep types, accesses that are not one register's and
 * the reserved ports are ignored, each with exactly one log line; the
 * enable and control bits read back as written, SCI_EN always set; the PM
 * timer counts host time at 3.579545 MHz.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "devices/acpi-pm.h"
#include "tap.h"

#define BASE	0x600

static struct bus bus;
static struct acpi_pm pm;
static int power_offs;

static void power_off(void *opaque)
{
	*(int *)opaque += 1;
}

static u32 in(u16 off, u32 len)
{
	u8 d[4] = { 0x5a, 0x5a, 0x5a, 0x5a };
	u32 v = 0, i;

	bus_access(&bus, NULL, BASE + off, d, len, false);
	for (i = 0; i < len; i++)
		v |= (u32)d[i] << (8 * i);
	return v;
}

static void out(u16 off, u32 len, u32 v)
{
	u8 d[4];
	u32 i;

	for (i = 0; i < len; i++)
		d[i] = (u8)(v >> (8 * i));
	bus_access(&bus, NULL, BASE + off, d, len, true);
}

/*
 * Run one access with stderr captured; return how many lines lkvm logged.
 * Each call site's rate limit allows 10 lines per 5 s: callers stay below.
 */
static int logged_lines(u16 off, u32 len, u32 v, bool is_write)
{
	char buf[4096];
	FILE *tmp = tmpfile();
	int saved, n = 0;
	size_t got, i;

	if (!tmp)
		abort();
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	if (saved < 0 || dup2(fileno(tmp), STDERR_FILENO) < 0)
		abort();
	if (is_write)
		out(off, len, v);
	else
		in(off, len);
	fflush(stderr);
	if (dup2(saved, STDERR_FILENO) < 0)
		abort();
	close(saved);
	rewind(tmp);
	got = fread(buf, 1, sizeof(buf), tmp);
	fclose(tmp);
	for (i = 0; i < got; i++)
		n += buf[i] == '\n';
	if (got)
		fprintf(stderr, "# logged: %.*s", (int)got, buf);
	return n;
}

static void setup(void)
{
	const struct acpi_pm_ops ops = { power_off, &power_offs };

	bus_init(&bus, "pio");
	if (acpi_pm_init(&pm, &bus, BASE, &ops))
		abort();
	power_offs = 0;
}

static void teardown(void)
{
	acpi_pm_exit(&pm);
	bus_destroy(&bus);
}

static u16 slp(unsigned int typ)
{
	return (u16)(typ << ACPI_PM1_CNT_SLP_TYP_SHIFT);
}

static void test_registers(void)
{
	setup();
	ok(in(ACPI_PM_PM1_STS, 2) == 0 && in(ACPI_PM_PM1_EN, 2) == 0,
	   "PM1_STS and PM1_EN read 0 after reset");
	ok(in(ACPI_PM_PM1_CNT, 2) == ACPI_PM1_CNT_SCI_EN,
	   "PM1_CNT reads SCI_EN: always in ACPI mode");
	out(ACPI_PM_PM1_EN, 2, 0xffff);
	ok(in(ACPI_PM_PM1_EN, 2) == ACPI_PM1_EN_MASK,
	   "PM1_EN keeps the defined enable bits only (0x%x)",
	   in(ACPI_PM_PM1_EN, 2));
	out(ACPI_PM_PM1_EN + 1, 1, 0);
	ok(in(ACPI_PM_PM1_EN, 2) == (ACPI_PM1_EN_MASK & 0xff) &&
	   in(ACPI_PM_PM1_EN + 1, 1) == 0,
	   "a byte write changes its byte only");
	out(ACPI_PM_PM1_STS, 2, 0xffff);
	ok(in(ACPI_PM_PM1_STS, 2) == 0, "PM1_STS: writing ones clears nothing set");
	out(ACPI_PM_PM1_CNT, 2, slp(3) | ACPI_PM1_CNT_BM_RLD |
	    ACPI_PM1_CNT_GBL_RLS);
	ok(in(ACPI_PM_PM1_CNT, 2) == (slp(3) | ACPI_PM1_CNT_BM_RLD |
				      ACPI_PM1_CNT_SCI_EN),
	   "PM1_CNT keeps SLP_TYP and BM_RLD; GBL_RLS is write-only");
	ok(power_offs == 0, "SLP_TYP without SLP_EN does nothing");
	ok(in(ACPI_PM_SLEEP_CTL, 1) == 0 && in(ACPI_PM_SLEEP_STS, 1) == 0,
	   "sleep control and status read 0");
	teardown();
}

static void test_s5(void)
{
	u16 cnt;

	setup();
	/* ACPICA: read PM1_CNT, write SLP_TYP, then SLP_TYP | SLP_EN. */
	cnt = (u16)in(ACPI_PM_PM1_CNT, 2);
	out(ACPI_PM_PM1_CNT, 2, cnt | slp(ACPI_PM_SLP_TYP_S5));
	ok(power_offs == 0, "PM1_CNT: SLP_TYP=S5 alone does not power off");
	out(ACPI_PM_PM1_CNT, 2, cnt | slp(ACPI_PM_SLP_TYP_S5) |
	    ACPI_PM1_CNT_SLP_EN);
	ok(power_offs == 1, "PM1_CNT: SLP_TYP=S5 with SLP_EN powers off");
	ok(!(in(ACPI_PM_PM1_CNT, 2) & ACPI_PM1_CNT_SLP_EN),
	   "SLP_EN reads 0");
	teardown();

	setup();
	out(ACPI_PM_PM1_CNT, 1, 0);
	out(ACPI_PM_PM1_CNT + 1, 1,
	    (slp(ACPI_PM_SLP_TYP_S5) | ACPI_PM1_CNT_SLP_EN) >> 8);
	ok(power_offs == 1, "PM1_CNT: byte writes of S5 + SLP_EN power off");
	teardown();

	setup();
	out(ACPI_PM_SLEEP_CTL, 1, ACPI_PM_SLP_TYP_S5 <<
	    ACPI_SLEEP_CTL_SLP_TYP_SHIFT);
	ok(power_offs == 0, "sleep control: SLP_TYP alone does nothing");
	out(ACPI_PM_SLEEP_STS, 1, 0x80);
	out(ACPI_PM_SLEEP_CTL, 1, ACPI_PM_SLP_TYP_S5 <<
	    ACPI_SLEEP_CTL_SLP_TYP_SHIFT | ACPI_SLEEP_CTL_SLP_EN);
	ok(power_offs == 1,
	   "sleep control: WAK_STS clear, then SLP_TYP=S5 | SLP_EN powers off");
	teardown();
}

static void test_bad_requests(void)
{
	unsigned int typ;
	bool all_ignored = true;

	/* First, while each call site is below its limit of ten lines. */
	setup();
	ok(logged_lines(ACPI_PM_PM1_CNT, 2, slp(1) | ACPI_PM1_CNT_SLP_EN,
			true) == 1 && power_offs == 0,
	   "S1 through PM1_CNT: ignored, one log line");
	ok(logged_lines(ACPI_PM_SLEEP_CTL, 1, 3 << ACPI_SLEEP_CTL_SLP_TYP_SHIFT |
			ACPI_SLEEP_CTL_SLP_EN, true) == 1 && power_offs == 0,
	   "S3 through the sleep control register: ignored, one log line");
	ok(logged_lines(0xd, 1, 0xff, true) == 1,
	   "a write to a reserved port: ignored, one log line");
	ok(logged_lines(ACPI_PM_PM1_STS, 4, 0, false) == 1,
	   "a 4-byte read across PM1_STS and PM1_EN: one log line");
	ok(logged_lines(ACPI_PM_PM1_EN + 1, 2,
			slp(ACPI_PM_SLP_TYP_S5) | ACPI_PM1_CNT_SLP_EN, true) == 1 &&
	   power_offs == 0 && in(ACPI_PM_PM1_EN, 2) == 0,
	   "a misaligned word write over PM1_EN/PM1_CNT: ignored, one log line");
	ok(logged_lines(ACPI_PM_SLEEP_CTL, 2, 0xffff, true) == 1 &&
	   power_offs == 0,
	   "a word write over the two sleep registers: ignored, one log line");
	ok(logged_lines(ACPI_PM_PM1_CNT, 2, slp(ACPI_PM_SLP_TYP_S5), true) == 0,
	   "a good write logs nothing");
	teardown();

	setup();
	for (typ = 0; typ < 8; typ++) {
		if (typ == ACPI_PM_SLP_TYP_S5)
			continue;
		out(ACPI_PM_PM1_CNT, 2, slp(typ) | ACPI_PM1_CNT_SLP_EN);
		out(ACPI_PM_SLEEP_CTL, 1, typ << ACPI_SLEEP_CTL_SLP_TYP_SHIFT |
		    ACPI_SLEEP_CTL_SLP_EN);
		all_ignored &= power_offs == 0;
	}
	ok(all_ignored, "every other sleep type, through either register, is ignored");
	teardown();
}

static u32 ticks_since(u32 start)
{
	return in(ACPI_PM_TMR, 4) - start;	/* wraps like the guest's */
}

static void test_timer(void)
{
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	u32 t0, t1, low, d;
	bool moves = true;
	int i;

	setup();
	t0 = in(ACPI_PM_TMR, 4);
	for (i = 0; i < 1000 && moves; i++)
		moves = ticks_since(t0) < ACPI_PM_TMR_HZ;
	t1 = in(ACPI_PM_TMR, 4);
	ok(moves && t1 != t0, "the PM timer moves and never goes back");
	t0 = in(ACPI_PM_TMR, 4);
	nanosleep(&pause, NULL);
	d = ticks_since(t0);
	/* 200 ms are 715909 ticks; allow a busy host 200 ms more. */
	ok(d >= 700000 && d <= 2 * 715909,
	   "200 ms of host time are %u ticks of 3.579545 MHz", d);
	low = in(ACPI_PM_TMR, 2);
	t1 = in(ACPI_PM_TMR, 4);
	ok((u16)(t1 - low) < 0x8000, "a 2-byte read gives the low half");
	ok(logged_lines(ACPI_PM_TMR, 4, 0, true) == 1 &&
	   ticks_since(t1) < ACPI_PM_TMR_HZ,
	   "a write to the PM timer: ignored, one log line");
	teardown();
}

static void test_init(void)
{
	struct acpi_pm other;

	setup();
	ok(acpi_pm_init(&other, &bus, BASE + 8, NULL) < 0,
	   "a second block over the same ports is refused");
	teardown();
	bus_init(&bus, "pio");
	ok(acpi_pm_init(&pm, &bus, BASE, NULL) == 0, "no ops: registers");
	out(ACPI_PM_PM1_CNT, 2, slp(ACPI_PM_SLP_TYP_S5) | ACPI_PM1_CNT_SLP_EN);
	ok(in(ACPI_PM_PM1_CNT, 2) == (slp(ACPI_PM_SLP_TYP_S5) |
				      ACPI_PM1_CNT_SCI_EN),
	   "an S5 request without a power_off callback is only stored");
	teardown();
}

/* acpi_pm_reset(): PM1_EN and PM1_CNT clear, SCI_EN still reads 1. */
static void test_reset(void)
{
	setup();
	out(ACPI_PM_PM1_EN, 2, 0x0121);
	out(ACPI_PM_PM1_CNT, 2, ACPI_PM1_CNT_BM_RLD | slp(3));
	ok(in(ACPI_PM_PM1_EN, 2) == 0x0121 &&
	   in(ACPI_PM_PM1_CNT, 2) != ACPI_PM1_CNT_SCI_EN,
	   "before the reset PM1_EN and PM1_CNT hold what was written");
	acpi_pm_reset(&pm);
	ok(in(ACPI_PM_PM1_EN, 2) == 0 &&
	   in(ACPI_PM_PM1_CNT, 2) == ACPI_PM1_CNT_SCI_EN && !power_offs,
	   "after it PM1_EN reads 0 and PM1_CNT only SCI_EN; no power-off");
	teardown();
}

int main(void)
{
	test_registers();
	test_s5();
	test_bad_requests();
	test_timer();
	test_init();
	test_reset();
	return tap_done();
}
