// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock helpers: the kernel's ABI version, the rights it handles, and
 * the user-mode network thread's confinement. Landlock restricts the
 * thread that asks and the threads it starts afterwards, nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

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

/* The rights Landlock takes on a rule for a file, not a directory. */
#define LL_FILE		(LANDLOCK_ACCESS_FS_EXECUTE | \
			 LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_TRUNCATE | \
			 LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* One rule; a path that does not exist is no error (no rule). */
static int add_rule(int ruleset, const struct landlock_rule *r, u64 handled)
{
	struct landlock_path_beneath_attr rule = {
		.allowed_access = r->access & handled,
	};
	struct stat st;
	int err = 0;

	rule.parent_fd = open(r->path, O_PATH | O_CLOEXEC);
	if (rule.parent_fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	if (fstat(rule.parent_fd, &st))
		err = -errno;
	else if (!S_ISDIR(st.st_mode))
		rule.allowed_access &= LL_FILE;
	/* EBADFD: a pipe or socket (/dev/stdout), which Landlock never limits. */
	if (!err && rule.allowed_access &&
	    syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		    &rule, 0) && errno != EBADFD)
		err = -errno;
	close(rule.parent_fd);
	return err;
}

int landlock_enforce(int ruleset)
{
	int ret = 1;

	/* Per thread, like the restriction itself. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0))
		ret = -errno;
	close(ruleset);
	return ret;
}

int landlock_only(const struct landlock_rule *rules, unsigned int nr,
		  const char **why)
{
	struct landlock_ruleset_attr attr = { 0 };
	unsigned int i;
	int abi, fd, ret = 0;

	abi = landlock_abi(why);
	if (abi <= 0)
		return abi;
	attr.handled_access_fs = landlock_fs_rights(abi);
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < nr && !ret; i++)
		if (rules[i].path)
			ret = add_rule(fd, &rules[i], attr.handled_access_fs);
	if (!ret)
		return landlock_enforce(fd);
	close(fd);
	return ret;
}

/*
 * struct landlock_ruleset_attr as of ABI 6, whose handled_access_net and
 * scoped the system's header may not have yet (an older kernel takes it
 * while the fields it does not know are 0).
 */
struct ll_ruleset_attr {
	u64 handled_access_fs;
	u64 handled_access_net;
	u64 scoped;
};

/*
 * Reading the file that fd (O_PATH) is, or the files beneath it. A rule
 * refused: none, and the thread is confined all the same.
 */
static void add_read_rule(int ruleset, int fd)
{
	struct landlock_path_beneath_attr rule = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
		.parent_fd = fd,
	};

	syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		&rule, 0);
}

/*
 * Reading path's file, where path leads (a link followed: the rule is on
 * the file it resolves to now), if that is a regular file; else, and
 * whatever fails on the way (a loop of links, a component not to be
 * searched), no rule: the thread is confined all the same.
 */
static void add_read_file(int ruleset, const char *path)
{
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		add_read_rule(ruleset, fd);
	close(fd);
}

/*
 * The resolver managers' own directories, which hold their files alone
 * and get a new one renamed in on every change. A rule on a directory
 * covers its whole tree, so only these, by name: never where a link
 * happens to lead (a home directory, /etc/ssl, a share).
 */
static const char *const resolver_dirs[] = {
	"/run/systemd/resolve", "/run/resolvconf", "/run/NetworkManager",
	"/run/connman",
};

bool landlock_resolver_dir_known(const char *dir)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(resolver_dirs); i++)
		if (!strcmp(dir, resolver_dirs[i]))
			return true;
	return false;
}

/*
 * Where resolv is a symbolic link into one of resolver_dirs, that
 * directory's files: the manager's updates read. No rule otherwise.
 */
static void add_link_dir(int ruleset, const char *resolv)
{
	char *real, *slash;
	struct stat st;
	int fd;

	if (lstat(resolv, &st) || !S_ISLNK(st.st_mode))
		return;
	real = realpath(resolv, NULL);
	if (!real)
		return;
	slash = strrchr(real, '/');
	if (slash)
		*slash = '\0';
	if (!slash || !landlock_resolver_dir_known(real)) {
		free(real);
		return;
	}
	fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(real);
	if (fd < 0)
		return;
	add_read_rule(ruleset, fd);
	close(fd);
}

int landlock_user_net(const char *resolv, const char **why)
{
	struct ll_ruleset_attr attr = { 0 };
	int abi, fd;

	abi = landlock_abi(why);
	if (abi <= 0)
		return abi;
	attr.handled_access_fs = landlock_fs_rights(abi);
	/*
	 * TCP binds: none, not even port 0 (an ephemeral port). The hostfwd
	 * listeners were bound before the thread started, and libslirp binds
	 * no TCP socket for the guest's connections (4.7: only for an
	 * outbound address, its FTP/IRC emulation or a Unix socket's
	 * forward, none of which lkvm sets). TCP connects are not handled:
	 * the guest's NAT reaches any address and port. Landlock sees TCP
	 * only (not MPTCP or SCTP, not UDP, not listen() on an unbound
	 * socket): lkvm-net's seccomp filter refuses those sockets and every
	 * bind and listen (lib/seccomp-policy.c, g_net); this is a second
	 * wall for TCP.
	 */
	if (abi >= LANDLOCK_ABI_NET)
		attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP;
	else
		*why = "Landlock before ABI 4 (Linux 6.7) cannot restrict TCP binds";
	/*
	 * Scopes, a second wall behind the filter, which refuses Unix
	 * sockets, kill() and fcntl(F_SETOWN) (a socket's SIGIO aimed at
	 * another process): no connect to an abstract Unix socket made
	 * outside this domain, no signal to another process. The signal
	 * scope only from ABI 7: on 6.12 to 6.14 it also refused the thread
	 * lkvm's other threads, until a fix (Landlock's erratum 2).
	 */
	if (abi >= LANDLOCK_ABI_SCOPE)
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	if (abi >= LANDLOCK_ABI_SIGNAL)
		attr.scoped |= LANDLOCK_SCOPE_SIGNAL;
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -errno;
	add_read_file(fd, resolv);
	add_link_dir(fd, resolv);
	return landlock_enforce(fd);
}
