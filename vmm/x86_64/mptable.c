// SPDX-License-Identifier: GPL-2.0
/*
 * Intel MultiProcessor Specification 1.4 tables: the floating pointer
 * structure at X86_EBDA_ADDR and the configuration table right after it.
 * With many CPUs the table runs past 0xa0000; all of [EBDA, 1 MiB) is
 * reserved in the e820 map.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "x86/boot.h"
#include "x86/layout.h"
#include "loader.h"

#define MPF_SIZE		16
#define MPC_HDR_SIZE		44
#define MPC_CPU_SIZE		20
#define MPC_ENTRY_SIZE		8	/* bus, IOAPIC, interrupt entries */
#define MP_SPEC_REV		4	/* 1.4 */

#define MP_PROCESSOR		0
#define MP_BUS			1
#define MP_IOAPIC		2
#define MP_INTSRC		3
#define MP_LINTSRC		4

#define MP_CPU_ENABLED		0x01
#define MP_CPU_BSP		0x02
#define MP_LAPIC_VERSION	0x14
#define MP_IOAPIC_VERSION	0x11
#define MP_IOAPIC_USABLE	0x01
#define MP_CPU_SIGNATURE	0x0600	/* family 6 */
#define MP_CPU_FEATURES		0x0201	/* CPUID.1:EDX FPU | APIC */

#define MP_INT			0
#define MP_NMI			1
#define MP_EXTINT		3
#define MP_FLAGS_DEFAULT	0x0	/* conforms to the bus */
#define MP_FLAGS_PCI		0xf	/* level-triggered, active low */
#define MP_APIC_ALL		0xff

#define MP_BUS_PCI		0
#define MP_BUS_ISA		1
#define MP_ISA_IRQS		16
#define MP_ISA_ENTRIES		(MP_ISA_IRQS - 1)	/* no IRQ 2 */
#define MP_PCI_LINES		(32 * 4)

struct mp_writer {
	u8 *buf;
	size_t pos;
	u16 count;
};

static void put8(struct mp_writer *w, u8 v)
{
	w->buf[w->pos++] = v;
}

static void put16(struct mp_writer *w, u16 v)
{
	put8(w, (u8)v);
	put8(w, (u8)(v >> 8));
}

static void put32(struct mp_writer *w, u32 v)
{
	put16(w, (u16)v);
	put16(w, (u16)(v >> 16));
}

static void put_bytes(struct mp_writer *w, const char *s, size_t n)
{
	memcpy(w->buf + w->pos, s, n);
	w->pos += n;
}

static u8 checksum(const u8 *p, size_t n)
{
	u8 sum = 0;

	while (n--)
		sum += *p++;
	return (u8)-sum;
}

static void put_cpu(struct mp_writer *w, unsigned int id)
{
	put8(w, MP_PROCESSOR);
	put8(w, (u8)id);
	put8(w, MP_LAPIC_VERSION);
	put8(w, MP_CPU_ENABLED | (id == 0 ? MP_CPU_BSP : 0));
	put32(w, MP_CPU_SIGNATURE);
	put32(w, MP_CPU_FEATURES);
	put32(w, 0);
	put32(w, 0);
	w->count++;
}

static void put_bus(struct mp_writer *w, u8 id, const char *type)
{
	put8(w, MP_BUS);
	put8(w, id);
	put_bytes(w, type, 6);
	w->count++;
}

/* I/O (type MP_INTSRC) or local (MP_LINTSRC) interrupt assignment. */
static void put_int(struct mp_writer *w, u8 entry, u8 type, u16 flags,
		    u8 bus, u8 bus_irq, u8 dst_apic, u8 dst_pin)
{
	put8(w, entry);
	put8(w, type);
	put16(w, flags);
	put8(w, bus);
	put8(w, bus_irq);
	put8(w, dst_apic);
	put8(w, dst_pin);
	w->count++;
}

bool x86_pci_irqs_valid(const struct x86_mp_pci_irq *pci_irqs,
			unsigned int n)
{
	bool seen[MP_PCI_LINES] = { false };
	unsigned int i;

	if (n > MP_PCI_LINES || (n && !pci_irqs))
		return false;
	for (i = 0; i < n; i++) {
		const struct x86_mp_pci_irq *p = &pci_irqs[i];
		unsigned int line = p->dev * 4u + p->pin;

		if (p->dev >= 32 || p->pin >= 4 || p->gsi >= X86_IOAPIC_PINS ||
		    seen[line])
			return false;
		seen[line] = true;
	}
	return true;
}

static int check_cfg(const struct x86_mptable_cfg *cfg)
{
	if (!cfg->nr_cpus)
		return -EINVAL;
	if (cfg->nr_cpus > X86_MP_MAX_CPUS)
		return -E2BIG;
	if (cfg->irq0_pin != 0 && cfg->irq0_pin != 2)
		return -EINVAL;
	return x86_pci_irqs_valid(cfg->pci_irqs, cfg->nr_pci_irqs) ? 0 :
	       -EINVAL;
}

