// SPDX-License-Identifier: GPL-2.0
/*
 * The calls that change the share: create, mkdir, mknod, symlink, link,
 * rename, unlink, remove; and readlink and fsync beside them. Every one
 * acts on single names beneath a directory fd; a read-only share gives
 * -EROFS before any system call (fsync: 0, and no host sync).
 *
 * Under the mapped model a new file is made 0600 (a directory 0700) for
 * the invoking user and the guest's owner, group and mode go into its
 * attribute; a device node, FIFO or socket is a regular file there whose
 * attribute carries the type and device numbers. Under passthrough the
 * host object gets them as asked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "9p-fs-int.h"

static bool is_dot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/*
 * A directory node and a new name in it, on a writable share, the
 * directory still beneath the share's root.
 */
static int dir_ok(struct p9fs *fs, const struct p9fs_node *dir,
		  const char *name)
{
	if (dir->pseudo)
		return -EACCES;
	if (fs->readonly)
		return -EROFS;
	if (dir->path_fd < 0 || !dir->path)
		return -EBADF;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (!p9fs_name_ok(name, strlen(name)))
		return -EINVAL;
	if (is_dot(name))
		return -EEXIST;
	return p9fs_beneath(fs, dir);
}

/* The guest's owner and mode for a new object at pfd (O_PATH). */
static int set_owner(struct p9fs *fs, int pfd, const struct stat *st,
		     u32 mode, const struct p9fs_cred *cred, dev_t rdev)
{
	char proc[P9FS_FD_PATH_LEN];
	struct p9fs_mapped m = {
		.mode = mode,
		.uid = cred->uid,
		.gid = cred->gid,
		.rdev = rdev,
	};
	int ret;

	if (fs->model == P9FS_MODEL_MAPPED) {
		if (S_ISLNK(st->st_mode))
			return 0;	/* no attributes on links */
		ret = p9fs_mapped_set(fs, pfd, st, &m);
		/* A host file system without user attributes: host values. */
		if (ret == -ENOTSUP && (S_ISREG(mode) || S_ISDIR(mode)))
			return 0;
		return ret;
	}
	if (fchownat(pfd, "", cred->uid, cred->gid,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (S_ISLNK(st->st_mode))
		return 0;
	/* Exactly as asked (the umask left out); after chown, which clears
	 * set-uid.
	 */
	if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)) {
		p9fs_fd_path(pfd, proc, sizeof(proc));
		if (chmod(proc, mode & 07777))
			return -errno;
	}
	return 0;
}

/* An O_PATH fd for the very inode fd holds. */
static int path_of(int fd)
{
	char proc[P9FS_FD_PATH_LEN];
	int pfd;

	p9fs_fd_path(fd, proc, sizeof(proc));
	pfd = open(proc, O_PATH | O_CLOEXEC);
	return pfd < 0 ? -errno : pfd;
}

/*
 * Finish a new object dir/name: its O_PATH fd is pfd (taken over);
 * expect says which type it must be. On failure the object is removed.
 */
static int finish_new(struct p9fs *fs, struct p9fs_node *dir,
		      const char *name, int pfd, mode_t expect, u32 mode,
		      const struct p9fs_cred *cred, dev_t rdev,
		      struct p9_qid *qid, struct stat *st)
{
	int ret;

	if (pfd < 0) {
		ret = pfd;
		goto undo;
	}
	if (fstat(pfd, st)) {
		ret = -errno;
		goto undo;
	}
	if ((st->st_mode & S_IFMT) != expect) {
		/* Swapped under us: not ours to remove. */
		close(pfd);
		return -ESTALE;
	}
	ret = set_owner(fs, pfd, st, mode, cred, rdev);
	if (!ret && qid)
		ret = p9fs_qid_from_stat(fs, st, qid);
	if (!ret)
		return pfd;
undo:
	if (pfd >= 0)
		close(pfd);
	unlinkat(dir->path_fd, name, S_ISDIR(expect) ? AT_REMOVEDIR : 0);
	return ret;
}

