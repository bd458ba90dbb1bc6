// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 boot pieces without KVM: the Image header parser and placement
 * (vmm/arm64/image.c), and MMIO exit completion (vmm/arm64/cpu.c with the
 * common exit path): a read is answered in run->mmio.data alone, and lkvm
 * never moves the PC -- KVM already has. Runs under qemu-aarch64-static.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "arch.h"
#include "log.h"
#include "vcpu.h"
#include "arm64/arm64-vm.h"

#define RAM_SIZE (64 * SZ_1M)

static void put_le64(u8 *p, u64 v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static u8 *image(size_t len, u64 text, u64 size, u64 flags)
{
	u8 *k = calloc(1, len);

	k[0] = 0x4d;		/* code0: "MZ" for EFI stubs, any value */
	k[1] = 0x5a;
	put_le64(k + 8, text);
	put_le64(k + 16, size);
	put_le64(k + 24, flags);
	memcpy(k + 56, "ARM\x64", 4);
	k[len - 1] = 0xee;
	return k;
}

static void test_header(void)
{
	struct arm64_image img;
	const char *why = NULL;
	u8 *k = image(4096, 0x0, 0x1400000, 0xa);

	ok(arm64_image_parse(k, 4096, &img, &why) == 0 &&
	   img.text_offset == 0 && img.image_size == 0x1400000 &&
	   img.page_size_kb == 4 && img.anywhere && !img.big_endian,
	   "header: text_offset 0, 20 MiB image, 4K pages, anywhere (little-endian fields)");
	k[24] = 0x1;
	ok(arm64_image_parse(k, 4096, &img, &why) == -EINVAL && img.big_endian,
	   "big-endian kernel refused: %s", why);
	free(k);
	k = image(4096, 0x12345, 0, 0);
	ok(arm64_image_parse(k, 4096, &img, &why) == 0 &&
	   img.text_offset == ARM64_IMAGE_DEFAULT_TEXT,
	   "image_size 0 (pre-3.17): text_offset taken as 0x80000");
	free(k);
	k = image(4096, 0x1234, 0x100000, 0);
	ok(arm64_image_parse(k, 4096, &img, &why) == -EINVAL,
	   "unaligned text_offset refused: %s", why);
	k[56] = 'X';
	ok(arm64_image_parse(k, 4096, &img, &why) == -EINVAL,
	   "no magic: %s", why);
	ok(arm64_image_parse(k, 63, &img, &why) == -EINVAL,
	   "63 bytes: %s", why);
	free(k);
}

static void test_placement(void)
{
	struct guest_mem mem = { 0 };
	u8 *ram = calloc(1, RAM_SIZE), *k, initrd[5000];
	struct arm64_boot b;
	int r;

	if (!ram || guest_mem_add(&mem, ARM64_RAM_BASE, RAM_SIZE, ram, false))
		abort();
	memset(initrd, 0x77, sizeof(initrd));
	k = image(0x300000, 0x80000, 0x600000, 0);
	r = arm64_load_image(&mem, ARM64_RAM_BASE, RAM_SIZE, k, 0x300000,
			     initrd, sizeof(initrd), &b);
	ok(r == 0 && b.kernel_start == ARM64_RAM_BASE + 0x80000 &&
	   b.entry == b.kernel_start && b.kernel_end == b.kernel_start +
	   0x600000, "kernel at RAM base + text_offset, end includes BSS");
	ok(ram[0x80000] == 0x4d && ram[0x80000 + 0x300000 - 1] == 0xee,
	   "kernel bytes copied");
	ok(b.dtb_start == ARM64_RAM_BASE + RAM_SIZE - SZ_2M &&
	   !(b.dtb_start & (SZ_2M - 1)), "device tree in the last 2 MiB block");
	ok(b.initrd_size == sizeof(initrd) && !(b.initrd_start & 0xfff) &&
	   b.initrd_start + sizeof(initrd) <= b.dtb_start &&
	   b.initrd_start >= b.kernel_end &&
	   ram[b.initrd_start - ARM64_RAM_BASE] == 0x77,
	   "initrd page-aligned below the device tree, above the kernel");
	r = arm64_load_image(&mem, ARM64_RAM_BASE, 4 * SZ_1M, k, 0x300000,
			     NULL, 0, &b);
	ok(r == -E2BIG, "4 MiB of RAM for a 6 MiB kernel: %s", b.error);
	r = arm64_load_image(&mem, ARM64_RAM_BASE, RAM_SIZE, k, 0x300000,
			     ram, RAM_SIZE - 8 * SZ_1M, &b);
	ok(r == -E2BIG, "initrd that does not fit: %s", b.error);
	memset(ram, 0xcc, RAM_SIZE);
	r = arm64_load_image(&mem, ARM64_RAM_BASE, RAM_SIZE, k, 0x300000,
			     initrd, RAM_SIZE - 8 * SZ_1M, &b);
	ok(r == -E2BIG && ram[0x80000] == 0xcc && ram[0x37ffff] == 0xcc,
	   "... and the kernel was not copied first");
	free(k);
	/* image_size that wraps the end address past 2^64 to 1 MiB. */
	k = image(0x1000, 0, 0x100000 - ARM64_RAM_BASE, 0);
	r = arm64_load_image(&mem, ARM64_RAM_BASE, RAM_SIZE, k, 0x1000,
			     initrd, sizeof(initrd), &b);
	ok(r == -E2BIG && ram[0] == 0xcc,
	   "image_size 2^64 - 2047 MiB: refused, not wrapped (%s)", b.error);
	free(k);
	k = image(0x1000, 0x1000, ~0ULL, 0);
	r = arm64_load_image(&mem, ARM64_RAM_BASE, RAM_SIZE, k, 0x1000,
			     NULL, 0, &b);
	ok(r == -E2BIG && ram[0x1000] == 0xcc, "image_size 2^64 - 1: refused");
	free(k);
	k = image(0x300000, 0x80000, 0x600000, 0);
	k[56] = 0;
	r = arm64_load_image(&mem, ARM64_RAM_BASE, RAM_SIZE, k, 0x300000,
			     NULL, 0, &b);
	ok(r == -EINVAL, "not an Image: %s", b.error);
	free(k);
	free(ram);
}

/* A device on the MMIO bus answering reads with its offset's bytes. */
static unsigned int dev_reads, dev_writes;
static u8 last_write[8];

static void dev_access(struct bus_dev *dev, struct vcpu *vcpu, u64 off,
		       u8 *data, u32 len, bool is_write)
{
	if (is_write) {
		dev_writes++;
		memcpy(last_write, data, len);
		return;
	}
	dev_reads++;
	for (u32 i = 0; i < len; i++)
		data[i] = 0xa0 + off + i;
}

static void test_mmio_completion(void)
{
	static struct vm_config cfg = { .nr_cpus = 1 };
	struct arm64_vm a = { .gic_fd = -1 };
	struct bus_dev dev = {
		.name = "test", .base = 0x0a100000, .len = 0x100,
		.access = dev_access,
	};
	struct kvm_run *run = calloc(1, sizeof(*run) + 4096), *before;
	struct vm vm = { .cfg = &cfg, .arch = &a };
	struct vcpu vcpu = { .vm = &vm, .fd = -1, .run = run };
	int r1, r2;

	before = calloc(1, sizeof(*run));
	bus_init(&vm.mmio_bus, "mmio");
	bus_register(&vm.mmio_bus, &dev);

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = 0x0a100010;
	run->mmio.len = 4;
	run->mmio.is_write = 0;
	memcpy(before, run, sizeof(*run));
	r1 = arch_handle_exit(&vcpu);
	r2 = r1 ? r1 : vcpu_handle_exit(&vcpu);
	ok(r1 == 0 && r2 == 1,
	   "MMIO read: not an arm64 exit, the common path completes it");
	ok(run->mmio.data[0] == 0xb0 && run->mmio.data[3] == 0xb3 &&
	   dev_reads == 1, "mmio.data holds the device's 4 bytes");
	memcpy(before->mmio.data, run->mmio.data, sizeof(run->mmio.data));
	ok(!memcmp(before, run, sizeof(*run)),
	   "nothing else in kvm_run changed");
	ok(atomic_load(&a.nr_reg_writes) == 0,
	   "no register written: the PC is KVM's to advance, not skipped twice");

	run->mmio.is_write = 1;
	memcpy(run->mmio.data, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	run->mmio.len = 8;
	r1 = arch_handle_exit(&vcpu);
	r2 = vcpu_handle_exit(&vcpu);
	ok(r1 == 0 && r2 == 1 && dev_writes == 1 && last_write[7] == 0x88 &&
	   atomic_load(&a.nr_reg_writes) == 0,
	   "MMIO write of 8 bytes reaches the device, no register written");

	run->exit_reason = KVM_EXIT_DEBUG;
	ok(arch_handle_exit(&vcpu) == 0,
	   "debug exit without --debug-single-step: not handled here");
	cfg.debug_single_step = true;
	ok(arch_handle_exit(&vcpu) == 1 && vcpu.nr_single_steps == 1 &&
	   atomic_load(&a.nr_debug_exits) == 1,
	   "with --debug-single-step: counted, the vCPU goes on");
	bus_destroy(&vm.mmio_bus);
	free(before);
	free(run);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	test_header();
	test_placement();
	test_mmio_completion();
	return tap_done();
}
