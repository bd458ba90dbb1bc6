// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock helpers: the kernel's ABI version, the rights it handles, and
 * the user-mode network thread's confinement. Landlock restricts the
 * thread that asks and the threads it starts afterwards, nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

/* ABI 3 and 5 rights, for headers older than the running kernel. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif

#define LL_ABI1		(LANDLOCK_ACCESS_FS_EXECUTE | \
			 LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_READ_DIR | \
			 LANDLOCK_ACCESS_FS_REMOVE_DIR | \
			 LANDLOCK_ACCESS_FS_REMOVE_FILE | \
			 LANDLOCK_ACCESS_FS_MAKE_CHAR | \
			 LANDLOCK_ACCESS_FS_MAKE_DIR | \
			 LANDLOCK_ACCESS_FS_MAKE_REG | \
			 LANDLOCK_ACCESS_FS_MAKE_SOCK | \
			 LANDLOCK_ACCESS_FS_MAKE_FIFO | \
			 LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
			 LANDLOCK_ACCESS_FS_MAKE_SYM)

int landlock_abi(const char **why)
{
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			       LANDLOCK_CREATE_RULESET_VERSION);

	if (abi > 0)
		return abi;
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

u64 landlock_fs_rights(int abi)
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

/* Reading files beneath dir; a missing dir is no error (no rule). */
static int allow_read_beneath(int ruleset, const char *dir)
{
	struct landlock_path_beneath_attr rule = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int err = 0;

	rule.parent_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rule.parent_fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		    &rule, 0))
		err = -errno;
	close(rule.parent_fd);
	return err;
}

/* The directory of path into buf ("." for a bare name). */
static void dir_of(const char *path, char *buf, size_t len)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(buf, len, "%s", dirname(copy));
}

int landlock_resolver(const char *resolv, const char **why)
{
	struct landlock_ruleset_attr attr = { 0 };
	char dir[PATH_MAX], target[PATH_MAX], *real;
	int abi, fd, ret;

	abi = landlock_abi(why);
	if (abi <= 0)
		return abi;
	attr.handled_access_fs = landlock_fs_rights(abi);
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -errno;
	dir_of(resolv, dir, sizeof(dir));
	ret = allow_read_beneath(fd, dir);
	/* A link (systemd-resolved's stub file): where it leads, too. */
	real = realpath(resolv, NULL);
	if (!ret && real) {
		dir_of(real, target, sizeof(target));
		if (strcmp(target, dir))
			ret = allow_read_beneath(fd, target);
	}
	free(real);
	if (ret)
		goto out;
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
