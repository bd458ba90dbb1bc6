// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: virtio-console's device side (virtio/console.c) driven
 * by a hostile driver through split rings: transmit chains over 1-3
 * descriptors (and a writable one the device must leave alone), receive
 * buffers of any shape, host input through the sink, the config space
 * (EMERG_WRITE among it), device and queue resets. The output goes, by
 * input byte 0, to the console's output buffer (vmm/term-out.c) in front
 * of a pipe whose reader the input drives, to a tx callback (as the
 * sandbox's status port has it), or nowhere.
 *
 * Invariants (a report and abort() when broken), checked against a model:
 *  - the host stream is exactly the bytes the guest put in transmit
 *    buffers, in ring order, each once, with each emergency write's byte
 *    at the place it was written; nothing else, nothing lost: after the
 *    reader drains the pipe every notified transmit chain is used (with a
 *    callback or no output at once), and the device's byte counters agree;
 *  - a transmit chain is used in ring order, with length 0, and only once
 *    all its bytes are in the output buffer;
 *  - host input fills receive buffers in ring order, each up to its
 *    writable length before the next is used, the used length what was
 *    written; input is refused only when no buffer is left (all before
 *    DRIVER_OK); no receive buffer is used without input;
 *  - the device writes nothing in guest RAM but the used rings and the
 *    used part of receive buffers (a shadow copy of RAM says);
 *  - the config space reads back as the model (no size, one port), and a
 *    config write prints a byte only as an EMERG_WRITE at offset 8 with the
 *    feature negotiated; a notify of the receive queue asks for input;
 *  - the device never asks for a reset (every chain is well-formed).
 *
 * Input: byte 0: bit 0 EMERG_WRITE, bits 1-2 output (0, 3: the buffer and
 * a pipe; 1: a callback; 2: none), bit 3 a 4 KiB pipe (else 64 KiB). Then
 * records: u8 kind, u8 shape, u16 length (le), that many bytes:
 *  kind % 8 0 transmit chain: the bytes repeated 1 << (shape >> 3 & 7)
 *	      times (at most 8 KiB) over 1 + shape % 4 descriptors (3 at
 *	      most), shape bit 2 a writable descriptor after them, bit 6 no
 *	      notify;
 *	    1 receive chains: each byte a descriptor of (b & 0x3f) * 8 bytes,
 *	      bit 6 readable (before any writable), bit 7 the chain's last
 *	      (4 at most); shape bit 0 no notify;
 *	    2 host input: the bytes into the sink;
 *	    3 the reader takes up to (shape + 1) * 64 bytes and the I/O
 *	      thread's POLLOUT pass runs; shape 255: it drains everything;
 *	    4 config write at shape % 13 of 1 << (shape >> 4 & 3) bytes (the
 *	      record's), then the config space read back;
 *	    5 notify transmit (and receive unless shape bit 0);
 *	    6 device reset; restarted unless shape bit 0;
 *	    7 reset of queue shape & 1 and its re-enable on a fresh ring.
 */
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "term-out.h"
#include "virtio/console.h"
#include "split-ring.h"

#define RAM_GPA		0x10000ULL
#define RAM_SIZE	0x20000ULL
#define QSIZE		32
#define SLOTS		8		/* chains in flight per queue */
#define SLOT_DESCS	4		/* descriptors of slot s: 4s.. */
#define QAREA(q)	(RAM_GPA + 0x3000ULL * (q))
#define AVAIL_OFF	0x1000
#define USED_OFF	0x2000
#define TX_BUFS		(RAM_GPA + 0x6000ULL)
#define TX_MAX		0x2000u
#define TX_TRAILER	0x100u
#define TX_STRIDE	(TX_MAX + TX_TRAILER)
#define RX_BUFS		(TX_BUFS + SLOTS * TX_STRIDE)
#define RX_DESC		0x200u
#define RX_STRIDE	(SLOT_DESCS * RX_DESC)
#define STREAM		(1u << 20)	/* model rings, indexed mod this */
#define MAX_RECORDS	4096

enum { OUT_PIPE, OUT_CB, OUT_NONE };

#define BROKEN(...)							\
	do {								\
		fprintf(stderr, "console-queues: " __VA_ARGS__);	\
		fprintf(stderr, "\n");					\
		abort();						\
	} while (0)

struct chain {
	u16 head;
	u64 end;		/* transmit: stream position after its bytes */
	unsigned int nseg;	/* receive: its writable descriptors */
	u64 seg_gpa[SLOT_DESCS];
	u32 seg_len[SLOT_DESCS];
	u32 cap;
};

/* A queue as the driver sees it: chains in flight, oldest first. */
struct qmodel {
	u16 avail, used;
	u32 first, next;	/* sequence numbers; slot = seq % SLOTS */
	u32 kicked;		/* chains before this one were notified */
	struct chain c[SLOTS];
};

struct fz {
	struct virtio_console con;
	struct term_out out;
	int p[2];
	int mode;
	bool emerg, running;
	struct qmodel q[2];
	/* The guest's transmit bytes by position; those below tx_acc went. */
	u64 tx_posted, tx_acc;
	/* The host stream: acc bytes accepted by the output, rd read. */
	u64 acc, rd, bytes_in;
	unsigned int rooms;
};

static u8 *ram, *shadow;
static struct guest_mem mem;
static struct fz F;
static u8 txm[STREAM], xs[STREAM];

static void sig_used(struct virtio_device *vdev, struct virtq *vq)
{
}

static void sig_config(struct virtio_device *vdev)
{
}

static const struct virtio_transport_ops transport = {
	.name = "fuzz", .signal_used = sig_used, .signal_config = sig_config,
};

static void room(void *opaque)
{
	((struct fz *)opaque)->rooms++;
}

/* The status port's way: bytes to a callback, each the next one written. */
static void tx_cb(void *opaque, const u8 *buf, size_t len)
{
	struct fz *f = opaque;
	size_t i;

	if (f->tx_acc + len > f->tx_posted)
		BROKEN("%zu bytes to the callback, %llu left to send", len,
		       (unsigned long long)(f->tx_posted - f->tx_acc));
	for (i = 0; i < len; i++, f->tx_acc++)
		if (buf[i] != txm[f->tx_acc % STREAM])
			BROKEN("byte %llu to the callback is %#x, written %#x",
			       (unsigned long long)f->tx_acc, buf[i],
			       txm[f->tx_acc % STREAM]);
	f->acc = f->tx_acc;
}

/* The driver's writes go to guest RAM and to its shadow alike. */
static void put(u64 gpa, const void *src, size_t len)
{
	memcpy(ram + (gpa - RAM_GPA), src, len);
	memcpy(shadow + (gpa - RAM_GPA), src, len);
}

static void fill(u64 gpa, int c, size_t len)
{
	memset(ram + (gpa - RAM_GPA), c, len);
	memset(shadow + (gpa - RAM_GPA), c, len);
}

static void desc(unsigned int q, u16 i, u64 addr, u32 len, u16 flags,
		 u16 next)
{
	u8 d[16];

	split_desc_put(d, addr, len, flags, next);
	put(QAREA(q) + 16ULL * i, d, sizeof(d));
}

static void make_avail(struct qmodel *m, unsigned int q, u16 head)
{
	u64 off = QAREA(q) + AVAIL_OFF - RAM_GPA;
	u16 idx = m->avail;

	split_avail_put(shadow + off, &idx, QSIZE, head);
	split_avail_put(ram + off, &m->avail, QSIZE, head);
}

/* The oldest chain in flight on q, if the device used one: its length. */
static struct chain *next_used(struct fz *f, unsigned int q, u32 *len)
{
	struct qmodel *m = &f->q[q];
	const u8 *us = ram + (QAREA(q) + USED_OFF - RAM_GPA);
	u16 idx = le16toh(__atomic_load_n((const u16 *)(us + 2),
					  __ATOMIC_ACQUIRE));
	struct chain *c;
	u32 id, l;

	if (idx == m->used)
		return NULL;
	if (m->first == m->next)
		BROKEN("queue %u: a used entry with no chain in flight", q);
	memcpy(&id, us + 4 + 8 * (m->used % QSIZE), 4);
	memcpy(&l, us + 8 + 8 * (m->used % QSIZE), 4);
	c = &m->c[m->first % SLOTS];
	if (le32toh(id) != c->head)
		BROKEN("queue %u: head %u used, %u is the oldest in flight", q,
		       le32toh(id), c->head);
	m->used++;
	m->first++;
	*len = le32toh(l);
	return c;
}

/* A queue on a fresh ring: nothing in flight, the model forgets. */
static void queue_fresh(struct fz *f, unsigned int q)
{
	struct virtio_device *v = &f->con.vdev;

	fill(QAREA(q), 0, 0x3000);
	memset(&f->q[q], 0, sizeof(f->q[q]));
	if (q == VIRTIO_CONSOLE_TXQ)
		f->tx_posted = f->tx_acc;	/* the rest is not sent */
	virtio_queue_set_size(v, q, QSIZE);
	virtio_queue_set_addr(v, q, VIRTIO_AREA_DESC, QAREA(q));
	virtio_queue_set_addr(v, q, VIRTIO_AREA_DRIVER, QAREA(q) + AVAIL_OFF);
	virtio_queue_set_addr(v, q, VIRTIO_AREA_DEVICE, QAREA(q) + USED_OFF);
	virtio_queue_set_ready(v, q, true);
}

static void start(struct fz *f)
{
	struct virtio_device *v = &f->con.vdev;
	u8 st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	u64 feat = VIRTIO_BIT(VIRTIO_F_VERSION_1);
	unsigned int rooms = f->rooms;

	if (f->emerg)
		feat |= VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE);
	virtio_set_status(v, 0);
	virtio_set_status(v, st);
	virtio_set_driver_features(v, 0, (u32)feat);
	virtio_set_driver_features(v, 1, (u32)(feat >> 32));
	virtio_set_status(v, st |= VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_get_status(v) & VIRTIO_STATUS_FEATURES_OK))
		BROKEN("features %llx refused", (unsigned long long)feat);
	queue_fresh(f, VIRTIO_CONSOLE_RXQ);
	queue_fresh(f, VIRTIO_CONSOLE_TXQ);
	virtio_set_status(v, st | VIRTIO_STATUS_DRIVER_OK);
	f->running = true;
	if (f->rooms == rooms)
		BROKEN("DRIVER_OK did not ask for input");
}

