// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM ioctls each role's filter lets through, and on which
 * descriptor, against lists written here by hand from the code each
 * thread runs (the comments name the functions; grep for the ioctl's name
 * in vmm/, devices/ and virtio/ and follow the callers to a thread), not
 * from lib/seccomp-policy.c. The programs are the ones sc_build() makes,
 * run by bpf-eval.h's interpreter on this architecture's numbers (built
 * for arm64 and s390x these run under qemu-user).
 *
 * The filters are built with the VM's descriptor VM_FD and, on s390x,
 * the FLIC's FLIC_FD. A vCPU's descriptors are made after the filters
 * (vm_create()), so a vCPU's own ioctls cannot be pinned: ON_ANY below,
 * allowed on every descriptor. The VM's are allowed on VM_FD only, the
 * FLIC's on FLIC_FD only.
 *
 * Checked for every role: each listed ioctl allowed where it is made and
 * refused on the other descriptors (a vCPU's, /dev/kvm's, the VM's or the
 * FLIC's); the set-up ones refused on every descriptor, by name; and a
 * sweep of every request of KVM's type (every number, direction and the
 * argument sizes of the requests named here) on each descriptor: allowed
 * exactly where listed. Then: the pin follows the descriptor the filters
 * were built with, and a descriptor that does not exist (-1) allows none
 * of its ioctls.
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

/* The descriptors: the filters know VM_FD and FLIC_FD only. */
#define KVM_FD	3	/* /dev/kvm */
#define VM_FD	7
#define FLIC_FD	9
#define VCPU_FD	12	/* a vCPU's: made after the filters */

static const struct {
	int fd;
	const char *name;
} fds[] = {
	{ VM_FD, "the VM's 7" },
	{ FLIC_FD, "9 (s390x: the FLIC's)" },
	{ VCPU_FD, "a vCPU's 12" },
	{ KVM_FD, "/dev/kvm's 3" },
};

enum on {
	ON_ANY,		/* a vCPU's own: its descriptor is not known */
	ON_VM,		/* VM_FD only */
	ON_FLIC,	/* FLIC_FD only */
};

struct kio {
	u32 req;
	enum on on;
	const char *name;
};

#define ANY(x) { (u32)(x), ON_ANY, #x }
#define VM(x) { (u32)(x), ON_VM, #x }
#define FLIC(x) { (u32)(x), ON_FLIC, #x }
#define KIO_END { 0, ON_ANY, NULL }

#if defined(__x86_64__)
/*
 * A vCPU thread (vmm/vcpu.c vcpu_thread()) and the device code its exits
 * run: KVM_RUN; a failed vCPU's dump and a debug exit (x86_64/exits.c
 * arch_dump_vcpu(), x86_handle_debug()): registers, code through
 * KVM_TRANSLATE, the single step re-armed (vcpu.c vcpu_single_step());
 * the emulation assist (exits.c x86_emulation_assist()): registers and
 * events; lkvm debug --nmi, injected by the vCPU itself (vcpu.c
 * vcpu_serve_requests(), x86_64/cpu.c arch_vcpu_nmi()). On the VM: a
 * device's line from a port or MMIO exit (vm.c vm_irq_line_set()), an
 * MSI without a route (vm-irq.c vm_signal_msi()), the routes and irqfds
 * of an MSI-X table write (devices/pci.c msix_sync_route()), a
 * virtio-pci queue's doorbell as the driver moves the BAR or enables a
 * queue (virtio/pci.c notifiers_follow(), vm-irq.c vm_ioeventfd()).
 */
static const struct kio vcpu_ioctls[] = {
	ANY(KVM_RUN),
	ANY(KVM_GET_REGS),
	ANY(KVM_GET_SREGS),
	ANY(KVM_TRANSLATE),
	ANY(KVM_SET_GUEST_DEBUG),
	ANY(KVM_SET_REGS),
	ANY(KVM_GET_VCPU_EVENTS),
	ANY(KVM_SET_VCPU_EVENTS),
	ANY(KVM_NMI),
	VM(KVM_IRQ_LINE),
	VM(KVM_SIGNAL_MSI),
	VM(KVM_SET_GSI_ROUTING),
	VM(KVM_IRQFD),
	VM(KVM_IOEVENTFD),
	KIO_END
};
#elif defined(__aarch64__)
/*
 * A vCPU thread: KVM_RUN (vcpu.c); the core registers of a debug exit's
 * log and of a failed vCPU's dump (arm64/cpu.c, KVM_GET_ONE_REG). On the
 * VM: an SPI from the UART or virtio-mmio, whose MMIO exits run here
 * (vm.c vm_irq_line_set()).
 */
