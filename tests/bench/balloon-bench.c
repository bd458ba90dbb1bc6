// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: virtio-balloon's inflate rate, MiB of resident memory given
 * back per second, through the virtqueue as Linux's driver feeds it
 * (lists of 256 page numbers, one notification each) over 256 MiB of
 * touched guest RAM; beside the same memory given back by bare madvise()
 * loops: one call per 4 KiB page, and one per 1 MiB run (what the device's
 * coalescing can at best reach). The best of three runs each; prints
 * the ratios.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "virtio/balloon.h"

#define RAM_GPA		0x100000ULL
#define RAM_SIZE	(256ULL << 20)
#define RINGS		RAM_GPA		/* first 1 MiB: rings and lists */
#define QSIZE		128
#define QAREA(q)	(RINGS + 0x4000ULL * (q))
#define LISTS		(RINGS + 0x10000ULL)
#define BATCH		256		/* Linux's VIRTIO_BALLOON_ARRAY_PFNS_MAX */
#define AREA		(RAM_GPA + (1ULL << 20))
#define AREA_SIZE	(RAM_SIZE - (1ULL << 20))
#define PG		4096ULL

static u8 *ram;
static struct guest_mem mem;
static struct virtio_balloon B;
static u16 avail_idx;

static void *hva(u64 gpa)
{
	return ram + (gpa - RAM_GPA);
}

static void sig_used(struct virtio_device *vdev, struct virtq *vq)
{
}

static void sig_config(struct virtio_device *vdev)
{
}

static const struct virtio_transport_ops transport = {
	.name = "bench", .signal_used = sig_used, .signal_config = sig_config,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long resident_pages(void)
{
	long size, res;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res;
}

static void touch(void)
{
	u64 off;

	for (off = 0; off < AREA_SIZE; off += PG)
		ram[AREA - RAM_GPA + off] = 1;
}

static void start(void)
{
	struct virtio_device *v = &B.vdev;
	u8 st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	virtio_device_set_transport(v, &transport, NULL);
	virtio_set_status(v, st);
	virtio_set_driver_features(v, 0, 0);
	virtio_set_driver_features(v, 1, 1);	/* VERSION_1 */
	virtio_set_status(v, st |= VIRTIO_STATUS_FEATURES_OK);
	virtio_queue_set_size(v, 0, QSIZE);
	virtio_queue_set_addr(v, 0, VIRTIO_AREA_DESC, QAREA(0));
	virtio_queue_set_addr(v, 0, VIRTIO_AREA_DRIVER, QAREA(0) + 0x1000);
	virtio_queue_set_addr(v, 0, VIRTIO_AREA_DEVICE, QAREA(0) + 0x2000);
	virtio_queue_set_ready(v, 0, true);
	virtio_set_status(v, st | VIRTIO_STATUS_DRIVER_OK);
}

/* One list of n page numbers from pfn on, as one chain; notify. */
static void inflate_list(u32 pfn, unsigned int n)
{
	u16 slot = avail_idx % QSIZE;
	u8 *d = hva(QAREA(0) + 16ULL * slot), *av = hva(QAREA(0) + 0x1000);
	u64 list = LISTS + (u64)slot * BATCH * 4, a = htole64(list);
	u32 l = htole32(n * 4), *p = hva(list);
	u16 z = 0, s = htole16(slot);
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = htole32(pfn + i);
	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &z, 2);
	memcpy(d + 14, &z, 2);
	memcpy(av + 4 + 2 * slot, &s, 2);
	avail_idx++;
	__atomic_store_n((u16 *)(av + 2), htole16(avail_idx),
			 __ATOMIC_RELEASE);
	virtio_queue_notify(&B.vdev, 0);
}

static double run_device(long *freed)
{
	u32 first = (u32)(AREA >> 12), pages = (u32)(AREA_SIZE / PG), i;
	long before;
	double t;

	touch();
	before = resident_pages();
	t = now();
	for (i = 0; i < pages; i += BATCH)
		inflate_list(first + i, MIN(BATCH, pages - i));
	t = now() - t;
	*freed = before - resident_pages();
	return t;
}

static double run_madvise(u64 step, long *freed)
{
	long before;
	u64 off;
	double t;

	touch();
	before = resident_pages();
	t = now();
	for (off = 0; off < AREA_SIZE; off += step)
		if (madvise(hva(AREA + off), step, MADV_DONTNEED))
			abort();
	t = now() - t;
	*freed = before - resident_pages();
	return t;
}

int main(void)
{
	double td, tp, tr, mib = AREA_SIZE / (double)(1 << 20);
	long fd, fp, fr;
	int i;

	log_set_level(LOG_ERROR);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED || sysconf(_SC_PAGESIZE) != PG ||
	    guest_mem_add(&mem, RAM_GPA, RAM_SIZE, ram, false) ||
	    virtio_balloon_init(&B, &mem, "virtio-balloon.0", RAM_SIZE)) {
		printf("# balloon bench skipped: needs 256 MiB and 4 KiB pages\n");
		return 0;
	}
	start();
	/* The best of three each: the machine is shared. */
	td = tp = tr = 1e9;
	for (i = 0; i < 3; i++) {
		double t;

		t = run_device(&fd);
		td = MIN(td, t);
		t = run_madvise(PG, &fp);
		tp = MIN(tp, t);
		t = run_madvise(BATCH * PG, &fr);
		tr = MIN(tr, t);
	}
	printf("%-40s %7.0f MiB  %8.0f MiB/s returned\n",
	       "virtio-balloon inflate (256-page lists)", mib, fd * 4096.0 /
	       (1 << 20) / td);
	printf("%-40s %7.0f MiB  %8.0f MiB/s returned\n",
	       "bare madvise, one 4 KiB page a call", mib,
	       fp * 4096.0 / (1 << 20) / tp);
	printf("%-40s %7.0f MiB  %8.0f MiB/s returned\n",
	       "bare madvise, one 1 MiB run a call", mib,
	       fr * 4096.0 / (1 << 20) / tr);
	printf("# inflate: %.2f of the per-page madvise loop, %.2f of the 1 MiB one\n",
	       (fd / td) / (fp / tp), (fd / td) / (fr / tr));
	printf("# resident pages given back: device %ld, per page %ld, per run %ld of %llu\n",
	       fd, fp, fr, (unsigned long long)(AREA_SIZE / PG));
	virtio_balloon_destroy(&B);
	return fd < (long)(AREA_SIZE / PG) * 9 / 10;
}
