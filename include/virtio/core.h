/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The transport-independent virtio device model (virtio 1.x only).
 *
 * Three parties meet in struct virtio_device:
 *
 *  - a DEVICE (blk, net, console, ...) fills in struct virtio_device_ops:
 *    its device ID, feature bits, config space, queue count and sizes, and
 *    callbacks: queue_notify (the driver kicked a queue), activate (the
 *    driver set DRIVER_OK), queue_reset (a queue is being reset: quiesce
 *    its work), reset (the driver wrote status 0). It calls
 *    virtio_device_init() and then hands the device to a transport. It
 *    moves buffers with virtq_pop()/virtq_push() (queue.h) and tells the
 *    driver with virtio_queue_signal(); after changing its config space it
 *    calls virtio_config_changed().
 *
 *  - a TRANSPORT (virtio-mmio, virtio-pci, virtio-ccw) maps its registers
 *    or channel commands onto the generic operations below, all of which
 *    take explicit queue indexes and 32-bit feature words, so a transport
 *    keeps its own selector registers. It fills in struct
 *    virtio_transport_ops to deliver the two interrupts the core needs: a
 *    used-buffer notification for a queue and a configuration change. It
 *    owns its byte order: mmio and pci registers are little-endian, ccw's
 *    structures big-endian; the core deals in host integers, and the config
 *    space bytes are passed through unchanged (little-endian per the spec
 *    for every transport).
 *
 *  - the CORE enforces the rules: feature negotiation (FEATURES_OK only if
 *    the driver accepted a subset of what was offered, including
 *    VERSION_1; otherwise the bit does not stick and the driver sees that
 *    when it reads the status back), the status sequence, reset, queue
 *    validation when the driver enables a queue, the config generation
 *    counter, and DEVICE_NEEDS_RESET when a driver breaks the rules.
 *
 * Feature bits the core itself implements (VERSION_1, INDIRECT_DESC,
 * EVENT_IDX, RING_PACKED) are added to what the device offers, less any the
 * VM configuration masks out in vdev->features_mask_out.
 *
 * Threads and locks:
 *  - vdev->lock (mutex) guards status, features, config space accesses and
 *    every queue's configuration. Transports call the virtio_* operations
 *    below from vCPU threads without holding it; each operation takes it.
 *  - vq->lock guards one queue's ring state (queue.h). Lock order:
 *    vdev->lock, then vq->lock. virtio_queue_notify() -- called by the
 *    transport on the I/O thread for an ioeventfd, or on the vCPU thread
 *    when there is none -- takes vq->lock (only) around ops->queue_notify.
 *  - vdev->status is atomic so that a queue violation, found under vq->lock,
 *    can set DEVICE_NEEDS_RESET without vdev->lock; the transport hooks are
 *    therefore called from any thread, with or without either lock held,
 *    and must only raise an interrupt (never call back into the core).
 *  - ops->reset, ops->queue_reset and ops->activate run under vdev->lock.
 *    reset must stop the device's own workers from touching the queues
 *    before it returns; it must not take vdev->lock, but may take vq->lock.
 *
 * Queue reset (virtio-mmio QueueReady=0, legacy QueuePFN=0, virtio-ccw
 * SET_VQ with address 0, and every queue at a device reset): under
 * vdev->lock the core first retires the queue under vq->lock (not ready,
 * new generation: no notification reaches the device for it, and
 * virtq_push() refuses every chain popped before), then calls
 * ops->queue_reset without vq->lock, and only then lets the driver
 * configure or enable the queue again. queue_reset returns when the
 * device will touch no chain it popped from that queue any more: it stops,
 * drains or cancels its in-flight requests, whose completions are dropped.
 * A device that pushes every chain it pops before its queue_notify
 * returns (under vq->lock) needs no queue_reset.
 */
#ifndef LKVM_VIRTIO_CORE_H
#define LKVM_VIRTIO_CORE_H

#include <pthread.h>
#include <stdatomic.h>

#include "guest-mem.h"
#include "types.h"
#include "virtio/queue.h"
#include "virtio/spec.h"

struct virtio_device;

/* Feature bits implemented by the core for every device. */
#define VIRTIO_CORE_FEATURES						\
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) |				\
	 VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |				\
	 VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |				\
	 VIRTIO_BIT(VIRTIO_F_RING_PACKED))