static void stop(struct fz *f)
{
	virtio_set_status(&f->con.vdev, 0);
	fill(QAREA(0), 0, 0x6000);
	memset(f->q, 0, sizeof(f->q));
	f->tx_posted = f->tx_acc;
	f->running = false;
}

/* What the output holds (pipe and buffer) or was read: its position. */
static u64 accepted(struct fz *f)
{
	int n = 0;

	if (ioctl(f->p[0], FIONREAD, &n) < 0)
		BROKEN("FIONREAD: %m");
	return f->rd + (u64)n + term_out_pending(&f->out);
}

/*
 * Bring the model up to what the output accepted since the last record:
 * the emergency byte `emerg` (>= 0) alone, or transmit bytes.
 */
static void account(struct fz *f, int emerg)
{
	u64 a, d, i;

	if (f->mode == OUT_NONE) {
		/* Nothing to see but the count. */
		a = f->con.bytes_out;
		if (a < f->tx_acc || a > f->tx_posted)
			BROKEN("%llu bytes out of %llu written, %llu before",
			       (unsigned long long)a,
			       (unsigned long long)f->tx_posted,
			       (unsigned long long)f->tx_acc);
		f->tx_acc = f->acc = a;
		return;
	}
	if (f->mode == OUT_CB) {
		if (emerg >= 0)
			BROKEN("an emergency write reached no output");
		if (f->con.bytes_out != f->acc)
			BROKEN("bytes_out %llu, the callback had %llu",
			       (unsigned long long)f->con.bytes_out,
			       (unsigned long long)f->acc);
		return;
	}
	a = accepted(f);
	if (a < f->acc)
		BROKEN("the output went back from %llu to %llu bytes",
		       (unsigned long long)f->acc, (unsigned long long)a);
	d = a - f->acc;
	if (emerg >= 0) {
		if (d != 1)
			BROKEN("an emergency write, %llu bytes out",
			       (unsigned long long)d);
		xs[f->acc++ % STREAM] = (u8)emerg;
	} else {
		if (f->tx_acc + d > f->tx_posted)
			BROKEN("%llu bytes out, %llu written and not sent",
			       (unsigned long long)d,
			       (unsigned long long)(f->tx_posted - f->tx_acc));
		for (i = 0; i < d; i++)
			xs[f->acc++ % STREAM] = txm[f->tx_acc++ % STREAM];
	}
	if (f->con.bytes_out != f->acc)
		BROKEN("bytes_out %llu, the output took %llu",
		       (unsigned long long)f->con.bytes_out,
		       (unsigned long long)f->acc);
}

