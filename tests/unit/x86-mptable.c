// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vmm/x86_64/mptable.c: the MP floating pointer and
 * configuration table are found the way a guest finds them (scanning the
 * EBDA's first KiB), checksummed and parsed back entry by entry.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "x86-images.h"

struct parsed {
	bool found, mpf_sum, mpc_sum, spec_ok, lapic_ok, order_ok;
	u32 mpc_addr;
	u16 count, length;
	unsigned int cpus, bsp, bsp_id, enabled, ids_ok;
	unsigned int buses;
	int bus_pci, bus_isa;
	unsigned int ioapics;
	u8 ioapic_id, ioapic_ver;
	u32 ioapic_addr;
	/* ISA IRQ -> IOAPIC pin, -1 if no entry; entries seen per IRQ. */
	int isa_pin[16];
	unsigned int isa_seen[16];
	bool isa_dst_ok;
	/* PCI INTx entries: (srcbusirq, pin, flags) */
	unsigned int nr_pci;
	u8 pci_src[256], pci_pin[256];
	u16 pci_flags[256];
	bool extint_lint0, nmi_lint1;
	unsigned int lints;
};

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

static void parse(const struct test_guest *g, struct parsed *p)
{
	const u8 *mpf = NULL, *mpc, *e, *end;
	unsigned int i, last_type = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 16; i++)
		p->isa_pin[i] = -1;
	p->bus_pci = p->bus_isa = -1;
	p->order_ok = true;
	p->isa_dst_ok = true;
	/* Linux scans the last KiB of base memory on 16-byte boundaries. */
	for (i = 0; i < 1024; i += 16)
		if (!memcmp(g->ram + X86_EBDA_ADDR + i, "_MP_", 4)) {
			mpf = g->ram + X86_EBDA_ADDR + i;
			break;
		}
	if (!mpf)
		return;
	p->found = true;
	p->mpf_sum = mpf[8] == 1 && sum(mpf, 16) == 0;
	p->mpc_addr = rd32(mpf + 4);
	if (p->mpc_addr + 44 > g->size || memcmp(g->ram + p->mpc_addr, "PCMP", 4))
		return;
	mpc = g->ram + p->mpc_addr;
	p->length = mpc[4] | mpc[5] << 8;
	p->count = mpc[34] | mpc[35] << 8;
	p->mpc_sum = p->mpc_addr + p->length <= g->size &&
		     sum(mpc, p->length) == 0;
	p->spec_ok = mpf[9] == 4 && mpc[6] == 4;
	p->lapic_ok = rd32(mpc + 36) == X86_LAPIC_ADDR;
	e = mpc + 44;
	end = mpc + p->length;
	for (i = 0; i < p->count && e < end; i++) {
		if (e[0] < last_type)
			p->order_ok = false;
		last_type = e[0];
		switch (e[0]) {
		case 0:
			if (e[1] != p->cpus)
				p->ids_ok++;
			p->cpus++;
			if (e[3] & 1)
				p->enabled++;
			if (e[3] & 2) {
				p->bsp++;
				p->bsp_id = e[1];
			}
			e += 20;
			continue;
		case 1:
			p->buses++;
			if (!memcmp(e + 2, "PCI   ", 6))
				p->bus_pci = e[1];
			if (!memcmp(e + 2, "ISA   ", 6))
				p->bus_isa = e[1];
			break;
		case 2:
			p->ioapics++;
			p->ioapic_id = e[1];
			p->ioapic_ver = e[2];
			p->ioapic_addr = rd32(e + 4);
			if (!(e[3] & 1))
				p->ioapic_addr = 0;
			break;
		case 3:
			if (e[1] != 0)
				break;
			if (e[4] == p->bus_isa && e[5] < 16) {
				p->isa_pin[e[5]] = e[7];
				p->isa_seen[e[5]]++;
				if (e[6] != p->ioapic_id)
					p->isa_dst_ok = false;
			} else if (e[4] == p->bus_pci && p->nr_pci < 256) {
				p->pci_src[p->nr_pci] = e[5];
				p->pci_pin[p->nr_pci] = e[7];
				p->pci_flags[p->nr_pci] = e[2] | e[3] << 8;
				p->nr_pci++;
			}
			break;
		case 4:
			p->lints++;
			if (e[1] == 3 && e[6] == 0xff && e[7] == 0)
				p->extint_lint0 = true;
			if (e[1] == 1 && e[6] == 0xff && e[7] == 1)
				p->nmi_lint1 = true;
			break;
		default:
			p->order_ok = false;
			return;
		}
		e += 8;
	}
	if (e != end || i != p->count)
		p->order_ok = false;
}