static const struct kio vcpu_ioctls[] = {
	ANY(KVM_RUN),
	ANY(KVM_GET_ONE_REG),
	VM(KVM_IRQ_LINE),
	KIO_END
};
#elif defined(__s390x__)
/*
 * A vCPU thread: KVM_RUN (vcpu.c); from its interceptions
 * (s390x/exits.c): an instruction's operands (KVM_S390_MEM_OP), a
 * program interruption and SIGP STOP (KVM_S390_IRQ), SIGP RESTART
 * (KVM_S390_INTERRUPT on the target vCPU's descriptor; s390x/vm.c
 * s390x_inject_floating() makes the same request on the VM for the
 * devices' floating interrupts, so it is ON_ANY), SIGP's resets. A
 * virtio-ccw driver's SET_IND_ADAPTER, a CCW the vCPU's START SUBCHANNEL
 * runs (s390x/ioinst.c, virtio/ccw.c ccw_set_ind_adapter(),
 * s390x/adapter.c s390x_thinint_changed()): the adapter and its
 * indicator pages on the FLIC (flic_attr()), routes and irqfds on the VM
 * (routes_commit(), thinint_setup(), thinint_release()).
 */
static const struct kio vcpu_ioctls[] = {
	ANY(KVM_RUN),
	ANY(KVM_S390_MEM_OP),
	ANY(KVM_S390_IRQ),
	ANY(KVM_S390_INTERRUPT),
	ANY(KVM_S390_INITIAL_RESET),
	ANY(KVM_S390_NORMAL_RESET),
	VM(KVM_SET_GSI_ROUTING),
	VM(KVM_IRQFD),
	FLIC(KVM_SET_DEVICE_ATTR),
	KIO_END
};
#endif

/*
 * A device's interrupt from a thread that is not a vCPU's, on the VM: the
 * I/O thread's devices (console input, a tap's packets, vsock; MSI-X
 * routes and irqfds change on a table write, a vCPU's MMIO exit, never
 * here), a disk or 9p worker's completion, libslirp's packet, the control
 * thread's config change (lkvm balloon) or break (lkvm debug --sysrq):
 * x86_64's line or MSI (vm.c vm_irq_line_set(), vm-irq.c
 * vm_signal_msi()), arm64's line, s390x's floating interrupt (s390x/vm.c
 * s390x_inject_floating(): the service signal, css_notify_alert(), the
 * transport's classic or unrouted adapter indicators).
 */
static const struct kio irq_ioctls[] = {
#if defined(__x86_64__)
	VM(KVM_IRQ_LINE),
	VM(KVM_SIGNAL_MSI),
#elif defined(__aarch64__)
	VM(KVM_IRQ_LINE),
#elif defined(__s390x__)
	VM(KVM_S390_INTERRUPT),
#endif
	KIO_END
};

/*
 * main's teardown (cmd-run.c run_configured(): vm_devices_destroy()),
 * after the vCPUs' threads ended: a detaching device's doorbells
 * (KVM_IOEVENTFD_FLAG_DEASSIGN: vm-irq.c vm_ioeventfd(), s390x/vm.c
 * s390x_ccw_ioeventfd()), its irqfds (devices/pci.c msix_destroy();
 * s390x/adapter.c thinint_release(), which commits the routes left), the
 * last completions' interrupts (vm_devices_quiesce()). No MSI route is
 * changed (msix_destroy() keeps them), so not x86_64's
 * KVM_SET_GSI_ROUTING.
 */
static const struct kio main_ioctls[] = {
#if defined(__x86_64__)
	VM(KVM_IRQ_LINE),
	VM(KVM_SIGNAL_MSI),
	VM(KVM_IOEVENTFD),
	VM(KVM_IRQFD),
#elif defined(__aarch64__)
	VM(KVM_IRQ_LINE),
	VM(KVM_IOEVENTFD),
#elif defined(__s390x__)
	VM(KVM_S390_INTERRUPT),
	VM(KVM_IOEVENTFD),
	VM(KVM_IRQFD),
	VM(KVM_SET_GSI_ROUTING),
#endif
	KIO_END
};

/*
 * lkvm debug's dump of the paused vCPUs on the control thread
 * (control-proto.c -> arch_dump_vcpu()): x86_64's registers and code
 * (x86_64/exits.c), arm64's core registers (arm64/cpu.c); s390x's are in
 * the run area. Its nmi verb only asks the vCPU (vcpu_request_nmi()).
 */
