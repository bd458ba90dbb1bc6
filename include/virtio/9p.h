/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-9p (virtio 1.x spec 5.9): one host directory served to the guest
 * over 9P2000.L.
 *
 * struct p9_server (virtio/9p-ops.c, its fids virtio/9p-fids.c) answers
 * one T-message at a time per caller, from any number of threads: it
 * keeps the bounded fid table (at most P9_MAX_FIDS per device, fewer
 * where the process's descriptor budget is smaller:
 * p9_server_limit_fids(); a fid is used by one request at a time, a
 * request that names a busy fid waits for it, or parks: struct
 * p9_iobufs) and the negotiated msize, and calls the
 * share's file system side (include/virtio/9p-fs.h) only.
 * Requests belong to an epoch that a reset or cancel ends: a request of
 * an ended epoch stops waiting and touches the fid table no more, and a
 * fid it still holds is freed when it lets go.
 *
 * struct virtio_9p (virtio/9p.c) is the device: feature VIRTIO_9P_MOUNT_TAG
 * and the tag in its config space, one request queue popped on the I/O
 * thread (never blocking it) and served by P9_WORKERS threads at once,
 * several requests in flight; a request running longer than its
 * slow_ms (P9_SPARE_MS) counts as stuck in the host's file system and
 * no longer takes one of those places: one of the pool's spare threads
 * (P9_MAX_WORKERS in all, started with the device) serves the queue in
 * its stead, and once every thread is taken requests queue (one
 * rate-limited log line). A request waiting for a busy fid is parked
 * on no thread. Tflush is answered after the flushed request's reply,
 * without holding a thread while that request runs. A malformed
 * message gets Rlerror and one rate-limited log line.
 * A reset never waits for the host's file system: a request still running
 * after P9_RESET_MS is abandoned (its worker finishes it on its own, its
 * reply is dropped): a worker serves a request from its own copy into its
 * own reply buffer, so that an abandoned one never touches the guest's
 * memory again. The reply is copied to the guest's buffers outside the
 * queue's lock (the I/O thread and the other workers go on meanwhile);
 * a reset waits for the copies in progress (each at most msize), so none
 * writes after it returns.
 */
#ifndef LKVM_VIRTIO_9P_H
#define LKVM_VIRTIO_9P_H

#include <pthread.h>
#include <stdbool.h>

#include "types.h"
#include "virtio/9p-fs.h"
#include "virtio/9p-renames.h"
#include "virtio/core.h"

#define P9_MAX_FIDS	4096		/* per device: then ENFILE */
#define P9_MIN_FIDS	64		/* the least p9_server_limit_fids() leaves */
#define P9_FID_FDS	3		/* descriptors a fid may hold */
/*
 * Descriptors one request opens beside those its fids hold (the
 * resolver's steps, a parent directory, a copy of the walked-from fid):
 * the fallback resolver's ".." from a fid is the most. Each of a share's
 * P9_MAX_WORKERS threads may hold that many at once: the share's part of
 * the process's budget counts them (vmm/fd-budget.c).
 */
#define P9_REQ_FDS	3
#define P9_SHARE_REQ_FDS	(P9_MAX_WORKERS * P9_REQ_FDS)
#define P9_MSIZE_MAX	(512 * 1024)	/* what the device offers */
#define P9_MSIZE_MIN	4096		/* a smaller msize is refused */
#define P9_XATTR_MAX	(64 * 1024)	/* one attribute's value, a list */
#define P9_XATTR_BUDGET	(4 * 1024 * 1024) /* all the fids' values, per device */
#define P9_WORKERS	4		/* requests served at once, not stuck */
#define P9_MAX_WORKERS	16		/* threads per device, spares included */
#define P9_SPARE_MS	1000		/* a request running longer is stuck */
#define P9_STUCK_MS	2000		/* at exit: a request still running is stuck */
#define P9_RESET_MS	100		/* at a reset: it is abandoned */
#define P9_QUEUE_SIZE	128

#define VIRTIO_9P_MOUNT_TAG	0	/* feature: the tag in config space */

struct p9_fid;

struct p9_server {
	struct p9fs *fs;
	const char *name;		/* "virtio-9p.0", for log lines */
	pthread_mutex_t lock;		/* the fid table and msize */
	pthread_cond_t cond;		/* a fid became free */
	struct p9_fid **fids;		/* P9_MAX_FIDS slots, NULL: free */
	unsigned int max_fids;		/* slots the guest may use */
	unsigned int nr_fids;		/* slots in use */
	unsigned int top;		/* slots [0, top) were ever used */
	unsigned int busy;		/* fids in the table held by requests */
	u32 msize;
	u64 xattr_bytes;		/* the fids' attribute buffers */
	u64 epoch;			/* from 1; moved on by reset, cancel */
	u64 fid_gen;			/* p9_server_fid_gen() */
	/* Trenameat and Trename, for the fids' paths: 9p-renames.h. */
	struct p9_rename_log renames;
};

int p9_server_init(struct p9_server *s, struct p9fs *fs, const char *name);
/*
 * Device reset: end the epoch (p9_server_cancel()), drop every fid and
 * the msize. Requests may still be running (a worker blocked in the
 * host's file system): a fid one holds is freed when it lets go of it.
 */
