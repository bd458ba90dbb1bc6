// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818 real-time clock and CMOS RAM behind ports 0x70/0x71.
 *
 * - Time registers show the host's UTC time plus an offset, computed at
 *   each read, in BCD or binary (register B DM) and 24 or 12 hour form
 *   (register B 24/12; PM is bit 7 of the hour). Century is at 0x32.
 * - Writing a time register moves the guest's clock: the offset to the host
 *   clock is kept, so the time then runs on from the written value. With
 *   B.SET on, writes go to a held copy and reads show it; clearing B.SET
 *   applies it in one go (how Linux sets the RTC). Values that are not
 *   valid in the current format are ignored with a rate-limited warning.
 * - Register A reads UIP as 0 (no update is ever in progress: the time is
 *   computed, not ticked) and keeps the divider/rate bits written. Register
 *   C (interrupt flags) reads 0, register D reads VRT (battery good).
 *   Alarms and periodic/update interrupts are stored but never fire.
 * - Port 0x70 is write-only, as on hardware: reads give 0xff. Bit 7 of an
 *   index write is the NMI mask and is not part of the index.
 */
#include <errno.h>
#include <string.h>

#include "devices/rtc.h"
#include "log.h"

#define RTC_A_UIP	0x80
/* As firmware leaves them: 32.768 kHz base, 1024 Hz rate; BCD, 24-hour. */
#define RTC_A_POWER_ON	0x26
#define RTC_B_POWER_ON	RTC_B_24H

static u8 bin2bcd(unsigned int v)
{
	return (u8)(((v / 10) << 4) | (v % 10));
}

static bool is_time_reg(u8 idx)
{
	switch (idx) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		return true;
	default:
		return false;
	}
}

static bool binary_mode(const struct rtc *rtc)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

static u8 encode(const struct rtc *rtc, unsigned int v)
{
	return binary_mode(rtc) ? (u8)v : bin2bcd(v % 100);
}

