// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vmm/x86_64/acpi.c and acpi-dsdt.c: the tables are found
 * the way Linux finds them (the RSDP by a scan of 0xe0000-0xfffff), every
 * checksum, length and pointer is followed, the MADT is parsed entry by
 * entry for 1 and N vCPUs, and the DSDT's _PRT is decoded and compared
 * with the INTx list of a real PCI host (devices/pci.c). The DSDT holds
 * the nodes of the devices it is given and no other. Then a peer
 * reads them: ACPICA's disassembler (iasl -d, Debian's acpica-tools) must
 * take every table without an error or warning and show what lkvm put in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/acpi-pm.h"
#include "devices/pci.h"
#include "devices/rtc.h"
#include "tap.h"
#include "x86-images.h"
#include "x86/acpi.h"

#define HDR	36

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

static struct test_guest G;

/* The table at gpa with this signature, whole in RAM, checksum good. */
static const u8 *table_at(u64 gpa, const char *sig)
{
	const u8 *t;
	u32 len;

	if (gpa < X86_ACPI_ADDR || gpa + HDR > X86_BIOS_END)
		return NULL;
	t = G.ram + gpa;
	len = rd32(t + 4);
	if (memcmp(t, sig, 4) || len < HDR || gpa + len > X86_BIOS_END ||
	    sum(t, len))
		return NULL;
	return t;
}

/* Linux's scan: 16-byte steps over the BIOS area, v1 checksum. */
static const u8 *find_rsdp(void)
{
	u64 a;

	for (a = 0xe0000; a < X86_BIOS_END; a += 16)
		if (!memcmp(G.ram + a, "RSD PTR ", 8) && !sum(G.ram + a, 20))
			return G.ram + a;
	return NULL;
}

struct tables {
	const u8 *rsdp, *xsdt, *fadt, *facs, *dsdt, *madt, *mcfg;
};

static bool find_tables(struct tables *t)
{
	u32 i, n;

	memset(t, 0, sizeof(*t));
	t->rsdp = find_rsdp();
	if (!t->rsdp || rd32(t->rsdp + 20) != 36 || sum(t->rsdp, 36) ||
	    t->rsdp[15] != 2)
		return false;
	t->xsdt = table_at(rd64(t->rsdp + 24), "XSDT");
	if (!t->xsdt)
		return false;
	n = (rd32(t->xsdt + 4) - HDR) / 8;
	for (i = 0; i < n; i++) {
		u64 a = rd64(t->xsdt + HDR + 8 * i);

		if (table_at(a, "FACP"))
			t->fadt = table_at(a, "FACP");
		else if (table_at(a, "APIC"))
			t->madt = table_at(a, "APIC");
		else if (table_at(a, "MCFG"))
			t->mcfg = table_at(a, "MCFG");
	}
	if (!t->fadt)
		return false;
	t->dsdt = table_at(rd64(t->fadt + 140), "DSDT");
	if (rd32(t->fadt + 36) >= X86_ACPI_ADDR &&
	    rd32(t->fadt + 36) + 64 <= X86_BIOS_END &&
	    !memcmp(G.ram + rd32(t->fadt + 36), "FACS", 4))
		t->facs = G.ram + rd32(t->fadt + 36);
	return true;
}

/* The DSDT nodes of a PC with every device, in vmm/x86_64/pc.c's order. */
static struct x86_dsdt_node pc_dsdt[X86_DSDT_NR_COMS + 4];
#define PC_DSDT .dsdt = pc_dsdt, .nr_dsdt = ARRAY_SIZE(pc_dsdt)

static void pc_dsdt_init(void)
{
	unsigned int i, n = 0;

	pc_dsdt[n++] = x86_dsdt_pci_host;
	for (i = 0; i < X86_DSDT_NR_COMS; i++)
		pc_dsdt[n++] = x86_dsdt_com[i];
	pc_dsdt[n++] = x86_dsdt_rtc;
	pc_dsdt[n++] = x86_dsdt_i8042;
	pc_dsdt[n++] = x86_dsdt_acpi_pm;
}

