/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A file's name taken at one moment, for a call on the same name later
 * (lib/pinned-name.c): its directory as given plus that directory's
 * identity then, and its last component. A guest that can write a parent
 * of the directory (lkvm sandbox's current directory, a writable share)
 * cannot redirect the later call by swapping a component for a link: the
 * directory is used only if it is still the one it was, and the last
 * component is resolved in it, without following a link. A directory
 * that did not exist then is not used at all: whoever made it since, it
 * was not the user who named it.
 */
#ifndef LKVM_PINNED_NAME_H
#define LKVM_PINNED_NAME_H

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "types.h"

/* The directory's open, for the checks; main's seccomp filter allows it. */
#define PINNED_DIR_OPEN_FLAGS	(O_PATH | O_DIRECTORY | O_CLOEXEC)

struct pinned_name {
	char dir[PATH_MAX];	/* the directory, as given ("." for none) */
	char base[NAME_MAX + 1];	/* the last component */
	u64 dir_dev, dir_ino;	/* the directory's identity then */
	int err;		/* not usable: -errno, returned by each call */
};

/* A file's identity: its inode and when that last changed. */
struct pinned_file {
	u64 dev, ino;
	s64 ctime_sec, ctime_nsec;
};

/*
 * Take path's name now: 0, or -ENAMETOOLONG. A directory that is missing
 * or not one is not an error here, but every later call fails with it
 * (as does a name too long).
 */
int pinned_name_init(struct pinned_name *p, const char *path);
/*
 * The directory, opened with PINNED_DIR_OPEN_FLAGS: an fd, -ESTALE when
 * it is no longer the one it was, or -errno. No allocation: a forked
 * child calls it.
 */
int pinned_name_dir(const struct pinned_name *p);
/* The identity of what st describes. */
void pinned_file_of(struct pinned_file *f, const struct stat *st);
/*
 * Remove the name if it still is the file f (its inode unchanged since):
 * 0, -ESTALE (another file has the name now, or the directory changed),
 * or -errno.
 */
int pinned_name_unlink(const struct pinned_name *p,
		       const struct pinned_file *f);

#endif
