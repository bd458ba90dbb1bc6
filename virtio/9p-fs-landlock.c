// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock for a 9p worker thread: after this, the thread (and nothing
 * else in lkvm) can open, make or remove files only beneath the shares,
 * and only read beneath a read-only one. It is a second wall behind the
 * resolver, for the day the resolver has a bug.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "9p-fs-int.h"
#include "landlock.h"

#define LL_READ		(LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_READ_DIR)

int p9fs_landlock_thread(struct p9fs *const *shares, unsigned int nr,
			 const char **why)
{
	struct landlock_ruleset_attr attr = { 0 };
	struct landlock_path_beneath_attr rule;
	unsigned int i;
	int abi, fd, ret;

	abi = landlock_abi(why);
	if (abi <= 0)
		return abi;
	attr.handled_access_fs = landlock_fs_rights(abi);
	fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < nr; i++) {
		rule.parent_fd = shares[i]->root_fd;
		rule.allowed_access = shares[i]->readonly ?
				      LL_READ : attr.handled_access_fs;
		if (syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH,
			    &rule, 0)) {
			ret = -errno;
			close(fd);
			return ret;
		}
	}
	return landlock_enforce(fd);
}