int p9fs_create(struct p9fs *fs, struct p9fs_node *dir, const char *name,
		u32 flags, u32 mode, const struct p9fs_cred *cred,
		struct p9_qid *qid)
{
	int hflags = p9fs_host_flags(flags);
	struct stat st;
	int fd, pfd, ret;
	char *path;

	ret = dir_ok(fs, dir, name);
	if (ret)
		return ret;
	if (hflags < 0)
		return hflags;
	if (dir->open_fd >= 0)
		return -EBUSY;
	path = p9fs_path_join(dir->path, name);
	if (!path)
		return -ENOMEM;
	fd = openat(dir->path_fd, name, hflags | O_CREAT | O_EXCL | O_NOFOLLOW,
		    fs->model == P9FS_MODEL_MAPPED ? 0600 : mode & 0777);
	if (fd < 0) {
		free(path);
		return -errno;
	}
	pfd = finish_new(fs, dir, name, path_of(fd), S_IFREG,
			 S_IFREG | (mode & 07777), cred, 0, qid, &st);
	if (pfd < 0) {
		close(fd);
		free(path);
		return pfd;
	}
	close(dir->path_fd);
	free(dir->path);
	dir->path_fd = pfd;
	dir->open_fd = fd;
	dir->mode = S_IFREG;
	dir->is_root = false;
	dir->path = path;
	return 0;
}

int p9fs_mkdir(struct p9fs *fs, struct p9fs_node *dir, const char *name,
	       u32 mode, const struct p9fs_cred *cred, struct p9_qid *qid)
{
	struct stat st;
	int ret, pfd;

	ret = dir_ok(fs, dir, name);
	if (ret)
		return ret;
	if (mkdirat(dir->path_fd, name,
		    fs->model == P9FS_MODEL_MAPPED ? 0700 : mode & 0777))
		return -errno;
	pfd = finish_new(fs, dir, name, p9fs_lookup(fs, dir->path_fd, name),
			 S_IFDIR, S_IFDIR | (mode & 07777), cred, 0, qid, &st);
	if (pfd < 0)
		return pfd;
	close(pfd);
	return 0;
}

int p9fs_mknod(struct p9fs *fs, struct p9fs_node *dir, const char *name,
	       u32 mode, u32 major, u32 minor, const struct p9fs_cred *cred,
	       struct p9_qid *qid)
{
	mode_t type = mode & S_IFMT;
	dev_t rdev = 0;
	struct stat st;
	int ret, fd, pfd;

	ret = dir_ok(fs, dir, name);
	if (ret)
		return ret;
	if (!type)
		type = S_IFREG;
	if (!S_ISREG(type) && !S_ISCHR(type) && !S_ISBLK(type) &&
	    !S_ISFIFO(type) && !S_ISSOCK(type))
		return -EINVAL;
	if (S_ISCHR(type) || S_ISBLK(type))
		rdev = makedev(major, minor);
	mode = type | (mode & 07777);
	if (fs->model == P9FS_MODEL_PASSTHROUGH) {
		if (mknodat(dir->path_fd, name, mode & ~07000, rdev))
			return -errno;
		pfd = finish_new(fs, dir, name,
				 p9fs_lookup(fs, dir->path_fd, name), type,
				 mode, cred, rdev, qid, &st);
	} else {
		/* Never a host device node: a file carrying the numbers. */
		fd = openat(dir->path_fd, name, O_RDONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		pfd = finish_new(fs, dir, name, path_of(fd), S_IFREG, mode,
				 cred, rdev, qid, &st);
		close(fd);
	}
	if (pfd < 0)
		return pfd;
	close(pfd);
	return 0;
}

int p9fs_symlink(struct p9fs *fs, struct p9fs_node *dir, const char *name,
		 const char *target, const struct p9fs_cred *cred,
		 struct p9_qid *qid)
{
	struct stat st;
	int ret, pfd;

