// SPDX-License-Identifier: GPL-2.0
/* A file's name taken at one moment; see pinned-name.h. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pinned-name.h"

int pinned_name_init(struct pinned_name *p, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	struct stat st;
	size_t n;

	memset(p, 0, sizeof(*p));
	strcpy(p->dir, ".");
	if (strlen(base) >= sizeof(p->base))
		return -ENAMETOOLONG;
	strcpy(p->base, base);
	if (slash) {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(p->dir))
			return -ENAMETOOLONG;
		memcpy(p->dir, path, n);
		p->dir[n] = '\0';
	}
	if (!stat(p->dir, &st) && S_ISDIR(st.st_mode)) {
		p->dir_known = true;
		p->dir_dev = st.st_dev;
		p->dir_ino = st.st_ino;
	}
	return 0;
}

int pinned_name_dir(const struct pinned_name *p)
{
	struct stat st;
	int dfd = open(p->dir, PINNED_DIR_OPEN_FLAGS);

	if (dfd < 0)
		return -errno;
	if (!p->dir_known)
		return dfd;
	if (fstat(dfd, &st) || st.st_dev != p->dir_dev ||
	    st.st_ino != p->dir_ino) {
		close(dfd);
		return -ESTALE;
	}
	return dfd;
}

int pinned_name_unlink(const struct pinned_name *p, u64 dev, u64 ino)
{
	int dfd = pinned_name_dir(p), err = 0;
	struct stat st;

	if (dfd < 0)
		return dfd;
	/*
	 * Between this look and the unlink the name can still change
	 * hands; the window is the directory's writers' alone, and
	 * whatever they put there is theirs to lose.
	 */
	if (fstatat(dfd, p->base, &st, AT_SYMLINK_NOFOLLOW))
		err = -errno;
	else if (st.st_dev != dev || st.st_ino != ino)
		err = -ESTALE;
	else if (unlinkat(dfd, p->base, 0))
		err = -errno;
	close(dfd);
	return err;
}
