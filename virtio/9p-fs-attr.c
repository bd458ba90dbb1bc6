// SPDX-License-Identifier: GPL-2.0
/*
 * Tgetattr, Tsetattr and Tstatfs. Under the mapped model the guest's
 * owner, group and mode live in the file's attribute, and the host file
 * keeps the modes it was made with; under passthrough they are applied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "9p-fs-int.h"

/* Tgetattr's "basic" fields: mode..blocks. */
#define P9_GETATTR_BASIC	0x000007ffULL

static int node_stat(struct p9fs_node *n, struct stat *st)
{
	if (n->path_fd < 0)
		return -EBADF;
	if (fstatat(n->path_fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -errno;
	return 0;
}

int p9fs_getattr(struct p9fs *fs, struct p9fs_node *n, u64 mask,
		 struct p9_attr *out)
{
	struct p9fs_mapped m;
	struct stat st;
	int ret;

	ret = node_stat(n, &st);
	if (ret)
		return ret;
	ret = p9fs_mapped_get(fs, n->path_fd, &st, &m);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	ret = p9fs_qid_from_stat(fs, &st, &out->qid);
	if (ret)
		return ret;
	out->valid = P9_GETATTR_BASIC;
	out->mode = m.mode;
	out->uid = m.uid;
	out->gid = m.gid;
	out->rdev = m.rdev;
	out->nlink = st.st_nlink;
	out->size = st.st_size;
	out->blksize = st.st_blksize;
	out->blocks = st.st_blocks;
	out->atime_sec = st.st_atim.tv_sec;
	out->atime_nsec = st.st_atim.tv_nsec;
	out->mtime_sec = st.st_mtim.tv_sec;
	out->mtime_nsec = st.st_mtim.tv_nsec;
	out->ctime_sec = st.st_ctim.tv_sec;
	out->ctime_nsec = st.st_ctim.tv_nsec;
	return 0;
}

/*
 * statfs for a node the host cannot answer it for, from a directory on
 * the node's device: one st_dev is one superblock, so that directory's
 * answer is the node's. QEMU's 9p server (a host whose / is 9p) opens
 * the path O_RDONLY | O_NOFOLLOW to answer: a symbolic link gives ELOOP,
 * a socket ENXIO. The share's root first, else the directory the node's
 * path names; on another device, neither answers.
 */
static int statfs_beside(struct p9fs *fs, const struct p9fs_node *n,
			 struct statfs *s)
{
	const char *base;
	struct stat st;
	char *path;
	int fd, ret;

	if (fstat(fs->root_fd, &st))
		return -errno;
	if (st.st_dev == n->dev)
		return fs->host_statfs(fs->root_fd, s) ? -errno : 0;
	path = p9fs_path_parent(n->path, &base);
	if (!path)
		return -ENOMEM;
	fd = p9fs_resolve(fs, path);
	free(path);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st))
		ret = -errno;
	else if (!S_ISDIR(st.st_mode) || st.st_dev != n->dev)
		ret = -EXDEV;
	else
		ret = fs->host_statfs(fd, s) ? -errno : 0;
	close(fd);
	return ret;
}

int p9fs_statfs(struct p9fs *fs, struct p9fs_node *n, struct p9_statfs *out)
{
	struct statfs s;
	int ret;

	if (n->path_fd < 0 || !n->path)
		return -EBADF;
	if (fs->host_statfs(n->path_fd, &s)) {
		ret = -errno;
		/* The host's own error when no directory can answer. */
		if (n->is_root || statfs_beside(fs, n, &s))
			return ret;
	}
	memset(out, 0, sizeof(*out));
	out->type = s.f_type;
	out->bsize = s.f_bsize;
	out->blocks = s.f_blocks;
	out->bfree = s.f_bfree;
	out->bavail = s.f_bavail;
	out->files = s.f_files;
	out->ffree = s.f_ffree;
	memcpy(&out->fsid, &s.f_fsid, MIN(sizeof(out->fsid), sizeof(s.f_fsid)));
	out->namelen = s.f_namelen;
	return 0;
}

