// SPDX-License-Identifier: GPL-2.0
/* A file's name taken at one moment; see pinned-name.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pinned-name.h"

int pinned_name_init(struct pinned_name *p, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t n = !slash ? 0 : slash == path ? 1 : (size_t)(slash - path);
	struct stat st;

	memset(p, 0, sizeof(*p));
	if (strlen(base) >= sizeof(p->base) || (slash && n >= sizeof(p->dir))) {
		p->err = -ENAMETOOLONG;
		return p->err;
	}
	strcpy(p->base, base);
	strcpy(p->dir, ".");
	if (slash) {
		memcpy(p->dir, path, n);
		p->dir[n] = '\0';
	}
	if (stat(p->dir, &st))
		p->err = -errno;
	else if (!S_ISDIR(st.st_mode))
		p->err = -ENOTDIR;
	if (p->err)
		return 0;
	p->dir_dev = st.st_dev;
	p->dir_ino = st.st_ino;
	return 0;
}

int pinned_name_dir(const struct pinned_name *p)
{
	struct stat st;
	int dfd;

	if (p->err)
		return p->err;
	dfd = open(p->dir, PINNED_DIR_OPEN_FLAGS);
	if (dfd < 0)
		return -errno;
	if (fstat(dfd, &st) || st.st_dev != p->dir_dev ||
	    st.st_ino != p->dir_ino) {
		close(dfd);
		return -ESTALE;
	}
	return dfd;
}

void pinned_file_of(struct pinned_file *f, const struct stat *st)
{
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->ctime_sec = st->st_ctim.tv_sec;
	f->ctime_nsec = st->st_ctim.tv_nsec;
}

int pinned_name_unlink(const struct pinned_name *p,
		       const struct pinned_file *f)
{
	int dfd = pinned_name_dir(p), err = 0;
	struct pinned_file now;
	struct stat st;

	if (dfd < 0)
		return dfd;
	/*
	 * Between this look and the unlink the name can still change
	 * hands; the window is the directory's writers' alone, and
	 * whatever they put there is theirs to lose. The change time
	 * tells a file made since apart from the one that had its inode
	 * number before (file systems reuse them at once).
	 */
	if (fstatat(dfd, p->base, &st, AT_SYMLINK_NOFOLLOW)) {
		err = -errno;
	} else {
		pinned_file_of(&now, &st);
		if (memcmp(&now, f, sizeof(now)))
			err = -ESTALE;
		else if (unlinkat(dfd, p->base, 0))
			err = -errno;
	}
	close(dfd);
	return err;
}
