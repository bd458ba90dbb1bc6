// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI 6.3 tables for x86_64 (chapter 5): RSDP, XSDT, FADT, FACS, MADT,
 * MCFG, and the DSDT from acpi-dsdt.c, laid out from X86_ACPI_ADDR in the
 * BIOS area. See include/x86/acpi.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/acpi-pm.h"
#include "devices/rtc.h"
#include "unaligned.h"
#include "x86/acpi.h"
#include "x86/aml.h"
#include "x86/layout.h"

#define ACPI_HDR_SIZE		36
#define ACPI_OEM_ID		"LKVM  "
#define ACPI_OEM_TABLE_ID	"LKVM    "
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_ID		"LKVM"
#define ACPI_CREATOR_REVISION	1

/* RSDP (5.2.5.3) */
#define RSDP_SIZE		36
#define RSDP_V1_SIZE		20
#define RSDP_REVISION		2

/* FADT (5.2.9), revision 6.3, and its fields' offsets. */
#define FADT_SIZE		276
#define FADT_REVISION		6
#define FADT_MINOR_REVISION	3
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_CENTURY		108
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_DSDT		140
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208
#define FADT_SLEEP_CONTROL_REG	244
#define FADT_SLEEP_STATUS_REG	256
#define FADT_HYPERVISOR_ID	268

#define FADT_C2_UNSUPPORTED	101	/* P_LVL2_LAT > 100 us */
#define FADT_C3_UNSUPPORTED	1001	/* P_LVL3_LAT > 1000 us */

/* IAPC_BOOT_ARCH: ISA-style devices, an 8042, no VGA (MSI is allowed). */
#define IAPC_LEGACY_DEVICES	0x0001
#define IAPC_8042		0x0002
#define IAPC_VGA_NOT_PRESENT	0x0004

/* FADT flags. */
#define FADT_F_WBINVD		(1u << 0)
#define FADT_F_PROC_C1		(1u << 2)
#define FADT_F_PWR_BUTTON	(1u << 4)	/* no fixed power button */
#define FADT_F_SLP_BUTTON	(1u << 5)	/* no fixed sleep button */
#define FADT_F_FIX_RTC		(1u << 6)	/* no RTC wake status */
#define FADT_F_TMR_VAL_EXT	(1u << 8)	/* 32-bit PM timer */
#define FADT_F_RESET_REG_SUP	(1u << 10)

#define PCI_RESET_VALUE		0x06	/* 0xcf9: system reset, reset CPU */

/* Generic Address Structure (5.2.3.2). */
#define GAS_SIZE		12
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2
#define GAS_ACCESS_DWORD	3

/* FACS (5.2.10) */
#define FACS_SIZE		64
#define FACS_VERSION		2
#define FACS_ALIGN		64

/* MADT (5.2.12) */
#define MADT_REVISION		5
#define MADT_PCAT_COMPAT	0x1
#define MADT_LAPIC		0
#define MADT_LAPIC_SIZE		8
#define MADT_IOAPIC		1
#define MADT_IOAPIC_SIZE	12
#define MADT_ISO		2
#define MADT_ISO_SIZE		10
#define MADT_LAPIC_NMI		4
#define MADT_LAPIC_NMI_SIZE	6
#define MADT_ENABLED		0x1
#define MADT_ALL_CPUS		0xff
#define MADT_BUS_ISA		0
#define MADT_LEVEL_LOW		0x000f	/* MPS INTI: level, active low */
#define MADT_CONFORMS		0x0000
#define MADT_LINT1		1

/* MCFG (PCI Firmware Specification 3.2, 4.1.2) */
#define MCFG_REVISION		1
#define MCFG_ENTRY_SIZE		16

#define DSDT_REVISION		2	/* 64-bit integers */
#define XSDT_REVISION		1
#define XSDT_ENTRIES		3
#define ACPI_TABLE_ALIGN	16

struct acpi_out {
	u8 *buf;
	size_t size, pos;
};

static u8 checksum(const u8 *p, size_t n)
{
	u8 sum = 0;

	while (n--)
		sum += *p++;
	return (u8)-sum;
}

