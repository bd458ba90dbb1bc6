// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/arm64/fdt.c: the generated device tree is decompiled with
 * dtc -I dtb -O dts (when dtc runs here) and parsed back with libfdt node
 * by node; the virtio-mmio nodes come from the transport's windows;
 * interrupt line encodings. Runs under
 * qemu-aarch64-static.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "arch.h"
#include "log.h"
#include "vm-irq.h"
#include "arm64/arm64.h"
#include "devices/pvpanic.h"
#include "vm-virtio.h"

#define FDT_SIZE 65536

static u8 fdt[FDT_SIZE];

/* What the virtio-mmio transport hands the device tree. */
static const struct vm_virtio_window windows[] = {
	{ 0x0a000000, 0x200, ARM64_IRQ_LINE_SPI(1) },
	{ 0x0a000200, 0x200, ARM64_IRQ_LINE_SPI(2) },
};

static struct arm64_fdt_config base_config(void)
{
	struct arm64_fdt_config c = {
		.ram_base = ARM64_RAM_BASE,
		.ram_size = 512 * SZ_1M,
		.nr_cpus = 4,
		.gic_version = 3,
		.bootargs = "console=ttyS0 earlycon root=/dev/vda",
		.initrd_start = 0x9fc00000ULL,
		.initrd_size = 0x12345,
		.uart = true,
		.pvpanic_base = ARM64_PVPANIC_BASE,
		.pvpanic_size = PVPANIC_MMIO_SIZE,
		.nr_virtio = 2,
		.virtio = windows,
	};
	return c;
}

static u64 prop_u64(const void *p, int i)
{
	return fdt64_to_cpu(((const fdt64_t *)p)[i]);
}

static u32 prop_u32(const void *p, int i)
{
	return fdt32_to_cpu(((const fdt32_t *)p)[i]);
}

static const void *prop(const char *path, const char *name, int *len)
{
	int off = fdt_path_offset(fdt, path);

	if (off < 0)
		return NULL;
	return fdt_getprop(fdt, off, name, len);
}

static bool str_prop(const char *path, const char *name, const char *want)
{
	int len;
	const char *p = prop(path, name, &len);

	return p && len == (int)strlen(want) + 1 && !strcmp(p, want);
}

