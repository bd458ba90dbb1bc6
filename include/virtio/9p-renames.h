/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fids' share paths across the guest's renames (virtio/9p-renames.c).
 *
 * A fid keeps its object's path from the share's root as text (struct
 * p9fs_node.path). A rename made through one fid (Trenameat, Trename) is
 * applied at once to every fid no request holds; a fid a request holds
 * (its worker may be reading the path) catches up from this log when the
 * request lets go of it, a fid walked from it starts at its generation.
 * The log keeps the last P9_RENAME_LOG renames.
 *
 * The protocol side (virtio/9p-ops.c) calls these under its fid table's
 * lock; each takes a node and the generation its path follows the log up
 * to (struct p9_fid.path_gen).
 */
#ifndef LKVM_VIRTIO_9P_RENAMES_H
#define LKVM_VIRTIO_9P_RENAMES_H

#include "types.h"
#include "virtio/9p-fs.h"

/*
 * The renames a fid held by a request may miss while it runs (it follows
 * them when the request lets go); past that its path is lost.
 */
#define P9_RENAME_LOG	32

/* One rename: the share's path `from` became `to`. */
struct p9_renamed {
	char *from, *to;
};

struct p9_rename_log {
	u64 gen;			/* renames logged so far */
	struct p9_renamed r[P9_RENAME_LOG];	/* the gen'th at gen % LOG */
};

void p9_renames_destroy(struct p9_rename_log *l);
/* Log a rename that happened: mv's strings are taken over. */
void p9_renames_add(struct p9_rename_log *l, struct p9fs_move *mv);
/*
 * n's path, which follows the log up to *gen, follows it to its end, or
 * is lost when some of those renames are no longer kept; *gen moves on.
 */
void p9_renames_follow(const struct p9_rename_log *l, struct p9fs_node *n,
		       u64 *gen);

#endif
