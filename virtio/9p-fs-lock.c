// SPDX-License-Identifier: GPL-2.0
/*
 * Tlock and Tgetlock: open file description locks (F_OFD_SETLK), owned
 * by the fid's own open file, never waited for: a conflict is answered
 * P9_LOCK_BLOCKED and the guest's client retries. Linux's client turns a
 * flock() into a whole-file POSIX lock, and a write lock needs a file
 * open for writing: a fid opened read-only or write-only keeps its locks
 * on one reopened O_RDWR description of the same inode, used for nothing
 * else.
 *
 * Each fid's ranges are mirrored here as the kernel keeps one owner's
 * (sorted, apart, neighbours of one type merged into one record), so the
 * share knows how many records its fids hold on the host and refuses a
 * lock past P9FS_LOCK_RANGES_MAX: a guest locking every other byte of a
 * file would otherwise fill the host kernel with records, each scanned
 * at every lock on that file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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

struct p9fs_lock_range {
	u64 start, end;		/* inclusive; INT64_MAX: to the end */
	short type;		/* F_RDLCK or F_WRLCK */
};

/*
 * in[0, nin) after l, into out (room for nin + 2): l's range taken out
 * of every range (one may split in two), l's own put in, then same-type
 * neighbours merged, as the kernel does for one owner. The new count.
 */
static unsigned int ranges_apply(const struct p9fs_lock_range *in,
				 unsigned int nin, const struct flock *l,
				 struct p9fs_lock_range *out)
{
	struct p9fs_lock_range nl = {
		.start = (u64)l->l_start,
		.end = l->l_len ? (u64)l->l_start + (u64)l->l_len - 1 :
		       (u64)INT64_MAX,
		.type = l->l_type,
	};
	bool placed = l->l_type == F_UNLCK;
	unsigned int i, n = 0, m;

	for (i = 0; i < nin; i++) {
		struct p9fs_lock_range r = in[i];

		if (r.end < nl.start) {
			out[n++] = r;
			continue;
		}
		if (r.start > nl.end) {
			if (!placed)
				out[n++] = nl;
			placed = true;
			out[n++] = r;
			continue;
		}
		if (r.start < nl.start) {
			out[n] = r;
			out[n++].end = nl.start - 1;
		}
		if (!placed)
			out[n++] = nl;
		placed = true;
		if (r.end > nl.end) {
			out[n] = r;
			out[n++].start = nl.end + 1;
		}
	}
	if (!placed)
		out[n++] = nl;
	for (i = 1, m = n ? 1 : 0; i < n; i++) {
		if (out[m - 1].type == out[i].type &&
		    out[m - 1].end + 1 == out[i].start)
			out[m - 1].end = out[i].end;
		else
			out[m++] = out[i];
	}
	return m;
}

void p9fs_lock_forget(struct p9fs *fs, struct p9fs_node *n)
{
	if (n->nr_locks)
		__atomic_sub_fetch(&fs->lock_ranges, n->nr_locks,
				   __ATOMIC_RELAXED);
	free(n->locks);
	n->locks = NULL;
	n->nr_locks = 0;
}

/*
 * F_OFD_SETLK l on fd, the fid's ranges and the share's count kept: 0,
 * -ENOLCK past the share's bound, or -errno.
 */
static int set_lock(struct p9fs *fs, struct p9fs_node *n, int fd,
		    struct flock *l)
{
	struct p9fs_lock_range *next;
	unsigned int nr;
	int grow, ret = 0;

	next = malloc((n->nr_locks + 2) * sizeof(*next));
	if (!next)
		return -ENOMEM;
	nr = ranges_apply(n->locks, n->nr_locks, l, next);
	grow = (int)nr - (int)n->nr_locks;
	if (grow > 0 && __atomic_add_fetch(&fs->lock_ranges, grow,
					   __ATOMIC_RELAXED) >
			P9FS_LOCK_RANGES_MAX)
		ret = -ENOLCK;
	else if (fcntl(fd, F_OFD_SETLK, l))
		ret = -errno;
	if (ret) {
		if (grow > 0)
			__atomic_sub_fetch(&fs->lock_ranges, grow,
					   __ATOMIC_RELAXED);
		free(next);
		return ret;
	}
	if (grow < 0)
		__atomic_sub_fetch(&fs->lock_ranges, -grow, __ATOMIC_RELAXED);
	free(n->locks);
	n->locks = nr ? next : NULL;
	n->nr_locks = nr;
	if (!nr)
		free(next);
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
	ret = set_lock(fs, n, fd, &l);
	if (!ret)
		*status = P9_LOCK_SUCCESS;
	else if (ret == -EAGAIN || ret == -EACCES)
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
