// SPDX-License-Identifier: GPL-2.0
/*
 * Where control sockets live and who may use them: VM names, the socket
 * directory's rules, and the NAME.lock that makes one name one VM. Shared
 * by `lkvm run` (the server) and the control commands (the clients).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"

bool control_name_valid(const char *name)
{
	size_t i, len = strnlen(name, CONTROL_NAME_MAX + 1);

	if (len == 0 || len > CONTROL_NAME_MAX)
		return false;
	if (name[0] == '.' || name[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

const char *control_dir_refusal(int err)
{
	switch (err) {
	case -ELOOP:
		return "is a symbolic link";
	case -ENOTDIR:
		return "is not a directory";
	case -EPERM:
		return "is not owned by this user";
	case -EACCES:
		return "is writable by group or others";
	default:
		return NULL;
	}
}

/* The directory itself: ours, a real directory, writable by us alone. */
static int control_dir_check(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st))
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != geteuid())
		return -EPERM;
	if (st.st_mode & 0022)
		return -EACCES;
	return 0;
}

int control_dir(char *buf, size_t len, bool create)
{
	const char *lkvm_home = getenv("LKVM_HOME"), *home = getenv("HOME");
	int n;

	if (lkvm_home && *lkvm_home)
		n = snprintf(buf, len, "%s", lkvm_home);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.lkvm", home);
	else
		return -ENOENT;
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (create) {
		if (!mkdir(buf, 0700)) {
			/* 0700 whatever the umask says. */
			if (chmod(buf, 0700))
				return -errno;
		} else if (errno != EEXIST) {
			return -errno;
		}
	}
	return control_dir_check(buf);
}

int control_path(const char *name, const char *suffix, char *buf,
		 size_t len, bool create)
{
	char dir[CONTROL_PATH_MAX];
	int err, n;

	if (!control_name_valid(name))
		return -EINVAL;
	err = control_dir(dir, sizeof(dir), create);
	if (err)
		return err;
	n = snprintf(buf, len, "%s/%s%s", dir, name, suffix);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int control_lock(const char *name)
{
	char path[CONTROL_PATH_MAX];
	int fd, err;

	err = control_path(name, ".lock", path, sizeof(path), true);
	if (err)
		return err;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EEXIST : -errno;
		close(fd);
		return err;
	}
	return fd;
}

int control_remove_stale(const char *name)
{
	char path[CONTROL_PATH_MAX];
	int fd, err;

	/* Only with the name's lock: a VM starting now keeps its socket. */
	fd = control_lock(name);
	if (fd < 0)
		return fd;
	err = control_path(name, ".sock", path, sizeof(path), false);
	if (!err && unlink(path) && errno != ENOENT)
		err = -errno;
	close(fd);
	return err;
}