/* What a device type implements. Every callback but queue_notify is optional. */
struct virtio_device_ops {
	const char *name;		/* "blk", "net", ...: for log lines */
	u32 device_id;			/* VIRTIO_ID_* */
	/* Device-specific feature bits (the core adds VIRTIO_CORE_FEATURES). */
	u64 (*get_features)(struct virtio_device *vdev);
	/* Veto a feature combination at FEATURES_OK (return false). */
	bool (*features_ok)(struct virtio_device *vdev, u64 features);
	/*
	 * Config space accesses, already bounds-checked against
	 * vdev->config_len. Without them the core copies vdev->config.
	 */
	void (*config_read)(struct virtio_device *vdev, u32 offset, void *buf,
			    u32 len);
	void (*config_write)(struct virtio_device *vdev, u32 offset,
			     const void *buf, u32 len);
	/*
	 * The driver notified queue vq; vq->lock is held. Must not block,
	 * but for one exception: virtio-blk with io=vcpu, on a vCPU (never
	 * on the I/O thread), drops the lock around one request it runs
	 * there; callers must not rely on vq's state across the call.
	 */
	void (*queue_notify)(struct virtio_device *vdev, struct virtq *vq);
	/*
	 * Optional: may the I/O thread, while it polls, look at queue idx's
	 * ring and run queue_notify when buffers are there without a
	 * notification? Yes for queues whose buffers are work the driver
	 * asks for (requests, transmit); no for receive queues, which wait
	 * for the backend, not for the driver.
	 */
	bool (*queue_pollable)(struct virtio_device *vdev, unsigned int idx);
	/* DRIVER_OK: features and queues are final. -errno -> NEEDS_RESET. */
	int (*activate)(struct virtio_device *vdev);
	/*
	 * Queue vq, which was ready, is being reset (see the top): return
	 * only when no chain popped from it can still be touched or pushed.
	 * May block (drain); runs under vdev->lock, without vq->lock.
	 */
	void (*queue_reset)(struct virtio_device *vdev, struct virtq *vq);
	/* Driver reset: forget all state, stop using the queues. */
	void (*reset)(struct virtio_device *vdev);
};

/* What a transport implements; called from any thread, must not block. */
struct virtio_transport_ops {
	const char *name;		/* "mmio", "pci", "ccw" */
	void (*signal_used)(struct virtio_device *vdev, struct virtq *vq);
	void (*signal_config)(struct virtio_device *vdev);
};

struct virtio_device {
	const struct virtio_device_ops *ops;
	void *priv;			/* device's state */
	const struct virtio_transport_ops *transport;
	void *transport_priv;
	const struct guest_mem *mem;
	char name[32];			/* "virtio-blk.0" for log lines */

	pthread_mutex_t lock;
	atomic_uchar status;		/* u8 status; atomic, see above */
	u64 device_features;		/* offered, as last computed */
	u64 driver_features;		/* what the driver wrote */
	u64 features;			/* negotiated, valid from FEATURES_OK */
	u64 features_mask_out;		/* bits the VM configuration forbids */
	atomic_uint config_generation;

	void *config;			/* default config space storage */
	u32 config_len;

	unsigned int nr_queues;
	struct virtq *vqs;
	/*
	 * The device runs requests on the thread that rings its doorbell:
	 * transports leave its queues without ioeventfds, so a doorbell
	 * exits to lkvm on the vCPU that wrote it.
	 */
	bool notify_on_vcpu;
};

/*
 * Set up a device with nr_queues queues of max_queue_size entries each
 * (adjust vdev->vqs[i].max_size afterwards for uneven queues). name is
 * copied. -ENOMEM, or -EINVAL for a bad count or size.
 */
int virtio_device_init(struct virtio_device *vdev,
		       const struct virtio_device_ops *ops, void *priv,
		       const struct guest_mem *mem, const char *name,
		       unsigned int nr_queues, u16 max_queue_size);
void virtio_device_destroy(struct virtio_device *vdev);

/* Attach the transport (before the guest runs). */
void virtio_device_set_transport(struct virtio_device *vdev,
				 const struct virtio_transport_ops *ops,
				 void *priv);

/*
 * What the VM provides so a transport can turn a guest's doorbell write
 * into an eventfd signal inside KVM (KVM_IOEVENTFD): a write of `len`
 * bytes equal to `datamatch` at guest address `addr` (MMIO, or port I/O
 * if `pio`) signals `fd` and does not exit to the vCPU. Return 0 or
 * -errno; a transport falls back to trapped writes when add() fails.
 */
struct virtio_ioeventfd_ops {
	int (*add)(void *opaque, u64 addr, u32 len, u64 datamatch, bool pio,
		   int fd);
	int (*del)(void *opaque, u64 addr, u32 len, u64 datamatch, bool pio,
		   int fd);
	void *opaque;
};

/* --- Generic operations for transports (vCPU threads) --- */

u8 virtio_get_status(struct virtio_device *vdev);
/* Applies the rules described at the top; writing 0 resets the device. */
void virtio_set_status(struct virtio_device *vdev, u8 status);
/* 32-bit words of the offered / accepted features: sel 0 = bits 0-31... */
u32 virtio_get_device_features(struct virtio_device *vdev, u32 sel);
void virtio_set_driver_features(struct virtio_device *vdev, u32 sel,
				u32 value);
u32 virtio_get_driver_features(struct virtio_device *vdev, u32 sel);

