// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vmm/x86_64/boot-regs.c and page-tables.c: vCPU register
 * state per boot mode, consistency of the segment registers with the GDT
 * written to guest memory, and a walk of the identity-map page tables.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "x86-images.h"

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_CD		(1ULL << 30)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

/* What KVM_GET_SREGS returns after reset, roughly. */
static void reset_sregs(struct kvm_sregs *s)
{
	memset(s, 0, sizeof(*s));
	s->cr0 = 0x60000010;
	s->apic_base = 0xfee00900;
	s->efer = EFER_SCE;
	s->cs = (struct kvm_segment){ .base = 0xffff0000, .limit = 0xffff,
				      .selector = 0xf000, .type = 0xb,
				      .present = 1, .s = 1 };
	s->tr = (struct kvm_segment){ .limit = 0xffff, .type = 0xb,
				      .present = 1 };
	s->idt.limit = 0xffff;
}

/* Decode a GDT descriptor into the fields KVM uses. */
static struct kvm_segment decode(u64 d, u16 sel)
{
	struct kvm_segment s = {
		.base = (d >> 16 & 0xffffff) | (d >> 56 & 0xff) << 24,
		.limit = (u32)((d & 0xffff) | (d >> 48 & 0xf) << 16),
		.selector = sel,
		.type = d >> 40 & 0xf,
		.s = d >> 44 & 1,
		.dpl = d >> 45 & 3,
		.present = d >> 47 & 1,
		.avl = d >> 52 & 1,
		.l = d >> 53 & 1,
		.db = d >> 54 & 1,
		.g = d >> 55 & 1,
	};

	if (s.g)
		s.limit = s.limit << 12 | 0xfff;
	return s;
}

static bool seg_eq(const struct kvm_segment *a, const struct kvm_segment *b)
{
	return a->base == b->base && a->limit == b->limit &&
	       a->selector == b->selector && a->type == b->type &&
	       a->s == b->s && a->dpl == b->dpl && a->present == b->present &&
	       a->l == b->l && a->db == b->db && a->g == b->g &&
	       !a->unusable && !b->unusable;
}

static bool gdt_matches(const struct test_guest *g, const struct kvm_sregs *s)
{
	const struct kvm_segment *segs[] = { &s->cs, &s->ds, &s->es, &s->fs,
					     &s->gs, &s->ss };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		u16 sel = segs[i]->selector;
		struct kvm_segment d;

		if (!sel || sel + 7u > s->gdt.limit)
			return false;
		d = decode(rd64(g->ram + s->gdt.base + sel), sel);
		if (!seg_eq(&d, segs[i]))
			return false;
	}
	return true;
}

/* Translate va with 4-level paging from guest memory; ~0 if unmapped. */
static u64 walk(const struct test_guest *g, u64 cr3, u64 va)
{
	u64 e = rd64(g->ram + (cr3 & ~0xfffULL) + 8 * (va >> 39 & 511));

	if (!(e & 1))
		return ~0ULL;
	e = rd64(g->ram + (e & 0xffffffffff000ULL) + 8 * (va >> 30 & 511));
	if (!(e & 1))
		return ~0ULL;
	e = rd64(g->ram + (e & 0xffffffffff000ULL) + 8 * (va >> 21 & 511));
	if (!(e & 1) || !(e & 0x80) || !(e & 2))
		return ~0ULL;
	return (e & 0xfffffffe00000ULL) | (va & 0x1fffff);
}

static void test_long64(void)
{
	struct bz_opts o = bz_default();
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in = { .cmdline = "x" };
	struct kvm_regs r;
	struct kvm_sregs s;
	static const u64 probes[] = { 0, 0x7000, 0x100200, 0x1234567,
				      0xbfffffff, 0xfee00000, 0xffffffff };
	unsigned int i;
	bool ident = true;
	size_t len;
	u8 *img;

	o.pref_address = 0;
	img = make_bzimage(&o, &len);
	guest_init(&g, 16 * SZ_1M);
	in.kernel = img;
	in.kernel_len = len;
	ok(x86_load_kernel(&g.mem, &g.map, &in, &bs) == 0, "bzImage loaded %s",
	   bs.error);
	reset_sregs(&s);
	memset(&r, 0x5a, sizeof(r));
	x86_boot_regs(&bs, &r, &s);
	ok(r.rip == 0x100200 && r.rsi == X86_ZERO_PAGE_ADDR &&
	   r.rsp == X86_BOOT_STACK_TOP && r.rflags == 0x2 && r.rax == 0 &&
	   r.rbx == 0 && r.rdi == 0 && r.rbp == 0,
	   "long mode: rip, rsi = zero page, rsp, rflags 0x2 (IF off), rest 0");
	ok((s.cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG) &&
	   !(s.cr0 & CR0_CD) && (s.cr4 & CR4_PAE) &&
	   (s.efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA) &&
	   s.cr3 == X86_PAGE_TABLES_ADDR,
	   "long mode: CR0.PE|PG, CR4.PAE, EFER.LME|LMA, CR3");
	ok(s.cs.selector == 0x10 && s.cs.l == 1 && s.cs.db == 0 &&
	   s.cs.type == 0xb && s.cs.present && s.cs.s &&
	   s.ds.selector == 0x18 && s.ss.selector == 0x18 &&
	   s.es.selector == 0x18 && s.ds.type == 0x3,
	   "long mode: CS = 0x10 (L), DS/ES/SS = 0x18 as Linux expects");
	ok(s.gdt.base == X86_GDT_ADDR && s.gdt.limit == 31 &&
	   gdt_matches(&g, &s),
	   "long mode: segment registers match the GDT in guest memory");
	ok(s.apic_base == 0xfee00900 && (s.efer & EFER_SCE) &&
	   s.tr.type == 0xb && s.idt.limit == 0xffff,
	   "long mode: apic_base, other EFER bits, TR, IDT kept");
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		ident &= walk(&g, s.cr3, probes[i]) == probes[i];
	ok(ident, "page tables identity-map the low 4 GiB with 2 MiB pages");
	ok(walk(&g, s.cr3, 0x100000000ULL) == ~0ULL,
	   "page tables stop at 4 GiB");
	guest_fini(&g);
	free(img);
}

