// SPDX-License-Identifier: GPL-2.0
/*
 * immediate_exit: KVM_RUN with immediate_exit set right after a PIO or
 * MMIO exit completes the pending access (RAX has the value, RIP is past
 * the instruction) and returns EINTR without entering the guest; the next
 * KVM_RUN does not redo the access. This is how a VMM saves vCPU state at
 * an exit (migration, snapshots): guards exits completed never or twice.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "selftest.h"

void immediate_exit_guest(void);
extern const char ie_in_next[], ie_mmio_next[];

#define IE_PORT		0xe4
#define IE_MMIO		(ST_MMIO_BASE + 0x300)

static void complete_now(struct st_vm *t, const char *next, u32 want,
			 const char *what)
{
	struct kvm_regs r;

	t->vcpu->run->immediate_exit = 1;
	if (ioctl(t->vcpu->fd, KVM_RUN, 0) != -1 || errno != EINTR)
		st_fail(t, "KVM_RUN with immediate_exit after the %s exit: %m, expected EINTR",
			what);
	t->vcpu->run->immediate_exit = 0;
	st_get_regs(t, t->vcpu, &r);
	TEST_ASSERT(t, (u32)r.rax == want,
		    "%s not completed by the immediate exit: rax 0x%llx",
		    what, r.rax);
	TEST_ASSERT(t, r.rip == (u64)(uintptr_t)next,
		    "%s: rip 0x%llx, expected %p, after the instruction",
		    what, r.rip, next);
}

int main(void)
{
	struct st_vm t;
	u32 v;

	st_begin(&t, "immediate_exit",
		 "exits completed never or twice: immediate_exit completes a pending PIO/MMIO");
	st_vm_create(&t, NULL);
	st_require_cap(&t, KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT");
	st_vcpu_entry(&t, t.vcpu, immediate_exit_guest, 0);

	v = 0x600df00d;
	memcpy(st_expect_io(&t, t.vcpu, KVM_EXIT_IO_IN, IE_PORT, 4, 1), &v, 4);
	complete_now(&t, ie_in_next, v, "IN");

	v = 0xfeedface;
	memcpy(st_expect_mmio(&t, t.vcpu, IE_MMIO, 4, false), &v, 4);
	complete_now(&t, ie_mmio_next, v, "MMIO load");
	st_expect_done(&t, t.vcpu);
	st_pass(&t);
}
