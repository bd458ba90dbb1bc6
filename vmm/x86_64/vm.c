// SPDX-License-Identifier: GPL-2.0
/* x86_64 VM set-up: memory layout, irqchip, PIT and the guest load. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "cmdline.h"
#include "root-9p.h"
#include "log.h"
#include "seccomp-filter.h"
#include "vm.h"
#include "x86/acpi.h"
#include "x86/bzimage-payload.h"
#include "x86/emul-assist.h"
#include "x86/layout.h"
#include "x86/pc.h"
#include "x86/x86-vm.h"

int arch_ram_ranges(u64 ram_size, struct ram_range *ranges)
{
	if (ram_size <= X86_MMIO_HOLE_START) {
		ranges[0] = (struct ram_range){ 0, ram_size };
		return 1;
	}
	ranges[0] = (struct ram_range){ 0, X86_MMIO_HOLE_START };
	ranges[1] = (struct ram_range){ X86_MMIO_HOLE_END,
					ram_size - X86_MMIO_HOLE_START };
	return 2;
}

static int x86_ioctl(struct vm *vm, unsigned long req, void *arg,
		     const char *what)
{
	if (ioctl(vm->vm_fd, req, arg) < 0) {
		int err = -errno;

		pr_err("%s: %s", what, strerror(-err));
		return err;
	}
	return 0;
}

int arch_vm_init(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	u64 identity_map = X86_IDENTITY_MAP_ADDR;
	struct x86_vm *x86;
	int err;

	x86 = calloc(1, sizeof(*x86));
	if (!x86) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	vm->arch = x86;
	x86_build_mem_map(vm->cfg->ram_size, &x86->mem_map);

	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)X86_TSS_ADDR)) {
		err = -errno;
		pr_err("KVM_SET_TSS_ADDR: %s", strerror(-err));
		return err;
	}
	err = x86_ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &identity_map,
			"KVM_SET_IDENTITY_MAP_ADDR");
	if (err)
		return err;
	err = x86_ioctl(vm, KVM_CREATE_IRQCHIP, NULL, "KVM_CREATE_IRQCHIP");
	if (err)
		return err;
	return x86_ioctl(vm, KVM_CREATE_PIT2, &pit, "KVM_CREATE_PIT2");
}

/*
 * A Linux kernel: a bzImage whose header names a kernel version (Linux
 * always fills kernel_version, at 0x20e, with an offset from 0x200 to the
 * version string), or an ELF that carries Linux's banner.
 */
static bool x86_kernel_is_linux(const struct mapped_file *k)
{
	static const char banner[] = "Linux version ";
	const char *why;
	u16 version_ptr;

	switch (x86_kernel_detect(k->data, k->len, &why)) {
	case KERNEL_FMT_BZIMAGE:
		memcpy(&version_ptr, k->data + 0x20e, sizeof(version_ptr));
		return version_ptr && (size_t)version_ptr + 0x200 < k->len;
	case KERNEL_FMT_ELF:
	case KERNEL_FMT_ELF_PVH:
		return memmem(k->data, k->len, banner, sizeof(banner) - 1);
	default:
		return false;
	}
}

/* No KVM device but the VM's own: nothing to add. */
void arch_filter_fds(const struct vm *vm, struct sc_kvm_fds *fds)
{
}

void arch_jail_prepare(struct vm_config *cfg)
{
	bz_payload_preload();
	/* /sys is not in the jail: ask the host now. */
	if (cfg->emulation_assist == EMULATION_ASSIST_AUTO)
		cfg->emulation_assist = emul_assist_host_needs() ?
					EMULATION_ASSIST_ON :
					EMULATION_ASSIST_OFF;
}

/* Decide on the emulation assist and the command line it implies. */
static int x86_setup_assist(struct vm *vm)
{
	struct x86_vm *x86 = x86_vm(vm);
	const struct vm_config *cfg = vm->cfg;
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
	char *with = NULL;

	switch (cfg->emulation_assist) {
	case EMULATION_ASSIST_ON:
		x86->emulation_assist = true;
		break;
	case EMULATION_ASSIST_OFF:
		x86->emulation_assist = false;
		break;
	default:
		x86->emulation_assist = emul_assist_host_needs();
		break;
	}
	if (x86_kernel_is_linux(&vm->kernel) && !cfg->nodefaults) {
		struct cmdline_defaults d = {
			/* sandbox: the kernel's log on ttyS0, the job's on hvc */
			.console = cfg->console == CONSOLE_VIRTIO &&
				   !cfg->sandbox ? "hvc0" : "ttyS0",
			.root = cfg->root_9p ? ROOT_9P_CMDLINE :
				cfg->nr_disks ? "root=/dev/vda rw" : NULL,
			.init = cfg->root_9p_setup ? ROOT_9P_INIT : NULL,
			.quiet = cfg->sandbox && !cfg->console_log,
		};

		with = cmdline_with_defaults(cmdline, &d);
		if (!with)
			return -ENOMEM;
		cmdline = with;
	}
	if (x86->emulation_assist && x86_kernel_is_linux(&vm->kernel))
		x86->cmdline = cmdline_add(cmdline,
			cmdline_has_param(cmdline, EMUL_ASSIST_SYSCALL_FIXUP) ?
			EMUL_ASSIST_CMDLINE :
			EMUL_ASSIST_CMDLINE " " EMUL_ASSIST_SYSCALL_FIXUP);
	else
		x86->cmdline = strdup(cmdline);
	free(with);
	if (!x86->cmdline)
		return -ENOMEM;
	pr_info("emulation assist %s", x86->emulation_assist ? "on" : "off");
	return 0;
}

