// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/balloon.c behind the virtio-pci transport, on a guest RAM that is
 * a real private anonymous mapping: inflated pages leave the process's
 * resident set (mincore), page numbers outside writable RAM are refused
 * and leave memory alone, deflate is counted, the target and actual go
 * through config space with a config interrupt, the statistics buffer is
 * held and handed back on request, and free page reporting gives memory
 * back unasked.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"
#include "log.h"
#include "virtio/balloon.h"
#include "virtio-pci-drv.h"

#define NOVEC VIRTIO_MSI_NO_VECTOR
#define PG 4096u
/* Pages the tests give back: the last 256 KiB of the 1 MiB RAM. */
#define AREA 0x1c0000ULL
#define AREA_PAGES 64
#define ROM 0x400000ULL

static struct th T;
static struct virtio_balloon B;
static struct virtio_pci VP;
static u8 *ram, *rom;

enum { QI, QD, QS, QR };

/* Resident pages of [gpa, gpa + pages * 4 KiB) in the RAM mapping. */
static unsigned int resident(u64 gpa, unsigned int pages)
{
	unsigned char vec[AREA_PAGES * 4];
	unsigned int i, n = 0;

	if (pages > sizeof(vec) ||
	    mincore(ram + (gpa - TH_RAM), (size_t)pages * PG, vec))
		return ~0u;
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n;
}

static void touch(u64 gpa, unsigned int pages, u8 val)
{
	memset(ram + (gpa - TH_RAM), val, (size_t)pages * PG);
}

/* A page list at TH_BUFS: n page numbers from pfns[]. */
static void post_pfns(unsigned int q, const u32 *pfns, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		u32 v = htole32(pfns[i]);

		memcpy(th_hva(&T, TH_BUFS + 4 * i), &v, 4);
	}
	th_post(&T, q, TH_BUFS, 4 * n, false);
}

static void put_stat(u8 *p, u16 tag, u64 val)
{
	tag = htole16(tag);
	val = htole64(val);
	memcpy(p, &tag, 2);
	memcpy(p + 2, &val, 8);
}

#define STATS_BUF (TH_BUFS + 0x2000)

static void *stats_requester(void *arg)
{
	struct virtio_balloon_stats *s = arg;

	return (void *)(long)virtio_balloon_request_stats(&B, 5000, s);
}

static u32 cfg32(unsigned int off)
{
	return (u32)mrd(&T, T.device + off, 4);
}

/*
 * A list longer than any driver sends (descriptors aliasing one buffer
 * could name 2^37 pages, hours of walking): refused whole, nothing given
 * back, its entries counted as bad; one of exactly the bound is taken.
 */
static void test_long_list(void)
{
	static u32 big[VIRTIO_BALLOON_LIST_MAX + 1];
	struct virtio_balloon_counters c, d;
	unsigned int i;
	bool back;

	for (i = 0; i <= VIRTIO_BALLOON_LIST_MAX; i++)
		big[i] = (u32)((AREA >> 12) + i % AREA_PAGES);
	touch(AREA, AREA_PAGES, 4);
	virtio_balloon_counters(&B, &c);
	post_pfns(QI, big, VIRTIO_BALLOON_LIST_MAX + 1);
	back = th_used(&T, QI, NULL);
	virtio_balloon_counters(&B, &d);
	ok(back && d.inflated == c.inflated &&
	   d.bad_pfns == c.bad_pfns + VIRTIO_BALLOON_LIST_MAX + 1 &&
	   d.returned_bytes == c.returned_bytes &&
	   resident(AREA, AREA_PAGES) == AREA_PAGES,
	   "a list of %u page numbers is refused whole and comes back (%llu inflated, %llu bad, %u of %u pages left)",
	   VIRTIO_BALLOON_LIST_MAX + 1,
	   (unsigned long long)(d.inflated - c.inflated),
	   (unsigned long long)(d.bad_pfns - c.bad_pfns),
	   resident(AREA, AREA_PAGES), AREA_PAGES);
	post_pfns(QD, big, VIRTIO_BALLOON_LIST_MAX + 1);
	back = th_used(&T, QD, NULL);
	virtio_balloon_counters(&B, &c);
	ok(back && c.deflated == d.deflated &&
	   c.bad_pfns == d.bad_pfns + VIRTIO_BALLOON_LIST_MAX + 1,
	   "so is a deflate list that long");
	post_pfns(QI, big, VIRTIO_BALLOON_LIST_MAX);
	back = th_used(&T, QI, NULL);
	virtio_balloon_counters(&B, &d);
	ok(back && d.inflated == c.inflated + VIRTIO_BALLOON_LIST_MAX &&
	   d.bad_pfns == c.bad_pfns && resident(AREA, AREA_PAGES) == 0,
	   "a list of exactly %u is taken", VIRTIO_BALLOON_LIST_MAX);
}

