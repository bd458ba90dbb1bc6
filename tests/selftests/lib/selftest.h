/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ST_SELFTEST_H
#define ST_SELFTEST_H

/*
 * Host side of lkvm's KVM selftest harness. A test is one program: it
 * names itself and the class of bug it guards (st_begin), builds a bare VM
 * on lkvm's own VM code (vmm/vm-bare.c), points a vCPU at a guest function
 * compiled into the same binary, runs it and talks to it through ucalls
 * (GUEST_SYNC / GUEST_ASSERT / GUEST_DONE, tests/selftests/lib/guest.h).
 *
 * Output is kselftest TAP for one test: "ok 1 NAME", "not ok 1 NAME" or
 * "ok 1 NAME # SKIP reason"; exit status 0, 1 or 4 (KSFT_SKIP). Every
 * failure names the test, the guest's last stage, an unexpected exit by
 * name and number and dumps the vCPU's registers. A guest that runs past
 * the time limit (ST_TIMEOUT seconds, default 20) fails at its stage.
 */
#include <linux/kvm.h>

#include "layout.h"
#include "types.h"
#include "vm.h"

enum st_irqchip {
	ST_IRQCHIP_NONE,
	ST_IRQCHIP_KERNEL,	/* KVM_CREATE_IRQCHIP: PIC, IOAPIC, LAPICs */
	ST_IRQCHIP_SPLIT,	/* KVM_CAP_SPLIT_IRQCHIP: LAPICs in KVM */
};

struct st_opts {
	unsigned int nr_vcpus;	/* 0 means 1 */
	u64 ram_size;		/* 0 means 64 MiB */
	enum st_irqchip irqchip;
};

struct st_vm {
	const char *name;
	struct vm_config cfg;
	struct vm vm;
	struct vcpu *vcpu;	/* vCPU 0 */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID, set on vCPUs */
	long long stage;	/* last GUEST_SYNC, -1 before the first */
	struct st_ucall uc;	/* the last ucall */
	struct vcpu *failing;	/* vCPU whose registers a failure dumps */
};

/* The one test of this program; prints the TAP header. */
void st_begin(struct st_vm *t, const char *name, const char *guards);
void st_pass(struct st_vm *t) __noreturn;
void st_fail(struct st_vm *t, const char *fmt, ...) __noreturn __printf(2, 3);
void st_skip(struct st_vm *t, const char *fmt, ...) __noreturn __printf(2, 3);

#define TEST_ASSERT(t, cond, fmt, ...)					\
	do {								\
		if (!(cond))						\
			st_fail(t, "%s:%d: %s: " fmt, __FILE__, __LINE__, \
				#cond, ##__VA_ARGS__);			\
	} while (0)

/* Skips (does not fail) when /dev/kvm is missing or a cap is absent. */
int st_kvm_fd(struct st_vm *t);
int st_check_cap(struct st_vm *t, long cap);	/* on the VM if it exists */
void st_require_cap(struct st_vm *t, long cap, const char *what);

/*
 * The VM: RAM with the harness layout (layout.h), the test binary's image,
 * page tables, GDT, TSS and IDT, vCPUs with the supported CPUID, each
 * ready to run at CPL0 in long mode. Skips when /dev/kvm is unusable.
 */
void st_vm_create(struct st_vm *t, const struct st_opts *o);
void st_vm_destroy(struct st_vm *t);

/* Start vcpu at fn(arg); when fn returns the guest reports DONE. */
void st_vcpu_entry(struct st_vm *t, struct vcpu *vcpu, const void *fn,
		   u64 arg);

/* Copy a guest global from / to the guest (same address both sides). */
void st_sync_to_guest(struct st_vm *t, const void *var, size_t len);
void st_sync_from_guest(struct st_vm *t, void *var, size_t len);
#define ST_TO_GUEST(t, var) st_sync_to_guest(t, &(var), sizeof(var))
#define ST_FROM_GUEST(t, var) st_sync_from_guest(t, &(var), sizeof(var))

/*
 * One KVM_RUN. Returns the exit reason; a ucall is decoded into t->uc and
 * returns ST_EXIT_UCALL. A failed GUEST_ASSERT, an unhandled guest
 * exception or the time limit fail the test here.
 */
#define ST_EXIT_UCALL 0x10000
u32 st_run(struct st_vm *t, struct vcpu *vcpu);
/* Run and require exit reason `reason` (KVM_EXIT_* or ST_EXIT_UCALL). */
void st_run_expect(struct st_vm *t, struct vcpu *vcpu, u32 reason);
/* Run and require GUEST_SYNC(stage) / GUEST_DONE(). */
void st_expect_sync(struct st_vm *t, struct vcpu *vcpu, long long stage);
void st_expect_done(struct st_vm *t, struct vcpu *vcpu);
/*
 * Run and require a port I/O exit (KVM_EXIT_IO_IN/OUT, port, size, count)
 * or an MMIO exit (address, length, direction); returns the data to read
 * or fill in.
 */
u8 *st_expect_io(struct st_vm *t, struct vcpu *vcpu, u8 dir, u16 port,
		 u8 size, u32 count);
u8 *st_expect_mmio(struct st_vm *t, struct vcpu *vcpu, u64 addr, u32 len,
		   bool is_write);
/* Fail with the current exit of vcpu as unexpected. */
void st_fail_exit(struct st_vm *t, struct vcpu *vcpu, const char *wanted)
	__noreturn;
/* "KVM_EXIT_IO (2)" */
const char *st_exit_str(u32 reason, char *buf, size_t len);

void st_get_regs(struct st_vm *t, struct vcpu *vcpu, struct kvm_regs *r);
void st_set_regs(struct st_vm *t, struct vcpu *vcpu, const struct kvm_regs *r);
void st_get_sregs(struct st_vm *t, struct vcpu *vcpu, struct kvm_sregs *s);
void st_set_sregs(struct st_vm *t, struct vcpu *vcpu,
		  const struct kvm_sregs *s);

/* The cpuid entry (function, index) in c, or NULL. */
struct kvm_cpuid_entry2 *st_cpuid_entry(struct kvm_cpuid2 *c, u32 function,
					u32 index);

/* True on the host kind whose KVM emulates guest CPL0 (HOST-NOTES.md). */
bool st_host_is_pvm_native(void);

#endif
