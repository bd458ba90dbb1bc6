// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: virtio-blk on an asynchronous disk engine (io_uring
 * when the host allows it, else worker threads) while the driver resets
 * queues and the device in the middle of I/O. A simulated driver posts
 * requests on one or two queues, split or packed, notifies, reaps used
 * entries, resets a queue (QueueReady=0) and enables it again elsewhere
 * with another size, resets the device, or lets the engine run a while.
 *
 * Invariants, beyond no crash or sanitizer report:
 *  - every used entry names a chain posted since its queue was last
 *    enabled and not used yet (nothing of an old generation is pushed),
 *    and the used index never runs ahead of what was posted;
 *  - in a queue's ring zone the device writes only inside the ring areas
 *    last enabled (the rest of the zone is a canary, refilled at each
 *    enable), and nothing at all from the return of a queue or device
 *    reset until the queue is enabled again;
 *  - the device never asks for a reset; at the end, after a notify and a
 *    drain, every chain posted on a ready queue has been used.
 *
 * Input: byte 0 flags (bit0 packed, bit1 EVENT_IDX, bit2 io_uring, bit3
 * two queues, bit4 FLUSH, bit5 io=vcpu: the fuzzer's notifies are a
 * vCPU's, lone requests run on its thread, the rest on the I/O loop;
 * bit6 with bit5, io=auto: on a clock the input moves, op 10 setting
 * how long a request takes, so that lone requests go back and forth
 * between the vCPU and the I/O loop), then operations of 4 bytes: op, a,
 * b, c.
 */
#include <endian.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io-loop.h"
#include "log.h"
#include "virtio/blk.h"
#include "../unit/virtio-drv.h"

#define RAM_GPA		0x100000ULL
#define RAM_SIZE	0x40000ULL
#define ZONE_SIZE	0x8000ULL
#define ZONE(q)		(RAM_GPA + ZONE_SIZE * (q))
#define BUFS		(RAM_GPA + 2 * ZONE_SIZE)
#define SLOT_SIZE	0x1040ULL
#define NSLOTS		((RAM_GPA + RAM_SIZE - BUFS) / SLOT_SIZE)
#define QMAX		64
#define CANARY		0xa5
#define IMG_SECTORS	2048

/* io=auto's clock: each reading moves it on by clock_step ns. */
static u64 clock_now, clock_step;

static u64 fuzz_clock(void)
{
	return clock_now += clock_step;
}

struct dq {
	bool ready, packed;
	u16 size;
	u64 desc, drv, dev, end;	/* ring areas: [desc, end) */
	/* split */
	u16 avail_idx, last_used;
	bool desc_busy[QMAX];
	bool head_out[QMAX];
	u8 head_descs[QMAX][4];
	u8 head_n[QMAX];
	/* packed */
	u16 next, used_next, free_slots;
	bool wrap, used_wrap;
	u16 pk_id[QMAX];
	u8 pk_len[QMAX];
	unsigned int npk;
	unsigned int nout;		/* chains posted, not used */
	bool snap_valid;
	u8 snap[ZONE_SIZE];
};

static u8 *ram;
static struct guest_mem mem;
static char img_path[64];
static struct io_loop loop;
static struct dq dqs[2];
static u16 next_id;
static unsigned int next_slot;

static void *hva(u64 gpa)
{
	return ram + (gpa - RAM_GPA);
}

static void fail(const char *why, unsigned int q)
{
	fprintf(stderr, "blk-reset: queue %u: %s\n", q, why);
	abort();
}

static void w16(u64 gpa, u16 v)
{
	v = htole16(v);
	memcpy(hva(gpa), &v, 2);
}

static void w16_release(u64 gpa, u16 v)
{
	__atomic_store_n((u16 *)hva(gpa), htole16(v), __ATOMIC_RELEASE);
}

static u16 r16_acquire(u64 gpa)
{
	return le16toh(__atomic_load_n((u16 *)hva(gpa), __ATOMIC_ACQUIRE));
}

static u32 r32(u64 gpa)
{
	u32 v;

	memcpy(&v, hva(gpa), 4);
	return le32toh(v);
}

