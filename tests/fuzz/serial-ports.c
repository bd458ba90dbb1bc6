// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for a hostile guest on the 16550A UART's ports
 * (devices/serial8250.c), with its output going through the console's
 * output buffer (vmm/term-out.c) to a 4 KiB pipe whose reader the input
 * also drives: reading slowly, not at all, or draining it.
 *
 * Input: 4-byte operations until the end:
 *   u8 kind, u8 a, u8 b, u8 c
 *   kind % 6: 0 write register a % 8 = b; 1 read register a % 8;
 *             2 host input: c % 24 bytes from b on (b, b + 1, ...);
 *             3 the reader takes up to (a << 4) bytes, then the I/O
 *               thread's POLLOUT pass (term_out_service); 4 a 16/32-bit
 *               access (b & 1: write of value c) at register a % 8;
 *             5 a burst: c % 32 THR writes of b, b + 1, ...
 *
 * Invariants (abort = finding), beyond "no crash":
 * - bytes out = bytes written to THR (outside DLAB and loopback), in
 *   order, none lost: the reader's bytes are always a prefix of them, and
 *   after a final drain they are all of them (the input cannot write the
 *   hard cap's 1 MiB, so nothing may be dropped);
 * - register read-back: SCR, LCR as written; IER as written & 0x0f; MCR
 *   & 0x1f; DLL/DLM under DLAB;
 * - THRE = TEMT; THRE clear only while output waits in the buffer, and
 *   set once the reader has drained everything;
 * - received bytes come out of RBR in the order the host gave them, never
 *   more than the FIFO holds;
 * - loopback: THR bytes come back out of RBR in order, up to the FIFO's
 *   size (16, or 1 with the FIFO off), and one more sets LSR.OE, seen by
 *   the next LSR read;
 * - the interrupt line: only changes are sent; it is low while MCR.OUT2 is
 *   clear or loopback is on; at an IIR read it is high exactly when IIR
 *   shows an interrupt (and OUT2 is set outside loopback).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "devices/serial8250.h"
#include "log.h"
#include "term-out.h"

#define BASE	0x3f8
#define MAX_OPS	4096
#define MAX_TX	(MAX_OPS * 32 + 64)

enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };

struct fz {
	struct bus bus;
	struct serial8250 u;
	struct term_out out;
	int p[2];
	struct irq_line irq;
	/* What the guest wrote to THR for output, and what came out. */
	u8 tx[MAX_TX];
	size_t tx_len, rx_pos;
	/* Shadows for read-back. */
	u8 lcr, scr, ier, mcr, dll, dlm;
	/* Host input accepted, in order, while the model is in sync. */
	u8 in_q[64];
	unsigned int in_head, in_len;
	bool in_sync;
	bool fifo_en;		/* FCR bit 0 as last written */
	bool expect_oe;		/* a loopback byte found the FIFO full */
	int level, level_calls;
};

static struct fz *fz_of_line;

static void fz_level(struct irq_line *line, int level)
{
	struct fz *f = fz_of_line;

	if (f->level_calls++ && level == f->level)
		abort();	/* the same level sent twice */
	f->level = level;
}

static u8 rd(struct fz *f, unsigned int reg)
{
	u8 v = 0;

	bus_access(&f->bus, NULL, BASE + reg, &v, 1, false);
	return v;
}

static void wr(struct fz *f, unsigned int reg, u8 v)
{
	bus_access(&f->bus, NULL, BASE + reg, &v, 1, true);
}

/* The reader takes up to max bytes; each must be the next one written. */
static void reader(struct fz *f, size_t max)
{
	u8 buf[4096];

	while (max) {
		ssize_t n = read(f->p[0], buf, max < sizeof(buf) ? max : sizeof(buf));

		if (n <= 0)
			break;
		if (f->rx_pos + (size_t)n > f->tx_len ||
		    memcmp(buf, f->tx + f->rx_pos, (size_t)n))
			abort();	/* a byte out that was not written */
		f->rx_pos += (size_t)n;
		max -= (size_t)n;
	}
	term_out_service(&f->out);
}

static void note_thr(struct fz *f, u8 v)
{
	if (f->lcr & 0x80)
		return;
	if (f->mcr & 0x10) {
		/* Loopback: into the receive FIFO, or an overrun. */
		if (!f->in_sync)
			return;
		if (f->in_len < (f->fifo_en ? 16u : 1u))
			f->in_q[(f->in_head + f->in_len++) %
				sizeof(f->in_q)] = v;
		else
			f->expect_oe = true;
		return;
	}
	if (f->tx_len < MAX_TX)
		f->tx[f->tx_len++] = v;
}

/* Follow a register write in the shadows (before it reaches the UART). */
static void shadow_write(struct fz *f, unsigned int reg, u8 v)
{
	switch (reg) {
	case RBR:
		if (f->lcr & 0x80)
			f->dll = v;
		else
			note_thr(f, v);
		break;
	case IER:
		if (f->lcr & 0x80)
			f->dlm = v;
		else
			f->ier = v & 0x0f;
		break;
	case IIR:
		f->in_sync = false;	/* FIFO enable/clear */
		f->fifo_en = v & 1;
		break;
	case LCR:
		f->lcr = v;
		break;
	case MCR:
		f->mcr = v & 0x1f;
		break;
	case SCR:
		f->scr = v;
		break;
	}
}

static void reg_write(struct fz *f, unsigned int reg, u8 v)
{
	shadow_write(f, reg, v);
	wr(f, reg, v);
}

/* An LSR value read: an expected overrun shows, once. */
static void check_oe(struct fz *f, u8 lsr)
{
	if (f->expect_oe && !(lsr & 0x02))
		abort();	/* loopback overrun not reported */
	f->expect_oe = false;
}

