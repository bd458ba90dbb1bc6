// SPDX-License-Identifier: GPL-2.0
/* Unit tests for devices/serial8250.c, driven through the bus like a guest. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "devices/serial8250.h"
#include "tap.h"

#define BASE SERIAL8250_COM1_BASE

enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };
#define FCR IIR
#define THR RBR
#define DLL RBR
#define DLM IER

struct irq_rec {
	struct irq_line line;
	int level;
	unsigned int changes;
};

static void rec_set(struct irq_line *line, int level)
{
	struct irq_rec *r = container_of(line, struct irq_rec, line);

	if (level != r->level)
		r->changes++;
	r->level = level;
}

struct fixture {
	struct bus bus;
	struct serial8250 uart;
	struct irq_rec irq;
	struct term_out out;
	int pipefd[2];
	unsigned int room_calls;
};

static void room_cb(void *opaque)
{
	struct fixture *f = opaque;

	f->room_calls++;
}

static u8 in(struct fixture *f, unsigned int reg)
{
	u8 v = 0;

	bus_access(&f->bus, NULL, BASE + reg, &v, 1, false);
	return v;
}

static void out(struct fixture *f, unsigned int reg, u8 v)
{
	bus_access(&f->bus, NULL, BASE + reg, &v, 1, true);
}

static int setup(struct fixture *f)
{
	int err;

	memset(f, 0, sizeof(*f));
	f->irq.line.set_level = rec_set;
	f->irq.level = -1;
	bus_init(&f->bus, "pio");
	/* Blocking, as stdout usually is; the reader polls its end. */
	if (pipe2(f->pipefd, O_CLOEXEC))
		return -errno;
	fcntl(f->pipefd[0], F_SETFL, O_NONBLOCK);
	err = term_out_init(&f->out, f->pipefd[1]);
	if (err)
		return err;
	err = serial8250_init(&f->uart, &f->bus, "ttyS0", BASE, &f->irq.line,
			      &f->out);
	if (err)
		return err;
	serial8250_set_room_cb(&f->uart, room_cb, f);
	return 0;
}

static void teardown(struct fixture *f)
{
	serial8250_exit(&f->uart);
	term_out_destroy(&f->out);
	bus_destroy(&f->bus);
	close(f->pipefd[0]);
	close(f->pipefd[1]);
}

/* The probe steps Linux's 8250 autoconfig relies on to call it a 16550A. */
static void test_probe(void)
{
	struct fixture f;
	u8 iir, v, status;
	int count;

	ok(setup(&f) == 0, "UART at 0x3f8 registers");
	ok(in(&f, IIR) == 0x01, "reset IIR: no interrupt, FIFO off");
	ok((in(&f, LSR) & 0x60) == 0x60, "LSR: THRE and TEMT set when idle");
	ok(f.irq.level == 0, "line starts low");

	out(&f, IER, 0);
	v = in(&f, IER) & 0x0f;
	out(&f, IER, 0x0f);
	ok(v == 0 && (in(&f, IER) & 0x0f) == 0x0f, "IER low nibble holds");
	out(&f, IER, 0xff);
	ok(in(&f, IER) == 0x0f, "IER bits 4-7 read as zero (no UUE)");
	out(&f, IER, 0);

	out(&f, SCR, 0xa5);
	v = in(&f, SCR);
	out(&f, SCR, 0x5a);
	ok(v == 0xa5 && in(&f, SCR) == 0x5a, "scratch register round trip");

	out(&f, MCR, 0x10 | 0x0a);
	status = in(&f, MSR) & 0xf0;
	out(&f, MCR, 0);
	ok(status == 0x90, "loopback RTS|OUT2 gives MSR 0x90 (got 0x%02x)",
	   status);

	out(&f, LCR, 0xbf);
	out(&f, LCR, 0);
	out(&f, FCR, 0x01);
	iir = in(&f, IIR);
	ok((iir >> 6) == 3, "FIFO enable: IIR bits 6-7 = 11 (IIR 0x%02x)",
	   iir);
	ok((iir & 0x30) == 0, "IIR bits 4-5 clear (no 64-byte FIFO, no EFR)");
	out(&f, LCR, 0x80);
	ok(in(&f, IIR) != 0, "EFR probe at LCR 0x80 reads IIR, not 0");
	out(&f, LCR, 0xbf);
	ok(in(&f, IIR) != 0, "EFR probe at LCR 0xbf reads IIR, not 0");
	out(&f, LCR, 0);
	out(&f, FCR, 0x21);
	ok((in(&f, IIR) >> 5) == 6, "FCR bit 5 does not show in IIR (no 16750)");

	/* Divisor latch round trip, the registers behind it untouched. */
	out(&f, IER, 0x05);
	out(&f, LCR, 0x83);
	out(&f, DLL, 0x01);
	out(&f, DLM, 0x02);
	ok(in(&f, DLL) == 0x01 && in(&f, DLM) == 0x02,
	   "divisor latch round trip");
	out(&f, LCR, 0x03);
	ok(in(&f, IER) == 0x05 && in(&f, LCR) == 0x03,
	   "IER survives divisor writes; LCR reads back");
	out(&f, IER, 0);

	/* size_fifo(): loopback, 256 bytes written, count what arrives. */
	out(&f, FCR, 0x07);
	out(&f, MCR, 0x10);
	for (count = 0; count < 256; count++)
		out(&f, THR, (u8)count);
	for (count = 0; (in(&f, LSR) & 0x01) && count < 256; count++)
		in(&f, RBR);
	ok(count == SERIAL8250_FIFO_SIZE, "loopback FIFO holds %d bytes",
	   count);
	out(&f, MCR, 0);
	ok(f.irq.changes == 1, "no interrupts leaked while probing (%u)",
	   f.irq.changes);
	teardown(&f);
}

