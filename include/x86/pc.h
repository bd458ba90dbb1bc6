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

/* The DSDT nodes of the devices made, in order; *nr of them. */
struct x86_dsdt_node;
const struct x86_dsdt_node *pc_dsdt_nodes(struct vm *vm, unsigned int *nr);

/* Command-line words the devices need (virtio-mmio), "" when none. */
const char *pc_cmdline_extra(struct vm *vm);

/*
 * Free the PC device block (and the virtio one), from arch_vm_destroy():
 * the lifecycle list has destroyed the devices in it by then, at every
 * exit (a failed vm_create() too).
 */
void pc_devices_free(struct vm *vm);

#endif
