/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-balloon (virtio 1.x spec 5.5): the host asks for a number of the
 * guest's 4 KiB pages (config num_pages); the guest's driver hands them
 * over on the inflate queue as arrays of page frame numbers, and the
 * device gives the memory behind them back to the host (madvise
 * MADV_DONTNEED on the guest RAM mapping: the process's RSS falls, and
 * the pages read as zero when the guest takes them back through the
 * deflate queue). Also:
 *
 *  - the statistics queue (STATS_VQ): the driver keeps one buffer of
 *    {le16 tag, le64 value} entries with the device; the device gives it
 *    back when it wants fresh figures and the driver refills and returns
 *    it (virtio_balloon_request_stats());
 *  - free page reporting (REPORTING): the driver hands over runs of free
 *    guest memory (scatter-gather buffers), which are given back to the
 *    host the same way, unasked;
 *  - DEFLATE_ON_OOM: offered, nothing to do on the host side.
 *
 * Queues are numbered as the driver finds them: inflate 0, deflate 1,
 * then stats if STATS_VQ was negotiated, then reporting if REPORTING was.
 *
 * Every page frame number is checked against guest RAM (a writable
 * region, the whole page inside it) before anything is given back; a bad
 * one is dropped and counted, with one rate-limited log line; so is a
 * whole list longer than VIRTIO_BALLOON_LIST_MAX. Only guest
 * RAM that MADV_DONTNEED frees (private anonymous memory) may sit behind
 * the device: the VMM refuses a balloon on hugetlbfs- or shared-backed
 * RAM.
 */
#ifndef LKVM_VIRTIO_BALLOON_H
#define LKVM_VIRTIO_BALLOON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "types.h"
#include "virtio/core.h"

#define VIRTIO_BALLOON_F_MUST_TELL_HOST		0
#define VIRTIO_BALLOON_F_STATS_VQ		1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM		2
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT		3
#define VIRTIO_BALLOON_F_PAGE_POISON		4
#define VIRTIO_BALLOON_F_REPORTING		5

/* What lkvm offers. */
#define VIRTIO_BALLOON_FEATURES					\
	(VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ) |			\
	 VIRTIO_BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM) |			\
	 VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING))

/* Page frame numbers are of 4 KiB pages, whatever the guest's page size. */
#define VIRTIO_BALLOON_PFN_SHIFT	12
#define VIRTIO_BALLOON_PAGE_SIZE	(1u << VIRTIO_BALLOON_PFN_SHIFT)
/*
 * The longest inflate or deflate list taken, in page numbers. Linux and
 * FreeBSD send at most 256 a buffer, Windows' driver 512. Descriptors may
 * alias one buffer, so a chain can name far more (128 of 4 GiB: 2^37):
 * walking that would hold the thread for hours. A longer list is refused
 * whole (its entries counted as bad pages).
 */
#define VIRTIO_BALLOON_LIST_MAX		4096

/* Config space: le32 num_pages, actual, free_page_hint_cmd_id, poison_val. */
#define VIRTIO_BALLOON_CFG_NUM_PAGES	0
#define VIRTIO_BALLOON_CFG_ACTUAL	4
#define VIRTIO_BALLOON_CFG_HINT_CMD_ID	8
#define VIRTIO_BALLOON_CFG_POISON	12
#define VIRTIO_BALLOON_CFG_SIZE		16

#define VIRTIO_BALLOON_QUEUE_SIZE	128
#define VIRTIO_BALLOON_NR_QUEUES	4

/* Statistics tags (spec 5.5.6.3). */
enum {
	VIRTIO_BALLOON_S_SWAP_IN,
	VIRTIO_BALLOON_S_SWAP_OUT,
	VIRTIO_BALLOON_S_MAJFLT,
	VIRTIO_BALLOON_S_MINFLT,
	VIRTIO_BALLOON_S_MEMFREE,
	VIRTIO_BALLOON_S_MEMTOT,
	VIRTIO_BALLOON_S_AVAIL,
	VIRTIO_BALLOON_S_CACHES,
	VIRTIO_BALLOON_S_HTLB_PGALLOC,
	VIRTIO_BALLOON_S_HTLB_PGFAIL,
	VIRTIO_BALLOON_S_NR
};
/* One entry on the wire: le16 tag, le64 value, packed. */
#define VIRTIO_BALLOON_STAT_SIZE	10
/* Entries read from one statistics buffer at most. */
#define VIRTIO_BALLOON_STATS_MAX	64

