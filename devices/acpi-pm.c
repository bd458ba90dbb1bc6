// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI power management registers: what an OS writes to power the machine
 * off (ACPI 6.3, 4.8.3 "PM1 Event/Control Grouping" and 4.8.3.7 "Sleep
 * Control and Status Registers"), and the PM timer (4.8.3.3). See
 * include/devices/acpi-pm.h.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "devices/acpi-pm.h"
#include "log.h"

struct pm_reg {
	u8 off, width;
};

static const struct pm_reg pm_regs[] = {
	{ ACPI_PM_PM1_STS, 2 },
	{ ACPI_PM_PM1_EN, 2 },
	{ ACPI_PM_PM1_CNT, 2 },
	{ ACPI_PM_SLEEP_CTL, 1 },
	{ ACPI_PM_SLEEP_STS, 1 },
	{ ACPI_PM_TMR, ACPI_PM_TMR_LEN },
};

/* The register [off, off + len) lies in, or NULL when it spans or misses. */
static const struct pm_reg *pm_find(u64 off, u32 len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pm_regs); i++) {
		const struct pm_reg *r = &pm_regs[i];

		if (off >= r->off && off < r->off + r->width)
			return len <= r->width && off + len <= r->off + r->width ?
			       r : NULL;
	}
	return NULL;
}

static void pm_bad_access(u64 off, u32 len, bool is_write)
{
	pr_warn_ratelimited("acpi-pm: %u-byte %s at offset 0x%llx is not a register access: ignored",
			    len, is_write ? "write" : "read",
			    (unsigned long long)off);
}

static void pm_sleep(struct acpi_pm *pm, unsigned int slp_typ,
		     const char *reg)
{
	if (slp_typ != ACPI_PM_SLP_TYP_S5) {
		pr_warn_ratelimited("acpi-pm: sleep type %u requested through %s: only %u (S5) is supported: ignored",
				    slp_typ, reg, ACPI_PM_SLP_TYP_S5);
		return;
	}
	pr_info("acpi-pm: guest requested S5 (soft off)");
	if (pm->ops.power_off)
		pm->ops.power_off(pm->ops.opaque);
}

/* CLOCK_MONOTONIC in PM timer ticks, the low 32 bits. */
static u32 pm_timer_now(void)
{
	struct timespec ts;

	/* Cannot fail for CLOCK_MONOTONIC with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u32)((u64)ts.tv_sec * ACPI_PM_TMR_HZ +
		     (u64)ts.tv_nsec * ACPI_PM_TMR_HZ / 1000000000ULL);
}

/* The register's value as the guest reads it. */
static u32 pm_read_reg(struct acpi_pm *pm, const struct pm_reg *r)
{
	switch (r->off) {
	case ACPI_PM_PM1_EN:
		return pm->pm1_en;
	case ACPI_PM_PM1_CNT:
		return pm->pm1_cnt | ACPI_PM1_CNT_SCI_EN;
	default:
		/* No status bit is ever set; the sleep control is write-only. */
		return 0;
	}
}

/*
 * A write of the bytes in mask (of the register's value) with value.
 * Returns the SLP_TYP of a sleep request, or -1 when there is none.
 */
static int pm_write_reg(struct acpi_pm *pm, const struct pm_reg *r,
			u16 value, u16 mask)
{
	u16 cnt;

	switch (r->off) {
	case ACPI_PM_TMR:
		pr_warn_ratelimited("acpi-pm: write to the read-only PM timer: ignored");
		return -1;
	case ACPI_PM_PM1_EN:
		pm->pm1_en = (pm->pm1_en & ~mask) | (value & mask);
		pm->pm1_en &= ACPI_PM1_EN_MASK;
		return -1;
	case ACPI_PM_PM1_CNT:
		cnt = (pm->pm1_cnt & ~mask) | (value & mask);
		pm->pm1_cnt = cnt & (ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP);
		if (!(value & mask & ACPI_PM1_CNT_SLP_EN))
			return -1;
		return (cnt & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_CNT_SLP_TYP_SHIFT;
	case ACPI_PM_SLEEP_CTL:
		if (!(value & ACPI_SLEEP_CTL_SLP_EN))
			return -1;
		return (value & ACPI_SLEEP_CTL_SLP_TYP) >>
		       ACPI_SLEEP_CTL_SLP_TYP_SHIFT;
	default:
		/* Status registers: writing 1 clears a bit; none is set. */
		return -1;
	}
}

static void acpi_pm_access(struct bus_dev *dev, struct vcpu *vcpu,
			   u64 offset, u8 *data, u32 len, bool is_write)
{
	struct acpi_pm *pm = dev->priv;
	const struct pm_reg *r = pm_find(offset, len);
	unsigned int shift, i;
	u16 value = 0, mask = 0;
	u32 read;
	int slp_typ;

	if (!r) {
		pm_bad_access(offset, len, is_write);
		return;
	}
	shift = 8 * (unsigned int)(offset - r->off);
	if (!is_write && r->off == ACPI_PM_TMR) {
		/* The clock source's read: no state, no lock. */
		read = pm_timer_now() >> shift;
		for (i = 0; i < len; i++)
			data[i] = (u8)(read >> (8 * i));
		return;
	}
	pthread_mutex_lock(&pm->lock);
	if (!is_write) {
		read = pm_read_reg(pm, r) >> shift;
		pthread_mutex_unlock(&pm->lock);
		for (i = 0; i < len; i++)
			data[i] = (u8)(read >> (8 * i));
		return;
	}
	for (i = 0; i < len; i++) {
		value |= (u16)((u32)data[i] << (8 * i + shift));
		mask |= (u16)(0xffu << (8 * i + shift));
	}
	slp_typ = pm_write_reg(pm, r, value, mask);
	pthread_mutex_unlock(&pm->lock);
	if (slp_typ >= 0)
		pm_sleep(pm, (unsigned int)slp_typ,
			 r->off == ACPI_PM_PM1_CNT ? "PM1_CNT" : "SLEEP_CONTROL");
}

int acpi_pm_init(struct acpi_pm *pm, struct bus *bus, u16 base,
		 const struct acpi_pm_ops *ops)
{
	int err;

	memset(pm, 0, sizeof(*pm));
	if (ops)
		pm->ops = *ops;
	pthread_mutex_init(&pm->lock, NULL);
	pm->bus = bus;
	pm->dev.name = "acpi-pm";
	pm->dev.base = base;
	pm->dev.len = ACPI_PM_LEN;
	pm->dev.access = acpi_pm_access;
	pm->dev.priv = pm;
	err = bus_register(bus, &pm->dev);
	if (err)
		pthread_mutex_destroy(&pm->lock);
	return err;
}

void acpi_pm_exit(struct acpi_pm *pm)
{
	bus_unregister(pm->bus, &pm->dev);
	pthread_mutex_destroy(&pm->lock);
}

void acpi_pm_reset(struct acpi_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->pm1_en = 0;
	pm->pm1_cnt = 0;
	pthread_mutex_unlock(&pm->lock);
}