static void test_loopback(void)
{
	struct fixture f;
	u8 lsr, buf[32];
	ssize_t n;
	int i, bad = 0;

	setup(&f);
	out(&f, FCR, 0x07);
	out(&f, MCR, 0x10);
	out(&f, THR, 'L');
	ok((in(&f, LSR) & 0x01) && in(&f, RBR) == 'L',
	   "loopback: THR byte comes back on RBR");
	ok(!(in(&f, LSR) & 0x01), "DR clear after reading");
	for (i = 0; i < SERIAL8250_FIFO_SIZE + 1; i++)
		out(&f, THR, (u8)i);
	lsr = in(&f, LSR);
	ok((lsr & 0x03) == 0x03, "loopback overflow sets OE (LSR 0x%02x)", lsr);
	ok(!(in(&f, LSR) & 0x02), "reading LSR clears OE");
	for (i = 0; i < SERIAL8250_FIFO_SIZE; i++)
		if (in(&f, RBR) != i)
			bad++;
	ok(!bad, "loopback FIFO keeps order, overflow byte lost");
	ok(serial8250_receive(&f.uart, (const u8 *)"x", 1) == 0,
	   "host input refused in loopback");
	n = read(f.pipefd[0], buf, sizeof(buf));
	ok(n < 0 && errno == EAGAIN, "loopback bytes never reach the output");
	out(&f, MCR, 0x11);
	in(&f, MSR);
	out(&f, MCR, 0x01);
	ok((in(&f, MSR) & 0x0f) == (0x01 | 0x08),
	   "leaving loopback: DCTS and DDCD deltas reported (DSR stays)");
	ok((in(&f, MSR) & 0x0f) == 0, "MSR read clears deltas");
	teardown(&f);
}

static void test_tx_output(void)
{
	struct fixture f;
	u8 buf[300];
	ssize_t n;
	int i, bad = 0;

	setup(&f);
	out(&f, LCR, 0x03);
	for (i = 0; i < 256; i++)
		out(&f, THR, (u8)i);
	n = read(f.pipefd[0], buf, sizeof(buf));
	for (i = 0; i < 256 && n == 256; i++)
		if (buf[i] != i)
			bad++;
	ok(n == 256 && !bad, "256 bytes reach the pipe byte-exact (%zd)", n);

	/* A dead reader: output is dropped, the UART keeps going. */
	close(f.pipefd[0]);
	f.pipefd[0] = open("/dev/null", O_RDONLY);
	out(&f, THR, 'a');
	out(&f, THR, 'b');
	ok(f.out.failed && (in(&f, LSR) & 0x60) == 0x60,
	   "write error: output dropped, transmitter still idle");
	teardown(&f);
}

/*
 * Nobody reads stdout: the transmitter goes busy (THRE, TEMT clear, no
 * THRE interrupt) instead of blocking the vCPU, and once the reader takes
 * the bytes THRE comes back with its interrupt and every byte arrived in
 * order. Today's code blocked in write() (the alarm fails the test).
 */