/* Floating pointer: configuration table present, no IMCR (virtual wire). */
static int write_mpf(const struct guest_mem *mem, u64 mpc_addr)
{
	u8 mpf[MPF_SIZE] = { '_', 'M', 'P', '_' };
	struct mp_writer f = { .buf = mpf, .pos = 4 };

	put32(&f, (u32)mpc_addr);
	put8(&f, 1);			/* length in 16-byte units */
	put8(&f, MP_SPEC_REV);
	mpf[10] = checksum(mpf, sizeof(mpf));
	return guest_mem_write(mem, X86_EBDA_ADDR, mpf, sizeof(mpf)) ?
	       -E2BIG : 0;
}

int x86_write_mptable_cfg(const struct guest_mem *mem,
			  const struct x86_mptable_cfg *cfg)
{
	const u64 mpc_addr = X86_EBDA_ADDR + MPF_SIZE;
	struct mp_writer w = { 0 };
	u8 ioapic_id;
	size_t size;
	unsigned int i;
	int ret;

	ret = check_cfg(cfg);
	if (ret)
		return ret;
	ioapic_id = (u8)cfg->nr_cpus;
	size = MPC_HDR_SIZE + cfg->nr_cpus * MPC_CPU_SIZE +
	       (2 + 1 + MP_ISA_ENTRIES + cfg->nr_pci_irqs + 2) *
	       MPC_ENTRY_SIZE;
	static_assert(MPF_SIZE + MPC_HDR_SIZE +
		      X86_MP_MAX_CPUS * MPC_CPU_SIZE +
		      (5 + MP_ISA_ENTRIES + MP_PCI_LINES) * MPC_ENTRY_SIZE <=
		      X86_BIOS_END - X86_EBDA_ADDR, "MP table too big");
	w.buf = calloc(1, size);
	if (!w.buf)
		return -ENOMEM;

	/* Header; length, count and checksum are filled in at the end. */
	put_bytes(&w, "PCMP", 4);
	put16(&w, 0);
	put8(&w, MP_SPEC_REV);
	put8(&w, 0);
	put_bytes(&w, "LKVM    ", 8);
	put_bytes(&w, "LKVM 1.0    ", 12);
	put32(&w, 0);			/* OEM table pointer */
	put16(&w, 0);			/* OEM table size */
	put16(&w, 0);			/* entry count */
	put32(&w, (u32)X86_LAPIC_ADDR);
	put16(&w, 0);			/* extended table length */
	put8(&w, 0);			/* extended table checksum */
	put8(&w, 0);

	/* Entries in the order the specification requires. */
	for (i = 0; i < cfg->nr_cpus; i++)
		put_cpu(&w, i);
	put_bus(&w, MP_BUS_PCI, "PCI   ");
	put_bus(&w, MP_BUS_ISA, "ISA   ");

	put8(&w, MP_IOAPIC);
	put8(&w, ioapic_id);
	put8(&w, MP_IOAPIC_VERSION);
	put8(&w, MP_IOAPIC_USABLE);
	put32(&w, (u32)X86_IOAPIC_ADDR);
	w.count++;

	for (i = 0; i < MP_ISA_IRQS; i++) {
		if (i == 2)
			continue;
		put_int(&w, MP_INTSRC, MP_INT, MP_FLAGS_DEFAULT, MP_BUS_ISA,
			(u8)i, ioapic_id, i == 0 ? cfg->irq0_pin : (u8)i);
	}
	for (i = 0; i < cfg->nr_pci_irqs; i++) {
		const struct x86_mp_pci_irq *p = &cfg->pci_irqs[i];

		put_int(&w, MP_INTSRC, MP_INT, MP_FLAGS_PCI, MP_BUS_PCI,
			(u8)(p->dev << 2 | p->pin), ioapic_id, p->gsi);
	}
	put_int(&w, MP_LINTSRC, MP_EXTINT, MP_FLAGS_DEFAULT, MP_BUS_ISA, 0,
		MP_APIC_ALL, 0);
	put_int(&w, MP_LINTSRC, MP_NMI, MP_FLAGS_DEFAULT, MP_BUS_ISA, 0,
		MP_APIC_ALL, 1);

	w.buf[4] = (u8)size;
	w.buf[5] = (u8)(size >> 8);
	w.buf[34] = (u8)w.count;
	w.buf[35] = (u8)(w.count >> 8);
	w.buf[7] = checksum(w.buf, size);

	ret = guest_mem_write(mem, mpc_addr, w.buf, size);
	free(w.buf);
	if (ret)
		return -E2BIG;

	return write_mpf(mem, mpc_addr);
}

int x86_write_mptable(const struct guest_mem *mem, unsigned int nr_cpus)
{
	const struct x86_mptable_cfg cfg = {
		.nr_cpus = nr_cpus,
		.irq0_pin = 0,
	};

	return x86_write_mptable_cfg(mem, &cfg);
}
