// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the virtio-blk request parser (virtio/blk.c). The
 * input describes a batch of well-formed descriptor chains whose header,
 * segment and data bytes, lengths and directions are all fuzz-controlled,
 * on a 1 MiB raw image (memfd) with fuzz-chosen features and read-only
 * flag. Invariants: no crash or sanitizer report, every chain is
 * completed (used idx == avail idx), a status byte other than OK, IOERR or
 * UNSUPP is never written, and the device never asks for a reset.
 *
 * Input: byte 0 flags (bit0 ro, bit1 FLUSH, bit2 DISCARD, bit3
 * WRITE_ZEROES, bit4 EVENT_IDX), then per request: u8 shape (bits 0-1:
 * header split 16 / 8+8 / 15 / 0, bit 2: data writable, bits 3-4: status
 * bytes 1 / 0 / 2 / 1 in the data descriptor), u16 data length, 16 header
 * bytes, 16 data bytes (repeated over the data).
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "virtio/blk.h"
#include "../unit/virtio-drv.h"
#include "split-ring.h"

#define RAM_GPA	0x10000ULL
#define RAM_SIZE 0x100000ULL
#define QSIZE	64
#define DESC	RAM_GPA
#define AVAIL	(RAM_GPA + 0x1000)
#define USED	(RAM_GPA + 0x2000)
#define BUFS	(RAM_GPA + 0x4000)

static const u32 status_lens[4] = { 1, 0, 2, 1 };
static u8 *ram;
static struct guest_mem mem;
static char img_path[64];

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
	.name = "fuzz", .signal_used = sig_used, .signal_config = sig_config,
};

static void desc(u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	split_desc_put(hva(DESC + 16ULL * i), addr, len, flags, next);
}

static void setup(void)
{
	int fd;

	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED || guest_mem_add(&mem, RAM_GPA, RAM_SIZE, ram,
					       false))
		abort();
	fd = memfd_create("fuzz-blk", 0);
	if (fd < 0 || ftruncate(fd, SZ_1M))
		abort();
	snprintf(img_path, sizeof(img_path), "/proc/self/fd/%d", fd);
	log_set_level(LOG_ERROR);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct virtio_blk_options o = { .path = img_path, .queue_size = QSIZE,
					.engine = DISK_ENGINE_THREAD,
					.no_lock = true };
	struct virtio_blk *blk;
	struct virtio_device *vdev;
	u64 features = VIRTIO_BIT(VIRTIO_F_VERSION_1), bufp = BUFS;
	u16 avail = 0, used, d = 0;
	u8 flags;
	u64 status_gpa[QSIZE];
	unsigned int nstatus = 0, k;
	char err[256];
	size_t pos = 1;

	if (!ram)
		setup();
	if (size < 1)
		return 0;
	flags = data[0];
	o.readonly = flags & 1;
	if (virtio_blk_create(&blk, &mem, &o, err, sizeof(err)))
		abort();
	vdev = virtio_blk_vdev(blk);
	virtio_device_set_transport(vdev, &transport, NULL);
	if (flags & 2)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	if (flags & 4)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
	if (flags & 8)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	if (flags & 16)
		features |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	features &= (u64)virtio_get_device_features(vdev, 1) << 32 |
		    virtio_get_device_features(vdev, 0);
	memset(ram, 0, 0x4000);
	vdrv_probe(vdev, features, QSIZE, DESC, AVAIL, USED);

	while (pos + 35 <= size && d + 5 <= QSIZE) {
		u8 shape = data[pos];
		u32 dlen = data[pos + 1] | (u32)data[pos + 2] << 8;
		const u8 *hdr = data + pos + 3, *fill = data + pos + 19;
		bool din = shape & 4;
		u32 slen = status_lens[(shape >> 3) & 3];
		u16 head = d, i;
		u64 h = bufp, b;

		pos += 35;
		if (bufp + 32 + dlen + 4 > RAM_GPA + RAM_SIZE)
			break;
		memcpy(hva(h), hdr, 16);
		b = h + 32;
		for (i = 0; i < dlen; i++)
			*(u8 *)hva(b + i) = fill[i % 16];
		switch (shape & 3) {
		case 0:
			desc(d, h, 16, 1, d + 1);
			d++;
			break;
		case 1:
			desc(d, h, 8, 1, d + 1);
			desc(d + 1, h + 8, 8, 1, d + 2);
			d += 2;
			break;
		case 2:
			desc(d, h, 15, 1, d + 1);
			d++;
			break;
		default:
			break;
		}
		if (dlen) {
			desc(d, b, dlen, 1 | (din ? 2 : 0), d + 1);
			d++;
		}
		if (slen) {
			desc(d, b + dlen, slen, 2, 0);
			*(u8 *)hva(b + dlen) = 0xee;
			*(u8 *)hva(b + dlen + 1) = 0xee;
			status_gpa[nstatus++] = b + dlen + slen - 1;
			d++;
		} else if (d > head) {
			/* Clear NEXT on the last descriptor. */
			u16 f = 0;

			memcpy((u8 *)hva(DESC + 16ULL * (d - 1)) + 12, &f, 2);
		}
		if (d == head)
			continue;
		{
			u16 e = htole16(head);

			memcpy(hva(AVAIL + 4 + 2 * (avail % QSIZE)), &e, 2);
		}
		avail++;
		bufp = ALIGN_UP(b + dlen + 4, 16ULL);
	}
	{
		u16 a = htole16(avail);

		__atomic_store_n((u16 *)hva(AVAIL + 2), a, __ATOMIC_RELEASE);
	}
	virtio_queue_notify(vdev, 0);
	virtio_blk_drain(blk);
	memcpy(&used, hva(USED + 2), 2);
	used = le16toh(used);
	if (used != avail) {
		fprintf(stderr, "used %u != avail %u\n", used, avail);
		abort();
	}
	if (virtio_get_status(vdev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort();
	for (k = 0; k < nstatus; k++)
		if (*(u8 *)hva(status_gpa[k]) > VIRTIO_BLK_S_UNSUPP)
			abort();
	virtio_blk_destroy(blk);
	return 0;
}

#include "replay.h"