	ret = dir_ok(fs, dir, name);
	if (ret)
		return ret;
	if (!*target)
		return -ENOENT;
	if (strlen(target) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (symlinkat(target, dir->path_fd, name))
		return -errno;
	pfd = finish_new(fs, dir, name, p9fs_lookup(fs, dir->path_fd, name),
			 S_IFLNK, S_IFLNK | 0777, cred, 0, qid, &st);
	if (pfd < 0)
		return pfd;
	close(pfd);
	return 0;
}

ssize_t p9fs_readlink(struct p9fs *fs, struct p9fs_node *n, char *buf,
		      size_t len)
{
	ssize_t r;

	if (n->path_fd < 0)
		return -EBADF;
	if (!S_ISLNK(n->mode))
		return -EINVAL;
	r = readlinkat(n->path_fd, "", buf, len);
	return r < 0 ? -errno : r;
}

/* The parent directory of n (O_PATH) and n's name in it, checked. */
static int parent_of(struct p9fs *fs, const struct p9fs_node *n,
		     const char **base, struct stat *st)
{
	struct stat cur;
	char *ppath;
	int pfd;

	if (n->path_fd < 0 || !n->path)
		return -EBADF;
	if (n->is_root || !*n->path)
		return -EBUSY;
	if (fstat(n->path_fd, st))
		return -errno;
	ppath = p9fs_path_parent(n->path, base);
	if (!ppath)
		return -ENOMEM;
	pfd = p9fs_resolve(fs, ppath);
	free(ppath);
	if (pfd < 0)
		return pfd;
	/* The name must still be this node, not what took its place. */
	if (fstatat(pfd, *base, &cur, AT_SYMLINK_NOFOLLOW) ||
	    cur.st_dev != st->st_dev || cur.st_ino != st->st_ino) {
		close(pfd);
		return -ESTALE;
	}
	return pfd;
}

int p9fs_link(struct p9fs *fs, struct p9fs_node *dir, struct p9fs_node *target,
	      const char *name)
{
	char proc[P9FS_FD_PATH_LEN];
	const char *base;
	struct stat st;
	int ret, pfd;

	ret = dir_ok(fs, dir, name);
	if (ret)
		return ret;
	if (target->path_fd < 0)
		return -EBADF;
	if (S_ISDIR(target->mode))
		return -EPERM;
	/* Nor a link into the share to what has left it. */
	ret = p9fs_beneath(fs, target);
	if (ret)
		return ret;
	/* The inode itself: needs CAP_DAC_READ_SEARCH. */
	if (!linkat(target->path_fd, "", dir->path_fd, name, AT_EMPTY_PATH))
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	if (S_ISREG(target->mode)) {
		p9fs_fd_path(target->path_fd, proc, sizeof(proc));
		if (!linkat(AT_FDCWD, proc, dir->path_fd, name,
			    AT_SYMLINK_FOLLOW))
			return 0;
		if (errno != ENOENT && errno != EPERM)
			return -errno;
	}
	/* A symlink or special file: by its name in its parent. */
	pfd = parent_of(fs, target, &base, &st);
	if (pfd < 0)
		return pfd;
	ret = linkat(pfd, base, dir->path_fd, name, 0) ? -errno : 0;
	close(pfd);
	return ret;
}

/* The share paths a rename moves from and to: 0, or -ENOMEM (none kept). */
static int moved_paths(const char *from_dir, const char *from_name,
		       const char *to_dir, const char *to_name,
		       struct p9fs_move *mv)
{
	mv->from = from_name ? p9fs_path_join(from_dir, from_name) :
		   strdup(from_dir);
	mv->to = p9fs_path_join(to_dir, to_name);
	if (mv->from && mv->to)
		return 0;
	p9fs_move_free(mv);
	return -ENOMEM;
}

void p9fs_move_free(struct p9fs_move *mv)
{
	free(mv->from);
	free(mv->to);
	mv->from = NULL;
	mv->to = NULL;
}

int p9fs_renameat(struct p9fs *fs, struct p9fs_node *olddir,
		  const char *oldname, struct p9fs_node *newdir,
		  const char *newname, struct p9fs_move *mv)
{
	int ret;

	ret = dir_ok(fs, olddir, oldname);
	if (!ret)
		ret = dir_ok(fs, newdir, newname);
	if (ret)
		return ret == -EEXIST ? -EINVAL : ret;
	if (mv) {
		ret = moved_paths(olddir->path, oldname, newdir->path, newname,
				  mv);
		if (ret)
			return ret;
	}
	if (renameat(olddir->path_fd, oldname, newdir->path_fd, newname)) {
		ret = -errno;
		if (mv)
			p9fs_move_free(mv);
		return ret;
	}
	return 0;
}

int p9fs_rename(struct p9fs *fs, struct p9fs_node *n,
		struct p9fs_node *newdir, const char *name,
		struct p9fs_move *mv)
{
	const char *base;
	struct stat st;
	char *path;
	int ret, pfd;

