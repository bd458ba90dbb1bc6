// SPDX-License-Identifier: GPL-2.0
/* virtio-balloon: guest pages back to the host. See include/virtio/balloon.h. */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "virtio/balloon.h"

static const char *const stat_names[VIRTIO_BALLOON_S_NR] = {
	[VIRTIO_BALLOON_S_SWAP_IN] = "swap_in",
	[VIRTIO_BALLOON_S_SWAP_OUT] = "swap_out",
	[VIRTIO_BALLOON_S_MAJFLT] = "major_faults",
	[VIRTIO_BALLOON_S_MINFLT] = "minor_faults",
	[VIRTIO_BALLOON_S_MEMFREE] = "free_memory",
	[VIRTIO_BALLOON_S_MEMTOT] = "total_memory",
	[VIRTIO_BALLOON_S_AVAIL] = "available_memory",
	[VIRTIO_BALLOON_S_CACHES] = "disk_caches",
	[VIRTIO_BALLOON_S_HTLB_PGALLOC] = "hugetlb_allocations",
	[VIRTIO_BALLOON_S_HTLB_PGFAIL] = "hugetlb_failures",
};

const char *virtio_balloon_stat_name(unsigned int tag)
{
	return tag < VIRTIO_BALLOON_S_NR ? stat_names[tag] : NULL;
}

enum virtio_balloon_queue virtio_balloon_queue_kind(u64 features,
						    unsigned int idx)
{
	bool stats = features & VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ);
	bool reporting = features & VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING);

	if (idx <= VIRTIO_BALLOON_Q_DEFLATE)
		return (enum virtio_balloon_queue)idx;
	if (stats && idx == 2)
		return VIRTIO_BALLOON_Q_STATS;
	if (reporting && idx == 2u + stats)
		return VIRTIO_BALLOON_Q_REPORTING;
	return VIRTIO_BALLOON_Q_NONE;
}

static u32 cfg_get(const struct virtio_balloon *b, unsigned int off)
{
	u32 v;

	memcpy(&v, b->config + off, sizeof(v));
	return le32toh(v);
}

static void cfg_put(struct virtio_balloon *b, unsigned int off, u32 val)
{
	u32 v = htole32(val);

	memcpy(b->config + off, &v, sizeof(v));
}

static int discard_madvise(void *opaque, void *hva, size_t len)
{
	return madvise(hva, len, MADV_DONTNEED) ? -errno : 0;
}

/*
 * Give [hva, hva + len) back to the host: the whole host pages inside it
 * (a guest page smaller than the host's frees nothing alone). Returns the
 * bytes given back.
 */
static u64 balloon_discard(struct virtio_balloon *b, u8 *hva, u64 len)
{
	uintptr_t start = ALIGN_UP((uintptr_t)hva, b->host_page);
	uintptr_t end = ALIGN_DOWN((uintptr_t)hva + len, b->host_page);
	int err;

	if (end <= start)
		return 0;
	err = b->discard(b->discard_opaque, (void *)start, end - start);
	if (err) {
		atomic_fetch_add(&b->discard_errors, 1);
		pr_warn_ratelimited("%s: cannot give back %llu bytes: %s",
				    b->vdev.name,
				    (unsigned long long)(end - start),
				    strerror(-err));
		return 0;
	}
	return end - start;
}

/* A run of contiguous guest pages in one region, given back at once. */
struct pfn_run {
	u8 *hva;
	u64 gpa, len;
	const struct mem_region *region;
};

static void run_flush(struct virtio_balloon *b, struct pfn_run *run)
{
	if (run->len)
		atomic_fetch_add(&b->returned_bytes,
				 balloon_discard(b, run->hva, run->len));
	run->len = 0;
}

/* The page at gpa, if it is wholly in writable guest RAM. */
static const struct mem_region *page_region(struct virtio_balloon *b,
					    u64 gpa)
{
	const struct mem_region *r = guest_mem_region(b->vdev.mem, gpa);

	if (!r || r->readonly ||
	    gpa - r->gpa > r->size - VIRTIO_BALLOON_PAGE_SIZE ||
	    r->size < VIRTIO_BALLOON_PAGE_SIZE)
		return NULL;
	return r;
}