static long build(const struct x86_acpi_cfg *cfg)
{
	memset(G.ram, 0xaa, G.size);
	return x86_write_acpi(&G.mem, cfg);
}

static void test_pointers(void)
{
	const struct x86_acpi_cfg cfg = { .nr_cpus = 1, PC_DSDT };
	struct tables t;

	ok(build(&cfg) == 0, "x86_write_acpi: 1 vCPU, no PCI lines");
	ok(find_tables(&t) && t.rsdp == G.ram + X86_ACPI_ADDR,
	   "the RSDP is at X86_ACPI_ADDR, found by the BIOS-area scan, both checksums good");
	ok(t.xsdt && rd32(t.xsdt + 4) == HDR + 3 * 8 && t.xsdt[8] == 1,
	   "XSDT: three 64-bit entries, checksum good");
	ok(t.fadt && t.madt && t.mcfg,
	   "XSDT entries: FACP, APIC, MCFG, each whole and checksummed");
	ok(rd32(t.rsdp + 16) == 0, "RSDP: no RSDT (XSDT only)");
	ok(t.fadt && rd32(t.fadt + 4) == 276 && t.fadt[8] == 6 &&
	   t.fadt[131] == 3, "FADT: 276 bytes, revision 6.3");
	ok(t.dsdt && rd32(t.fadt + 40) == rd64(t.fadt + 140) &&
	   t.dsdt[8] == 2, "FADT: DSDT and X_DSDT agree; DSDT revision 2");
	ok(t.facs && rd32(t.facs + 4) == 64 && rd32(t.fadt + 36) % 64 == 0 &&
	   rd64(t.fadt + 132) == 0,
	   "FADT: FACS (64 bytes, 64-byte aligned) in FIRMWARE_CTRL only, X_FIRMWARE_CTRL 0");
}

static void test_fadt(void)
{
	const struct x86_acpi_cfg cfg = { .nr_cpus = 2, PC_DSDT };
	struct tables t;
	const u8 *f;
	u32 flags;
	u16 boot;

	build(&cfg);
	if (!find_tables(&t) || !t.fadt) {
		ok(0, "FADT found");
		return;
	}
	f = t.fadt;
	flags = rd32(f + 112);
	boot = rd16(f + 109);
	ok(rd16(f + 46) == X86_IRQ_SCI && rd32(f + 48) == 0,
	   "SCI on IRQ %d, no SMI command port (always in ACPI mode)",
	   X86_IRQ_SCI);
	ok(rd32(f + 56) == X86_PORT_ACPI_PM + ACPI_PM_PM1_STS && f[88] == 4 &&
	   rd32(f + 64) == X86_PORT_ACPI_PM + ACPI_PM_PM1_CNT && f[89] == 2,
	   "PM1a event block (4 bytes) and control block (2) at the PM device");
	ok(f[148] == 1 && f[149] == 32 && rd64(f + 152) == rd32(f + 56) &&
	   f[172] == 1 && f[173] == 16 && rd64(f + 176) == rd32(f + 64),
	   "X_PM1a_EVT_BLK / X_PM1a_CNT_BLK: system I/O, same ports, widths 32/16");
	ok(!rd32(f + 60) && !rd32(f + 68) && !rd32(f + 80) && !f[92],
	   "no PM1b or GPE blocks");
	ok(rd32(f + 76) == X86_PORT_ACPI_PM + ACPI_PM_TMR && f[91] == 4 &&
	   f[208] == 1 && f[209] == 32 && f[211] == 3 &&
	   rd64(f + 212) == rd32(f + 76) && (flags & (1u << 8)),
	   "PM timer: 4 bytes at the PM device, X_PM_TMR_BLK the same, 32 bits (TMR_VAL_EXT)");
	ok(f[244] == 1 && f[245] == 8 &&
	   rd64(f + 248) == X86_PORT_ACPI_PM + ACPI_PM_SLEEP_CTL &&
	   f[256] == 1 && f[257] == 8 &&
	   rd64(f + 260) == X86_PORT_ACPI_PM + ACPI_PM_SLEEP_STS,
	   "sleep control and status registers at the PM device");
	ok(!(flags & (1u << 20)), "full hardware model (HW_REDUCED_ACPI clear)");
	ok((flags & (1u << 10)) && f[116] == 1 && f[117] == 8 &&
	   rd64(f + 120) == 0xcf9 && f[128] == 0x06,
	   "reset register: 0x06 to port 0xcf9, RESET_REG_SUP set");
	ok((boot & 0x2) && !(boot & 0x8) && !(boot & 0x20),
	   "IAPC_BOOT_ARCH: 8042 present, MSI not forbidden, CMOS RTC present");
	ok(f[108] == RTC_CENTURY, "century register 0x%x", RTC_CENTURY);
}

