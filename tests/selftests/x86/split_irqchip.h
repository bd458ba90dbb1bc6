/* SPDX-License-Identifier: GPL-2.0 */
/* What split_irqchip's host and guest share. */
#define SI_EDGE_VECTOR	0x40	/* KVM_SIGNAL_MSI, edge */
#define SI_LEVEL_VECTOR	0x45	/* irqfd on SI_GSI, level MSI route */
#define SI_GSI		5
#define SI_ROUNDS	16
