// SPDX-License-Identifier: GPL-2.0
/*
 * The 9p server's file system side: a share, its nodes, walking, opening
 * and reading. See include/virtio/9p-fs.h for the rules it keeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "9p-fs-int.h"

/* 9P2000.L's open flags (Linux's x86 values, whatever the host's are). */
#define P9_DOTL_ACCMODE		00000003
#define P9_DOTL_TRUNC		00001000
#define P9_DOTL_APPEND		00002000
#define P9_DOTL_DSYNC		00010000
#define P9_DOTL_SYNC		04000000

/*
 * The kernel's own file systems (procfs, sysfs, debugfs, ...) are not
 * files: /proc/<pid>/mem reads a host process's memory, /proc/kmsg blocks
 * and drains the host's log, a read of an rpc_pipefs pipe (mounted at
 * /run/rpc_pipefs or /var/lib/nfs/rpc_pipefs, outside /proc and /sys)
 * takes the upcall meant for rpc.gssd. A share never reaches into one,
 * even when it is the host's "/" (the guest mounts its own /proc and
 * /sys).
 */
static const long p9fs_pseudo_fs[] = {
	PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC,
	SECURITYFS_MAGIC, BPF_FS_MAGIC, CGROUP_SUPER_MAGIC,
	CGROUP2_SUPER_MAGIC, EFIVARFS_MAGIC, PSTOREFS_MAGIC, DEVPTS_SUPER_MAGIC,
	BINFMTFS_MAGIC, SELINUX_MAGIC, SMACK_MAGIC, 0x62656570 /* configfs */,
	0x65735543 /* fusectl */, 0x67596969 /* rpc_pipefs */,
	0x6e667364 /* nfsd */,
};

/* 0, or -EACCES for an fd on a pseudo file system (-errno if unknown). */
int p9fs_check_fs(int (*host_statfs)(int fd, struct statfs *buf), int fd)
{
	struct statfs sfs;
	unsigned int i;

	if (host_statfs(fd, &sfs))
		return -errno;
	for (i = 0; i < ARRAY_SIZE(p9fs_pseudo_fs); i++)
		if ((long)sfs.f_type == p9fs_pseudo_fs[i])
			return -EACCES;
	return 0;
}

int p9fs_open_share(const struct p9fs_options *opt, struct p9fs **out,
		    const char **why)
{
	int (*host_statfs)(int fd, struct statfs *buf) =
		opt->host_statfs ? opt->host_statfs : fstatfs;
	struct p9fs *fs;
	struct stat st;
	int fd, ret;

	*out = NULL;
	if (opt->model == P9FS_MODEL_PASSTHROUGH && geteuid()) {
		*why = "the passthrough model needs root";
		return -EPERM;
	}
	fd = open(opt->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		*why = ret == -ENOTDIR ? "not a directory" :
		       ret == -ENOENT ? "no such directory" :
		       "cannot open the directory";
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		*why = "cannot stat the directory";
		goto err;
	}
	ret = p9fs_check_fs(host_statfs, fd);
	if (ret) {
		*why = ret == -EACCES ?
		       "a kernel pseudo file system (proc, sys, ...) is never shared" :
		       "cannot stat its file system";
		goto err;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		ret = -ENOMEM;
		*why = "out of memory";
		goto err;
	}
	fs->root_fd = fd;
	fs->root_dev = st.st_dev;
	fs->root_ino = st.st_ino;
	fs->readonly = opt->readonly;
	fs->model = opt->model;
	fs->no_openat2 = opt->no_openat2;
	fs->host_statfs = host_statfs;
	ret = p9fs_qid_init(&fs->qids, st.st_dev);
	if (ret) {
		free(fs);
		*why = "cannot make the qid map";
		goto err;
	}
	*out = fs;
	return 0;
err:
	close(fd);
	return ret;
}

void p9fs_close_share(struct p9fs *fs)
{
	if (!fs)
		return;
	p9fs_qid_destroy(&fs->qids);
	close(fs->root_fd);
	free(fs);
}

bool p9fs_readonly(const struct p9fs *fs)
{
	return fs->readonly;
}

bool p9fs_name_ok(const char *name, size_t len)
{
	return len && len <= NAME_MAX && !memchr(name, '/', len) &&
	       !memchr(name, '\0', len);
}

