// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/blk.c through a simulated driver (virtio-sim.h) on a raw image,
 * with the io_uring engine and with the worker-thread fallback: reads and
 * writes checked against the file, FLUSH, GET_ID, DISCARD, WRITE_ZEROES,
 * queue depth 32, and bad requests (out of range, misaligned, short
 * header, no status byte, unknown type, writes to a read-only disk), after
 * each of which the device must go on serving; a device and a queue reset
 * with requests in flight; a read longer than 4 GiB; a qcow2 image
 * through the device, checked by qemu-img; and io=vcpu (vcpu_io_suite()).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blk-image.h"
#include "io-gate.h"
#include "log.h"
#include "tap.h"
#include "virtio-sim.h"
#include "virtio/blk.h"

#define DISK_BYTES (4 * SZ_1M)
#define HDR(i) (SIM_BUFS + 0x20ULL * (i))
#define STATUS(i) (SIM_BUFS + 0x800 + (i))
#define DATA(i) (SIM_BUFS + 0x1000 + 0x2000ULL * (i))

static struct sim S;
static unsigned int nsignals;
static char path[64];

/* Run once at the next used-buffer signal (as another vCPU would). */
static void (*on_signal)(void);

/* The test's own thread (a vCPU's), and whether the last signal was its. */
static pthread_t test_thread;
static int signalled_here;

static void t_signal_used(struct virtio_device *vdev, struct virtq *vq)
{
	void (*fn)(void) = on_signal;

	__atomic_store_n(&signalled_here,
			 pthread_equal(pthread_self(), test_thread),
			 __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&nsignals, 1, __ATOMIC_SEQ_CST);
	on_signal = NULL;
	if (fn)
		fn();
}

static void t_signal_config(struct virtio_device *vdev)
{
}

static const struct virtio_transport_ops t_transport = {
	.name = "test",
	.signal_used = t_signal_used,
	.signal_config = t_signal_config,
};

static struct virtio_device *bring_up_size(struct virtio_blk *blk,
					   u64 features, u16 size)
{
	struct virtio_device *vdev = virtio_blk_vdev(blk);

	virtio_device_set_transport(vdev, &t_transport, NULL);
	features |= VIRTIO_BIT(VIRTIO_F_VERSION_1);
	vdrv_probe(vdev, features, size, SIM_DESC, SIM_AVAIL, SIM_USED);
	S.size = size;
	S.avail_idx = 0;
	S.last_used = 0;
	memset(sim_hva(&S, SIM_AVAIL), 0, 0x2000);
	memset(sim_hva(&S, SIM_USED), 0, 0x2000);
	return vdev;
}

static struct virtio_device *bring_up(struct virtio_blk *blk, u64 features)
{
	return bring_up_size(blk, features, 64);
}

/* Place request slot i: header, optional data, status (3 or 2 descs). */
static void put_req(unsigned int i, u32 type, u64 sector, u32 len,
		    bool data_in, bool with_status)
{
	u16 d = 3 * i;
	u32 hdr[4] = { htole32(type), 0, htole32((u32)sector),
		       htole32(sector >> 32) };

	memcpy(sim_hva(&S, HDR(i)), hdr, 16);
	*(u8 *)sim_hva(&S, STATUS(i)) = 0xee;
	if (len) {
		sim_split_desc(&S, SIM_DESC, d, HDR(i), 16, VIRTQ_DESC_F_NEXT,
			       d + 1);
		sim_split_desc(&S, SIM_DESC, d + 1, DATA(i), len,
			       (data_in ? VIRTQ_DESC_F_WRITE : 0) |
			       (with_status ? VIRTQ_DESC_F_NEXT : 0), d + 2);
	} else {
		sim_split_desc(&S, SIM_DESC, d, HDR(i), 16,
			       with_status ? VIRTQ_DESC_F_NEXT : 0, d + 2);
	}
	if (with_status)
		sim_split_desc(&S, SIM_DESC, d + 2, STATUS(i), 1,
			       VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&S, d);
}

/* Wait for n used entries; returns how many came (ids/lens not kept). */
static unsigned int wait_used(unsigned int n, u32 *last_len)
{
	unsigned int got = 0, spins;
	u32 id, len;

	for (spins = 0; got < n && spins < 50000; spins++) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (sim_split_used(&S, &id, &len)) {
			got++;
			if (last_len)
				*last_len = len;
			continue;
		}
		usleep(100);
	}
	return got;
}

static u8 do_req(struct virtio_device *vdev, u32 type, u64 sector, u32 len,
		 bool data_in, u32 *written)
{
	put_req(0, type, sector, len, data_in, true);
	virtio_queue_notify(vdev, 0);
	if (wait_used(1, written) != 1)
		return 0xff;
	return *(u8 *)sim_hva(&S, STATUS(0));
}

static u8 do_seg(struct virtio_device *vdev, u32 type, u64 sector, u32 nsec,
		 u32 flags)
{
	u32 seg[4] = { htole32((u32)sector), htole32(sector >> 32),
		       htole32(nsec), htole32(flags) };

	memcpy(sim_hva(&S, DATA(0)), seg, 16);
	return do_req(vdev, type, 0, 16, false, NULL);
}

static bool file_is(u64 off, const void *buf, u64 len)
{
	u8 *b = malloc(len);
	int fd = open(path, O_RDONLY);
	bool same = fd >= 0 && pread(fd, b, len, off) == (ssize_t)len &&
		    !memcmp(b, buf, len);

	if (fd >= 0)
		close(fd);
	free(b);
	return same;
}