/* Room for a table of len bytes at the next aligned offset, zeroed. */
static u8 *acpi_alloc(struct acpi_out *o, size_t len, size_t align)
{
	size_t at = ALIGN_UP(o->pos, align);
	u8 *p;

	if (at > o->size || len > o->size - at)
		return NULL;
	p = o->buf + at;
	memset(p, 0, len);
	o->pos = at + len;
	return p;
}

static u64 acpi_gpa(const struct acpi_out *o, const u8 *p)
{
	return X86_ACPI_ADDR + (u64)(p - o->buf);
}

static void acpi_header(u8 *t, const char *sig, u32 len, u8 rev)
{
	memcpy(t, sig, 4);
	put_le32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
	put_le32(t + 24, ACPI_OEM_REVISION);
	memcpy(t + 28, ACPI_CREATOR_ID, 4);
	put_le32(t + 32, ACPI_CREATOR_REVISION);
}

static void acpi_seal(u8 *t, u32 len)
{
	t[9] = 0;
	t[9] = checksum(t, len);
}

static void put_gas(u8 *p, u8 bits, u8 access, u64 port)
{
	p[0] = GAS_SYSTEM_IO;
	p[1] = bits;
	p[2] = 0;
	p[3] = access;
	put_le64(p + 4, port);
}

static int check_cfg(const struct x86_acpi_cfg *cfg)
{
	if (!cfg->nr_cpus)
		return -EINVAL;
	if (cfg->nr_cpus > X86_MP_MAX_CPUS)
		return -E2BIG;
	return x86_pci_irqs_valid(cfg->pci_irqs, cfg->nr_pci_irqs) ? 0 :
	       -EINVAL;
}

static u8 *build_facs(struct acpi_out *o)
{
	u8 *t = acpi_alloc(o, FACS_SIZE, FACS_ALIGN);

	if (!t)
		return NULL;
	memcpy(t, "FACS", 4);
	put_le32(t + 4, FACS_SIZE);
	t[32] = FACS_VERSION;
	return t;
}

static u8 *build_dsdt(struct acpi_out *o, const struct x86_acpi_cfg *cfg,
		      int *err)
{
	struct aml a;
	size_t len;
	u8 *t = NULL;

	aml_init(&a);
	x86_acpi_dsdt(&a, cfg);
	*err = aml_finish(&a);
	if (!*err) {
		len = ACPI_HDR_SIZE + a.len;
		t = acpi_alloc(o, len, ACPI_TABLE_ALIGN);
		if (t) {
			acpi_header(t, "DSDT", (u32)len, DSDT_REVISION);
			memcpy(t + ACPI_HDR_SIZE, a.buf, a.len);
			acpi_seal(t, (u32)len);
		} else {
			*err = -E2BIG;
		}
	}
	aml_release(&a);
	return t;
}

