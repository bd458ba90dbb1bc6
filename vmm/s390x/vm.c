// SPDX-License-Identifier: GPL-2.0
/*
 * s390x VM set-up: RAM from 0, the FLIC, the channel subsystem image and
 * the SCLP console, the kernel image, and the vCPUs with the I/O
 * instructions intercepted to userspace (KVM_CAP_S390_CSS_SUPPORT). The
 * channel subsystem, the SCLP, the adapter routes, the console attachment
 * and the virtio-ccw devices go on the VM's lifecycle list as they are
 * made (include/vm-devices.h), to be torn down in reverse order.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch.h"
#include "log.h"
#include "platform-ops.h"
#include "seccomp-filter.h"
#include "s390x/s390x-vm.h"
#include "vcpu.h"

int arch_ram_ranges(u64 ram_size, struct ram_range *ranges)
{
	/* Memory comes in 1 MiB increments (SCLP's unit). */
	ranges[0] = (struct ram_range){ 0, ALIGN_DOWN(ram_size, SZ_1M) };
	return 1;
}

/* s390 has no irqchip pins: every route is an adapter route. */
u32 arch_irq_default_routes(void *entries, u32 max)
{
	return 0;
}

int arch_irq_next_line(int prev)
{
	return -1;
}

int s390x_inject_floating(struct vm *vm, const struct s390_irq_words *w)
{
	struct kvm_s390_interrupt irq = {
		.type = w->type,
		.parm = w->parm,
		.parm64 = w->parm64,
	};

	if (ioctl(vm->vm_fd, KVM_S390_INTERRUPT, &irq))
		return -errno;
	return 0;
}

void s390x_service_signal(struct vm *vm, u32 sccb)
{
	struct s390x_vm *s = s390x_vm(vm);
	struct s390_irq_words w = {
		.type = KVM_S390_INT_SERVICE,
		.parm = (sccb & ~7u) | (sclp_event_pending(&s->sclp) ? 1 : 0),
	};
	int err = s390x_inject_floating(vm, &w);

	if (err)
		pr_err_ratelimited("service signal: %s", strerror(-err));
}

static void s390x_io_interrupt(void *opaque, struct css_subchannel *sch)
{
	struct s390_irq_words w;
	int err;

	s390_io_irq_words(sch, &w);
	err = s390x_inject_floating(opaque, &w);
	if (err)
		pr_err_ratelimited("I/O interrupt for subchannel %u: %s",
				   sch->schno, strerror(-err));
}

static void s390x_adapter_interrupt(void *opaque, u8 isc)
{
	struct s390_irq_words w;
	int err;

	s390_adapter_irq_words(isc, &w);
	err = s390x_inject_floating(opaque, &w);
	if (err)
		pr_err_ratelimited("adapter interrupt (ISC %u): %s", isc,
				   strerror(-err));
}

int s390x_ccw_ioeventfd(struct vm *vm, u16 schno, u16 queue, int fd,
			bool assign)
{
	struct kvm_ioeventfd io = {
		.datamatch = queue,
		.addr = CSS_SID(schno),
		.len = 8,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY |
			 KVM_IOEVENTFD_FLAG_DATAMATCH |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io))
		return -errno;
	return 0;
}

/* The lifecycle list's view of the platform: its own functions. */
static void s390x_css_destroy(void *css)
{
	css_destroy(css);
}

static void s390x_sclp_reset(void *sclp)
{
	sclp_reset(sclp);
}

static void s390x_sclp_destroy(void *sclp)
{
	sclp_destroy(sclp);
}

static void s390x_routes_release(void *s)
{
	s390x_routes_destroy(s);
}

static const struct vm_device_ops s390x_css_ops = {
	.destroy = s390x_css_destroy,
};
static const struct vm_device_ops s390x_sclp_ops = {
	.reset = s390x_sclp_reset, .destroy = s390x_sclp_destroy,
};
static const struct vm_device_ops s390x_routes_ops = {
	.destroy = s390x_routes_release,
};

int arch_vm_init(struct vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_S390_IRQCHIP };
	struct kvm_create_device flic = { .type = KVM_DEV_TYPE_FLIC };
	struct css_irq_ops irq = {
		.io_interrupt = s390x_io_interrupt,
		.adapter_interrupt = s390x_adapter_interrupt,
		.thinint_changed = s390x_thinint_changed,
		.opaque = vm,
	};
	struct s390x_vm *s;

	s = calloc(1, sizeof(*s));
	if (!s) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	vm->arch = s;
	s->vm = vm;
	s->flic_fd = -1;
	if (s390x_cpus_init(s, vm->cfg->nr_cpus)) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	css_init(&s->css, &vm->mem, &irq);
	if (vm_devices_add_or_destroy(&vm->devs, "css", &s390x_css_ops, &s->css))
		return -ENOMEM;
	sclp_init(&s->sclp, ALIGN_DOWN(vm->cfg->ram_size, SZ_1M),
		  vm->cfg->nr_cpus);
	if (vm_devices_add_or_destroy(&vm->devs, "sclp", &s390x_sclp_ops, &s->sclp))
		return -ENOMEM;

	if (s390x_routes_init(s)) {
		pr_err("out of memory");
		s390x_routes_destroy(s);
		return -ENOMEM;
	}
	if (vm_devices_add_or_destroy(&vm->devs, "adapter-routes", &s390x_routes_ops, s))
		return -ENOMEM;
	/* Adapter routes need the in-kernel irqchip and the FLIC. */
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap))
		pr_info("s390x: no in-kernel irqchip: %s", strerror(errno));
	else
		s->irqchip = true;
	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &flic))
		pr_info("s390x: no FLIC: %s", strerror(errno));
	else
		s->flic_fd = flic.fd;
	return 0;
}

