/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DEVICES_RTC_H
#define LKVM_DEVICES_RTC_H

#include <pthread.h>
#include <time.h>

#include "bus.h"
#include "types.h"

#define RTC_PORT_BASE	0x70	/* 0x70 index (bit 7: NMI mask), 0x71 data */
#define RTC_CMOS_SIZE	128

/* CMOS indices with a meaning here. */
#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32

#define RTC_B_SET		0x80	/* updates halted, time being set */
#define RTC_B_DM_BINARY		0x04
#define RTC_B_24H		0x02
#define RTC_D_VRT		0x80

/*
 * MC146818-style RTC and CMOS. The time is the host's UTC clock plus an
 * offset the guest may set by writing the time registers; nothing ticks
 * here, every read computes the time afresh. No interrupts. Private fields.
 */
struct rtc {
	struct bus_dev dev;
	struct bus *bus;
	pthread_mutex_t lock;
	u8 index;
	bool nmi_masked;	/* stored only: lkvm raises no NMIs */
	u8 cmos[RTC_CMOS_SIZE];
	s64 offset;		/* guest time minus host time, seconds */
	struct tm set_tm;	/* the time being written while B.SET is on */
};

/* Register ports 0x70-0x71 on `bus`. Returns 0 or -errno. */
int rtc_init(struct rtc *rtc, struct bus *bus);

/* Unregister and free the lock. Call after vCPUs stopped. */
void rtc_exit(struct rtc *rtc);

/*
 * A machine reset: the index and NMI mask clear, a time being set (B.SET)
 * abandoned, registers A and B as at power-on. The clock and the CMOS
 * bytes are battery-backed and stay. Call with the vCPUs stopped.
 */
void rtc_reset(struct rtc *rtc);

/*
 * Preset a plain CMOS byte (e.g. the memory size fields firmware reads).
 * Indices that are clock registers are refused with -EINVAL.
 */
int rtc_cmos_set(struct rtc *rtc, u8 index, u8 value);

#endif
