// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk from the test guest, over PCI or MMIO (virtio.h):
 *
 *   test=virtio-blk[:MODE]  with blk-seed=N (pattern seed, default 1),
 *                           blk-sector=S (default 8), blk-len=BYTES
 *                           (default 32768, a multiple of 512)
 *     virtio-blk: TRANSPORT: capacity N sectors, ro R, flush F, serial 'S'
 *   MODE rw (default): writes the pattern, FLUSH, reads it back:
 *     virtio-blk: wrote N bytes at sector S
 *     virtio-blk: flushed
 *     virtio-blk: read back N bytes: match / MISMATCH at offset O
 *     virtio-blk: ok
 *   MODE hold: as rw up to "flushed", then spins forever (the host kills
 *   the VMM and checks the image).
 *   MODE verify: reads and checks the pattern only.
 *   MODE ro: a write must fail with IOERR; reads work.
 *     virtio-blk: write refused with status 1
 *   MODE qreset: two writes of blk-len bytes (the pattern, at S and
 *   S + len / 512) are made available and notified, then at once the
 *   queue is reset (MMIO: QueueReady 0, legacy QueuePFN 0; PCI, which has
 *   no queue reset: the device is reset) and set up on new pages; one read
 *   of both ranges goes through the new ring (use a fresh image of zeros).
 *   The new ring must get only that read back (used idx 1, head 0, also
 *   after a while), the old used ring must not change after the reset
 *   returned, and each write must be on the disk whole or not at all (a
 *   write the device had not taken yet is dropped, one it had taken is
 *   finished before the reset returns), whole if the old ring said so:
 *     virtio-blk: queue|device reset with 2 writes in flight (old used idx
 *       N, M before them)
 *     virtio-blk: new ring: used idx 1, head 0, status 0
 *     virtio-blk: old used ring unchanged since the reset
 *     virtio-blk: write A|B: on disk|not done
 *     virtio-blk: ok
 *
 * The pattern byte at image offset o is (o * 13 + (o >> 9) + seed) & 0xff.
 */
#include "virtio.h"

#define ID_BLOCK	2
#define F_RO		5
#define F_FLUSH		9
#define T_IN		0
#define T_OUT		1
#define T_FLUSH		4
#define T_GET_ID	8

struct blk_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
};

static u8 pattern(u64 off, u64 seed)
{
	return (u8)(off * 13 + (off >> 9) + seed);
}

static void put_desc(struct vio_queue *q, u16 i, void *addr, u32 len,
		     u16 flags, u16 next)
{
	volatile u8 *d = q->desc + 16 * i;

	*(volatile u64 *)d = (u64)addr;
	*(volatile u32 *)(d + 8) = len;
	*(volatile u16 *)(d + 12) = flags;
	*(volatile u16 *)(d + 14) = next;
}

/* One request: header, optional data, status. Returns status or -1. */
static int blk_req(struct vio_dev *d, struct blk_hdr *h, u8 *status,
		   void *data, u32 len, bool data_in)
{
	struct vio_queue *q = &d->q[0];
	u16 slot = q->avail_idx % q->size;

	*status = 0xff;
	if (len) {
		put_desc(q, 0, h, sizeof(*h), 1, 1);
		put_desc(q, 1, data, len, 1 | (data_in ? 2 : 0), 2);
	} else {
		put_desc(q, 0, h, sizeof(*h), 1, 2);
	}
	put_desc(q, 2, status, 1, 2, 0);
	*(volatile u16 *)(q->avail + 4 + 2 * slot) = 0;
	wmb();
	q->avail_idx++;
	*(volatile u16 *)(q->avail + 2) = q->avail_idx;
	vio_kick(d, 0);
	if (vio_wait_used(d, 0, NULL))
		return -1;
	rmb();
	return *(volatile u8 *)status;
}

