// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtio descriptor-chain walker (split and
 * packed layouts) and the queue state machine around it.
 *
 * Input:
 *   header (16 bytes):
 *     u8  flags   bit0 packed, bit1 EVENT_IDX, bit2 INDIRECT_DESC,
 *                 bit3 ring addresses are raw gpas (else R0 offsets)
 *     u8  unused
 *     le16 queue size (the device's max is 256)
 *     le32 desc, driver, device area
 *   le16 n, then n bytes copied to guest memory (R0, then R1)
 *   the rest: operations (see run_ops()), the driver's and device's moves.
 *
 * Guest memory: R0 8 KiB at 0x1000, R1 1 KiB at 0x3000 (contiguous with
 * R0, separate allocation), hole, R2 512 B read-only at 0x8000. Each region
 * is its own exact-size heap block, so ASan sees any access past one.
 *
 * Invariants checked (abort = finding): every iovec lies inside one region
 * and writable ones not in R2; a chain has at most two iovecs (R0 runs
 * into R1) per descriptor and no more descriptors than the queue size;
 * -EIO from a ready queue means it is broken and the device shows
 * DEVICE_NEEDS_RESET; lengths add up; a ready queue has no more in flight
 * than its size (packed: positions inside the ring); and the device's
 * own operations (pop, push, signal, notification on/off) write guest
 * memory only inside the device's ring areas -- split: the used ring with
 * avail_event; packed: the descriptor ring and the device event area --
 * of a ready queue, never elsewhere (buffers are the device's to fill,
 * not the core's).
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/core.h"

#define R0 0x1000ULL
#define R0_SIZE 8192ULL
#define R1 0x3000ULL
#define R1_SIZE 1024ULL
#define R2 0x8000ULL
#define R2_SIZE 512ULL
#define HELD 8
#define MAX_OPS 4096

/* How far inputs get (for the standalone replay build, see the end). */
static unsigned long fz_pops, fz_violations;

static const u64 fz_base[3] = { R0, R1, R2 };
static const u64 fz_len[3] = { R0_SIZE, R1_SIZE, R2_SIZE };
/* Guest memory as it was before the device's operation. */
static u8 fz_before[R0_SIZE + R1_SIZE + R2_SIZE];

struct fz {
	struct guest_mem mem;
	u8 *r[3];
	struct virtio_device vdev;
	struct virtq_chain held[HELD];
	unsigned int first, nheld;	/* ring of held chains */
	struct virtq_chain chain;
	u8 flags;
	u16 size;
	u64 desc, drv, dev;
};

static void fz_notify(struct virtio_device *vdev, struct virtq *vq)
{
}

static const struct virtio_device_ops fz_ops = {
	.name = "fuzz",
	.device_id = VIRTIO_ID_RNG,
	.queue_notify = fz_notify,
};

static void fz_signal_used(struct virtio_device *vdev, struct virtq *vq)
{
}

static void fz_signal_config(struct virtio_device *vdev)
{
}

static const struct virtio_transport_ops fz_transport = {
	.name = "fuzz",
	.signal_used = fz_signal_used,
	.signal_config = fz_signal_config,
};

static void fz_start(struct fz *f)
{
	u64 feat = VIRTIO_BIT(VIRTIO_F_VERSION_1);
	u8 st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	if (f->flags & 1)
		feat |= VIRTIO_BIT(VIRTIO_F_RING_PACKED);
	if (f->flags & 2)
		feat |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	if (f->flags & 4)
		feat |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	virtio_set_status(&f->vdev, 0);
	virtio_set_status(&f->vdev, st);
	virtio_set_driver_features(&f->vdev, 0, (u32)feat);
	virtio_set_driver_features(&f->vdev, 1, (u32)(feat >> 32));
	virtio_set_status(&f->vdev, st |= VIRTIO_STATUS_FEATURES_OK);
	virtio_queue_set_size(&f->vdev, 0, f->size);
	virtio_queue_set_addr(&f->vdev, 0, VIRTIO_AREA_DESC, f->desc);
	virtio_queue_set_addr(&f->vdev, 0, VIRTIO_AREA_DRIVER, f->drv);
	virtio_queue_set_addr(&f->vdev, 0, VIRTIO_AREA_DEVICE, f->dev);
	virtio_queue_set_ready(&f->vdev, 0, true);
	virtio_set_status(&f->vdev, st | VIRTIO_STATUS_DRIVER_OK);
	f->first = 0;
	f->nheld = 0;
}

static const struct mem_region *iov_region(struct fz *f, const void *p,
					   size_t len)
{
	unsigned int i;

	for (i = 0; i < f->mem.nr_regions; i++) {
		const struct mem_region *r = &f->mem.regions[i];
		const u8 *b = p;

		if (b >= r->hva && b < r->hva + r->size &&
		    len <= (size_t)(r->hva + r->size - b))
			return r;
	}
	return NULL;
}

/* Touch every byte of a popped chain; check it is all guest RAM. */
static void check_chain(struct fz *f, struct virtq_chain *c, u8 fill)
{
	u64 out = 0, in = 0;
	unsigned int i;
	volatile u8 sink = 0;

	if (c->nr_out + c->nr_in > 2u * f->vdev.vqs[0].size)
		abort();

	for (i = 0; i < c->nr_out + c->nr_in; i++) {
		const struct iovec *v = &c->iov[i];
		const struct mem_region *r = iov_region(f, v->iov_base,
							v->iov_len);
		size_t j;

		if (!r || !v->iov_len)
			abort();
		if (i < c->nr_out) {
			for (j = 0; j < v->iov_len; j++)
				sink ^= ((u8 *)v->iov_base)[j];
			out += v->iov_len;
		} else {
			if (r->readonly)
				abort();
			memset(v->iov_base, fill, v->iov_len);
			in += v->iov_len;
		}
	}
	if (out != c->out_len || in != c->in_len)
		abort();
	(void)sink;
}

/* Before a device operation: remember guest memory. */
static void dev_begin(struct fz *f)
{
	unsigned int i;
	size_t off = 0;

	for (i = 0; i < 3; i++) {
		memcpy(fz_before + off, f->r[i], fz_len[i]);
		off += fz_len[i];
	}
}

/* May the device itself write the byte at gpa? */
static bool dev_area(const struct virtq *vq, u64 gpa)
{
	u64 n = vq->size;

	if (!vq->ready)
		return false;
	if (vq->packed)
		return gpa - vq->desc_gpa < VIRTQ_PACKED_DESC_SIZE(n) ||
		       gpa - vq->device_gpa <
		       sizeof(struct virtq_event_suppress);
	return gpa - vq->device_gpa < VIRTQ_SPLIT_USED_SIZE(n);
}

/* After it: it wrote nothing but its own areas; its state is sane. */
static void dev_end(struct fz *f, const struct virtq *vq)
{
	unsigned int i;
	size_t off = 0, j;

	for (i = 0; i < 3; i++) {
		const u8 *was = fz_before + off;

		if (memcmp(was, f->r[i], fz_len[i]))
			for (j = 0; j < fz_len[i]; j++)
				if (was[j] != f->r[i][j] &&
				    !dev_area(vq, fz_base[i] + j))
					abort();
		off += fz_len[i];
	}
	if (vq->ready && (vq->inflight > vq->size ||
			  (vq->packed && (vq->last_avail >= vq->size ||
					  vq->used_idx >= vq->size))))
		abort();
}

static void check_eio(struct fz *f, struct virtq *vq)
{
	if (vq->ready && !(vq->broken &&
			   (virtio_get_status(&f->vdev) &
			    VIRTIO_STATUS_DEVICE_NEEDS_RESET)))
		abort();
}

static void poke(struct fz *f, u16 off, const u8 *v, unsigned int n)
{
	u64 gpa = R0 + off % (R0_SIZE + R1_SIZE - n + 1);

	guest_mem_write(&f->mem, gpa, v, n);
}

static void run_ops(struct fz *f, const u8 *p, size_t n)
{
	struct virtq *vq = &f->vdev.vqs[0];
	unsigned int ops = 0;
	size_t i = 0;
	int r;

#define ARG(k) (i + (k) < n ? p[i + (k)] : 0)
	while (i < n && ops++ < MAX_OPS) {
		u8 op = p[i++];

		virtq_lock(vq);
		switch (op % 10) {
		case 0:		/* pop, push at once */
		case 1:		/* pop, hold */
			if (op % 10 == 1 && f->nheld == HELD)
				break;
			{
				struct virtq_chain *c = op % 10 ?
					&f->held[(f->first + f->nheld) % HELD] :
					&f->chain;

				dev_begin(f);
				r = virtq_pop(vq, c);
				dev_end(f, vq);
				if (r == 1) {
					fz_pops++;
					check_chain(f, c, ARG(0));
					if (op % 10) {
						f->nheld++;
					} else {
						dev_begin(f);
						virtq_push(vq, c, ARG(0) * 16);
						dev_end(f, vq);
					}
				} else if (r == -EIO) {
					fz_violations += vq->broken;
					check_eio(f, vq);
				} else if (r != 0) {
					abort();
				}
			}
			i++;
			break;
		case 2:		/* push the oldest held chain */
			if (f->nheld) {
				dev_begin(f);
				virtq_push(vq, &f->held[f->first], ARG(0) * 16);
				dev_end(f, vq);
				f->first = (f->first + 1) % HELD;
				f->nheld--;
			}
			i++;
			break;
		case 3:
			dev_begin(f);
			virtio_queue_signal(vq);
			dev_end(f, vq);
			break;
		case 4:
			dev_begin(f);
			virtq_disable_notify(vq);
			dev_end(f, vq);
			break;
		case 5:
			dev_begin(f);
			virtq_enable_notify(vq);
			dev_end(f, vq);
			break;
		case 6: {	/* driver writes a byte */
			u8 v = ARG(2);

			poke(f, ARG(0) | ARG(1) << 8, &v, 1);
			i += 3;
			break;
		}
		case 7: {	/* driver writes 16 bits */
			u8 v[2] = { ARG(2), ARG(3) };

			poke(f, ARG(0) | ARG(1) << 8, v, 2);
			i += 4;
			break;
		}
		case 8:
			virtq_unlock(vq);
			fz_start(f);
			continue;
		default:
			dev_begin(f);
			virtq_has_avail(vq);
			dev_end(f, vq);
			break;
		}
		virtq_unlock(vq);
	}
#undef ARG
}

static u64 area(u8 flags, u32 v)
{
	return (flags & 8) ? v : R0 + v % R0_SIZE;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	size_t n, i;
	u32 a[3];
	u16 qs;

	if (size < 18)
		return 0;
	log_set_level(LOG_ERROR);
	memset(&f, 0, sizeof(f));
	f.r[0] = calloc(1, R0_SIZE);
	f.r[1] = calloc(1, R1_SIZE);
	f.r[2] = calloc(1, R2_SIZE);
	if (!f.r[0] || !f.r[1] || !f.r[2] ||
	    guest_mem_add(&f.mem, R0, R0_SIZE, f.r[0], false) ||
	    guest_mem_add(&f.mem, R1, R1_SIZE, f.r[1], false) ||
	    guest_mem_add(&f.mem, R2, R2_SIZE, f.r[2], true))
		abort();
	if (virtio_device_init(&f.vdev, &fz_ops, &f, &f.mem, "fuzz", 1, 256))
		abort();
	virtio_device_set_transport(&f.vdev, &fz_transport, &f);
	virtq_chain_init(&f.chain);
	for (i = 0; i < HELD; i++)
		virtq_chain_init(&f.held[i]);
	f.flags = data[0];
	memcpy(&qs, data + 2, 2);
	memcpy(a, data + 4, 12);
	f.size = le16toh(qs);
	f.desc = area(f.flags, le32toh(a[0]));
	f.drv = area(f.flags, le32toh(a[1]));
	f.dev = area(f.flags, le32toh(a[2]));
	n = data[16] | data[17] << 8;
	data += 18;
	size -= 18;
	n = MIN(n, size);
	n = MIN(n, R0_SIZE + R1_SIZE);
	guest_mem_write(&f.mem, R0, data, n);
	fz_start(&f);
	run_ops(&f, data + n, size - n);
	for (i = 0; i < HELD; i++)
		virtq_chain_destroy(&f.held[i]);
	virtq_chain_destroy(&f.chain);
	virtio_device_destroy(&f.vdev);
	free(f.r[0]);
	free(f.r[1]);
	free(f.r[2]);
	return 0;
}

/* Replayed without libFuzzer: what each input reached. */
#define FUZZ_REPLAY_BEFORE() (fz_pops = fz_violations = 0)
#define FUZZ_REPLAY_AFTER(path)						\
	printf("%s: %lu chains, %lu failed pops on a broken queue\n", (path), \
	       fz_pops, fz_violations)
#include "replay.h"