/* An inflate or deflate buffer: le32 page frame numbers. */
static void balloon_pages(struct virtio_balloon *b,
			  const struct virtq_chain *ch, bool inflate)
{
	struct pfn_run run = { 0 };
	u32 pfns[256];
	size_t off = 0, got, i;
	u64 good = 0;

	if (ch->out_len > VIRTIO_BALLOON_LIST_MAX * sizeof(u32)) {
		atomic_fetch_add(&b->bad_pfns, ch->out_len / sizeof(u32));
		pr_warn_ratelimited("%s: page list of %llu bytes (more than %u page numbers): refused",
				    b->vdev.name,
				    (unsigned long long)ch->out_len,
				    VIRTIO_BALLOON_LIST_MAX);
		return;
	}
	if (ch->out_len % sizeof(u32))
		pr_warn_ratelimited("%s: %llu-byte page list is not whole page numbers",
				    b->vdev.name,
				    (unsigned long long)ch->out_len);
	while ((got = virtq_chain_read(ch, off, pfns, sizeof(pfns)) /
		      sizeof(u32))) {
		off += got * sizeof(u32);
		for (i = 0; i < got; i++) {
			u64 gpa = (u64)le32toh(pfns[i]) <<
				  VIRTIO_BALLOON_PFN_SHIFT;
			const struct mem_region *r = page_region(b, gpa);

			if (!r) {
				atomic_fetch_add(&b->bad_pfns, 1);
				pr_warn_ratelimited("%s: page 0x%llx is not guest RAM: dropped",
						    b->vdev.name,
						    (unsigned long long)gpa);
				continue;
			}
			good++;
			if (!inflate)
				continue;
			if (run.len && r == run.region &&
			    gpa == run.gpa + run.len) {
				run.len += VIRTIO_BALLOON_PAGE_SIZE;
				continue;
			}
			run_flush(b, &run);
			run.region = r;
			run.gpa = gpa;
			run.hva = r->hva + (gpa - r->gpa);
			run.len = VIRTIO_BALLOON_PAGE_SIZE;
		}
	}
	run_flush(b, &run);
	atomic_fetch_add(inflate ? &b->inflated : &b->deflated, good);
}

/*
 * Free page reporting: each writable buffer is a run of free guest memory,
 * checked by virtq_pop() to lie in writable guest RAM (split at region
 * boundaries). A read-only buffer is not the driver's to give: skipped.
 */
static void balloon_report(struct virtio_balloon *b,
			   const struct virtq_chain *ch)
{
	unsigned int i;
	u64 done = 0;

	if (ch->nr_out)
		atomic_fetch_add(&b->bad_pfns, ch->nr_out);
	for (i = ch->nr_out; i < ch->nr_out + ch->nr_in; i++)
		done += balloon_discard(b, ch->iov[i].iov_base,
					ch->iov[i].iov_len);
	atomic_fetch_add(&b->reported_bytes, done);
}

/*
 * A statistics buffer came back: read its entries, keep the buffer. A
 * second one while the first is held sends the first back (*pushed: the
 * driver is to be told).
 */
static bool balloon_stats_in(struct virtio_balloon *b, struct virtq *vq,
			     bool *pushed)
{
	u8 raw[VIRTIO_BALLOON_STATS_MAX * VIRTIO_BALLOON_STAT_SIZE];
	struct virtq_chain *ch = b->stats_spare;
	struct virtio_balloon_stats s;
	size_t n, i;

	if (virtq_pop(vq, ch) != 1)
		return false;
	if (b->stats_held && !virtq_push(vq, b->stats_chain, 0))
		*pushed = true;
	b->stats_spare = b->stats_chain;
	b->stats_chain = ch;
	n = virtq_chain_read(ch, 0, raw, sizeof(raw)) /
	    VIRTIO_BALLOON_STAT_SIZE;
	pthread_mutex_lock(&b->stats_lock);
	s = b->stats;
	for (i = 0; i < n; i++) {
		u16 tag;
		u64 val;

		memcpy(&tag, raw + i * VIRTIO_BALLOON_STAT_SIZE, 2);
		memcpy(&val, raw + i * VIRTIO_BALLOON_STAT_SIZE + 2, 8);
		tag = le16toh(tag);
		if (tag >= VIRTIO_BALLOON_S_NR)
			continue;	/* a newer driver's: ignored */
		s.val[tag] = le64toh(val);
		s.present |= 1u << tag;
	}
	s.updates++;
	b->stats = s;
	pthread_cond_broadcast(&b->stats_cond);
	pthread_mutex_unlock(&b->stats_lock);
	b->stats_held = true;
	return true;
}

