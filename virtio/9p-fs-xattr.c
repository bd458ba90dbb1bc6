// SPDX-License-Identifier: GPL-2.0
/*
 * Extended attributes: the mapped model's own (the guest's owner, group,
 * mode and device numbers of a file, kept in user.lkvm.attr), and the
 * ones the guest reads and writes, among which the model's never show.
 *
 * Attributes are reached through /proc/self/fd/N of the node's O_PATH fd,
 * which names exactly that inode; only regular files and directories are
 * touched that way (Linux keeps user.* attributes off symlinks and
 * special files anyway).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "9p-fs-int.h"

#define ATTR_MAGIC	0x314b4c	/* "LK1" */
#define ATTR_LEN	24

static bool plain_type(mode_t mode)
{
	return S_ISREG(mode) || S_ISDIR(mode);
}

static void put32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static u32 get32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

bool p9fs_xattr_hidden(const char *name)
{
	return !strncmp(name, P9FS_XATTR_PREFIX, strlen(P9FS_XATTR_PREFIX));
}

int p9fs_mapped_get(struct p9fs *fs, int path_fd, const struct stat *st,
		    struct p9fs_mapped *m)
{
	char proc[P9FS_FD_PATH_LEN];
	u8 buf[ATTR_LEN];
	mode_t type;
	ssize_t n;

	m->mode = st->st_mode;
	m->uid = st->st_uid;
	m->gid = st->st_gid;
	m->rdev = st->st_rdev;
	if (fs->model != P9FS_MODEL_MAPPED || !plain_type(st->st_mode))
		return 0;
	p9fs_fd_path(path_fd, proc, sizeof(proc));
	n = getxattr(proc, P9FS_XATTR_ATTR, buf, sizeof(buf));
	if (n < 0) {
		/*
		 * A host file the guest never changed, or one lkvm's user may
		 * not read (user.* attributes need read permission): its own
		 * values, as a stat would show them.
		 */
		if (errno == ENODATA || errno == ENOTSUP || errno == ERANGE ||
		    errno == EACCES || errno == EPERM)
			return 0;
		return -errno;
	}
	if (n != ATTR_LEN || get32(buf) != ATTR_MAGIC)
		return 0;
	type = get32(buf + 4) & S_IFMT;
	/* The host's type wins, but for the special files mknod made. */
	if (S_ISDIR(st->st_mode) || !(S_ISCHR(type) || S_ISBLK(type) ||
				     S_ISFIFO(type) || S_ISSOCK(type)))
		type = st->st_mode & S_IFMT;
	m->mode = type | (get32(buf + 4) & 07777);
	m->uid = get32(buf + 8);
	m->gid = get32(buf + 12);
	m->rdev = S_ISCHR(type) || S_ISBLK(type) ?
		  get32(buf + 16) | (u64)get32(buf + 20) << 32 : 0;
	return 0;
}

int p9fs_mapped_set(struct p9fs *fs, int path_fd, const struct stat *st,
		    const struct p9fs_mapped *m)
{
	char proc[P9FS_FD_PATH_LEN];
	u8 buf[ATTR_LEN];

	if (!plain_type(st->st_mode))
		return -EOPNOTSUPP;
	put32(buf, ATTR_MAGIC);
	put32(buf + 4, m->mode);
	put32(buf + 8, m->uid);
	put32(buf + 12, m->gid);
	put32(buf + 16, m->rdev);
	put32(buf + 20, m->rdev >> 32);
	p9fs_fd_path(path_fd, proc, sizeof(proc));
	if (setxattr(proc, P9FS_XATTR_ATTR, buf, sizeof(buf), 0))
		return -errno;
	return 0;
}

static int node_plain(struct p9fs_node *n, char *proc)
{
	if (n->path_fd < 0)
		return -EBADF;
	if (!plain_type(n->mode))
		return -EOPNOTSUPP;
	p9fs_fd_path(n->path_fd, proc, P9FS_FD_PATH_LEN);
	return 0;
}

/* The host's list without the model's names; its length. */
static ssize_t list_filtered(const char *proc, char *buf, size_t len)
{
	ssize_t n, out = 0;
	char *all, *p;

	n = listxattr(proc, NULL, 0);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	all = malloc(n);
	if (!all)
		return -ENOMEM;
	n = listxattr(proc, all, n);
	if (n < 0) {
		/* ERANGE: it grew meanwhile; the guest asks again. */
		out = errno == ERANGE ? -EAGAIN : -errno;
		goto done;
	}
	for (p = all; p < all + n; p += strlen(p) + 1) {
		size_t l = strnlen(p, all + n - p);

		if (p + l == all + n)
			break;		/* unterminated: not a name */
		if (p9fs_xattr_hidden(p))
			continue;
		if (len) {
			if ((size_t)out + l + 1 > len) {
				out = -ERANGE;
				goto done;
			}
			memcpy(buf + out, p, l + 1);
		}
		out += l + 1;
	}
done:
	free(all);
	return out;
}

ssize_t p9fs_xattr_get(struct p9fs *fs, struct p9fs_node *n, const char *name,
		       void *buf, size_t len)
{
	char proc[P9FS_FD_PATH_LEN];
	ssize_t r;
	int ret;

	if (n->pseudo)
		return -EACCES;
	ret = node_plain(n, proc);
	if (ret == -EOPNOTSUPP)
		return name ? -ENODATA : 0;	/* symlinks, special files */
	if (ret)
		return ret;
	if (!name)
		return list_filtered(proc, buf, len);
	if (p9fs_xattr_hidden(name))
		return -ENODATA;
	r = getxattr(proc, name, len ? buf : NULL, len);
	return r < 0 ? -errno : r;
}

int p9fs_xattr_set(struct p9fs *fs, struct p9fs_node *n, const char *name,
		   const void *val, size_t len, u32 flags)
{
	char proc[P9FS_FD_PATH_LEN];
	int ret;

	if (n->pseudo)
		return -EACCES;
	if (fs->readonly)
		return -EROFS;
	if (!name || p9fs_xattr_hidden(name))
		return -EPERM;
	/*
	 * The mapped model keeps the guest to the user namespace: trusted.*,
	 * security.* and system.* (ACLs) would act on the host's files.
	 */
	if (fs->model == P9FS_MODEL_MAPPED && strncmp(name, "user.", 5))
		return -EOPNOTSUPP;
	if (flags & ~(u32)(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	ret = node_plain(n, proc);
	if (!ret)
		ret = p9fs_beneath(fs, n);
	if (ret)
		return ret;
	if (!val)
		ret = removexattr(proc, name);
	else
		ret = setxattr(proc, name, val, len, flags);
	return ret ? -errno : 0;
}