static int blk_qreset(struct vio_dev *d, u64 seed, u64 sector, u64 len)
{
	struct vio_queue *q = &d->q[0];
	u64 pages = (len + PAGE_SIZE - 1) / PAGE_SIZE, i;
	u8 *hp = page_zalloc(1), *wa = page_zalloc(pages);
	u8 *wb = page_zalloc(pages), *rd = page_zalloc(2 * pages);
	struct blk_hdr *h0 = (void *)hp, *h1 = (void *)(hp + 32);
	struct blk_hdr *hr = (void *)(hp + 64);
	u8 *st = hp + 128, snap[4 + 8 * VIO_QSIZE];
	volatile u8 *old_used;
	u16 slot = q->avail_idx % q->size, first = q->avail_idx, idx;
	unsigned int k;
	u32 head;
	int ret;

	if (!hp || !wa || !wb || !rd)
		return EXIT_FAIL;
	for (i = 0; i < len; i++) {
		wa[i] = pattern(sector * 512 + i, seed);
		wb[i] = pattern(sector * 512 + len + i, seed);
	}
	*h0 = (struct blk_hdr){ T_OUT, 0, sector };
	*h1 = (struct blk_hdr){ T_OUT, 0, sector + len / 512 };
	st[0] = st[1] = 0xff;
	put_desc(q, 0, h0, sizeof(*h0), 1, 1);
	put_desc(q, 1, wa, len, 1, 2);
	put_desc(q, 2, st, 1, 2, 0);
	put_desc(q, 3, h1, sizeof(*h1), 1, 4);
	put_desc(q, 4, wb, len, 1, 5);
	put_desc(q, 5, st + 1, 1, 2, 0);
	*(volatile u16 *)(q->avail + 4 + 2 * slot) = 0;
	*(volatile u16 *)(q->avail + 4 + 2 * ((slot + 1) % q->size)) = 3;
	wmb();
	q->avail_idx += 2;
	*(volatile u16 *)(q->avail + 2) = q->avail_idx;
	vio_kick(d, 0);

	old_used = q->used;
	if (d->mmio) {
		ret = vio_queue_reset(d, 0);
	} else {
		ret = vio_init(d, ID_BLOCK, VIO_POLL, 1ULL << F_FLUSH, NULL);
		q = &d->q[0];
	}
	if (ret) {
		printf("virtio-blk: reset failed\n");
		return EXIT_FAIL;
	}
	rmb();
	memcpy(snap, (const void *)old_used, sizeof(snap));
	printf("virtio-blk: %s reset with 2 writes in flight (old used idx %u, %u before them)\n",
	       d->mmio ? "queue" : "device", *(u16 *)(snap + 2), first);
	ret = d->mmio ? vio_queue_setup(d, 0, page_zalloc(2)) :
			vio_start(d, 1);
	if (ret) {
		printf("virtio-blk: new ring not accepted\n");
		return EXIT_FAIL;
	}
	*hr = (struct blk_hdr){ T_IN, 0, sector };
	ret = blk_req(d, hr, st + 2, rd, 2 * len, true);
	for (i = 0; i < 2000000; i++)
		cpu_relax();
	rmb();
	idx = *(volatile u16 *)(q->used + 2);
	head = *(volatile u32 *)(q->used + 4);
	printf("virtio-blk: new ring: used idx %u, head %u, status %d\n", idx,
	       head, ret);
	if (idx != 1 || head != 0 || ret != 0)
		return EXIT_FAIL;
	if (memcmp(snap, (const void *)old_used, sizeof(snap))) {
		printf("virtio-blk: old used ring CHANGED after the reset\n");
		return EXIT_FAIL;
	}
	printf("virtio-blk: old used ring unchanged since the reset\n");
	for (k = 0; k < 2; k++) {
		u64 done = 0, zero = 0, o = k * len;
		bool used = false;

		for (i = 0; i < len; i++) {
			done += rd[o + i] == pattern(sector * 512 + o + i, seed);
			zero += rd[o + i] == 0;
		}
		/* The old ring's entries after those of earlier requests. */
		for (i = first; i != *(u16 *)(snap + 2); i = (u16)(i + 1))
			used |= *(u32 *)(snap + 4 + 8 * (i % VIO_QSIZE)) ==
				3 * k;
		printf("virtio-blk: write %c: %s\n", 'A' + k,
		       done == len ? "on disk" : zero == len ? "not done" :
		       "PARTLY on disk");
		if ((done != len && zero != len) || (used && done != len))
			return EXIT_FAIL;
	}
	vio_reset(d);
	printf("virtio-blk: ok\n");
	return EXIT_OK;
}

static u64 arg_u64(const char *key, u64 def)
{
	char buf[32];

	if (!cmdline_get(key, buf, sizeof(buf)))
		return def;
	return strtou64(buf, NULL);
}

