// SPDX-License-Identifier: GPL-2.0
/*
 * A node's path found again from its descriptor, once it lost it
 * (p9fs_node_moved()). The kernel names the object an fd holds
 * (/proc/self/fd/N, as lkvm's mount namespace sees it: under --jail too,
 * where /proc is mounted and the share is bound at its host path), and
 * the share's root alike: what follows the root's name is the candidate.
 * It is taken only once it resolves beneath the root as every path does
 * (p9fs_resolve(): no symbolic link followed, nothing outside) to the
 * very inode the node's fd holds: the text never decides what is reached,
 * whatever names the guest gave its files. Not found again (-ESTALE): the
 * object was removed (the kernel's name then ends in " (deleted)"), left
 * the share, or was renamed during the lookup.
 *
 * Neither a file handle nor CAP_DAC_READ_SEARCH is needed: the node
 * keeps its object open (O_PATH), only its name is wanted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "9p-fs-int.h"

/* fd's name from the kernel, NUL-terminated in buf[PATH_MAX]: 0, -errno. */
static int fd_name(int fd, char *buf)
{
	char proc[P9FS_FD_PATH_LEN];
	ssize_t n;

	p9fs_fd_path(fd, proc, sizeof(proc));
	n = readlinkat(AT_FDCWD, proc, buf, PATH_MAX);
	if (n < 0)
		return -errno;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/* What of name lies below root ("" for the root itself), or NULL. */
static const char *below(const char *root, const char *name)
{
	size_t rl = strlen(root);

	if (name[0] != '/')
		return NULL;		/* "anon_inode:", not a path */
	if (!strcmp(root, "/"))
		return name + 1;
	if (strncmp(name, root, rl))
		return NULL;
	if (!name[rl])
		return name + rl;
	return name[rl] == '/' ? name + rl + 1 : NULL;
}

/* 0 if rel names, beneath the root, the inode st is: else -ESTALE. */
static int names(struct p9fs *fs, const char *rel, const struct stat *st)
{
	struct stat cur;
	int fd, ret;

	fd = p9fs_resolve(fs, rel);
	if (fd < 0)
		return -ESTALE;
	ret = fstat(fd, &cur) ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	if (cur.st_dev != st->st_dev || cur.st_ino != st->st_ino)
		return -ESTALE;
	return 0;
}

int p9fs_node_refind(struct p9fs *fs, struct p9fs_node *n)
{
	const char *rel;
	struct stat st;
	char *buf, *p;
	int ret;

	if (n->path)
		return 0;
	if (n->path_fd < 0)
		return -EBADF;
	if (fstat(n->path_fd, &st))
		return -errno;
	buf = malloc(2 * PATH_MAX);
	if (!buf)
		return -ENOMEM;
	ret = fd_name(fs->root_fd, buf);
	if (!ret)
		ret = fd_name(n->path_fd, buf + PATH_MAX);
	if (ret)
		goto out;
	rel = below(buf, buf + PATH_MAX);
	ret = rel ? names(fs, rel, &st) : -ESTALE;
	if (ret)
		goto out;
	p = strdup(rel);
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	n->path = p;
	n->is_root = !*p;
out:
	free(buf);
	return ret;
}
