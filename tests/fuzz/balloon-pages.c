// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: virtio-balloon's page lists, statistics buffers and
 * free page reports (virtio/balloon.c), with fuzz-chosen features, over a
 * guest memory of two RAM regions and a read-only one.
 *
 * Invariants (a report and abort() when broken):
 *  - nothing outside writable guest RAM is ever given back: every discard
 *    lies wholly in a writable region and is host-page aligned (the
 *    discard hook checks, and gives nothing back for real, so the rings
 *    the fuzzer may "inflate" stay intact);
 *  - counters agree with a model of each list: pages inflated or deflated
 *    = its entries in writable RAM, bad pages = the rest, bytes returned =
 *    4 KiB per inflated page (deflate returns none), bytes reported = the
 *    writable buffers' page-aligned bytes; a list of more than
 *    VIRTIO_BALLOON_LIST_MAX entries takes nothing, all of them bad;
 *  - every inflate, deflate and report chain comes back at once; a
 *    statistics buffer is held, its figures are the entries' last values.
 *
 * Input: byte 0 features (bit0 STATS_VQ, bit1 REPORTING), then records:
 * u8 kind (bits 0-2: 0 inflate, 1 deflate, 2 stats, 3 report, 4 reset,
 * 5 stats request; bits 3-7: shape), u16 length (le), that many bytes.
 * A report's bytes are up to 3 pairs of (le32 guest page number, u8
 * pages), one writable descriptor each (shape bit 3: the last readable).
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "virtio/balloon.h"
#include "split-ring.h"

#define R0_GPA		0x10000ULL
#define R0_SIZE		0x100000ULL
#define R1_GPA		0x200000ULL
#define R1_SIZE		0x40000ULL
#define ROM_GPA		0x300000ULL
#define ROM_SIZE	0x10000ULL
#define QSIZE		16
#define QAREA(q)	(R0_GPA + 0x3000ULL * (q))
#define BUFS		(R0_GPA + 0x20000ULL)
#define BUFS_MAX	0x10000u
#define PG		4096u

#define BROKEN(...)							\
	do {								\
		fprintf(stderr, "balloon-pages: " __VA_ARGS__);		\
		fprintf(stderr, "\n");					\
		abort();						\
	} while (0)

static u8 *r0, *r1, *rom;
static struct guest_mem mem;
static struct virtio_balloon B;
static bool ready;

struct drv {
	u64 features;
	u16 avail[4], used[4];
	bool stats_posted;
	struct virtio_balloon_stats model;
};

static void *hva(u64 gpa)
{
	u64 avail;

	return guest_mem_ptr_avail(&mem, gpa, &avail);
}

static void sig_used(struct virtio_device *vdev, struct virtq *vq)
{
}

static void sig_config(struct virtio_device *vdev)
{
}

static const struct virtio_transport_ops transport = {
	.name = "fuzz", .signal_used = sig_used, .signal_config = sig_config,
};

/* The invariant on what is given back; nothing is, for real. */
static int check_discard(void *opaque, void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;
	unsigned int i;

	if (!len || a % PG || len % PG)
		BROKEN("discard of %zu bytes at %p: not whole pages", len, p);
	for (i = 0; i < mem.nr_regions; i++) {
		const struct mem_region *r = &mem.regions[i];
		uintptr_t s = (uintptr_t)r->hva;

		if (a >= s && a - s < r->size) {
			if (r->readonly || len > r->size - (a - s))
				BROKEN("discard of %zu bytes at %p leaves writable RAM",
				       len, p);
			return 0;
		}
	}
	BROKEN("discard of %zu bytes at %p: not guest RAM", len, p);
}

/* Writable guest RAM for the whole 4 KiB page at gpa (the model). */
static bool page_ok(u64 gpa)
{
	return (gpa >= R0_GPA && gpa + PG <= R0_GPA + R0_SIZE) ||
	       (gpa >= R1_GPA && gpa + PG <= R1_GPA + R1_SIZE);
}

static void desc(unsigned int q, u16 i, u64 addr, u32 len, u16 flags,
		 u16 next)
{
	split_desc_put(hva(QAREA(q) + 16ULL * i), addr, len, flags, next);
}

static void make_avail(struct drv *d, unsigned int q, u16 head)
{
	split_avail_put(hva(QAREA(q) + 0x1000), &d->avail[q], QSIZE, head);
}

static unsigned int reap(struct drv *d, unsigned int q)
{
	u8 *us = hva(QAREA(q) + 0x2000);
	u16 idx = le16toh(__atomic_load_n((u16 *)(us + 2), __ATOMIC_ACQUIRE));
	unsigned int n = (u16)(idx - d->used[q]);

	d->used[q] = idx;
	return n;
}

