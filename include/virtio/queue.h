/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of one virtqueue, split or packed layout.
 *
 * A device takes buffers from the driver with virtq_pop(), which walks one
 * descriptor chain (direct or through an indirect table), validates every
 * guest-controlled value and hands back the buffers as host iovecs:
 * chain->iov[0 .. nr_out) the driver wrote (device reads),
 * chain->iov[nr_out .. nr_out + nr_in) the device may write. A descriptor
 * whose guest range spans two memory regions becomes two iovecs.
 * It gives a chain back with virtq_push() and then asks virtq_should_notify()
 * -- or, through the core, virtio_queue_signal() -- whether the driver
 * wants an interrupt for it.
 *
 * Anything malformed (see virtq_pop()) marks the queue broken and the device
 * DEVICE_NEEDS_RESET (virtio_device_needs_reset() in core.h); a broken queue
 * returns -EIO from every pop until the driver resets the device.
 *
 * Locking: the ring state below (everything after "ring state") is guarded
 * by vq->lock. virtio_queue_notify() (core.h) takes it around the device's
 * queue_notify callback; a device completing chains from another thread
 * (an io_uring completion, a worker) takes it with virtq_lock() around
 * virtq_push()/virtio_queue_signal(). The configuration fields (size,
 * addresses, ready) only change under both vdev->lock and vq->lock, so
 * holding either one is enough to read them.
 */
#ifndef LKVM_VIRTIO_QUEUE_H
#define LKVM_VIRTIO_QUEUE_H

#include <pthread.h>
#include <sys/uio.h>

#include "guest-mem.h"
#include "types.h"
#include "virtio/spec.h"

struct virtio_device;

/* Iovecs kept inside struct virtq_chain before it grows on the heap. */
#define VIRTQ_CHAIN_INLINE	16

/*
 * One popped descriptor chain. Initialise once with virtq_chain_init(),
 * reuse for any number of pops, free with virtq_chain_destroy(). Do not copy
 * it by value (iov may point into the struct itself).
 */
struct virtq_chain {
	struct iovec *iov;
	unsigned int nr_out;	/* readable iovecs, first */
	unsigned int nr_in;	/* writable iovecs, after them */
	unsigned int cap;
	u64 out_len;		/* total bytes readable */
	u64 in_len;		/* total bytes writable */
	/* What virtq_push() needs to give the chain back. */
	u16 id;			/* split: head index; packed: buffer ID */
	u16 ndescs;		/* packed: ring slots the chain took */
	/* The ring it came from: the queue and its generation at pop. */
	const struct virtq *vq;
	u64 gen;
	struct iovec inline_iov[VIRTQ_CHAIN_INLINE];
};

struct virtq_split_ring {
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
};

struct virtq_packed_ring {
	struct virtq_packed_desc *desc;
	struct virtq_event_suppress *driver;	/* driver area */
	struct virtq_event_suppress *device;	/* device area */
};

struct virtq {
	struct virtio_device *vdev;
	const struct guest_mem *mem;
	unsigned int index;
	pthread_mutex_t lock;

	/* Configuration, set by the transport while the queue is not ready. */
	u16 max_size;		/* device's limit, fixed at init */
	u16 size;		/* driver's choice, defaults to max_size */
	u64 desc_gpa;
	u64 driver_gpa;		/* split: avail ring */
	u64 device_gpa;		/* split: used ring */
	bool ready;
	/*
	 * Bumped at every enable, retire and reset (under both locks): a
	 * chain is pushed only into the generation it was popped from.
	 */
	u64 gen;

	/* Ring state, from enable until reset (under lock). */
	bool packed;
	bool event_idx;
	bool indirect;
	bool broken;		/* a violation was seen: stop until reset */
	bool notify_off;	/* device asked for no driver notifications */
	union {
		struct virtq_split_ring split;
		struct virtq_packed_ring pk;
	};
	u16 last_avail;		/* split: free-running; packed: slot */
	bool avail_wrap;	/* packed: driver ring wrap counter */
	u16 used_idx;		/* split: free-running; packed: slot */
	bool used_wrap;		/* packed: device ring wrap counter */
	u16 signalled_used;	/* used_idx when the driver was last asked */
	bool signalled_wrap;
	u32 used_since_signal;
	u32 inflight;		/* popped, not yet pushed (descriptors) */
};

/* Set up a queue at device init: not ready, size = max_size. */
void virtq_init(struct virtq *vq, struct virtio_device *vdev,
		const struct guest_mem *mem, unsigned int index, u16 max_size);
