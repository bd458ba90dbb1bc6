// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock for a 9p worker thread: after this, the thread (and nothing
 * else in lkvm) can open, make or remove files only beneath the shares,
 * and only read beneath a read-only one. It is a second wall behind the
 * resolver, for the day the resolver has a bug.
 */
#include <errno.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "9p-fs-int.h"

/* ABI 3 and 5 rights, for headers older than the running kernel. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif

#define LL_READ		(LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_ABI1		(LANDLOCK_ACCESS_FS_EXECUTE | \
			 LANDLOCK_ACCESS_FS_WRITE_FILE | LL_READ | \
			 LANDLOCK_ACCESS_FS_REMOVE_DIR | \
			 LANDLOCK_ACCESS_FS_REMOVE_FILE | \
			 LANDLOCK_ACCESS_FS_MAKE_CHAR | \
			 LANDLOCK_ACCESS_FS_MAKE_DIR | \
			 LANDLOCK_ACCESS_FS_MAKE_REG | \
			 LANDLOCK_ACCESS_FS_MAKE_SOCK | \
			 LANDLOCK_ACCESS_FS_MAKE_FIFO | \
			 LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
			 LANDLOCK_ACCESS_FS_MAKE_SYM)

static u64 handled_for(int abi)
{
	u64 h = LL_ABI1;

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		h |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

int p9fs_landlock_thread(struct p9fs *const *shares, unsigned int nr,
			 const char **why)
{
	struct landlock_ruleset_attr attr = { 0 };
	struct landlock_path_beneath_attr rule;
	unsigned int i;
	int abi, fd, ret;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
		      LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		if (errno == ENOSYS) {
			*why = "the host kernel has no Landlock";
			return 0;
		}
		if (errno == EOPNOTSUPP) {
			*why = "Landlock is disabled on the host";
			return 0;
		}
		return -errno;
	}
	attr.handled_access_fs = handled_for(abi);
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
			goto out;
		}
	}
	/* Per thread, like the restriction itself. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		ret = -errno;
		goto out;
	}
	ret = syscall(SYS_landlock_restrict_self, fd, 0) ? -errno : 1;
out:
	close(fd);
	return ret;
}
