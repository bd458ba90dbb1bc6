// SPDX-License-Identifier: GPL-2.0
/* x86_64 exits the common loop does not know, and register dumps. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"
#include "x86/x86-vm.h"

/* Guest-physical address of a guest-virtual one, through KVM_TRANSLATE. */
static int x86_translate(struct vcpu *vcpu, u64 gva, u64 *gpa)
{
	struct kvm_translation tr = { .linear_address = gva };

	if (ioctl(vcpu->fd, KVM_TRANSLATE, &tr) || !tr.valid)
		return -EFAULT;
	*gpa = tr.physical_address;
	return 0;
}

/* Bytes at CS:RIP, read through the guest's page tables. */
static int x86_fetch_code(struct vcpu *vcpu, const struct kvm_regs *regs,
			  const struct kvm_sregs *sregs, u8 *code, size_t len,
			  u64 *gpa)
{
	u64 linear = sregs->cs.base + regs->rip;

	if (x86_translate(vcpu, linear, gpa))
		return -EFAULT;
	return guest_mem_read(&vcpu->vm->mem, *gpa, code, len);
}

/* A line of a register dump: to out, or as an error line when out is NULL. */
static void __printf(2, 3) dump_line(FILE *out, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (out)
		fprintf(out, "%s\n", line);
	else
		pr_err("%s", line);
}

/* 16 bytes as "xx xx ... xx" (47 characters and a NUL). */
static void hex16(char line[3 * 16], const u8 *bytes)
{
	int i;

	for (i = 0; i < 16; i++)
		snprintf(line + 3 * i, 3 * 16 - 3 * i, "%02x ", bytes[i]);
	line[3 * 16 - 1] = '\0';
}

static void x86_dump_code(struct vcpu *vcpu, FILE *out,
			  const struct kvm_regs *regs,
			  const struct kvm_sregs *sregs)
{
	u64 linear = sregs->cs.base + regs->rip, gpa;
	char line[3 * 16];
	u8 code[16];

	if (x86_fetch_code(vcpu, regs, sregs, code, sizeof(code), &gpa)) {
		dump_line(out, "  code: RIP 0x%llx is not in guest RAM",
		       (unsigned long long)linear);
		return;
	}
	hex16(line, code);
	dump_line(out, "  code at 0x%llx: %s", (unsigned long long)gpa, line);
}

/*
 * 16 bytes at each general register that holds an address in guest RAM,
 * read through lkvm's own mapping: what a stuck vCPU is waiting on (a
 * lock word, a flag), as lkvm's side of memory sees it.
 */
static void x86_dump_pointed(struct vcpu *vcpu, FILE *out,
			     const struct kvm_regs *r)
{
	const struct {
		const char *name;
		u64 val;
	} regs[] = {
		{ "rax", r->rax }, { "rbx", r->rbx }, { "rcx", r->rcx },
		{ "rdx", r->rdx }, { "rsi", r->rsi }, { "rdi", r->rdi },
		{ "rbp", r->rbp }, { "rsp", r->rsp }, { "r8", r->r8 },
		{ "r9", r->r9 }, { "r10", r->r10 }, { "r11", r->r11 },
		{ "r12", r->r12 }, { "r13", r->r13 }, { "r14", r->r14 },
		{ "r15", r->r15 },
	};
	char line[3 * 16];
	unsigned int i;
	u8 bytes[16];
	u64 gpa;

	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		if (x86_translate(vcpu, regs[i].val, &gpa) ||
		    guest_mem_read(&vcpu->vm->mem, gpa, bytes, sizeof(bytes)))
			continue;
		hex16(line, bytes);
		dump_line(out, "  [%s] at 0x%llx: %s", regs[i].name,
			  (unsigned long long)gpa, line);
	}
}

void arch_dump_vcpu(struct vcpu *vcpu, FILE *out)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &s)) {
		dump_line(out, "vCPU %u: cannot read registers: %s", vcpu->id,
		       strerror(errno));
		return;
	}
	dump_line(out, "vCPU %u registers:", vcpu->id);
	dump_line(out, "  rip %016llx  rsp %016llx  rflags %016llx",
	       r.rip, r.rsp, r.rflags);
	dump_line(out, "  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx",
	       r.rax, r.rbx, r.rcx, r.rdx);
	dump_line(out, "  rsi %016llx  rdi %016llx  rbp %016llx  r8  %016llx",
	       r.rsi, r.rdi, r.rbp, r.r8);
	dump_line(out, "  r9  %016llx  r10 %016llx  r11 %016llx  r12 %016llx",
	       r.r9, r.r10, r.r11, r.r12);
	dump_line(out, "  r13 %016llx  r14 %016llx  r15 %016llx",
	       r.r13, r.r14, r.r15);
	dump_line(out, "  cr0 %016llx  cr2 %016llx  cr3 %016llx  cr4 %016llx",
	       s.cr0, s.cr2, s.cr3, s.cr4);
	dump_line(out, "  efer %016llx  apic_base %016llx", s.efer, s.apic_base);
	dump_line(out, "  cs %04x base %016llx limit %08x l %u db %u dpl %u",
	       s.cs.selector, s.cs.base, s.cs.limit, s.cs.l, s.cs.db,
	       s.cs.dpl);
	dump_line(out, "  ss %04x ds %04x es %04x  gdt %016llx/%04x  idt %016llx/%04x",
	       s.ss.selector, s.ds.selector, s.es.selector, s.gdt.base,
	       s.gdt.limit, s.idt.base, s.idt.limit);
	x86_dump_code(vcpu, out, &r, &s);
	x86_dump_pointed(vcpu, out, &r);
}