/* The reader takes up to max bytes: each the stream's next one. */
static size_t reader(struct fz *f, size_t max)
{
	u8 buf[4096];
	size_t got = 0;
	ssize_t n, i;

	while (got < max) {
		n = read(f->p[0], buf, MIN(sizeof(buf), max - got));
		if (n <= 0)
			break;
		for (i = 0; i < n; i++, f->rd++) {
			if (f->rd >= f->acc)
				BROKEN("byte %llu read, %llu accepted",
				       (unsigned long long)f->rd,
				       (unsigned long long)f->acc);
			if (buf[i] != xs[f->rd % STREAM])
				BROKEN("byte %llu out is %#x, expected %#x",
				       (unsigned long long)f->rd, buf[i],
				       xs[f->rd % STREAM]);
		}
		got += (size_t)n;
	}
	return got;
}

/* Transmit chains used since the last look: in order, length 0, sent. */
static void reap_tx(struct fz *f)
{
	struct chain *c;
	u32 len;

	while ((c = next_used(f, VIRTIO_CONSOLE_TXQ, &len))) {
		if (len)
			BROKEN("a transmit chain used with length %u", len);
		if (c->end > f->tx_acc)
			BROKEN("a transmit chain used with %llu of its bytes not out",
			       (unsigned long long)(c->end - f->tx_acc));
	}
}

