/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM's -d/--disk devices: one virtio-blk per disk, num_queues = vCPUs,
 * io_uring completions on the VM's I/O thread. The virtio registry
 * (vm-virtio.c) calls vm_disks_create() with its "add on the transport"
 * function.
 */
#ifndef LKVM_VM_DISKS_H
#define LKVM_VM_DISKS_H

#include "virtio/core.h"

struct vm;
struct vm_virtio;

typedef int (*vm_disks_add_fn)(struct vm_virtio *v,
			       struct virtio_device *vdev);

/* Prints one "lkvm: ..." line on failure; -errno. */
int vm_disks_create(struct vm *vm, struct vm_virtio *v, vm_disks_add_fn add);

#endif
