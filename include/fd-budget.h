/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The descriptors a VM's devices may hold for the guest, out of the
 * process's budget (include/fd-limit.h): each user-mode NIC's host
 * sockets (the NICs together at most a quarter of what lkvm's reserve
 * leaves, each at most NET_USER_SOCKETS_MAX and at least 16), then each
 * 9p share's requests' descriptors (P9_SHARE_REQ_FDS) and fids (the
 * shares together the rest). Their sum and the reserve stay within the
 * limit, but where those floors hold.
 */
#ifndef LKVM_FD_BUDGET_H
#define LKVM_FD_BUDGET_H

#include "config.h"

struct vm_fd_budget {
	unsigned int nic_sockets;	/* each user-mode NIC's, at most */
	/* Each 9p share's fids (p9_server_limit_fids() bounds them). */
	unsigned long share_fids;
};

/* cfg's devices' parts of a descriptor limit of @limit. */
void vm_fd_budget(const struct vm_config *cfg, unsigned long limit,
		  struct vm_fd_budget *b);

#endif
