// SPDX-License-Identifier: GPL-2.0
/*
 * qid paths unique across the host devices a share spans (a bind or a
 * mount inside it): see virtio/9p-fs-int.h for the layout.
 */
#include <errno.h>
#include <stdlib.h>

#include "9p-fs-int.h"
#include "log.h"

int p9fs_qid_init(struct p9fs_qidmap *m, dev_t root_dev)
{
	int ret = pthread_mutex_init(&m->lock, NULL);

	if (ret)
		return -ret;
	m->devs[0] = root_dev;
	m->ndevs = 1;
	m->big = NULL;
	m->nbig = 0;
	return 0;
}

void p9fs_qid_destroy(struct p9fs_qidmap *m)
{
	free(m->big);
	m->big = NULL;
	pthread_mutex_destroy(&m->lock);
}

static int dev_index(struct p9fs_qidmap *m, dev_t dev, unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < m->ndevs; i++) {
		if (m->devs[i] == dev) {
			*idx = i;
			return 0;
		}
	}
	if (m->ndevs == QID_DEV_MAX)
		return -EOVERFLOW;
	m->devs[m->ndevs] = dev;
	*idx = m->ndevs++;
	return 0;
}

static u64 big_hash(dev_t dev, ino_t ino)
{
	u64 h = (u64)ino * 0x9e3779b97f4a7c15ULL ^ (u64)dev;

	return h ^ (h >> 29);
}

/* Both words of (dev, ino) mixed into all 64 bits (a splitmix64 finish). */
static u64 full_hash(dev_t dev, ino_t ino)
{
	u64 h = (u64)ino ^ ((u64)dev * 0xbf58476d1ce4e5b9ULL);

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static int big_index(struct p9fs_qidmap *m, dev_t dev, ino_t ino, u64 *out)
{
	u64 i = big_hash(dev, ino) & (QID_BIG_MAX - 1);
	unsigned int n;

	if (!m->big) {
		m->big = calloc(QID_BIG_MAX, sizeof(*m->big));
		if (!m->big)
			return -ENOMEM;
	}
	for (n = 0; n < QID_BIG_MAX; n++, i = (i + 1) & (QID_BIG_MAX - 1)) {
		struct p9fs_qid_big *b = &m->big[i];

		if (b->used && b->dev == dev && b->ino == ino) {
			*out = i;
			return 0;
		}
		if (!b->used) {
			/* Keep one slot free so a miss always ends. */
			if (m->nbig + 1 >= QID_BIG_MAX)
				return -EOVERFLOW;
			b->used = true;
			b->dev = dev;
			b->ino = ino;
			m->nbig++;
			*out = i;
			return 0;
		}
	}
	return -EOVERFLOW;
}

/*
 * A full table: the path is a hash of (dev, ino) under QID_DEV_BIG with
 * QID_HASHED set, apart from every table slot. The same file always gets
 * the same path and the files the tables hold keep theirs; two hashed
 * files share one with a chance of about n * n / 2^56 (n such files).
 */
static u64 hashed_path(struct p9fs_qidmap *m, dev_t dev, ino_t ino)
{
	pr_warn_ratelimited("9p: the qid map is full (%u devices, %u big inode numbers): hashed qids from now on",
			    m->ndevs, m->nbig);
	return (u64)QID_DEV_BIG << QID_INO_BITS | QID_HASHED |
	       (full_hash(dev, ino) & (QID_HASHED - 1));
}

int p9fs_qid_path(struct p9fs_qidmap *m, dev_t dev, ino_t ino, u64 *path)
{
	unsigned int idx;
	u64 slot;
	int ret;

	/* The share's own device is fixed at open: no lock. */
	if (dev == m->devs[0] && (u64)ino >> QID_INO_BITS == 0) {
		*path = ino;
		return 0;
	}
	pthread_mutex_lock(&m->lock);
	if ((u64)ino >> QID_INO_BITS) {
		ret = big_index(m, dev, ino, &slot);
		if (!ret)
			*path = (u64)QID_DEV_BIG << QID_INO_BITS | slot;
	} else {
		ret = dev_index(m, dev, &idx);
		if (!ret)
			*path = (u64)idx << QID_INO_BITS | ino;
	}
	if (ret)
		*path = hashed_path(m, dev, ino);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int p9fs_qid_from_stat(struct p9fs *fs, const struct stat *st,
		       struct p9_qid *qid)
{
	if (S_ISDIR(st->st_mode))
		qid->type = P9_QTDIR;
	else if (S_ISLNK(st->st_mode))
		qid->type = P9_QTSYMLINK;
	else
		qid->type = P9_QTFILE;
	/*
	 * Always 0: Linux's v9fs matches inodes on the version too, and a
	 * version that moved with every write would split one file into
	 * several inodes in the guest's cache.
	 */
	qid->version = 0;
	return p9fs_qid_path(&fs->qids, st->st_dev, st->st_ino, &qid->path);
}