static void test_tree_v3(void)
{
	struct arm64_fdt_config c = base_config();
	const void *p;
	int len, off, n;

	ok(arm64_fdt_build(&c, fdt, sizeof(fdt)) == 0, "GICv3 tree built");
	ok(fdt_check_header(fdt) == 0 && fdt_totalsize(fdt) < sizeof(fdt),
	   "valid header, %u bytes", fdt_totalsize(fdt));
	ok(str_prop("/", "compatible", "linux,dummy-virt") &&
	   prop_u32(prop("/", "#address-cells", &len), 0) == 2 &&
	   prop_u32(prop("/", "#size-cells", &len), 0) == 2 &&
	   prop_u32(prop("/", "interrupt-parent", &len), 0) == 1,
	   "root: compatible, 2 address and size cells, GIC as parent");
	ok(str_prop("/chosen", "bootargs",
		    "console=ttyS0 earlycon root=/dev/vda"), "chosen: bootargs");
	p = prop("/chosen", "linux,initrd-start", &len);
	ok(p && len == 8 && prop_u64(p, 0) == 0x9fc00000ULL,
	   "chosen: linux,initrd-start (64-bit)");
	p = prop("/chosen", "linux,initrd-end", &len);
	ok(p && len == 8 && prop_u64(p, 0) == 0x9fc00000ULL + 0x12345,
	   "chosen: linux,initrd-end");
	ok(str_prop("/chosen", "stdout-path", "/uart@3f8"),
	   "chosen: stdout-path is the 8250");
	p = prop("/memory@80000000", "reg", &len);
	ok(p && len == 16 && prop_u64(p, 0) == ARM64_RAM_BASE &&
	   prop_u64(p, 1) == 512 * SZ_1M &&
	   str_prop("/memory@80000000", "device_type", "memory"),
	   "memory@80000000: 512 MiB");
	n = 0;
	off = fdt_path_offset(fdt, "/cpus");
	ok(off >= 0 && prop_u32(fdt_getprop(fdt, off, "#address-cells", &len),
				0) == 1, "cpus: one address cell");
	fdt_for_each_subnode(off, fdt, fdt_path_offset(fdt, "/cpus")) {
		const char *m = fdt_getprop(fdt, off, "enable-method", &len);
		const void *reg = fdt_getprop(fdt, off, "reg", &len);

		if (m && !strcmp(m, "psci") && reg &&
		    prop_u32(reg, 0) == (u32)n)
			n++;
	}
	ok(n == 4, "four cpu nodes, reg 0-3, enable-method psci");
	ok(str_prop("/psci", "compatible", "arm,psci-0.2") &&
	   str_prop("/psci", "method", "hvc"), "psci 0.2 over hvc");
	p = prop("/intc@8000000", "reg", &len);
	ok(str_prop("/intc@8000000", "compatible", "arm,gic-v3") && p &&
	   len == 32 && prop_u64(p, 0) == ARM64_GIC_DIST_BASE &&
	   prop_u64(p, 2) == ARM64_GIC_REDIST_BASE &&
	   prop_u64(p, 3) == 4 * ARM64_GIC_REDIST_SIZE,
	   "GICv3: distributor and 4 redistributors");
	ok(prop("/intc@8000000", "interrupt-controller", &len) && len == 0 &&
	   prop_u32(prop("/intc@8000000", "#interrupt-cells", &len), 0) == 3 &&
	   prop_u32(prop("/intc@8000000", "phandle", &len), 0) == 1,
	   "GIC: interrupt-controller, 3 cells, phandle 1");
	p = prop("/timer", "interrupts", &len);
	ok(str_prop("/timer", "compatible", "arm,armv8-timer") && p &&
	   len == 48 && prop_u32(p, 0) == 1 && prop_u32(p, 1) == 13 &&
	   prop_u32(p, 4) == 14 && prop_u32(p, 7) == 11 &&
	   prop_u32(p, 10) == 10 && prop_u32(p, 2) == 8,
	   "timer: PPIs 13, 14, 11, 10, level low, no CPU mask on v3");
	p = prop("/uart@3f8", "interrupts", &len);
	ok(str_prop("/uart@3f8", "compatible", "ns16550a") && p &&
	   prop_u32(p, 0) == 0 && prop_u32(p, 1) == ARM64_UART_SPI &&
	   prop_u64(prop("/uart@3f8", "reg", &len), 0) == 0x3f8,
	   "uart@3f8: ns16550a on SPI 0");
	p = prop("/virtio_mmio@a000200", "interrupts", &len);
	ok(str_prop("/virtio_mmio@a000000", "compatible", "virtio,mmio") &&
	   p && prop_u32(p, 1) == 2 && prop_u32(p, 2) == 4 &&
	   prop_u64(prop("/virtio_mmio@a000200", "reg", &len), 1) == 0x200,
	   "virtio_mmio@a000200: 0x200 bytes, SPI 2 level high");
	p = prop("/pvpanic@9000000", "reg", &len);
	ok(str_prop("/pvpanic@9000000", "compatible", "qemu,pvpanic-mmio") &&
	   p && len == 16 && prop_u64(p, 0) == ARM64_PVPANIC_BASE &&
	   prop_u64(p, 1) == PVPANIC_MMIO_SIZE &&
	   !prop("/pvpanic@9000000", "interrupts", &len),
	   "pvpanic@9000000: qemu,pvpanic-mmio, reg <0x9000000 2>, no interrupt");
}