static u8 *build_fadt(struct acpi_out *o, u32 facs, u64 dsdt)
{
	u8 *t = acpi_alloc(o, FADT_SIZE, ACPI_TABLE_ALIGN);
	const u16 evt = X86_PORT_ACPI_PM + ACPI_PM_PM1_STS;
	const u16 cnt = X86_PORT_ACPI_PM + ACPI_PM_PM1_CNT;
	const u16 tmr = X86_PORT_ACPI_PM + ACPI_PM_TMR;

	if (!t)
		return NULL;
	acpi_header(t, "FACP", FADT_SIZE, FADT_REVISION);
	/*
	 * The FACS in FIRMWARE_CTRL only (X_FIRMWARE_CTRL must then be 0);
	 * the DSDT in both DSDT and X_DSDT, for OSes that read either.
	 */
	put_le32(t + FADT_FIRMWARE_CTRL, facs);
	put_le32(t + FADT_DSDT, (u32)dsdt);
	put_le16(t + FADT_SCI_INT, X86_IRQ_SCI);
	/* SMI_CMD 0: always in ACPI mode, nothing to switch. */
	put_le32(t + FADT_PM1A_EVT_BLK, evt);
	put_le32(t + FADT_PM1A_CNT_BLK, cnt);
	t[FADT_PM1_EVT_LEN] = ACPI_PM_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = ACPI_PM_CNT_LEN;
	/*
	 * The PM timer: a clock that does not lose time when the guest's
	 * ticks are late. No GPE blocks.
	 */
	put_le32(t + FADT_PM_TMR_BLK, tmr);
	t[FADT_PM_TMR_LEN] = ACPI_PM_TMR_LEN;
	put_le16(t + FADT_P_LVL2_LAT, FADT_C2_UNSUPPORTED);
	put_le16(t + FADT_P_LVL3_LAT, FADT_C3_UNSUPPORTED);
	t[FADT_CENTURY] = RTC_CENTURY;
	put_le16(t + FADT_IAPC_BOOT_ARCH,
	      IAPC_LEGACY_DEVICES | IAPC_8042 | IAPC_VGA_NOT_PRESENT);
	put_le32(t + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 |
	      FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON | FADT_F_FIX_RTC |
	      FADT_F_TMR_VAL_EXT | FADT_F_RESET_REG_SUP);
	put_gas(t + FADT_RESET_REG, 8, GAS_ACCESS_BYTE, X86_PORT_PCI_RESET);
	t[FADT_RESET_VALUE] = PCI_RESET_VALUE;
	t[FADT_MINOR_VERSION] = FADT_MINOR_REVISION;
	put_le64(t + FADT_X_DSDT, dsdt);
	put_gas(t + FADT_X_PM1A_EVT_BLK, 8 * ACPI_PM_EVT_LEN, GAS_ACCESS_WORD,
		evt);
	put_gas(t + FADT_X_PM1A_CNT_BLK, 8 * ACPI_PM_CNT_LEN, GAS_ACCESS_WORD,
		cnt);
	put_gas(t + FADT_X_PM_TMR_BLK, 8 * ACPI_PM_TMR_LEN, GAS_ACCESS_DWORD,
		tmr);
	put_gas(t + FADT_SLEEP_CONTROL_REG, 8, GAS_ACCESS_BYTE,
		X86_PORT_ACPI_PM + ACPI_PM_SLEEP_CTL);
	put_gas(t + FADT_SLEEP_STATUS_REG, 8, GAS_ACCESS_BYTE,
		X86_PORT_ACPI_PM + ACPI_PM_SLEEP_STS);
	memcpy(t + FADT_HYPERVISOR_ID, "LKVM", 4);
	acpi_seal(t, FADT_SIZE);
	return t;
}

static void put_iso(u8 *e, u8 irq, u32 gsi, u16 flags)
{
	e[0] = MADT_ISO;
	e[1] = MADT_ISO_SIZE;
	e[2] = MADT_BUS_ISA;
	e[3] = irq;
	put_le32(e + 4, gsi);
	put_le16(e + 8, flags);
}

static u8 *build_madt(struct acpi_out *o, const struct x86_acpi_cfg *cfg)
{
	bool level_low[16] = { false };
	unsigned int i, nr_iso = 0;
	size_t len;
	u8 *t, *e;

	/* The SCI and the PCI lines that are ISA IRQ numbers too. */
	level_low[X86_IRQ_SCI] = true;
	for (i = 0; i < cfg->nr_pci_irqs; i++)
		if (cfg->pci_irqs[i].gsi < 16)
			level_low[cfg->pci_irqs[i].gsi] = true;
	for (i = 0; i < 16; i++)
		nr_iso += level_low[i];

	len = ACPI_HDR_SIZE + 8 + cfg->nr_cpus * MADT_LAPIC_SIZE +
	      MADT_IOAPIC_SIZE + nr_iso * MADT_ISO_SIZE + MADT_LAPIC_NMI_SIZE;
	t = acpi_alloc(o, len, ACPI_TABLE_ALIGN);
	if (!t)
		return NULL;
	acpi_header(t, "APIC", (u32)len, MADT_REVISION);
	put_le32(t + ACPI_HDR_SIZE, (u32)X86_LAPIC_ADDR);
	put_le32(t + ACPI_HDR_SIZE + 4, MADT_PCAT_COMPAT);
	e = t + ACPI_HDR_SIZE + 8;
	for (i = 0; i < cfg->nr_cpus; i++, e += MADT_LAPIC_SIZE) {
		e[0] = MADT_LAPIC;
		e[1] = MADT_LAPIC_SIZE;
		e[2] = (u8)i;		/* processor UID */
		e[3] = (u8)i;		/* APIC ID */
		put_le32(e + 4, MADT_ENABLED);
	}
	e[0] = MADT_IOAPIC;
	e[1] = MADT_IOAPIC_SIZE;
	e[2] = (u8)cfg->nr_cpus;	/* the MP table's IOAPIC ID */
	put_le32(e + 4, (u32)X86_IOAPIC_ADDR);
	put_le32(e + 8, 0);		/* GSI base */
	e += MADT_IOAPIC_SIZE;
	for (i = 0; i < 16; i++) {
		if (!level_low[i])
			continue;
		put_iso(e, (u8)i, i, MADT_LEVEL_LOW);
		e += MADT_ISO_SIZE;
	}
	e[0] = MADT_LAPIC_NMI;
	e[1] = MADT_LAPIC_NMI_SIZE;
	e[2] = MADT_ALL_CPUS;
	put_le16(e + 3, MADT_CONFORMS);
	e[5] = MADT_LINT1;
	acpi_seal(t, (u32)len);
	return t;
}