static void wdesc(u64 gpa, u64 addr, u32 len, u16 a, u16 b)
{
	u64 a64 = htole64(addr);
	u32 l = htole32(len);

	memcpy(hva(gpa), &a64, 8);
	memcpy(hva(gpa + 8), &l, 4);
	w16(gpa + 12, a);
	w16(gpa + 14, b);
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

static void setup(void)
{
	int fd;

	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED || guest_mem_add(&mem, RAM_GPA, RAM_SIZE, ram,
					       false))
		abort();
	fd = memfd_create("fuzz-blk-reset", 0);
	if (fd < 0 || ftruncate(fd, IMG_SECTORS * 512))
		abort();
	snprintf(img_path, sizeof(img_path), "/proc/self/fd/%d", fd);
	log_set_level(LOG_ERROR);
}

/* The zone outside the ring areas still holds the canary. */
static void check_zone(unsigned int q)
{
	struct dq *d = &dqs[q];
	const u8 *z = hva(ZONE(q));
	u64 i, lo, hi;

	if (!d->ready) {
		if (d->snap_valid && memcmp(d->snap, z, ZONE_SIZE))
			fail("device wrote into the ring zone of a reset queue",
			     q);
		return;
	}
	lo = d->desc - ZONE(q);
	hi = d->end - ZONE(q);
	for (i = 0; i < ZONE_SIZE; i++) {
		if (i == lo) {
			i = hi - 1;
			continue;
		}
		if (z[i] != CANARY)
			fail("device wrote outside the enabled ring", q);
	}
}

static void forget(unsigned int q)
{
	struct dq *d = &dqs[q];

	d->ready = false;
	memcpy(d->snap, hva(ZONE(q)), ZONE_SIZE);
	d->snap_valid = true;
}

static void enable(struct virtio_device *vdev, unsigned int q, bool packed,
		   u8 a, u8 b, u8 c)
{
	struct dq *d = &dqs[q];
	u16 size = packed ? a % QMAX + 1 : 1u << (a % 7);
	u64 off = ((u64)b | (u64)c << 8) % (ZONE_SIZE - 0x800) & ~15ULL;

	if (d->ready || q >= virtio_num_queues(vdev))
		return;
	check_zone(q);
	memset(d, 0, offsetof(struct dq, snap_valid));
	d->packed = packed;
	d->size = size;
	d->desc = ZONE(q) + off;
	d->drv = d->desc + 16ULL * size;
	if (packed) {
		d->dev = d->drv + 4;
		d->end = d->dev + 4;
		d->wrap = d->used_wrap = true;
		d->free_slots = size;
	} else {
		d->dev = ALIGN_UP(d->drv + 6 + 2ULL * size, 4ULL);
		d->end = d->dev + 6 + 8ULL * size;
	}
	memset(hva(ZONE(q)), CANARY, ZONE_SIZE);
	memset(hva(d->desc), 0, d->end - d->desc);
	d->snap_valid = false;
	virtio_queue_set_size(vdev, q, size);
	virtio_queue_set_addr(vdev, q, VIRTIO_AREA_DESC, d->desc);
	virtio_queue_set_addr(vdev, q, VIRTIO_AREA_DRIVER, d->drv);
	virtio_queue_set_addr(vdev, q, VIRTIO_AREA_DEVICE, d->dev);
	virtio_queue_set_ready(vdev, q, true);
	if (!virtio_queue_get_ready(vdev, q))
		fail("a valid queue did not become ready", q);
	d->ready = true;
}

static u64 features_of(struct virtio_device *vdev, u8 flags, bool packed)
{
	u64 f = VIRTIO_BIT(VIRTIO_F_VERSION_1);

	if (packed)
		f |= VIRTIO_BIT(VIRTIO_F_RING_PACKED);
	if (flags & 2)
		f |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	if (flags & 8)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_MQ);
	if (flags & 16)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	return f & ((u64)virtio_get_device_features(vdev, 1) << 32 |
		    virtio_get_device_features(vdev, 0));
}

static void init_device(struct virtio_device *vdev, u64 f)
{
	virtio_set_status(vdev, vdrv_negotiate(vdev, f) |
				VIRTIO_STATUS_DRIVER_OK);
}

