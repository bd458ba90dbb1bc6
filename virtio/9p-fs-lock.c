// SPDX-License-Identifier: GPL-2.0
/*
 * Tlock and Tgetlock: open file description locks (F_OFD_SETLK), owned
 * by the fid's own open file, never waited for: a conflict is answered
 * P9_LOCK_BLOCKED and the guest's client retries. Linux's client turns a
 * flock() into a whole-file POSIX lock, and a write lock needs a file
 * open for writing: a fid opened read-only or write-only keeps its locks
 * on one reopened O_RDWR description of the same inode, used for nothing
 * else.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "9p-fs-int.h"

#define P9_LOCK_TYPE_RDLCK	0
#define P9_LOCK_TYPE_WRLCK	1
#define P9_LOCK_TYPE_UNLCK	2

static int to_flock(const struct p9_flock *fl, struct flock *l)
{
	memset(l, 0, sizeof(*l));
	switch (fl->type) {
	case P9_LOCK_TYPE_RDLCK:
		l->l_type = F_RDLCK;
		break;
	case P9_LOCK_TYPE_WRLCK:
		l->l_type = F_WRLCK;
		break;
	case P9_LOCK_TYPE_UNLCK:
		l->l_type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	if (fl->start > (u64)INT64_MAX)
		return -EINVAL;
	l->l_whence = SEEK_SET;
	l->l_start = fl->start;
	/* 0 is "to the end"; a length past the largest offset is too. */
	l->l_len = fl->length > (u64)INT64_MAX - fl->start ? 0 : fl->length;
	l->l_pid = 0;
	return 0;
}

/* The descriptor this fid's locks live on (always the same one). */
static int node_lock_fd(struct p9fs_node *n)
{
	int fl, fd;

	if (n->lock_fd >= 0)
		return n->lock_fd;
	if (n->lock_on_open)
		return n->open_fd;
	fl = fcntl(n->open_fd, F_GETFL);
	if (fl < 0)
		return -errno;
	if ((fl & O_ACCMODE) != O_RDWR && S_ISREG(n->mode)) {
		fd = p9fs_reopen(n->path_fd, O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			n->lock_fd = fd;
			return fd;
		}
	}
	/* Not writable by lkvm either: read locks still work. */
	n->lock_on_open = true;
	return n->open_fd;
}

int p9fs_lock(struct p9fs *fs, struct p9fs_node *n, const struct p9_flock *fl,
	      u8 *status)
{
	struct flock l;
	int ret, fd;

	*status = P9_LOCK_ERROR;
	if (n->open_fd < 0)
		return -EBADF;
	ret = to_flock(fl, &l);
	if (ret)
		return 0;
	/*
	 * A read-only share takes no host locks: they would block the host's
	 * own writers (a database, apt's lock) through a share that is to
	 * change nothing. The guest's kernel orders its own processes.
	 */
	if (fs->readonly) {
		*status = P9_LOCK_SUCCESS;
		return 0;
	}
	fd = node_lock_fd(n);
	if (fd < 0)
		return 0;
	if (!fcntl(fd, F_OFD_SETLK, &l))
		*status = P9_LOCK_SUCCESS;
	else if (errno == EAGAIN || errno == EACCES)
		*status = P9_LOCK_BLOCKED;
	return 0;
}

int p9fs_getlock(struct p9fs *fs, struct p9fs_node *n, struct p9_flock *fl)
{
	struct flock l;
	int ret, fd;

	if (n->open_fd < 0)
		return -EBADF;
	ret = to_flock(fl, &l);
	if (ret)
		return ret;
	if (l.l_type == F_UNLCK)
		return -EINVAL;
	if (fs->readonly) {
		fl->type = P9_LOCK_TYPE_UNLCK;
		return 0;
	}
	fd = node_lock_fd(n);
	if (fd < 0)
		return fd;
	if (fcntl(fd, F_OFD_GETLK, &l))
		return -errno;
	if (l.l_type == F_UNLCK) {
		fl->type = P9_LOCK_TYPE_UNLCK;
		return 0;
	}
	fl->type = l.l_type == F_RDLCK ? P9_LOCK_TYPE_RDLCK :
		   P9_LOCK_TYPE_WRLCK;
	fl->start = l.l_start;
	fl->length = l.l_len;
	/* An OFD lock has no process; the guest learns only that it is held. */
	fl->proc_id = l.l_pid > 0 ? (u32)l.l_pid : 0;
	return 0;
}