/*
 * The ACPI tables: the same CPUs and PCI lines as the MP table, and in the
 * DSDT the devices pc.c made.
 */
static int x86_setup_acpi(struct vm *vm, const struct x86_mp_pci_irq *irqs,
			  unsigned int nr_irqs)
{
	struct x86_acpi_cfg acpi = {
		.nr_cpus = vm->cfg->nr_cpus,
		.pci_irqs = irqs,
		.nr_pci_irqs = nr_irqs,
	};
	int err;

	acpi.dsdt = pc_dsdt_nodes(vm, &acpi.nr_dsdt);
	err = x86_write_acpi(&vm->mem, &acpi);
	if (err)
		pr_err("cannot write the ACPI tables for %u CPUs: %s",
		       vm->cfg->nr_cpus, strerror(-err));
	else
		pr_info("ACPI tables at 0x%llx",
			(unsigned long long)X86_ACPI_ADDR);
	return err;
}

int arch_load_guest(struct vm *vm)
{
	struct x86_vm *x86 = x86_vm(vm);
	const struct vm_config *cfg = vm->cfg;
	struct x86_mp_pci_irq pci_irqs[X86_IOAPIC_PINS];
	struct x86_mptable_cfg mp = {
		.nr_cpus = cfg->nr_cpus, .pci_irqs = pci_irqs,
	};
	struct boot_input in = {
		.kernel = vm->kernel.data,
		.kernel_len = vm->kernel.len,
		.initrd = vm->initrd.data,
		.initrd_len = vm->initrd.len,
		.protocol = cfg->boot_protocol,
		.acpi_rsdp = cfg->no_acpi ? 0 : X86_ACPI_ADDR,
		.guest_decompress = cfg->guest_decompress,
	};
	int err;

	err = x86_setup_assist(vm);
	if (!err && *pc_cmdline_extra(vm)) {
		char *full = cmdline_add(x86->cmdline, pc_cmdline_extra(vm));

		if (!full) {
			err = -ENOMEM;
		} else {
			free(x86->cmdline);
			x86->cmdline = full;
		}
	}
	if (err) {
		pr_err("out of memory");
		return err;
	}
	in.cmdline = x86->cmdline;

	err = x86_load_kernel(&vm->mem, &x86->mem_map, &in, &x86->boot);
	if (err) {
		pr_err("cannot load kernel '%s': %s", cfg->kernel_path,
		       x86->boot.error[0] ? x86->boot.error : strerror(-err));
		return err;
	}
	pr_info("loaded %s kernel at 0x%llx-0x%llx, entry 0x%llx",
		x86_kernel_format_name(x86->boot.format),
		(unsigned long long)x86->boot.kernel_start,
		(unsigned long long)x86->boot.kernel_end,
		(unsigned long long)x86->boot.rip);
	if (x86->boot.decompressed)
		pr_info("bzImage payload (%s) decompressed by lkvm: %llu bytes",
			x86->boot.decompressed,
			(unsigned long long)x86->boot.decompressed_size);
	else if (x86->boot.guest_decompress_why)
		pr_info("the guest decompresses its kernel: %s",
			x86->boot.guest_decompress_why);
	if (vm->initrd.len)
		pr_info("initrd at 0x%llx, %llu bytes",
			(unsigned long long)x86->boot.initrd_start,
			(unsigned long long)x86->boot.initrd_size);
	/* A flat binary may extend over the EBDA: it gets no tables. */
	if (x86->boot.format == KERNEL_FMT_FLAT)
		return 0;
	mp.nr_pci_irqs = pc_pci_irqs(vm, pci_irqs, X86_IOAPIC_PINS);
	err = x86_write_mptable_cfg(&vm->mem, &mp);
	if (err) {
		pr_err("cannot write the MP table for %u CPUs: %s",
		       cfg->nr_cpus, strerror(-err));
		return err;
	}
	return cfg->no_acpi ? 0 : x86_setup_acpi(vm, pci_irqs, mp.nr_pci_irqs);
}

void arch_vm_destroy(struct vm *vm)
{
	struct x86_vm *x86 = x86_vm(vm);

	pc_devices_free(vm);
	if (!x86)
		return;
	free(x86->supported_cpuid);
	free(x86->cmdline);
	free(x86);
	vm->arch = NULL;
}