void virtq_destroy(struct virtq *vq);

/* Forget everything the driver configured (device reset). */
void virtq_reset(struct virtq *vq);

/*
 * Stop using the ring, keep the driver's configuration (size, addresses):
 * the queue is not ready, its generation moves on, so no chain popped
 * before can be pushed any more. Returns whether it was ready. vq->lock
 * held.
 */
bool virtq_retire(struct virtq *vq);

/*
 * Validate the configured size and areas against guest RAM and map them.
 * features: the negotiated feature bits (layout, EVENT_IDX, INDIRECT).
 * -EINVAL (and the device marked DEVICE_NEEDS_RESET) if the driver's
 * configuration is invalid; the queue then stays not ready.
 */
int virtq_enable(struct virtq *vq, u64 features);

static inline void virtq_lock(struct virtq *vq)
{
	pthread_mutex_lock(&vq->lock);
}

static inline void virtq_unlock(struct virtq *vq)
{
	pthread_mutex_unlock(&vq->lock);
}

void virtq_chain_init(struct virtq_chain *chain);
void virtq_chain_destroy(struct virtq_chain *chain);

/*
 * Was chain popped from vq's ring as it is now (no reset, retire or
 * re-enable since)? Only then are its buffers still the device's to
 * write and may it be pushed. vq->lock held.
 */
static inline bool virtq_chain_current(const struct virtq *vq,
				       const struct virtq_chain *chain)
{
	return chain->vq == vq && chain->gen == vq->gen;
}

/*
 * Take the next available chain. Returns 1 with *chain filled, 0 if the
 * driver has made nothing (more) available, -EIO if the queue is not ready
 * or broken, -ENOMEM if the chain could not grow (nothing consumed; retry).
 *
 * Violations (queue broken, device DEVICE_NEEDS_RESET, one log line):
 * avail idx moving by more than the queue size, more chains in flight than
 * the queue holds, a descriptor index >= size, a chain longer than the queue
 * (which includes loops), INDIRECT without the feature, INDIRECT together
 * with NEXT, an indirect table in an indirect table, an indirect table
 * whose length is 0 or not a multiple of 16 or holds more entries than the
 * queue size, is not 8-byte aligned or is not wholly in one RAM region, a
 * buffer not wholly in guest RAM (or whose addr + len wraps), a writable
 * buffer in read-only memory, and a readable descriptor after a writable
 * one.
 */
int virtq_pop(struct virtq *vq, struct virtq_chain *chain);

/*
 * Give a popped chain back with `written` bytes written by the device.
 * 0, or nothing written to the ring and: -ESTALE if the chain was popped
 * from another queue or before the queue was last reset or re-enabled
 * (its completion is dropped; expected while a reset races a request),
 * -EIO if the queue is not ready or broken, -EINVAL if the chain cannot
 * belong to this ring (packed: 0 or more slots than the queue has; split:
 * a head index >= size), which marks the queue broken.
 */
int virtq_push(struct virtq *vq, const struct virtq_chain *chain,
	       u32 written);

/*
 * After one or more pushes: does the driver want a used-buffer
 * notification now (EVENT_IDX or the NO_INTERRUPT / event flags)? Updates
 * the "last signalled" position, so call it once per batch.
 */
bool virtq_should_notify(struct virtq *vq);

/*
 * Ask the driver not to notify us (while we are busy draining the queue)
 * and to notify again. virtq_enable_notify() returns true if buffers became
 * available meanwhile: the caller must then go on popping rather than wait.
 */
void virtq_disable_notify(struct virtq *vq);
bool virtq_enable_notify(struct virtq *vq);

/* Is a chain available (without taking it)? */
bool virtq_has_avail(struct virtq *vq);
/*
 * The device stops popping before the ring is empty: publish what a pop
 * finding it empty would (EVENT_IDX: avail_event at last_avail), unless
 * notifications are off (whoever turned them off looks again), then
 * whether buffers are available, after a full barrier. True: someone
 * must pop them (the driver will not notify for those).
 */
bool virtq_rearm(struct virtq *vq);

/*
 * Copy between a popped chain's buffers and a flat buffer: from the
 * readable part, starting `offset` bytes in; into the writable part.
 * Return the number of bytes copied (short at the end of the buffers).
 */
size_t virtq_chain_read(const struct virtq_chain *chain, size_t offset,
			void *buf, size_t len);
size_t virtq_chain_write(const struct virtq_chain *chain, size_t offset,
			 const void *buf, size_t len);

#endif
