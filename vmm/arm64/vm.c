// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 VM set-up: RAM from 2 GiB, the GIC (v3, else v2) through
 * KVM_CREATE_DEVICE, the 8250 at 0x3f8 of the MMIO space, the pvpanic
 * register, virtio-mmio devices, the Image and the device tree. The UART,
 * the console attachment and pvpanic go on the VM's lifecycle list as they
 * are made (include/vm-devices.h), to be torn down in reverse order.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch.h"
#include "arm64/arm64-vm.h"
#include "log.h"
#include "platform-ops.h"
#include "seccomp-filter.h"
#include "vm-virtio.h"

#define ARM64_FDT_MAX	SZ_64K

int arch_ram_ranges(u64 ram_size, struct ram_range *ranges)
{
	ranges[0] = (struct ram_range){ ARM64_RAM_BASE, ram_size };
	return 1;
}

/* KVM routes GSI n to SPI n by default; lkvm uses KVM_IRQ_LINE only. */
u32 arch_irq_default_routes(void *entries, u32 max)
{
	return 0;
}

/* Lines are KVM_IRQ_LINE SPI encodings; SPI 0 is the UART's. */
int arch_irq_next_line(int prev)
{
	int spi = prev < 0 ? ARM64_FIRST_DEVICE_SPI - 1 :
			     arm64_irq_line_spi((u32)prev);

	if (spi < 0 || spi + 1 >= ARM64_NR_SPIS)
		return -1;
	return (int)ARM64_IRQ_LINE_SPI(spi + 1);
}

static int gic_attr(int fd, u32 group, u64 attr, void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (u64)(uintptr_t)val,
	};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

static int arm64_create_gic(struct vm *vm, struct arm64_vm *a)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	u64 dist = ARM64_GIC_DIST_BASE, redist = ARM64_GIC_REDIST_BASE;
	u64 cpu = ARM64_GIC_CPU_BASE;
	u32 nr_irqs = ARM64_SPI_BASE + ARM64_NR_SPIS;
	int err;

	if (!ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &dev)) {
		a->gic_version = 3;
		a->gic_fd = dev.fd;
		err = gic_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
			       KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
		err = err ?: gic_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
				      KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	} else {
		if (vm->cfg->nr_cpus > 8) {
			pr_err("no GICv3 here (%s), and GICv2 takes 8 CPUs at most",
			       strerror(errno));
			return -EINVAL;
		}
		dev.type = KVM_DEV_TYPE_ARM_VGIC_V2;
		if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &dev)) {
			err = -errno;
			pr_err("cannot create a GICv3 or GICv2: %s",
			       strerror(-err));
			return err;
		}
		a->gic_version = 2;
		a->gic_fd = dev.fd;
		err = gic_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
			       KVM_VGIC_V2_ADDR_TYPE_DIST, &dist);
		err = err ?: gic_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
				      KVM_VGIC_V2_ADDR_TYPE_CPU, &cpu);
	}
	err = err ?: gic_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0,
			      &nr_irqs);
	if (err)
		pr_err("GICv%d set-up: %s", a->gic_version, strerror(-err));
	return err;
}

int arm64_gic_finalize(struct vm *vm)
{
	struct arm64_vm *a = arm64_vm(vm);
	int err = gic_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
			   KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);

	if (err)
		pr_err("GICv%d init: %s", a->gic_version, strerror(-err));
	return err;
}

