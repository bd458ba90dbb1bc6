/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (virtio 1.x spec 5.2): one disk image per device, requests
 * run on a disk engine (io_uring or worker threads, disk.h).
 *
 * Wiring, by the VM or a test:
 *   virtio_blk_create(&blk, &vm->mem, &opts, err, sizeof(err));
 *   hand virtio_blk_vdev(blk) to a transport;
 *   ... at shutdown, after the vCPUs stopped: virtio_blk_drain(blk), the
 *   disk's flush unless read-only (the VM's quiesce, vmm/dev-blk.c), then
 *   virtio_blk_destroy(blk), which stops the queues and closes the image
 *   without flushing it again.
 */
#ifndef LKVM_VIRTIO_BLK_H
#define LKVM_VIRTIO_BLK_H

#include "disk.h"
#include "guest-mem.h"
#include "io-loop.h"
#include "virtio/core.h"

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_GEOMETRY		4
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_TOPOLOGY		10
#define VIRTIO_BLK_F_CONFIG_WCE		11
#define VIRTIO_BLK_F_MQ			12
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14

/* Request types and status (5.2.6). */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13

#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

#define VIRTIO_BLK_WZ_F_UNMAP		1
#define VIRTIO_BLK_ID_BYTES		20

/* Config space offsets (struct virtio_blk_config, little-endian). */
#define VIRTIO_BLK_CFG_CAPACITY		0
#define VIRTIO_BLK_CFG_SIZE_MAX		8
#define VIRTIO_BLK_CFG_SEG_MAX		12
#define VIRTIO_BLK_CFG_BLK_SIZE		20
#define VIRTIO_BLK_CFG_NUM_QUEUES	34
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS	36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG	40
#define VIRTIO_BLK_CFG_DISCARD_ALIGN	44
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS	48
#define VIRTIO_BLK_CFG_MAX_WZ_SEG	52
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP	56
#define VIRTIO_BLK_CFG_LEN		60

/*
 * io=auto: the longest a request may take on a vCPU before its queue's
 * lone requests go to the I/O thread, and for how long: from the least,
 * doubled on each slow retry up to the most. A local SSD's 4 KiB request
 * takes tens to a few hundred microseconds; one that takes longer than a
 * guest's timer tick (1 ms at HZ=1000) comes from a slow or stalled disk
 * (a seek, a network file system, a full device), which should not hold
 * the guest's vCPU.
 */
#define VIRTIO_BLK_AUTO_BUDGET_US	1000
#define VIRTIO_BLK_AUTO_BACKOFF_MIN_NS	1000000ULL	/* 1 ms */
#define VIRTIO_BLK_AUTO_BACKOFF_MAX_NS	1000000000ULL	/* 1 s */

/* Limits lkvm advertises. */
#define VIRTIO_BLK_QUEUE_SIZE		256
#define VIRTIO_BLK_MAX_QUEUES		64
#define VIRTIO_BLK_MAX_ZERO_SECTORS	(1U << 22)	/* 2 GiB */

struct virtio_blk_options {
	const char *path;
	bool readonly;
	bool direct;
	const char *serial;		/* GET_ID; at most 20 bytes used */
	enum disk_format format;	/* DISK_FMT_AUTO: probe */
	/* Backing files: see struct disk_open_opts. */
	bool backing_any;
	bool backing_follow;
	const char *backing_path;
	unsigned int num_queues;	/* 0: 1 */
	u16 queue_size;			/* 0: VIRTIO_BLK_QUEUE_SIZE */
	enum disk_engine_kind engine;
	struct io_loop *loop;		/* completions (io_uring) */
	bool no_lock;			/* tests only */
	/*
	 * A request that finds its queue idle runs on the thread that rang
	 * the doorbell (the guest's vCPU): no ioeventfd for the queues.
	 */
	bool vcpu_io;
	/*
	 * io=auto (with vcpu_io): a request that took longer than this on
	 * the vCPU sends its queue's lone requests to the I/O thread for a
	 * while (virtio/blk.c, blk_inline_timed()). 0: no limit (io=vcpu).
	 */
	unsigned int vcpu_io_budget_us;
	u64 (*clock_ns)(void);		/* tests; NULL: CLOCK_MONOTONIC */
	unsigned int index;		/* for the name "virtio-blk.N" */
};

struct virtio_blk;

/*
 * Open the image and build the device. -errno with a message for the
 * user in err ("disk image 'x' is locked by another process", ...).
 */
int virtio_blk_create(struct virtio_blk **out, const struct guest_mem *mem,
		      const struct virtio_blk_options *opts, char *err,
		      size_t errlen);
struct virtio_device *virtio_blk_vdev(struct virtio_blk *blk);
struct disk *virtio_blk_disk(struct virtio_blk *blk);
/* "io_uring" or "threads". */
const char *virtio_blk_engine_name(struct virtio_blk *blk);
/* Wait until every request handed to the engine has completed. */
void virtio_blk_drain(struct virtio_blk *blk);
void virtio_blk_destroy(struct virtio_blk *blk);

#endif
