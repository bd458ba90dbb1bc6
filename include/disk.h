/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Disk images behind one interface, and the engines that run requests on
 * them without blocking the caller.
 *
 * struct disk is an open image: raw (regular file or block device) or qcow2
 * (disk-qcow2.c, qcow2-*.c), detected by content. Its ops are synchronous and
 * thread-safe (a format that needs it serialises internally); offsets and
 * lengths are in bytes and already checked against disk->size by the
 * caller. disk_open() takes an OFD lock on the file: exclusive for
 * read-write, shared for read-only, so that two VMs cannot write one image.
 *
 * struct disk_engine runs struct disk_req asynchronously: io_uring
 * (disk-uring.c), or a pool of worker threads (disk-thread.c) when
 * io_uring is unavailable. On a format that is not linear (qcow2) the
 * io_uring engine reads what map_read() maps through io_uring, and hands
 * writes, zeroing, flushes and unmapped reads (which need the format's
 * metadata code) to its own worker threads. A request's done() is called exactly once, from
 * the engine's completion context (the I/O thread for io_uring, a worker
 * for threads), then batch_done() once per batch of completions.
 */
#ifndef LKVM_DISK_H
#define LKVM_DISK_H

#include <pthread.h>
#include <sys/uio.h>

#include "io-loop.h"
#include "types.h"

#define DISK_SECTOR		512

/* DISK_FMT_AUTO (open options only): probe the content. */
enum disk_format { DISK_FMT_AUTO, DISK_FMT_RAW, DISK_FMT_QCOW2 };

struct disk;

struct disk_ops {
	const char *name;
	ssize_t (*preadv)(struct disk *d, const struct iovec *iov, int iovcnt,
			  u64 off);
	/* dsync: the data is stable when this returns (write-through). */
	ssize_t (*pwritev)(struct disk *d, const struct iovec *iov,
			   int iovcnt, u64 off, bool dsync);
	int (*flush)(struct disk *d);
	/*
	 * Make [off, off + len) read as zeroes. unmap: the space may be
	 * given back (discard / hole / deallocated cluster).
	 */
	int (*zero)(struct disk *d, u64 off, u64 len, bool unmap);
	/*
	 * Optional, for formats that are not linear: 1 with *host set if
	 * [off, off + len) is stored as-is in one contiguous run of the file
	 * (so it can be read there directly), 0 if not (or not known
	 * without waiting: it is called on the I/O thread), or -errno.
	 */
	int (*map_read)(struct disk *d, u64 off, u64 len, u64 *host);
	/*
	 * With map_read: a read it mapped (1) is done with the file, once
	 * for each. Until then the format frees none of the clusters such
	 * reads may use (nor hands them out to another guest cluster).
	 */
	void (*map_done)(struct disk *d);
	void (*close)(struct disk *d);
};

struct disk {
	const struct disk_ops *ops;
	enum disk_format format;
	int fd;
	u64 size;		/* guest-visible bytes */
	bool readonly;
	bool direct;		/* O_DIRECT */
	bool blockdev;
	/* The guest offset is the file offset (raw): io_uring can do it. */
	bool linear;
	/* Discards are rounded in to this (bytes); zeroing is exact. */
	u32 discard_granularity;
	/*
	 * Writable and raw by probing: a write of the first sector that
	 * would make the image probe as another format is refused
	 * (disk_guard_write()).
	 */
	bool probed_raw;
	/*
	 * A sync of the file failed (atomic): the kernel may have dropped
	 * data written before and reports that only once, so every later
	 * flush fails (disk_sync_result()).
	 */
	bool sync_failed;
	char *path;
	void *priv;		/* format state */
};

struct disk_open_opts {
	bool readonly;
	bool direct;
	bool no_lock;		/* tests that open one image twice */
	enum disk_format format;	/* AUTO: probe the content */
	/*
	 * Backing files (qcow2), for the whole chain. By default one must be
	 * a regular file in the directory tree of the image naming it, not
	 * reached through a final symlink. backing_any: anywhere;
	 * backing_path: this file too, wherever it is (the user named it);
	 * backing_follow: a final symlink is followed.
	 */
	bool backing_any;
	bool backing_follow;
	const char *backing_path;
};

/*
 * Open and lock an image: a regular file or a block device (anything else
 * is refused before it is opened, see safe-open.h). On failure returns
 * -errno and, if err is not NULL, a message for the user in err ("image is
 * locked by another process", "qcow2: corrupt header: ...").
 */
int disk_open(struct disk **out, const char *path,
	      const struct disk_open_opts *opts, char *err, size_t errlen);
void disk_close(struct disk *d);

/*
 * Open the backing file `name` of the qcow2 image parent (used by qcow2)
 * read-only, under opts' backing rule, as format fmt (AUTO: probe).
 */
int disk_open_backing(struct disk **out, const struct disk *parent,
		      const char *name, enum disk_format fmt,
		      const struct disk_open_opts *opts, int depth,
		      char *err, size_t errlen);