static void test_pages(void)
{
	struct virtio_balloon_counters c;
	u32 pfns[AREA_PAGES + 8];
	unsigned int i;
	u32 len;

	touch(AREA, AREA_PAGES, 0x5a);
	ok(resident(AREA, AREA_PAGES) == AREA_PAGES,
	   "the guest's pages are resident before (%u)",
	   resident(AREA, AREA_PAGES));
	for (i = 0; i < AREA_PAGES; i++)
		pfns[i] = (u32)((AREA >> 12) + i);
	post_pfns(QI, pfns, AREA_PAGES);
	ok(th_used(&T, QI, &len) && len == 0, "the inflate buffer comes back");
	ok(resident(AREA, AREA_PAGES) == 0,
	   "inflating 64 pages takes them out of the host's RSS (%u left)",
	   resident(AREA, AREA_PAGES));
	ok(ram[AREA - TH_RAM] == 0 && ram[AREA - TH_RAM + 3 * PG + 7] == 0,
	   "and they read back as zero");
	virtio_balloon_counters(&B, &c);
	ok(c.inflated == AREA_PAGES && c.returned_bytes == AREA_PAGES * PG &&
	   !c.bad_pfns && !c.discard_errors,
	   "counters: %llu inflated, %llu bytes returned",
	   (unsigned long long)c.inflated,
	   (unsigned long long)c.returned_bytes);

	/* Scattered pages: each one alone. */
	touch(AREA, 8, 1);
	pfns[0] = (u32)(AREA >> 12) + 6;
	pfns[1] = (u32)(AREA >> 12) + 2;
	pfns[2] = (u32)(AREA >> 12) + 4;
	post_pfns(QI, pfns, 3);
	ok(th_used(&T, QI, NULL) && resident(AREA, 8) == 5 &&
	   resident(AREA + 2 * PG, 1) == 0 && resident(AREA + 6 * PG, 1) == 0 &&
	   resident(AREA + PG, 1) == 1,
	   "pages out of order: exactly those go (%u of 8 left)",
	   resident(AREA, 8));

	/* Outside RAM, read-only, and wrapping: refused, memory untouched. */
	memset(rom, 0xa5, PG);
	touch(AREA, 1, 7);
	pfns[0] = (u32)(ROM >> 12);		/* read-only region */
	pfns[1] = 0x10;				/* below RAM */
	pfns[2] = 0xffffffffu;			/* far beyond */
	pfns[3] = (u32)((TH_RAM + TH_RAM_SIZE) >> 12);	/* just past RAM */
	pfns[4] = (u32)(AREA >> 12);		/* the one good page */
	virtio_balloon_counters(&B, &c);
	post_pfns(QI, pfns, 5);
	ok(th_used(&T, QI, NULL), "a list with bad pages still comes back");
	{
		struct virtio_balloon_counters d;

		virtio_balloon_counters(&B, &d);
		ok(d.bad_pfns == 4 && d.inflated == c.inflated + 1 &&
		   d.returned_bytes == c.returned_bytes + PG,
		   "4 bad pages refused and counted, the good one given back (%llu bad)",
		   (unsigned long long)d.bad_pfns);
	}
	ok(rom[0] == 0xa5 && rom[PG - 1] == 0xa5,
	   "the read-only region keeps its contents");

	/* A list whose length is not whole page numbers: the whole ones. */
	touch(AREA, 2, 3);
	pfns[0] = (u32)(AREA >> 12);
	pfns[1] = (u32)(AREA >> 12) + 1;
	post_pfns(QI, pfns, 2);
	th_used(&T, QI, NULL);
	memcpy(th_hva(&T, TH_BUFS), &(u32){ htole32((u32)(AREA >> 12) + 1) }, 4);
	touch(AREA, 2, 3);
	th_post(&T, QI, TH_BUFS, 6, false);
	ok(th_used(&T, QI, NULL) && resident(AREA, 1) == 1 &&
	   resident(AREA + PG, 1) == 0,
	   "a 6-byte list: its one whole page number is taken");

	test_long_list();

	virtio_balloon_counters(&B, &c);
	for (i = 0; i < 16; i++)
		pfns[i] = (u32)((AREA >> 12) + i);
	pfns[16] = 0x12345;
	post_pfns(QD, pfns, 17);
	{
		struct virtio_balloon_counters d;

		virtio_balloon_counters(&B, &d);
		ok(th_used(&T, QD, NULL) && d.deflated == 16 &&
		   d.bad_pfns == c.bad_pfns + 1 &&
		   d.returned_bytes == c.returned_bytes,
		   "deflate: 16 pages counted, a bad one refused, nothing freed");
	}
}

