// SPDX-License-Identifier: GPL-2.0
/* Unit tests for devices/rtc.c through ports 0x70/0x71. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus.h"
#include "devices/rtc.h"
#include "tap.h"

static struct bus bus;

static u8 cmos_read(u8 idx)
{
	u8 v = idx;

	bus_access(&bus, NULL, 0x70, &v, 1, true);
	bus_access(&bus, NULL, 0x71, &v, 1, false);
	return v;
}

static void cmos_write(u8 idx, u8 val)
{
	bus_access(&bus, NULL, 0x70, &idx, 1, true);
	bus_access(&bus, NULL, 0x71, &val, 1, true);
}

static int bcd(u8 v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

static u8 to_bcd(int v)
{
	return (u8)(((v / 10) << 4) | (v % 10));
}

/* Read the clock as Linux does (binary or BCD per register B). */
static time_t read_clock(struct tm *tm)
{
	u8 b = cmos_read(RTC_REG_B);
	int (*dec)(u8) = (b & RTC_B_DM_BINARY) ? NULL : bcd;
	u8 raw[8] = {
		cmos_read(RTC_SECONDS), cmos_read(RTC_MINUTES),
		cmos_read(RTC_HOURS), cmos_read(RTC_DAY_OF_MONTH),
		cmos_read(RTC_MONTH), cmos_read(RTC_YEAR),
		cmos_read(RTC_CENTURY), cmos_read(RTC_DAY_OF_WEEK),
	};
	int v[8], i, hour;

	for (i = 0; i < 8; i++)
		v[i] = dec ? dec(raw[i] & (i == 2 ? 0x7f : 0xff)) :
			     (raw[i] & (i == 2 ? 0x7f : 0xff));
	hour = v[2];
	if (!(b & RTC_B_24H))
		hour = hour % 12 + ((raw[2] & 0x80) ? 12 : 0);
	memset(tm, 0, sizeof(*tm));
	tm->tm_sec = v[0];
	tm->tm_min = v[1];
	tm->tm_hour = hour;
	tm->tm_mday = v[3];
	tm->tm_mon = v[4] - 1;
	tm->tm_year = v[6] * 100 + v[5] - 1900;
	tm->tm_wday = v[7] - 1;
	return timegm(tm);
}

static bool close_to(time_t a, time_t b, time_t tol)
{
	return llabs((long long)(a - b)) <= tol;
}

static void test_read(void)
{
	struct tm tm, host;
	time_t now, t;
	u8 v;

	now = time(NULL);
	t = read_clock(&tm);
	gmtime_r(&now, &host);
	ok(close_to(t, now, 2), "BCD clock within 2 s of host UTC (%lld)",
	   (long long)(t - now));
	ok(tm.tm_wday == host.tm_wday, "day of week 1-7 from Sunday");
	ok(cmos_read(RTC_CENTURY) == to_bcd((host.tm_year + 1900) / 100),
	   "century register in BCD (0x%02x)", cmos_read(RTC_CENTURY));

	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_DM_BINARY);
	t = read_clock(&tm);
	ok(close_to(t, time(NULL), 2), "binary clock within 2 s of host");
	ok(cmos_read(RTC_CENTURY) == (host.tm_year + 1900) / 100,
	   "century register in binary");

	cmos_write(RTC_REG_B, RTC_B_DM_BINARY);
	t = read_clock(&tm);
	v = cmos_read(RTC_HOURS);
	ok(close_to(t, time(NULL), 2) && (v & 0x7f) >= 1 && (v & 0x7f) <= 12,
	   "12-hour binary clock: hour 1-12 with PM bit (0x%02x)", v);
	cmos_write(RTC_REG_B, 0);
	t = read_clock(&tm);
	ok(close_to(t, time(NULL), 2), "12-hour BCD clock");
	cmos_write(RTC_REG_B, RTC_B_24H);

	ok(!(cmos_read(RTC_REG_A) & 0x80) && cmos_read(RTC_REG_A) == 0x26,
	   "register A: UIP clear, divider 0x26");
	ok(cmos_read(RTC_REG_D) == RTC_D_VRT, "register D: VRT set");
	ok(cmos_read(RTC_REG_C) == 0, "register C: no flags");
	cmos_write(RTC_REG_D, 0);
	ok(cmos_read(RTC_REG_D) == RTC_D_VRT, "register D read-only");
	cmos_write(RTC_REG_A, 0xa6);
	ok(cmos_read(RTC_REG_A) == 0x26, "register A: UIP not writable");
}

