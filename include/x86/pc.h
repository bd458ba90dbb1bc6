/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_PC_H
#define LKVM_X86_PC_H

#include "x86/boot.h"

/*
 * What the PC devices (vmm/x86_64/pc.c) tell the firmware tables and the
 * kernel command line.
 */
struct vm;

/* PCI INTx lines for the MP table: up to max into out; returns the count. */
unsigned int pc_pci_irqs(struct vm *vm, struct x86_mp_pci_irq *out,
			 unsigned int max);

/* Command-line words the devices need (virtio-mmio), "" when none. */
const char *pc_cmdline_extra(struct vm *vm);

/*
 * Free the PC device block (and the virtio one) when vm_create() failed:
 * no vCPU or I/O thread has run, and the buses, whose tables still point
 * into the block, are only freed after it.
 */
void pc_devices_free(struct vm *vm);

#endif