/* Every notified transmit chain used? */
static void tx_all_used(struct fz *f, const char *when)
{
	struct qmodel *m = &f->q[VIRTIO_CONSOLE_TXQ];

	if (f->running && (s32)(m->kicked - m->first) > 0)
		BROKEN("%u notified transmit chains not used %s",
		       m->kicked - m->first, when);
}

/* The reader drains everything; the guest's output must all come out. */
static void drain(struct fz *f)
{
	unsigned int rounds = 0;

	for (;;) {
		size_t n = reader(f, SIZE_MAX);
		u64 before = f->acc;

		term_out_service(&f->out);
		account(f, -1);
		reap_tx(f);
		if (!n && f->acc == before && !term_out_pending(&f->out))
			break;
		if (++rounds > 100000)
			BROKEN("the output never empties");
	}
	if (f->rd != f->acc)
		BROKEN("%llu bytes accepted, %llu read",
		       (unsigned long long)f->acc, (unsigned long long)f->rd);
	tx_all_used(f, "once the output drained");
}

static void do_tx(struct fz *f, u8 shape, const u8 *p, size_t n)
{
	struct qmodel *m = &f->q[VIRTIO_CONSOLE_TXQ];
	bool trailer = shape & 4;
	unsigned int nd = MIN(1u + (shape & 3), trailer ? 3u : 4u), i;
	u32 rep = 1u << (shape >> 3 & 7), len, cut[5];
	u64 buf, k;
	struct chain *c;
	u16 head;

	if (!f->running || m->next - m->first == SLOTS)
		return;
	len = (u32)MIN((u64)n * rep, (u64)TX_MAX);
	c = &m->c[m->next % SLOTS];
	head = (u16)(m->next % SLOTS * SLOT_DESCS);
	buf = TX_BUFS + (u64)(m->next % SLOTS) * TX_STRIDE;
	for (k = 0; k < len; k++) {
		u8 b = p[k % n];

		put(buf + k, &b, 1);
		txm[(f->tx_posted + k) % STREAM] = b;
	}
	for (i = 0; i <= nd; i++)
		cut[i] = (u32)((u64)len * i / nd);
	for (i = 0; i < nd; i++)
		desc(VIRTIO_CONSOLE_TXQ, head + i, buf + cut[i],
		     cut[i + 1] - cut[i],
		     i + 1 < nd || trailer ? VIRTQ_DESC_F_NEXT : 0,
		     head + i + 1);
	if (trailer)
		desc(VIRTIO_CONSOLE_TXQ, head + nd, buf + TX_MAX, TX_TRAILER,
		     VIRTQ_DESC_F_WRITE, 0);
	f->tx_posted += len;
	c->head = head;
	c->end = f->tx_posted;
	m->next++;
	make_avail(m, VIRTIO_CONSOLE_TXQ, head);
	if (!(shape & 0x40)) {
		m->kicked = m->next;
		virtio_queue_notify(&f->con.vdev, VIRTIO_CONSOLE_TXQ);
	}
}

static void kick_rx(struct fz *f)
{
	unsigned int rooms = f->rooms;

	virtio_queue_notify(&f->con.vdev, VIRTIO_CONSOLE_RXQ);
	if (f->running && f->rooms != rooms + 1)
		BROKEN("a receive notify asked for input %u times",
		       f->rooms - rooms);
}

