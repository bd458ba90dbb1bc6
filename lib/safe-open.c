// SPDX-License-Identifier: GPL-2.0
/* Open a host file after checking its type. See include/safe-open.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "safe-open.h"

const char *safe_open_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFBLK:
		return "a block device";
	case S_IFCHR:
		return "a character device";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "a file of unknown type";
	}
}

static bool type_ok(mode_t mode, unsigned int accept)
{
	return (S_ISREG(mode) && (accept & SAFE_OPEN_REG)) ||
	       (S_ISBLK(mode) && (accept & SAFE_OPEN_BLK));
}

/* Where fd leads, through /proc; -errno if /proc cannot say. */
static int fd_where(int fd, char *buf, size_t len)
{
	char link[40];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= len - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/*
 * Without openat2: refuse what RESOLVE_BENEATH would refuse on its face
 * (an absolute path, a ".." component), then check where the O_PATH fd
 * landed against where dirfd is (symlinks on the way), if /proc says.
 */
static int beneath_fallback(int dirfd, const char *path, int pfd)
{
	char *base, *where;
	const char *p = path;
	size_t bl;
	int ret;

	if (path[0] == '/')
		return -EXDEV;
	while (*p) {
		size_t l = strcspn(p, "/");

		if (l == 2 && p[0] == '.' && p[1] == '.')
			return -EXDEV;
		p += l;
		p += strspn(p, "/");
	}
	base = malloc(2 * PATH_MAX);
	if (!base)
		return -ENOMEM;
	where = base + PATH_MAX;
	if (dirfd == AT_FDCWD)
		ret = getcwd(base, PATH_MAX) ? 0 : -errno;
	else
		ret = fd_where(dirfd, base, PATH_MAX);
	if (!ret)
		ret = fd_where(pfd, where, PATH_MAX);
	if (ret) {
		/* No /proc: the lexical check is all there is. */
		free(base);
		return 0;
	}
	bl = strlen(base);
	if (bl && base[bl - 1] == '/')
		bl--;
	ret = strncmp(where, base, bl) || where[bl] != '/' ? -EXDEV : 0;
	free(base);
	return ret;
}

static int open_path(int dirfd, const char *path, unsigned int accept)
{
	int oflags = O_PATH | O_CLOEXEC;
	int fd, ret;

	if (accept & SAFE_OPEN_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if (accept & SAFE_OPEN_BENEATH) {
		struct open_how how = {
			.flags = oflags,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
		};

		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return -errno;
	}
	fd = openat(dirfd, path, oflags);
	if (fd < 0)
		return -errno;
	if (accept & SAFE_OPEN_BENEATH) {
		ret = beneath_fallback(dirfd, path, fd);
		if (ret) {
			close(fd);
			return ret;
		}
	}
	return fd;
}

/*
 * The inode behind pfd, opened for use. /proc/self/fd/N opens exactly
 * that inode; without /proc the name is opened again, non-blocking (a
 * FIFO swapped in meanwhile does not hang us), and checked by the caller.
 */
static int reopen(int pfd, int dirfd, const char *path, int flags,
		  unsigned int accept)
{
	char link[40];
	int fd, fl;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
	fd = open(link, flags);
	if (fd >= 0 || errno != ENOENT)
		return fd < 0 ? -errno : fd;
	fd = openat(dirfd, path, flags | O_NONBLOCK |
		    (accept & SAFE_OPEN_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0)
		return -errno;
	if (!(flags & O_NONBLOCK)) {
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK)) {
			fl = -errno;
			close(fd);
			return fl;
		}
	}
	return fd;
}

int safe_open(int dirfd, const char *path, int flags, unsigned int accept,
	      struct stat *st)
{
	struct stat s, s2;
	int pfd, fd, ret;

	pfd = open_path(dirfd, path, accept);
	if (pfd < 0)
		return pfd;
	if (fstat(pfd, &s)) {
		ret = -errno;
		goto out;
	}
	if (st)
		*st = s;
	if (S_ISLNK(s.st_mode)) {
		ret = -ELOOP;
		goto out;
	}
	if (!type_ok(s.st_mode, accept)) {
		ret = -EMEDIUMTYPE;
		goto out;
	}
	flags &= ~(O_NOFOLLOW | O_CREAT | O_TRUNC | O_PATH);
	fd = reopen(pfd, dirfd, path, flags | O_CLOEXEC | O_NOCTTY, accept);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	if (fstat(fd, &s2)) {
		ret = -errno;
		close(fd);
		goto out;
	}
	if (s2.st_dev != s.st_dev || s2.st_ino != s.st_ino) {
		/* Only the reopen by name can land elsewhere. */
		close(fd);
		ret = -ESTALE;
		goto out;
	}
	if (st)
		*st = s2;
	ret = fd;
out:
	close(pfd);
	return ret;
}
