/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fids' share paths across the guest's renames (virtio/9p-renames.c).
 *
 * A fid keeps its object's path from the share's root as text (struct
 * p9fs_node.path). A rename made through one fid (Trenameat, Trename) is
 * applied at once to every fid no request holds; a fid a request holds
 * (its worker may be reading the path) catches up from this log when the
 * request lets go of it, a fid walked from it starts at its generation.
 * The log keeps the last P9_RENAME_LOG renames: a fid that missed more
 * (a request stuck in the host's file system all the while) loses its
 * path, and the next request that takes it finds it again from its
 * descriptor (p9_renames_refind(), p9fs_node_refind(): the kernel's name
 * for the object, taken only if it resolves beneath the share's root to
 * that very object). Memory stays bounded by the log and one path per
 * fid, whatever the guest renames and however long a request is stuck.
 *
 * A name found so is as new as the host's tree, which may be ahead of the
 * log: a rename between its system call and its entry here (running).
 * It is kept only when no rename was running from before the lookup to
 * after it, and the log did not move meanwhile: the name then matches
 * the log's generation, from which the fid follows on.
 *
 * The fid table (virtio/9p-fids.c) calls these under its lock, but
 * p9_renames_refind() (which takes it); each takes a node and the
 * generation its path follows the log up to (struct p9_fid.path_gen).
 */
#ifndef LKVM_VIRTIO_9P_RENAMES_H
#define LKVM_VIRTIO_9P_RENAMES_H

#include <pthread.h>

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
	unsigned int running;		/* begun, not yet ended */
	struct p9_renamed r[P9_RENAME_LOG];	/* the gen'th at gen % LOG */
};

void p9_renames_destroy(struct p9_rename_log *l);
/* A rename's system call is about to be made. */
void p9_renames_begin(struct p9_rename_log *l);
/*
 * And it was: logged when it happened (mv->from set; mv's strings are
 * taken over), not when it failed (mv empty).
 */
void p9_renames_end(struct p9_rename_log *l, struct p9fs_move *mv);
/*
 * n's path, which follows the log up to *gen, follows it to its end, or
 * is lost when some of those renames are no longer kept; *gen moves on.
 */
void p9_renames_follow(const struct p9_rename_log *l, struct p9fs_node *n,
		       u64 *gen);
/*
 * Without lock held, by the one request holding n: n lost its path
 * (p9fs_node_moved()); find it again (p9fs_node_refind()) at a moment
 * no rename runs, *gen set to the log's generation then. 0, or -errno
 * with n left without its path (-ESTALE: no name for its object in the
 * share, or renames kept running).
 */
int p9_renames_refind(struct p9_rename_log *l, pthread_mutex_t *lock,
		      struct p9fs *fs, struct p9fs_node *n, u64 *gen);

#endif
