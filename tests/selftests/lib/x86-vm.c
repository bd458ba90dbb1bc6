// SPDX-License-Identifier: GPL-2.0
/*
 * The selftest VM on x86_64: memslots around the ucall hole, the test
 * binary's image at its link addresses, a 4 GiB identity map, GDT, TSS,
 * IDT, and vCPUs in 64-bit mode at CPL0.
 */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "selftest.h"
#include "vm-bare.h"

#define ST_DEFAULT_RAM		(64ULL << 20)
#define ST_CPUID_MAX		256

#define PTE_P			(1ULL << 0)
#define PTE_W			(1ULL << 1)
#define PTE_U			(1ULL << 2)
#define PTE_PS			(1ULL << 7)

#define CR0_PE			(1ULL << 0)
#define CR0_MP			(1ULL << 1)
#define CR0_ET			(1ULL << 4)
#define CR0_NE			(1ULL << 5)
#define CR0_WP			(1ULL << 16)
#define CR0_PG			(1ULL << 31)
#define CR4_PAE			(1ULL << 5)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)

/* The stub table of guest-entry.S: same address in host and guest. */
extern const u64 st_guest_vectors[256];
extern const char st_guest_returned[];

static void st_write(struct st_vm *t, u64 gpa, const void *p, u64 len)
{
	if (guest_mem_write(&t->vm.mem, gpa, p, len))
		st_fail(t, "cannot write %llu bytes at guest 0x%llx",
			(unsigned long long)len, (unsigned long long)gpa);
}

struct st_image {
	struct st_vm *t;
	int err;
	u64 lo, hi;
};

/* Copy the program's loaded segments into the guest at the same address. */
static int st_copy_segment(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct st_image *img = arg;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const Elf64_Phdr *ph = &info->dlpi_phdr[i];
		u64 va = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (va < ST_IMAGE_MIN ||
		    guest_mem_write(&img->t->vm.mem, va,
				    (const void *)(uintptr_t)va,
				    ph->p_memsz)) {
			img->err = -ERANGE;
			img->lo = va;
			img->hi = va + ph->p_memsz;
			return 1;
		}
	}
	return 1;	/* the first object is the program itself */
}

static void st_load_image(struct st_vm *t)
{
	struct st_image img = { .t = t };

	dl_iterate_phdr(st_copy_segment, &img);
	if (img.err)
		st_fail(t, "cannot place the test's segment 0x%llx-0x%llx in guest RAM (link with -no-pie, RAM from 0x%llx)",
			(unsigned long long)img.lo,
			(unsigned long long)img.hi, ST_IMAGE_MIN);
}

static void st_write_page_tables(struct st_vm *t)
{
	u64 pml4[512] = { 0 }, pdpt[512] = { 0 }, pd[512];
	u64 flags = PTE_P | PTE_W | PTE_U;
	unsigned int i, j;

	pml4[0] = ST_PDPT | flags;
	for (i = 0; i < 4; i++)
		pdpt[i] = (ST_PD + i * 0x1000) | flags;
	st_write(t, ST_PML4, pml4, sizeof(pml4));
	st_write(t, ST_PDPT, pdpt, sizeof(pdpt));
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 512; j++)
			pd[j] = ((u64)i << 30 | (u64)j << 21) | flags | PTE_PS;
		st_write(t, ST_PD + i * 0x1000, pd, sizeof(pd));
	}
}

/* A flat code/data descriptor: access byte and flags nibble (G, D/B, L). */
static u64 st_seg_desc(u8 access, u8 flags)
{
	return 0xffffULL | (u64)access << 40 | 0xfULL << 48 |
	       (u64)(flags & 0xf) << 52;
}

#define TSS_SIZE	0x68

static void st_write_gdt_tss_idt(struct st_vm *t)
{
	u64 gdt[ST_GDT_ENTRIES] = { 0 };
	u8 tss[TSS_SIZE] = { 0 };
	u64 rsp0 = ST_RSP0_TOP, idt[512];
	u16 iomap = TSS_SIZE;
	unsigned int i;

	gdt[ST_SEL_KCODE >> 3] = st_seg_desc(0x9b, 0xa);	/* G, L */
	gdt[ST_SEL_KDATA >> 3] = st_seg_desc(0x93, 0xc);	/* G, D */
	gdt[ST_SEL_UCODE32 >> 3] = st_seg_desc(0xfb, 0xc);
	gdt[ST_SEL_UDATA >> 3] = st_seg_desc(0xf3, 0xc);
	gdt[ST_SEL_UCODE >> 3] = st_seg_desc(0xfb, 0xa);
	/* 64-bit TSS, busy (it is loaded in TR), present, DPL 0. */
	gdt[ST_SEL_TSS >> 3] = (TSS_SIZE - 1) | (ST_TSS & 0xffffff) << 16 |
			       0x8bULL << 40 | (ST_TSS >> 24 & 0xff) << 56;
	gdt[(ST_SEL_TSS >> 3) + 1] = ST_TSS >> 32;
	st_write(t, ST_GDT, gdt, sizeof(gdt));

	memcpy(tss + 4, &rsp0, sizeof(rsp0));
	memcpy(tss + 0x66, &iomap, sizeof(iomap));
	st_write(t, ST_TSS, tss, sizeof(tss));

	/* Interrupt gates, DPL 0, to the stubs. */
	for (i = 0; i < 256; i++) {
		u64 h = st_guest_vectors[i];

		idt[2 * i] = (h & 0xffff) | (u64)ST_SEL_KCODE << 16 |
			     0x8eULL << 40 | (h >> 16 & 0xffff) << 48;
		idt[2 * i + 1] = h >> 32;
	}
	st_write(t, ST_IDT, idt, sizeof(idt));
}