struct madt {
	unsigned int lapics, ioapics, isos, nmis, other;
	bool ids_ok, enabled_ok;
	u8 ioapic_id;
	u32 ioapic_addr, ioapic_base;
	int iso_gsi[16];
	u16 iso_flags[16];
	u8 nmi_uid, nmi_lint;
	u32 lapic_addr, flags;
};

static bool parse_madt(const u8 *m, struct madt *p)
{
	const u8 *e, *end;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 16; i++)
		p->iso_gsi[i] = -1;
	if (!m)
		return false;
	p->ids_ok = p->enabled_ok = true;
	p->lapic_addr = rd32(m + HDR);
	p->flags = rd32(m + HDR + 4);
	e = m + HDR + 8;
	end = m + rd32(m + 4);
	while (e + 2 <= end && e[1] >= 2 && e + e[1] <= end) {
		switch (e[0]) {
		case 0:
			if (e[1] != 8 || e[2] != p->lapics || e[3] != p->lapics)
				p->ids_ok = false;
			if (rd32(e + 4) != 1)
				p->enabled_ok = false;
			p->lapics++;
			break;
		case 1:
			p->ioapics++;
			p->ioapic_id = e[2];
			p->ioapic_addr = rd32(e + 4);
			p->ioapic_base = rd32(e + 8);
			break;
		case 2:
			p->isos++;
			if (e[1] == 10 && e[2] == 0 && e[3] < 16) {
				p->iso_gsi[e[3]] = (int)rd32(e + 4);
				p->iso_flags[e[3]] = rd16(e + 8);
			}
			break;
		case 4:
			p->nmis++;
			p->nmi_uid = e[2];
			p->nmi_lint = e[5];
			break;
		default:
			p->other++;
			break;
		}
		e += e[1];
	}
	return e == end;
}

static void test_madt(void)
{
	static const unsigned int cpus[] = { 1, 2, 64, 255 };
	const struct x86_mp_pci_irq irqs[] = {
		{ .dev = 1, .pin = 0, .gsi = 5 },
		{ .dev = 2, .pin = 0, .gsi = 16 },
		{ .dev = 3, .pin = 0, .gsi = 11 },
	};
	struct x86_acpi_cfg cfg = {
		.pci_irqs = irqs, .nr_pci_irqs = 3, PC_DSDT,
	};
	struct tables t;
	struct madt m;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cpus); i++) {
		bool good;

		cfg.nr_cpus = cpus[i];
		good = build(&cfg) == 0 && find_tables(&t) &&
		       parse_madt(t.madt, &m);
		ok(good && m.lapics == cpus[i] && m.ids_ok && m.enabled_ok &&
		   m.other == 0,
		   "%u vCPU(s): one enabled local APIC each, UID = APIC ID = 0..%u",
		   cpus[i], cpus[i] - 1);
		ok(good && m.ioapics == 1 && m.ioapic_id == (u8)cpus[i] &&
		   m.ioapic_addr == X86_IOAPIC_ADDR && m.ioapic_base == 0,
		   "%u vCPU(s): one IOAPIC, ID %u as in the MP table, GSI base 0",
		   cpus[i], cpus[i]);
	}
	ok(m.lapic_addr == X86_LAPIC_ADDR && (m.flags & 1),
	   "local APIC at 0x%llx, PC-AT compatible (8259s present)",
	   (unsigned long long)X86_LAPIC_ADDR);
	ok(m.isos == 3 && m.iso_gsi[X86_IRQ_SCI] == X86_IRQ_SCI &&
	   m.iso_flags[X86_IRQ_SCI] == 0xf,
	   "override: the SCI, IRQ 9 -> GSI 9, level, active-low");
	ok(m.iso_gsi[5] == 5 && m.iso_flags[5] == 0xf &&
	   m.iso_gsi[11] == 11 && m.iso_flags[11] == 0xf,
	   "overrides: PCI lines 5 and 11 level, active-low (as the MP table)");
	ok(m.iso_gsi[0] == -1 && m.iso_gsi[4] == -1 && m.iso_gsi[8] == -1,
	   "no override for IRQ 0 (PIT on pin 0, KVM's routing), 4 or 8");
	ok(m.nmis == 1 && m.nmi_uid == 0xff && m.nmi_lint == 1,
	   "NMI on LINT1 of every local APIC");
}