static u8 *build_mcfg(struct acpi_out *o)
{
	const size_t len = ACPI_HDR_SIZE + 8 + MCFG_ENTRY_SIZE;
	u8 *t = acpi_alloc(o, len, ACPI_TABLE_ALIGN);
	u8 *e;

	if (!t)
		return NULL;
	acpi_header(t, "MCFG", len, MCFG_REVISION);
	e = t + ACPI_HDR_SIZE + 8;
	put_le64(e, X86_PCI_ECAM_START);
	put_le16(e + 8, 0);		/* PCI segment */
	e[10] = 0;			/* first bus */
	e[11] = (u8)(X86_PCI_ECAM_SIZE / SZ_1M - 1);	/* last bus */
	acpi_seal(t, len);
	return t;
}

static void build_rsdp(u8 *r, u64 xsdt)
{
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, ACPI_OEM_ID, 6);
	r[15] = RSDP_REVISION;
	put_le32(r + 16, 0);		/* no RSDT: the XSDT only */
	put_le32(r + 20, RSDP_SIZE);
	put_le64(r + 24, xsdt);
	r[8] = checksum(r, RSDP_V1_SIZE);
	r[32] = checksum(r, RSDP_SIZE);
}

long x86_acpi_build(const struct x86_acpi_cfg *cfg, u8 *buf, size_t size)
{
	struct acpi_out o = { .buf = buf, .size = MIN(size, X86_ACPI_SIZE) };
	const size_t xsdt_len = ACPI_HDR_SIZE + 8 * XSDT_ENTRIES;
	u8 *rsdp, *xsdt, *fadt, *facs, *dsdt, *madt, *mcfg;
	int err;

	err = check_cfg(cfg);
	if (err)
		return err;
	rsdp = acpi_alloc(&o, RSDP_SIZE, ACPI_TABLE_ALIGN);
	xsdt = acpi_alloc(&o, xsdt_len, ACPI_TABLE_ALIGN);
	facs = build_facs(&o);
	if (!rsdp || !xsdt || !facs)
		return -E2BIG;
	dsdt = build_dsdt(&o, cfg, &err);
	if (err)
		return err;
	fadt = build_fadt(&o, (u32)acpi_gpa(&o, facs), acpi_gpa(&o, dsdt));
	madt = build_madt(&o, cfg);
	mcfg = build_mcfg(&o);
	if (!fadt || !madt || !mcfg)
		return -E2BIG;

	acpi_header(xsdt, "XSDT", xsdt_len, XSDT_REVISION);
	put_le64(xsdt + ACPI_HDR_SIZE, acpi_gpa(&o, fadt));
	put_le64(xsdt + ACPI_HDR_SIZE + 8, acpi_gpa(&o, madt));
	put_le64(xsdt + ACPI_HDR_SIZE + 16, acpi_gpa(&o, mcfg));
	acpi_seal(xsdt, xsdt_len);
	build_rsdp(rsdp, acpi_gpa(&o, xsdt));
	return (long)o.pos;
}

int x86_write_acpi(const struct guest_mem *mem,
		   const struct x86_acpi_cfg *cfg)
{
	u8 *buf = calloc(1, X86_ACPI_SIZE);
	long len;

	if (!buf)
		return -ENOMEM;
	len = x86_acpi_build(cfg, buf, X86_ACPI_SIZE);
	if (len > 0 && guest_mem_write(mem, X86_ACPI_ADDR, buf, (u64)len))
		len = -E2BIG;
	free(buf);
	return len < 0 ? (int)len : 0;
}