/* Queue configuration; writes are ignored while the queue is ready. */
unsigned int virtio_num_queues(struct virtio_device *vdev);
u16 virtio_queue_max_size(struct virtio_device *vdev, unsigned int idx);
u16 virtio_queue_get_size(struct virtio_device *vdev, unsigned int idx);
void virtio_queue_set_size(struct virtio_device *vdev, unsigned int idx,
			   u16 size);
enum virtio_queue_area { VIRTIO_AREA_DESC, VIRTIO_AREA_DRIVER,
			 VIRTIO_AREA_DEVICE };
u64 virtio_queue_get_addr(struct virtio_device *vdev, unsigned int idx,
			  enum virtio_queue_area area);
void virtio_queue_set_addr(struct virtio_device *vdev, unsigned int idx,
			   enum virtio_queue_area area, u64 gpa);
/* Transports with 32-bit halves (mmio, pci): high = false for bits 0-31. */
void virtio_queue_set_addr_half(struct virtio_device *vdev, unsigned int idx,
				enum virtio_queue_area area, bool high,
				u32 value);
bool virtio_queue_get_ready(struct virtio_device *vdev, unsigned int idx);
/*
 * Enable: validates the configuration (needs FEATURES_OK); a bad one sets
 * DEVICE_NEEDS_RESET and leaves the queue not ready. Disable (ready =
 * false) is only meaningful through a reset in 1.x and is treated as one
 * queue's reset (see the top): the device quiesces the queue's work first;
 * the size and addresses written stay.
 */
void virtio_queue_set_ready(struct virtio_device *vdev, unsigned int idx,
			    bool ready);

/*
 * The driver notified queue idx (ioeventfd on the I/O thread, or a trapped
 * register write). Ignored unless DRIVER_OK and the queue is ready.
 */
void virtio_queue_notify(struct virtio_device *vdev, unsigned int idx);

/* Config space; out-of-range bytes read as 0 and writes are dropped. */
void virtio_config_read(struct virtio_device *vdev, u32 offset, void *buf,
			u32 len);
void virtio_config_write(struct virtio_device *vdev, u32 offset,
			 const void *buf, u32 len);
u32 virtio_config_generation(struct virtio_device *vdev);

/* --- For devices --- */

static inline bool virtio_has_feature(const struct virtio_device *vdev,
				      unsigned int bit)
{
	return bit < 64 && (vdev->features & VIRTIO_BIT(bit));
}

/*
 * Tell the driver about used buffers on vq if it wants to know (event index
 * / flags). Call with vq->lock held after a batch of virtq_push().
 */
void virtio_queue_signal(struct virtq *vq);
/*
 * The I/O thread's poll of queue idx (ops->queue_pollable): if the driver
 * is running and the ring has available buffers, run ops->queue_notify as
 * a notification would. True only if the device took buffers from the
 * ring (a device that leaves them, out of request slots or backend
 * space, is not progress and must not keep the poller spinning).
 */
bool virtio_queue_poll(struct virtio_device *vdev, unsigned int idx);
/*
 * The I/O thread polls queue idx (quiet) or is about to sleep (!quiet):
 * ask the driver not to notify, or to notify again. Turning notifications
 * back on is followed by a full barrier; the caller polls once more after
 * it, for buffers added while they were off.
 */
void virtio_queue_quiet(struct virtio_device *vdev, unsigned int idx,
			bool quiet);
/* ops->queue_pollable for devices whose every queue carries requests. */
bool virtio_queue_pollable_all(struct virtio_device *vdev, unsigned int idx);
/* Does the device allow polling queue idx (ops->queue_pollable)? */
bool virtio_queue_pollable(struct virtio_device *vdev, unsigned int idx);

/*
 * The VMM's side of the device lifecycle (include/vm-devices.h):
 *
 * virtio_device_reset() puts the device back to its power-on state, as
 * the driver's write of status 0 does: every ready queue is quiesced
 * through ops->queue_reset, then ops->reset, the queues and the features
 * are forgotten. For a system reset, with the vCPUs stopped.
 *
 * virtio_device_quiesce() stops the device taking work, with the vCPUs
 * and the I/O thread stopped: every queue is retired (not ready: a late
 * notify reaches nothing) and the ready ones go through ops->queue_reset,
 * so in-flight requests finish or are cancelled. Status and features are
 * kept (the device is about to be destroyed, or saved). Idempotent.
 */
void virtio_device_reset(struct virtio_device *vdev);
void virtio_device_quiesce(struct virtio_device *vdev);

/* The device changed its config space: bump the generation, interrupt. */
void virtio_config_changed(struct virtio_device *vdev);

/*
 * Something the driver did is broken: set DEVICE_NEEDS_RESET and send a
 * config change notification (if DRIVER_OK). Any thread, any lock.
 */
void virtio_device_needs_reset(struct virtio_device *vdev);

#endif
