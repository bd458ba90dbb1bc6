// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM ioctls each role's filter lets through, on this architecture's
 * numbers (the build's <linux/kvm.h>: built for arm64 and s390x these run
 * under qemu-user, the programs run by bpf-eval.h's interpreter). The
 * lists below are lib/seccomp-policy.c's, read from the code: a vCPU
 * thread's (the I/O thread's the same), main's with its teardown, the
 * interrupts of the worker threads, lkvm debug's register reads. Each
 * role's rules name exactly its list, its program allows each one, and
 * every other request of KVM's type (a sweep of numbers, directions and
 * sizes) and the set-up ones by name (new VMs, vCPUs, memory slots,
 * devices, capabilities, a vCPU's first state) are refused.
 */
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf-eval.h"
#include "seccomp-filter.h"
#include "tap.h"

struct kio {
	u32 req;
	const char *name;
};

#define KIO(x) { (u32)(x), #x }
#define KIO_END { 0, NULL }

/* A vCPU thread's, and the device code its exits run. */
static const struct kio vcpu_ioctls[] = {
	KIO(KVM_RUN),
#if defined(__x86_64__)
	KIO(KVM_GET_REGS),
	KIO(KVM_SET_REGS),
	KIO(KVM_GET_SREGS),
	KIO(KVM_SET_SREGS),
	KIO(KVM_TRANSLATE),
	KIO(KVM_IRQ_LINE),
	KIO(KVM_SIGNAL_MSI),
	KIO(KVM_IOEVENTFD),
	KIO(KVM_IRQFD),
	KIO(KVM_SET_GSI_ROUTING),
	KIO(KVM_GET_VCPU_EVENTS),
	KIO(KVM_SET_VCPU_EVENTS),
	KIO(KVM_SET_GUEST_DEBUG),
	KIO(KVM_GET_LAPIC),
	KIO(KVM_NMI),
#elif defined(__aarch64__)
	KIO(KVM_GET_ONE_REG),		/* debug exits, a failed vCPU's dump */
	KIO(KVM_IRQ_LINE),		/* the UART's, virtio-mmio's SPIs */
#elif defined(__s390x__)
	KIO(KVM_S390_MEM_OP),		/* an interception's operands */
	KIO(KVM_S390_IRQ),		/* program interruption, SIGP STOP */
	KIO(KVM_S390_INTERRUPT),	/* SIGP RESTART, floating interrupts */
	KIO(KVM_S390_INITIAL_RESET),	/* SIGP INITIAL CPU RESET */
	KIO(KVM_S390_NORMAL_RESET),	/* SIGP CPU RESET */
	KIO(KVM_SET_DEVICE_ATTR),	/* the FLIC's adapter (indicators) */
	KIO(KVM_SET_GSI_ROUTING),	/* adapter routes */
	KIO(KVM_IRQFD),			/* their irqfds */
#endif
	KIO_END
};

/* What main's teardown adds: a detaching device's doorbells. */
static const struct kio teardown_ioctls[] = {
	KIO(KVM_IOEVENTFD),
	KIO_END
};

/* A device's interrupt from a worker, libslirp's or the control thread. */
static const struct kio irq_ioctls[] = {
#if defined(__x86_64__)
	KIO(KVM_IRQ_LINE),
	KIO(KVM_SIGNAL_MSI),
#elif defined(__aarch64__)
	KIO(KVM_IRQ_LINE),
#elif defined(__s390x__)
	KIO(KVM_S390_INTERRUPT),
#endif
	KIO_END
};

/* lkvm debug's register dump on the control thread. */
static const struct kio debug_ioctls[] = {
#if defined(__x86_64__)
	KIO(KVM_GET_REGS),
	KIO(KVM_GET_SREGS),
	KIO(KVM_TRANSLATE),
	KIO(KVM_NMI),
#elif defined(__aarch64__)
	KIO(KVM_GET_ONE_REG),
#endif
	KIO_END
};

/* Set-up only, or not this architecture's: a vCPU thread never makes them. */
static const struct kio setup_ioctls[] = {
	KIO(KVM_GET_API_VERSION),
	KIO(KVM_CREATE_VM),
	KIO(KVM_CHECK_EXTENSION),
	KIO(KVM_GET_VCPU_MMAP_SIZE),
	KIO(KVM_CREATE_VCPU),
	KIO(KVM_SET_USER_MEMORY_REGION),
	KIO(KVM_CREATE_DEVICE),
	KIO(KVM_ENABLE_CAP),
	KIO(KVM_CREATE_IRQCHIP),
	KIO(KVM_GET_DIRTY_LOG),
	KIO(KVM_GET_DEVICE_ATTR),
	KIO(KVM_SET_ONE_REG),
#if defined(__x86_64__)
	KIO(KVM_SET_TSS_ADDR),
	KIO(KVM_SET_IDENTITY_MAP_ADDR),
	KIO(KVM_CREATE_PIT2),
	KIO(KVM_SET_CPUID2),
	KIO(KVM_SET_MSRS),
	KIO(KVM_SET_LAPIC),
	KIO(KVM_SET_FPU),
	KIO(KVM_SET_DEVICE_ATTR),
#elif defined(__aarch64__)
	KIO(KVM_ARM_PREFERRED_TARGET),
	KIO(KVM_ARM_VCPU_INIT),
	KIO(KVM_SET_GUEST_DEBUG),
	KIO(KVM_SET_DEVICE_ATTR),	/* the GIC's */
	KIO(KVM_IOEVENTFD),
	KIO(KVM_IRQFD),
	KIO(KVM_SIGNAL_MSI),
	KIO(KVM_SET_GSI_ROUTING),
	KIO(KVM_GET_REGS),
	KIO(KVM_NMI),
	KIO(KVM_S390_INTERRUPT),
#elif defined(__s390x__)
	KIO(KVM_S390_SET_INITIAL_PSW),
	KIO(KVM_S390_UCAS_MAP),
	KIO(KVM_S390_VCPU_FAULT),
	KIO(KVM_SET_GUEST_DEBUG),
	KIO(KVM_GET_ONE_REG),
	KIO(KVM_IOEVENTFD),
	KIO(KVM_IRQ_LINE),
	KIO(KVM_SIGNAL_MSI),
	KIO(KVM_GET_REGS),
	KIO(KVM_NMI),
#endif
	KIO_END
};

/* Each role's KVM ioctls: lists, NULL-terminated. */
static const struct kio *const *const role_lists[SC_NR_ROLES] = {
	[SC_ROLE_MAIN] = (const struct kio *const[]){ vcpu_ioctls,
						      teardown_ioctls, NULL },
	[SC_ROLE_VCPU] = (const struct kio *const[]){ vcpu_ioctls, NULL },
	[SC_ROLE_IO] = (const struct kio *const[]){ vcpu_ioctls, NULL },
	[SC_ROLE_CONTROL] = (const struct kio *const[]){ debug_ioctls,
							 irq_ioctls, NULL },
	[SC_ROLE_P9] = (const struct kio *const[]){ irq_ioctls, NULL },
	[SC_ROLE_DISK] = (const struct kio *const[]){ irq_ioctls, NULL },
	[SC_ROLE_NET] = (const struct kio *const[]){ irq_ioctls, NULL },
};

static bool listed(enum sc_role r, u32 req)
{
	const struct kio *const *l;
	const struct kio *k;

	for (l = role_lists[r]; *l; l++)
		for (k = *l; k->name; k++)
			if (k->req == req)
				return true;
	return false;
}

/* Whether k is the first entry for its request in the role's lists. */
static bool first_entry(enum sc_role r, const struct kio *k)
{
	const struct kio *const *l;
	const struct kio *e;

	for (l = role_lists[r]; *l; l++)
		for (e = *l; e->name; e++)
			if (e->req == k->req)
				return e == k;
	return true;
}

static struct sock_filter progs[SC_NR_ROLES][SC_MAX_INSNS];
static size_t prog_len[SC_NR_ROLES];

static u32 verdict(enum sc_role r, u32 req)
{
	struct seccomp_data d = {
		.nr = __NR_ioctl,
		.arch = sc_audit_arch(),
		.args = { 5, req },
	};

	return bpf_eval_run(progs[r], prog_len[r], &d);
}

/*
 * The role's rules: every ioctl rule checks the request (argument 1, one
 * of a list), and the KVM requests of those lists are the role's list.
 */
static void check_rules(enum sc_role r)
{
	static struct sc_rule rules[SC_MAX_RULES];
	const struct kio *const *l;
	const struct kio *k;
	size_t nr = sc_policy(r, rules, SC_MAX_RULES), i;
	bool checked = true, found;
	const char *missing = NULL;
	u32 extra = 0;
	unsigned int a, v;

	for (i = 0; i < nr; i++) {
		const struct sc_rule *rule = &rules[i];

		if (rule->nr != __NR_ioctl)
			continue;
		if (rule->nr_args != 1 || rule->args[0].idx != 1 ||
		    rule->args[0].kind != SC_ONE_OF)
			checked = false;
		for (a = 0; a < rule->nr_args; a++)
			for (v = 0; v < rule->args[a].nr; v++) {
				u32 req = (u32)rule->args[a].vals[v];

				if (_IOC_TYPE(req) == KVMIO && !listed(r, req) &&
				    !extra)
					extra = req;
			}
	}
	ok(nr && checked, "%s: every ioctl rule names its requests (argument 1, one of a list)",
	   sc_role_name(r));
	for (l = role_lists[r]; *l && !missing; l++) {
		for (k = *l; k->name && !missing; k++) {
			found = false;
			for (i = 0; i < nr && !found; i++) {
				const struct sc_rule *rule = &rules[i];

				if (rule->nr != __NR_ioctl)
					continue;
				for (a = 0; a < rule->nr_args; a++)
					for (v = 0; v < rule->args[a].nr; v++)
						found |= (u32)rule->args[a].vals[v] == k->req;
			}
			if (!found)
				missing = k->name;
		}
	}
	if (missing)
		ok(0, "%s: the rules' KVM ioctls are its list: no %s",
		   sc_role_name(r), missing);
	else if (extra)
		ok(0, "%s: the rules' KVM ioctls are its list: 0x%08x is not in it",
		   sc_role_name(r), extra);
	else
		ok(1, "%s: the rules' KVM ioctls are its list", sc_role_name(r));
}

/*
 * Its program: each listed one allowed; the set-up ones refused, by name
 * for the vCPUs, the first one allowed for the others.
 */
static void check_named(enum sc_role r)
{
	const struct kio *const *l;
	const struct kio *k;
	const char *bad = NULL;
	unsigned int n = 0;

	for (l = role_lists[r]; *l && !bad; l++)
		for (k = *l; k->name && !bad; k++) {
			n += first_entry(r, k);
			if (verdict(r, k->req) != SECCOMP_RET_ALLOW)
				bad = k->name;
		}
	ok(!bad, "%s: its %u KVM ioctls allowed%s%s", sc_role_name(r), n,
	   bad ? ": not " : "", bad ? bad : "");
	bad = NULL;
	for (k = setup_ioctls, n = 0; k->name; k++) {
		bool refused;

		if (listed(r, k->req))
			continue;
		refused = verdict(r, k->req) == SECCOMP_RET_TRAP;
		n++;
		if (r == SC_ROLE_VCPU)
			ok(refused, "%s: ioctl(%s) refused", sc_role_name(r),
			   k->name);
		else if (!refused && !bad)
			bad = k->name;
	}
	if (r != SC_ROLE_VCPU)
		ok(!bad, "%s: %u set-up ioctls refused%s%s", sc_role_name(r),
		   n, bad ? ": not " : "", bad ? bad : "");
}

/*
 * Every request of KVM's type with the directions and argument sizes the
 * lists have: allowed exactly when listed.
 */
static void check_sweep(enum sc_role r)
{
	static const struct kio *const all[] = {
		vcpu_ioctls, teardown_ioctls, irq_ioctls, debug_ioctls,
		setup_ioctls, NULL,
	};
	u32 sizes[64], req, got, first_bad = 0;
	unsigned int nsizes = 0, s, dir, nr, bad = 0, tried = 0, allowed = 0;
	const struct kio *const *l;
	const struct kio *k;

	sizes[nsizes++] = 0;
	for (l = all; *l; l++)
		for (k = *l; k->name; k++) {
			for (s = 0; s < nsizes && sizes[s] != _IOC_SIZE(k->req); s++)
				;
			if (s == nsizes && nsizes < ARRAY_SIZE(sizes))
				sizes[nsizes++] = _IOC_SIZE(k->req);
		}
	for (nr = 0; nr < 256; nr++)
		for (dir = 0; dir < 4; dir++)
			for (s = 0; s < nsizes; s++) {
				req = _IOC(dir, KVMIO, nr, sizes[s]);
				got = verdict(r, req);
				tried++;
				allowed += got == SECCOMP_RET_ALLOW;
				if (got != (listed(r, req) ? SECCOMP_RET_ALLOW :
					    SECCOMP_RET_TRAP) && !bad++)
					first_bad = req;
			}
	if (bad)
		ok(0, "%s: %u requests of KVM's type: %u not as listed, the first 0x%08x",
		   sc_role_name(r), tried, bad, first_bad);
	else
		ok(1, "%s: %u requests of KVM's type: the %u allowed are listed",
		   sc_role_name(r), tried, allowed);
}

int main(void)
{
	unsigned int r;
	size_t at;
	int n;

	for (r = 0; r < SC_NR_ROLES; r++) {
		const char *why;

		n = sc_role_program(r, SECCOMP_RET_TRAP, getpid(), progs[r],
				    SC_MAX_INSNS);
		prog_len[r] = n > 0 ? (size_t)n : 0;
		why = n > 0 ? bpf_eval_check(progs[r], prog_len[r], &at) :
			      "does not compile";
		if (!ok(!why, "%s: %d instructions the kernel takes%s%s",
			sc_role_name(r), n, why ? ": " : "", why ? why : ""))
			return tap_done();
	}
	for (r = 0; r < SC_NR_ROLES; r++) {
		check_rules(r);
		check_named(r);
		check_sweep(r);
	}
	return tap_done();
}
