// SPDX-License-Identifier: GPL-2.0
/*
 * The devices' parts of the descriptor budget (include/fd-budget.h): of
 * what lkvm's reserve leaves, the user-mode NICs' sockets first, at most
 * a quarter, then the 9p shares all the rest (their workers' requests'
 * descriptors, then their fids'), so that neither starves the other.
 */
#include "fd-budget.h"
#include "fd-limit.h"
#include "net-backend.h"
#include "types.h"
#include "virtio/9p.h"

/* The user-mode NICs: tap NICs hold no sockets for the guest. */
static unsigned int user_nics(const struct vm_config *cfg)
{
	unsigned int i, n = 0;

	if (cfg->default_nic && !cfg->nr_nets)
		return 1;
	for (i = 0; i < cfg->nr_nets; i++)
		n += cfg->nets[i].mode == NET_MODE_USER;
	return n;
}

void vm_fd_budget(const struct vm_config *cfg, unsigned long limit,
		  struct vm_fd_budget *b)
{
	unsigned int nics = user_nics(cfg);
	unsigned long n = fd_limit_share(limit, 4 * nics, 1), taken;

	/* Each NIC at most NET_USER_SOCKETS_MAX, and no fewer than 16. */
	n = MIN(n, (unsigned long)NET_USER_SOCKETS_MAX);
	b->nic_sockets = (unsigned int)MAX(n, 16UL);
	taken = nics * (unsigned long)b->nic_sockets;
	/*
	 * Each share's part holds its workers' descriptors of the moment
	 * (P9_REQ_FDS each) beside its fids': a guest keeping every worker
	 * busy takes nothing from lkvm's reserve.
	 */
	n = fd_limit_share(limit > taken ? limit - taken : 0,
			   cfg->nr_shares_9p, 1);
	b->share_fids = n > P9_SHARE_REQ_FDS ?
			(n - P9_SHARE_REQ_FDS) / P9_FID_FDS : 0;
}
