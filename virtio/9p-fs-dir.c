// SPDX-License-Identifier: GPL-2.0
/*
 * Treaddir: the directory's entries from getdents64(), each with the
 * kernel's own d_off as the offset to continue from, so an offset handed
 * to the guest stays valid however the reads are cut.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "9p-fs-int.h"

#define DIRBUF_LEN	(32 * 1024)

struct dent64 {
	u64 d_ino;
	s64 d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int p9fs_readdir(struct p9fs *fs, struct p9fs_node *n, u64 offset,
		 p9fs_dirent_fn emit, void *ctx)
{
	struct p9_qid qid;
	struct stat st;
	int taken = 0, ret = 0;
	long len, pos;
	char *buf;

	if (n->open_fd < 0)
		return -EBADF;
	if (!S_ISDIR(n->mode))
		return -ENOTDIR;
	if (offset > (u64)INT64_MAX)
		return -EINVAL;
	if (fstat(n->open_fd, &st))
		return -errno;
	if (lseek(n->open_fd, offset, SEEK_SET) < 0)
		return -errno;
	buf = malloc(DIRBUF_LEN);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		len = syscall(SYS_getdents64, n->open_fd, buf, DIRBUF_LEN);
		if (len < 0) {
			ret = -errno;
			break;
		}
		if (!len)
			break;
		for (pos = 0; pos < len;) {
			struct dent64 *d = (struct dent64 *)(buf + pos);
			size_t nl = strnlen(d->d_name, d->d_reclen -
					    offsetof(struct dent64, d_name));

			pos += d->d_reclen;
			if (n->is_root && nl == 2 && !memcmp(d->d_name, "..", 2)) {
				/* The root's ".." is the root. */
				ret = p9fs_qid_from_stat(fs, &st, &qid);
			} else {
				qid.type = d->d_type == DT_DIR ? P9_QTDIR :
					   d->d_type == DT_LNK ? P9_QTSYMLINK :
					   P9_QTFILE;
				qid.version = 0;
				ret = p9fs_qid_path(&fs->qids, st.st_dev,
						    d->d_ino, &qid.path);
			}
			if (ret)
				goto out;
			if (emit(ctx, &qid, d->d_off, d->d_type, d->d_name, nl))
				goto out;
			taken++;
		}
	}
out:
	free(buf);
	return ret ? ret : taken;
}
