/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between the three parts of the virtio peer test, in plain C
 * types only: the driver side is compiled against the kernel's tools/virtio
 * headers, the device side against lkvm's, and the two type systems
 * (u64 = unsigned long long vs uint64_t) must not meet in one file.
 */
#ifndef LKVM_VIRTIO_PEER_H
#define LKVM_VIRTIO_PEER_H

#include <stddef.h>

/* peer-arena.c: the driver's heap, which is also the device's guest RAM. */
int peer_arena_init(size_t size);
void *peer_arena_base(void);
size_t peer_arena_size(void);
void *peer_malloc(size_t size);
void *peer_calloc(size_t n, size_t size);
void *peer_realloc(void *p, size_t size);
int peer_posix_memalign(void **p, size_t align, size_t size);
void peer_free(void *p);

/* Pattern both sides derive from a 32-bit seed. */
static inline unsigned char peer_pattern(unsigned int seed, size_t i)
{
	unsigned int x = seed ^ (unsigned int)(i * 2654435761u);

	x ^= x >> 13;
	x *= 0x5bd1e995u;
	return (unsigned char)(x ^ (x >> 15));
}

/* What the device writes into the writable part of a chain. */
static inline unsigned char peer_reply(unsigned int seed, size_t i)
{
	return peer_pattern(~seed, i) ^ 0xa5;
}

/* peer-device.c: lkvm's device side, on its own thread. */
struct peer_dev;

enum peer_dev_mode {
	PEER_VERIFY,	/* check every byte in, write the reply pattern */
	PEER_VERIFY_BATCH, /* same, draining with notifications disabled */
	PEER_COPY,	/* bench: copy the readable bytes to the writable */
};

/*
 * The device runs on lkvm's I/O loop (lib/io-loop.c), its doorbell a
 * queue notifier (lib/queue-notifier.c) whose eventfd the driver writes
 * (peer_dev_kick_fd()), as a queue's ioeventfd, polling for at most
 * poll_us (0: none; peer_default_poll_us(): lkvm run's default --io-poll)
 * both the fd and the ring.
 */
unsigned int peer_default_poll_us(void);
struct peer_dev *peer_dev_create(unsigned long long features,
				 unsigned int qsize,
				 unsigned long long desc,
				 unsigned long long driver,
				 unsigned long long device, int call_fd,
				 enum peer_dev_mode mode,
				 unsigned int poll_us, char *err,
				 size_t errlen);
/* The eventfd the driver kicks; the device owns and closes it. */
int peer_dev_kick_fd(struct peer_dev *d);
/*
 * The interrupt-pending flag the device sets before it writes call_fd,
 * as KVM's irqfd marks the vCPU's interrupt: the driver's halt polls it.
 */
unsigned int *peer_dev_irq_pending(struct peer_dev *d);
/*
 * Driver-initiated reset (status 0; the device thread keeps running and
 * must then ignore kicks), and a new bring-up on new rings after it.
 */
void peer_dev_reset(struct peer_dev *d);
int peer_dev_setup(struct peer_dev *d, unsigned long long features,
		   unsigned int qsize, unsigned long long desc,
		   unsigned long long driver, unsigned long long device,
		   char *err, size_t errlen);
unsigned int peer_dev_status(struct peer_dev *d);

/* Run the device's notification handling in the caller's thread. */
void peer_dev_notify(struct peer_dev *d);

/* Stop the thread; totals of what it saw. */
struct peer_dev_result {
	unsigned long long chains;
	unsigned long long bytes_in, bytes_out;
	unsigned long long bad_chains;	/* pattern mismatches */
	unsigned int status;		/* final device status */
	unsigned int config_signals;
};
void peer_dev_destroy(struct peer_dev *d, struct peer_dev_result *res);

#endif