int arch_vm_init(struct vm *vm)
{
	struct arm64_vm *a;

	if (vm->cfg->nr_cpus > ARM64_MAX_CPUS) {
		pr_err("arm64: at most %u vCPUs", ARM64_MAX_CPUS);
		return -EINVAL;
	}
	if (vm->cfg->ram_size < 4 * SZ_2M) {
		pr_err("arm64: at least 8 MiB of RAM");
		return -EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	vm->arch = a;
	a->gic_fd = -1;
	/* No PCI host on this machine: virtio devices go on virtio-mmio. */
	a->user_cfg = vm->cfg;
	a->cfg = *vm->cfg;
	if (a->cfg.virtio_transport == VIRTIO_TRANSPORT_PCI)
		a->cfg.virtio_transport = VIRTIO_TRANSPORT_MMIO;
	vm->cfg = &a->cfg;
	return arm64_create_gic(vm, a);
}

static void arm64_console_quit(void *opaque)
{
	vm_request_stop(opaque, 0);
}

/* The lifecycle list's view of the devices: their own functions. */

int arm64_pvpanic_init(struct vm *vm)
{
	struct arm64_vm *a = arm64_vm(vm);
	struct pvpanic_ops ops;
	int err;

	vm_pvpanic_ops(vm, &ops);
	err = pvpanic_mmio_init(&a->pvpanic, &vm->mmio_bus, ARM64_PVPANIC_BASE,
				&ops);
	if (err) {
		pr_err("cannot set up the pvpanic device: %s", strerror(-err));
		return err;
	}
	err = vm_devices_add_or_destroy(&vm->devs, "pvpanic", &platform_pvpanic_ops, &a->pvpanic);
	a->has_pvpanic = !err;
	return err;
}

int arch_devices_init(struct vm *vm)
{
	struct arm64_vm *a = arm64_vm(vm);
	struct vm_virtio_layout layout = {
		.mmio_base = ARM64_VIRTIO_MMIO_BASE,
		.mmio_stride = ARM64_VIRTIO_MMIO_STRIDE,
		.mmio_max = ARM64_VIRTIO_MMIO_MAX,
	};
	int err;

	vm_irq_line_init(vm, &a->uart_irq, ARM64_IRQ_LINE_SPI(ARM64_UART_SPI));
	err = serial8250_init(&a->uart, &vm->mmio_bus, "ttyS0",
			      ARM64_UART_BASE, &a->uart_irq, vm->serial_out);
	if (err) {
		pr_err("cannot set up ttyS0: %s", strerror(-err));
		return err;
	}
	err = vm_devices_add_or_destroy(&vm->devs, "ttyS0", &platform_uart_ops, &a->uart);
	if (err)
		return err;
	if (vm->cfg->console == CONSOLE_SERIAL) {
		serial8250_set_room_cb(&a->uart, term_notify_room, &vm->term);
		err = term_attach(&vm->term, &vm->io, serial8250_sink,
				  &a->uart, arm64_console_quit, vm);
		if (err) {
			pr_err("cannot attach the console: %s", strerror(-err));
			return err;
		}
		vm->console_uart = &a->uart;
		err = vm_devices_add_or_destroy(&vm->devs, "console", &platform_console_ops,
				     &vm->term);
		if (err)
			return err;
	}
	if (vm->cfg->pvpanic) {
		err = arm64_pvpanic_init(vm);
		if (err)
			return err;
	}
	return vm_virtio_init(vm, NULL, &layout, &a->virtio);
}

int arch_load_guest(struct vm *vm)
{
	struct arm64_vm *a = arm64_vm(vm);
	struct arm64_fdt_config *fc;
	void *fdt;
	int err;

	err = arm64_load_image(&vm->mem, ARM64_RAM_BASE, vm->cfg->ram_size,
			       vm->kernel.data, vm->kernel.len,
			       vm->initrd.data, vm->initrd.len, &a->boot);
	if (err) {
		pr_err("cannot load kernel '%s': %s", vm->cfg->kernel_path,
		       a->boot.error[0] ? a->boot.error : strerror(-err));
		return err;
	}
	fc = calloc(1, sizeof(*fc));
	fdt = calloc(1, ARM64_FDT_MAX);
	if (!fc || !fdt) {
		free(fc);
		free(fdt);
		pr_err("out of memory");
		return -ENOMEM;
	}
	*fc = (struct arm64_fdt_config){
		.ram_base = ARM64_RAM_BASE,
		.ram_size = vm->cfg->ram_size,
		.nr_cpus = vm->cfg->nr_cpus,
		.gic_version = a->gic_version,
		.bootargs = vm->cfg->cmdline,
		.initrd_start = a->boot.initrd_start,
		.initrd_size = a->boot.initrd_size,
		.uart = true,
		.pvpanic_base = ARM64_PVPANIC_BASE,
		.pvpanic_size = a->has_pvpanic ? PVPANIC_MMIO_SIZE : 0,
	};
	fc->virtio = vm_virtio_windows(a->virtio, &fc->nr_virtio);
	err = arm64_fdt_build(fc, fdt, ARM64_FDT_MAX);
	if (!err && guest_mem_write(&vm->mem, a->boot.dtb_start, fdt,
				    ARM64_FDT_MAX))
		err = -EFAULT;
	free(fc);
	free(fdt);
	if (err) {
		pr_err("cannot build the device tree: %s", strerror(-err));
		return err;
	}
	pr_info("Image at 0x%llx-0x%llx, device tree at 0x%llx, GICv%d",
		(unsigned long long)a->boot.kernel_start,
		(unsigned long long)a->boot.kernel_end,
		(unsigned long long)a->boot.dtb_start, a->gic_version);
	return 0;
}

/* The GIC's descriptor is the set-up's only: nothing to add. */
void arch_filter_fds(const struct vm *vm, struct sc_kvm_fds *fds)
{
}

/* Nothing here reads the host's files after the set-up. */
void arch_jail_prepare(struct vm_config *cfg)
{
}

void arch_report_stats(struct vm *vm)
{
	struct arm64_vm *a = arm64_vm(vm);

	if (a)
		pr_info("arm64: %lu debug exits", atomic_load(&a->nr_debug_exits));
}

void arch_vm_destroy(struct vm *vm)
{
	struct arm64_vm *a = arm64_vm(vm);

	if (!a)
		return;
	vm->cfg = a->user_cfg;
	if (a->gic_fd >= 0)
		close(a->gic_fd);
	free(a);
	vm->arch = NULL;
}