void p9fs_node_init(struct p9fs_node *n)
{
	memset(n, 0, sizeof(*n));
	n->path_fd = -1;
	n->open_fd = -1;
	n->lock_fd = -1;
}

void p9fs_node_release(struct p9fs *fs, struct p9fs_node *n)
{
	if (n->open_fd >= 0)
		close(n->open_fd);
	if (n->lock_fd >= 0)
		close(n->lock_fd);
	if (n->path_fd >= 0)
		close(n->path_fd);
	if (fs)
		p9fs_lock_forget(fs, n);
	free(n->locks);
	free(n->path);
	p9fs_node_init(n);
}

/* Fill n from an O_PATH fd (taken over) and its share path (copied). */
int p9fs_node_set(struct p9fs *fs, struct p9fs_node *n, int fd,
		    const char *path, struct p9_qid *qid)
{
	struct stat st;
	char *p;
	int ret;

	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (qid) {
		ret = p9fs_qid_from_stat(fs, &st, qid);
		if (ret) {
			close(fd);
			return ret;
		}
	}
	p = strdup(path);
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	p9fs_node_init(n);
	n->path_fd = fd;
	n->mode = st.st_mode & S_IFMT;
	n->dev = st.st_dev;
	n->is_root = !*path;
	n->path = p;
	return 0;
}

