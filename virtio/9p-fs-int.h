/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 9p server's file system side, inside: the share, the qid map, the
 * resolver and the mapped model's attribute. Only virtio/9p-fs*.c and
 * their tests include this; the protocol side sees include/virtio/9p-fs.h.
 */
#ifndef LKVM_VIRTIO_9P_FS_INT_H
#define LKVM_VIRTIO_9P_FS_INT_H

#include <pthread.h>
#include <sys/stat.h>

#include "virtio/9p-fs.h"

/*
 * qid paths: the top 8 bits name the host device (an index into devs[],
 * the share's own device is 0), the low 56 bits are the inode number.
 * An inode number that does not fit in 56 bits gets a number of its own
 * from big[] under index QID_DEV_BIG. Both tables are bounded; once one
 * is full, a file it cannot take gets a hash of (dev, ino) under
 * QID_DEV_BIG with QID_HASHED set (one rate-limited log line): stable,
 * apart from every table slot, never an error that would hide the file.
 */
#define QID_INO_BITS	56
#define QID_DEV_MAX	255		/* indexes 0..254 */
#define QID_DEV_BIG	255
#define QID_BIG_MAX	(1U << 16)
#define QID_HASHED	(1ULL << 55)

struct p9fs_qid_big {
	dev_t dev;
	ino_t ino;
	bool used;
};

struct p9fs_qidmap {
	pthread_mutex_t lock;
	dev_t devs[QID_DEV_MAX];
	unsigned int ndevs;
	struct p9fs_qid_big *big;	/* QID_BIG_MAX slots, on first use */
	unsigned int nbig;
};

struct p9fs {
	int root_fd;			/* O_PATH | O_DIRECTORY */
	dev_t root_dev;			/* the root's inode, for p9fs_beneath() */
	ino_t root_ino;
	bool readonly;
	enum p9fs_model model;
	bool no_openat2;		/* the fallback resolver only */
	int (*host_statfs)(int fd, struct statfs *buf);
	struct p9fs_qidmap qids;
	unsigned int lock_ranges;	/* the fids' host lock records */
};

int p9fs_qid_init(struct p9fs_qidmap *m, dev_t root_dev);
void p9fs_qid_destroy(struct p9fs_qidmap *m);
int p9fs_qid_path(struct p9fs_qidmap *m, dev_t dev, ino_t ino, u64 *path);
int p9fs_qid_from_stat(struct p9fs *fs, const struct stat *st,
		       struct p9_qid *qid);

/*
 * Resolve a share-relative path ("" is the root) to an O_PATH fd without
 * following any symbolic link: a final symlink gives the link itself, one
 * on the way gives -ELOOP or -ENOTDIR, nothing leaves the share.
 */
int p9fs_resolve(struct p9fs *fs, const char *path);
/*
 * The inode path_fd holds, opened with hflags: a regular file or a
 * directory only, and the same inode (else -ESTALE).
 */
int p9fs_reopen(int path_fd, int hflags);
/*
 * 0 if n's object is still beneath the share's root, -ENOENT if a host
 * process moved it out (virtio/9p-fs-beneath.c): every call that changes
 * an object asks first.
 */
int p9fs_beneath(struct p9fs *fs, const struct p9fs_node *n);
/* n's host locks are gone (its descriptors closed): the share's count. */
void p9fs_lock_forget(struct p9fs *fs, struct p9fs_node *n);
/* One component beneath the directory fd dirfd, O_PATH, never followed. */
int p9fs_lookup(struct p9fs *fs, int dirfd, const char *name);
/* "/proc/self/fd/N" for an fd, to reach the very inode an O_PATH fd holds. */
void p9fs_fd_path(int fd, char *buf, size_t len);
#define P9FS_FD_PATH_LEN	32

int p9fs_host_flags(u32 flags);
char *p9fs_path_join(const char *path, const char *name);
char *p9fs_path_parent(const char *path, const char **base);
int p9fs_node_set(struct p9fs *fs, struct p9fs_node *n, int fd,
		  const char *path, struct p9_qid *qid);

/* The mapped model's attribute: one per file, little-endian on disk. */
#define P9FS_XATTR_PREFIX	"user.lkvm."
#define P9FS_XATTR_ATTR		"user.lkvm.attr"

struct p9fs_mapped {
	u32 mode, uid, gid;
	u64 rdev;
};

/* st's node with the mapped attribute's values, if it has one. */
int p9fs_mapped_get(struct p9fs *fs, int path_fd, const struct stat *st,
		    struct p9fs_mapped *m);
int p9fs_mapped_set(struct p9fs *fs, int path_fd, const struct stat *st,
		    const struct p9fs_mapped *m);
bool p9fs_xattr_hidden(const char *name);

/*
 * 0, or -EACCES for an fd on a kernel pseudo file system (procfs...);
 * host_statfs is fstatfs(2) or a test's stand-in.
 */
int p9fs_check_fs(int (*host_statfs)(int fd, struct statfs *buf), int fd);

#endif
