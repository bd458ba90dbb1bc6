// SPDX-License-Identifier: GPL-2.0
/*
 * The rename log the fids' paths follow: include/virtio/9p-renames.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "virtio/9p-renames.h"

void p9_renames_destroy(struct p9_rename_log *l)
{
	unsigned int i;

	for (i = 0; i < P9_RENAME_LOG; i++) {
		free(l->r[i].from);
		free(l->r[i].to);
		l->r[i].from = NULL;
		l->r[i].to = NULL;
	}
}

void p9_renames_begin(struct p9_rename_log *l)
{
	l->running++;
}

void p9_renames_end(struct p9_rename_log *l, struct p9fs_move *mv)
{
	struct p9_renamed *r;

	l->running--;
	if (!mv->from)
		return;
	r = &l->r[++l->gen % P9_RENAME_LOG];
	free(r->from);
	free(r->to);
	r->from = mv->from;
	r->to = mv->to;
	mv->from = NULL;
	mv->to = NULL;
}

void p9_renames_follow(const struct p9_rename_log *l, struct p9fs_node *n,
		       u64 *gen)
{
	u64 g;

	if (l->gen - *gen > P9_RENAME_LOG) {
		p9fs_node_moved(n, NULL, NULL);
	} else {
		for (g = *gen + 1; g <= l->gen; g++) {
			const struct p9_renamed *r = &l->r[g % P9_RENAME_LOG];

			p9fs_node_moved(n, r->from, r->to);
		}
	}
	*gen = l->gen;
}

/*
 * Tries before giving up while renames keep running, a millisecond apart:
 * a rename's system call takes microseconds unless the host's file
 * system is stuck, and then the fid's call fails (-ESTALE) rather than
 * wait for it.
 */
#define REFIND_TRIES	4

int p9_renames_refind(struct p9_rename_log *l, pthread_mutex_t *lock,
		      struct p9fs *fs, struct p9fs_node *n, u64 *gen)
{
	const struct timespec pause = { 0, 1000 * 1000 };
	unsigned int i;
	bool quiet;
	int r = -ESTALE;
	u64 g;

	for (i = 0; i < REFIND_TRIES; i++) {
		if (i)
			nanosleep(&pause, NULL);
		pthread_mutex_lock(lock);
		g = l->gen;
		quiet = !l->running;
		pthread_mutex_unlock(lock);
		if (!quiet)
			continue;
		r = p9fs_node_refind(fs, n);
		if (r)
			return r;
		pthread_mutex_lock(lock);
		quiet = !l->running && l->gen == g;
		if (quiet)
			*gen = g;
		pthread_mutex_unlock(lock);
		if (quiet)
			return 0;
		/* A rename raced the lookup: the name may be ahead. */
		p9fs_node_moved(n, NULL, NULL);
		r = -ESTALE;
	}
	return r;
}