/* Raw: the ops on a plain file descriptor (also used by qcow2 tests). */
int disk_raw_init(struct disk *d);

/*
 * qcow2 (disk-qcow2.c): set up d->ops/priv from d->fd; opts for its
 * backing file; -errno + err.
 */
int disk_qcow2_open(struct disk *d, const struct disk_open_opts *opts,
		    int depth, char *err, size_t errlen);


/* Read into a flat buffer / write from one (helpers over the ops). */
/* Format a one-line reason into err (nothing when err is NULL or len 0). */
__printf(3, 4)
void disk_error(char *err, size_t len, const char *fmt, ...);

int disk_read(struct disk *d, void *buf, u64 len, u64 off);
int disk_write(struct disk *d, const void *buf, u64 len, u64 off);

/* --- Engines --- */

enum disk_op {
	DISK_OP_READ,
	DISK_OP_WRITE,
	DISK_OP_FLUSH,
	DISK_OP_ZERO,
};

struct disk_req {
	enum disk_op op;
	u64 off;
	u64 len;
	struct iovec *iov;
	unsigned int iovcnt;
	bool dsync;		/* WRITE: write-through */
	bool unmap;		/* ZERO: may deallocate */
	s64 result;		/* bytes done or -errno */
	u64 file_off;		/* engine's use: where in the file */
	u32 retries;		/* engine's use: tries without progress */
	void (*done)(struct disk_req *req);
	void *opaque;
	void *guard;		/* disk_guard_write()'s copy, or NULL */
	struct disk_req *next;	/* engine's use */
};

enum disk_engine_kind {
	DISK_ENGINE_AUTO,	/* io_uring if it works, else threads */
	DISK_ENGINE_URING,
	DISK_ENGINE_THREAD,
};

struct disk_engine;

struct disk_engine_ops {
	const char *name;
	/* Queue a request; it may not start before submit_batch(). */
	void (*queue)(struct disk_engine *e, struct disk_req *req);
	/* Start everything queued. */
	void (*submit_batch)(struct disk_engine *e);
	/* Wait until every request queued so far has completed. */
	void (*drain)(struct disk_engine *e);
	void (*destroy)(struct disk_engine *e);
};

struct disk_engine {
	const struct disk_engine_ops *ops;
	struct disk *disk;
	/* After a batch of done() calls (e.g. to signal the guest once). */
	void (*batch_done)(void *opaque);
	void *batch_opaque;
};

/*
 * An engine for disk. io_uring needs loop (its completions arrive on the
 * I/O thread); AUTO picks it when there is one and the kernel allows
 * io_uring, else threads. entries: the most requests in flight at once.
 */
int disk_engine_create(struct disk_engine **out, struct disk *disk,
		       enum disk_engine_kind kind, struct io_loop *loop,
		       unsigned int entries);
/*
 * With loop stopped: drain() waits for every done() to return, not for
 * the rest of the I/O thread's reap after it, which still uses the engine.
 */
void disk_engine_destroy(struct disk_engine *e);

int disk_uring_create(struct disk_engine **out, struct disk *disk,
		      struct io_loop *loop, unsigned int entries);
/*
 * The thread engine: one worker at first, more as batches find requests
 * waiting, at most max_workers (capped at DISK_THREAD_MAX).
 */
#define DISK_THREAD_MAX			16
#define DISK_THREAD_FALLBACK_WORKERS	16	/* as the sole engine */
int disk_thread_create(struct disk_engine **out, struct disk *disk,
		       unsigned int max_workers);

/*
 * The first-sector guard of a probed-raw image (d->probed_raw): a write
 * req that covers the start of the disk is made to take its first bytes
 * from a copy (req->guard, so that the guest cannot change them after the
 * check), and refused with -EPERM (one rate-limited line) if they would
 * make the image probe as another format. 0 when the write may go on.
 * disk_req_release() frees the copy once the request is done.
 */
int disk_guard_write(struct disk *d, struct disk_req *req);
void disk_req_release(struct disk_req *req);

/*
 * The result of a sync of d's file (fdatasync, a flush, RWF_DSYNC):
 * ret < 0 marks d as having lost data (one log line) and is returned;
 * after that a successful sync returns -EIO, for ever. Both engines' flush
 * results go through this.
 */
int disk_sync_result(struct disk *d, int ret);

/*
 * The end of a request on either engine, ret its bytes or -errno: for a
 * write-through write, an EIO of a linear image's RWF_DSYNC write is a
 * failed sync, and a whole one after a failed sync returns -EIO. Any
 * other request's ret comes back as it is.
 */
s64 disk_dsync_write_result(struct disk *d, const struct disk_req *req,
			    s64 ret);

/* Run one request synchronously (the thread engine's worker body). */
void disk_req_execute(struct disk *d, struct disk_req *req);

#endif
