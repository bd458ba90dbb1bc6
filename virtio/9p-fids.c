// SPDX-License-Identifier: GPL-2.0
/*
 * The 9p server's bounded fid table (include/virtio/9p.h): a fid's life
 * (made, held by one request at a time, let go, dropped), the epochs a
 * reset or cancel ends, the budget of the fids' attribute buffers, and
 * the renames the fids' paths follow (include/virtio/9p-renames.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "9p-ops-int.h"

int p9_server_init(struct p9_server *s, struct p9fs *fs, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->fids = calloc(P9_MAX_FIDS, sizeof(*s->fids));
	if (!s->fids)
		return -ENOMEM;
	s->fs = fs;
	s->name = name;
	s->msize = P9_MSIZE_MAX;
	s->max_fids = P9_MAX_FIDS;
	s->epoch = 1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	return 0;
}

unsigned int p9_server_limit_fids(struct p9_server *s, unsigned long max)
{
	if (max < P9_MIN_FIDS)
		max = P9_MIN_FIDS;
	if (max > P9_MAX_FIDS)
		max = P9_MAX_FIDS;
	pthread_mutex_lock(&s->lock);
	s->max_fids = max;
	pthread_mutex_unlock(&s->lock);
	return max;
}

/*
 * len bytes of the fids' attribute buffers, at most P9_XATTR_BUDGET in
 * all: without a bound, Txattrcreate on every fid would pin 4096 times
 * 64 KiB of lkvm's memory until Tclunk. 0, or -ENOSPC.
 */
int p9_xattr_reserve(struct p9_server *s, u64 len)
{
	int r = 0;

	pthread_mutex_lock(&s->lock);
	if (len > P9_XATTR_BUDGET - s->xattr_bytes)
		r = -ENOSPC;
	else
		s->xattr_bytes += len;
	pthread_mutex_unlock(&s->lock);
	return r;
}

void p9_xattr_unreserve(struct p9_server *s, u64 len)
{
	pthread_mutex_lock(&s->lock);
	s->xattr_bytes -= len;
	pthread_mutex_unlock(&s->lock);
}

/* Neither the table nor a request keeps f any more (s->lock held). */
static void fid_free(struct p9_server *s, struct p9_fid *f)
{
	if (f->kind != P9_FID_FREE)
		p9fs_node_release(s->fs, &f->node);
	s->xattr_bytes -= f->xres;
	free(f->xname);
	free(f->xbuf);
	free(f);
}

/* Under s->lock: take f out of the table; freed now unless held. */
static void fid_unlist(struct p9_server *s, struct p9_fid *f)
{
	s->fids[f->slot] = NULL;
	f->listed = false;
	s->nr_fids--;
	if (f->busy)
		s->busy--;
	else
		fid_free(s, f);
}

/* Under s->lock. */
static void fids_clear(struct p9_server *s)
{
	unsigned int i;

	for (i = 0; i < s->top; i++)
		if (s->fids[i])
			fid_unlist(s, s->fids[i]);
	s->top = 0;
}

/* The epoch moves on under s->lock; p9_server_epoch() reads it anywhere. */
u64 p9_server_epoch(struct p9_server *s)
{
	return __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE);
}

/*
 * Under s->lock: a fid was let go or the epoch moved on. Wake the
 * requests waiting for one and tell the parked ones (fid_gen).
 */
static void fids_changed(struct p9_server *s)
{
	__atomic_store_n(&s->fid_gen, s->fid_gen + 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&s->cond);
}

u64 p9_server_fid_gen(struct p9_server *s)
{
	return __atomic_load_n(&s->fid_gen, __ATOMIC_ACQUIRE);
}

/* Under s->lock: end the epoch, wake its requests' waits. */
static void epoch_end(struct p9_server *s)
{
	__atomic_store_n(&s->epoch, s->epoch + 1, __ATOMIC_RELEASE);
	fids_changed(s);
}

void p9_server_cancel(struct p9_server *s)
{
	pthread_mutex_lock(&s->lock);
	epoch_end(s);
	pthread_mutex_unlock(&s->lock);
}