/* What each queue is, once the features are known. */
enum virtio_balloon_queue {
	VIRTIO_BALLOON_Q_INFLATE,
	VIRTIO_BALLOON_Q_DEFLATE,
	VIRTIO_BALLOON_Q_STATS,
	VIRTIO_BALLOON_Q_REPORTING,
	VIRTIO_BALLOON_Q_NONE,
};

struct virtio_balloon_stats {
	u64 val[VIRTIO_BALLOON_S_NR];
	u32 present;		/* bit per tag the guest sent */
	u64 updates;		/* statistics buffers received */
};

/* The device's counters (virtio_balloon_counters()). */
struct virtio_balloon_counters {
	u64 inflated;		/* pages the guest put in the balloon */
	u64 deflated;		/* pages it took back */
	u64 returned_bytes;	/* given back to the host (inflate) */
	u64 reported_bytes;	/* given back through free page reporting */
	u64 bad_pfns;		/* page numbers outside writable guest RAM */
	u64 discard_errors;	/* madvise failures */
};

/*
 * How memory is given back: madvise(MADV_DONTNEED) by default; tests and
 * the fuzz target put their own here (0 or -errno). hva and len are
 * host-page aligned and lie inside one guest RAM region.
 */
typedef int (*virtio_balloon_discard_fn)(void *opaque, void *hva, size_t len);

struct virtio_balloon {
	struct virtio_device vdev;
	u8 config[VIRTIO_BALLOON_CFG_SIZE];	/* under vdev.lock */
	u64 ram_pages;		/* 4 KiB pages of guest RAM: the target's bound */
	size_t host_page;	/* what one madvise can give back */
	virtio_balloon_discard_fn discard;
	void *discard_opaque;

	struct virtq_chain chain;	/* inflate/deflate/reporting: vq lock */

	/*
	 * The statistics buffer the device holds, and a spare to pop the
	 * next into (stats vq lock).
	 */
	struct virtq_chain stats_chains[2];
	struct virtq_chain *stats_chain, *stats_spare;
	bool stats_held;
	/* The last figures (stats_lock); stats_cond: a new buffer came. */
	pthread_mutex_t stats_lock;
	pthread_cond_t stats_cond;
	struct virtio_balloon_stats stats;

	atomic_ullong inflated, deflated, returned_bytes, reported_bytes;
	atomic_ullong bad_pfns, discard_errors;
};

/* ram_bytes: the guest's RAM (the target cannot exceed it). -errno. */
int virtio_balloon_init(struct virtio_balloon *b, const struct guest_mem *mem,
			const char *name, u64 ram_bytes);
void virtio_balloon_destroy(struct virtio_balloon *b);

/*
 * Ask the guest for a balloon of `pages` 4 KiB pages: config num_pages and
 * a configuration change interrupt. -ERANGE beyond guest RAM.
 */
int virtio_balloon_set_target(struct virtio_balloon *b, u64 pages);
/* The host's request (num_pages) and the guest's answer (actual). */
u64 virtio_balloon_target(struct virtio_balloon *b);
u64 virtio_balloon_actual(struct virtio_balloon *b);

void virtio_balloon_counters(struct virtio_balloon *b,
			     struct virtio_balloon_counters *c);

/*
 * Give the held statistics buffer back to the driver and wait up to
 * timeout_ms for it to come back refilled. 0 with *out fresh; -EAGAIN
 * when the guest did not answer in time (*out: the last figures, if
 * any); -ENODEV when the driver did not negotiate the statistics queue
 * or is not running. Any thread but the vCPUs' and the I/O thread's.
 */
int virtio_balloon_request_stats(struct virtio_balloon *b,
				 unsigned int timeout_ms,
				 struct virtio_balloon_stats *out);

/* The statistic's name in `lkvm stat -m` ("free_memory"), or NULL. */
const char *virtio_balloon_stat_name(unsigned int tag);

/* Which queue idx is under the negotiated features. */
enum virtio_balloon_queue virtio_balloon_queue_kind(u64 features,
						    unsigned int idx);

#endif