static void test_tx_stalled_reader(void)
{
	struct fixture f;
	u8 buf[4096];
	unsigned int i, n = 0, bad = 0, pos = 0;
	ssize_t r;
	bool busy = false;

	setup(&f);
	fcntl(f.pipefd[0], F_SETPIPE_SZ, 4096);
	out(&f, FCR, 0x01);
	out(&f, IER, 0x02);
	out(&f, MCR, 0x0b);
	(void)in(&f, IIR);
	alarm(10);
	/* A driver that waits for THRE, writing up to 16 bytes per THRE. */
	while (n < 2 * TERM_OUT_HARD_CAP) {
		if (!(in(&f, LSR) & 0x20)) {
			busy = true;
			break;
		}
		for (i = 0; i < 16; i++)
			out(&f, THR, (u8)(n++ % 251));
	}
	alarm(0);
	ok(busy && n <= TERM_OUT_SOFT_CAP + 4096 + 16,
	   "unread output: the transmitter goes busy after %u bytes", n);
	ok((in(&f, LSR) & 0x60) == 0 && (in(&f, IIR) & 0x0f) == 0x01 &&
	   f.irq.level == 0,
	   "busy: THRE and TEMT clear, no THRE interrupt, line low");
	out(&f, IER, 0);
	out(&f, IER, 0x02);
	ok((in(&f, IIR) & 0x0f) == 0x01,
	   "re-enabling THRI while busy raises nothing");

	/* The reader wakes up: drain it as the I/O thread would. */
	for (i = 0; i < 1000 && pos < n; i++) {
		while ((r = read(f.pipefd[0], buf, sizeof(buf))) > 0) {
			ssize_t k;

			for (k = 0; k < r; k++)
				if (buf[k] != (u8)((pos + k) % 251))
					bad++;
			pos += (unsigned int)r;
		}
		term_out_service(&f.out);
	}
	ok(pos == n && !bad, "every byte arrives, in order (%u of %u, %u bad)",
	   pos, n, bad);
	ok((in(&f, LSR) & 0x60) == 0x60 && f.irq.level == 1 &&
	   (in(&f, IIR) & 0x0f) == 0x02,
	   "drained: THRE and TEMT set, THRE interrupt raised");
	teardown(&f);
}

/* A guest that ignores THRE still loses nothing up to the hard cap. */
static void test_tx_ignores_thre(void)
{
	struct fixture f;
	u8 buf[4096];
	unsigned int i, n = TERM_OUT_SOFT_CAP * 2, pos = 0, bad = 0;
	ssize_t r;

	setup(&f);
	fcntl(f.pipefd[0], F_SETPIPE_SZ, 4096);
	alarm(10);
	for (i = 0; i < n; i++)
		out(&f, THR, (u8)(i % 253));
	alarm(0);
	ok(!(in(&f, LSR) & 0x20), "writing on while busy: still busy");
	for (i = 0; i < 10000 && pos < n; i++) {
		while ((r = read(f.pipefd[0], buf, sizeof(buf))) > 0) {
			ssize_t k;

			for (k = 0; k < r; k++)
				if (buf[k] != (u8)((pos + k) % 253))
					bad++;
			pos += (unsigned int)r;
		}
		term_out_service(&f.out);
	}
	ok(pos == n && !bad && (in(&f, LSR) & 0x20),
	   "bytes written while busy are kept (%u of %u, %u bad), THRE back",
	   pos, n, bad);
	teardown(&f);
}

static void test_thre_irq(void)
{
	struct fixture f;
	u8 iir1, iir2;

	setup(&f);
	out(&f, FCR, 0x01);
	out(&f, IER, 0x02);
	ok(f.irq.level == 0, "THRI enabled but OUT2 clear: line stays low");
	ok((in(&f, IIR) & 0x0f) == 0x02, "IIR reports THRE without OUT2");
	out(&f, MCR, 0x0b);
	ok(f.irq.level == 0, "IIR read acknowledged THRE: no interrupt");

	/* Linux's THRE re-assert test. */
	out(&f, IER, 0);
	out(&f, IER, 0x02);
	ok(f.irq.level == 1, "THRI 0->1 with THR empty raises the line");
	iir1 = in(&f, IIR);
	ok(f.irq.level == 0, "reading IIR (THRE) drops the line");
	out(&f, IER, 0);
	out(&f, IER, 0x02);
	iir2 = in(&f, IIR);
	ok(iir1 == 0xc2 && iir2 == 0xc2, "THRE reasserted on re-enable");
	out(&f, IER, 0x02);
	ok((in(&f, IIR) & 0x01) == 1, "rewriting IER with THRI set: no new THRE");

	out(&f, THR, 'x');
	ok(f.irq.level == 1, "THR write: THRE pending again, line high");
	out(&f, THR, 'y');
	ok(f.irq.level == 1, "line stays high across writes");
	out(&f, IER, 0);
	ok(f.irq.level == 0, "disabling THRI drops the line");
	out(&f, IER, 0x02);
	ok(f.irq.level == 1, "re-enabling THRI raises it again");
	out(&f, MCR, 0x03);
	ok(f.irq.level == 0, "clearing OUT2 gates the line");
	out(&f, MCR, 0x1b);
	ok(f.irq.level == 0, "loopback gates the line");
	teardown(&f);
}