void p9_server_reset(struct p9_server *s)
{
	pthread_mutex_lock(&s->lock);
	epoch_end(s);
	fids_clear(s);
	s->msize = P9_MSIZE_MAX;
	pthread_mutex_unlock(&s->lock);
}

void p9_server_destroy(struct p9_server *s)
{
	if (!s->fids)
		return;
	p9_server_reset(s);
	p9_renames_destroy(&s->renames);
	free(s->fids);
	s->fids = NULL;
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
}

u32 p9_server_msize(struct p9_server *s)
{
	u32 m;

	pthread_mutex_lock(&s->lock);
	m = s->msize;
	pthread_mutex_unlock(&s->lock);
	return m;
}

/* Under s->lock: the fid id, or NULL. */
static struct p9_fid *fid_find(struct p9_server *s, u32 id)
{
	unsigned int i;

	for (i = 0; i < s->top; i++)
		if (s->fids[i] && s->fids[i]->id == id)
			return s->fids[i];
	return NULL;
}

/*
 * Under s->lock: the request must wait for a fid (or for Tversion's
 * turn). 0: it waited, look again. Parked (io->park): -EAGAIN, the
 * request let go of its thread and io->fid_gen says when to come back;
 * flushed (io->flushed): -EINTR, it gives up.
 */
static int fid_wait(struct p9_call *c)
{
	struct p9_server *s = c->s;

	if (c->io && c->io->flushed)
		return -EINTR;
	if (c->io && c->io->park) {
		c->io->fid_gen = s->fid_gen;
		c->parked = true;
		return -EAGAIN;
	}
	pthread_cond_wait(&s->cond, &s->lock);
	return 0;
}

/*
 * Take fids ids[0, n) for request c (the same id twice gives the same
 * fid), waiting while any of them is busy (fid_wait()): all or none, so
 * two requests never hold one each of the same pair. -EBADF if one does
 * not exist, -ECANCELED once a reset or cancel ended the request's epoch.
 */
int p9_fids_get(struct p9_call *c, const u32 *ids, unsigned int n,
		struct p9_fid **out)
{
	struct p9_server *s = c->s;
	unsigned int i, j;
	bool wait;
	int r;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (s->epoch != c->epoch) {
			pthread_mutex_unlock(&s->lock);
			return -ECANCELED;
		}
		wait = false;
		for (i = 0; i < n; i++) {
			out[i] = fid_find(s, ids[i]);
			if (!out[i]) {
				pthread_mutex_unlock(&s->lock);
				return -EBADF;
			}
			if (out[i]->busy)
				wait = true;
		}
		if (!wait)
			break;
		r = fid_wait(c);
		if (r) {
			pthread_mutex_unlock(&s->lock);
			return r;
		}
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (out[j] == out[i])
				break;
		if (j == i) {
			out[i]->busy = true;
			s->busy++;
		}
	}
	pthread_mutex_unlock(&s->lock);
	/*
	 * A fid that lost its path (it missed more renames than the log
	 * keeps) finds it again now that it is held, or stays without.
	 */
	for (i = 0; i < n; i++)
		if (out[i]->node.path_fd >= 0 && !out[i]->node.path)
			p9_renames_refind(&s->renames, &s->lock, s->fs,
					  &out[i]->node, &out[i]->path_gen);
	return 0;
}

/* A rename's system call is about to be made (9p-renames.h). */
void p9_rename_begin(struct p9_server *s)
{
	pthread_mutex_lock(&s->lock);
	p9_renames_begin(&s->renames);
	pthread_mutex_unlock(&s->lock);
}

/*
 * And it was. If it happened (mv->from set, mv taken over), the fids no
 * request holds follow it now, the held ones when they are let go
 * (p9_fids_put()).
 */
void p9_rename_end(struct p9_server *s, struct p9fs_move *mv)
{
	bool moved = mv->from;
	unsigned int i;

	pthread_mutex_lock(&s->lock);
	p9_renames_end(&s->renames, mv);
	for (i = 0; moved && i < s->top; i++)
		if (s->fids[i] && !s->fids[i]->busy)
			p9_renames_follow(&s->renames, &s->fids[i]->node,
					  &s->fids[i]->path_gen);
	pthread_mutex_unlock(&s->lock);
}