/* The FLIC's, where KVM made one: its adapters' attributes (adapter.c). */
void arch_filter_fds(const struct vm *vm, struct sc_kvm_fds *fds)
{
	const struct s390x_vm *s = vm->arch;

	fds->flic_fd = s ? s->flic_fd : -1;
}

/* SCLP output cannot be held back: kept up to the buffer's hard cap. */
static void s390x_console_out(void *opaque, const u8 *buf, size_t len)
{
	struct vm *vm = opaque;

	term_out_write_all(&vm->term.out, buf, len);
}

static size_t s390x_console_in(void *opaque, const u8 *buf, size_t len)
{
	struct vm *vm = opaque;
	size_t n = sclp_receive(&s390x_vm(vm)->sclp, buf, len);

	/* Event pending: the guest reads it with READ EVENT DATA. */
	if (n)
		s390x_service_signal(vm, 0);
	return n;
}

static void s390x_console_quit(void *opaque)
{
	vm_request_stop(opaque, 0);
}

int arch_devices_init(struct vm *vm)
{
	struct s390x_vm *s = s390x_vm(vm);
	int err;

	/* SCLP output always reaches stdout; input goes to the console. */
	s->sclp.out = s390x_console_out;
	s->sclp.out_opaque = vm;
	if (vm->cfg->console == CONSOLE_SERIAL) {
		err = term_attach(&vm->term, &vm->io, s390x_console_in, vm,
				  s390x_console_quit, vm);
		if (err) {
			pr_err("cannot attach the console: %s",
			       strerror(-err));
			return err;
		}
		err = vm_devices_add_or_destroy(&vm->devs, "console", &platform_console_ops,
				     &vm->term);
		if (err)
			return err;
	}
	/* The virtio registry puts each device on the list itself. */
	return s390x_virtio_init(vm, &s->devices);
}

int arch_load_guest(struct vm *vm)
{
	struct s390x_vm *s = s390x_vm(vm);
	int err;

	err = s390_load_kernel(&vm->mem, guest_mem_total(&vm->mem),
			       vm->kernel.data, vm->kernel.len,
			       vm->initrd.data, vm->initrd.len,
			       vm->cfg->cmdline, &s->boot);
	if (err) {
		pr_err("cannot load kernel '%s': %s", vm->cfg->kernel_path,
		       s->boot.error[0] ? s->boot.error : strerror(-err));
		return err;
	}
	pr_info("loaded %s image, %llu bytes, entry 0x%llx",
		s->boot.is_linux ? "Linux" : "an IPL",
		(unsigned long long)s->boot.kernel_end,
		(unsigned long long)s->boot.entry);
	return 0;
}

int arch_vcpu_init(struct vcpu *vcpu)
{
	struct s390x_vm *s = s390x_vm(vcpu->vm);
	struct kvm_enable_cap css = { .cap = KVM_CAP_S390_CSS_SUPPORT };
	struct kvm_s390_psw psw = {
		.mask = S390_IPL_PSW_MASK,
		.addr = s->boot.entry,
	};

	/* VM-wide in effect: SSCH, TSCH and friends come to lkvm. */
	if (ioctl(vcpu->fd, KVM_ENABLE_CAP, &css)) {
		pr_err("KVM_CAP_S390_CSS_SUPPORT: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vcpu->fd, KVM_S390_INITIAL_RESET, 0)) {
		pr_err("KVM_S390_INITIAL_RESET: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(vcpu->fd, KVM_S390_SET_INITIAL_PSW, &psw)) {
		pr_err("KVM_S390_SET_INITIAL_PSW: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

void arch_dump_vcpu(struct vcpu *vcpu, FILE *out)
{
	struct kvm_run *run = vcpu->run;
	int i;

	if (!run)
		return;
	if (!out)
		out = stderr;
	fprintf(out, "  PSW %016llx %016llx  prefix %llx\n",
		(unsigned long long)run->psw_mask,
		(unsigned long long)run->psw_addr,
		(unsigned long long)run->s.regs.prefix);
	for (i = 0; i < 16; i += 4)
		fprintf(out, "  r%-2d %016llx %016llx %016llx %016llx\n", i,
			(unsigned long long)run->s.regs.gprs[i],
			(unsigned long long)run->s.regs.gprs[i + 1],
			(unsigned long long)run->s.regs.gprs[i + 2],
			(unsigned long long)run->s.regs.gprs[i + 3]);
}

/* Nothing here reads the host's files after the set-up. */
void arch_jail_prepare(struct vm_config *cfg)
{
}

void arch_report_stats(struct vm *vm)
{
	struct s390x_vm *s = s390x_vm(vm);

	if (!s)
		return;
	pr_info("s390x: %llu interceptions: %llu I/O, %llu TSCH, %llu DIAG 500, %llu SERVC, %llu SIGP",
		(unsigned long long)s->nr_sieic, (unsigned long long)s->nr_io,
		(unsigned long long)s->nr_tsch,
		(unsigned long long)s->nr_diag500,
		(unsigned long long)s->nr_servc,
		(unsigned long long)s->nr_sigp);
}

void arch_vm_destroy(struct vm *vm)
{
	struct s390x_vm *s = s390x_vm(vm);

	if (!s)
		return;
	s390x_cpus_destroy(s);
	if (s->flic_fd >= 0)
		close(s->flic_fd);
	free(s);
	vm->arch = NULL;
}
