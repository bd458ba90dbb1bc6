// SPDX-License-Identifier: GPL-2.0
/* x86_64 vCPU set-up: CPUID, MSRs, local APIC, FPU and boot registers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"
#include "x86/x86-vm.h"

#define CPUID_MAX_ENTRIES 256

#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_MISC_ENABLE	0x000001a0
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MISC_ENABLE_FAST_STRING	(1ULL << 0)

#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_MODE_NMI		0x4
#define APIC_MODE_EXTINT	0x7

static struct kvm_cpuid2 *x86_supported_cpuid(struct vm *vm)
{
	struct x86_vm *x86 = x86_vm(vm);
	struct kvm_cpuid2 *c;

	if (x86->supported_cpuid)
		return x86->supported_cpuid;
	c = calloc(1, sizeof(*c) +
		   CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2));
	if (!c)
		return NULL;
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c)) {
		pr_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(c);
		return NULL;
	}
	x86->supported_cpuid = c;
	return c;
}

/* Number of bits needed to hold n distinct IDs. */
static u32 id_bits(u32 n)
{
	u32 bits = 0;

	while ((1u << bits) < n)
		bits++;
	return bits;
}

/*
 * Per-vCPU CPUID: one package with nr_cpus cores of one thread each,
 * APIC ID = vCPU index.
 */
static void x86_fixup_cpuid(struct kvm_cpuid2 *c, u32 apic_id, u32 nr_cpus)
{
	u32 i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx &= 0x0000ffff;
			e->ebx |= (MIN(nr_cpus, 255u) << 16) | (apic_id << 24);
			if (nr_cpus > 1)
				e->edx |= 1u << 28;	/* HTT: count valid */
			break;
		case 4:
			e->eax &= 0x3ff;
			e->eax |= (nr_cpus > 1 ? (1u << id_bits(nr_cpus)) - 1
					       : 0) << 26;
			break;
		case 0xb:
		case 0x1f:
			/* Level 0: SMT (1 thread), level 1: cores. */
			if (e->index == 0) {
				e->eax = 0;
				e->ebx = 1;
				e->ecx = (1u << 8) | 0;
			} else if (e->index == 1) {
				e->eax = id_bits(nr_cpus);
				e->ebx = nr_cpus;
				e->ecx = (2u << 8) | 1;
			} else {
				e->eax = e->ebx = 0;
				e->ecx = e->index;
			}
			e->edx = apic_id;
			break;
		}
	}
}

static int x86_vcpu_cpuid(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *supported = x86_supported_cpuid(vcpu->vm);
	struct kvm_cpuid2 *c;
	size_t size;
	int err = 0;

	if (!supported)
		return -EIO;
	size = sizeof(*c) + supported->nent * sizeof(c->entries[0]);
	c = malloc(size);
	if (!c)
		return -ENOMEM;
	memcpy(c, supported, size);
	x86_fixup_cpuid(c, vcpu->id, vcpu->vm->cfg->nr_cpus);
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, c)) {
		err = -errno;
		pr_err("vCPU %u: KVM_SET_CPUID2: %s", vcpu->id, strerror(-err));
	}
	free(c);
	return err;
}

static int x86_vcpu_msrs(struct vcpu *vcpu)
{
	static const u32 zeroed[] = {
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
		MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
	};
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[ARRAY_SIZE(zeroed) + 1];
	} m;
	u32 i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < ARRAY_SIZE(zeroed); i++)
		m.e[i].index = zeroed[i];
	m.e[i].index = MSR_IA32_MISC_ENABLE;
	m.e[i].data = MISC_ENABLE_FAST_STRING;
	m.hdr.nmsrs = ARRAY_SIZE(m.e);
	if (ioctl(vcpu->fd, KVM_SET_MSRS, &m) != (int)m.hdr.nmsrs) {
		pr_err("vCPU %u: KVM_SET_MSRS failed", vcpu->id);
		return -EIO;
	}
	return 0;
}

static void lapic_set_lvt(struct kvm_lapic_state *lapic, u32 reg, u32 mode)
{
	u32 v;

	memcpy(&v, &lapic->regs[reg], sizeof(v));
	v = (v & ~0x700u) | (mode << 8);
	memcpy(&lapic->regs[reg], &v, sizeof(v));
}

/* LINT0 as ExtINT and LINT1 as NMI: the PIC's virtual-wire mode. */
static int x86_vcpu_lapic(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic)) {
		pr_err("vCPU %u: KVM_GET_LAPIC: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	lapic_set_lvt(&lapic, APIC_LVT0, APIC_MODE_EXTINT);
	lapic_set_lvt(&lapic, APIC_LVT1, APIC_MODE_NMI);
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic)) {
		pr_err("vCPU %u: KVM_SET_LAPIC: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	return 0;
}

static int x86_vcpu_fpu(struct vcpu *vcpu)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu)) {
		pr_err("vCPU %u: KVM_SET_FPU: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	return 0;
}

static int x86_vcpu_boot_regs(struct vcpu *vcpu)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs)) {
		pr_err("vCPU %u: KVM_GET_SREGS: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	memset(&regs, 0, sizeof(regs));
	x86_boot_regs(&x86_vm(vcpu->vm)->boot, &regs, &sregs);
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) ||
	    ioctl(vcpu->fd, KVM_SET_REGS, &regs)) {
		pr_err("vCPU %u: cannot set boot registers: %s", vcpu->id,
		       strerror(errno));
		return -errno;
	}
	return 0;
}

/* APs wait for INIT/SIPI in KVM's in-kernel LAPIC: KVM_RUN blocks them. */
bool arch_vcpu_runnable(struct vcpu *vcpu)
{
	return true;
}

bool arch_has_nmi(void)
{
	return true;
}

/* The in-kernel LAPIC takes it as an NMI from outside (KVM_NMI). */
int arch_vcpu_nmi(struct vcpu *vcpu)
{
	return ioctl(vcpu->fd, KVM_NMI) ? -errno : 0;
}

int arch_vcpu_init(struct vcpu *vcpu)
{
	int err;

	err = x86_vcpu_cpuid(vcpu);
	if (!err)
		err = x86_vcpu_msrs(vcpu);
	if (!err)
		err = x86_vcpu_lapic(vcpu);
	if (!err)
		err = x86_vcpu_fpu(vcpu);
	/* APs wait for INIT/SIPI from the guest in the in-kernel LAPIC. */
	if (!err && vcpu->id == 0)
		err = x86_vcpu_boot_regs(vcpu);
	if (!err && vcpu->vm->cfg->debug_single_step)
		err = vcpu_single_step(vcpu);
	return err;
}