static void test_mcfg(void)
{
	const struct x86_acpi_cfg cfg = { .nr_cpus = 1, PC_DSDT };
	struct tables t;

	build(&cfg);
	ok(find_tables(&t) && t.mcfg && rd32(t.mcfg + 4) == HDR + 8 + 16 &&
	   rd64(t.mcfg + HDR + 8) == X86_PCI_ECAM_START &&
	   rd16(t.mcfg + HDR + 16) == 0 && t.mcfg[HDR + 18] == 0 &&
	   t.mcfg[HDR + 19] == 0,
	   "MCFG: ECAM at 0x%llx, segment 0, bus 0 only",
	   (unsigned long long)X86_PCI_ECAM_START);
}

/* --- A small AML reader for the _PRT --- */

struct aml_rd {
	const u8 *p, *end;
	bool bad;
};

static size_t rd_pkglen(struct aml_rd *r)
{
	unsigned int n, i;
	size_t len;

	if (r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	n = r->p[0] >> 6;
	len = n ? (r->p[0] & 0xf) : (r->p[0] & 0x3f);
	for (i = 0; i < n; i++)
		len |= (size_t)r->p[1 + i] << (4 + 8 * i);
	return len;
}

static u64 rd_int(struct aml_rd *r)
{
	unsigned int n, i;
	u64 v = 0;

	if (r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	switch (*r->p++) {
	case 0x00:
		return 0;
	case 0x01:
		return 1;
	case 0x0a:
		n = 1;
		break;
	case 0x0b:
		n = 2;
		break;
	case 0x0c:
		n = 4;
		break;
	case 0x0e:
		n = 8;
		break;
	default:
		r->bad = true;
		return 0;
	}
	if (r->end - r->p < (long)n) {
		r->bad = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (u64)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

/* Enter a Package: returns its element count, r->end set to its end. */
static unsigned int rd_package(struct aml_rd *r, const u8 **after)
{
	size_t len;
	unsigned int n;

	if (r->p >= r->end || *r->p != 0x12) {
		r->bad = true;
		return 0;
	}
	r->p++;
	len = rd_pkglen(r);
	if (r->bad || len > (size_t)(r->end - r->p)) {
		r->bad = true;
		return 0;
	}
	*after = r->p + len;
	r->p += 1 + (r->p[0] >> 6);
	n = *r->p++;
	return n;
}

/* Decode \_SB.PCI0._PRT into out; returns the entry count or -1. */
static int parse_prt(const u8 *dsdt, struct x86_mp_pci_irq *out,
		     unsigned int max)
{
	static const u8 name[] = { 0x08, '_', 'P', 'R', 'T' };
	const u8 *end = dsdt + rd32(dsdt + 4), *p, *outer_end, *inner_end;
	struct aml_rd r;
	unsigned int n, i;

	p = memmem(dsdt + HDR, (size_t)(end - dsdt - HDR), name,
		   sizeof(name));
	if (!p)
		return -1;
	r = (struct aml_rd){ .p = p + sizeof(name), .end = end };
	n = rd_package(&r, &outer_end);
	if (r.bad || n > max)
		return -1;
	r.end = outer_end;
	for (i = 0; i < n; i++) {
		u64 addr, pin, src, gsi;

		if (rd_package(&r, &inner_end) != 4 || r.bad)
			return -1;
		addr = rd_int(&r);
		pin = rd_int(&r);
		src = rd_int(&r);
		gsi = rd_int(&r);
		if (r.bad || r.p != inner_end || src != 0 ||
		    (addr & 0xffff) != 0xffff || addr >> 16 >= 32 || pin > 3)
			return -1;
		out[i] = (struct x86_mp_pci_irq){
			.dev = (u8)(addr >> 16), .pin = (u8)pin,
			.gsi = (u8)gsi,
		};
	}
	return r.p == outer_end ? (int)n : -1;
}

struct intx_list {
	struct x86_mp_pci_irq e[32];
	unsigned int n;
};

static void add_intx(void *opaque, u8 slot, u8 pin, u32 gsi)
{
	struct intx_list *l = opaque;

	if (l->n < ARRAY_SIZE(l->e))
		l->e[l->n++] = (struct x86_mp_pci_irq){ slot, pin, (u8)gsi };
}

static void test_prt(void)
{
	static const u32 gsis[] = { 5, 7, 10, 16, 23 };
	struct pci_dev devs[ARRAY_SIZE(gsis) + 1];
	struct irq_line lines[ARRAY_SIZE(gsis)];
	struct pci_host_options o = {
		.ecam_base = X86_PCI_ECAM_START,
		.bar_mem_base = X86_PCI_BAR_START,
		.bar_mem_size = X86_PCI_BAR_SIZE,
		.bar_io_base = X86_PCI_IO_START,
		.bar_io_size = X86_PCI_IO_SIZE,
	};
	struct x86_acpi_cfg cfg = { .nr_cpus = 2, PC_DSDT };
	struct x86_mp_pci_irq prt[32];
	struct intx_list l = { .n = 0 };
	struct bus pio, mmio;
	struct pci_host h;
	struct tables t;
	unsigned int i;
	int n;

	bus_init(&pio, "pio");
	bus_init(&mmio, "mmio");
	if (pci_host_init(&h, &pio, &mmio, &o))
		abort();
	for (i = 0; i < ARRAY_SIZE(gsis); i++) {
		lines[i] = (struct irq_line){ .gsi = gsis[i] };
		pci_dev_init(&devs[i], "intx", 0x1af4, 0x1040 + i, 0xff0000, 1,
			     NULL, NULL, &lines[i]);
		if (pci_register_device(&h, &devs[i]))
			abort();
		/* One function without INTx in the middle. */
		if (i == 1) {
			pci_dev_init(&devs[ARRAY_SIZE(gsis)], "msi-only",
				     0x1af4, 0x1050, 0xff0000, 1, NULL, NULL,
				     NULL);
			if (pci_register_device(&h, &devs[ARRAY_SIZE(gsis)]))
				abort();
		}
	}
	pci_list_intx(&h, add_intx, &l);
	cfg.pci_irqs = l.e;
	cfg.nr_pci_irqs = l.n;
	n = build(&cfg) == 0 && find_tables(&t) && t.dsdt ?
	    parse_prt(t.dsdt, prt, ARRAY_SIZE(prt)) : -1;
	ok(l.n == ARRAY_SIZE(gsis) && n == (int)l.n &&
	   !memcmp(prt, l.e, l.n * sizeof(prt[0])),
	   "_PRT: the PCI host's %u INTx lines, (slot, INTA#) -> GSI, in order",
	   l.n);
	for (i = 0; i < l.n && n > 0; i++)
		if (prt[i].gsi != gsis[i])
			break;
	ok(n > 0 && i == l.n, "_PRT GSIs are the lines the devices were given");

	cfg.nr_pci_irqs = 0;
	n = build(&cfg) == 0 && find_tables(&t) && t.dsdt ?
	    parse_prt(t.dsdt, prt, ARRAY_SIZE(prt)) : -1;
	ok(n == 0, "no INTx users: an empty _PRT");
	for (i = 0; i < ARRAY_SIZE(devs); i++)
		pci_unregister_device(&h, &devs[i]);
	pci_host_destroy(&h);
	bus_destroy(&pio);
	bus_destroy(&mmio);
}

static void test_bad_cfg(void)
{
	struct x86_mp_pci_irq dup[] = { { 1, 0, 5 }, { 1, 0, 7 } };
	struct x86_mp_pci_irq far[] = { { 1, 0, 24 } };
	struct x86_mp_pci_irq slot[] = { { 32, 0, 5 } };
	struct x86_acpi_cfg cfg = { .nr_cpus = 0, PC_DSDT };
	struct test_guest small;
	static u8 buf[X86_ACPI_SIZE];

	ok(x86_acpi_build(&cfg, buf, sizeof(buf)) == -EINVAL, "0 CPUs: -EINVAL");
	cfg.nr_cpus = 256;
	ok(x86_acpi_build(&cfg, buf, sizeof(buf)) == -E2BIG,
	   "256 CPUs: -E2BIG (APIC IDs 0..254, as the MP table)");
	cfg.nr_cpus = 1;
	cfg.pci_irqs = dup;
	cfg.nr_pci_irqs = 2;
	ok(x86_acpi_build(&cfg, buf, sizeof(buf)) == -EINVAL,
	   "the same PCI line twice: -EINVAL");
	cfg.pci_irqs = far;
	cfg.nr_pci_irqs = 1;
	ok(x86_acpi_build(&cfg, buf, sizeof(buf)) == -EINVAL,
	   "GSI 24 (beyond the IOAPIC): -EINVAL");
	cfg.pci_irqs = slot;
	ok(x86_acpi_build(&cfg, buf, sizeof(buf)) == -EINVAL,
	   "slot 32: -EINVAL");
	cfg.nr_pci_irqs = 0;
	ok(x86_acpi_build(&cfg, buf, 512) == -E2BIG,
	   "512 bytes of room: -E2BIG");
	ok(x86_acpi_build(&cfg, buf, sizeof(buf)) > 512,
	   "the same configuration fits in the BIOS area");
	guest_init(&small, 768 * SZ_1K);
	ok(x86_write_acpi(&small.mem, &cfg) == -E2BIG,
	   "guest RAM that ends below 0xe0000: -E2BIG");
	guest_fini(&small);
}

/* --- The peer: ACPICA's disassembler --- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/*
 * Disassemble one table in dir; returns the .dsl text (free it) when
 * iasl exits 0 and reports no error or warning, else NULL.
 */
static char *run_iasl(const char *dir, const char *name, const u8 *t)
{
	char path[512], cmd[1200];
	char *log;
	FILE *f;
	bool clean;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(t, 1, rd32(t + 4), f) != rd32(t + 4)) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -d %s.dat >%s.log 2>&1",
		 dir, name, name);
	rc = system(cmd);
	snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	log = slurp(path);
	clean = rc == 0 && log && !strstr(log, "rror") &&
		!strstr(log, "arning");
	if (!clean)
		printf("# iasl -d %s: status %d\n# %s\n", name, rc,
		       log ? log : "(no log)");
	free(log);
	if (!clean)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
	return slurp(path);
}

static unsigned int count(const char *s, const char *what)
{
	unsigned int n = 0;

	while (s && (s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

static bool has_all(const char *s, const char *const *what)
{
	for (; *what; what++)
		if (!s || !strstr(s, *what)) {
			printf("# missing in the disassembly: %s\n", *what);
			return false;
		}
	return true;
}

static void test_iasl(void)
{
	static const char *const dsdt_objects[] = {
		"Name (\\_S5, Package (0x04)", "Scope (\\_SB)",
		"Device (PCI0)", "EisaId (\"PNP0A08\")", "EisaId (\"PNP0A03\")",
		"WordBusNumber (ResourceProducer", "0x0CF8,",
		"WordIO (ResourceProducer", "0xC000,", "0xCFFF,",
		"DWordMemory (ResourceProducer", "0xC0000000,", "0xCFFFFFFF,",
		"Name (_PRT, Package (0x02)", "0x0001FFFF", "0x0002FFFF",
		"Device (MRES)", "EisaId (\"PNP0C02\")", "0xE0000000,",
		"0x00100000,", "0x0600,",
		"Device (COM1)", "Device (COM4)", "EisaId (\"PNP0501\")",
		"0x03F8,", "0x02E8,", "IRQ (Edge, ActiveHigh, Shared, )",
		"Device (RTC)", "EisaId (\"PNP0B00\")", "0x0070,",
		"Device (KBD)", "EisaId (\"PNP0303\")", "0x0064,",
		"Device (MOU)", "EisaId (\"PNP0F13\")", "{12}", NULL,
	};
	static const char *const fadt_fields[] = {
		"SCI Interrupt : 0009", "PM1A Event Block Address : 00000600",
		"PM1A Control Block Address : 00000604",
		"PM Timer Block Address : 00000608", "PM Timer Block Length : 04",
		"32-bit PM Timer (V1) : 1",
		"Hardware Reduced (V5) : 0", "MSI Not Supported (V4) : 0",
		"8042 Present on ports 60/64 (V2) : 1",
		"Reset Register Supported (V2) : 1",
		"Address : 0000000000000CF9", "Value to cause reset : 06",
		"Address : 0000000000000606", NULL,
	};
	const struct x86_mp_pci_irq irqs[] = { { 1, 0, 5 }, { 2, 0, 16 } };
	const struct x86_acpi_cfg cfg = {
		.nr_cpus = 4, .pci_irqs = irqs, .nr_pci_irqs = 2, PC_DSDT,
	};
	char dir[] = "/tmp/lkvm-acpi-XXXXXX", cmd[64];
	char *dsdt, *fadt, *madt, *mcfg, *xsdt, *facs;
	struct tables t;

	if (system("command -v iasl >/dev/null 2>&1")) {
		skip("iasl not installed (make deps installs acpica-tools)",
		     "iasl -d takes every table");
		skip("iasl not installed", "the DSDT's objects as disassembled");
		skip("iasl not installed", "the FADT's fields as disassembled");
		skip("iasl not installed", "the MADT and MCFG as disassembled");
		return;
	}
	if (build(&cfg) || !find_tables(&t) || !mkdtemp(dir)) {
		ok(0, "tables for iasl");
		return;
	}
	dsdt = run_iasl(dir, "dsdt", t.dsdt);
	fadt = run_iasl(dir, "facp", t.fadt);
	madt = run_iasl(dir, "apic", t.madt);
	mcfg = run_iasl(dir, "mcfg", t.mcfg);
	xsdt = run_iasl(dir, "xsdt", t.xsdt);
	facs = run_iasl(dir, "facs", t.facs);
	ok(dsdt && fadt && madt && mcfg && xsdt && facs,
	   "iasl -d takes the DSDT, FADT, MADT, MCFG, XSDT and FACS without errors or warnings");
	ok(has_all(dsdt, dsdt_objects), "the DSDT's objects as disassembled");
	/* iasl aligns the field names: compare with the padding squeezed. */
	if (fadt) {
		char *r = fadt, *w = fadt;

		for (; *r; r++)
			if (!(*r == ' ' && (w == fadt || w[-1] == ' ')))
				*w++ = *r;
		*w = '\0';
	}
	ok(has_all(fadt, fadt_fields), "the FADT's fields as disassembled");
	ok(count(madt, "[Processor Local APIC]") == 4 &&
	   count(madt, "[I/O APIC]") == 1 &&
	   count(madt, "[Interrupt Source Override]") == 2 &&
	   count(madt, "[Local APIC NMI]") == 1 &&
	   mcfg && strstr(mcfg, "00000000E0000000"),
	   "the MADT (4 local APICs, IOAPIC, 2 overrides, NMI) and MCFG as disassembled");
	free(dsdt);
	free(fadt);
	free(madt);
	free(mcfg);
	free(xsdt);
	free(facs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
}

/* Does the DSDT hold these bytes (a name segment, a descriptor)? */
static bool dsdt_has(const u8 *dsdt, const void *what, size_t len)
{
	return memmem(dsdt + HDR, rd32(dsdt + 4) - HDR, what, len);
}

#define HAS(s)	dsdt_has(t.dsdt, s, sizeof(s) - 1)

/* The DSDT as the device list says: a device left out has no node. */
static void test_dsdt_nodes(void)
{
	/* IO (Decode16, 0x600, 0x600, 1, 16): the ACPI PM ports reserved. */
	static const u8 pm_io[] = { 0x47, 0x01, 0x00, 0x06, 0x00, 0x06 };
	struct x86_dsdt_node nodes[ARRAY_SIZE(pc_dsdt)];
	struct x86_acpi_cfg cfg = { .nr_cpus = 1, .dsdt = nodes };
	struct tables t;
	unsigned int i, n;
	long full;

	cfg.dsdt = pc_dsdt;
	cfg.nr_dsdt = ARRAY_SIZE(pc_dsdt);
	build(&cfg);
	find_tables(&t);
	full = rd32(t.dsdt + 4);
	ok(HAS("PCI0") && HAS("MRES") && HAS("COM1") && HAS("COM4") &&
	   HAS("RTC_") && HAS("KBD_") && HAS("MOU_") && HAS("_S5_") &&
	   dsdt_has(t.dsdt, pm_io, sizeof(pm_io)),
	   "every PC device: PCI0, MRES (with the PM ports), COM1-4, RTC, KBD, MOU, \\_S5");

	cfg.dsdt = nodes;
	for (i = n = 0; i < ARRAY_SIZE(pc_dsdt); i++)
		if (strcmp(pc_dsdt[i].name, "rtc"))
			nodes[n++] = pc_dsdt[i];
	cfg.nr_dsdt = n;
	ok(build(&cfg) == 0 && find_tables(&t) && !HAS("RTC_") &&
	   HAS("COM1") && HAS("KBD_") && HAS("PCI0") &&
	   rd32(t.dsdt + 4) < full,
	   "no rtc node: no \\_SB.RTC, the rest still there");

	for (i = n = 0; i < ARRAY_SIZE(pc_dsdt); i++)
		if (strcmp(pc_dsdt[i].name, "acpi-pm"))
			nodes[n++] = pc_dsdt[i];
	cfg.nr_dsdt = n;
	ok(build(&cfg) == 0 && find_tables(&t) && !HAS("_S5_") &&
	   !dsdt_has(t.dsdt, pm_io, sizeof(pm_io)) && HAS("MRES") &&
	   HAS("RTC_"),
	   "no acpi-pm node: no \\_S5, MRES without the PM ports");

	for (i = n = 0; i < ARRAY_SIZE(pc_dsdt); i++)
		if (strcmp(pc_dsdt[i].name, "acpi-pm") &&
		    strcmp(pc_dsdt[i].name, "pci-host") &&
		    strcmp(pc_dsdt[i].name, "ttyS2"))
			nodes[n++] = pc_dsdt[i];
	cfg.nr_dsdt = n;
	ok(build(&cfg) == 0 && find_tables(&t) && !HAS("PCI0") &&
	   !HAS("_PRT") && !HAS("MRES") && !HAS("COM3") && HAS("COM4"),
	   "no pci-host, acpi-pm or ttyS2: no PCI0, no MRES (nothing to reserve), no COM3");
	if (system("command -v iasl >/dev/null 2>&1")) {
		skip("iasl not installed", "iasl -d takes the smaller DSDT");
	} else {
		char dir[] = "/tmp/lkvm-acpi-XXXXXX", cmd[64];
		char *dsl = mkdtemp(dir) ? run_iasl(dir, "dsdt", t.dsdt) : NULL;

		ok(dsl && strstr(dsl, "Device (COM4)") &&
		   !strstr(dsl, "Device (COM3)") && !strstr(dsl, "PCI0"),
		   "iasl -d takes the smaller DSDT: COM4 there, COM3 and PCI0 not");
		free(dsl);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			printf("# could not remove %s\n", dir);
	}

	cfg.nr_dsdt = 0;
	ok(build(&cfg) == 0 && find_tables(&t) && !HAS("COM1") &&
	   HAS("_SB_"), "no nodes at all: an empty \\_SB");
}

int main(void)
{
	pc_dsdt_init();
	guest_init(&G, 2 * SZ_1M);
	test_pointers();
	test_fadt();
	test_madt();
	test_mcfg();
	test_prt();
	test_bad_cfg();
	test_dsdt_nodes();
	test_iasl();
	guest_fini(&G);
	return tap_done();
}