/*
 * A single step. Stepping is armed again at each one: KVM up to at least
 * 6.1 drops the trap flag it stepped with when its emulator completes an
 * instruction (an MMIO access, the in-kernel APIC and IOAPIC's included),
 * and stepping would end there (kernel-patches/0008).
 */
static int x86_handle_debug(struct vcpu *vcpu)
{
	struct kvm_debug_exit_arch *d = &vcpu->run->debug.arch;

	vcpu->nr_single_steps++;
	log_msg(LOG_ERROR, "vCPU %u: step %llu at rip 0x%llx",
		vcpu->id, (unsigned long long)vcpu->nr_single_steps,
		(unsigned long long)d->pc);
	if (vcpu_single_step(vcpu)) {
		vm_request_stop(vcpu->vm, 1);
		return -1;
	}
	return 1;
}

/*
 * Complete an instruction the host's emulator could not. Returns 1 when
 * done, 0 when the assist does not know it (the caller reports it), -1
 * when the guest made no progress for too long (reported here).
 */
static int x86_emulation_assist(struct vcpu *vcpu)
{
	struct x86_vm *x86 = x86_vm(vcpu->vm);
	struct kvm_run *run = vcpu->run;
	struct kvm_vcpu_events events;
	struct assist_action act;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	u8 insn[15];
	size_t len;
	u64 gpa;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return 0;
	if (run->emulation_failure.ndata >= 3 &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		len = MIN(run->emulation_failure.insn_size, sizeof(insn));
		memcpy(insn, run->emulation_failure.insn_bytes, len);
	} else {
		len = 2;
		if (x86_fetch_code(vcpu, &regs, &sregs, insn, len, &gpa))
			return 0;
	}
	emul_assist_decode(insn, len, &act);
	if (act.kind == ASSIST_NONE)
		return 0;

	if (regs.rip == vcpu->last_assist_rip) {
		if (++vcpu->same_rip_assists >= EMUL_ASSIST_MAX_SAME_RIP) {
			vcpu_fatal(vcpu, "emulation assist: %s at rip 0x%llx assisted %u times without progress",
				   act.what, regs.rip, vcpu->same_rip_assists);
			return -1;
		}
	} else {
		vcpu->last_assist_rip = regs.rip;
		vcpu->same_rip_assists = 0;
	}

	regs.rip += act.len;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs))
		return 0;
	if (act.kind == ASSIST_EXCEPTION || act.kind == ASSIST_SOFT_INT) {
		if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &events))
			return 0;
		if (act.kind == ASSIST_EXCEPTION) {
			events.exception.injected = 1;
			events.exception.nr = act.vector;
			events.exception.has_error_code = 0;
			events.exception.error_code = 0;
		} else {
			events.interrupt.injected = 1;
			events.interrupt.nr = act.vector;
			events.interrupt.soft = 1;
		}
		events.flags = 0;
		if (ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &events)) {
			pr_err("vCPU %u: emulation assist cannot deliver vector %u: %s",
			       vcpu->id, act.vector, strerror(errno));
			return 0;
		}
	}
	vcpu->nr_assists++;
	atomic_fetch_add(&x86->assists[act.kind], 1);
	pr_debug("vCPU %u: assisted %s at rip 0x%llx", vcpu->id, act.what,
		 regs.rip - act.len);
	return 1;
}

int arch_handle_exit(struct vcpu *vcpu)
{
	switch (vcpu->run->exit_reason) {
	case KVM_EXIT_INTERNAL_ERROR:
		if (x86_vm(vcpu->vm)->emulation_assist &&
		    vcpu->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
			return x86_emulation_assist(vcpu);
		return 0;
	case KVM_EXIT_DEBUG:
		if (vcpu->vm->cfg->debug_single_step)
			return x86_handle_debug(vcpu);
		return 0;
	case KVM_EXIT_MMIO:
		/*
		 * An MMIO write leaves KVM's emulator before the step is
		 * reported, with the trap flag dropped: arm stepping again so
		 * that it goes on after the write (whose own step goes
		 * unreported on kernels without kernel-patches/0009).
		 */
		if (vcpu->vm->cfg->debug_single_step && vcpu_single_step(vcpu)) {
			vm_request_stop(vcpu->vm, 1);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

void arch_report_stats(struct vm *vm)
{
	static const char *const kinds[ASSIST_NR_KINDS] = {
		[ASSIST_EXCEPTION] = "exceptions delivered (int3, int n)",
		[ASSIST_SOFT_INT] = "software interrupts delivered (int n)",
		[ASSIST_SKIP] = "x87 instructions skipped (fwait, fninit)",
	};
	struct x86_vm *x86 = x86_vm(vm);
	unsigned int i;

	if (x86 && x86->emulation_assist) {
		pr_info("emulation assist: on");
		for (i = 1; i < ASSIST_NR_KINDS; i++)
			pr_info("emulation assist: %llu %s",
				(unsigned long long)atomic_load(&x86->assists[i]),
				kinds[i]);
	}

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].nr_single_steps)
			pr_info("vCPU %u: %llu single steps", i,
				(unsigned long long)vm->vcpus[i].nr_single_steps);
}