static void do_rx_post(struct fz *f, u8 shape, const u8 *p, size_t n)
{
	struct qmodel *m = &f->q[VIRTIO_CONSOLE_RXQ];
	size_t pos = 0;

	if (!f->running)
		return;
	while (pos < n && m->next - m->first < SLOTS) {
		struct chain *c = &m->c[m->next % SLOTS];
		u16 head = (u16)(m->next % SLOTS * SLOT_DESCS);
		u64 buf = RX_BUFS + (u64)(m->next % SLOTS) * RX_STRIDE;
		bool writing = false;
		unsigned int i;

		c->head = head;
		c->nseg = 0;
		c->cap = 0;
		for (i = 0; i < SLOT_DESCS && pos < n; i++) {
			u8 b = p[pos++];
			u32 len = (b & 0x3f) * 8u;
			bool last = (b & 0x80) || i + 1 == SLOT_DESCS ||
				    pos == n;

			writing |= !(b & 0x40);
			desc(VIRTIO_CONSOLE_RXQ, head + i, buf + i * RX_DESC,
			     len, (writing ? VIRTQ_DESC_F_WRITE : 0) |
			     (last ? 0 : VIRTQ_DESC_F_NEXT), head + i + 1);
			if (writing) {
				c->seg_gpa[c->nseg] = buf + i * RX_DESC;
				c->seg_len[c->nseg++] = len;
				c->cap += len;
			}
			if (last)
				break;
		}
		m->next++;
		make_avail(m, VIRTIO_CONSOLE_RXQ, head);
	}
	if (!(shape & 1))
		kick_rx(f);
}

/* Host input: the model fills the chains in flight, oldest first. */
static void do_sink(struct fz *f, const u8 *p, size_t n)
{
	size_t taken = virtio_console_sink(&f->con, p, n), t = 0;
	struct qmodel *m = &f->q[VIRTIO_CONSOLE_RXQ];

	while (t < n && m->first != m->next) {
		u32 want = (u32)MIN((size_t)m->c[m->first % SLOTS].cap, n - t);
		struct chain *c;
		unsigned int i;
		u32 len, w;

		c = next_used(f, VIRTIO_CONSOLE_RXQ, &len);
		if (!c)
			BROKEN("input left (%zu of %zu) and a receive chain not used",
			       n - t, n);
		if (len != want)
			BROKEN("a receive chain of %u used with length %u, %u written",
			       c->cap, len, want);
		for (i = 0; i < c->nseg && want; i++) {
			w = MIN(want, c->seg_len[i]);
			memcpy(shadow + (c->seg_gpa[i] - RAM_GPA), p + t, w);
			t += w;
			want -= w;
		}
	}
	if (taken != t)
		BROKEN("the sink took %zu of %zu, the buffers %zu", taken, n, t);
	f->bytes_in += t;
	if (f->con.bytes_in != f->bytes_in)
		BROKEN("bytes_in %llu, %llu taken",
		       (unsigned long long)f->con.bytes_in,
		       (unsigned long long)f->bytes_in);
}

static void do_config(struct fz *f, u8 shape, const u8 *p, size_t n)
{
	u8 val[8] = { 0 }, got[VIRTIO_CONSOLE_CFG_SIZE], want[sizeof(got)];
	u32 off = shape % 13, w = 1u << (shape >> 4 & 3);
	bool emerg = f->running && f->emerg && f->mode == OUT_PIPE &&
		     off == VIRTIO_CONSOLE_CFG_EMERG_WR &&
		     off + w <= VIRTIO_CONSOLE_CFG_SIZE;
	u32 one = htole32(1);

	memcpy(val, p, MIN(n, sizeof(val)));
	virtio_config_write(&f->con.vdev, off, val, w);
	account(f, emerg ? val[0] : -1);
	memset(want, 0, sizeof(want));
	memcpy(want + VIRTIO_CONSOLE_CFG_MAX_PORTS, &one, 4);
	virtio_config_read(&f->con.vdev, 0, got, sizeof(got));
	if (memcmp(got, want, sizeof(got)))
		BROKEN("config space changed by a write of %u at %u", w, off);
}

/* Nothing but the used rings and the used receive bytes changed? */
static void check_ram(void)
{
	u64 a = 0, b, q;

	for (q = 0; q <= 2; q++) {
		b = q < 2 ? QAREA(q) + USED_OFF - RAM_GPA : RAM_SIZE;
		if (memcmp(ram + a, shadow + a, b - a)) {
			while (ram[a] == shadow[a])
				a++;
			BROKEN("guest RAM at %#llx written: %#x, was %#x",
			       (unsigned long long)(RAM_GPA + a), ram[a],
			       shadow[a]);
		}
		a = b + 0x1000;
	}
}

