/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 9P2000.L test client that drives lkvm's virtio-9p device host-side,
 * as a guest driver would: a split virtqueue in a simulated guest memory,
 * each request one chain of a readable T-message and a writable reply
 * buffer, the device's worker threads answering. For the protocol test,
 * the fuzz target and the benchmark.
 */
#ifndef LKVM_TESTS_9P_CLIENT_H
#define LKVM_TESTS_9P_CLIENT_H

#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest-mem.h"
#include "virtio/9p-proto.h"
#include "virtio/9p.h"
#include "../unit/virtio-drv.h"

#define C9_QSIZE	64		/* ring entries; one slot = 2 descs */
#define C9_SLOTS	(C9_QSIZE / 2)
#define C9_SLOT_BUF	(P9_MSIZE_MAX + 4096)
#define C9_DESC		0x0ULL
#define C9_AVAIL	0x1000ULL
#define C9_USED		0x2000ULL
#define C9_BUFS		0x10000ULL
#define C9_RAM		(C9_BUFS + 2ULL * C9_SLOTS * C9_SLOT_BUF)

struct c9 {
	struct guest_mem mem;
	u8 *ram;
	struct p9fs *fs;
	struct virtio_9p dev;
	u16 avail_idx, last_used;
	u16 next_tag;
	/* The last reply, for c9_get(). */
	u8 *reply;
	u32 reply_len;
	struct p9_buf rb;
	u32 msize;
	/* Replies holding this string are counted in leaks. */
	const char *watch;
	unsigned int leaks;
	int wuffd;	/* tests/9p/blocked.h: the workers' trap, or -1 */
};

static void c9_signal_used(struct virtio_device *vdev, struct virtq *vq)
{
}

static void c9_signal_config(struct virtio_device *vdev)
{
}

static const struct virtio_transport_ops c9_transport = {
	.name = "c9",
	.signal_used = c9_signal_used,
	.signal_config = c9_signal_config,
};

static inline u64 c9_out(unsigned int slot)
{
	return C9_BUFS + 2ULL * slot * C9_SLOT_BUF;
}

static inline u64 c9_in(unsigned int slot)
{
	return c9_out(slot) + C9_SLOT_BUF;
}

static inline void *c9_hva(struct c9 *c, u64 gpa)
{
	return c->ram + gpa;
}

static inline void c9_w16(struct c9 *c, u64 gpa, u16 v)
{
	u8 *p = c9_hva(c, gpa);

	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline u16 c9_r16(struct c9 *c, u64 gpa)
{
	return le16toh(__atomic_load_n((u16 *)c9_hva(c, gpa),
				       __ATOMIC_ACQUIRE));
}

/*
 * As a driver after a reset: fresh rings, features negotiated, the queue
 * enabled, DRIVER_OK; -EIO (and *why) if the device does not take it.
 */
static inline int c9_start(struct c9 *c, const char **why)
{
	struct virtio_device *v = &c->dev.vdev;
	u64 f;

	memset(c->ram, 0, C9_BUFS);
	c->avail_idx = 0;
	c->last_used = 0;
	f = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_9P_MOUNT_TAG);
	c->msize = P9_MSIZE_MAX;
	if (!vdrv_probe(v, f, C9_QSIZE, C9_DESC, C9_AVAIL, C9_USED)) {
		*why = "queue not ready";
		return -EIO;
	}
	return 0;
}

/* Open dir as a share and the device on it, negotiated and running. */
static inline int c9_open(struct c9 *c, const char *dir, bool ro,
			  const char **why)
{
	struct p9fs_options opt = {
		.dir = dir, .readonly = ro, .model = P9FS_MODEL_MAPPED,
	};
	int r;

	memset(c, 0, sizeof(*c));
	c->wuffd = -1;
	c->ram = calloc(1, C9_RAM);
	c->reply = malloc(C9_SLOT_BUF);
	if (!c->ram || !c->reply)
		return -ENOMEM;
	r = guest_mem_add(&c->mem, 0, C9_RAM, c->ram, false);
	if (!r)
		r = p9fs_open_share(&opt, &c->fs, why);
	if (r)
		return r;
	r = virtio_9p_init(&c->dev, c->fs, "test", &c->mem, "virtio-9p.0");
	if (r) {
		*why = "virtio_9p_init";
		return r;
	}
	virtio_device_set_transport(&c->dev.vdev, &c9_transport, c);
	return c9_start(c, why);
}

static inline void c9_close(struct c9 *c)
{
	virtio_9p_destroy(&c->dev, P9_STUCK_MS);
	if (c->fs)
		p9fs_close_share(c->fs);
	free(c->ram);
	free(c->reply);
}