static const struct kio control_ioctls[] = {
#if defined(__x86_64__)
	ANY(KVM_GET_REGS),
	ANY(KVM_GET_SREGS),
	ANY(KVM_TRANSLATE),
#elif defined(__aarch64__)
	ANY(KVM_GET_ONE_REG),
#endif
	KIO_END
};

/*
 * Set-up only, or another architecture's: no role's, on any descriptor.
 * New VMs, vCPUs, memory slots (a guest-physical window onto any of
 * lkvm's memory), devices, capabilities, a vCPU's first state, dirty
 * logs; the VM's own attributes (KVM_SET_DEVICE_ATTR on the VM: s390x's
 * memory limit, TOD clock, CPU model and crypto keys).
 */
static const struct kio setup_ioctls[] = {
	ANY(KVM_GET_API_VERSION),
	ANY(KVM_CREATE_VM),
	ANY(KVM_CHECK_EXTENSION),
	ANY(KVM_GET_VCPU_MMAP_SIZE),
	ANY(KVM_CREATE_VCPU),
	ANY(KVM_SET_USER_MEMORY_REGION),
	ANY(KVM_CREATE_DEVICE),
	ANY(KVM_ENABLE_CAP),
	ANY(KVM_CREATE_IRQCHIP),
	ANY(KVM_GET_DIRTY_LOG),
	ANY(KVM_GET_DEVICE_ATTR),
	ANY(KVM_HAS_DEVICE_ATTR),
	ANY(KVM_SET_ONE_REG),
	ANY(KVM_SET_MP_STATE),
	ANY(KVM_SET_SIGNAL_MASK),
#if defined(__x86_64__)
	ANY(KVM_SET_SREGS),		/* arch_vcpu_init() */
	ANY(KVM_GET_LAPIC),		/* arch_vcpu_init() */
	ANY(KVM_SET_TSS_ADDR),
	ANY(KVM_SET_IDENTITY_MAP_ADDR),
	ANY(KVM_CREATE_PIT2),
	ANY(KVM_SET_CPUID2),
	ANY(KVM_SET_MSRS),
	ANY(KVM_SET_LAPIC),
	ANY(KVM_SET_FPU),
	ANY(KVM_SET_DEVICE_ATTR),
	ANY(KVM_SET_CLOCK),
	ANY(KVM_SET_IRQCHIP),
#elif defined(__aarch64__)
	ANY(KVM_ARM_PREFERRED_TARGET),
	ANY(KVM_ARM_VCPU_INIT),
	ANY(KVM_SET_GUEST_DEBUG),
	ANY(KVM_SET_DEVICE_ATTR),	/* the GIC's */
	ANY(KVM_IRQFD),
	ANY(KVM_SIGNAL_MSI),
	ANY(KVM_SET_GSI_ROUTING),
	ANY(KVM_GET_REGS),
	ANY(KVM_NMI),
	ANY(KVM_S390_INTERRUPT),
#elif defined(__s390x__)
	ANY(KVM_S390_SET_INITIAL_PSW),
	ANY(KVM_S390_UCAS_MAP),
	ANY(KVM_S390_UCAS_UNMAP),
	ANY(KVM_S390_VCPU_FAULT),
	ANY(KVM_S390_STORE_STATUS),
	ANY(KVM_SET_GUEST_DEBUG),
	ANY(KVM_GET_ONE_REG),
	ANY(KVM_IRQ_LINE),
	ANY(KVM_SIGNAL_MSI),
	ANY(KVM_GET_REGS),
	ANY(KVM_NMI),
#endif
	KIO_END
};

/* Each role's lists, NULL-terminated. */
static const struct kio *const *const role_lists[SC_NR_ROLES] = {
	[SC_ROLE_MAIN] = (const struct kio *const[]){ main_ioctls, NULL },
	[SC_ROLE_VCPU] = (const struct kio *const[]){ vcpu_ioctls, NULL },
	[SC_ROLE_IO] = (const struct kio *const[]){ irq_ioctls, NULL },
	[SC_ROLE_CONTROL] = (const struct kio *const[]){ control_ioctls,
							 irq_ioctls, NULL },
	[SC_ROLE_P9] = (const struct kio *const[]){ irq_ioctls, NULL },
	[SC_ROLE_DISK] = (const struct kio *const[]){ irq_ioctls, NULL },
	[SC_ROLE_NET] = (const struct kio *const[]){ irq_ioctls, NULL },
};

static bool on_fd(enum on on, int fd)
{
	return on == ON_ANY || (on == ON_VM && fd == VM_FD) ||
	       (on == ON_FLIC && fd == FLIC_FD);
}