static int test_virtio_blk(const struct boot_info *bi, const char *arg)
{
	const char *mode = arg && *arg ? arg : "rw";
	u64 seed = arg_u64("blk-seed", 1), sector = arg_u64("blk-sector", 8);
	u64 len = arg_u64("blk-len", 32768), cap = 0, offered = 0, i;
	struct blk_hdr *h;
	struct vio_dev d;
	char serial[21];
	u8 *buf, *status;
	int st;

	if (len == 0 || len % 512 || len > 1024 * 1024)
		return EXIT_USAGE;
	if (vio_init(&d, ID_BLOCK, VIO_POLL,
		     (1ULL << F_RO) | (1ULL << F_FLUSH), &offered) ||
	    vio_start(&d, 1))
		return EXIT_FAIL;
	for (i = 0; i < 8; i++)
		cap |= (u64)vio_cfg8(&d, i) << (8 * i);
	h = page_zalloc(1);
	status = (u8 *)h + 64;
	buf = page_zalloc((len + 4095) / 4096);
	memset(serial, 0, sizeof(serial));
	h->type = T_GET_ID;
	st = blk_req(&d, h, status, serial, 20, true);
	printf("virtio-blk: %s: capacity %llu sectors, ro %d, flush %d, serial '%s'\n",
	       d.transport, (unsigned long long)cap,
	       !!(offered & (1ULL << F_RO)), !!(offered & (1ULL << F_FLUSH)),
	       st == 0 ? serial : "");

	if (!strcmp(mode, "qreset"))
		return blk_qreset(&d, seed, sector, len);
	if (!strcmp(mode, "ro")) {
		h->type = T_OUT;
		h->sector = sector;
		memset(buf, 0x5a, 512);
		st = blk_req(&d, h, status, buf, 512, false);
		printf("virtio-blk: write refused with status %d\n", st);
		if (st != 1)
			return EXIT_FAIL;
		h->type = T_IN;
		st = blk_req(&d, h, status, buf, 512, true);
		if (st != 0) {
			printf("virtio-blk: read failed with status %d\n", st);
			return EXIT_FAIL;
		}
		printf("virtio-blk: ok\n");
		return EXIT_OK;
	}
	if (!strcmp(mode, "magic")) {
		/* A qcow2 header to sector 0: lkvm refuses it on a probed raw. */
		h->type = T_OUT;
		h->sector = 0;
		memset(buf, 0, 512);
		memcpy(buf, "QFI\xfb\0\0\0\3", 8);
		st = blk_req(&d, h, status, buf, 512, false);
		printf("virtio-blk: qcow2 header to sector 0: status %d\n", st);
		h->type = T_IN;
		st = blk_req(&d, h, status, buf, 512, true);
		printf("virtio-blk: then a read: status %d\n", st);
		return st == 0 ? EXIT_OK : EXIT_FAIL;
	}
	if (strcmp(mode, "verify")) {
		for (i = 0; i < len; i++)
			buf[i] = pattern(sector * 512 + i, seed);
		h->type = T_OUT;
		h->sector = sector;
		st = blk_req(&d, h, status, buf, len, false);
		if (st != 0) {
			printf("virtio-blk: write failed with status %d\n", st);
			return EXIT_FAIL;
		}
		printf("virtio-blk: wrote %llu bytes at sector %llu\n",
		       (unsigned long long)len, (unsigned long long)sector);
		h->type = T_FLUSH;
		h->sector = 0;
		st = blk_req(&d, h, status, NULL, 0, false);
		if (st != 0) {
			printf("virtio-blk: flush failed with status %d\n", st);
			return EXIT_FAIL;
		}
		printf("virtio-blk: flushed\n");
		if (!strcmp(mode, "hold"))
			for (;;)
				cpu_relax();
	}
	memset(buf, 0, len);
	h->type = T_IN;
	h->sector = sector;
	st = blk_req(&d, h, status, buf, len, true);
	if (st != 0) {
		printf("virtio-blk: read failed with status %d\n", st);
		return EXIT_FAIL;
	}
	for (i = 0; i < len; i++) {
		if (buf[i] != pattern(sector * 512 + i, seed)) {
			printf("virtio-blk: read back %llu bytes: MISMATCH at offset %llu\n",
			       (unsigned long long)len, (unsigned long long)i);
			return EXIT_FAIL;
		}
	}
	printf("virtio-blk: read back %llu bytes: match\n",
	       (unsigned long long)len);
	vio_reset(&d);
	printf("virtio-blk: ok\n");
	return EXIT_OK;
}
GUEST_TEST("virtio-blk", test_virtio_blk);
