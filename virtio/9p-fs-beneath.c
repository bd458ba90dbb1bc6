// SPDX-License-Identifier: GPL-2.0
/*
 * Is a node's object still beneath the share's root? A host process may
 * move a directory the guest holds a fid in out of the share (mv share/d
 * /tmp): the fid's O_PATH fd still reaches it. Landlock, where the host
 * has it, keeps create, open and remove from there, but not chmod, chown,
 * utimes or setxattr; every call of the file system side that changes an
 * object asks here first (read-only ones do not: what the fid could read
 * before the move it may still read).
 *
 * The cheap answer first: the node's path, resolved again beneath the
 * root, names the very inode its fd holds. Else, for a directory, its
 * ".." chain is climbed from the fd until the root (beneath: a host
 * rename inside the share) or the top of the host's tree (moved out).
 * A file whose path names something else is taken as moved out: its
 * parent cannot be found from the file itself.
 *
 * A host process racing the check (moving the directory out between the
 * check and the call) is not closed out, and the system calls there are
 * cannot make the check and the change one operation:
 *  - a call through a directory fd acts on that directory wherever it is
 *    by then; a fresh fd from openat2(RESOLVE_BENEATH) off the root just
 *    before the call is what the resolve above already is, the window
 *    stays;
 *  - only openat2 takes RESOLVE_* flags: mkdirat, mknodat, symlinkat,
 *    linkat, unlinkat, renameat2, fchownat, utimensat, chmod through
 *    /proc/self/fd and the xattr calls resolve with no such scope;
 *  - even openat2(O_CREAT, RESOLVE_BENEATH) of the whole path from the
 *    root does not: the kernel checks a scoped walk against renames only
 *    at "..", and checks that the end is under the root (complete_walk()'s
 *    path_is_under(), Linux 6.1 fs/namei.c) only for an open that does not
 *    create, so a directory moved out during the walk still gets the file.
 * What bounds it: the guest alone cannot move anything out of the share,
 * and Landlock, where the host has it, checks create, remove, rename and
 * link in the kernel at the call itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "9p-fs-int.h"

/* Steps up before giving up: deeper than any path the host can name. */
#define CLIMB_MAX	(PATH_MAX / 2)

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* 0: the directory fd is beneath the root; -ENOENT: it is not. */
static int climb(struct p9fs *fs, int fd, const struct stat *st)
{
	struct stat cur = *st, up;
	int i, next, ret = -ENOENT;

	fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < CLIMB_MAX; i++) {
		if (cur.st_dev == fs->root_dev && cur.st_ino == fs->root_ino) {
			ret = 0;
			break;
		}
		next = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (next < 0) {
			ret = -errno;
			break;
		}
		close(fd);
		fd = next;
		if (fstat(fd, &up)) {
			ret = -errno;
			break;
		}
		if (same_inode(&up, &cur))
			break;		/* the top: "/" is its own parent */
		cur = up;
	}
	close(fd);
	return ret;
}

/*
 * 0 if n's object is beneath the share's root. -ENOENT if it is not: for
 * the guest the object has left the share, as if it had been removed
 * (what the host's own chmod or touch on the old name would say). -ESTALE
 * when n lost its path (include/virtio/9p-fs.h: p9fs_node_moved()).
 */
int p9fs_beneath(struct p9fs *fs, const struct p9fs_node *n)
{
	struct stat a, b;
	int fd, ret;

	if (n->path_fd < 0)
		return -EBADF;
	if (!n->path)
		return -ESTALE;
	if (n->is_root)
		return 0;
	if (fstat(n->path_fd, &a))
		return -errno;
	fd = p9fs_resolve(fs, n->path);
	if (fd >= 0) {
		ret = fstat(fd, &b) ? -errno : 0;
		close(fd);
		if (ret)
			return ret;
		if (same_inode(&a, &b))
			return 0;
	}
	if (!S_ISDIR(a.st_mode))
		return -ENOENT;
	return climb(fs, n->path_fd, &a);
}
