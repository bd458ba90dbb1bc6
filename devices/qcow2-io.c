// SPDX-License-Identifier: GPL-2.0
/* qcow2 metadata I/O and the checks every write passes first. */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "iov.h"
#include "qcow2-internal.h"

/* All of [off, off + len) or an error: metadata is never short. */
static int q_io(struct disk *d, void *buf, u64 len, u64 off, bool write)
{
	struct iovec v = { .iov_base = buf, .iov_len = len };

	return write ? iov_pwrite_full(d->fd, &v, 1, off) :
		       iov_pread_full(d->fd, &v, 1, off);
}

int qcow2_pread(struct disk *d, void *buf, u64 len, u64 off)
{
	return q_io(d, buf, len, off, false);
}

static int q_pwrite(struct disk *d, const void *buf, u64 len, u64 off)
{
	return q_io(d, (void *)buf, len, off, true);
}

/*
 * A write would break the image (or the image is already inconsistent):
 * refuse every write from now on, say so once, and on version 3 set the
 * header's corrupt bit so that the next open refuses the image until
 * qemu-img check -r repairs it. The bit is synced before the request
 * fails: a host crash after the guest saw the error must not bring the
 * image back unmarked (a failed sync counts as one: disk_sync_result()).
 */
int qcow2_set_corrupt(struct disk *d, struct qcow2 *q, const char *fmt,
		      ...)
{
	const char *marked = "";
	char why[192];
	va_list ap;

	if (q->corrupt)
		return -EIO;
	q->corrupt = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (q->h.version >= 3) {
		u64 be = htobe64(q->h.incompat | QCOW2_INCOMPAT_CORRUPT);

		/* Offset 72: the incompatible features, in the header. */
		int ret = q_pwrite(d, &be, 8, 72);

		if (!ret && fdatasync(d->fd))
			ret = qcow2_sync_error(d, q, -errno);
		if (ret)
			marked = " (could not mark it in the header)";
		else
			q->h.incompat |= QCOW2_INCOMPAT_CORRUPT;
	}
	pr_err_ratelimited("%s: qcow2 image corrupt: %s; writes fail from now on%s",
			   d->path, why, marked);
	return -EIO;
}

/* A metadata update: [off, off + len) must lie inside one table of kind. */
int qcow2_write_meta(struct disk *d, struct qcow2 *q, const void *buf,
		     u64 len, u64 off, enum qcow2_meta_kind kind)
{
	const struct qcow2_meta_range *r;

	if (q->corrupt)
		return -EIO;
	r = qcow2_meta_find(&q->meta, off, len);
	if (!r || r->kind != kind || r->start > off || r->end - off < len)
		return qcow2_set_corrupt(d, q,
					 "an update of %s at 0x%llx would land in %s",
					 qcow2_meta_name(kind),
					 (unsigned long long)off,
					 r ? qcow2_meta_name(r->kind) : "data");
	q->unsynced = true;
	return q_pwrite(d, buf, len, off);
}

/*
 * May [off, off + len) take guest data (or a new table's first contents)?
 * Not if it overlaps a table, nor beyond the clusters the file holds or
 * allocation has handed out.
 */
int qcow2_check_clear(struct disk *d, struct qcow2 *q, u64 off, u64 len)
{
	if (q->corrupt)
		return -EIO;
	if (off + len < off || off + len > q->host_end)
		return qcow2_set_corrupt(d, q,
					 "data at 0x%llx lies past the end of the file (0x%llx)",
					 (unsigned long long)off,
					 (unsigned long long)q->host_end);
	return qcow2_clear_of_tables(d, q, off, len, "data",
				     "would overwrite");
}

int qcow2_clear_of_tables(struct disk *d, struct qcow2 *q, u64 off, u64 len,
			  const char *what, const char *verb)
{
	const struct qcow2_meta_range *r = qcow2_meta_find(&q->meta, off, len);

	if (!r)
		return 0;
	return qcow2_set_corrupt(d, q, "%s at 0x%llx %s %s at 0x%llx", what,
				 (unsigned long long)off, verb,
				 qcow2_meta_name(r->kind),
				 (unsigned long long)r->start);
}

