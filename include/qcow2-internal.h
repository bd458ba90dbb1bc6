/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The qcow2 back-end's own header, shared by its files in devices/ and by
 * nothing else (the rest of lkvm sees disk.h and qcow2.h):
 *   disk-qcow2.c        open, validation of the tables, backing file, close
 *   qcow2-header.c      the header parser (qcow2.h's qcow2_parse_header)
 *   qcow2-io.c          metadata I/O, the checks before every write,
 *                       marking the image corrupt
 *   qcow2-refcount.c    refcounts: lookup, update, cluster allocation, free
 *   qcow2-grow.c        a larger refcount table when allocation needs one
 *   qcow2-l2.c          the L2 table cache, lookup and allocation
 *   qcow2-compressed.c  zlib-compressed clusters
 *   qcow2-read.c        the read path (and map_read)
 *   qcow2-write.c       the write, flush and write-zeroes paths
 *   qcow2-writeback.c   L2 entry updates held in memory until a commit
 *   qcow2-meta.c        the map of where the tables are (qcow2.h)
 *   qcow2-check.c       the reference check at a read-write open
 *
 * qcow2 images (versions 2 and 3): reads through L1/L2 tables, backing
 * files and zlib-compressed clusters; writes with cluster allocation and
 * refcount updates. No internal snapshots (images that have them open
 * read-only), no encryption, no external data files, no extended L2.
 *
 * Metadata is written in an order that a kill of lkvm or a crash of the
 * host at any point leaves consistent (at worst leaked clusters): the
 * kernel writes dirty pages back in any order, so each step that depends
 * on an earlier one waits for an fdatasync of it (qcow2_barrier(), only
 * when something was written since the last):
 *   allocate: refcount block entry, cluster contents (data, a zeroed L2
 *             table, a new refcount block) -> sync -> L2 (L1, refcount
 *             table) entry
 *   free:     L2 entry -> sync -> refcount entry
 *   grow the refcount table: new table and its blocks -> sync -> header
 *             fields -> sync -> the old table freed (qcow2-grow.c)
 * L1 and refcount table entries are written at once (a new L2 table or
 * refcount block: rare). L2 entry updates are written back
 * (qcow2-writeback.c): the cached table changes, the entry is marked
 * dirty, and the clusters the old entry named wait in q->frees. The
 * dirty entries are written by qcow2_commit(): on the guest's FLUSH,
 * before a write-through write completes, when QCOW2_DEFER entries or
 * frees wait, when a table with dirty entries would leave the cache, and
 * at close; as sync, L2 entries, sync, frees. Reads, map_read and later
 * writes see the cached tables, so a write before the commit is read
 * back, and written in place by a second write. A commit that fails
 * puts the entries it did not write back to what the file holds (their
 * new clusters leak), drops the frees (the old clusters of the entries
 * it did write leak), and its error sticks to every later flush
 * (disk_sync_result()). A table it wrote in part (a piece of entries
 * failed, perhaps after a short write) leaves the cache and is read
 * again from the file: the cache never names other clusters than the
 * file does. A sync that failed anywhere else
 * since the last barrier looked (the kernel may have dropped what the
 * entries name) makes the next barrier fail the same way: the pending
 * entries are undone, the frees dropped, the L1 and refcount tables and
 * the header's refcount table fields written again (their entries for
 * new tables, not synced on their own, may be lost too); again at each
 * later failure, which may drop that rewrite. The kernel reports a
 * failed write-back to one sync only: a barrier that succeeds first
 * waits out the syncs that run outside the lock (they may have had its
 * error) until their result is in q->sync_errors.
 * One mutex serialises every request on an image; the syncs of a flush
 * with nothing to commit and of a write-through write in place run
 * outside it, and so do the reads map_read() maps (the io_uring engine
 * sends them to the file): a commit frees no cluster while one is out
 * (until map_done()), so none is handed out again under such a read.
 *
 * The image may be hostile. At open, every table (header, L1, L2s,
 * refcount table and blocks, snapshot table and snapshots' L1 tables)
 * goes into a map (qcow2-meta.c) and an image whose tables overlap is
 * refused. A read-write open also checks every cluster in use against
 * its refcount (qcow2-check.c): allocation trusts refcounts, so a used
 * cluster with refcount 0, or two guest clusters on one host cluster,
 * would let one guest cluster's data show in another; such an image is
 * refused read-write. Every write is checked against the map first (the
 * file may change behind lkvm's back): a metadata update must land
 * inside a table of its kind, guest data (and a new table's first
 * contents) outside every table and inside the file as far as allocation
 * has grown it. Allocation skips nothing on trust: a free
 * (refcount 0) cluster that the map says is a table is corruption. A
 * check that fails marks the image corrupt (one log line, the header's
 * corrupt bit on version 3, synced before the request fails): that
 * request and every later write fail with -EIO, reads go on.
 */
#ifndef LKVM_QCOW2_INTERNAL_H
#define LKVM_QCOW2_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "disk.h"
#include "log.h"
#include "qcow2.h"

#define L2_CACHE_SIZE 32
/*
 * Dirty L2 entries and frees held before a commit writes them: a 2 GiB
 * discard of 64 KiB clusters takes 32 commits.
 */
#define QCOW2_DEFER 1024

struct l2_cache_entry {
	u64 off;		/* host offset of the table, 0 = free */
	u64 *tbl;		/* big-endian entries */
	u64 used;		/* LRU stamp */
	u8 *dirty;		/* bitmap: entries not written yet */
	u32 ndirty;		/* of them; a dirty table stays cached */
	u32 dlo, dhi;		/* lowest and highest dirty index */
};

/* An L2 entry changed in memory only, and what the file holds there. */
struct qcow2_link {
	u32 slot;		/* q->l2c[slot] */
	u32 idx;
	u64 disk_e;		/* big-endian, as in the file */
};

struct qcow2 {
	struct qcow2_header h;
	pthread_mutex_t lock;
	u64 cluster_size;
	u64 l2_entries;
	u64 *l1;		/* host byte order */
	u64 *rct;		/* refcount table, host byte order */
	u64 rct_entries;
	u8 **refblocks;		/* loaded refcount blocks, raw */
	u32 rc_bytes;		/* bytes per refcount entry */
	u64 rb_entries;		/* refcounts per block */
	struct l2_cache_entry l2c[L2_CACHE_SIZE];
	u64 l2c_clock;
	struct disk *backing;
	u8 *cow;		/* one cluster of scratch */
	u8 *cbuf;		/* compressed input */
	u8 *ccache;		/* last decompressed cluster */
	u64 ccache_entry;	/* its L2 entry, 0 = none */
	u64 free_hint;		/* no free cluster below this index */
	u64 host_end;		/* end of the file as far as we know */
	u32 csize_shift;	/* compressed descriptor: x = 62 - (bits - 8) */
	struct qcow2_meta meta;	/* where the tables are */
	bool corrupt;		/* a check failed: no more writes */
	bool unsynced;		/* written since the last qcow2_barrier() */
	bool no_commit;		/* map_read: no table may leave the cache */
	/*
	 * Syncs of the file that failed (and commits whose entry write
	 * did): qcow2_sync_error(), atomic (those outside the lock count
	 * too); sync_errors_seen of them qcow2_sync_lost() has undone.
	 */
	unsigned int sync_errors;
	unsigned int sync_errors_seen;
	/*
	 * Syncs outside the lock (qcow2_sync_unlocked(): a flush with
	 * nothing to commit, a write-through write in place) from before
	 * they drop the lock until their result is in q->sync_errors. The
	 * kernel reports a failed write-back to one sync only, perhaps one
	 * of them: a barrier waits them out (none starts while it holds the
	 * lock) before it trusts q->sync_errors. Atomic; the wait under
	 * sync_lock, sync_waiters (atomic) the barriers waiting.
	 */
	unsigned int syncs_out;
	/*
	 * Reads map_read() mapped (sent to the file directly, outside the
	 * lock) not yet done (map_done()): a commit's frees wait for none
	 * to be out (none is mapped while it holds the lock), or a cluster
	 * freed and handed out again could be read by one. Atomic.
	 */
	unsigned int mapped_reads;
	unsigned int sync_waiters;
	pthread_mutex_t sync_lock;
	pthread_cond_t sync_cond;
	/* Dirty L2 entries, one link each (qcow2-writeback.c). */
	struct qcow2_link links[QCOW2_DEFER];
	unsigned int nlinks;
	/* Old L2 entries, replaced in memory: freed after a commit. */
	u64 frees[QCOW2_DEFER];
	unsigned int nfrees;
	unsigned int defer_max;	/* QCOW2_DEFER; tests set fewer */
	u64 rct_max;		/* QCOW2_MAX_RCT_BYTES; tests set less */
};

/* qcow2-io.c: all of [off, off + len) or an error, metadata is never short. */
int qcow2_pread(struct disk *d, void *buf, u64 len, u64 off);
/* Refuse every write from now on, say why once: -EIO. */
int qcow2_set_corrupt(struct disk *d, struct qcow2 *q, const char *fmt,
		      ...) __printf(3, 4);
/* A metadata update: [off, off + len) must lie inside one table of kind. */
int qcow2_write_meta(struct disk *d, struct qcow2 *q, const void *buf,
		     u64 len, u64 off, enum qcow2_meta_kind kind);
/* Guest data or a new table: [off, off + len) must be clear of the tables. */
int qcow2_check_clear(struct disk *d, struct qcow2 *q, u64 off, u64 len);
/*
 * If [off, off + len) overlaps a table, the image is corrupt ("<what> at
 * <off> <verb> <table> at <start>"): -EIO. Else 0.
 */
int qcow2_clear_of_tables(struct disk *d, struct qcow2 *q, u64 off, u64 len,
			  const char *what, const char *verb);
/* qcow2_check_clear(), then the write. */
int qcow2_write_clear(struct disk *d, struct qcow2 *q, const void *buf,
		      u64 len, u64 off);
/*
 * Make everything written so far stable (fdatasync) before an entry that
 * depends on it is written; no sync if nothing was. A failure goes
 * through disk_sync_result(): -errno. A sync that failed elsewhere since
 * the last barrier looked (waiting out those outside the lock) is one
 * too: -EIO. Either way qcow2_sync_lost() has run.
 */
int qcow2_barrier(struct disk *d, struct qcow2 *q);
/*
 * With q->lock held: drop it, fdatasync, the result through
 * disk_sync_result(); counted in q->syncs_out until that result is in.
 */
int qcow2_sync_unlocked(struct disk *d, struct qcow2 *q);
/*
 * With q->lock held: until *count (q->syncs_out, q->mapped_reads: taken
 * only under q->lock) is 0. Counted in q->sync_waiters meanwhile.
 */
void qcow2_wait_none(struct qcow2 *q, unsigned int *count);
/* *count - 1 (atomic), waking qcow2_wait_none() at 0. */
void qcow2_count_put(struct qcow2 *q, unsigned int *count);
/*
 * A sync of the file failed with err (or a commit's entry write did):
 * counted for qcow2_sync_lost(), then disk_sync_result(d, err).
 */
int qcow2_sync_error(struct disk *d, struct qcow2 *q, int err);
/* A table entry that makes no sense: one rate-limited line, -EIO. */
int qcow2_corrupt(struct disk *d, const char *what, u64 v);

/*
 * qcow2-check.c: every cluster in use has a refcount and no two users
 * share one (bar compressed data, whose refcount must count each); else a
 * message in why and -EINVAL. The map takes 2 bits per cluster of the
 * file, at most QCOW2_CHECK_MAX_MAP bytes; the count of shared compressed
 * clusters 4 bytes per reference, at most QCOW2_CHECK_MAX_SHARED of them.
 */
#define QCOW2_CHECK_MAX_MAP	(64ULL << 20)
#define QCOW2_CHECK_MAX_SHARED	(16ULL << 20)
/*
 * The L2 tables and refcount blocks it reads: at most this many bytes
 * (else -EFBIG, before reading any). A file as large as the map allows
 * (2^28 clusters: 16 TiB at 64 KiB clusters, 128 GiB at 512 bytes), all
 * of it data, has 2 GiB of L2 tables and 512 MiB of 16-bit refcount
 * blocks: per TiB of data, 160 MiB at 64 KiB clusters, 20 GiB at 512
 * bytes. Sparse data costs more: at 64 KiB clusters an L2 table for each
 * 512 MiB of disk touched, 4 GiB for all of a 32 TiB disk's.
 */
#define QCOW2_CHECK_MAX_READ	(4ULL << 30)
int qcow2_check_refs(struct disk *d, struct qcow2 *q, char *why,
		     size_t whylen);

/* qcow2-refcount.c: a free cluster, its refcount set to 1, in *out. */
int qcow2_alloc(struct disk *d, struct qcow2 *q, u64 *out);
/* Drop one reference from each cluster in [off, off + len). */
int qcow2_free_range(struct disk *d, struct qcow2 *q, u64 off, u64 len);
/* Refcount i of a refcount block's contents. */
u64 qcow2_rc_entry(struct qcow2 *q, const u8 *blk, u64 i);
/* Set refcount i of a refcount block's contents (in memory). */
void qcow2_rc_put(struct qcow2 *q, u8 *blk, u64 i, u64 v);
/*
 * qcow2-grow.c: a larger refcount table and the refcount blocks for it at
 * cluster s (the first the table does not reach, free, as everything past
 * it), the header switched to it, the old table freed. -ENOSPC past
 * QCOW2_MAX_RCT_BYTES.
 */
int qcow2_rct_grow(struct disk *d, struct qcow2 *q, u64 s);
/* The header's refcount table offset and size, as q->h has them. */
int qcow2_write_rct_header(struct disk *d, struct qcow2 *q);

/*
 * qcow2-l2.c: the L2 table for guest cluster gcl (allocated if alloc and
 * absent; *tbl NULL if absent and not alloc), and its host offset.
 */
int qcow2_l2_get(struct disk *d, struct qcow2 *q, u64 gcl, bool alloc,
		 u64 **tbl, u64 *tbl_off);

/*
 * qcow2-writeback.c: entry idx of cached table tbl becomes e (host byte
 * order) in memory, written by the next qcow2_commit(); the clusters of
 * entry old (0: none) are freed after that commit. What e names must
 * have been written (its refcount and contents): the commit syncs them
 * before the entry. May commit first, to make room.
 */
int qcow2_l2_update(struct disk *d, struct qcow2 *q, u64 *tbl, u64 idx,
		    u64 e, u64 old);
/*
 * If a sync of the file failed since this was last asked (q->sync_errors),
 * the kernel may have dropped anything not synced before: every dirty L2
 * entry goes back to what the file holds (none is written by then), the
 * frees are dropped, and the L1 and refcount tables and the header's
 * refcount table fields are written again (their entries for new tables,
 * not synced on their own, may be lost too). True if so (once for each
 * run of failures a barrier sees).
 */
bool qcow2_sync_lost(struct disk *d, struct qcow2 *q);
/*
 * Write the dirty L2 entries (sync, entries), sync, then free the
 * clusters of the entries they replaced; on success everything written
 * before is durable. Every table is clean afterwards, even on failure.
 */
int qcow2_commit(struct disk *d, struct qcow2 *q);

/* qcow2-compressed.c: the cluster of L2 entry e into q->ccache. */
int qcow2_decompress(struct disk *d, struct qcow2 *q, u64 e);

/* qcow2-read.c and qcow2-write.c: the disk_ops. */
int qcow2_map_read(struct disk *d, u64 off, u64 len, u64 *host);
void qcow2_map_done(struct disk *d);
ssize_t qcow2_preadv(struct disk *d, const struct iovec *iov,
		     int iovcnt, u64 off);
int qcow2_flush(struct disk *d);
ssize_t qcow2_pwritev(struct disk *d, const struct iovec *iov,
		      int iovcnt, u64 off, bool dsync);
int qcow2_zero(struct disk *d, u64 off, u64 len, bool unmap);

#endif