static void balloon_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_balloon *b = vdev->priv;
	enum virtio_balloon_queue kind =
		virtio_balloon_queue_kind(vdev->features, vq->index);
	bool pushed = false;

	if (kind == VIRTIO_BALLOON_Q_STATS) {
		while (balloon_stats_in(b, vq, &pushed))
			;
		if (pushed)
			virtio_queue_signal(vq);
		return;
	}
	while (virtq_pop(vq, &b->chain) == 1) {
		if (kind == VIRTIO_BALLOON_Q_INFLATE ||
		    kind == VIRTIO_BALLOON_Q_DEFLATE)
			balloon_pages(b, &b->chain,
				      kind == VIRTIO_BALLOON_Q_INFLATE);
		else if (kind == VIRTIO_BALLOON_Q_REPORTING)
			balloon_report(b, &b->chain);
		virtq_push(vq, &b->chain, 0);
		pushed = true;
	}
	if (pushed)
		virtio_queue_signal(vq);
}

/*
 * DRIVER_OK: Linux primes the statistics queue with its first buffer
 * before it sets DRIVER_OK, and the core drops a kick that comes before;
 * take what the queues hold now (under vdev->lock, then each vq->lock).
 */
static int balloon_activate(struct virtio_device *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->nr_queues; i++) {
		struct virtq *vq = &vdev->vqs[i];

		virtq_lock(vq);
		if (vq->ready)
			balloon_notify(vdev, vq);
		virtq_unlock(vq);
	}
	return 0;
}

static void balloon_config_read(struct virtio_device *vdev, u32 offset,
				void *buf, u32 len)
{
	struct virtio_balloon *b = vdev->priv;

	memcpy(buf, b->config + offset, len);
}

/* The driver writes actual (and poison_val, unused: never offered). */
static void balloon_config_write(struct virtio_device *vdev, u32 offset,
				 const void *buf, u32 len)
{
	struct virtio_balloon *b = vdev->priv;

	if (offset >= VIRTIO_BALLOON_CFG_ACTUAL &&
	    offset + len <= VIRTIO_BALLOON_CFG_ACTUAL + 4)
		memcpy(b->config + offset, buf, len);
}

static u64 balloon_features(struct virtio_device *vdev)
{
	return VIRTIO_BALLOON_FEATURES;
}

/* Forget the held statistics buffer: its queue is gone. */
static void balloon_queue_reset(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_balloon *b = vdev->priv;

	if (virtio_balloon_queue_kind(vdev->features, vq->index) ==
	    VIRTIO_BALLOON_Q_STATS) {
		virtq_lock(vq);
		b->stats_held = false;
		virtq_unlock(vq);
	}
}

/* The guest's balloon is gone with its driver; the host's wish stays. */
static void balloon_reset(struct virtio_device *vdev)
{
	struct virtio_balloon *b = vdev->priv;

	cfg_put(b, VIRTIO_BALLOON_CFG_ACTUAL, 0);
	cfg_put(b, VIRTIO_BALLOON_CFG_POISON, 0);
}

static const struct virtio_device_ops balloon_ops = {
	.name = "balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.get_features = balloon_features,
	.config_read = balloon_config_read,
	.config_write = balloon_config_write,
	.queue_notify = balloon_notify,
	.activate = balloon_activate,
	.queue_reset = balloon_queue_reset,
	.reset = balloon_reset,
};

int virtio_balloon_init(struct virtio_balloon *b, const struct guest_mem *mem,
			const char *name, u64 ram_bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	int err;

	memset(b, 0, sizeof(*b));
	b->ram_pages = ram_bytes >> VIRTIO_BALLOON_PFN_SHIFT;
	b->host_page = page > 0 ? (size_t)page : VIRTIO_BALLOON_PAGE_SIZE;
	b->discard = discard_madvise;
	err = pthread_mutex_init(&b->stats_lock, NULL);
	if (err)
		return -err;
	err = pthread_cond_init(&b->stats_cond, NULL);
	if (err) {
		pthread_mutex_destroy(&b->stats_lock);
		return -err;
	}
	err = virtio_device_init(&b->vdev, &balloon_ops, b, mem, name,
				 VIRTIO_BALLOON_NR_QUEUES,
				 VIRTIO_BALLOON_QUEUE_SIZE);
	if (err) {
		pthread_cond_destroy(&b->stats_cond);
		pthread_mutex_destroy(&b->stats_lock);
		return err;
	}
	b->vdev.config_len = VIRTIO_BALLOON_CFG_SIZE;
	virtq_chain_init(&b->chain);
	virtq_chain_init(&b->stats_chains[0]);
	virtq_chain_init(&b->stats_chains[1]);
	b->stats_chain = &b->stats_chains[0];
	b->stats_spare = &b->stats_chains[1];
	return 0;
}

