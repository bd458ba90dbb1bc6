// SPDX-License-Identifier: GPL-2.0
/*
 * The rename log the fids' paths follow: include/virtio/9p-renames.h.
 */
#include <stdlib.h>

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

void p9_renames_add(struct p9_rename_log *l, struct p9fs_move *mv)
{
	struct p9_renamed *r = &l->r[++l->gen % P9_RENAME_LOG];

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
