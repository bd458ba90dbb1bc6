// SPDX-License-Identifier: GPL-2.0
/* virtio-rng: entropy from getrandom(2). See include/virtio/rng.h. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "virtio/rng.h"

/* Fill up to max bytes of the chain's writable buffers; bytes written. */
static u32 rng_fill(struct virtio_rng *r, const struct virtq_chain *ch,
		    u32 max)
{
	unsigned int i;
	u32 done = 0;

	for (i = ch->nr_out; i < ch->nr_out + ch->nr_in && done < max; i++) {
		u8 *p = ch->iov[i].iov_base;
		size_t want = MIN(ch->iov[i].iov_len, (size_t)(max - done));

		while (want) {
			ssize_t n = getrandom(p, want, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				pr_warn_ratelimited("%s: getrandom: %s",
						    r->vdev.name,
						    strerror(errno));
				return done;
			}
			p += n;
			want -= (size_t)n;
			done += (u32)n;
		}
	}
	return done;
}

static void rng_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_rng *r = vdev->priv;
	bool pushed = false;

	while (virtq_pop(vq, &r->chain) == 1) {
		u32 n = rng_fill(r, &r->chain, VIRTIO_RNG_MAX_REQUEST);

		virtq_push(vq, &r->chain, n);
		if (!r->bytes && n)
			pr_info("%s: first request served (%u bytes)",
				vdev->name, n);
		r->bytes += n;
		pushed = true;
	}
	if (pushed)
		virtio_queue_signal(vq);
}

static const struct virtio_device_ops rng_ops = {
	.name = "rng",
	.device_id = VIRTIO_ID_RNG,
	.queue_notify = rng_notify,
	.queue_pollable = virtio_queue_pollable_all,
};

int virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem,
		    const char *name)
{
	int err;

	memset(r, 0, sizeof(*r));
	err = virtio_device_init(&r->vdev, &rng_ops, r, mem, name, 1,
				 VIRTIO_RNG_QUEUE_SIZE);
	if (err)
		return err;
	virtq_chain_init(&r->chain);
	return 0;
}

void virtio_rng_destroy(struct virtio_rng *r)
{
	virtio_device_destroy(&r->vdev);
	virtq_chain_destroy(&r->chain);
}
