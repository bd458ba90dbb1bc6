// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/fd-budget.c: the user-mode NICs' sockets and the 9p shares' fids
 * and requests' descriptors (P9_SHARE_REQ_FDS each: every worker busy)
 * together stay within the descriptor limit, beside lkvm's reserve: the
 * NICs take at most a quarter of what the reserve leaves, the shares
 * the rest, so that neither starves the other; tap NICs take no part.
 */
#include <string.h>

#include "fd-budget.h"
#include "fd-limit.h"
#include "tap.h"
#include "virtio/9p.h"

static struct net_config nets[4];
static struct vm_config cfg;

/* That many user-mode NICs, tap NICs and 9p shares. */
static void set(unsigned int user, unsigned int tap, unsigned int shares)
{
	unsigned int i;

	memset(&cfg, 0, sizeof(cfg));
	memset(nets, 0, sizeof(nets));
	for (i = 0; i < user + tap; i++)
		nets[i].mode = i < user ? NET_MODE_USER : NET_MODE_TAP;
	cfg.nets = nets;
	cfg.nr_nets = user + tap;
	cfg.nr_shares_9p = shares;
}

/* The fids p9_server_limit_fids() keeps of share_fids. */
static unsigned long fids(const struct vm_fd_budget *b)
{
	return MAX(MIN(b->share_fids, (unsigned long)P9_MAX_FIDS),
		   (unsigned long)P9_MIN_FIDS);
}

int main(void)
{
	static const unsigned long limits[] = {
		300, 512, 1024, 2048, 4096, 8192, 13568, 65536, 1UL << 20,
	};
	unsigned int i, u, t, s, over = 0, starved = 0, short9p = 0, n = 0;
	unsigned long rest, nic, l;
	struct vm_fd_budget b, b2;

	for (i = 0; i < ARRAY_SIZE(limits); i++)
		for (u = 0; u <= 2; u++)
			for (t = 0; t <= 1; t++)
				for (s = 0; s <= 3; s++) {
					l = limits[i];
					set(u, t, s);
					vm_fd_budget(&cfg, l, &b);
					n++;
					nic = u ? MAX(MIN((l - FD_LIMIT_RESERVE) / 4 / u,
							  (unsigned long)NET_USER_SOCKETS_MAX),
						      16UL) : 0;
					if (u && b.nic_sockets != nic)
						starved++;
					/* The floors (16 sockets, 64 fids) aside. */
					if ((!u || b.nic_sockets > 16) &&
					    (!s || b.share_fids >= P9_MIN_FIDS) &&
					    FD_LIMIT_RESERVE + u * b.nic_sockets +
					    s * (P9_FID_FDS * fids(&b) +
						 P9_SHARE_REQ_FDS) > l)
						over++;
					rest = l - FD_LIMIT_RESERVE - u * nic;
					if (s && rest < l &&
					    rest / s > P9_SHARE_REQ_FDS &&
					    MIN((rest / s - P9_SHARE_REQ_FDS) /
						P9_FID_FDS,
						(unsigned long)P9_MAX_FIDS) >
					    fids(&b))
						short9p++;
				}
	ok(!over, "the NICs' sockets, the shares' fids and requests' descriptors and the reserve fit the limit (%u of %u over)",
	   over, n);
	ok(!starved, "each user-mode NIC has a quarter of what the reserve leaves, whatever the shares (%u of %u short)",
	   starved, n);
	ok(!short9p, "the shares have all that the NICs leave (%u of %u short)",
	   short9p, n);

	set(1, 0, 1);
	vm_fd_budget(&cfg, 1024, &b);
	ok(b.nic_sockets == 192 && fids(&b) == (576 - P9_SHARE_REQ_FDS) / 3,
	   "limit 1024, a user-mode NIC and a share: 192 sockets, (576 - %u) / 3 fids (%u, %lu)",
	   P9_SHARE_REQ_FDS, b.nic_sockets, fids(&b));
	set(1, 1, 1);
	vm_fd_budget(&cfg, 1024, &b2);
	ok(b2.nic_sockets == b.nic_sockets && b2.share_fids == b.share_fids,
	   "a tap NIC changes neither (%u, %lu)", b2.nic_sockets,
	   b2.share_fids);
	set(1, 0, 1);
	vm_fd_budget(&cfg, FD_LIMIT_RESERVE + NET_USER_SOCKETS_MAX +
		     P9_SHARE_REQ_FDS + P9_FID_FDS * P9_MAX_FIDS, &b);
	ok(b.nic_sockets == NET_USER_SOCKETS_MAX && fids(&b) == P9_MAX_FIDS,
	   "a limit of 256 + 1024 + 16 * 3 + 3 * 4096 gives a NIC and a share all they may hold (%u, %lu)",
	   b.nic_sockets, fids(&b));
	cfg.default_nic = true;
	cfg.nr_nets = 0;
	vm_fd_budget(&cfg, 1024, &b);
	ok(b.nic_sockets == 192, "the default NIC is a user-mode NIC (%u)",
	   b.nic_sockets);
	return tap_done();
}