static void setup(void)
{
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shadow = malloc(RAM_SIZE);
	if (ram == MAP_FAILED || !shadow ||
	    guest_mem_add(&mem, RAM_GPA, RAM_SIZE, ram, false))
		abort();
	log_set_level(LOG_ERROR);
}

static void begin(struct fz *f, u8 cfg)
{
	memset(f, 0, sizeof(*f));
	f->p[0] = f->p[1] = -1;
	f->emerg = cfg & 1;
	f->mode = (cfg >> 1 & 3) == 3 ? OUT_PIPE : cfg >> 1 & 3;
	if (f->mode == OUT_PIPE) {
		if (pipe2(f->p, O_NONBLOCK | O_CLOEXEC))
			BROKEN("pipe: %m");
		if ((cfg & 8) && fcntl(f->p[0], F_SETPIPE_SZ, 4096) < 0)
			BROKEN("F_SETPIPE_SZ: %m");
		if (term_out_init(&f->out, f->p[1]))
			abort();
	}
	if (virtio_console_init(&f->con, &mem, "virtio-console.2",
				f->mode == OUT_PIPE ? &f->out : NULL, -1))
		abort();
	virtio_device_set_transport(&f->con.vdev, &transport, NULL);
	virtio_console_set_room_cb(&f->con, room, f);
	if (f->mode == OUT_CB)
		virtio_console_set_tx_cb(&f->con, tx_cb, f);
	memset(ram, 0xa5, RAM_SIZE);
	memset(shadow, 0xa5, RAM_SIZE);
	if (virtio_console_sink(&f->con, (const u8 *)"x", 1))
		BROKEN("input taken before DRIVER_OK");
	start(f);
}

static void end(struct fz *f)
{
	if (f->mode == OUT_PIPE) {
		drain(f);
		check_ram();
	}
	virtio_console_destroy(&f->con);
	if (f->mode == OUT_PIPE) {
		term_out_destroy(&f->out);
		close(f->p[0]);
		close(f->p[1]);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz *f = &F;
	unsigned int records = 0;
	size_t pos = 1;

	if (!ram)
		setup();
	if (!size)
		return 0;
	begin(f, data[0]);
	while (pos + 4 <= size && records++ < MAX_RECORDS) {
		u8 kind = data[pos], shape = data[pos + 1];
		size_t n = data[pos + 2] | (size_t)data[pos + 3] << 8;
		const u8 *p = data + pos + 4;

		pos += 4;
		n = MIN(n, size - pos);
		pos += n;
		switch (kind & 7) {
		case 0:
			if (n)
				do_tx(f, shape, p, n);
			break;
		case 1:
			do_rx_post(f, shape, p, n);
			break;
		case 2:
			do_sink(f, p, n);
			break;
		case 3:
			if (f->mode != OUT_PIPE)
				break;
			if (shape == 255) {
				drain(f);
				break;
			}
			reader(f, (shape + 1u) * 64);
			term_out_service(&f->out);
			break;
		case 4:
			do_config(f, shape, p, n);
			break;
		case 5:
			f->q[VIRTIO_CONSOLE_TXQ].kicked =
				f->q[VIRTIO_CONSOLE_TXQ].next;
			virtio_queue_notify(&f->con.vdev, VIRTIO_CONSOLE_TXQ);
			if (!(shape & 1))
				kick_rx(f);
			break;
		case 6:
			/* Bytes accepted before the reset stay accepted. */
			account(f, -1);
			reap_tx(f);
			if (shape & 1)
				stop(f);
			else
				start(f);
			break;
		default:
			if (!f->running)
				break;
			account(f, -1);
			reap_tx(f);
			virtio_queue_set_ready(&f->con.vdev, shape & 1, false);
			queue_fresh(f, shape & 1);
			break;
		}
		account(f, -1);
		reap_tx(f);
		if (f->mode != OUT_PIPE)
			tx_all_used(f, "with the output always ready");
		if (next_used(f, VIRTIO_CONSOLE_RXQ, &(u32){ 0 }))
			BROKEN("a receive chain used without input");
		if (virtio_get_status(&f->con.vdev) &
		    VIRTIO_STATUS_DEVICE_NEEDS_RESET)
			BROKEN("the device asked for a reset");
		check_ram();
	}
	end(f);
	return 0;
}

#define FUZZ_REPLAY_MAX (1 << 18)
#include "replay.h"