static inline void c9_desc(struct c9 *c, u16 i, u64 addr, u32 len,
			   u16 flags, u16 next)
{
	u8 *d = c9_hva(c, C9_DESC + 16ULL * i);
	u64 a = htole64(addr);
	u32 l = htole32(len);

	flags = htole16(flags);
	next = htole16(next);
	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* Put msg[0, len) in slot's chain with rcap bytes for the reply; no kick. */
static inline void c9_post(struct c9 *c, unsigned int slot, const void *msg,
			   u32 len, u32 rcap)
{
	u16 head = (u16)(2 * slot);

	memcpy(c9_hva(c, c9_out(slot)), msg, len);
	memset(c9_hva(c, c9_in(slot)), 0xa5, MIN(rcap, 64u));
	c9_desc(c, head, c9_out(slot), len, VIRTQ_DESC_F_NEXT, head + 1);
	c9_desc(c, head + 1, c9_in(slot), rcap, VIRTQ_DESC_F_WRITE, 0);
	c9_w16(c, C9_AVAIL + 4 + 2 * (c->avail_idx % C9_QSIZE), head);
	c->avail_idx++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c9_w16(c, C9_AVAIL + 2, c->avail_idx);
}

static inline void c9_kick(struct c9 *c)
{
	virtio_queue_notify(&c->dev.vdev, 0);
}

/* The next used chain: its slot and length; false after timeout_ms. */
static inline bool c9_reap(struct c9 *c, unsigned int *slot, u32 *len,
			   unsigned int timeout_ms)
{
	struct timespec ts = { 0, 20000 };
	unsigned long waited = 0;
	u8 *e;
	u32 id, l;

	/* Spin a little (a fast reply), then sleep 20 us at a time. */
	while (c9_r16(c, C9_USED + 2) == c->last_used) {
		if (waited < 2000) {
			waited++;
			sched_yield();
			continue;
		}
		if (waited++ >= 2000 + timeout_ms * 50UL)
			return false;
		nanosleep(&ts, NULL);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	e = c9_hva(c, C9_USED + 4 + 8ULL * (c->last_used % C9_QSIZE));
	memcpy(&id, e, 4);
	memcpy(&l, e + 4, 4);
	c->last_used++;
	*slot = le32toh(id) / 2;
	*len = le32toh(l);
	return true;
}

/*
 * One raw exchange on slot 0: msg out, the reply (up to rcap bytes) kept
 * in c->reply. Returns the reply's length, or -ETIMEDOUT.
 */
static inline int c9_raw(struct c9 *c, const void *msg, u32 len, u32 rcap)
{
	unsigned int slot;
	u32 n;

	c9_post(c, 0, msg, len, rcap);
	c9_kick(c);
	if (!c9_reap(c, &slot, &n, 10000))
		return -ETIMEDOUT;
	memcpy(c->reply, c9_hva(c, c9_in(slot)), MIN(n, rcap));
	c->reply_len = n;
	if (c->watch && memmem(c->reply, MIN(n, rcap), c->watch,
			       strlen(c->watch)))
		c->leaks++;
	return (int)n;
}

/* Build a T-message in buf: header and fmt's fields; its length. */
static inline u32 c9_vbuild(u8 *buf, u32 cap, u8 type, u16 tag,
			    const char *fmt, va_list ap)
{
	struct p9_buf b;
	u32 len;

	p9_buf_init(&b, buf, cap);
	b.pos = P9_HDRSZ;
	if (p9_vpack(&b, fmt, ap))
		return 0;
	len = b.pos;
	b.pos = 0;
	p9_pack(&b, "dbw", len, (unsigned int)type, (unsigned int)tag);
	return len;
}

static inline u32 c9_build(u8 *buf, u32 cap, u8 type, u16 tag,
			   const char *fmt, ...)
{
	va_list ap;
	u32 len;

	va_start(ap, fmt);
	len = c9_vbuild(buf, cap, type, tag, fmt, ap);
	va_end(ap);
	return len;
}

/*
 * A request and its reply: the reply's type, or -ecode for Rlerror,
 * -EPROTO for a reply whose size, tag or type is wrong. c->rb is then
 * at the reply's fields, for p9_unpack().
 */
static inline int c9_call(struct c9 *c, u8 type, const char *fmt, ...)
{
	static u8 msg[C9_SLOT_BUF];
	u16 tag = c->next_tag++ % 0xfff0;
	u32 len, size, ecode;
	va_list ap;
	u16 rtag;
	u8 rtype;
	int n;

	va_start(ap, fmt);
	len = c9_vbuild(msg, sizeof(msg), type, tag, fmt, ap);
	va_end(ap);
	if (!len)
		return -EMSGSIZE;
	n = c9_raw(c, msg, len, c->msize);
	if (n < 0)
		return n;
	p9_buf_init(&c->rb, c->reply, (u32)n);
	if (p9_unpack(&c->rb, "dbw", &size, &rtype, &rtag) ||
	    size != (u32)n || rtag != tag)
		return -EPROTO;
	if (rtype == P9_RLERROR) {
		if (p9_unpack(&c->rb, "d", &ecode))
			return -EPROTO;
		return -(int)ecode;
	}
	if (rtype != type + 1)
		return -EPROTO;
	return rtype;
}

#endif