/* A request of 2 to 4 descriptors: header, 0-2 data, status. */
static void post(unsigned int q, u8 a, u8 b, u8 c)
{
	static const u32 types[4] = { VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT,
				      VIRTIO_BLK_T_FLUSH, 77 };
	struct dq *d = &dqs[q];
	u32 type = types[b & 3], nsec = c % 8 + 1;
	u64 slot = BUFS + SLOT_SIZE * (next_slot++ % NSLOTS);
	u64 sector = ((u64)a << 3 | b >> 5) % (IMG_SECTORS - 8);
	u64 addr[4], hdr[2] = { htole64(type), htole64(sector) };
	u32 len[4];
	u16 fl[4], i, n = 0;
	unsigned int ndata = type == VIRTIO_BLK_T_FLUSH ? 0 :
			     nsec > 1 && (c & 8) ? 2 : 1;

	if (!d->ready)
		return;
	memcpy(hva(slot), hdr, 16);
	*(u8 *)hva(slot + 0x10) = 0xee;
	addr[n] = slot;
	len[n] = 16;
	fl[n++] = 0;
	for (i = 0; i < ndata; i++) {
		u32 l = nsec * 512 / ndata;

		if (i + 1 == ndata)
			l = nsec * 512 - l * i;
		addr[n] = slot + 0x40 + (nsec * 512 / ndata) * i;
		len[n] = l;
		fl[n++] = type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0;
	}
	addr[n] = slot + 0x10;
	len[n] = 1;
	fl[n++] = VIRTQ_DESC_F_WRITE;

	if (!d->packed) {
		u8 idx[4];
		unsigned int k = 0;

		for (i = 0; i < d->size && k < n; i++)
			if (!d->desc_busy[i])
				idx[k++] = i;
		if (k < n)
			return;
		for (i = 0; i < n; i++) {
			d->desc_busy[idx[i]] = true;
			wdesc(d->desc + 16ULL * idx[i], addr[i], len[i],
			      fl[i] | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			      i + 1 < n ? idx[i + 1] : 0);
		}
		memcpy(d->head_descs[idx[0]], idx, n);
		d->head_n[idx[0]] = n;
		d->head_out[idx[0]] = true;
		w16(d->drv + 4 + 2ULL * (d->avail_idx % d->size), idx[0]);
		w16_release(d->drv + 2, ++d->avail_idx);
	} else {
		u16 id = next_id++, head = d->next, head_fl = 0;

		if (d->free_slots < n || d->npk == QMAX)
			return;
		for (i = 0; i < n; i++) {
			u16 f = fl[i] | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
				(d->wrap ? VIRTQ_DESC_F_AVAIL :
					   VIRTQ_DESC_F_USED);
			u64 g = d->desc + 16ULL * d->next;

			if (i == 0) {
				head_fl = f;
				/* Not available until the end. */
				wdesc(g, addr[i], len[i], id,
				      d->wrap ? VIRTQ_DESC_F_USED :
						VIRTQ_DESC_F_AVAIL);
			} else {
				wdesc(g, addr[i], len[i], id, f);
			}
			if (++d->next == d->size) {
				d->next = 0;
				d->wrap = !d->wrap;
			}
		}
		d->pk_id[d->npk] = id;
		d->pk_len[d->npk++] = n;
		d->free_slots -= n;
		w16_release(d->desc + 16ULL * head + 14, head_fl);
	}
	d->nout++;
}