static void test_config(void)
{
	u32 v;

	ok(cfg32(VIRTIO_BALLOON_CFG_NUM_PAGES) == 0 &&
	   cfg32(VIRTIO_BALLOON_CFG_ACTUAL) == 0, "target and actual start at 0");
	mrd(&T, T.isr, 1);
	ok(virtio_balloon_set_target(&B, 128) == 0 &&
	   cfg32(VIRTIO_BALLOON_CFG_NUM_PAGES) == 128 &&
	   virtio_balloon_target(&B) == 128,
	   "a target of 128 pages shows in config space");
	ok(mrd(&T, T.isr, 1) == 2, "with a configuration change interrupt");
	ok(virtio_balloon_set_target(&B, TH_RAM_SIZE / PG + 1) == -ERANGE &&
	   virtio_balloon_target(&B) == 128,
	   "a target beyond guest RAM: -ERANGE, the old one stays");
	ok(virtio_balloon_set_target(&B, TH_RAM_SIZE / PG) == 0,
	   "all of guest RAM is a valid target");
	mwr(&T, T.device + VIRTIO_BALLOON_CFG_NUM_PAGES, 4, 7);
	ok(cfg32(VIRTIO_BALLOON_CFG_NUM_PAGES) == TH_RAM_SIZE / PG,
	   "the driver cannot write num_pages");
	mwr(&T, T.device + VIRTIO_BALLOON_CFG_ACTUAL, 4, 99);
	v = cfg32(VIRTIO_BALLOON_CFG_ACTUAL);
	ok(v == 99 && virtio_balloon_actual(&B) == 99,
	   "the driver writes actual (%u)", v);
}

static void test_stats(void)
{
	u8 *p = th_hva(&T, STATS_BUF);
	struct virtio_balloon_stats s;
	pthread_t thr;
	void *ret;
	unsigned int spins;
	u32 len;

	/* main() posted the first buffer before DRIVER_OK, as Linux does. */
	ok(!th_used(&T, QS, NULL), "the device holds the statistics buffer");
	ok(B.stats.updates == 1 && B.stats.val[VIRTIO_BALLOON_S_MEMFREE] ==
	   100 << 20 && B.stats.val[VIRTIO_BALLOON_S_MEMTOT] == 256 << 20 &&
	   B.stats.val[VIRTIO_BALLOON_S_MAJFLT] == 7 &&
	   B.stats.present == (1u << VIRTIO_BALLOON_S_MEMFREE |
			       1u << VIRTIO_BALLOON_S_MEMTOT |
			       1u << VIRTIO_BALLOON_S_MAJFLT),
	   "its entries are parsed, an unknown tag ignored");

	/* A request: the buffer comes back, the driver refills it. */
	if (pthread_create(&thr, NULL, stats_requester, &s))
		abort();
	for (spins = 0; spins < 4000 && !th_used(&T, QS, &len); spins++)
		usleep(1000);
	ok(spins < 4000, "a request gives the buffer back to the driver");
	put_stat(p, VIRTIO_BALLOON_S_MEMFREE, 50 << 20);
	th_post(&T, QS, STATS_BUF, 40, false);
	pthread_join(thr, &ret);
	ok((long)ret == 0 && s.updates == 2 &&
	   s.val[VIRTIO_BALLOON_S_MEMFREE] == 50 << 20,
	   "the refilled buffer answers it with fresh figures (%ld)",
	   (long)ret);

	ok(virtio_balloon_request_stats(&B, 50, &s) == -EAGAIN &&
	   s.val[VIRTIO_BALLOON_S_MEMFREE] == 50 << 20,
	   "a guest that does not answer: -EAGAIN and the last figures");
	ok(th_used(&T, QS, NULL), "(the buffer it did not refill came back)");
	ok(virtio_balloon_request_stats(&B, 50, &s) == -EAGAIN,
	   "with no buffer held, a request times out cleanly");
	th_post(&T, QS, STATS_BUF, 5, false);
	ok(B.stats.updates == 3 && !th_used(&T, QS, NULL),
	   "a short buffer (half an entry) is held, nothing parsed from it");
	/* A second buffer while one is held: the first goes back, told. */
	mrd(&T, T.isr, 1);
	th_post(&T, QS, STATS_BUF + 256, 40, false);
	ok(th_used(&T, QS, NULL) && (mrd(&T, T.isr, 1) & 1) &&
	   B.stats.updates == 4,
	   "a second buffer: the held one comes back with a queue interrupt");
}