static void test_prot32(void)
{
	struct elf_opts o = elf_default(false);
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in = { .cmdline = "x" };
	struct kvm_regs r;
	struct kvm_sregs s;
	u8 note[32];
	size_t len, n = make_pvh_note(note, 0x100004, 4, 4);
	u8 *img;

	elf_add(&o, elf_load(0x100000, 0x100, 0x100));
	elf_add(&o, (struct elf_seg){ .type = PT_NOTE, .filesz = n,
				      .memsz = n, .data = note });
	img = make_elf(&o, &len);
	guest_init(&g, 16 * SZ_1M);
	in.kernel = img;
	in.kernel_len = len;
	ok(x86_load_kernel(&g.mem, &g.map, &in, &bs) == 0, "PVH ELF32 loaded");
	reset_sregs(&s);
	s.efer |= EFER_LME;
	x86_boot_regs(&bs, &r, &s);
	ok(r.rip == 0x100004 && r.rbx == X86_PVH_INFO_ADDR && r.rsi == 0 &&
	   r.rflags == 0x2, "PVH: eip = note entry, ebx = start info, IF off");
	ok(s.cr0 == (CR0_PE | CR0_ET) && s.cr4 == 0 &&
	   !(s.efer & (EFER_LME | EFER_LMA)) && (s.efer & EFER_SCE),
	   "PVH: CR0.PE only (paging off), no long mode");
	ok(s.cs.selector == 0x08 && s.cs.db == 1 && s.cs.l == 0 &&
	   s.cs.g == 1 && s.cs.limit == 0xffffffff && s.cs.base == 0 &&
	   s.ds.selector == 0x18 && s.ds.db == 1 && s.ss.limit == 0xffffffff,
	   "PVH: flat 32-bit code 0x08 and data 0x18, 4 GiB limits");
	ok(gdt_matches(&g, &s),
	   "PVH: segment registers match the GDT in guest memory");
	ok(s.apic_base == 0xfee00900, "PVH: apic_base kept");
	guest_fini(&g);
	free(img);
}

static void test_real16(void)
{
	struct test_guest g;
	struct boot_state bs;
	u8 flat[64] = { 0xf4 };
	struct boot_input in = { .kernel = flat, .kernel_len = sizeof(flat),
				 .cmdline = "" };
	struct kvm_regs r;
	struct kvm_sregs s;

	guest_init(&g, 16 * SZ_1M);
	ok(x86_load_kernel(&g.mem, &g.map, &in, &bs) == 0, "flat loaded");
	reset_sregs(&s);
	s.cr0 |= CR0_PE;
	x86_boot_regs(&bs, &r, &s);
	ok(r.rip == 0 && r.rsp == 0xfffc && r.rflags == 0x2,
	   "real mode: ip 0, sp 0xfffc");
	ok(s.cs.selector == 0x1000 && s.cs.base == 0x10000 &&
	   s.cs.limit == 0xffff && s.cs.type == 0xb && s.cs.present &&
	   !s.cs.db && !s.cs.g && !s.cs.l,
	   "real mode: CS 0x1000, base 0x10000, 64 KiB limit, 16-bit");
	ok(s.ds.selector == 0x1000 && s.ds.base == 0x10000 &&
	   s.ss.selector == 0x1000 && s.es.base == 0x10000 &&
	   s.ds.limit == 0xffff && s.ds.type == 0x3,
	   "real mode: DS, ES, SS = CS");
	ok(!(s.cr0 & (CR0_PE | CR0_PG)) && s.cr4 == 0 &&
	   !(s.efer & (EFER_LME | EFER_LMA)) && s.apic_base == 0xfee00900,
	   "real mode: PE and PG clear, apic_base kept");
	ok(s.cs.base + r.rip == X86_FLAT_LOAD_ADDR &&
	   g.ram[s.cs.base + r.rip] == 0xf4,
	   "real mode: CS:IP points at the image's first byte");
	guest_fini(&g);
}

int main(void)
{
	test_long64();
	test_prot32();
	test_real16();
	return tap_done();
}