static void check_table(unsigned int ncpu)
{
	struct test_guest g;
	struct parsed p;
	unsigned int irq;
	bool isa_ok = true;
	int ret;

	guest_init(&g, 2 * SZ_1M);
	ret = x86_write_mptable(&g.mem, ncpu);
	parse(&g, &p);
	ok(ret == 0 && p.found && p.mpf_sum && p.mpc_sum && p.spec_ok &&
	   p.lapic_ok, "%u CPUs: floating pointer in the EBDA, checksums, spec 1.4",
	   ncpu);
	ok(p.order_ok && p.mpc_addr >= X86_EBDA_ADDR &&
	   p.mpc_addr + p.length <= X86_BIOS_END,
	   "%u CPUs: %u entries in type order, table inside [EBDA, 1 MiB)",
	   ncpu, p.count);
	ok(p.cpus == ncpu && p.enabled == ncpu && p.ids_ok == 0 &&
	   p.bsp == 1 && p.bsp_id == 0,
	   "%u CPUs: APIC IDs 0..n-1 enabled, BSP flag on 0 only", ncpu);
	ok(p.buses == 2 && p.bus_pci == 0 && p.bus_isa == 1,
	   "%u CPUs: buses PCI 0 and ISA 1", ncpu);
	ok(p.ioapics == 1 && p.ioapic_id == ncpu && p.ioapic_ver == 0x11 &&
	   p.ioapic_addr == X86_IOAPIC_ADDR,
	   "%u CPUs: IOAPIC id %u, version 0x11, at 0xfec00000", ncpu, ncpu);
	for (irq = 0; irq < 16; irq++) {
		int want = irq == 2 ? -1 : (int)irq;

		isa_ok &= p.isa_pin[irq] == want &&
			  p.isa_seen[irq] == (want < 0 ? 0u : 1u);
	}
	ok(isa_ok && p.isa_dst_ok && p.nr_pci == 0,
	   "%u CPUs: ISA IRQs 0, 1, 3-15 identity, no IRQ2", ncpu);
	ok(p.lints == 2 && p.extint_lint0 && p.nmi_lint1,
	   "%u CPUs: ExtINT on LINT0, NMI on LINT1", ncpu);
	ok(g.ram[X86_EBDA_ADDR - 1] == 0xaa &&
	   g.ram[p.mpc_addr + p.length] == 0xaa,
	   "%u CPUs: nothing written around the tables", ncpu);
	guest_fini(&g);
}

static void test_limits(void)
{
	struct test_guest g;
	struct guest_mem small = { 0 };
	static u8 ram[0x9f000];

	guest_init(&g, 2 * SZ_1M);
	ok(x86_write_mptable(&g.mem, X86_MP_MAX_CPUS + 1) == -E2BIG &&
	   g.ram[X86_EBDA_ADDR] == 0xaa,
	   "256 CPUs: -E2BIG, nothing written");
	ok(x86_write_mptable(&g.mem, 0) == -EINVAL, "0 CPUs: -EINVAL");
	guest_fini(&g);

	guest_mem_add(&small, 0, sizeof(ram), ram, false);
	ok(x86_write_mptable(&small, 1) == -E2BIG,
	   "EBDA not in guest RAM: -E2BIG");
}