void p9_server_reset(struct p9_server *s);
/*
 * End the current epoch: the requests taken before stop waiting (for a
 * busy fid, for Tversion's turn) with ECANCELED and neither take nor make
 * fids any more; those running in the host's file system finish there.
 */
void p9_server_cancel(struct p9_server *s);
/* The current epoch: what a request taken now belongs to. */
u64 p9_server_epoch(struct p9_server *s);
void p9_server_destroy(struct p9_server *s);
/*
 * Let the guest hold at most @max fids (clamped to [P9_MIN_FIDS,
 * P9_MAX_FIDS]); returns the limit in force. Fids already made stay.
 */
unsigned int p9_server_limit_fids(struct p9_server *s, unsigned long max);
/*
 * Tests and the fuzz target: fn for each fid's node no request holds,
 * under the table's lock; stops at fn's first non-zero, which it returns.
 */
int p9_server_each_node(struct p9_server *s,
			int (*fn)(void *ctx, const struct p9fs_node *n),
			void *ctx);
/* The msize in force (P9_MSIZE_MAX until a Tversion). */
u32 p9_server_msize(struct p9_server *s);

/*
 * What a request brings beside its bytes, and what it takes away (the
 * device's struct p9_req; NULL: the server's epoch now, no parking).
 */
struct p9_iobufs {
	u64 epoch;		/* in: p9_server_epoch() at its pop; 0: now */
	/*
	 * park (in): a request that must wait for a busy fid (or Tversion
	 * for every fid) returns at once, parked (out), nothing done and
	 * nothing answered; the caller serves it again once
	 * p9_server_fid_gen() is past fid_gen (out). flushed (in): it
	 * gives up with EINTR instead of waiting.
	 */
	bool park, parked, flushed;
	u64 fid_gen;
};

/* Moves on whenever a fid is let go (or the epoch ends). */
u64 p9_server_fid_gen(struct p9_server *s);

/*
 * Answer the T-message in[0, in_len) with a reply in out[0, out_cap):
 * returns the reply's length, always one reply (Rlerror for anything
 * bad) when out_cap holds at least 11 bytes, else 0 (and 0, no reply,
 * when io->parked). in is modified (strings are NUL-terminated in place).
 * The whole request and reply are in these buffers (the device copies
 * them: a request a reset abandons never touches the guest's memory).
 */
u32 p9_server_handle_io(struct p9_server *s, u8 *in, u32 in_len, u8 *out,
			u32 out_cap, struct p9_iobufs *io);

struct p9_req;
struct virtio_9p;

/* One thread of a device's pool. */
struct p9_worker {
	struct virtio_9p *p;
	pthread_t thread;
	u8 *in, *out;		/* P9_MSIZE_MAX each */
	u64 since_ns;		/* CLOCK_MONOTONIC: serving since; 0: idle */
};

struct virtio_9p {
	struct virtio_device vdev;
	struct p9_server srv;
	struct p9fs *fs;
	u8 config[2 + 64];		/* tag_len (le16) + tag */
	pthread_mutex_t lock;		/* the lists, counters, stopping */
	pthread_cond_t work;		/* a request was queued / stop */
	pthread_cond_t done;		/* a request finished */
	struct p9_req *pending;		/* FIFO: popped, not started */
	struct p9_req *pending_tail;
	struct p9_req *running;		/* being served */
	struct p9_req *flushing;	/* Tflushes waiting for a running one */
	struct p9_req *parked;		/* waiting for a busy fid, no thread */
	struct p9_req *stale;		/* abandoned by a reset, still served */
	unsigned int nr_inflight;	/* popped, not yet pushed or abandoned */
	unsigned int nr_stale;
	unsigned int nr_parked;
	/*
	 * Copies from or to a current chain in progress, vq->lock dropped
	 * (under vq->lock, not lock); a reset waits on copied with vq->lock
	 * until none is left.
	 */
	unsigned int copying;
	pthread_cond_t copied;
	bool stopping;
	bool blocked;			/* every thread taken, one stuck: logged */
	unsigned int slow_ms;		/* P9_SPARE_MS; tests set it lower */
	struct p9_worker workers[P9_MAX_WORKERS];
	unsigned int nr_workers;
	/* Counters, under lock. */
	u64 requests, errors;
	u64 spares;			/* requests taken past a stuck one */
};

/*
 * Set up the device for share fs (owned by the caller, outlives it) with
 * mount tag `tag`, and start its P9_MAX_WORKERS threads (before the
 * seccomp filters: none starts later). -errno.
 */
int virtio_9p_init(struct virtio_9p *p, struct p9fs *fs, const char *tag,
		   const struct guest_mem *mem, const char *name);
/*
 * Drop the requests no worker has taken, wait up to timeout_ms for the
 * running ones (abandoned ones too), stop the workers and free the device: 0. -EBUSY when a
 * request is still running then (a worker blocked in the host's file
 * system): nothing is freed, the workers are detached, and the device
 * and its share must stay allocated; the caller is on its way out.
 */
int virtio_9p_destroy(struct virtio_9p *p, unsigned int timeout_ms);
/*
 * Wait up to timeout_ms until every popped request is pushed (quiesce):
 * 0, or -ETIMEDOUT with requests still running. Requests a reset
 * abandoned are not waited for (virtio_9p_destroy() does).
 */
int virtio_9p_drain(struct virtio_9p *p, unsigned int timeout_ms);

#endif