static void fill(u8 *p, u64 len, u32 seed)
{
	u64 i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed * 131 + i * 7 + (i >> 9));
}

/*
 * The device goes, its engine with it, while no reap runs on the I/O
 * thread (include/disk.h: destroy() wants the loop stopped, as lkvm
 * stops it before its devices go); the loop then serves the next one.
 */
static void blk_destroy(struct virtio_blk *blk, struct io_loop *loop)
{
	if (loop)
		io_loop_stop(loop);
	virtio_blk_destroy(blk);
	if (loop && io_loop_start(loop))
		ok(0, "the I/O loop started again");
}

static void suite(enum disk_engine_kind kind, struct io_loop *loop)
{
	struct virtio_blk_options o = {
		.path = path, .serial = "lkvm-serial-42", .engine = kind,
		.loop = loop, .queue_size = 64,
	};
	struct virtio_blk *blk = NULL;
	struct virtio_device *vdev;
	const char *en;
	char err[256] = "";
	u8 buf[8192], cap[8], zero[4096] = { 0 };
	u32 written = 0;
	unsigned int i;
	u64 f;

	if (virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
		ok(0, "create: %s", err);
		return;
	}
	en = virtio_blk_engine_name(blk);
	ok(!strcmp(en, kind == DISK_ENGINE_URING ? "io_uring" : "threads"),
	   "[%s] engine as asked", en);
	vdev = virtio_blk_vdev(blk);
	f = (u64)virtio_get_device_features(vdev, 1) << 32 |
	    virtio_get_device_features(vdev, 0);
	ok((f & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)) &&
	   (f & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD)) &&
	   (f & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES)) &&
	   (f & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)) &&
	   !(f & VIRTIO_BIT(VIRTIO_BLK_F_RO)),
	   "[%s] features: FLUSH DISCARD WRITE_ZEROES SEG_MAX, not RO", en);
	virtio_config_read(vdev, VIRTIO_BLK_CFG_CAPACITY, cap, 8);
	ok(le64toh(*(u64 *)cap) == DISK_BYTES / 512,
	   "[%s] config capacity %llu sectors", en,
	   (unsigned long long)le64toh(*(u64 *)cap));
	virtio_config_read(vdev, VIRTIO_BLK_CFG_SEG_MAX, cap, 4);
	ok(le32toh(*(u32 *)cap) == 62, "[%s] seg_max = queue size - 2", en);

	bring_up(blk, f & ~VIRTIO_BIT(VIRTIO_F_RING_PACKED) &
		 ~VIRTIO_BIT(VIRTIO_F_EVENT_IDX));

	fill(buf, 8192, 1);
	memcpy(sim_hva(&S, DATA(0)), buf, 8192);
	ok(do_req(vdev, VIRTIO_BLK_T_OUT, 100, 8192, false, NULL) ==
	   VIRTIO_BLK_S_OK && file_is(100 * 512, buf, 8192),
	   "[%s] OUT 8 KiB at sector 100 lands in the file", en);
	memset(sim_hva(&S, DATA(0)), 0, 8192);
	ok(do_req(vdev, VIRTIO_BLK_T_IN, 100, 8192, true, &written) ==
	   VIRTIO_BLK_S_OK && written == 8193 &&
	   !memcmp(sim_hva(&S, DATA(0)), buf, 8192),
	   "[%s] IN reads it back, used len 8193", en);
	ok(do_req(vdev, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL) ==
	   VIRTIO_BLK_S_OK, "[%s] FLUSH ok", en);
	memset(sim_hva(&S, DATA(0)), 0xaa, 32);
	ok(do_req(vdev, VIRTIO_BLK_T_GET_ID, 0, 20, true, &written) ==
	   VIRTIO_BLK_S_OK && !memcmp(sim_hva(&S, DATA(0)),
				      "lkvm-serial-42\0\0\0\0\0\0", 20),
	   "[%s] GET_ID returns the serial, zero-padded", en);

	/* Bad requests, each followed by a good one. */
	ok(do_req(vdev, VIRTIO_BLK_T_IN, DISK_BYTES / 512 - 1, 1024, true,
		  NULL) == VIRTIO_BLK_S_IOERR,
	   "[%s] read past the end: IOERR", en);
	ok(do_req(vdev, VIRTIO_BLK_T_OUT, ~0ULL, 512, false, NULL) ==
	   VIRTIO_BLK_S_IOERR, "[%s] write at sector 2^64-1: IOERR", en);
	ok(do_req(vdev, VIRTIO_BLK_T_IN, 0, 100, true, NULL) ==
	   VIRTIO_BLK_S_IOERR, "[%s] misaligned length: IOERR", en);
	ok(do_req(vdev, 77, 0, 512, true, NULL) == VIRTIO_BLK_S_UNSUPP,
	   "[%s] unknown type: UNSUPP", en);
	ok(do_seg(vdev, VIRTIO_BLK_T_DISCARD, 0, 8, 1) == VIRTIO_BLK_S_UNSUPP,
	   "[%s] discard with the unmap flag: UNSUPP", en);
	ok(do_seg(vdev, VIRTIO_BLK_T_WRITE_ZEROES, DISK_BYTES / 512 - 4, 8,
		  0) == VIRTIO_BLK_S_IOERR, "[%s] write zeroes past end: IOERR",
	   en);
	/* Header of 8 bytes only, then no status byte at all. */
	sim_split_desc(&S, SIM_DESC, 0, HDR(0), 8, VIRTQ_DESC_F_NEXT, 2);
	sim_split_desc(&S, SIM_DESC, 2, STATUS(0), 1, VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&S, 0);
	virtio_queue_notify(vdev, 0);
	ok(wait_used(1, NULL) == 1 &&
	   *(u8 *)sim_hva(&S, STATUS(0)) == VIRTIO_BLK_S_IOERR,
	   "[%s] 8-byte header: IOERR", en);
	put_req(0, VIRTIO_BLK_T_IN, 0, 512, false, false);
	virtio_queue_notify(vdev, 0);
	ok(wait_used(1, &written) == 1 && written == 0,
	   "[%s] no writable status byte: completed with 0 bytes", en);
	ok(!(virtio_get_status(vdev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) &&
	   do_req(vdev, VIRTIO_BLK_T_IN, 100, 512, true, NULL) ==
	   VIRTIO_BLK_S_OK && !memcmp(sim_hva(&S, DATA(0)), buf, 512),
	   "[%s] device still serves after the bad requests", en);

	/* DISCARD (rounded to 4 KiB) and WRITE_ZEROES. */
	ok(do_seg(vdev, VIRTIO_BLK_T_DISCARD, 100, 16, 0) == VIRTIO_BLK_S_OK,
	   "[%s] DISCARD ok", en);
	ok(file_is(100 * 512 + 2048, zero, 4096) &&
	   file_is(100 * 512, buf, 2048),
	   "[%s] DISCARD freed the whole 4 KiB block only", en);
	ok(do_seg(vdev, VIRTIO_BLK_T_WRITE_ZEROES, 101, 1, 0) ==
	   VIRTIO_BLK_S_OK && file_is(101 * 512, zero, 512) &&
	   file_is(100 * 512, buf, 512),
	   "[%s] WRITE_ZEROES of one sector, exact", en);

	/* Queue depth 32: distinct patterns, then read them all back. */
	for (i = 0; i < 20; i++) {
		fill(sim_hva(&S, DATA(i)), 4096, 1000 + i);
		put_req(i, VIRTIO_BLK_T_OUT, 2000 + 8 * i, 4096, false, true);
	}
	virtio_queue_notify(vdev, 0);
	{
		bool good = wait_used(20, NULL) == 20;

		for (i = 0; i < 20; i++) {
			fill(buf, 4096, 1000 + i);
			good = good &&
			       *(u8 *)sim_hva(&S, STATUS(i)) == 0 &&
			       file_is((2000 + 8 * i) * 512ULL, buf, 4096);
		}
		ok(good, "[%s] 20 writes in flight at once, all on disk", en);
		for (i = 0; i < 20; i++) {
			memset(sim_hva(&S, DATA(i)), 0, 4096);
			put_req(i, VIRTIO_BLK_T_IN, 2000 + 8 * i, 4096, true,
				true);
		}
		virtio_queue_notify(vdev, 0);
		good = wait_used(20, NULL) == 20;
		for (i = 0; i < 20; i++) {
			fill(buf, 4096, 1000 + i);
			good = good && !memcmp(sim_hva(&S, DATA(i)), buf,
					       4096);
		}
		ok(good, "[%s] 20 reads in flight at once, all match", en);
	}
	ok(nsignals > 0, "[%s] the driver was interrupted (%u signals)", en,
	   nsignals);

	/* Reset with requests in flight, then the device works again. */
	for (i = 0; i < 20; i++)
		put_req(i, VIRTIO_BLK_T_OUT, 4000 + 8 * i, 4096, false, true);
	virtio_queue_notify(vdev, 0);
	virtio_set_status(vdev, 0);
	bring_up(blk, f & ~VIRTIO_BIT(VIRTIO_F_RING_PACKED) &
		 ~VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	ok(do_req(vdev, VIRTIO_BLK_T_IN, 100, 512, true, NULL) ==
	   VIRTIO_BLK_S_OK, "[%s] reset with requests in flight, then works",
	   en);

	/*
	 * Queue reset (QueueReady=0) with requests in flight: when it
	 * returns every request has finished and nothing is pushed after
	 * it; the re-enabled ring sees only its own requests.
	 */
	for (i = 0; i < 20; i++) {
		fill(sim_hva(&S, DATA(i)), 8192, 3000 + i);
		put_req(i, VIRTIO_BLK_T_OUT, 6000 + 16 * i, 8192, false, true);
	}
	virtio_queue_notify(vdev, 0);
	virtio_queue_set_ready(vdev, 0, false);
	{
		static u8 used[4 + 8 * 64];
		bool done = true;

		for (i = 0; i < 20; i++)
			done = done && *(u8 *)sim_hva(&S, STATUS(i)) == 0;
		memcpy(used, sim_hva(&S, SIM_USED), sizeof(used));
		usleep(20000);
		ok(done && !memcmp(used, sim_hva(&S, SIM_USED), sizeof(used)),
		   "[%s] queue reset returns with its 20 requests finished; nothing pushed after",
		   en);
	}
	memset(sim_hva(&S, SIM_AVAIL), 0, 0x1000);
	memset(sim_hva(&S, SIM_USED), 0, 0x1000);
	S.avail_idx = 0;
	S.last_used = 0;
	virtio_queue_set_ready(vdev, 0, true);
	ok(do_req(vdev, VIRTIO_BLK_T_IN, 6000, 4096, true, &written) ==
	   VIRTIO_BLK_S_OK && written == 4097 &&
	   sim_r16(&S, SIM_USED + 2) == 1,
	   "[%s] re-enabled queue: one request, one used entry", en);
	blk_destroy(blk, loop);

	/* Read-only. */
	o.readonly = true;
	blk = NULL;
	if (virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
		ok(0, "create ro: %s", err);
		return;
	}
	f = (u64)virtio_get_device_features(virtio_blk_vdev(blk), 1) << 32 |
	    virtio_get_device_features(virtio_blk_vdev(blk), 0);
	vdev = bring_up(blk, f & ~VIRTIO_BIT(VIRTIO_F_RING_PACKED));
	ok((f & VIRTIO_BIT(VIRTIO_BLK_F_RO)) &&
	   !(f & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD)), "[%s] ro: RO offered", en);
	memset(sim_hva(&S, DATA(0)), 0x55, 512);
	fill(buf, 512, 1);
	ok(do_req(vdev, VIRTIO_BLK_T_OUT, 100, 512, false, NULL) ==
	   VIRTIO_BLK_S_IOERR && file_is(100 * 512, buf, 512),
	   "[%s] ro: write refused with IOERR, file unchanged", en);
	ok(do_req(vdev, VIRTIO_BLK_T_IN, 100, 512, true, NULL) ==
	   VIRTIO_BLK_S_OK, "[%s] ro: reads work", en);
	blk_destroy(blk, loop);
}