static void test_dtc(void)
{
	char path[] = "/tmp/lkvm-fdt-XXXXXX", cmd[256], out[8192];
	size_t n = 0;
	FILE *f;
	int fd;

	if (access("/usr/bin/dtc", X_OK)) {
		skip("dtc not installed (make deps ARCH=arm64)",
		     "dtc -I dtb -O dts accepts the tree");
		return;
	}
	fd = mkstemp(path);
	if (fd < 0 || write(fd, fdt, fdt_totalsize(fdt)) !=
	    (ssize_t)fdt_totalsize(fdt)) {
		ok(0, "write the tree to %s", path);
		return;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/dtc -q -I dtb -O dts %s 2>&1",
		 path);
	f = popen(cmd, "r");
	if (f) {
		n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = 0;
	}
	ok(f && pclose(f) == 0, "dtc -I dtb -O dts accepts the tree");
	ok(strstr(out, "compatible = \"virtio,mmio\";") &&
	   strstr(out, "bootargs = \"console=ttyS0 earlycon root=/dev/vda\";") &&
	   strstr(out, "enable-method = \"psci\";") &&
	   strstr(out, "uart@3f8 {") && strstr(out, "memory@80000000 {") &&
	   strstr(out, "compatible = \"qemu,pvpanic-mmio\";"),
	   "decompiled source has the nodes and properties");
	unlink(path);
}

static void test_tree_v2_and_errors(void)
{
	struct arm64_fdt_config c = base_config();
	const void *p;
	int len;

	c.gic_version = 2;
	c.nr_cpus = 2;
	c.initrd_size = 0;
	c.nr_virtio = 0;
	ok(arm64_fdt_build(&c, fdt, sizeof(fdt)) == 0, "GICv2 tree built");
	p = prop("/intc@8000000", "reg", &len);
	ok(str_prop("/intc@8000000", "compatible", "arm,cortex-a15-gic") &&
	   p && prop_u64(p, 2) == ARM64_GIC_CPU_BASE,
	   "GICv2: distributor and CPU interface");
	p = prop("/timer", "interrupts", &len);
	ok(p && prop_u32(p, 2) == (0x8 | 0x300),
	   "GICv2 timer PPIs name CPUs 0-1 in bits 8-15");
	ok(!prop("/chosen", "linux,initrd-start", &len),
	   "no initrd: no initrd properties");
	ok(fdt_path_offset(fdt, "/virtio_mmio@a000000") < 0,
	   "no virtio devices: no nodes");
	c.pvpanic_size = 0;
	ok(arm64_fdt_build(&c, fdt, sizeof(fdt)) == 0 &&
	   fdt_path_offset(fdt, "/pvpanic@9000000") < 0,
	   "no pvpanic device (--no-pvpanic): no node");
	c.nr_cpus = 9;
	ok(arm64_fdt_build(&c, fdt, sizeof(fdt)) == -EINVAL,
	   "GICv2 with 9 CPUs: -EINVAL");
	c.nr_cpus = 0;
	ok(arm64_fdt_build(&c, fdt, sizeof(fdt)) == -EINVAL, "0 CPUs: -EINVAL");
	c = base_config();
	ok(arm64_fdt_build(&c, fdt, 256) == -ENOSPC,
	   "a 256-byte buffer: -ENOSPC");
}

static void test_lines_and_virtio(void)
{
	static const struct vm_virtio_window bad[] = { { 0x0a000000, 0x200, 5 } };
	struct arm64_fdt_config c;
	int l, n;

	l = arch_irq_next_line(-1);
	ok(l == (int)((1u << 24) | 33) && arm64_irq_line_spi(l) == 1,
	   "first device line: SPI 1 (INTID 33) in KVM_IRQ_LINE's encoding");
	ok(arm64_irq_line_spi(arch_irq_next_line(l)) == 2, "next: SPI 2");
	for (n = 0; l >= 0; n++)
		l = arch_irq_next_line(l);
	ok(n == ARM64_NR_SPIS - 1, "%d device lines, then none", n);
	ok(arm64_irq_line_spi(13) == -1 && arm64_irq_line_spi((2u << 24) | 40)
	   == -1, "PPI or CPU encodings are not SPIs");
	ok(arch_irq_default_routes(NULL, 0) == 0, "no default routes");

	c = base_config();
	c.virtio = bad;
	c.nr_virtio = 1;
	ok(arm64_fdt_build(&c, fdt, sizeof(fdt)) == -EINVAL,
	   "a window whose line is not an SPI: -EINVAL");
}

int main(void)
{
	log_set_level(LOG_ERROR);
	test_tree_v3();
	test_dtc();
	test_tree_v2_and_errors();
	test_lines_and_virtio();
	return tap_done();
}