int p9_server_each_node(struct p9_server *s,
			int (*fn)(void *ctx, const struct p9fs_node *n),
			void *ctx)
{
	unsigned int i;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; !r && i < s->top; i++)
		if (s->fids[i] && !s->fids[i]->busy &&
		    s->fids[i]->kind != P9_FID_NEW)
			r = fn(ctx, &s->fids[i]->node);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The request lets go of its fids; one a reset unlisted goes now. */
void p9_fids_put(struct p9_server *s, struct p9_fid **f, unsigned int n)
{
	unsigned int i, j;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (f[j] == f[i])
				break;
		if (j < i || !f[i]->busy)
			continue;
		f[i]->busy = false;
		if (f[i]->listed) {
			s->busy--;
			p9_renames_follow(&s->renames, &f[i]->node,
					  &f[i]->path_gen);
		} else {
			fid_free(s, f[i]);
		}
	}
	fids_changed(s);
	pthread_mutex_unlock(&s->lock);
}

/*
 * A new fid id for a request of epoch, held (busy) by it: -EEXIST,
 * -ENFILE, -ENOMEM, -ECANCELED (the epoch is over).
 */
int p9_fid_new(struct p9_server *s, u64 epoch, u32 id, struct p9_fid **out)
{
	struct p9_fid *f = NULL;
	unsigned int i;
	int r = 0;

	*out = NULL;
	if (id == P9_NOFID)
		return -EBADF;
	pthread_mutex_lock(&s->lock);
	if (s->epoch != epoch) {
		r = -ECANCELED;
	} else if (fid_find(s, id)) {
		r = -EEXIST;
	} else if (s->nr_fids >= s->max_fids) {
		r = -ENFILE;
		pr_warn_ratelimited("%s: the guest has %u fids, the most this device keeps",
				    s->name, s->max_fids);
	} else {
		for (i = 0; i < P9_MAX_FIDS; i++)
			if (!s->fids[i])
				break;
		f = i < P9_MAX_FIDS ? calloc(1, sizeof(*f)) : NULL;
		if (!f) {
			r = i < P9_MAX_FIDS ? -ENOMEM : -ENFILE;
		} else {
			f->id = id;
			f->kind = P9_FID_NEW;
			f->busy = true;
			f->listed = true;
			f->slot = i;
			f->path_gen = s->renames.gen;
			p9fs_node_init(&f->node);
			s->fids[i] = f;
			s->busy++;
			s->nr_fids++;
			if (i >= s->top)
				s->top = i + 1;
		}
	}
	pthread_mutex_unlock(&s->lock);
	*out = f;
	return r;
}

/* Give up a fid the request holds (Tclunk, a failed make): it goes. */
void p9_fid_drop(struct p9_server *s, struct p9_fid *f)
{
	pthread_mutex_lock(&s->lock);
	if (f->listed)
		fid_unlist(s, f);	/* busy: left to free here */
	fid_free(s, f);
	fids_changed(s);
	pthread_mutex_unlock(&s->lock);
}

/* Take the request's fids, which must be plain nodes. */
int p9_take(struct p9_call *c, unsigned int n, u32 a, u32 b)
{
	u32 ids[2] = { a, b };
	unsigned int i;
	int r;

	r = p9_fids_get(c, ids, n, c->f);
	if (r)
		return r;
	c->nf = n;
	for (i = 0; i < n; i++)
		if (c->f[i]->kind != P9_FID_NODE)
			return -EINVAL;
	return 0;
}

/*
 * Tversion: a new session of msize. Every fid goes, once no request
 * holds one: 0, or what fid_wait() or the epoch's end says.
 */
int p9_fids_session(struct p9_call *c, u32 msize)
{
	struct p9_server *s = c->s;
	int r;

	pthread_mutex_lock(&s->lock);
	while (s->busy && s->epoch == c->epoch) {
		r = fid_wait(c);
		if (r) {
			pthread_mutex_unlock(&s->lock);
			return r;
		}
	}
	if (s->epoch != c->epoch) {
		pthread_mutex_unlock(&s->lock);
		return -ECANCELED;
	}
	fids_clear(s);
	s->msize = msize;
	pthread_mutex_unlock(&s->lock);
	return 0;
}
