// SPDX-License-Identifier: GPL-2.0
/*
 * Names to O_PATH fds beneath the share's root, never following a
 * symbolic link: openat2() with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
 * (which implies RESOLVE_NO_MAGICLINKS) where the kernel has it, a walk
 * of one O_NOFOLLOW component at a time where it does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "9p-fs-int.h"

#define PATH_FLAGS	(O_PATH | O_NOFOLLOW | O_CLOEXEC)

void p9fs_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* 1: done (fd or -errno in *ret); 0: no openat2 here, fall back. */
static int try_openat2(struct p9fs *fs, int dirfd, const char *path, int *ret)
{
	struct open_how how = {
		.flags = PATH_FLAGS,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (fs->no_openat2)
		return 0;
	fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		return 0;
	/* -EAGAIN: a rename raced the lookup; one more try, then give up. */
	if (fd < 0 && errno == EAGAIN)
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	*ret = fd < 0 ? -errno : (int)fd;
	return 1;
}

static bool dot_or_dotdot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') ||
	       (len == 2 && name[0] == '.' && name[1] == '.');
}

int p9fs_lookup(struct p9fs *fs, int dirfd, const char *name)
{
	int fd;

	/* A single component: "..", "/" and "" never reach here. */
	if (!*name || strchr(name, '/') || dot_or_dotdot(name, strlen(name)))
		return -EINVAL;
	if (try_openat2(fs, dirfd, name, &fd))
		return fd;
	fd = openat(dirfd, name, PATH_FLAGS);
	return fd < 0 ? -errno : fd;
}

/* The fallback: each component O_NOFOLLOW, each one but the last a dir. */
static int resolve_walk(struct p9fs *fs, const char *path)
{
	char name[NAME_MAX + 1];
	const char *p = path;
	int cur, next;
	struct stat st;

	cur = fcntl(fs->root_fd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0)
		return -errno;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len > NAME_MAX || dot_or_dotdot(p, len) || !len) {
			close(cur);
			return -EINVAL;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (*p)
			p++;
		if (fstat(cur, &st)) {
			next = -errno;
			close(cur);
			return next;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(cur);
			return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
		}
		next = openat(cur, name, PATH_FLAGS);
		close(cur);
		if (next < 0)
			return -errno;
		cur = next;
	}
	return cur;
}

int p9fs_resolve(struct p9fs *fs, const char *path)
{
	int fd;

	if (!*path) {
		fd = fcntl(fs->root_fd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	if (path[0] == '/')
		return -EINVAL;
	if (try_openat2(fs, fs->root_fd, path, &fd))
		return fd;
	return resolve_walk(fs, path);
}
