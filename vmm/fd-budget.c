// SPDX-License-Identifier: GPL-2.0
/* The devices' parts of the descriptor budget (include/fd-budget.h). */
#include "fd-budget.h"
#include "fd-limit.h"
#include "net-backend.h"
#include "types.h"
#include "virtio/9p.h"

static unsigned int nics(const struct vm_config *cfg)
{
	unsigned int i, n = 0;

	if (cfg->default_nic && !cfg->nr_nets)
		return 1;
	for (i = 0; i < cfg->nr_nets; i++)
		n += cfg->nets[i].mode != NET_MODE_NONE;
	return n;
}

void vm_fd_budget(const struct vm_config *cfg, unsigned long limit,
		  struct vm_fd_budget *b)
{
	unsigned long n = fd_limit_share(limit, 4 * nics(cfg), 1);

	/*
	 * The NICs together at most a quarter of the descriptors beyond
	 * lkvm's reserve, each at most NET_USER_SOCKETS_MAX, and no fewer
	 * than 16.
	 */
	b->nic_sockets = (unsigned int)MAX(MIN(n, (unsigned long)NET_USER_SOCKETS_MAX),
					   16UL);
	b->share_fids = fd_limit_share(limit, cfg->nr_shares_9p, P9_FID_FDS);
}
