// SPDX-License-Identifier: GPL-2.0
/* The process's file descriptor budget (include/fd-limit.h). */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>

#include "fd-limit.h"
#include "log.h"

static unsigned long rlim_value(rlim_t v)
{
	return v == RLIM_INFINITY || v > ULONG_MAX ? ULONG_MAX :
						     (unsigned long)v;
}

/* RLIMIT_NOFILE into rl; on failure one warning and 1024 both ways. */
static void nofile_get(struct rlimit *rl)
{
	if (getrlimit(RLIMIT_NOFILE, rl)) {
		pr_warn("getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		rl->rlim_cur = rl->rlim_max = 1024;
	}
}

unsigned long fd_limit_current(void)
{
	struct rlimit rl;

	nofile_get(&rl);
	return rlim_value(rl.rlim_cur);
}

unsigned long fd_limit_raise(void)
{
	struct rlimit rl;
	rlim_t old;

	nofile_get(&rl);
	if (rl.rlim_cur == rl.rlim_max)
		return rlim_value(rl.rlim_cur);
	old = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		pr_debug("setrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		rl.rlim_cur = old;
	}
	return rlim_value(rl.rlim_cur);
}

unsigned long fd_limit_share(unsigned long limit, unsigned int users,
			     unsigned int per_user)
{
	if (limit <= FD_LIMIT_RESERVE || !users || !per_user)
		return 0;
	return (limit - FD_LIMIT_RESERVE) / users / per_user;
}
