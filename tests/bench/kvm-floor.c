// SPDX-License-Identifier: GPL-2.0
/*
 * The floor for lkvm's start-up: the KVM calls an x86 VMM needs and no
 * more (VM, 64 MiB memslot, TSS, in-kernel irqchip, PIT2, CPUID, one vCPU,
 * a few real-mode guest instructions ending in an OUT), then exit.
 *
 *   kvm-floor            memslot before the irqchip (lkvm's order)
 *   kvm-floor irqchip    irqchip before the memslot
 *   kvm-floor bare       no irqchip or PIT at all
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE (64UL << 20)

static void check(int r, const char *what)
{
	if (r < 0) {
		perror(what);
		exit(1);
	}
}

static void make_irqchip(int vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	check(ioctl(vm, KVM_CREATE_IRQCHIP, 0), "KVM_CREATE_IRQCHIP");
	check(ioctl(vm, KVM_CREATE_PIT2, &pit), "KVM_CREATE_PIT2");
}

int main(int argc, char **argv)
{
	/* mov $0x2a, %al; out %al, $0xf4; hlt */
	static const unsigned char code[] = { 0xb0, 0x2a, 0xe6, 0xf4, 0xf4 };
	const char *mode = argc > 1 ? argv[1] : "memslot";
	struct kvm_userspace_memory_region region;
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	int kvm, vm, vcpu;
	long run_size;
	void *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	check(kvm, "/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	check(vm, "KVM_CREATE_VM");
	check(ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL), "KVM_SET_TSS_ADDR");
	if (!strcmp(mode, "irqchip"))
		make_irqchip(vm);

	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		check(-1, "mmap");
	memcpy((char *)mem + 0x1000, code, sizeof(code));
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (unsigned long)mem,
	};
	check(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region),
	      "KVM_SET_USER_MEMORY_REGION");
	if (!strcmp(mode, "memslot"))
		make_irqchip(vm);

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	check(vcpu, "KVM_CREATE_VCPU");
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	cpuid->nent = 256;
	check(ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid), "KVM_GET_SUPPORTED_CPUID");
	check(ioctl(vcpu, KVM_SET_CPUID2, cpuid), "KVM_SET_CPUID2");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		check(-1, "mmap run");

	check(ioctl(vcpu, KVM_GET_SREGS, &sregs), "KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	check(ioctl(vcpu, KVM_SET_SREGS, &sregs), "KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rflags = 2;
	check(ioctl(vcpu, KVM_SET_REGS, &regs), "KVM_SET_REGS");

	check(ioctl(vcpu, KVM_RUN, 0), "KVM_RUN");
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0xf4) {
		fprintf(stderr, "kvm-floor: unexpected exit %u\n",
			run->exit_reason);
		return 1;
	}
	return *((unsigned char *)run + run->io.data_offset) == 0x2a ? 0 : 1;
}
