/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DEVICES_SERIAL8250_H
#define LKVM_DEVICES_SERIAL8250_H

#include <pthread.h>

#include "bus.h"
#include "irq.h"
#include "term-out.h"
#include "types.h"

/* The four PC COM ports: base port and ISA IRQ. */
#define SERIAL8250_COM1_BASE	0x3f8
#define SERIAL8250_COM2_BASE	0x2f8
#define SERIAL8250_COM3_BASE	0x3e8
#define SERIAL8250_COM4_BASE	0x2e8
#define SERIAL8250_COM1_IRQ	4
#define SERIAL8250_COM2_IRQ	3
#define SERIAL8250_COM3_IRQ	4
#define SERIAL8250_COM4_IRQ	3

#define SERIAL8250_NR_REGS	8
/* A 16550A's receive FIFO; Linux sizes the FIFO by filling it in loopback. */
#define SERIAL8250_FIFO_SIZE	16

/* Called when the guest made receive room after serial8250_receive() fell short. */
typedef void (*serial8250_room_fn)(void *opaque);

/*
 * A 16550A UART. Transmitted bytes go to the console's output buffer (no
 * baud-rate pacing; the transmitter is busy while that buffer is full);
 * received bytes come from serial8250_receive() and wait in the 16-byte
 * FIFO. All fields are private to devices/serial8250.c.
 */
struct serial8250 {
	struct bus_dev dev;
	struct bus *bus;
	pthread_mutex_t lock;
	const char *name;
	struct irq_line *irq;
	struct term_out *out;
	bool tx_busy;		/* output buffer full: THRE/TEMT clear */

	serial8250_room_fn room_fn;
	void *room_opaque;
	bool rx_starved;	/* receive() refused bytes since last notify */

	u8 ier;
	u8 fcr;			/* last FCR value with FIFO enabled */
	bool fifo_enabled;
	u8 lcr;
	u8 mcr;
	bool mcr_written;	/* RTS flow control in force */
	u8 lsr_err;		/* sticky OE until LSR is read */
	u8 msr_delta;		/* MSR bits 0-3 until MSR is read */
	u8 scr;
	u8 dll, dlm;
	u8 rbr_last;
	bool thri_pending;

	u8 rx_fifo[SERIAL8250_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	u16 rx_brk;		/* FIFO slots whose NUL is a break (LSR.BI) */

	int irq_level;		/* last level sent, -1 before the first */
};

/*
 * Set up a UART at `base` on `bus` (port I/O), interrupting through `irq`
 * (may be NULL; must outlive the UART). Transmitted bytes go to `out`
 * (registering serial8250_tx_room() as its room callback), or are dropped
 * when out is NULL. `name` (e.g. "ttyS0") is used in log lines. Returns 0
 * or -errno (-EBUSY if the ports are taken, -ENOSPC if out has no waiter
 * slot left).
 */
int serial8250_init(struct serial8250 *uart, struct bus *bus,
		    const char *name, u16 base, struct irq_line *irq,
		    struct term_out *out);

/*
 * The output buffer has room again: the transmitter is no longer busy
 * (THRE set, THRE interrupt pending). Any thread, no UART lock held.
 */
void serial8250_tx_room(void *uart);

/* Unregister from the bus and free the lock. Call after vCPUs stopped. */
void serial8250_exit(struct serial8250 *uart);

/*
 * Back to the power-on state (registers clear, 9600 baud divisor, receive
 * FIFO empty, interrupt line low); the output buffer and the callbacks
 * stay. Call with the vCPUs stopped.
 */
void serial8250_reset(struct serial8250 *uart);

/*
 * Ask to be told when the guest made receive room after a short
 * serial8250_receive(). `fn` runs on a vCPU thread with no UART lock held;
 * it must not block (term_notify_room() writes an eventfd).
 */
void serial8250_set_room_cb(struct serial8250 *uart, serial8250_room_fn fn,
			    void *opaque);

/*
 * Host input for the guest (I/O thread). Queues as many bytes as the FIFO
 * has room for and returns that count; the rest is the caller's to retry
 * after the room callback. Nothing is accepted in loopback mode, nor while
 * the guest holds RTS low (once it has written MCR at all).
 */
size_t serial8250_receive(struct serial8250 *uart, const u8 *buf, size_t len);

/*
 * A break condition on the line, then len bytes, all or nothing (any
 * thread): a NUL flagged as a break (LSR.BI when it reaches the head of
 * the FIFO, a line status interrupt if enabled), as a terminal's break
 * arrives; Linux's serial console takes a break and then a key as a
 * magic SysRq. -ENOSPC when the FIFO is off (one byte of room), -EAGAIN
 * when it has no room for 1 + len bytes now,
 * -EPIPE when the guest takes no input (loopback, RTS low).
 */
int serial8250_break(struct serial8250 *uart, const u8 *then, size_t len);

/* serial8250_receive() shaped as a term_sink_fn (opaque = the UART). */
size_t serial8250_sink(void *uart, const u8 *buf, size_t len);

#endif