/* Whether the lists let role r make req on fd. */
static bool expected(enum sc_role r, u32 req, int fd)
{
	const struct kio *const *l;
	const struct kio *k;

	for (l = role_lists[r]; *l; l++)
		for (k = *l; k->name; k++)
			if (k->req == req && on_fd(k->on, fd))
				return true;
	return false;
}

static bool listed(enum sc_role r, u32 req)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (expected(r, req, fds[i].fd))
			return true;
	return false;
}

static struct sock_filter progs[SC_NR_ROLES][SC_MAX_INSNS];
static size_t prog_len[SC_NR_ROLES];

static u32 run(const struct sock_filter *prog, size_t len, int fd, u32 req)
{
	struct seccomp_data d = {
		.nr = __NR_ioctl,
		.arch = sc_audit_arch(),
		.args = { (u64)(u32)fd, req },
	};

	return bpf_eval_run(prog, len, &d);
}

static u32 verdict(enum sc_role r, int fd, u32 req)
{
	return run(progs[r], prog_len[r], fd, req);
}

/*
 * Each listed one allowed where it is made, refused on every other
 * descriptor; the set-up ones refused everywhere (by name for the vCPUs).
 */
static void check_named(enum sc_role r)
{
	const struct kio *const *l;
	const struct kio *k;
	const char *bad = NULL, *where = NULL;
	unsigned int n = 0, i;
	bool want, refused;

	for (l = role_lists[r]; *l && !bad; l++)
		for (k = *l; k->name && !bad; k++, n++)
			for (i = 0; i < ARRAY_SIZE(fds) && !bad; i++) {
				want = expected(r, k->req, fds[i].fd);
				if ((verdict(r, fds[i].fd, k->req) ==
				     SECCOMP_RET_ALLOW) != want) {
					bad = k->name;
					where = fds[i].name;
				}
			}
	ok(!bad, "%s: its %u KVM ioctls allowed where made, refused elsewhere%s%s%s%s",
	   sc_role_name(r), n, bad ? ": not " : "", bad ? bad : "",
	   bad ? " on " : "", bad ? where : "");
	bad = NULL;
	for (k = setup_ioctls, n = 0; k->name; k++) {
		if (listed(r, k->req))
			continue;
		refused = true;
		for (i = 0; i < ARRAY_SIZE(fds); i++)
			refused &= verdict(r, fds[i].fd, k->req) ==
				   SECCOMP_RET_TRAP;
		n++;
		if (r == SC_ROLE_VCPU)
			ok(refused, "%s: ioctl(%s) refused on every descriptor",
			   sc_role_name(r), k->name);
		else if (!refused && !bad)
			bad = k->name;
	}
	if (r != SC_ROLE_VCPU)
		ok(!bad, "%s: %u set-up ioctls refused on every descriptor%s%s",
		   sc_role_name(r), n, bad ? ": not " : "", bad ? bad : "");
}

/*
 * Every request of KVM's type with the directions and argument sizes of
 * the requests named here, on each descriptor: allowed exactly when the
 * lists say so.
 */
static void check_sweep(enum sc_role r)
{
	static const struct kio *const all[] = {
		vcpu_ioctls, irq_ioctls, main_ioctls, control_ioctls,
		setup_ioctls, NULL,
	};
	u32 sizes[64], req, got, first_bad = 0;
	unsigned int nsizes = 0, s, dir, nr, i, bad = 0, tried = 0;
	unsigned int allowed = 0, bad_fd = 0;
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
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		for (nr = 0; nr < 256; nr++)
			for (dir = 0; dir < 4; dir++)
				for (s = 0; s < nsizes; s++) {
					req = _IOC(dir, KVMIO, nr, sizes[s]);
					got = verdict(r, fds[i].fd, req);
					tried++;
					allowed += got == SECCOMP_RET_ALLOW;
					if (got == (expected(r, req, fds[i].fd) ?
						    SECCOMP_RET_ALLOW :
						    SECCOMP_RET_TRAP))
						continue;
					if (!bad++) {
						first_bad = req;
						bad_fd = i;
					}
				}
	if (bad)
		ok(0, "%s: %u requests of KVM's type: %u not as listed, the first 0x%08x on %s",
		   sc_role_name(r), tried, bad, first_bad, fds[bad_fd].name);
	else
		ok(1, "%s: %u requests of KVM's type on 4 descriptors: the %u allowed are listed",
		   sc_role_name(r), tried, allowed);
}

