// SPDX-License-Identifier: GPL-2.0
/*
 * single_step: with KVM_GUESTDBG_SINGLESTEP, stepping over instructions
 * KVM emulates or completes in userspace (PIO, MMIO, CPUID, RDMSR, WRMSR)
 * gives exactly one debug exit per instruction at the next RIP, none
 * skipped or doubled: guards state advanced before emulation and exits
 * completed twice or never.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "selftest.h"

extern const char ss_blob[], ss_1[], ss_2[], ss_3[], ss_4[], ss_5[], ss_6[],
	ss_7[], ss_8[], ss_9[], ss_10[], ss_11[], ss_12[], ss_13[], ss_end[];

#define DR6_BS (1ULL << 14)

struct step_event {
	u32 reason;		/* KVM_EXIT_DEBUG, _IO or _MMIO */
	const char *pc;		/* for KVM_EXIT_DEBUG */
	const char *what;
};

/* Is exit r (with run's details) the event e? */
static bool matches(const struct step_event *e, const struct kvm_run *run,
		    u32 r)
{
	if (r != e->reason)
		return false;
	return r != KVM_EXIT_DEBUG ||
	       run->debug.arch.pc == (u64)(uintptr_t)e->pc;
}

static void set_debug(struct st_vm *t, u32 control)
{
	struct kvm_guest_debug dbg = { .control = control };

	if (ioctl(t->vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg))
		st_fail(t, "KVM_SET_GUEST_DEBUG: %m");
}

int main(void)
{
	const struct step_event ev[] = {
		{ KVM_EXIT_DEBUG, ss_1, "nop" },
		{ KVM_EXIT_DEBUG, ss_2, "mov $0xe0, %edx" },
		{ KVM_EXIT_IO, NULL, "inb %dx, %al" },
		{ KVM_EXIT_DEBUG, ss_3, "inb %dx, %al" },
		{ KVM_EXIT_MMIO, NULL, "MMIO load" },
		{ KVM_EXIT_DEBUG, ss_4, "MMIO load" },
		{ KVM_EXIT_DEBUG, ss_5, "xor %eax, %eax" },
		{ KVM_EXIT_DEBUG, ss_6, "xor %ecx, %ecx" },
		{ KVM_EXIT_DEBUG, ss_7, "cpuid" },
		{ KVM_EXIT_DEBUG, ss_8, "mov $STAR, %ecx" },
		{ KVM_EXIT_DEBUG, ss_9, "rdmsr" },
		{ KVM_EXIT_DEBUG, ss_10, "wrmsr" },
		{ KVM_EXIT_DEBUG, ss_11, "mov $0xe0, %edx" },
		{ KVM_EXIT_IO, NULL, "outb %al, %dx" },
		{ KVM_EXIT_DEBUG, ss_12, "outb %al, %dx" },
		{ KVM_EXIT_MMIO, NULL, "MMIO store" },
		{ KVM_EXIT_DEBUG, ss_13, "MMIO store" },
		{ KVM_EXIT_DEBUG, ss_end, "nop" },
	};
	struct st_vm t;
	unsigned int i, lost = 0;
	char first[64] = "";

	st_begin(&t, "single_step",
		 "state advanced before emulation: one #DB exit per emulated instruction, none skipped");
	st_vm_create(&t, NULL);
	st_require_cap(&t, KVM_CAP_SET_GUEST_DEBUG, "KVM_CAP_SET_GUEST_DEBUG");
	st_vcpu_entry(&t, t.vcpu, ss_blob, 0);
	set_debug(&t, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);

	for (i = 0; i < ARRAY_SIZE(ev); i++) {
		struct kvm_run *run = t.vcpu->run;
		char want[192], got[64];
		u32 r = st_run(&t, t.vcpu);

		t.stage = i;	/* "stage" = step index in failure reports */
		snprintf(want, sizeof(want), "%s for '%s'",
			 st_exit_str(ev[i].reason, got, sizeof(got)),
			 ev[i].what);
		/* A lost debug exit: note it, go on with the next event. */
		if (!matches(&ev[i], run, r) && i + 1 < ARRAY_SIZE(ev) &&
		    ev[i].reason == KVM_EXIT_DEBUG &&
		    matches(&ev[i + 1], run, r)) {
			printf("# no debug exit after '%s' (expected at rip %p)\n",
			       ev[i].what, ev[i].pc);
			if (!lost++)
				snprintf(first, sizeof(first), "%s",
					 ev[i].what);
			i++;
		}
		/* No debug exit at all: KVM stopped stepping after the last. */
		if (r != ev[i].reason && r != KVM_EXIT_DEBUG &&
		    ev[i].reason == KVM_EXIT_DEBUG && i > 0)
			snprintf(want + strlen(want), sizeof(want) - strlen(want),
				 " (single-stepping ended after the step over '%s')",
				 ev[i - 1].what);
		if (r != ev[i].reason)
			st_fail_exit(&t, t.vcpu, want);
		if (r == KVM_EXIT_DEBUG) {
			struct kvm_debug_exit_arch *d = &run->debug.arch;

			if (d->pc != (u64)(uintptr_t)ev[i].pc)
				st_fail(&t, "step %u: debug exit at rip 0x%llx, expected one at %p after '%s'",
					i, (unsigned long long)d->pc,
					ev[i].pc, ev[i].what);
			if (d->exception != 1 || !(d->dr6 & DR6_BS))
				st_fail(&t, "step %u: debug exit with exception %u dr6 0x%llx, expected #DB with DR6.BS",
					i, d->exception,
					(unsigned long long)d->dr6);
		} else if (r == KVM_EXIT_IO && !run->io.direction) {
			*((u8 *)run + run->io.data_offset) = 0x11;
		} else if (r == KVM_EXIT_MMIO && !run->mmio.is_write) {
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		}
	}
	if (lost)
		st_fail(&t, "%u single-step debug exits lost (first after '%s')",
			lost, first);
	set_debug(&t, 0);
	st_expect_done(&t, t.vcpu);
	st_pass(&t);
}