/*
 * A read longer than 4 GiB: 256 descriptors of 16 MiB aliasing one buffer
 * plus 512 bytes, on a 5 GiB sparse image. Its used length (data + status
 * byte) cannot be told in 32 bits: IOERR, used length 1 (it was OK with
 * the length cut to 513).
 */
#define BIG_GPA 0x1000000ULL
#define BIG_SIZE (16 * SZ_1M)

static void big_read(void)
{
	struct virtio_blk_options o = {
		.engine = DISK_ENGINE_THREAD, .queue_size = 512,
	};
	struct virtio_blk *blk = NULL;
	struct virtio_device *vdev;
	char bpath[80], err[256] = "";
	u32 written = 0, hdr[4] = { htole32(VIRTIO_BLK_T_IN), 0, 0, 0 };
	u8 status;
	void *big;
	u16 i;
	int fd;

	snprintf(bpath, sizeof(bpath), "%s.big", path);
	fd = open(bpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 5ULL << 30)) {
		skip("no 5 GiB sparse file in /tmp", "read longer than 4 GiB");
		if (fd >= 0)
			close(fd);
		unlink(bpath);
		return;
	}
	close(fd);
	big = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (big == MAP_FAILED || guest_mem_add(&S.mem, BIG_GPA, BIG_SIZE, big,
					       false))
		abort();
	o.path = bpath;
	if (virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
		ok(0, "create big: %s", err);
		return;
	}
	vdev = bring_up_size(blk, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH), 512);
	memcpy(sim_hva(&S, HDR(0)), hdr, 16);
	*(u8 *)sim_hva(&S, STATUS(0)) = 0xee;
	sim_split_desc(&S, SIM_DESC, 0, HDR(0), 16, VIRTQ_DESC_F_NEXT, 1);
	for (i = 1; i <= 256; i++)
		sim_split_desc(&S, SIM_DESC, i, BIG_GPA, BIG_SIZE,
			       VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, i + 1);
	sim_split_desc(&S, SIM_DESC, 257, DATA(0), 512,
		       VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 258);
	sim_split_desc(&S, SIM_DESC, 258, STATUS(0), 1, VIRTQ_DESC_F_WRITE, 0);
	sim_split_avail(&S, 0);
	virtio_queue_notify(vdev, 0);
	status = wait_used(1, &written) == 1 ? *(u8 *)sim_hva(&S, STATUS(0)) :
		 0xff;
	ok(status == VIRTIO_BLK_S_IOERR && written == 1,
	   "read of 4 GiB + 512 bytes: IOERR, used length 1 (status %u, used length %u)",
	   status, written);
	ok(do_req(vdev, VIRTIO_BLK_T_IN, 0, 512, true, &written) ==
	   VIRTIO_BLK_S_OK && written == 513,
	   "then a 512-byte read: OK, used length 513");
	virtio_blk_destroy(blk);
	unlink(bpath);
	/* The region stays registered (no removal); unused after this. */
}