int p9fs_root(struct p9fs *fs, struct p9fs_node *out, struct p9_qid *qid)
{
	int fd = fcntl(fs->root_fd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	return p9fs_node_set(fs, out, fd, "", qid);
}

int p9fs_node_clone(struct p9fs *fs, const struct p9fs_node *from,
		    struct p9fs_node *to)
{
	int fd, ret;

	if (from->path_fd < 0 || !from->path)
		return -EBADF;
	fd = fcntl(from->path_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = p9fs_node_set(fs, to, fd, from->path, NULL);
	if (!ret)
		to->pseudo = from->pseudo;
	return ret;
}

/* path + "/" + name, or name at the root. */
char *p9fs_path_join(const char *path, const char *name)
{
	size_t pl = strlen(path), nl = strlen(name);
	char *p = malloc(pl + nl + 2);

	if (!p)
		return NULL;
	if (pl) {
		memcpy(p, path, pl);
		p[pl++] = '/';
	}
	memcpy(p + pl, name, nl + 1);
	return p;
}

/* The parent's path (a copy) and where the last component starts. */
char *p9fs_path_parent(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char *p;

	*base = slash ? slash + 1 : path;
	p = strndup(path, slash ? (size_t)(slash - path) : 0);
	return p;
}

int p9fs_walk(struct p9fs *fs, const struct p9fs_node *from,
	      const char *name, struct p9fs_node *to, struct p9_qid *qid)
{
	const char *base;
	char *path;
	int fd, ret;

	if (from->path_fd < 0 || !from->path)
		return -EBADF;
	if (to == from)
		return -EINVAL;		/* walk into a fresh node, then move */
	if (!p9fs_name_ok(name, strlen(name)))
		return -EINVAL;
	if (!S_ISDIR(from->mode))
		return -ENOTDIR;
	if (from->pseudo && strcmp(name, ".."))
		return -EACCES;		/* nothing beneath /proc and its kin */
	if (!strcmp(name, ".") || (!strcmp(name, "..") && from->is_root)) {
		fd = fcntl(from->path_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		return p9fs_node_set(fs, to, fd, from->path, qid);
	}
	if (!strcmp(name, "..")) {
		/* Resolved again from the root: never above it. */
		path = p9fs_path_parent(from->path, &base);
		if (!path)
			return -ENOMEM;
		fd = p9fs_resolve(fs, path);
	} else {
		/* A path the host could not name either: bounds fid memory. */
		if (strlen(from->path) + strlen(name) + 1 >= PATH_MAX)
			return -ENAMETOOLONG;
		path = p9fs_path_join(from->path, name);
		if (!path)
			return -ENOMEM;
		fd = p9fs_lookup(fs, from->path_fd, name);
	}
	ret = fd < 0 ? fd : p9fs_node_set(fs, to, fd, path, qid);
	free(path);
	if (ret)
		return ret;
	/*
	 * One st_dev is one superblock: on its parent's device, the object
	 * is on its parent's file system, already checked. Only a step onto
	 * another device asks statfs, which some file systems cannot answer
	 * for every file: QEMU's 9p server opens the path O_NOFOLLOW to
	 * answer, so on a host whose / is QEMU's 9p, statfs on a symbolic
	 * link (/lib64) gives ELOOP.
	 */
	if (to->dev == from->dev) {
		to->pseudo = from->pseudo;
		return 0;
	}
	ret = p9fs_check_fs(fs->host_statfs, to->path_fd);
	to->pseudo = ret == -EACCES;
	if (ret && !to->pseudo) {
		p9fs_node_release(fs, to);
		return ret;
	}
	return 0;
}

/* Guest open flags to the host's: access mode and the few that matter. */
int p9fs_host_flags(u32 flags)
{
	int f = flags & P9_DOTL_ACCMODE;

	if (f == 3)
		return -EINVAL;
	if (flags & P9_DOTL_TRUNC)
		f |= O_TRUNC;
	if (flags & P9_DOTL_APPEND)
		f |= O_APPEND;
	if (flags & P9_DOTL_DSYNC)
		f |= O_DSYNC;
	if ((flags & P9_DOTL_SYNC) == P9_DOTL_SYNC)
		f |= O_SYNC;
	return f | O_CLOEXEC | O_NOCTTY;
}

static bool modifies(int hflags)
{
	return (hflags & O_ACCMODE) != O_RDONLY || (hflags & O_TRUNC);
}

/*
 * The inode path_fd holds, opened for I/O: only a regular file or a
 * directory, and only that inode (its /proc/self/fd link, checked).
 */
int p9fs_reopen(int path_fd, int hflags)
{
	char proc[P9FS_FD_PATH_LEN];
	struct stat a, b;
	int fd, ret;

	if (fstat(path_fd, &a))
		return -errno;
	if (S_ISLNK(a.st_mode))
		return -ELOOP;
	if (!S_ISREG(a.st_mode) && !S_ISDIR(a.st_mode))
		return -ENXIO;		/* FIFO, socket, device: never */
	if (S_ISDIR(a.st_mode) && (hflags & (O_ACCMODE | O_TRUNC)))
		return -EISDIR;
	p9fs_fd_path(path_fd, proc, sizeof(proc));
	fd = open(proc, hflags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &b)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

int p9fs_open(struct p9fs *fs, struct p9fs_node *n, u32 flags,
	      struct p9_qid *qid)
{
	struct stat st;
	int hflags = p9fs_host_flags(flags);
	int fd;

	if (hflags < 0)
		return hflags;
	if (n->path_fd < 0)
		return -EBADF;
	if (n->open_fd >= 0)
		return -EBUSY;
	if (fs->readonly && modifies(hflags))
		return -EROFS;
	if (n->pseudo)
		return -EACCES;
	if (modifies(hflags)) {
		fd = p9fs_beneath(fs, n);
		if (fd)
			return fd;
	}
	fd = p9fs_reopen(n->path_fd, hflags);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || p9fs_qid_from_stat(fs, &st, qid)) {
		close(fd);
		return -EIO;
	}
	n->open_fd = fd;
	return 0;
}

ssize_t p9fs_read(struct p9fs *fs, struct p9fs_node *n, u64 off,
		  const struct iovec *iov, unsigned int cnt)
{
	ssize_t r;

	if (n->open_fd < 0)
		return -EBADF;
	if (off > (u64)INT64_MAX || cnt > IOV_MAX)
		return -EINVAL;
	r = preadv(n->open_fd, iov, cnt, off);
	return r < 0 ? -errno : r;
}

ssize_t p9fs_write(struct p9fs *fs, struct p9fs_node *n, u64 off,
		   const struct iovec *iov, unsigned int cnt)
{
	ssize_t r;

	if (fs->readonly)
		return -EROFS;
	if (n->open_fd < 0)
		return -EBADF;
	if (off > (u64)INT64_MAX || cnt > IOV_MAX)
		return -EINVAL;
	r = pwritev(n->open_fd, iov, cnt, off);
	return r < 0 ? -errno : r;
}