static void test_reporting(void)
{
	struct virtio_balloon_counters c;

	touch(AREA, 32, 9);
	th_post(&T, QR, AREA, 32 * PG, true);
	virtio_balloon_counters(&B, &c);
	ok(th_used(&T, QR, NULL) && resident(AREA, 32) == 0 &&
	   c.reported_bytes == 32 * PG,
	   "a reported 128 KiB run leaves the RSS (%u left, %llu reported)",
	   resident(AREA, 32), (unsigned long long)c.reported_bytes);
	touch(AREA, 4, 9);
	th_post(&T, QR, AREA, 4 * PG, false);
	ok(th_used(&T, QR, NULL) && resident(AREA, 4) == 4,
	   "a device-readable report is not the guest's to give: kept");
}

static void test_queue_kinds(void)
{
	u64 s = VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ);
	u64 r = VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING);

	ok(virtio_balloon_queue_kind(s | r, 2) == VIRTIO_BALLOON_Q_STATS &&
	   virtio_balloon_queue_kind(s | r, 3) == VIRTIO_BALLOON_Q_REPORTING &&
	   virtio_balloon_queue_kind(r, 2) == VIRTIO_BALLOON_Q_REPORTING &&
	   virtio_balloon_queue_kind(r, 3) == VIRTIO_BALLOON_Q_NONE &&
	   virtio_balloon_queue_kind(s, 3) == VIRTIO_BALLOON_Q_NONE &&
	   virtio_balloon_queue_kind(0, 2) == VIRTIO_BALLOON_Q_NONE &&
	   virtio_balloon_queue_kind(0, 1) == VIRTIO_BALLOON_Q_DEFLATE,
	   "queues are numbered by the negotiated features, as Linux finds them");
}

int main(void)
{
	u64 f;

	log_set_level(LOG_ERROR);
	ram = mmap(NULL, TH_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rom = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED || rom == MAP_FAILED ||
	    sysconf(_SC_PAGESIZE) != PG) {
		printf("1..0 # SKIP needs 4 KiB host pages and mmap\n");
		return 0;
	}
	th_init_ram(&T, ram);
	if (guest_mem_add(&T.mem, ROM, PG, rom, true) ||
	    virtio_balloon_init(&B, &T.mem, "virtio-balloon.0", TH_RAM_SIZE) ||
	    virtio_pci_init(&VP, &B.vdev, &T.host, &T.intx))
		abort();
	ok(th_find(&T, VIRTIO_ID_BALLOON) &&
	   (f = th_device_features(&T)) ==
	   (VIRTIO_CORE_FEATURES | VIRTIO_BALLOON_FEATURES),
	   "virtio-balloon: device 5 offers STATS_VQ, DEFLATE_ON_OOM, REPORTING");
	ok(th_negotiate(&T, VIRTIO_BALLOON_FEATURES) &
	   VIRTIO_STATUS_FEATURES_OK, "the driver takes them all");
	ok(th_queue(&T, QI, 16, NOVEC) && th_queue(&T, QD, 16, NOVEC) &&
	   th_queue(&T, QS, 4, NOVEC) && th_queue(&T, QR, 16, NOVEC),
	   "four queues");
	/* Linux primes the statistics queue before DRIVER_OK. */
	put_stat(th_hva(&T, STATS_BUF), VIRTIO_BALLOON_S_MEMFREE, 100 << 20);
	put_stat(th_hva(&T, STATS_BUF + 10), VIRTIO_BALLOON_S_MEMTOT, 256 << 20);
	put_stat(th_hva(&T, STATS_BUF + 20), 99, 12345);	/* a newer tag */
	put_stat(th_hva(&T, STATS_BUF + 30), VIRTIO_BALLOON_S_MAJFLT, 7);
	th_post(&T, QS, STATS_BUF, 40, false);
	ok(B.stats.updates == 0, "a kick before DRIVER_OK is not served");
	th_driver_ok(&T);
	ok(B.stats.updates == 1,
	   "DRIVER_OK takes the statistics buffer posted before it");

	test_queue_kinds();
	test_config();
	test_pages();
	test_stats();
	test_reporting();

	mwr(&T, TC(&T, STATUS), 1, 0);
	ok(virtio_balloon_actual(&B) == 0 &&
	   virtio_balloon_target(&B) == TH_RAM_SIZE / PG,
	   "a driver reset clears actual; the host's target stays");

	virtio_pci_destroy(&VP);
	virtio_balloon_destroy(&B);
	th_fini(&T);
	munmap(ram, TH_RAM_SIZE);
	munmap(rom, PG);
	return tap_done();
}