static void test_rx(void)
{
	struct fixture f;
	u8 data[40];
	size_t n;
	int i, bad = 0;

	setup(&f);
	n = serial8250_receive(&f.uart, (const u8 *)"ab", 2);
	ok(n == 1, "FIFO off: one byte of room (took %zu)", n);
	ok(in(&f, RBR) == 'a' && f.room_calls == 1,
	   "reading it calls the room callback");
	ok(!(in(&f, LSR) & 0x01), "LSR.DR clear when empty");

	out(&f, FCR, 0xc7);
	out(&f, MCR, 0x0b);
	out(&f, IER, 0x01);
	ok(f.irq.level == 0, "RX enabled, FIFO empty: line low");
	n = serial8250_receive(&f.uart, (const u8 *)"h", 1);
	ok(n == 1 && f.irq.level == 1, "one byte in: line high");
	ok(in(&f, IIR) == 0xcc, "below trigger level: IIR timeout 0xcc");
	ok(f.irq.level == 1, "IIR read does not clear RX interrupt");
	ok(in(&f, RBR) == 'h' && f.irq.level == 0, "RBR read empties, line low");

	for (i = 0; i < 40; i++)
		data[i] = (u8)(i + 100);
	n = serial8250_receive(&f.uart, data, 40);
	ok(n == SERIAL8250_FIFO_SIZE, "FIFO on: takes %d of 40 (took %zu)",
	   SERIAL8250_FIFO_SIZE, n);
	ok(in(&f, IIR) == 0xc4, "at trigger level: IIR 0xc4");
	ok(!(in(&f, LSR) & 0x02), "no overrun: the host keeps the rest");
	ok(serial8250_receive(&f.uart, data + n, 40 - n) == 0,
	   "full FIFO takes nothing");
	f.room_calls = 0;
	for (i = 0; i < SERIAL8250_FIFO_SIZE / 2 - 1; i++)
		if (in(&f, RBR) != (u8)(i + 100))
			bad++;
	ok(f.room_calls == 0, "no room call while more than half full");
	in(&f, RBR);
	ok(f.room_calls == 1, "room call once drained to half");
	n += serial8250_receive(&f.uart, data + n, 40 - n);
	for (i = SERIAL8250_FIFO_SIZE / 2; in(&f, LSR) & 0x01; i++)
		if (in(&f, RBR) != (u8)(i + 100))
			bad++;
	ok(!bad && i == (int)n, "bytes come out in order (%d)", i);
	ok(f.irq.level == 0 && (in(&f, IIR) & 0x0f) == 0x01,
	   "drained: line low, IIR no interrupt");

	/* RX outranks THRE. */
	out(&f, IER, 0x03);
	serial8250_receive(&f.uart, (const u8 *)"z", 1);
	ok((in(&f, IIR) & 0x0e) == 0x0c, "RX reported before THRE");
	in(&f, RBR);
	ok((in(&f, IIR) & 0x0f) == 0x02, "then THRE");

	serial8250_receive(&f.uart, (const u8 *)"qq", 2);
	out(&f, FCR, 0xc3);
	ok(!(in(&f, LSR) & 0x01), "FCR clear-RX empties the FIFO");
	teardown(&f);
}

