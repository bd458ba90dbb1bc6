/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 9P2000.L server's file system side: one host directory (a share)
 * reached only beneath a directory fd, whatever the guest sends.
 *
 * This is the contract between the protocol side (virtio/9p*.c: the
 * messages, the fid table, the workers) and the file system side
 * (virtio/9p-fs*.c). The protocol side never makes a system call on a
 * host path; the file system side never sees a message.
 *
 * Confinement does not rest on string checks: every name is resolved
 * with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) from a directory
 * fd inside the share (a component-by-component O_NOFOLLOW walk where
 * openat2 is missing), symbolic links are returned to the guest and never
 * followed by the server, and ".." at the share's root stays there. Only
 * regular files and directories are ever opened for I/O (an O_PATH fd
 * and a type check come first), so a FIFO or device node in a share can
 * neither block a worker nor reach a host device.
 *
 * Security models (P9FS_MODEL_*): "mapped" (the default) keeps the
 * guest's owner, group, mode bits and device numbers in extended
 * attributes of host files that the invoking user owns, with ordinary
 * 0600/0700 modes on the host, so a guest never makes a host set-uid
 * file or device node; "passthrough" (root only, ",passthrough") applies
 * them to the host file as asked.
 *
 * Names handed in are single path components, already checked by
 * p9fs_name_ok(); every function returns 0 or a value >= 0 on success
 * and -errno (the guest's Rlerror code) on failure. Functions may be
 * called from several worker threads at once for different nodes; a
 * node is used by one thread at a time (the fid table's lock).
 */
#ifndef LKVM_VIRTIO_9P_FS_H
#define LKVM_VIRTIO_9P_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "types.h"

struct statfs;
struct p9fs_lock_range;

/* qid.type bits (9P). */
#define P9_QTDIR	0x80
#define P9_QTSYMLINK	0x02
#define P9_QTFILE	0x00

struct p9_qid {
	u8 type;
	u32 version;
	u64 path;	/* unique within the share, across host devices */
};

enum p9fs_model {
	P9FS_MODEL_MAPPED,
	P9FS_MODEL_PASSTHROUGH,
};

struct p9fs_options {
	const char *dir;	/* host directory */
	bool readonly;		/* every modifying call gives -EROFS */
	enum p9fs_model model;
	/* Tests: resolve one O_NOFOLLOW component at a time, no openat2. */
	bool no_openat2;
	/*
	 * Tests: the host's fstatfs() (NULL: fstatfs(2) itself), to play a
	 * host file system that cannot statfs every kind of file.
	 */
	int (*host_statfs)(int fd, struct statfs *buf);
};

struct p9fs;			/* one share; opaque */

/*
 * A walked-to object (what a fid stands for). Owned by the caller's fid
 * slot, filled in by the fs side; the protocol side only copies it with
 * p9fs_node_clone() and frees it with p9fs_node_release().
 */
struct p9fs_node {
	int path_fd;		/* O_PATH, beneath the share; -1: none */
	int open_fd;		/* after p9fs_open()/p9fs_create(); else -1 */
	/*
	 * Where the fid's locks live when open_fd is not open for both
	 * reading and writing (a guest's flock() on a read-only open asks
	 * for a write lock): the same inode reopened O_RDWR, used for locks
	 * only. -1: none yet; lock_on_open: locks stay on open_fd.
	 */
	int lock_fd;
	bool lock_on_open;
	/*
	 * The ranges this fid's locks hold on the host, kept as the kernel
	 * keeps one owner's (sorted, apart, neighbours of one type merged):
	 * nr_locks of them count against P9FS_LOCK_RANGES_MAX.
	 */
	struct p9fs_lock_range *locks;
	unsigned int nr_locks;
	void *dir;		/* readdir state after opening a directory */
	u32 mode;		/* host S_IFMT bits of the object */
	dev_t dev;		/* its host device (st_dev) */
	bool is_root;		/* the share's root (".." stays here) */
	/*
	 * The root of a kernel pseudo file system mounted in the share
	 * (/proc under a share of /): it can be walked to and stat'ed, so
	 * the guest can mount its own there, and nothing more.
	 */
	bool pseudo;
	/*
	 * Its path from the share's root ("" for the root), for "..",
	 * rename and remove, kept current across the guest's renames
	 * (p9fs_node_moved()); confinement still comes from resolving it
	 * beneath the root fd, never from the string. The fs side may add
	 * fields; the protocol side reads only open_fd >= 0 and mode.
	 */
	char *path;
};

/* Tgetattr's answer (9P2000.L field names; valid says which are set). */
struct p9_attr {
	u64 valid;
	struct p9_qid qid;
	u32 mode, uid, gid;
	u64 nlink, rdev, size, blksize, blocks;
	u64 atime_sec, atime_nsec, mtime_sec, mtime_nsec;
	u64 ctime_sec, ctime_nsec, btime_sec, btime_nsec;
	u64 gen, data_version;
};

/* Tsetattr's request; valid uses the P9_SETATTR_* bits of 9P2000.L. */
struct p9_setattr {
	u32 valid;
	u32 mode, uid, gid;
	u64 size;
	u64 atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

#define P9_SETATTR_MODE		0x00000001
#define P9_SETATTR_UID		0x00000002
#define P9_SETATTR_GID		0x00000004
#define P9_SETATTR_SIZE		0x00000008
#define P9_SETATTR_ATIME	0x00000010
#define P9_SETATTR_MTIME	0x00000020
#define P9_SETATTR_CTIME	0x00000040
#define P9_SETATTR_ATIME_SET	0x00000080
#define P9_SETATTR_MTIME_SET	0x00000100

struct p9_statfs {
	u32 type, bsize;
	u64 blocks, bfree, bavail, files, ffree, fsid;
	u32 namelen;
};

/* Tlock / Tgetlock (type: 0 read, 1 write, 2 unlock). */
struct p9_flock {
	u8 type;
	u32 flags;
	u64 start, length;
	u32 proc_id;
	char client_id[256];
};

#define P9_LOCK_SUCCESS	0
#define P9_LOCK_BLOCKED	1
#define P9_LOCK_ERROR	2

/*
 * Lock ranges (the kernel's records) a share's fids may hold on the host
 * at once; a lock past that gets P9_LOCK_ERROR (the guest's ENOLCK).
 * Without a bound, a guest locking every other byte of a file would make
 * the host kernel keep millions of records and scan them at every lock.
 */
#define P9FS_LOCK_RANGES_MAX	4096

/* Who asks: the attach's uid, and the gid a create names. */
struct p9fs_cred {
	u32 uid, gid;
};

/*
 * Open the share: -ENOENT / -ENOTDIR / -EPERM (passthrough without root)
 * with *why set to a short reason for the "lkvm: ..." line.
 */
int p9fs_open_share(const struct p9fs_options *opt, struct p9fs **out,
		    const char **why);
void p9fs_close_share(struct p9fs *fs);
bool p9fs_readonly(const struct p9fs *fs);

/* A component the guest may name: not "", no '/', no NUL, <= NAME_MAX. */
bool p9fs_name_ok(const char *name, size_t len);

void p9fs_node_init(struct p9fs_node *n);
int p9fs_root(struct p9fs *fs, struct p9fs_node *out, struct p9_qid *qid);
int p9fs_node_clone(struct p9fs *fs, const struct p9fs_node *from,
		    struct p9fs_node *to);
void p9fs_node_release(struct p9fs *fs, struct p9fs_node *n);

/* One walk step: name, "." or ".." (".." of the root is the root). */
int p9fs_walk(struct p9fs *fs, const struct p9fs_node *from,
	      const char *name, struct p9fs_node *to, struct p9_qid *qid);

/* Tlopen: flags are Linux open flags as the guest sent them. */
int p9fs_open(struct p9fs *fs, struct p9fs_node *n, u32 flags,
	      struct p9_qid *qid);
/* Tlcreate: dir becomes the new, open file. */
int p9fs_create(struct p9fs *fs, struct p9fs_node *dir, const char *name,
		u32 flags, u32 mode, const struct p9fs_cred *cred,
		struct p9_qid *qid);

/* Bytes moved between the file and iov (preadv(), pwritev()). */
ssize_t p9fs_read(struct p9fs *fs, struct p9fs_node *n, u64 off,
		  const struct iovec *iov, unsigned int cnt);
ssize_t p9fs_write(struct p9fs *fs, struct p9fs_node *n, u64 off,
		   const struct iovec *iov, unsigned int cnt);

/*
 * Treaddir: calls emit for each entry from offset on until emit returns
 * non-zero (the reply is full) or the directory ends; next is the offset
 * to continue from after this entry. An entry for which emit returned
 * non-zero was not taken: it is not counted, and the next call, from the
 * last taken entry's next, gives it again. Offset 0 is the start; other
 * offsets are only those handed out as next. Returns the entries taken.
 */
typedef int (*p9fs_dirent_fn)(void *ctx, const struct p9_qid *qid, u64 next,
			      u8 type, const char *name, size_t len);
int p9fs_readdir(struct p9fs *fs, struct p9fs_node *n, u64 offset,
		 p9fs_dirent_fn emit, void *ctx);

int p9fs_getattr(struct p9fs *fs, struct p9fs_node *n, u64 mask,
		 struct p9_attr *out);
int p9fs_setattr(struct p9fs *fs, struct p9fs_node *n,
		 const struct p9_setattr *sa);
int p9fs_statfs(struct p9fs *fs, struct p9fs_node *n, struct p9_statfs *out);

int p9fs_mkdir(struct p9fs *fs, struct p9fs_node *dir, const char *name,
	       u32 mode, const struct p9fs_cred *cred, struct p9_qid *qid);
int p9fs_mknod(struct p9fs *fs, struct p9fs_node *dir, const char *name,
	       u32 mode, u32 major, u32 minor, const struct p9fs_cred *cred,
	       struct p9_qid *qid);
int p9fs_symlink(struct p9fs *fs, struct p9fs_node *dir, const char *name,
		 const char *target, const struct p9fs_cred *cred,
		 struct p9_qid *qid);
/* The link's text, not NUL-terminated; its length. */
ssize_t p9fs_readlink(struct p9fs *fs, struct p9fs_node *n, char *buf,
		      size_t len);
int p9fs_link(struct p9fs *fs, struct p9fs_node *dir, struct p9fs_node *target,
	      const char *name);
/*
 * A rename's share paths, from and to (malloc'ed): the protocol side
 * hands them to p9fs_node_moved() for its other fids, then frees them.
 */
struct p9fs_move {
	char *from, *to;
};

void p9fs_move_free(struct p9fs_move *mv);
/*
 * On success *mv is filled in (the caller frees it), on failure left
 * empty; mv NULL: not asked for.
 */
int p9fs_renameat(struct p9fs *fs, struct p9fs_node *olddir,
		  const char *oldname, struct p9fs_node *newdir,
		  const char *newname, struct p9fs_move *mv);
/* Trename: n (not the root) moves to newdir/name (n follows itself). */
int p9fs_rename(struct p9fs *fs, struct p9fs_node *n,
		struct p9fs_node *newdir, const char *name,
		struct p9fs_move *mv);
/*
 * A rename made the share's path `from` into `to`: n's path follows if it is
 * from or below it (1; 0: not concerned). from or to NULL: renames n's
 * path could not follow, it is lost; so it is when memory runs out. A
 * node without its path still reads, writes and stats through its fds;
 * the calls that need the path (walking "..", Trename, Tremove, the
 * calls that change the share) give -EBADF or -ESTALE, until
 * p9fs_node_refind() finds it again.
 */
int p9fs_node_moved(struct p9fs_node *n, const char *from, const char *to);
/*
 * n lost its path: the name the kernel has for the object n's fd holds,
 * if that resolves beneath the share's root to this very object (0, n's
 * path set; at once if it had one). -ESTALE: the object has no such name
 * (removed, moved out of the share, renamed meanwhile); n stays as it
 * was. A rename through another fid during the call may or may not be
 * in the name found: the caller tells (include/virtio/9p-renames.h).
 */
int p9fs_node_refind(struct p9fs *fs, struct p9fs_node *n);
/* flags: 0 or AT_REMOVEDIR. */
int p9fs_unlinkat(struct p9fs *fs, struct p9fs_node *dir, const char *name,
		  u32 flags);
/* Tremove: unlink what n names (not the root). */
int p9fs_remove(struct p9fs *fs, struct p9fs_node *n);
int p9fs_fsync(struct p9fs *fs, struct p9fs_node *n, bool datasync);

/* POSIX record locks on the open file, never blocking: P9_LOCK_*. */
int p9fs_lock(struct p9fs *fs, struct p9fs_node *n, const struct p9_flock *fl,
	      u8 *status);
int p9fs_getlock(struct p9fs *fs, struct p9fs_node *n, struct p9_flock *fl);

/*
 * Extended attributes the guest sees (the mapped model's own attributes
 * are hidden from it and cannot be set by it). name NULL lists them.
 * Returns the value's (or list's) length; with len 0 only the length.
 * p9fs_xattr_set() with val NULL removes the attribute (flags ignored);
 * flags are XATTR_CREATE / XATTR_REPLACE. The mapped model takes only
 * user.* names from the guest.
 */
ssize_t p9fs_xattr_get(struct p9fs *fs, struct p9fs_node *n, const char *name,
		       void *buf, size_t len);
int p9fs_xattr_set(struct p9fs *fs, struct p9fs_node *n, const char *name,
		   const void *val, size_t len, u32 flags);

/*
 * Restrict the calling thread to the share with Landlock where the host
 * kernel has it: 1 restricted, 0 not available (reason in *why), -errno.
 */
int p9fs_landlock_thread(struct p9fs *const *shares, unsigned int nr,
			 const char **why);

#endif