/* Decode a register value; -1 if it is not valid in the current format. */
static int decode(const struct rtc *rtc, u8 v)
{
	if (binary_mode(rtc))
		return v;
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

static void guest_now(const struct rtc *rtc, struct tm *tm)
{
	struct timespec ts;
	time_t t;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		ts.tv_sec = 0;
	t = (time_t)(ts.tv_sec + rtc->offset);
	if (!gmtime_r(&t, tm))
		memset(tm, 0, sizeof(*tm));
}

static void set_offset(struct rtc *rtc, struct tm *tm)
{
	struct timespec ts;
	time_t t = timegm(tm);

	if (t == (time_t)-1 || clock_gettime(CLOCK_REALTIME, &ts))
		return;
	rtc->offset = (s64)t - (s64)ts.tv_sec;
}

static u8 read_time_reg(const struct rtc *rtc, const struct tm *tm, u8 idx)
{
	unsigned int year = (unsigned int)tm->tm_year + 1900;
	unsigned int h;

	switch (idx) {
	case RTC_SECONDS:
		return encode(rtc, (unsigned int)MIN(tm->tm_sec, 59));
	case RTC_MINUTES:
		return encode(rtc, (unsigned int)tm->tm_min);
	case RTC_HOURS:
		if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
			return encode(rtc, (unsigned int)tm->tm_hour);
		h = (unsigned int)tm->tm_hour % 12;
		return encode(rtc, h ? h : 12) |
		       (tm->tm_hour >= 12 ? 0x80 : 0);
	case RTC_DAY_OF_WEEK:
		return encode(rtc, (unsigned int)tm->tm_wday + 1);
	case RTC_DAY_OF_MONTH:
		return encode(rtc, (unsigned int)tm->tm_mday);
	case RTC_MONTH:
		return encode(rtc, (unsigned int)tm->tm_mon + 1);
	case RTC_YEAR:
		return encode(rtc, year % 100);
	default:	/* RTC_CENTURY */
		return encode(rtc, year / 100);
	}
}

/* Apply a time register write to *tm. Returns false if v is invalid. */
static bool write_time_reg(const struct rtc *rtc, struct tm *tm, u8 idx,
			   u8 v)
{
	int year = tm->tm_year + 1900;
	int d;

	if (idx == RTC_HOURS && !(rtc->cmos[RTC_REG_B] & RTC_B_24H)) {
		d = decode(rtc, v & 0x7f);
		if (d < 1 || d > 12)
			return false;
		tm->tm_hour = d % 12 + ((v & 0x80) ? 12 : 0);
		return true;
	}
	d = decode(rtc, v);
	switch (idx) {
	case RTC_SECONDS:
	case RTC_MINUTES:
		if (d < 0 || d > 59)
			return false;
		*(idx == RTC_SECONDS ? &tm->tm_sec : &tm->tm_min) = d;
		return true;
	case RTC_HOURS:
		if (d < 0 || d > 23)
			return false;
		tm->tm_hour = d;
		return true;
	case RTC_DAY_OF_WEEK:
		/* Derived from the date; accepted and ignored. */
		return d >= 1 && d <= 7;
	case RTC_DAY_OF_MONTH:
		if (d < 1 || d > 31)
			return false;
		tm->tm_mday = d;
		return true;
	case RTC_MONTH:
		if (d < 1 || d > 12)
			return false;
		tm->tm_mon = d - 1;
		return true;
	case RTC_YEAR:
		if (d < 0 || d > 99)
			return false;
		tm->tm_year = year / 100 * 100 + d - 1900;
		return true;
	default:	/* RTC_CENTURY */
		if (d < 0 || d > 99)
			return false;
		tm->tm_year = d * 100 + year % 100 - 1900;
		return true;
	}
}

static u8 rtc_read(struct rtc *rtc)
{
	u8 idx = rtc->index;
	struct tm tm;

	if (is_time_reg(idx)) {
		if (rtc->cmos[RTC_REG_B] & RTC_B_SET)
			tm = rtc->set_tm;
		else
			guest_now(rtc, &tm);
		return read_time_reg(rtc, &tm, idx);
	}
	switch (idx) {
	case RTC_REG_A:
		return rtc->cmos[RTC_REG_A] & ~RTC_A_UIP;
	case RTC_REG_C:
		/* No interrupt flags are ever raised. */
		return 0;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return rtc->cmos[idx];
	}
}

static void rtc_write(struct rtc *rtc, u8 v)
{
	u8 idx = rtc->index;
	struct tm tm;

	if (is_time_reg(idx)) {
		bool set_mode = rtc->cmos[RTC_REG_B] & RTC_B_SET;

		if (set_mode)
			tm = rtc->set_tm;
		else
			guest_now(rtc, &tm);
		if (!write_time_reg(rtc, &tm, idx, v)) {
			pr_warn_ratelimited("rtc: invalid value 0x%02x for register 0x%02x ignored",
					    v, idx);
			return;
		}
		if (set_mode)
			rtc->set_tm = tm;
		else
			set_offset(rtc, &tm);
		return;
	}
	switch (idx) {
	case RTC_REG_A:
		rtc->cmos[RTC_REG_A] = v & ~RTC_A_UIP;
		break;
	case RTC_REG_B:
		if ((v & RTC_B_SET) && !(rtc->cmos[RTC_REG_B] & RTC_B_SET))
			guest_now(rtc, &rtc->set_tm);
		else if (!(v & RTC_B_SET) &&
			 (rtc->cmos[RTC_REG_B] & RTC_B_SET))
			set_offset(rtc, &rtc->set_tm);
		rtc->cmos[RTC_REG_B] = v;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		/* Read-only. */
		break;
	default:
		rtc->cmos[idx] = v;
		break;
	}
}

static void rtc_access(struct bus_dev *dev, struct vcpu *vcpu, u64 offset,
		       u8 *data, u32 len, bool is_write)
{
	struct rtc *rtc = container_of(dev, struct rtc, dev);
	u32 i;

	pthread_mutex_lock(&rtc->lock);
	/* Byte by byte, as the ISA bus splits a wide access. */
	for (i = 0; i < len && offset + i < 2; i++) {
		if (offset + i == 0) {
			if (is_write) {
				rtc->index = data[i] & 0x7f;
				rtc->nmi_masked = data[i] & 0x80;
			}
			/* Reads of the index port float: 0xff. */
			continue;
		}
		if (is_write)
			rtc_write(rtc, data[i]);
		else
			data[i] = rtc_read(rtc);
	}
	pthread_mutex_unlock(&rtc->lock);
}

int rtc_init(struct rtc *rtc, struct bus *bus)
{
	int err;

	memset(rtc, 0, sizeof(*rtc));
	err = pthread_mutex_init(&rtc->lock, NULL);
	if (err)
		return -err;
	rtc->cmos[RTC_REG_A] = RTC_A_POWER_ON;
	rtc->cmos[RTC_REG_B] = RTC_B_POWER_ON;
	rtc->bus = bus;
	rtc->dev.name = "rtc";
	rtc->dev.base = RTC_PORT_BASE;
	rtc->dev.len = 2;
	rtc->dev.access = rtc_access;
	rtc->dev.priv = rtc;
	err = bus_register(bus, &rtc->dev);
	if (err)
		pthread_mutex_destroy(&rtc->lock);
	return err;
}

void rtc_exit(struct rtc *rtc)
{
	bus_unregister(rtc->bus, &rtc->dev);
	pthread_mutex_destroy(&rtc->lock);
}

void rtc_reset(struct rtc *rtc)
{
	pthread_mutex_lock(&rtc->lock);
	rtc->index = 0;
	rtc->nmi_masked = false;
	memset(&rtc->set_tm, 0, sizeof(rtc->set_tm));
	rtc->cmos[RTC_REG_A] = RTC_A_POWER_ON;
	rtc->cmos[RTC_REG_B] = RTC_B_POWER_ON;
	pthread_mutex_unlock(&rtc->lock);
}

int rtc_cmos_set(struct rtc *rtc, u8 index, u8 value)
{
	if (index >= RTC_CMOS_SIZE || index <= RTC_REG_D ||
	    is_time_reg(index))
		return -EINVAL;
	pthread_mutex_lock(&rtc->lock);
	rtc->cmos[index] = value;
	pthread_mutex_unlock(&rtc->lock);
	return 0;
}