static void test_index_and_cmos(void)
{
	u8 v, idx;

	cmos_write(0x40, 0x5a);
	cmos_write(0x7f, 0xa5);
	ok(cmos_read(0x40) == 0x5a && cmos_read(0x7f) == 0xa5,
	   "CMOS RAM round trip");
	/* Index 0xc0 = NMI mask bit + 0x40. */
	idx = 0xc0;
	bus_access(&bus, NULL, 0x70, &idx, 1, true);
	bus_access(&bus, NULL, 0x71, &v, 1, false);
	ok(v == 0x5a, "NMI mask bit is not part of the index");
	v = 0;
	bus_access(&bus, NULL, 0x70, &v, 1, false);
	ok(v == 0xff, "index port reads 0xff");
	ok(rtc_cmos_set(container_of(bus.devs[0], struct rtc, dev), 0x41,
			0x77) == 0 && cmos_read(0x41) == 0x77,
	   "rtc_cmos_set presets CMOS");
	ok(rtc_cmos_set(container_of(bus.devs[0], struct rtc, dev),
			RTC_SECONDS, 1) != 0, "rtc_cmos_set refuses clock regs");
}

static void test_set_time(void)
{
	struct tm tm;
	time_t t, want;

	/* Linux's way: SET, write everything, clear SET. */
	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_SET);
	cmos_write(RTC_SECONDS, 0x56);
	cmos_write(RTC_MINUTES, 0x34);
	cmos_write(RTC_HOURS, 0x12);
	cmos_write(RTC_DAY_OF_MONTH, 0x31);
	cmos_write(RTC_MONTH, 0x12);
	cmos_write(RTC_YEAR, 0x99);
	cmos_write(RTC_CENTURY, 0x19);
	t = read_clock(&tm);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 99;
	tm.tm_mon = 11;
	tm.tm_mday = 31;
	tm.tm_hour = 12;
	tm.tm_min = 34;
	tm.tm_sec = 56;
	want = timegm(&tm);
	ok(t == want, "SET mode: reads show the written time");
	cmos_write(RTC_REG_B, RTC_B_24H);
	t = read_clock(&tm);
	ok(close_to(t, want, 2), "SET cleared: clock runs from 1999-12-31");

	cmos_write(RTC_HOURS, 0x25);
	t = read_clock(&tm);
	ok(close_to(t, want, 2), "invalid BCD hour ignored");
	cmos_write(RTC_MINUTES, 0x00);
	t = read_clock(&tm);
	ok(close_to(t, want - 34 * 60, 2),
	   "direct minute write moves the clock");
	cmos_write(RTC_MINUTES, 0x5a);
	ok(close_to(read_clock(&tm), want - 34 * 60, 2),
	   "non-BCD digit ignored");
}

/* Random guest traffic, then the clock must still read sane values. */
static void test_random(void)
{
	unsigned int i, seed = 4242, bad = 0;
	struct tm tm;
	u8 v;

	for (i = 0; i < 50000; i++) {
		unsigned int r = rand_r(&seed);

		v = (u8)(r >> 8);
		bus_access(&bus, NULL, 0x70 + (r & 1), &v, 1, r & 2);
	}
	cmos_write(RTC_REG_B, RTC_B_24H);
	for (i = 0; i < 10; i++) {
		read_clock(&tm);
		if (tm.tm_sec > 59 || tm.tm_min > 59 || tm.tm_hour > 23 ||
		    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_mon < 0 ||
		    tm.tm_mon > 11)
			bad++;
	}
	ok(!bad, "after random traffic the clock reads valid BCD fields");
}

/* rtc_reset(): registers A and B as at power-on; CMOS bytes and time stay. */
static void test_reset(struct rtc *rtc)
{
	struct tm tm;
	time_t before = read_clock(&tm), after;

	cmos_write(0x40, 0xa5);
	cmos_write(RTC_REG_A, 0x2f);
	cmos_write(RTC_REG_B, RTC_B_DM_BINARY);
	bus_access(&bus, NULL, 0x70, &(u8){ 0x80 | 0x40 }, 1, true);
	rtc_reset(rtc);
	ok(cmos_read(RTC_REG_A) == 0x26 && cmos_read(RTC_REG_B) == RTC_B_24H,
	   "after a reset registers A and B read 0x26 and 0x%02x",
	   RTC_B_24H);
	ok(cmos_read(0x40) == 0xa5, "a CMOS byte is battery-backed: kept");
	after = read_clock(&tm);
	ok(after >= before && after - before <= 2,
	   "the clock runs on (%lld s apart)", (long long)(after - before));
}

int main(void)
{
	struct rtc rtc;

	bus_init(&bus, "pio");
	ok(rtc_init(&rtc, &bus) == 0, "RTC registers at 0x70");
	test_read();
	test_index_and_cmos();
	test_set_time();
	test_random();
	test_reset(&rtc);
	rtc_exit(&rtc);
	bus_destroy(&bus);
	return tap_done();
}