static void st_seg(struct kvm_segment *s, u16 sel, bool code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = code ? 0xb : 0x3;
	s->present = 1;
	s->s = 1;
	s->l = code;
	s->db = !code;
	s->g = 1;
}

void st_vcpu_entry(struct st_vm *t, struct vcpu *vcpu, const void *fn,
		   u64 arg)
{
	u64 ret = (u64)(uintptr_t)st_guest_returned;
	u64 rsp = ST_KSTACK_TOP - 8;
	struct kvm_regs r = { 0 };
	struct kvm_sregs s;

	st_get_sregs(t, vcpu, &s);
	st_seg(&s.cs, ST_SEL_KCODE, true);
	st_seg(&s.ds, ST_SEL_KDATA, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.selector = ST_SEL_TSS;
	s.tr.base = ST_TSS;
	s.tr.limit = TSS_SIZE - 1;
	s.tr.type = 0xb;
	s.tr.present = 1;
	memset(&s.ldt, 0, sizeof(s.ldt));
	s.ldt.unusable = 1;
	s.ldt.type = 2;
	s.gdt.base = ST_GDT;
	s.gdt.limit = ST_GDT_ENTRIES * 8 - 1;
	s.idt.base = ST_IDT;
	s.idt.limit = 256 * 16 - 1;
	s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s.cr3 = ST_PML4;
	s.cr4 = CR4_PAE;
	s.efer = EFER_LME | EFER_LMA;
	st_set_sregs(t, vcpu, &s);

	/* Each vCPU its own 16 KiB of the kernel stack area. */
	rsp -= vcpu->id * 0x4000ULL;
	st_write(t, rsp, &ret, sizeof(ret));
	r.rip = (u64)(uintptr_t)fn;
	r.rdi = arg;
	r.rsp = rsp;
	r.rflags = 0x2;
	st_set_regs(t, vcpu, &r);
}

struct kvm_cpuid_entry2 *st_cpuid_entry(struct kvm_cpuid2 *c, u32 function,
					u32 index)
{
	u32 i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != function)
			continue;
		if (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		    e->index == index)
			return e;
	}
	return NULL;
}

static void st_get_supported_cpuid(struct st_vm *t)
{
	t->cpuid = calloc(1, sizeof(*t->cpuid) +
			  ST_CPUID_MAX * sizeof(t->cpuid->entries[0]));
	if (!t->cpuid)
		st_fail(t, "out of memory");
	t->cpuid->nent = ST_CPUID_MAX;
	if (ioctl(t->vm.kvm_fd, KVM_GET_SUPPORTED_CPUID, t->cpuid))
		st_fail(t, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
}

void st_vm_create(struct st_vm *t, const struct st_opts *o)
{
	u64 ram = o && o->ram_size ? o->ram_size : ST_DEFAULT_RAM;
	unsigned int i, n = o && o->nr_vcpus ? o->nr_vcpus : 1;
	enum st_irqchip chip = o ? o->irqchip : ST_IRQCHIP_NONE;
	int err;

	if (n > ST_MAX_VCPUS)
		st_fail(t, "%u vCPUs asked, the harness layout has stacks for %d",
			n, ST_MAX_VCPUS);
	if (access("/dev/kvm", R_OK | W_OK))
		st_skip(t, "/dev/kvm: %s", strerror(errno));
	if (t->vm.kvm_fd >= 0) {
		close(t->vm.kvm_fd);
		t->vm.kvm_fd = -1;
	}
	t->cfg.dev_path = "/dev/kvm";
	t->cfg.nr_cpus = n;
	t->cfg.ram_size = ram;
	err = vm_bare_create(&t->vm, &t->cfg);
	if (err)
		st_fail(t, "cannot create a VM: %s", strerror(-err));
	/* Memslots before the irqchip (HOST-NOTES.md: much faster). */
	err = vm_bare_add_ram(&t->vm, 0, 0, ST_HOLE_START, 0, NULL);
	if (!err)
		err = vm_bare_add_ram(&t->vm, 1, ST_HOLE_END,
				      ram - ST_HOLE_END, 0, NULL);
	if (err)
		st_fail(t, "cannot add guest RAM: %s", strerror(-err));
	st_load_image(t);
	st_write_page_tables(t);
	st_write_gdt_tss_idt(t);

	if (chip == ST_IRQCHIP_KERNEL) {
		st_require_cap(t, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP");
		if (ioctl(t->vm.vm_fd, KVM_CREATE_IRQCHIP, 0))
			st_fail(t, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	} else if (chip == ST_IRQCHIP_SPLIT) {
		struct kvm_enable_cap cap = {
			.cap = KVM_CAP_SPLIT_IRQCHIP,
			.args = { 24 },
		};

		st_require_cap(t, KVM_CAP_SPLIT_IRQCHIP,
			       "KVM_CAP_SPLIT_IRQCHIP");
		if (ioctl(t->vm.vm_fd, KVM_ENABLE_CAP, &cap))
			st_fail(t, "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): %s",
				strerror(errno));
	}
	st_get_supported_cpuid(t);
	for (i = 0; i < n; i++) {
		struct vcpu *vcpu;

		err = vm_bare_add_vcpu(&t->vm, i, &vcpu);
		if (err)
			st_fail(t, "cannot create vCPU %u: %s", i,
				strerror(-err));
		if (ioctl(vcpu->fd, KVM_SET_CPUID2, t->cpuid))
			st_fail(t, "vCPU %u: KVM_SET_CPUID2: %s", i,
				strerror(errno));
		st_vcpu_entry(t, vcpu, st_guest_returned, 0);
	}
	t->vcpu = &t->vm.vcpus[0];
}