int qcow2_write_clear(struct disk *d, struct qcow2 *q, const void *buf,
		      u64 len, u64 off)
{
	int ret = qcow2_check_clear(d, q, off, len);

	if (ret)
		return ret;
	q->unsynced = true;
	return q_pwrite(d, buf, len, off);
}

/*
 * Why this wait, with q->lock held, ends (and soon):
 *   - nothing it waits for needs q->lock: a sync outside the lock counts
 *     itself out (qcow2_count_put(), sync_lock only) right after its
 *     fdatasync; a mapped read is counted out by map_done(), called by
 *     the io_uring engine when it reaps the read's completion, on the
 *     I/O thread (or in drain()), which never waits for q->lock
 *     (map_read() only tries it) nor for the disk workers (their queue
 *     has no bound; drain() reaps the ring itself before it waits for
 *     them, and no read is mapped while this waits);
 *   - none is added meanwhile: both counts go up only under q->lock, so
 *     a guest cannot keep one above 0 by sending more flushes or reads;
 *   - what it waits for is bounded: at most one fdatasync per disk
 *     worker, and the reads on the ring (the guest's queue depth, each
 *     one read of the image file: a short one is resumed, one that keeps
 *     failing with EAGAIN fails after URING_MAX_RETRIES, one past the
 *     end of the file fails at once; a request short of an SQE is
 *     submitted by the retry timer).
 * The wait is as long as those host I/Os, nothing a guest holds.
 */
void qcow2_wait_none(struct qcow2 *q, unsigned int *count)
{
	if (!__atomic_load_n(count, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&q->sync_lock);
	__atomic_add_fetch(&q->sync_waiters, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(count, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&q->sync_cond, &q->sync_lock);
	__atomic_sub_fetch(&q->sync_waiters, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&q->sync_lock);
}

void qcow2_count_put(struct qcow2 *q, unsigned int *count)
{
	if (__atomic_sub_fetch(count, 1, __ATOMIC_ACQ_REL))
		return;
	/* A waiter checks *count under sync_lock: it sees 0, or is woken. */
	pthread_mutex_lock(&q->sync_lock);
	if (__atomic_load_n(&q->sync_waiters, __ATOMIC_ACQUIRE))
		pthread_cond_broadcast(&q->sync_cond);
	pthread_mutex_unlock(&q->sync_lock);
}

int qcow2_barrier(struct disk *d, struct qcow2 *q)
{
	int ret = 0;

	if (q->unsynced) {
		if (fdatasync(d->fd))
			ret = qcow2_sync_error(d, q, -errno);
		else
			q->unsynced = false;
	}
	/* Its success may be a sync outside the lock's failure. */
	if (!ret)
		qcow2_wait_none(q, &q->syncs_out);
	if (qcow2_sync_lost(d, q) && !ret)
		ret = -EIO;
	return ret;
}

int qcow2_sync_unlocked(struct disk *d, struct qcow2 *q)
{
	int ret;

	__atomic_add_fetch(&q->syncs_out, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&q->lock);
	if (fdatasync(d->fd))
		ret = qcow2_sync_error(d, q, -errno);
	else
		ret = disk_sync_result(d, 0);
	qcow2_count_put(q, &q->syncs_out);
	return ret;
}

int qcow2_sync_error(struct disk *d, struct qcow2 *q, int err)
{
	/* Before syncs_out drops: a barrier that waited it out sees it. */
	__atomic_add_fetch(&q->sync_errors, 1, __ATOMIC_RELEASE);
	return disk_sync_result(d, err);
}

int qcow2_corrupt(struct disk *d, const char *what, u64 v)
{
	pr_err_ratelimited("%s: qcow2 metadata corrupt: %s 0x%llx", d->path,
			   what, (unsigned long long)v);
	return -EIO;
}