/*
 * qcow2 through the device: QD 20 writes over clusters both allocated and
 * not, reads back (mapped reads go through io_uring), then qemu-img check
 * and compare against the expected raw image.
 */
static void qcow2_suite(enum disk_engine_kind kind, struct io_loop *loop)
{
	struct virtio_blk_options o = { .engine = kind, .loop = loop,
					.queue_size = 64 };
	char qpath[80], rpath[80], cmd[256], err[256] = "";
	struct virtio_blk *blk = NULL;
	struct virtio_device *vdev;
	const char *en = kind == DISK_ENGINE_URING ? "io_uring" : "threads";
	u8 *expect = calloc(1, 4 * SZ_1M), buf[4096];
	unsigned int i, round;
	bool good = true;
	u64 f;
	int fd;

	if (system("qemu-img --version >/dev/null 2>&1")) {
		skip("qemu-img not installed (qemu-utils)", "[%s] qcow2", en);
		free(expect);
		return;
	}
	snprintf(qpath, sizeof(qpath), "%s.%s.qcow2", path, en);
	snprintf(rpath, sizeof(rpath), "%s.%s.raw", path, en);
	snprintf(cmd, sizeof(cmd),
		 "qemu-img create -q -f qcow2 -o cluster_size=4096 %s 4M", qpath);
	o.path = qpath;
	if (system(cmd) ||
	    virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
		ok(0, "[%s] qcow2: create: %s", en, err);
		free(expect);
		return;
	}
	vdev = virtio_blk_vdev(blk);
	f = (u64)virtio_get_device_features(vdev, 1) << 32 |
	    virtio_get_device_features(vdev, 0);
	bring_up(blk, f & ~VIRTIO_BIT(VIRTIO_F_RING_PACKED));
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 20; i++) {
			u64 sector = (i * 37 + round * 11) % 8000;

			fill(sim_hva(&S, DATA(i)), 4096, round * 100 + i);
			fill(expect + sector * 512, 4096, round * 100 + i);
			put_req(i, VIRTIO_BLK_T_OUT, sector, 4096, false, true);
		}
		virtio_queue_notify(vdev, 0);
		good = good && wait_used(20, NULL) == 20;
		for (i = 0; i < 20; i++)
			good = good && *(u8 *)sim_hva(&S, STATUS(i)) == 0;
	}
	ok(good, "[%s] qcow2: 3 x 20 writes in flight, all OK", en);
	for (i = 0; i < 20; i++) {
		u64 sector = (i * 37 + 22) % 8000;

		memset(sim_hva(&S, DATA(i)), 0, 4096);
		put_req(i, VIRTIO_BLK_T_IN, sector, 4096, true, true);
	}
	virtio_queue_notify(vdev, 0);
	good = wait_used(20, NULL) == 20;
	for (i = 0; i < 20; i++) {
		u64 sector = (i * 37 + 22) % 8000;

		good = good && *(u8 *)sim_hva(&S, STATUS(i)) == 0 &&
		       !memcmp(sim_hva(&S, DATA(i)), expect + sector * 512,
			       4096);
	}
	memset(buf, 0, sizeof(buf));
	ok(good && do_req(vdev, VIRTIO_BLK_T_IN, 7000, 4096, true, NULL) == 0 &&
	   !memcmp(sim_hva(&S, DATA(0)), expect + 7000 * 512, 4096),
	   "[%s] qcow2: 20 reads in flight match, unallocated reads zero",
	   en);
	ok(do_seg(vdev, VIRTIO_BLK_T_WRITE_ZEROES, 37, 8, 0) == 0 &&
	   do_seg(vdev, VIRTIO_BLK_T_DISCARD, 0, 16, 0) == 0,
	   "[%s] qcow2: write zeroes and discard OK", en);
	memset(expect + 37 * 512, 0, 4096);
	memset(expect, 0, 8192);
	blk_destroy(blk, loop);
	fd = open(rpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	good = fd >= 0 && write(fd, expect, 4 * SZ_1M) == (ssize_t)(4 * SZ_1M);
	if (fd >= 0)
		close(fd);
	snprintf(cmd, sizeof(cmd), "qemu-img check -q %s", qpath);
	ok(good && !system(cmd), "[%s] qcow2: qemu-img check clean", en);
	snprintf(cmd, sizeof(cmd),
		 "qemu-img compare -q -f qcow2 -F raw %s %s", qpath, rpath);
	ok(good && !system(cmd), "[%s] qcow2: qemu-img compare matches", en);
	unlink(qpath);
	unlink(rpath);
	free(expect);
}

