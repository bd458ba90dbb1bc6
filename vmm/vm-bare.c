// SPDX-License-Identifier: GPL-2.0
/* A VM without devices or loader: fds, memslots and vCPUs only. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vcpu.h"
#include "vm-bare.h"

int vm_bare_create(struct vm *vm, const struct vm_config *cfg)
{
	long size;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = -1;
	bus_init(&vm->pio_bus, "pio");
	bus_init(&vm->mmio_bus, "mmio");
	vm->kvm_fd = open(cfg->dev_path, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return -errno;
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return -ENODEV;
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		return -ENODEV;
	vm->run_mmap_size = size;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return -errno;
	if (!cfg->nr_cpus)
		return -EINVAL;
	vm->vcpus = calloc(cfg->nr_cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	return 0;
}

int vm_bare_add_ram(struct vm *vm, u32 slot, u64 gpa, u64 size, u32 flags,
		    void **hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
	};
	void *p;
	int err;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	err = guest_mem_add(&vm->mem, gpa, size, p, flags & KVM_MEM_READONLY);
	if (err) {
		munmap(p, size);
		return err;
	}
	region.userspace_addr = (u64)(uintptr_t)p;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region))
		return -errno;
	if (hva)
		*hva = p;
	return 0;
}

int vm_bare_add_vcpu(struct vm *vm, unsigned int id, struct vcpu **out)
{
	struct vcpu *vcpu;
	void *run;

	if (vm->nr_vcpus >= vm->cfg->nr_cpus)
		return -ENOSPC;
	vcpu = &vm->vcpus[vm->nr_vcpus];
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return -errno;
	run = mmap(NULL, vm->run_mmap_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED) {
		int err = -errno;

		close(vcpu->fd);
		vcpu->fd = -1;
		return err;
	}
	vcpu->run = run;
	vm->nr_vcpus++;
	if (out)
		*out = vcpu;
	return 0;
}

void vm_bare_destroy(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
	for (i = 0; i < vm->mem.nr_regions; i++)
		munmap(vm->mem.regions[i].hva, vm->mem.regions[i].size);
	vm->mem.nr_regions = 0;
	bus_destroy(&vm->pio_bus);
	bus_destroy(&vm->mmio_bus);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
}