static void test_rts_flow(void)
{
	struct fixture f;

	setup(&f);
	ok(serial8250_receive(&f.uart, (const u8 *)"a", 1) == 1,
	   "MCR never written: input flows");
	in(&f, RBR);
	out(&f, FCR, 0x01);
	out(&f, MCR, 0x09);
	f.room_calls = 0;
	ok(serial8250_receive(&f.uart, (const u8 *)"bc", 2) == 0,
	   "guest wrote MCR with RTS low: input held back");
	out(&f, MCR, 0x0b);
	ok(f.room_calls == 1, "raising RTS calls the room callback");
	ok(serial8250_receive(&f.uart, (const u8 *)"bc", 2) == 2 &&
	   in(&f, RBR) == 'b' && in(&f, RBR) == 'c', "then input flows");
	out(&f, MCR, 0x09);
	ok(serial8250_receive(&f.uart, (const u8 *)"d", 1) == 0,
	   "dropping RTS stops it again");
	teardown(&f);
}

/*
 * A hostile guest: random registers, values and widths. Invariants: the
 * FIFO never holds more than its capacity, the line is high exactly when
 * IIR shows an interrupt with OUT2 set outside loopback, and nothing the
 * guest does makes the host side accept more than there is room for.
 */
static void test_random(void)
{
	unsigned int i, bad_fifo = 0, bad_line = 0, seed = 12345;
	struct fixture f;
	u8 d[40] = { 0 };

	setup(&f);
	f.uart.out = NULL;
	for (i = 0; i < 200000; i++) {
		unsigned int r = rand_r(&seed);
		u32 len = 1u << (r % 3);
		u16 off = (r >> 4) % 9;
		u8 iir, mcr;

		d[0] = (u8)(r >> 8);
		d[1] = (u8)(r >> 16);
		d[2] = (u8)(r >> 24);
		d[3] = d[2];
		if ((r & 0xc000) == 0xc000)
			serial8250_receive(&f.uart, d, (r >> 20) % 40);
		else
			bus_access(&f.bus, NULL, BASE + off, d, len,
				   r & 0x8);
		if (f.uart.rx_count > SERIAL8250_FIFO_SIZE ||
		    (!f.uart.fifo_enabled && f.uart.rx_count > 1))
			bad_fifo++;
		/* Peek without side effects: IIR read could ack THRE. */
		pthread_mutex_lock(&f.uart.lock);
		mcr = f.uart.mcr;
		pthread_mutex_unlock(&f.uart.lock);
		iir = 0;
		if (f.uart.thri_pending && (f.uart.ier & 0x02))
			iir = 1;
		if ((f.uart.ier & 0x01) && f.uart.rx_count)
			iir = 1;
		if ((f.uart.ier & 0x04) && f.uart.lsr_err)
			iir = 1;
		if ((f.uart.ier & 0x08) && f.uart.msr_delta)
			iir = 1;
		if (f.irq.level != (iir && (mcr & 0x18) == 0x08))
			bad_line++;
	}
	ok(!bad_fifo, "random guest: FIFO within capacity (%u bad)", bad_fifo);
	ok(!bad_line && f.irq.changes > 1000,
	   "random guest: line level matches pending interrupts (%u bad, %u changes)",
	   bad_line, f.irq.changes);
	teardown(&f);
}

static void test_wide(void)
{
	struct fixture f;
	u8 d[2] = { 0x11, 0x22 };

	setup(&f);
	/* 16-bit write at SCR-1 (MSR, SCR): split into two byte writes. */
	bus_access(&f.bus, NULL, BASE + MSR, d, 2, true);
	ok(in(&f, SCR) == 0x22, "16-bit write split into bytes");
	memset(d, 0, sizeof(d));
	bus_access(&f.bus, NULL, BASE + LCR, d, 2, false);
	ok(d[0] == 0 && d[1] == 0, "16-bit read of LCR, MCR");
	teardown(&f);
}

/* serial8250_reset(): the registers as at power-on, the line low. */
static void test_reset(void)
{
	struct fixture f;
	u8 lcr, ier, mcr, scr, iir, lsr, dll, dlm;

	setup(&f);
	out(&f, FCR, 0xc7);
	out(&f, MCR, 0x0b);
	out(&f, IER, 0x0f);
	out(&f, SCR, 0x5a);
	out(&f, LCR, 0x80);
	out(&f, DLL, 0x01);
	out(&f, DLM, 0x02);
	out(&f, LCR, 0x03);
	serial8250_receive(&f.uart, (const u8 *)"xyz", 3);
	ok(f.irq.level == 1 && (in(&f, LSR) & 0x01),
	   "before the reset: bytes waiting, line high");
	serial8250_reset(&f.uart);
	ier = in(&f, IER);
	iir = in(&f, IIR);
	lcr = in(&f, LCR);
	mcr = in(&f, MCR);
	lsr = in(&f, LSR);
	scr = in(&f, SCR);
	out(&f, LCR, 0x80);
	dll = in(&f, DLL);
	dlm = in(&f, DLM);
	ok(!ier && iir == 0x01 && !lcr && !mcr && !scr,
	   "after it: IER, LCR, MCR, SCR 0, IIR 0x01 (FIFO off)");
	ok(!(lsr & 0x01) && (lsr & 0x60) == 0x60,
	   "receive FIFO empty, transmitter idle (LSR 0x%02x)", lsr);
	ok(dll == 12 && dlm == 0, "divisor back to 12 (9600 baud)");
	ok(f.irq.level == 0, "interrupt line low");
	teardown(&f);
}

