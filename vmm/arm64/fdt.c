// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 guest's device tree, built with libfdt's sequential writer:
 * memory, CPUs (PSCI), the GIC, the architected timer, the 8250, the
 * pvpanic register, the virtio-mmio devices and /chosen.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/arm64.h"
#include "vm-virtio.h"

#define PHANDLE_GIC		1
#define IRQ_TYPE_EDGE_RISING	1
#define IRQ_TYPE_LEVEL_HIGH	4
#define IRQ_TYPE_LEVEL_LOW	8
#define GIC_SPI			0
#define GIC_PPI			1

int arm64_irq_line_spi(u32 line)
{
	u32 intid = line & 0xffff;

	if ((line >> 24) != 1 || intid < ARM64_SPI_BASE || intid > 1019)
		return -1;
	return intid - ARM64_SPI_BASE;
}

/* Two-cell address and size, big-endian, as the root asks. */
static int fdt_reg2(void *fdt, u64 a, u64 s)
{
	fdt64_t reg[2] = { cpu_to_fdt64(a), cpu_to_fdt64(s) };

	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int fdt_irq(void *fdt, u32 type, u32 num, u32 flags)
{
	fdt32_t irq[3] = { cpu_to_fdt32(type), cpu_to_fdt32(num),
			   cpu_to_fdt32(flags) };

	return fdt_property(fdt, "interrupts", irq, sizeof(irq));
}

static int fdt_cpus(void *fdt, const struct arm64_fdt_config *c)
{
	char name[32];
	unsigned int i;
	int err;

	err = fdt_begin_node(fdt, "cpus");
	err = err ?: fdt_property_u32(fdt, "#address-cells", 1);
	err = err ?: fdt_property_u32(fdt, "#size-cells", 0);
	for (i = 0; i < c->nr_cpus && !err; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		err = fdt_begin_node(fdt, name);
		err = err ?: fdt_property_string(fdt, "device_type", "cpu");
		err = err ?: fdt_property_string(fdt, "compatible",
						 "arm,armv8");
		err = err ?: fdt_property_u32(fdt, "reg", i);
		err = err ?: fdt_property_string(fdt, "enable-method", "psci");
		err = err ?: fdt_end_node(fdt);
	}
	return err ?: fdt_end_node(fdt);
}

static int fdt_gic(void *fdt, const struct arm64_fdt_config *c)
{
	char name[32];
	int err;

	snprintf(name, sizeof(name), "intc@%llx",
		 (unsigned long long)ARM64_GIC_DIST_BASE);
	err = fdt_begin_node(fdt, name);
	if (c->gic_version == 3) {
		fdt64_t reg[4] = {
			cpu_to_fdt64(ARM64_GIC_DIST_BASE),
			cpu_to_fdt64(ARM64_GIC_DIST_SIZE),
			cpu_to_fdt64(ARM64_GIC_REDIST_BASE),
			cpu_to_fdt64(ARM64_GIC_REDIST_SIZE * c->nr_cpus),
		};

		err = err ?: fdt_property_string(fdt, "compatible",
						 "arm,gic-v3");
		err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
	} else {
		fdt64_t reg[4] = {
			cpu_to_fdt64(ARM64_GIC_DIST_BASE),
			cpu_to_fdt64(0x1000),
			cpu_to_fdt64(ARM64_GIC_CPU_BASE),
			cpu_to_fdt64(ARM64_GIC_CPU_SIZE),
		};

		err = err ?: fdt_property_string(fdt, "compatible",
						 "arm,cortex-a15-gic");
		err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
	}
	err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 3);
	err = err ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
	err = err ?: fdt_property_u32(fdt, "phandle", PHANDLE_GIC);
	return err ?: fdt_end_node(fdt);
}

static int fdt_timer(void *fdt, const struct arm64_fdt_config *c)
{
	static const u32 ppis[] = { ARM64_TIMER_PPI_SEC, ARM64_TIMER_PPI_NS,
				    ARM64_TIMER_PPI_VIRT,
				    ARM64_TIMER_PPI_HYP };
	/* GICv2 lists the CPUs a PPI goes to in bits 8-15. */
	u32 flags = IRQ_TYPE_LEVEL_LOW;
	fdt32_t irqs[3 * ARRAY_SIZE(ppis)];
	unsigned int i;
	int err;

	if (c->gic_version == 2)
		flags |= ((1u << MIN(c->nr_cpus, 8u)) - 1) << 8;
	for (i = 0; i < ARRAY_SIZE(ppis); i++) {
		irqs[3 * i] = cpu_to_fdt32(GIC_PPI);
		irqs[3 * i + 1] = cpu_to_fdt32(ppis[i]);
		irqs[3 * i + 2] = cpu_to_fdt32(flags);
	}
	err = fdt_begin_node(fdt, "timer");
	err = err ?: fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	err = err ?: fdt_property(fdt, "interrupts", irqs, sizeof(irqs));
	err = err ?: fdt_property(fdt, "always-on", NULL, 0);
	return err ?: fdt_end_node(fdt);
}