void virtio_balloon_destroy(struct virtio_balloon *b)
{
	virtio_device_destroy(&b->vdev);
	virtq_chain_destroy(&b->chain);
	virtq_chain_destroy(&b->stats_chains[0]);
	virtq_chain_destroy(&b->stats_chains[1]);
	pthread_cond_destroy(&b->stats_cond);
	pthread_mutex_destroy(&b->stats_lock);
}

int virtio_balloon_set_target(struct virtio_balloon *b, u64 pages)
{
	if (pages > b->ram_pages)
		return -ERANGE;
	pthread_mutex_lock(&b->vdev.lock);
	cfg_put(b, VIRTIO_BALLOON_CFG_NUM_PAGES, (u32)pages);
	pthread_mutex_unlock(&b->vdev.lock);
	virtio_config_changed(&b->vdev);
	return 0;
}

u64 virtio_balloon_target(struct virtio_balloon *b)
{
	u64 v;

	pthread_mutex_lock(&b->vdev.lock);
	v = cfg_get(b, VIRTIO_BALLOON_CFG_NUM_PAGES);
	pthread_mutex_unlock(&b->vdev.lock);
	return v;
}

u64 virtio_balloon_actual(struct virtio_balloon *b)
{
	u64 v;

	pthread_mutex_lock(&b->vdev.lock);
	v = cfg_get(b, VIRTIO_BALLOON_CFG_ACTUAL);
	pthread_mutex_unlock(&b->vdev.lock);
	return v;
}

void virtio_balloon_counters(struct virtio_balloon *b,
			     struct virtio_balloon_counters *c)
{
	c->inflated = atomic_load(&b->inflated);
	c->deflated = atomic_load(&b->deflated);
	c->returned_bytes = atomic_load(&b->returned_bytes);
	c->reported_bytes = atomic_load(&b->reported_bytes);
	c->bad_pfns = atomic_load(&b->bad_pfns);
	c->discard_errors = atomic_load(&b->discard_errors);
}

/* Give the held buffer back (vdev->lock, then the queue's). */
static int stats_release(struct virtio_balloon *b)
{
	struct virtio_device *vdev = &b->vdev;
	struct virtq *vq = NULL;
	unsigned int i;
	int err = -ENODEV;

	pthread_mutex_lock(&vdev->lock);
	if (atomic_load(&vdev->status) & VIRTIO_STATUS_DRIVER_OK)
		for (i = 0; i < vdev->nr_queues; i++)
			if (virtio_balloon_queue_kind(vdev->features, i) ==
			    VIRTIO_BALLOON_Q_STATS)
				vq = &vdev->vqs[i];
	if (vq) {
		virtq_lock(vq);
		err = vq->ready ? 0 : -ENODEV;
		if (!err && b->stats_held) {
			b->stats_held = false;
			if (!virtq_push(vq, b->stats_chain, 0))
				virtio_queue_signal(vq);
		}
		virtq_unlock(vq);
	}
	pthread_mutex_unlock(&vdev->lock);
	return err;
}

int virtio_balloon_request_stats(struct virtio_balloon *b,
				 unsigned int timeout_ms,
				 struct virtio_balloon_stats *out)
{
	struct timespec deadline;
	u64 before;
	int err;

	pthread_mutex_lock(&b->stats_lock);
	before = b->stats.updates;
	pthread_mutex_unlock(&b->stats_lock);
	err = stats_release(b);
	if (err) {
		pthread_mutex_lock(&b->stats_lock);
		*out = b->stats;
		pthread_mutex_unlock(&b->stats_lock);
		return err;
	}
	deadline_in_ms(&deadline, timeout_ms);
	pthread_mutex_lock(&b->stats_lock);
	err = 0;
	while (b->stats.updates == before && !err)
		err = pthread_cond_clockwait(&b->stats_cond, &b->stats_lock,
					     CLOCK_MONOTONIC, &deadline);
	*out = b->stats;
	pthread_mutex_unlock(&b->stats_lock);
	return out->updates == before ? -EAGAIN : 0;
}