static void test_pci(void)
{
	static const struct x86_mp_pci_irq lines[] = {
		{ .dev = 1, .pin = 0, .gsi = 5 },
		{ .dev = 2, .pin = 1, .gsi = 6 },
		{ .dev = 31, .pin = 3, .gsi = 23 },
	};
	struct x86_mptable_cfg cfg = {
		.nr_cpus = 2, .irq0_pin = 2,
		.pci_irqs = lines, .nr_pci_irqs = ARRAY_SIZE(lines),
	};
	struct x86_mp_pci_irq bad[2] = { { 1, 0, 5 }, { 1, 0, 6 } };
	struct test_guest g;
	struct parsed p;
	unsigned int i;
	bool pci_ok;
	int ret;

	guest_init(&g, 2 * SZ_1M);
	ret = x86_write_mptable_cfg(&g.mem, &cfg);
	parse(&g, &p);
	pci_ok = ret == 0 && p.nr_pci == ARRAY_SIZE(lines);
	for (i = 0; pci_ok && i < ARRAY_SIZE(lines); i++)
		pci_ok = p.pci_src[i] == (lines[i].dev << 2 | lines[i].pin) &&
			 p.pci_pin[i] == lines[i].gsi &&
			 p.pci_flags[i] == 0xf;
	ok(pci_ok && p.mpc_sum && p.mpf_sum && p.order_ok,
	   "PCI INTx lines: (dev << 2 | pin) -> GSI, level, active low");

	ok(p.isa_pin[0] == 2 && p.isa_seen[0] == 1 && p.isa_pin[1] == 1 &&
	   p.isa_seen[2] == 0 && p.isa_pin[3] == 3,
	   "irq0_pin 2: ISA IRQ0 -> pin 2, others identity, no IRQ2");

	cfg.irq0_pin = 1;
	ok(x86_write_mptable_cfg(&g.mem, &cfg) == -EINVAL,
	   "irq0_pin 1: -EINVAL");
	cfg.irq0_pin = 2;
	cfg.pci_irqs = bad;
	cfg.nr_pci_irqs = 2;
	ok(x86_write_mptable_cfg(&g.mem, &cfg) == -EINVAL,
	   "duplicate PCI line: -EINVAL");
	bad[1] = (struct x86_mp_pci_irq){ 1, 1, X86_IOAPIC_PINS };
	ok(x86_write_mptable_cfg(&g.mem, &cfg) == -EINVAL,
	   "PCI line to GSI 24: -EINVAL");
	bad[1] = (struct x86_mp_pci_irq){ 32, 1, 7 };
	ok(x86_write_mptable_cfg(&g.mem, &cfg) == -EINVAL,
	   "PCI device 32: -EINVAL");
	bad[1] = (struct x86_mp_pci_irq){ 3, 4, 7 };
	ok(x86_write_mptable_cfg(&g.mem, &cfg) == -EINVAL,
	   "PCI pin 4: -EINVAL");
	guest_fini(&g);
}

static void test_ebda_reserved(void)
{
	struct x86_mem_map m;
	unsigned int i;
	bool reserved = false, ram_overlap = false;

	x86_build_mem_map(256 * SZ_1M, &m);
	for (i = 0; i < m.nr; i++) {
		const struct e820_entry *e = &m.entries[i];
		bool covers = e->addr <= X86_EBDA_ADDR &&
			      e->addr + e->size >= X86_BIOS_END;

		if (covers && e->type == E820_TYPE_RESERVED)
			reserved = true;
		if (e->type == E820_TYPE_RAM && e->addr < X86_BIOS_END &&
		    e->addr + e->size > X86_EBDA_ADDR)
			ram_overlap = true;
	}
	ok(reserved && !ram_overlap,
	   "e820 reserves the whole MP table area [EBDA, 1 MiB)");
}

int main(void)
{
	check_table(1);
	check_table(4);
	check_table(64);
	check_table(X86_MP_MAX_CPUS);
	test_limits();
	test_pci();
	test_ebda_reserved();
	return tap_done();
}
