// SPDX-License-Identifier: GPL-2.0
/*
 * lib/fd-limit.c: the soft descriptor limit is raised to the hard one,
 * and the budget left for devices is what the reserve leaves, split.
 */
#include <sys/resource.h>

#include "fd-limit.h"
#include "tap.h"

int main(void)
{
	struct rlimit rl = { .rlim_cur = 300, .rlim_max = 1000 };

	ok(setrlimit(RLIMIT_NOFILE, &rl) == 0, "a soft limit of 300, hard 1000");
	ok(fd_limit_current() == 300, "fd_limit_current() reads 300");
	ok(fd_limit_raise() == 1000, "fd_limit_raise() raises it to the hard 1000");
	ok(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 1000,
	   "... and getrlimit() agrees");
	ok(fd_limit_raise() == 1000, "raising again changes nothing");
	ok(fd_limit_share(1000, 2, 2) == (1000 - FD_LIMIT_RESERVE) / 4,
	   "two shares of two descriptors a fid split what the reserve leaves");
	ok(fd_limit_share(FD_LIMIT_RESERVE, 1, 1) == 0 &&
	   fd_limit_share(100, 1, 1) == 0,
	   "nothing left at or below the reserve");
	ok(fd_limit_share(1000, 0, 2) == 0 && fd_limit_share(1000, 1, 0) == 0,
	   "no users or no descriptors a user: no budget, no division by zero");
	return tap_done();
}
