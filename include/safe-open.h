/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Open a host file named by the user or by an image without letting its
 * type surprise us: a FIFO that blocks the open, a device whose open
 * routine has side effects, a symbolic link swapped in.
 *
 * The path is first opened with O_PATH (no open routine runs, nothing
 * blocks), its type checked with fstat(), and only then is that same inode
 * opened for use through /proc/self/fd/N; the result is checked to be the
 * inode that was inspected (st_dev, st_ino).
 */
#ifndef LKVM_SAFE_OPEN_H
#define LKVM_SAFE_OPEN_H

#include <sys/stat.h>

/* What the caller accepts and how the path is resolved. */
#define SAFE_OPEN_REG		(1U << 0)	/* regular files */
#define SAFE_OPEN_BLK		(1U << 1)	/* block devices */
#define SAFE_OPEN_NOFOLLOW	(1U << 2)	/* a final symlink is refused */
/*
 * Resolve path beneath dirfd only (openat2 RESOLVE_BENEATH, or a check of
 * the resolved location where openat2 is missing): no absolute path, no
 * ".." or symlink leading out of the directory tree.
 */
#define SAFE_OPEN_BENEATH	(1U << 3)

/*
 * Open path (relative to dirfd, or AT_FDCWD) with flags (O_RDONLY,
 * O_RDWR, O_DIRECT...; O_CLOEXEC and O_NOCTTY are added). Returns the fd,
 * or -errno: -EMEDIUMTYPE if the file is of a type not in accept (*st
 * then says which), -ELOOP for a final symlink under SAFE_OPEN_NOFOLLOW,
 * -EXDEV for a path leaving dirfd under SAFE_OPEN_BENEATH. st, if not
 * NULL, receives the file's stat.
 */
int safe_open(int dirfd, const char *path, int flags, unsigned int accept,
	      struct stat *st);

/* "a FIFO", "a character device", "a directory", ... for messages. */
const char *safe_open_type_name(mode_t mode);

#endif
