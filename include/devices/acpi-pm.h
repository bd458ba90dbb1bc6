/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DEVICES_ACPI_PM_H
#define LKVM_DEVICES_ACPI_PM_H

#include <pthread.h>

#include "bus.h"
#include "types.h"

/*
 * The ACPI power-management registers the FADT names, in one block of
 * ports (offsets below): the PM1a event block (PM1_STS, PM1_EN), the PM1a
 * control block (PM1_CNT) and the ACPI 5 sleep control and status
 * registers, and the PM timer. A request for the sleep state whose SLP_TYP
 * is ACPI_PM_SLP_TYP_S5 (the value the DSDT's \_S5 gives) calls power_off.
 * No event ever fires: status bits read 0, SCI_EN reads 1 (the machine
 * is always in ACPI mode) and the SCI is never raised.
 *
 * The PM timer follows the host's CLOCK_MONOTONIC, whatever the guest's
 * vCPUs were doing meanwhile: a guest that keeps time with it (Linux's
 * acpi_pm clocksource, and its TSC calibration) does not lose time when
 * its timer ticks are late, as they are on a loaded host.
 *
 * An access must lie inside one register and be no wider than it;
 * anything else, and a sleep request of any other type, is ignored with
 * one rate-limited log line. Private fields.
 */
#define ACPI_PM_PM1_STS		0x0	/* 16 bits, write 1 to clear */
#define ACPI_PM_PM1_EN		0x2	/* 16 bits */
#define ACPI_PM_PM1_CNT		0x4	/* 16 bits */
#define ACPI_PM_SLEEP_CTL	0x6	/* 8 bits, write-only */
#define ACPI_PM_SLEEP_STS	0x7	/* 8 bits, write 1 to clear */
#define ACPI_PM_TMR		0x8	/* 32 bits, read-only */
#define ACPI_PM_LEN		0x10	/* 0xc-0xf: reserved */

#define ACPI_PM_TMR_LEN		4
/* The PM timer counts at 3.579545 MHz (ACPI 6.3, 4.8.3.3), 32 bits wide. */
#define ACPI_PM_TMR_HZ		3579545ULL

#define ACPI_PM_EVT_LEN		4	/* PM1_STS + PM1_EN */
#define ACPI_PM_CNT_LEN		2

/* PM1_CNT fields. */
#define ACPI_PM1_CNT_SCI_EN		0x0001
#define ACPI_PM1_CNT_BM_RLD		0x0002
#define ACPI_PM1_CNT_GBL_RLS		0x0004
#define ACPI_PM1_CNT_SLP_TYP_SHIFT	10
#define ACPI_PM1_CNT_SLP_TYP		(7 << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN		0x2000

/* PM1_EN bits a guest may set: TMR, GBL, PWRBTN, SLPBTN, RTC, PCIEXP_WAKE_DIS. */
#define ACPI_PM1_EN_MASK		0x4721

/* Sleep control register fields (ACPI 5). */
#define ACPI_SLEEP_CTL_SLP_TYP_SHIFT	2
#define ACPI_SLEEP_CTL_SLP_TYP		(7 << ACPI_SLEEP_CTL_SLP_TYP_SHIFT)
#define ACPI_SLEEP_CTL_SLP_EN		0x20

/* SLP_TYP of S5 (soft off), as the DSDT's \_S5 package says. */
#define ACPI_PM_SLP_TYP_S5	5

struct acpi_pm_ops {
	/* The guest asked for S5: end the VM cleanly. Called on a vCPU. */
	void (*power_off)(void *opaque);
	void *opaque;
};

struct acpi_pm {
	struct bus_dev dev;
	struct bus *bus;
	struct acpi_pm_ops ops;
	pthread_mutex_t lock;
	u16 pm1_en;
	u16 pm1_cnt;		/* BM_RLD and SLP_TYP as last written */
};

/* Register ACPI_PM_LEN ports at base on bus (port I/O). 0 or -errno. */
int acpi_pm_init(struct acpi_pm *pm, struct bus *bus, u16 base,
		 const struct acpi_pm_ops *ops);

/* Unregister. Call after vCPUs stopped. */
void acpi_pm_exit(struct acpi_pm *pm);

/* PM1_EN and PM1_CNT back to 0 (SCI_EN still reads 1). */
void acpi_pm_reset(struct acpi_pm *pm);

#endif