/*
 * A raw image probed as raw: the guest cannot write a qcow2 header to its
 * first sector (it would open as qcow2 next time); with format=raw given,
 * it can. And the -d options that choose the format and the backing rule.
 */
static void probed_raw_suite(enum disk_engine_kind kind, struct io_loop *loop)
{
	struct virtio_blk_options o = {
		.path = path, .engine = kind, .loop = loop, .queue_size = 64,
	};
	struct virtio_blk *blk = NULL;
	struct virtio_device *vdev;
	const char *en = kind == DISK_ENGINE_URING ? "io_uring" : "threads";
	static const u8 magic[4] = { 'Q', 'F', 'I', 0xfb };
	char err[256] = "";
	u8 zero[512] = { 0 }, st;
	unsigned int pass;

	for (pass = 0; pass < 2; pass++) {
		o.format = pass ? DISK_FMT_RAW : DISK_FMT_AUTO;
		if (virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
			ok(0, "create: %s", err);
			return;
		}
		vdev = virtio_blk_vdev(blk);
		bring_up(blk, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
		memset(sim_hva(&S, DATA(0)), 0, 512);
		st = do_req(vdev, VIRTIO_BLK_T_OUT, 0, 512, false, NULL);
		ok(st == VIRTIO_BLK_S_OK && file_is(0, zero, 512),
		   "[%s] %s: zeroes to sector 0 are written", en,
		   pass ? "format=raw" : "probed raw");
		memcpy(sim_hva(&S, DATA(0)), magic, 4);
		st = do_req(vdev, VIRTIO_BLK_T_OUT, 0, 512, false, NULL);
		if (!pass)
			ok(st == VIRTIO_BLK_S_IOERR && file_is(0, zero, 512),
			   "[%s] probed raw: a qcow2 magic written to sector 0 gets IOERR, the image keeps its bytes",
			   en);
		else
			ok(st == VIRTIO_BLK_S_OK && file_is(0, magic, 4),
			   "[%s] format=raw: the user's choice, the magic is written",
			   en);
		st = do_req(vdev, VIRTIO_BLK_T_OUT, 1, 512, false, NULL);
		ok(st == VIRTIO_BLK_S_OK && file_is(512, magic, 4),
		   "[%s] the magic at sector 1 is just data", en);
		st = do_req(vdev, VIRTIO_BLK_T_IN, 0, 512, true, NULL);
		ok(st == VIRTIO_BLK_S_OK,
		   "[%s] the device goes on serving", en);
		blk_destroy(blk, loop);
		blk = NULL;
		/* Back to zeroes for the next pass and suite. */
		memset(sim_hva(&S, DATA(0)), 0, 512);
		{
			int fd = open(path, O_WRONLY);

			if (fd < 0 || pwrite(fd, zero, 512, 0) != 512 ||
			    pwrite(fd, zero, 512, 512) != 512)
				ok(0, "reset the image");
			if (fd >= 0)
				close(fd);
		}
	}
}

/* The I/O thread held in io-gate.h's handler: true once it is. */
static bool io_gate_close(struct io_gate *g, struct io_loop *loop)
{
	if (!io_gate_init(g))
		return false;
	if (io_loop_add(loop, &g->h, IO_GATE_EVENTS)) {
		io_gate_fini(g);
		return false;
	}
	if (io_gate_hold(g))
		return true;
	if (io_loop_del(loop, &g->h))
		ok(0, "the gate left the I/O loop");
	io_gate_fini(g);
	return false;
}

/* Let the I/O thread go on, the gate gone. */
static void io_gate_open(struct io_gate *g, struct io_loop *loop)
{
	io_gate_release(g);
	if (io_loop_del(loop, &g->h))
		ok(0, "the I/O thread let go");
	io_gate_fini(g);
}

/*
 * --disk ...,io=vcpu: a request that finds its queue idle runs on the
 * thread that rang the doorbell (here the test's, as a vCPU's trapped
 * write), so it is done and signalled when virtio_queue_notify()
 * returns; requests behind one another are left to the I/O thread,
 * woken through the device's own doorbell.
 */
static void vcpu_io_suite(enum disk_engine_kind kind, struct io_loop *loop)
{
	struct virtio_blk_options o = {
		.path = path, .engine = kind, .loop = loop, .queue_size = 64,
		.vcpu_io = true,
	};
	struct virtio_blk *blk = NULL;
	struct virtio_device *vdev;
	const char *en;
	char err[256] = "";
	u8 buf[4096];
	unsigned int before, i, got;
	u32 id, len = 0;
	struct io_gate gate;
	bool lone;

	if (virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
		ok(0, "io=vcpu create: %s", err);
		return;
	}
	en = virtio_blk_engine_name(blk);
	vdev = virtio_blk_vdev(blk);
	ok(vdev->notify_on_vcpu,
	   "[%s io=vcpu] the device asks its transport for no ioeventfd", en);
	bring_up(blk, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));

	fill(buf, sizeof(buf), 9);
	memcpy(sim_hva(&S, DATA(0)), buf, sizeof(buf));
	put_req(0, VIRTIO_BLK_T_OUT, 24, sizeof(buf), false, true);
	before = __atomic_load_n(&nsignals, __ATOMIC_SEQ_CST);
	virtio_queue_notify(vdev, 0);
	ok(sim_split_used(&S, &id, &len) && id == 0 &&
	   *(u8 *)sim_hva(&S, STATUS(0)) == VIRTIO_BLK_S_OK &&
	   __atomic_load_n(&nsignals, __ATOMIC_SEQ_CST) == before + 1 &&
	   file_is(24 * 512, buf, sizeof(buf)),
	   "[%s io=vcpu] a lone write is in the file and signalled when the doorbell returns",
	   en);

	memset(sim_hva(&S, DATA(0)), 0, sizeof(buf));
	put_req(0, VIRTIO_BLK_T_IN, 24, sizeof(buf), true, true);
	virtio_queue_notify(vdev, 0);
	ok(sim_split_used(&S, &id, &len) && len == sizeof(buf) + 1 &&
	   *(u8 *)sim_hva(&S, STATUS(0)) == VIRTIO_BLK_S_OK &&
	   !memcmp(sim_hva(&S, DATA(0)), buf, sizeof(buf)),
	   "[%s io=vcpu] a lone read has its data and length when the doorbell returns",
	   en);

	put_req(0, VIRTIO_BLK_T_FLUSH, 0, 0, false, true);
	virtio_queue_notify(vdev, 0);
	ok(sim_split_used(&S, &id, &len) &&
	   *(u8 *)sim_hva(&S, STATUS(0)) == VIRTIO_BLK_S_OK,
	   "[%s io=vcpu] a lone flush is done when the doorbell returns", en);

	/*
	 * Three behind one another, the I/O thread held: the doorbell
	 * starts the first on the engine and leaves the other two, which
	 * wait for the I/O thread and are served once it goes on.
	 */
	if (!io_gate_close(&gate, loop)) {
		ok(0, "the I/O thread held");
		goto out;
	}
	for (i = 0; i < 3; i++) {
		fill(sim_hva(&S, DATA(i)), sizeof(buf), 20 + i);
		put_req(i, VIRTIO_BLK_T_OUT, 64 + 8 * i, sizeof(buf), false,
			true);
	}
	virtio_queue_notify(vdev, 0);
	/* The first completes on a worker (threads) or waits (io_uring). */
	got = kind == DISK_ENGINE_THREAD ? wait_used(1, NULL) : 0;
	usleep(20000);
	lone = !sim_split_used(&S, &id, &len);
	io_gate_open(&gate, loop);
	got += wait_used(kind == DISK_ENGINE_THREAD ? 2 : 3, NULL);
	ok(lone && got == 3,
	   "[%s io=vcpu] requests behind one another wait for the I/O thread, which serves them (%u of 3; %s)",
	   en, got, lone ? "none early" : "one early");
	for (i = 0; i < 3; i++) {
		fill(buf, sizeof(buf), 20 + i);
		if (!file_is((64 + 8 * i) * 512, buf, sizeof(buf)))
			break;
	}
	ok(i == 3, "[%s io=vcpu] and they are in the file", en);
out:
	blk_destroy(blk, loop);
}