/* An IIR value read: the line was high exactly for a pending interrupt. */
static void check_iir(struct fz *f, int level, u8 iir)
{
	bool gated = (f->mcr & 0x18) != 0x08;	/* OUT2 clear or loopback */

	if (level != (!(iir & 0x01) && !gated))
		abort();
}

/* After any access: no interrupt leaves the chip while gated. */
static void check_gate(struct fz *f)
{
	if ((f->mcr & 0x18) != 0x08 && f->level)
		abort();
}

static void reg_read(struct fz *f, unsigned int reg)
{
	u8 lsr, v;
	int lvl;

	switch (reg) {
	case RBR:
		if (f->lcr & 0x80) {
			if (rd(f, RBR) != f->dll)
				abort();
			break;
		}
		lsr = rd(f, LSR);
		check_oe(f, lsr);
		v = rd(f, RBR);
		if ((lsr & 0x01) && f->in_sync) {
			if (!f->in_len || v != f->in_q[f->in_head])
				abort();	/* out of order or invented */
			f->in_head = (f->in_head + 1) % sizeof(f->in_q);
			f->in_len--;
		}
		break;
	case IER:
		if (rd(f, IER) != ((f->lcr & 0x80) ? f->dlm : f->ier))
			abort();
		break;
	case LCR:
		if (rd(f, LCR) != f->lcr)
			abort();
		break;
	case MCR:
		if (rd(f, MCR) != f->mcr)
			abort();
		break;
	case SCR:
		if (rd(f, SCR) != f->scr)
			abort();
		break;
	case IIR:
		/* The level the state before this read gave. */
		lvl = f->level;
		check_iir(f, lvl, rd(f, IIR));
		break;
	case LSR:
		lsr = rd(f, LSR);
		check_oe(f, lsr);
		if (!!(lsr & 0x20) != !!(lsr & 0x40))
			abort();	/* THRE != TEMT */
		if (!(lsr & 0x20) && !term_out_pending(&f->out))
			abort();	/* busy with nothing waiting */
		if (!(lsr & 0x01)) {
			/* FIFO empty: the model starts over, in sync. */
			f->in_len = 0;
			f->in_sync = true;
		}
		break;
	default:
		(void)rd(f, reg);
	}
}

static void host_input(struct fz *f, u8 first, unsigned int n)
{
	u8 buf[24];
	size_t i, took;

	for (i = 0; i < n; i++)
		buf[i] = (u8)(first + i);
	took = serial8250_receive(&f->u, buf, n);
	if (took > 16)
		abort();
	for (i = 0; i < took && f->in_sync; i++) {
		if (f->in_len == sizeof(f->in_q))
			abort();
		f->in_q[(f->in_head + f->in_len++) % sizeof(f->in_q)] = buf[i];
	}
	if (f->in_len > 16)
		abort();	/* more than a FIFO's worth accepted */
}

static int fz_setup(struct fz *f)
{
	memset(f, 0, sizeof(*f));
	fz_of_line = f;
	f->irq.set_level = fz_level;
	f->in_sync = true;
	f->dll = 12;		/* power-on divisor: 9600 baud */
	bus_init(&f->bus, "pio");
	if (pipe(f->p))
		return -1;
	fcntl(f->p[0], F_SETFL, O_NONBLOCK);
	fcntl(f->p[0], F_SETPIPE_SZ, 4096);
	if (term_out_init(&f->out, f->p[1]))
		return -1;
	return serial8250_init(&f->u, &f->bus, "ttyS0", BASE, &f->irq,
			       &f->out);
}

static void fz_teardown(struct fz *f)
{
	serial8250_exit(&f->u);
	term_out_destroy(&f->out);
	bus_destroy(&f->bus);
	close(f->p[0]);
	close(f->p[1]);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	size_t i, ops = 0;
	int rounds;

	if (fz_setup(&f))
		abort();
	for (i = 0; i + 4 <= size && ops < MAX_OPS; i += 4, ops++) {
		u8 kind = data[i] % 6, a = data[i + 1], b = data[i + 2];
		u8 c = data[i + 3], w[4];
		unsigned int k;

		switch (kind) {
		case 0:
			reg_write(&f, a % 8, b);
			check_gate(&f);
			break;
		case 1:
			reg_read(&f, a % 8);
			check_gate(&f);
			break;
		case 2:
			host_input(&f, b, c % 24);
			break;
		case 3:
			reader(&f, (size_t)a << 4);
			break;
		case 4:
			/* Wide: the bus splits it into bytes, in order. */
			memset(w, c, sizeof(w));
			if (b & 1) {
				/* One crossing the device's end is ignored. */
				for (k = 0; k < 2 && a % 8 < 7; k++)
					shadow_write(&f, a % 8 + k, c);
				bus_access(&f.bus, NULL, BASE + a % 8, w, 2,
					   true);
			} else {
				bus_access(&f.bus, NULL, BASE + a % 8, w,
					   2, false);
				f.in_sync = false;
				f.expect_oe = false;	/* LSR may be read */
			}
			break;
		case 5:
			for (k = 0; k < c % 32u; k++)
				reg_write(&f, RBR, (u8)(b + k));
			break;
		}
	}
	/* The reader drains everything: all of it, in order, THRE back. */
	for (rounds = 0; rounds < 10000 && f.rx_pos < f.tx_len; rounds++)
		reader(&f, (size_t)-1);
	if (f.rx_pos != f.tx_len || f.out.bytes_dropped)
		abort();	/* output lost while its reader lived */
	if (!(rd(&f, LSR) & 0x20))
		abort();	/* drained, yet the transmitter stays busy */
	fz_teardown(&f);
	return 0;
}

#include "replay.h"
