/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the 9P2000.L server (include/virtio/9p.h): the fid table
 * (virtio/9p-fids.c) and the message handlers (virtio/9p-ops.c) that
 * take fids from it. Only those two include this.
 */
#ifndef LKVM_VIRTIO_9P_OPS_INT_H
#define LKVM_VIRTIO_9P_OPS_INT_H

#include "virtio/9p-proto.h"
#include "virtio/9p.h"

enum p9_fid_kind {
	P9_FID_FREE,
	P9_FID_NEW,		/* reserved by the request making it */
	P9_FID_NODE,
	P9_FID_XATTR_READ,	/* Txattrwalk: a value or list to read */
	P9_FID_XATTR_WRITE,	/* Txattrcreate: set at Tclunk */
};

/*
 * A fid lives on the heap: the table keeps it (listed, at slot) and so
 * does the one request holding it (busy). A reset unlists every fid; one
 * a request still holds (its worker blocked in the host's file system)
 * is freed when that request lets go of it, never under it.
 */
struct p9_fid {
	u32 id;
	u8 kind;
	bool busy;		/* held by a request */
	bool listed;		/* in s->fids[slot] */
	unsigned int slot;
	u32 uid;		/* the attach's n_uname */
	u64 path_gen;		/* node.path follows s->renames up to this */
	struct p9fs_node node;
	char *xname;
	u8 *xbuf;
	u64 xsize;		/* read: the value's length; write: declared */
	u64 xlen;		/* write: bytes written so far */
	u64 xres;		/* xbuf's part of s->xattr_bytes */
	u32 xflags;
};

/* One request's context. */
struct p9_call {
	struct p9_server *s;
	struct p9_msg *m;
	struct p9_buf *rb;	/* the reply, header reserved */
	u32 cap;		/* the reply's room: min(out_cap, msize) */
	u32 msize;
	struct p9_fid *f[2];
	unsigned int nf;
	struct p9_iobufs *io;	/* NULL: no parking, the server's epoch */
	u64 epoch;		/* the server's when the request was taken */
	bool parked;		/* gave up its thread: struct p9_iobufs */
};

/* Tversion's wait for every fid to be let go, then none left: 0, -errno. */
int p9_fids_session(struct p9_call *c, u32 msize);
/*
 * A new fid id for a request of epoch, held (busy) by it: -EEXIST,
 * -ENFILE, -ENOMEM, -ECANCELED (the epoch is over).
 */
int p9_fid_new(struct p9_server *s, u64 epoch, u32 id, struct p9_fid **out);
/*
 * Take fids ids[0, n) for request c, all or none, waiting (or parking)
 * while one is busy: -EBADF, -ECANCELED, -EAGAIN (parked), -EINTR.
 */
int p9_fids_get(struct p9_call *c, const u32 *ids, unsigned int n,
		struct p9_fid **out);
/* p9_fids_get() of one or two fids into c->f, which must be plain nodes. */
int p9_take(struct p9_call *c, unsigned int n, u32 a, u32 b);
/* The request lets go of its fids. */
void p9_fids_put(struct p9_server *s, struct p9_fid **f, unsigned int n);
/* Give up a fid the request holds (Tclunk, a failed make): it goes. */
void p9_fid_drop(struct p9_server *s, struct p9_fid *f);
/* Bytes of the attribute buffers, within P9_XATTR_BUDGET: 0, -ENOSPC. */
int p9_xattr_reserve(struct p9_server *s, u64 len);
void p9_xattr_unreserve(struct p9_server *s, u64 len);
/* Around a rename's system call: the fids follow it (9p-renames.h). */
void p9_rename_begin(struct p9_server *s);
void p9_rename_end(struct p9_server *s, struct p9fs_move *mv);

#endif