/*
 * serial8250_break(): a NUL with LSR.BI once it is at the head of the
 * FIFO, a line status interrupt, then the key as plain data: Linux's
 * 8250 driver takes that as a magic SysRq on its console.
 */
static void test_break(void)
{
	struct fixture f;
	u8 key = 'h', lsr, c;

	setup(&f);
	ok(serial8250_break(&f.uart, &key, 1) == -ENOSPC,
	   "FIFO off: no room for a break and a key (-ENOSPC)");
	out(&f, FCR, 0x07);
	out(&f, MCR, 0x0b);		/* DTR, RTS, OUT2 */
	out(&f, IER, 0x05);		/* RDI + RLSI */
	ok(serial8250_receive(&f.uart, (const u8 *)"ab", 2) == 2,
	   "two bytes of ordinary input first");
	ok(serial8250_break(&f.uart, &key, 1) == 0, "a break and 'h' queued");
	ok((in(&f, IIR) & 0x0f) == 0x0c || (in(&f, IIR) & 0x0f) == 0x04,
	   "data ahead of the break: a receive interrupt, not line status");
	lsr = in(&f, LSR);
	c = in(&f, RBR);
	ok(!(lsr & 0x10) && c == 'a', "'a' comes without BI (lsr 0x%x)", lsr);
	lsr = in(&f, LSR);
	c = in(&f, RBR);
	ok(!(lsr & 0x10) && c == 'b', "'b' too");
	ok((in(&f, IIR) & 0x0f) == 0x06 && f.irq.level == 1,
	   "the break at the head: a line status interrupt");
	lsr = in(&f, LSR);
	ok((lsr & 0x11) == 0x11, "LSR shows BI and DR (0x%x)", lsr);
	ok(!(in(&f, LSR) & 0x10), "BI shows once: a second LSR read clears it");
	c = in(&f, RBR);
	ok(c == 0, "the break's byte is a NUL");
	lsr = in(&f, LSR);
	c = in(&f, RBR);
	ok(!(lsr & 0x10) && (lsr & 1) && c == 'h',
	   "then the key, as plain data");
	ok(!(in(&f, LSR) & 1) && f.irq.level == 0, "nothing more, line low");

	{
		u8 fill[SERIAL8250_FIFO_SIZE - 1] = { 0 };

		serial8250_receive(&f.uart, fill, sizeof(fill));
		ok(serial8250_break(&f.uart, &key, 1) == -EAGAIN &&
		   f.uart.rx_count == SERIAL8250_FIFO_SIZE - 1,
		   "one byte of room: -EAGAIN, nothing queued (all or nothing)");
	}
	out(&f, FCR, 0x07);
	out(&f, MCR, 0x09);		/* RTS low */
	ok(serial8250_break(&f.uart, &key, 1) == -EPIPE,
	   "RTS low: the guest takes no input (-EPIPE)");
	out(&f, MCR, 0x0b);
	ok(serial8250_break(&f.uart, NULL, 0) == 0 &&
	   (in(&f, LSR) & 0x11) == 0x11 && in(&f, RBR) == 0,
	   "a bare break");
	ok(serial8250_break(&f.uart, &key, 1) == 0, "queued again");
	out(&f, FCR, 0x07);
	ok(!(in(&f, LSR) & 0x11) && !f.uart.rx_brk,
	   "clearing the FIFO forgets the break");
	teardown(&f);
}

int main(void)
{
	/* As lkvm does: a closed output pipe is an EPIPE error, not a kill. */
	signal(SIGPIPE, SIG_IGN);
	test_probe();
	test_loopback();
	test_tx_output();
	test_tx_stalled_reader();
	test_tx_ignores_thre();
	test_thre_irq();
	test_rx();
	test_rts_flow();
	test_random();
	test_wide();
	test_reset();
	test_break();
	return tap_done();
}