static int fdt_devices(void *fdt, const struct arm64_fdt_config *c)
{
	char name[48];
	unsigned int i;
	int err = 0;

	if (c->uart) {
		snprintf(name, sizeof(name), "uart@%llx",
			 (unsigned long long)ARM64_UART_BASE);
		err = fdt_begin_node(fdt, name);
		err = err ?: fdt_property_string(fdt, "compatible", "ns16550a");
		err = err ?: fdt_reg2(fdt, ARM64_UART_BASE, ARM64_UART_SIZE);
		err = err ?: fdt_irq(fdt, GIC_SPI, ARM64_UART_SPI,
				     IRQ_TYPE_LEVEL_HIGH);
		err = err ?: fdt_property_u32(fdt, "clock-frequency", 1843200);
		err = err ?: fdt_end_node(fdt);
	}
	if (c->pvpanic_size && !err) {
		snprintf(name, sizeof(name), "pvpanic@%llx",
			 (unsigned long long)c->pvpanic_base);
		err = fdt_begin_node(fdt, name);
		err = err ?: fdt_property_string(fdt, "compatible",
						 "qemu,pvpanic-mmio");
		err = err ?: fdt_reg2(fdt, c->pvpanic_base, c->pvpanic_size);
		err = err ?: fdt_end_node(fdt);
	}
	for (i = 0; i < c->nr_virtio && !err; i++) {
		const struct vm_virtio_window *v = &c->virtio[i];
		int spi = arm64_irq_line_spi(v->irq);

		if (spi < 0)
			return -EINVAL;
		snprintf(name, sizeof(name), "virtio_mmio@%llx",
			 (unsigned long long)v->base);
		err = fdt_begin_node(fdt, name);
		err = err ?: fdt_property_string(fdt, "compatible",
						 "virtio,mmio");
		err = err ?: fdt_reg2(fdt, v->base, v->size);
		err = err ?: fdt_irq(fdt, GIC_SPI, (u32)spi,
				       IRQ_TYPE_LEVEL_HIGH);
		err = err ?: fdt_property(fdt, "dma-coherent", NULL, 0);
		err = err ?: fdt_end_node(fdt);
	}
	return err;
}

static int fdt_chosen(void *fdt, const struct arm64_fdt_config *c)
{
	char path[48];
	int err;

	err = fdt_begin_node(fdt, "chosen");
	err = err ?: fdt_property_string(fdt, "bootargs",
					 c->bootargs ? c->bootargs : "");
	if (c->initrd_size) {
		err = err ?: fdt_property_u64(fdt, "linux,initrd-start",
					      c->initrd_start);
		err = err ?: fdt_property_u64(fdt, "linux,initrd-end",
					      c->initrd_start +
					      c->initrd_size);
	}
	if (c->uart) {
		snprintf(path, sizeof(path), "/uart@%llx",
			 (unsigned long long)ARM64_UART_BASE);
		err = err ?: fdt_property_string(fdt, "stdout-path", path);
	}
	return err ?: fdt_end_node(fdt);
}

int arm64_fdt_build(const struct arm64_fdt_config *c, void *buf,
		    size_t size)
{
	char name[32];
	int err;

	if (!c->nr_cpus || c->nr_cpus > ARM64_MAX_CPUS ||
	    (c->gic_version != 2 && c->gic_version != 3) ||
	    (c->gic_version == 2 && c->nr_cpus > 8) || size > INT32_MAX)
		return -EINVAL;
	err = fdt_create(buf, size);
	err = err ?: fdt_finish_reservemap(buf);
	err = err ?: fdt_begin_node(buf, "");
	err = err ?: fdt_property_string(buf, "compatible", "linux,dummy-virt");
	err = err ?: fdt_property_u32(buf, "#address-cells", 2);
	err = err ?: fdt_property_u32(buf, "#size-cells", 2);
	err = err ?: fdt_property_u32(buf, "interrupt-parent", PHANDLE_GIC);
	err = err ?: fdt_chosen(buf, c);
	if (!err) {
		snprintf(name, sizeof(name), "memory@%llx",
			 (unsigned long long)c->ram_base);
		err = fdt_begin_node(buf, name);
	}
	err = err ?: fdt_property_string(buf, "device_type", "memory");
	err = err ?: fdt_reg2(buf, c->ram_base, c->ram_size);
	err = err ?: fdt_end_node(buf);
	err = err ?: fdt_cpus(buf, c);
	if (!err) {
		err = fdt_begin_node(buf, "psci");
		err = err ?: fdt_property_string(buf, "compatible",
						 "arm,psci-0.2");
		err = err ?: fdt_property_string(buf, "method", "hvc");
		err = err ?: fdt_end_node(buf);
	}
	err = err ?: fdt_gic(buf, c);
	err = err ?: fdt_timer(buf, c);
	err = err ?: fdt_devices(buf, c);
	err = err ?: fdt_end_node(buf);
	err = err ?: fdt_finish(buf);
	if (err == -FDT_ERR_NOSPACE)
		return -ENOSPC;
	return err ? -EINVAL : 0;
}