static int set_times(struct p9fs_node *n, const struct stat *st,
		     const struct p9_setattr *sa)
{
	char proc[P9FS_FD_PATH_LEN];
	struct timespec ts[2];
	int r;

	ts[0].tv_sec = sa->atime_sec;
	ts[0].tv_nsec = !(sa->valid & P9_SETATTR_ATIME) ? UTIME_OMIT :
			(sa->valid & P9_SETATTR_ATIME_SET) ? (long)sa->atime_nsec :
			UTIME_NOW;
	ts[1].tv_sec = sa->mtime_sec;
	ts[1].tv_nsec = !(sa->valid & P9_SETATTR_MTIME) ? UTIME_OMIT :
			(sa->valid & P9_SETATTR_MTIME_SET) ? (long)sa->mtime_nsec :
			UTIME_NOW;
	if (((sa->valid & P9_SETATTR_ATIME_SET) && sa->atime_nsec >= 1000000000) ||
	    ((sa->valid & P9_SETATTR_MTIME_SET) && sa->mtime_nsec >= 1000000000))
		return -EINVAL;
	if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)) {
		p9fs_fd_path(n->path_fd, proc, sizeof(proc));
		r = utimensat(AT_FDCWD, proc, ts, 0);
	} else {
		/* Links and special files: the inode itself, never opened. */
		r = utimensat(n->path_fd, "", ts,
			      AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	}
	return r ? -errno : 0;
}

static int set_size(struct p9fs_node *n, const struct stat *st, u64 size)
{
	char proc[P9FS_FD_PATH_LEN];

	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	if (size > (u64)INT64_MAX)
		return -EFBIG;
	p9fs_fd_path(n->path_fd, proc, sizeof(proc));
	return truncate(proc, size) ? -errno : 0;
}

/* Passthrough: the host file's own owner and mode. */
static int set_host_owner_mode(struct p9fs_node *n, const struct stat *st,
			       const struct p9_setattr *sa)
{
	char proc[P9FS_FD_PATH_LEN];

	if (sa->valid & (P9_SETATTR_UID | P9_SETATTR_GID)) {
		uid_t u = sa->valid & P9_SETATTR_UID ? sa->uid : (uid_t)-1;
		gid_t g = sa->valid & P9_SETATTR_GID ? sa->gid : (gid_t)-1;

		if (fchownat(n->path_fd, "", u, g,
			     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			return -errno;
	}
	if (sa->valid & P9_SETATTR_MODE) {
		if (S_ISLNK(st->st_mode))
			return -EOPNOTSUPP;
		p9fs_fd_path(n->path_fd, proc, sizeof(proc));
		if (chmod(proc, sa->mode & 07777))
			return -errno;
	}
	return 0;
}

/* Mapped: the attribute's owner and mode; the host file keeps its own. */
static int set_mapped_owner_mode(struct p9fs *fs, struct p9fs_node *n,
				 const struct stat *st,
				 const struct p9_setattr *sa)
{
	struct p9fs_mapped m;
	int ret;

	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) {
		/*
		 * No attribute on a link or a host special file: a change
		 * to what it already shows succeeds (cp -a, tar), any other
		 * is not supported.
		 */
		if ((sa->valid & P9_SETATTR_MODE) ||
		    ((sa->valid & P9_SETATTR_UID) && sa->uid != st->st_uid) ||
		    ((sa->valid & P9_SETATTR_GID) && sa->gid != st->st_gid))
			return -EOPNOTSUPP;
		return 0;
	}
	ret = p9fs_mapped_get(fs, n->path_fd, st, &m);
	if (ret)
		return ret;
	if (sa->valid & P9_SETATTR_UID)
		m.uid = sa->uid;
	if (sa->valid & P9_SETATTR_GID)
		m.gid = sa->gid;
	if (sa->valid & P9_SETATTR_MODE)
		m.mode = (m.mode & S_IFMT) | (sa->mode & 07777);
	return p9fs_mapped_set(fs, n->path_fd, st, &m);
}

int p9fs_setattr(struct p9fs *fs, struct p9fs_node *n,
		 const struct p9_setattr *sa)
{
	struct stat st;
	int ret;

	if (n->pseudo)
		return -EACCES;
	if (fs->readonly)
		return -EROFS;
	ret = p9fs_beneath(fs, n);
	if (!ret)
		ret = node_stat(n, &st);
	if (ret)
		return ret;
	if (sa->valid & (P9_SETATTR_MODE | P9_SETATTR_UID | P9_SETATTR_GID)) {
		ret = fs->model == P9FS_MODEL_MAPPED ?
		      set_mapped_owner_mode(fs, n, &st, sa) :
		      set_host_owner_mode(n, &st, sa);
		if (ret)
			return ret;
	}
	if (sa->valid & P9_SETATTR_SIZE) {
		ret = set_size(n, &st, sa->size);
		if (ret)
			return ret;
	}
	if (sa->valid & (P9_SETATTR_ATIME | P9_SETATTR_MTIME))
		return set_times(n, &st, sa);
	return 0;
}