/* The first ioctl of the role's lists made on `on`'s descriptor, or NULL. */
static const struct kio *first_on(enum sc_role r, enum on on)
{
	const struct kio *const *l;
	const struct kio *k;

	for (l = role_lists[r]; *l; l++)
		for (k = *l; k->name; k++)
			if (k->on == on)
				return k;
	return NULL;
}

/*
 * The pins are the descriptors' numbers at sc_build(): other numbers
 * move them; a descriptor lkvm does not have (-1) allows none of its
 * ioctls, on any descriptor (-1 itself included).
 */
static void check_pins(void)
{
	static struct sock_filter prog[SC_MAX_INSNS];
	const struct kio *vm = first_on(SC_ROLE_VCPU, ON_VM);
	const struct kio *flic = first_on(SC_ROLE_VCPU, ON_FLIC);
	const struct kio *irq = first_on(SC_ROLE_DISK, ON_VM);
	struct sc_kvm_fds moved = { .vm_fd = 20, .flic_fd = 21 };
	struct sc_kvm_fds none = { .vm_fd = -1, .flic_fd = -1 };
	int n, fd;
	bool all;

	n = sc_role_program(SC_ROLE_VCPU, &moved, SECCOMP_RET_TRAP, getpid(),
			    prog, SC_MAX_INSNS);
	ok(n > 0 && vm && run(prog, (size_t)n, 20, vm->req) == SECCOMP_RET_ALLOW &&
	   run(prog, (size_t)n, VM_FD, vm->req) == SECCOMP_RET_TRAP,
	   "vcpu: built with the VM's descriptor 20, %s on 20 only",
	   vm ? vm->name : "(none listed)");
	if (flic)
		ok(n > 0 && run(prog, (size_t)n, 21, flic->req) == SECCOMP_RET_ALLOW &&
		   run(prog, (size_t)n, FLIC_FD, flic->req) == SECCOMP_RET_TRAP &&
		   run(prog, (size_t)n, 20, flic->req) == SECCOMP_RET_TRAP,
		   "vcpu: built with the FLIC's descriptor 21, %s on 21 only",
		   flic->name);
	n = sc_role_program(SC_ROLE_DISK, &moved, SECCOMP_RET_TRAP, getpid(),
			    prog, SC_MAX_INSNS);
	ok(n > 0 && irq && run(prog, (size_t)n, 20, irq->req) == SECCOMP_RET_ALLOW &&
	   run(prog, (size_t)n, VM_FD, irq->req) == SECCOMP_RET_TRAP,
	   "disk: built with the VM's descriptor 20, %s on 20 only",
	   irq ? irq->name : "(none listed)");

	n = sc_role_program(SC_ROLE_VCPU, &none, SECCOMP_RET_TRAP, getpid(),
			    prog, SC_MAX_INSNS);
	all = n > 0 && vm;
	for (fd = -1; fd < 32 && all; fd++)
		all = run(prog, (size_t)n, fd, vm->req) == SECCOMP_RET_TRAP &&
		      (!flic || run(prog, (size_t)n, fd, flic->req) ==
				SECCOMP_RET_TRAP);
	ok(all, "vcpu: no VM or FLIC descriptor: %s%s%s refused on -1..31",
	   vm ? vm->name : "(none listed)", flic ? " and " : "",
	   flic ? flic->name : "");
	all = n > 0 && first_on(SC_ROLE_VCPU, ON_ANY) &&
	      run(prog, (size_t)n, VCPU_FD,
		  first_on(SC_ROLE_VCPU, ON_ANY)->req) == SECCOMP_RET_ALLOW;
	ok(all, "vcpu: no VM descriptor: its own ioctls still allowed");
}

int main(void)
{
	static const struct sc_kvm_fds kvm_fds = {
		.vm_fd = VM_FD,
#ifdef __s390x__
		.flic_fd = FLIC_FD,
#else
		.flic_fd = -1,
#endif
	};
	unsigned int r;
	size_t at;
	int n;

	for (r = 0; r < SC_NR_ROLES; r++) {
		const char *why;

		n = sc_role_program(r, &kvm_fds, SECCOMP_RET_TRAP, getpid(),
				    progs[r], SC_MAX_INSNS);
		prog_len[r] = n > 0 ? (size_t)n : 0;
		why = n > 0 ? bpf_eval_check(progs[r], prog_len[r], &at) :
			      "does not compile";
		if (!ok(!why, "%s: %d instructions the kernel takes%s%s",
			sc_role_name(r), n, why ? ": " : "", why ? why : ""))
			return tap_done();
	}
	for (r = 0; r < SC_NR_ROLES; r++) {
		check_named(r);
		check_sweep(r);
	}
	check_pins();
	return tap_done();
}