static int queue_of(struct drv *d, enum virtio_balloon_queue kind)
{
	unsigned int q;

	for (q = 0; q < VIRTIO_BALLOON_NR_QUEUES; q++)
		if (virtio_balloon_queue_kind(d->features, q) == kind)
			return (int)q;
	return -1;
}

static bool broken(void)
{
	return virtio_get_status(&B.vdev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

static void start(struct drv *d)
{
	struct virtio_device *v = &B.vdev;
	u8 st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	u64 f = d->features | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	unsigned int q;

	memset(d->avail, 0, sizeof(d->avail));
	memset(d->used, 0, sizeof(d->used));
	d->stats_posted = false;
	memset(r0, 0, 0x10000);
	virtio_set_status(v, 0);
	virtio_set_status(v, st);
	virtio_set_driver_features(v, 0, (u32)f);
	virtio_set_driver_features(v, 1, (u32)(f >> 32));
	virtio_set_status(v, st |= VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_get_status(v) & VIRTIO_STATUS_FEATURES_OK))
		BROKEN("features %llx refused", (unsigned long long)f);
	for (q = 0; q < VIRTIO_BALLOON_NR_QUEUES; q++) {
		virtio_queue_set_size(v, q, QSIZE);
		virtio_queue_set_addr(v, q, VIRTIO_AREA_DESC, QAREA(q));
		virtio_queue_set_addr(v, q, VIRTIO_AREA_DRIVER,
				      QAREA(q) + 0x1000);
		virtio_queue_set_addr(v, q, VIRTIO_AREA_DEVICE,
				      QAREA(q) + 0x2000);
		virtio_queue_set_ready(v, q, true);
	}
	virtio_set_status(v, st | VIRTIO_STATUS_DRIVER_OK);
}

static void do_pages(struct drv *d, bool inflate, const u8 *p, size_t n)
{
	struct virtio_balloon_counters a, b;
	u64 good = 0, bad = 0;
	size_t i;

	n = MIN(n, (size_t)BUFS_MAX);
	memcpy(hva(BUFS), p, n);
	for (i = 0; i + 4 <= n; i += 4) {
		u32 pfn;

		memcpy(&pfn, p + i, 4);
		if (page_ok((u64)le32toh(pfn) << 12))
			good++;
		else
			bad++;
	}
	/* Longer than any driver's: refused whole, nothing given back. */
	if (n > VIRTIO_BALLOON_LIST_MAX * 4) {
		bad += good;
		good = 0;
	}
	virtio_balloon_counters(&B, &a);
	desc(inflate ? 0 : 1, 0, BUFS, (u32)n, 0, 0);
	make_avail(d, inflate ? 0 : 1, 0);
	virtio_queue_notify(&B.vdev, inflate ? 0 : 1);
	if (broken())
		return;		/* an empty list: the walker's business */
	if (reap(d, inflate ? 0 : 1) != 1)
		BROKEN("a page list not returned");
	virtio_balloon_counters(&B, &b);
	if ((inflate ? b.inflated - a.inflated : b.deflated - a.deflated) !=
	    good || b.bad_pfns - a.bad_pfns != bad)
		BROKEN("%s: %llu good, %llu bad counted; the list has %llu, %llu",
		       inflate ? "inflate" : "deflate",
		       (unsigned long long)(inflate ? b.inflated - a.inflated :
					    b.deflated - a.deflated),
		       (unsigned long long)(b.bad_pfns - a.bad_pfns),
		       (unsigned long long)good, (unsigned long long)bad);
	if (b.returned_bytes - a.returned_bytes != (inflate ? good * PG : 0))
		BROKEN("%llu bytes returned for %llu %s pages",
		       (unsigned long long)(b.returned_bytes - a.returned_bytes),
		       (unsigned long long)good, inflate ? "inflated" : "deflated");
}

static void do_stats(struct drv *d, int q, const u8 *p, size_t n)
{
	u64 before = B.stats.updates;
	size_t i;

	n = MIN(n, (size_t)BUFS_MAX);
	memcpy(hva(BUFS), p, n);
	for (i = 0; i + 10 <= n &&
	     i < VIRTIO_BALLOON_STATS_MAX * VIRTIO_BALLOON_STAT_SIZE; i += 10) {
		u16 tag;
		u64 val;

		memcpy(&tag, p + i, 2);
		memcpy(&val, p + i + 2, 8);
		tag = le16toh(tag);
		if (tag < VIRTIO_BALLOON_S_NR) {
			d->model.val[tag] = le64toh(val);
			d->model.present |= 1u << tag;
		}
	}
	desc(q, (u16)(d->avail[q] % 2), BUFS, (u32)n, 0, 0);
	make_avail(d, q, (u16)(d->avail[q] % 2));
	virtio_queue_notify(&B.vdev, q);
	if (broken())
		return;
	if (B.stats.updates != before + 1 ||
	    memcmp(B.stats.val, d->model.val, sizeof(d->model.val)) ||
	    B.stats.present != d->model.present)
		BROKEN("statistics differ from the buffer's entries");
	/* The one before, if any, comes back: at most one is held. */
	reap(d, q);
	d->stats_posted = true;
}

static void do_report(struct drv *d, int q, u8 shape, const u8 *p, size_t n)
{
	struct virtio_balloon_counters a, b;
	unsigned int i, nd = (unsigned int)MIN(n / 5, (size_t)3);
	bool valid = nd > 0, last_ro = shape & 1;
	unsigned int got;
	u64 want = 0;

	virtio_balloon_counters(&B, &a);
	for (i = 0; i < nd; i++) {
		u32 pfn;
		u64 gpa, len;
		bool ro = last_ro && i == nd - 1;

		memcpy(&pfn, p + 5 * i, 4);
		gpa = (u64)le32toh(pfn) << 12;
		len = (u64)p[5 * i + 4] * PG;
		/* A readable one after a writable one is the driver's bug. */
		if (ro && i)
			valid = false;
		if (!len || !page_ok(gpa) || !page_ok(gpa + len - PG) ||
		    (gpa < R1_GPA) != (gpa + len - PG < R1_GPA))
			valid = false;
		if (!ro)
			want += len;
		desc(q, (u16)i, gpa, (u32)len,
		     (ro ? 0 : VIRTQ_DESC_F_WRITE) |
		     (i + 1 < nd ? VIRTQ_DESC_F_NEXT : 0), (u16)(i + 1));
	}
	if (!nd)
		return;
	make_avail(d, q, 0);
	virtio_queue_notify(&B.vdev, q);
	got = reap(d, q);
	if (!valid || broken())
		return;		/* the walker's business */
	if (got != 1)
		BROKEN("a report not returned");
	virtio_balloon_counters(&B, &b);
	if (b.reported_bytes - a.reported_bytes != want)
		BROKEN("%llu bytes reported, the buffers hold %llu",
		       (unsigned long long)(b.reported_bytes - a.reported_bytes),
		       (unsigned long long)want);
}

static void setup(void)
{
	r0 = mmap(NULL, R0_SIZE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r1 = mmap(NULL, R1_SIZE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rom = mmap(NULL, ROM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r0 == MAP_FAILED || r1 == MAP_FAILED || rom == MAP_FAILED ||
	    guest_mem_add(&mem, R0_GPA, R0_SIZE, r0, false) ||
	    guest_mem_add(&mem, R1_GPA, R1_SIZE, r1, false) ||
	    guest_mem_add(&mem, ROM_GPA, ROM_SIZE, rom, true))
		abort();
	log_set_level(LOG_ERROR);
	ready = true;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct drv d = { 0 };
	size_t pos = 1;
	int q;

	if (!ready)
		setup();
	if (size < 1)
		return 0;
	if (virtio_balloon_init(&B, &mem, "virtio-balloon.0",
				R0_SIZE + R1_SIZE))
		abort();
	B.discard = check_discard;
	if (sysconf(_SC_PAGESIZE) != PG)
		BROKEN("needs 4 KiB host pages");
	virtio_device_set_transport(&B.vdev, &transport, NULL);
	if (data[0] & 1)
		d.features |= VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ);
	if (data[0] & 2)
		d.features |= VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING);
	start(&d);
	while (pos + 3 <= size) {
		u8 kind = data[pos];
		size_t len = data[pos + 1] | (size_t)data[pos + 2] << 8;
		const u8 *p = data + pos + 3;

		pos += 3;
		len = MIN(len, size - pos);
		pos += len;
		if (broken() && (kind & 7) != 4)
			continue;
		switch (kind & 7) {
		case 0:
		case 1:
			do_pages(&d, !(kind & 7), p, len);
			break;
		case 2:
			q = queue_of(&d, VIRTIO_BALLOON_Q_STATS);
			if (q >= 0)
				do_stats(&d, q, p, len);
			break;
		case 3:
			q = queue_of(&d, VIRTIO_BALLOON_Q_REPORTING);
			if (q >= 0)
				do_report(&d, q, kind >> 3, p, len);
			break;
		case 4:
			start(&d);
			break;
		default: {
			struct virtio_balloon_stats s;
			int err = virtio_balloon_request_stats(&B, 0, &s);

			if (err != -EAGAIN && err != -ENODEV)
				BROKEN("a stats request unanswered: %d", err);
			if (err == -EAGAIN && d.stats_posted &&
			    reap(&d, queue_of(&d, VIRTIO_BALLOON_Q_STATS)) != 1)
				BROKEN("the held statistics buffer not given back");
			d.stats_posted = false;
			break;
		}
		}
	}
	virtio_balloon_destroy(&B);
	return 0;
}