	ret = dir_ok(fs, newdir, name);
	if (ret)
		return ret == -EEXIST ? -EINVAL : ret;
	pfd = parent_of(fs, n, &base, &st);
	if (pfd < 0)
		return pfd;
	path = p9fs_path_join(newdir->path, name);
	ret = !path ? -ENOMEM :
	      mv ? moved_paths(n->path, NULL, newdir->path, name, mv) : 0;
	if (ret) {
		free(path);
		close(pfd);
		return ret;
	}
	if (renameat(pfd, base, newdir->path_fd, name)) {
		ret = -errno;
		close(pfd);
		free(path);
		if (mv)
			p9fs_move_free(mv);
		return ret;
	}
	close(pfd);
	free(n->path);
	n->path = path;
	return 0;
}

int p9fs_node_moved(struct p9fs_node *n, const char *from, const char *to)
{
	size_t fl;
	char *p;

	if (!n->path || n->is_root)
		return 0;
	if (!from || !to) {
		free(n->path);
		n->path = NULL;
		return 1;
	}
	fl = strlen(from);
	if (strncmp(n->path, from, fl) || (n->path[fl] && n->path[fl] != '/'))
		return 0;
	p = malloc(strlen(to) + strlen(n->path + fl) + 1);
	if (p) {
		strcpy(p, to);
		strcat(p, n->path + fl);
	}
	free(n->path);
	n->path = p;		/* NULL: lost, as above */
	return 1;
}

int p9fs_unlinkat(struct p9fs *fs, struct p9fs_node *dir, const char *name,
		  u32 flags)
{
	int ret;

	ret = dir_ok(fs, dir, name);
	if (ret)
		return ret == -EEXIST ? -EINVAL : ret;
	if (flags & ~(u32)AT_REMOVEDIR)
		return -EINVAL;
	if (unlinkat(dir->path_fd, name, flags))
		return -errno;
	return 0;
}

int p9fs_remove(struct p9fs *fs, struct p9fs_node *n)
{
	const char *base;
	struct stat st;
	int pfd, ret;

	if (fs->readonly)
		return -EROFS;
	pfd = parent_of(fs, n, &base, &st);
	if (pfd < 0)
		return pfd;
	ret = unlinkat(pfd, base, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) ?
	      -errno : 0;
	close(pfd);
	return ret;
}

int p9fs_fsync(struct p9fs *fs, struct p9fs_node *n, bool datasync)
{
	if (n->open_fd < 0)
		return -EBADF;
	/*
	 * Nothing the guest wrote: a sync would only force out the host's
	 * own dirty data, and on ext4 a journal commit or a disk cache
	 * flush each time, as often as the guest asks.
	 */
	if (fs->readonly)
		return 0;
	if (datasync ? fdatasync(n->open_fd) : fsync(n->open_fd))
		return -errno;
	return 0;
}