/* Another vCPU's request, added while the first ran on this one. */
static void post_second(void)
{
	fill(sim_hva(&S, DATA(1)), 4096, 31);
	put_req(1, VIRTIO_BLK_T_OUT, 200, 4096, false, true);
}

/*
 * io=vcpu, EVENT_IDX: one request a doorbell on the vCPU, and the device
 * then says where the driver must notify next (avail_event), as a pop
 * finding the ring empty would; a request added meanwhile is the I/O
 * thread's.
 */
static void vcpu_io_event_idx(enum disk_engine_kind kind,
			      struct io_loop *loop)
{
	struct virtio_blk_options o = {
		.path = path, .engine = kind, .loop = loop, .queue_size = 64,
		.vcpu_io = true,
	};
	struct virtio_blk *blk = NULL;
	struct virtio_device *vdev;
	struct io_gate gate;
	char err[256] = "";
	const char *en;
	u8 buf[4096];
	u32 id, len;
	bool first, second;

	if (virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
		ok(0, "io=vcpu create: %s", err);
		return;
	}
	en = virtio_blk_engine_name(blk);
	vdev = bring_up(blk, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
			     VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	put_req(0, VIRTIO_BLK_T_FLUSH, 0, 0, false, true);
	virtio_queue_notify(vdev, 0);
	ok(sim_split_used(&S, &id, &len) && sim_split_avail_event(&S) == 1,
	   "[%s io=vcpu] after one request on the vCPU, avail_event is 1 (%u): the driver's next one notifies",
	   en, sim_split_avail_event(&S));

	if (!io_gate_close(&gate, loop)) {
		ok(0, "the I/O thread held");
		goto out;
	}
	put_req(0, VIRTIO_BLK_T_FLUSH, 0, 0, false, true);
	sim_split_used_event(&S, S.last_used);	/* an interrupt for it */
	on_signal = post_second;
	virtio_queue_notify(vdev, 0);
	first = sim_split_used(&S, &id, &len) && id == 0;
	usleep(20000);
	second = sim_split_used(&S, &id, &len);
	io_gate_open(&gate, loop);
	ok(first && !second && wait_used(1, NULL) == 1,
	   "[%s io=vcpu] one request a doorbell: one added while it ran waits for the I/O thread, which serves it",
	   en);
	fill(buf, sizeof(buf), 31);
	ok(file_is(200 * 512, buf, sizeof(buf)),
	   "[%s io=vcpu] and it is in the file", en);
out:
	on_signal = NULL;
	blk_destroy(blk, loop);
}

/* io=auto's clock: each reading moves it on by fake_step. */
static u64 fake_now, fake_step;

static u64 fake_clock(void)
{
	return __atomic_add_fetch(&fake_now, fake_step, __ATOMIC_SEQ_CST);
}

/*
 * A lone request: a 4 KiB write of seed's pattern to sector 300 (seed
 * >= 0) or a flush (seed < 0). 1 if it ran on the doorbell's thread
 * (done and signalled there when the doorbell returns), 0 if another
 * thread did it, -1 if it failed or its data is not in the file.
 */
static int lone_req_where(struct virtio_device *vdev, int seed)
{
	u8 buf[4096];
	u32 id, len;
	bool used, here;

	if (seed < 0) {
		put_req(0, VIRTIO_BLK_T_FLUSH, 0, 0, false, true);
	} else {
		fill(sim_hva(&S, DATA(0)), sizeof(buf), seed);
		put_req(0, VIRTIO_BLK_T_OUT, 300, sizeof(buf), false, true);
	}
	__atomic_store_n(&signalled_here, 0, __ATOMIC_SEQ_CST);
	virtio_queue_notify(vdev, 0);
	used = sim_split_used(&S, &id, &len);
	here = used && __atomic_load_n(&signalled_here, __ATOMIC_SEQ_CST);
	if (!used && wait_used(1, NULL) != 1)
		return -1;
	if (*(u8 *)sim_hva(&S, STATUS(0)) != VIRTIO_BLK_S_OK)
		return -1;
	fill(buf, sizeof(buf), seed);
	if (seed >= 0 && !file_is(300 * 512, buf, sizeof(buf)))
		return -1;
	return here;
}

/*
 * --disk ...,io=auto: lone requests on the vCPU while they take at most
 * the budget; one that takes longer sends the queue's lone requests to
 * the I/O thread for a backoff (1 ms, doubled while the retry after it
 * is slow too, at most 1 s), which a quick retry ends. The clock is the
 * test's: a request "takes" fake_step.
 */
static void vcpu_io_auto(enum disk_engine_kind kind, struct io_loop *loop)
{
	struct virtio_blk_options o = {
		.path = path, .engine = kind, .loop = loop, .queue_size = 64,
		.vcpu_io = true, .vcpu_io_budget_us = VIRTIO_BLK_AUTO_BUDGET_US,
		.clock_ns = fake_clock,
	};
	const u64 ms = 1000000, budget = VIRTIO_BLK_AUTO_BUDGET_US * 1000ULL;
	const u64 slow = budget + 1;
	struct virtio_blk *blk = NULL;
	struct virtio_device *vdev;
	char err[256] = "";
	const char *en;
	int a, b, c, i, seed = 40;

	if (virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
		ok(0, "io=auto create: %s", err);
		return;
	}
	en = virtio_blk_engine_name(blk);
	vdev = bring_up(blk, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	ok(vdev->notify_on_vcpu,
	   "[%s io=auto] the device asks its transport for no ioeventfd", en);

	fake_now = ms;
	fake_step = budget;	/* just within it */
	a = lone_req_where(vdev, seed++);
	fake_step = slow;
	b = lone_req_where(vdev, seed++);
	fake_step = 0;
	c = lone_req_where(vdev, seed++);
	ok(a == 1 && b == 1 && c == 0,
	   "[%s io=auto] lone writes within the budget and over it run on the vCPU, the next after a slow one on the I/O thread (%d %d %d)",
	   en, a, b, c);

	fake_now += ms;		/* the 1 ms backoff is over */
	fake_step = slow;
	a = lone_req_where(vdev, seed++);
	fake_step = 0;
	fake_now += ms + ms / 2;
	b = lone_req_where(vdev, seed++);
	fake_now += ms;
	c = lone_req_where(vdev, seed++);
	ok(a == 1 && b == 0 && c == 1,
	   "[%s io=auto] after the backoff one retries on the vCPU; slow again, the backoff doubles (2 ms), then a quick one there (%d %d %d)",
	   en, a, b, c);

	fake_step = slow;
	a = lone_req_where(vdev, seed++);
	fake_step = 0;
	fake_now += ms + ms / 10;
	b = lone_req_where(vdev, seed++);
	ok(a == 1 && b == 1,
	   "[%s io=auto] a quick request ends the doubling: the next slow one backs off 1 ms again (%d %d)",
	   en, a, b);

	/* Twelve slow retries in a row: 1 ms doubled would pass 1 s. */
	for (i = 0, a = 1; i < 12 && a == 1; i++) {
		fake_step = slow;
		a = lone_req_where(vdev, seed++);
		fake_step = 0;
		fake_now += 1000 * ms;
	}
	fake_now += ms;
	b = lone_req_where(vdev, seed++);
	ok(a == 1 && b == 1,
	   "[%s io=auto] the backoff stops growing at 1 s (%d %d)", en, a, b);

	/* A queue reset (as a device reset) forgets the backoff. */
	fake_step = slow;
	a = lone_req_where(vdev, seed++);
	fake_step = 0;
	virtio_queue_set_ready(vdev, 0, false);
	vdev = bring_up(blk, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	b = lone_req_where(vdev, seed++);
	ok(a == 1 && b == 1,
	   "[%s io=auto] a reset queue starts afresh: after a slow write and a queue reset, the next runs on the vCPU (%d %d)",
	   en, a, b);

	/* A slow flush sends the next flushes away, not the writes. */
	fake_now += 1000 * ms;
	fake_step = slow;
	a = lone_req_where(vdev, -1);
	fake_step = 0;
	b = lone_req_where(vdev, seed++);
	c = lone_req_where(vdev, -1);
	fake_now += ms;
	i = lone_req_where(vdev, -1);
	ok(a == 1 && b == 1 && c == 0 && i == 1,
	   "[%s io=auto] after a slow flush, writes stay on the vCPU, the next flush goes to the I/O thread, the one after the backoff back (%d %d %d %d)",
	   en, a, b, c, i);
	blk_destroy(blk, loop);

	/* io=vcpu: no budget, however long a request takes. */
	o.vcpu_io_budget_us = 0;
	if (virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err))) {
		ok(0, "io=vcpu create: %s", err);
		return;
	}
	vdev = bring_up(blk, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	fake_step = 1000 * ms;
	a = lone_req_where(vdev, seed++);
	b = lone_req_where(vdev, seed++);
	fake_step = 0;
	ok(a == 1 && b == 1,
	   "[%s io=vcpu] lone requests stay on the vCPU however long they take (%d %d)",
	   en, a, b);
	blk_destroy(blk, loop);
}

/* io=vcpu needs the I/O thread (its doorbell): refused without it. */
static void vcpu_io_needs_loop(void)
{
	struct virtio_blk_options o = {
		.path = path, .engine = DISK_ENGINE_THREAD, .vcpu_io = true,
	};
	struct virtio_blk *blk = NULL;
	char err[256] = "";

	ok(virtio_blk_create(&blk, &S.mem, &o, err, sizeof(err)) < 0 &&
	   strstr(err, "no I/O thread doorbell"),
	   "io=vcpu without an I/O loop is refused (%s)", err);
}

int main(void)
{
	struct io_loop loop;

	log_set_level(LOG_ERROR);
	test_thread = pthread_self();
	if (!sim_setup(&S, 0, 64) ||
	    !blk_image_make(path, sizeof(path), "blk", DISK_BYTES) ||
	    io_loop_init(&loop) || io_loop_start(&loop))
		return 1;
	if (blk_uring_works(path, &loop)) {
		suite(DISK_ENGINE_URING, &loop);
		qcow2_suite(DISK_ENGINE_URING, &loop);
		probed_raw_suite(DISK_ENGINE_URING, &loop);
		vcpu_io_suite(DISK_ENGINE_URING, &loop);
		vcpu_io_event_idx(DISK_ENGINE_URING, &loop);
		vcpu_io_auto(DISK_ENGINE_URING, &loop);
	} else {
		skip("io_uring unavailable here", "io_uring engine");
	}
	suite(DISK_ENGINE_THREAD, NULL);
	qcow2_suite(DISK_ENGINE_THREAD, NULL);
	probed_raw_suite(DISK_ENGINE_THREAD, NULL);
	vcpu_io_suite(DISK_ENGINE_THREAD, &loop);
	vcpu_io_event_idx(DISK_ENGINE_THREAD, &loop);
	vcpu_io_auto(DISK_ENGINE_THREAD, &loop);
	vcpu_io_needs_loop();
	big_read();
	io_loop_destroy(&loop);
	unlink(path);
	sim_teardown(&S);
	return tap_done();
}
