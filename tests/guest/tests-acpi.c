// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tests: find the RSDP as an OS does (the boot protocol's pointer,
 * and the scan of 0xe0000-0xfffff), follow the XSDT to the FADT and the
 * DSDT's \_S5, and make the request an OS makes to power off. Their
 * output lines are parsed by tests/integration/acpi.sh.
 *
 *   test=acpi        "acpi: boot rsdp X", "acpi: scan rsdp X",
 *                    "acpi: pm1a_cnt X", "acpi: s5 type X" (0: absent)
 *   test=acpi:s5     write \_S5's SLP_TYP and SLP_EN to PM1a_CNT; the VM
 *                    should end there, else "acpi: still running", 42
 *   test=acpi:s3     the same with SLP_TYP 3, which lkvm ignores: 42
 *   test=acpi:port   S5 to port 0x604 without tables (--no-acpi): 42
 */
#include "guest.h"

#define STILL_RUNNING		42
#define BIOS_AREA		0xe0000
#define BIOS_END		0x100000
#define PM1_CNT_SLP_EN		0x2000
#define PM1_CNT_SLP_TYP_SHIFT	10
#define LKVM_PM1A_CNT		0x604

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

static u64 scan_rsdp(void)
{
	u64 a;

	for (a = BIOS_AREA; a < BIOS_END; a += 16)
		if (!memcmp((const void *)a, "RSD PTR ", 8) &&
		    !sum((const u8 *)a, 20))
			return a;
	return 0;
}

static const u8 *table(u64 addr, const char *sig)
{
	const u8 *t = (const u8 *)addr;

	if (!addr || addr >= BIOS_END || memcmp(t, sig, 4) ||
	    sum(t, *(const u32 *)(t + 4)))
		return NULL;
	return t;
}

static const u8 *find_fadt(u64 rsdp)
{
	const u8 *r = (const u8 *)rsdp, *x;
	u32 i, n;

	if (!rsdp || r[15] < 2)
		return NULL;
	x = table(*(const u64 *)(r + 24), "XSDT");
	if (!x)
		return NULL;
	n = (*(const u32 *)(x + 4) - 36) / 8;
	for (i = 0; i < n; i++) {
		const u8 *t = table(*(const u64 *)(x + 36 + 8 * i), "FACP");

		if (t)
			return t;
	}
	return NULL;
}

/* SLP_TYPa of \_S5: the first element of its package, or -1. */
static int s5_type(const u8 *fadt)
{
	static const u8 name[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12 };
	const u8 *d = table(*(const u64 *)(fadt + 140), "DSDT"), *p, *end;

	if (!d)
		return -1;
	end = d + *(const u32 *)(d + 4) - sizeof(name) - 8;
	for (p = d + 36; p < end; p++) {
		if (memcmp(p, name, sizeof(name)))
			continue;
		p += sizeof(name);
		p += 1 + (*p >> 6);	/* PkgLength */
		p++;			/* NumElements */
		if (*p == 0x00 || *p == 0x01)
			return *p;
		return *p == 0x0a ? p[1] : -1;
	}
	return -1;
}

static int test_acpi(const struct boot_info *bi, const char *arg)
{
	u64 rsdp = scan_rsdp();
	const u8 *fadt = find_fadt(bi->rsdp ? bi->rsdp : rsdp);
	u32 cnt = fadt ? *(const u32 *)(fadt + 64) : 0;
	int typ = fadt ? s5_type(fadt) : -1;

	if (!strcmp(arg, "port")) {
		outw(5 << PM1_CNT_SLP_TYP_SHIFT | PM1_CNT_SLP_EN,
		     LKVM_PM1A_CNT);
		printf("acpi: still running\n");
		return STILL_RUNNING;
	}
	if (!strcmp(arg, "s5") || !strcmp(arg, "s3")) {
		if (!cnt || typ < 0) {
			printf("acpi: no PM1a_CNT or \\_S5\n");
			return EXIT_FAIL;
		}
		if (!strcmp(arg, "s3"))
			typ = 3;
		outw((u16)(inw((u16)cnt) | typ << PM1_CNT_SLP_TYP_SHIFT),
		     (u16)cnt);
		outw((u16)(inw((u16)cnt) | PM1_CNT_SLP_EN), (u16)cnt);
		printf("acpi: still running\n");
		return STILL_RUNNING;
	}
	if (*arg) {
		printf("acpi: unknown argument '%s'\n", arg);
		return EXIT_USAGE;
	}
	printf("acpi: boot rsdp %lx\n", bi->rsdp);
	printf("acpi: scan rsdp %lx\n", rsdp);
	printf("acpi: pm1a_cnt %x\n", cnt);
	printf("acpi: s5 type %x\n", typ < 0 ? 0 : typ);
	return EXIT_OK;
}
GUEST_TEST("acpi", test_acpi);