/* Take what the device used; each entry must be outstanding. */
static void reap(unsigned int q)
{
	struct dq *d = &dqs[q];

	if (!d->ready)
		return;
	if (!d->packed) {
		u16 idx = r16_acquire(d->dev + 2);

		if ((u16)(idx - d->last_used) > d->nout)
			fail("used index ahead of the chains posted", q);
		while (d->last_used != idx) {
			u64 e = d->dev + 4 + 8ULL * (d->last_used % d->size);
			u32 id = r32(e);
			unsigned int i;

			if (id >= d->size || !d->head_out[id])
				fail("used entry for a chain not outstanding",
				     q);
			for (i = 0; i < d->head_n[id]; i++)
				d->desc_busy[d->head_descs[id][i]] = false;
			d->head_out[id] = false;
			d->nout--;
			d->last_used++;
		}
		return;
	}
	for (;;) {
		u64 g = d->desc + 16ULL * d->used_next;
		u16 f = r16_acquire(g + 14), id;
		bool av = f & VIRTQ_DESC_F_AVAIL, us = f & VIRTQ_DESC_F_USED;
		unsigned int i;
		u8 n;

		if (av != us || us != d->used_wrap)
			return;
		id = r16_acquire(g + 12);
		for (i = 0; i < d->npk && d->pk_id[i] != id; i++)
			;
		if (i == d->npk)
			fail("used buffer id not outstanding", q);
		n = d->pk_len[i];
		d->pk_id[i] = d->pk_id[d->npk - 1];
		d->pk_len[i] = d->pk_len[d->npk - 1];
		d->npk--;
		d->nout--;
		d->free_slots += n;
		d->used_next += n;
		if (d->used_next >= d->size) {
			d->used_next -= d->size;
			d->used_wrap = !d->used_wrap;
		}
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct virtio_blk_options o = { .queue_size = QMAX,
					.engine = DISK_ENGINE_THREAD,
					.no_lock = true };
	struct virtio_blk *blk = NULL;
	struct virtio_device *vdev;
	unsigned int nq, q;
	bool packed, have_loop = false;
	char err[256];
	size_t pos;
	u8 flags;

	if (!ram)
		setup();
	if (size < 1)
		return 0;
	flags = data[0];
	packed = flags & 1;
	nq = flags & 8 ? 2 : 1;
	o.path = img_path;
	o.num_queues = nq;
	/*
	 * io_uring completions, and io=vcpu's hand-over, come on an I/O loop
	 * of this input's own: as in lkvm, it is stopped before the device
	 * is destroyed.
	 */
	if (flags & (4 | 32)) {
		if (!io_loop_init(&loop)) {
			have_loop = !io_loop_start(&loop);
			if (!have_loop)
				io_loop_destroy(&loop);
		}
	}
	o.vcpu_io = have_loop && (flags & 32);
	o.vcpu_io_budget_us = flags & 64 ? 100 : 0;
	o.clock_ns = fuzz_clock;
	clock_step = 0;
	if (flags & 4) {
		o.engine = DISK_ENGINE_URING;
		o.loop = &loop;
		if (!have_loop ||
		    virtio_blk_create(&blk, &mem, &o, err, sizeof(err)))
			blk = NULL;
	}
	if (!blk) {
		o.engine = DISK_ENGINE_THREAD;
		o.loop = o.vcpu_io ? &loop : NULL;
		if (virtio_blk_create(&blk, &mem, &o, err, sizeof(err)))
			abort();
	}
	vdev = virtio_blk_vdev(blk);
	virtio_device_set_transport(vdev, &transport, NULL);
	memset(ram, 0, RAM_SIZE);
	memset(dqs, 0, sizeof(dqs));
	next_id = 0;
	next_slot = 0;
	init_device(vdev, features_of(vdev, flags, packed));
	for (q = 0; q < nq; q++)
		enable(vdev, q, packed, 6, q * 7, 0);

	for (pos = 1; pos + 4 <= size; pos += 4) {
		u8 op = data[pos], a = data[pos + 1], b = data[pos + 2];
		u8 c = data[pos + 3];

		q = (op >> 4) % nq;
		switch (op & 15) {
		case 0:
		case 1:
		case 2:
			post(q, a, b, c);
			break;
		case 3:
		case 4:
			virtio_queue_notify(vdev, q);
			break;
		case 5:
			reap(q);
			break;
		case 6:
			virtio_queue_set_ready(vdev, q, false);
			forget(q);
			break;
		case 7:
			enable(vdev, q, packed, a, b, c);
			break;
		case 8:
			virtio_set_status(vdev, 0);
			for (q = 0; q < nq; q++)
				forget(q);
			if (a & 1)
				packed = !packed;
			init_device(vdev, features_of(vdev, flags, packed));
			break;
		case 9:
			usleep(a % 64);
			break;
		case 10:
			/* io=auto: each request "takes" up to 2.55 ms. */
			clock_step = a * 10000ULL;
			break;
		default:
			sched_yield();
			break;
		}
		for (q = 0; q < nq; q++)
			check_zone(q);
		if (virtio_get_status(vdev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
			fail("the device asked for a reset", 0);
	}
	/*
	 * io=vcpu: what a vCPU's notify left to the I/O thread may still be
	 * on its way there; with the loop stopped, this thread's notify
	 * takes it all (as lkvm's teardown does).
	 */
	if (o.vcpu_io)
		io_loop_stop(&loop);
	for (q = 0; q < nq; q++)
		if (dqs[q].ready)
			virtio_queue_notify(vdev, q);
	virtio_blk_drain(blk);
	for (q = 0; q < nq; q++) {
		reap(q);
		check_zone(q);
		if (dqs[q].ready && dqs[q].nout)
			fail("a posted chain was never used", q);
	}
	if (virtio_get_status(vdev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		fail("the device asked for a reset", 0);
	if (have_loop)
		io_loop_stop(&loop);
	virtio_blk_destroy(blk);
	if (have_loop)
		io_loop_destroy(&loop);
	return 0;
}

#include "replay.h"
