// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART.
 *
 * Model:
 * - Transmission: a THR write goes to the console's output buffer
 *   (term-out.h) at once, so THRE and TEMT stay set and the THRE interrupt
 *   is pending again right after each write -- until that buffer is full
 *   because nobody reads stdout. Then the transmitter is busy: THRE and
 *   TEMT read clear and no THRE interrupt is raised until the buffer has
 *   drained (the buffer's room callback, on the I/O thread), which holds a
 *   guest that waits for THRE back without blocking any thread. A byte
 *   written while busy is still kept (the buffer's hard cap allows for a
 *   guest that gives up waiting, as Linux's console does after 10 ms). The
 *   divisor and line settings are stored but pace nothing.
 * - Reception uses a 16-byte FIFO (1 byte with the FIFO disabled). The host
 *   side is never overrun: serial8250_receive() takes what fits and the
 *   caller keeps the rest until the room callback fires. Only loopback mode
 *   can overrun (LSR.OE), as on hardware; Linux sizes the FIFO that way.
 * - Interrupts: IIR priority line status > received data (0x04, or 0x0c
 *   "timeout" below the trigger level) > THRE > modem status. The level on
 *   the irq_line is 1 while an enabled condition is pending and MCR.OUT2 is
 *   set (PC boards gate the UART's interrupt with OUT2; loopback forces the
 *   OUT pins inactive, so no interrupt leaves the chip then). Only changes
 *   are sent, which keeps the edge-triggered PIC/IOAPIC inputs correct.
 * - Modem lines: outside loopback the other end looks present: CTS, DSR and
 *   DCD set, RI clear. In loopback RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
 * - Receive flow control: the host end honours RTS as a modem does. Once
 *   the guest has written MCR, input is accepted only while MCR.RTS is set;
 *   before its first MCR write (a simple polled guest) input always flows.
 *   Linux raises RTS when a program opens the port, after it has flushed
 *   the FIFO, so input typed while the guest boots waits on the host side
 *   instead of being lost in the driver's FIFO resets.
 */
#include <errno.h>
#include <string.h>

#include "devices/serial8250.h"
#include "log.h"
#include "term-out.h"

/* Register offsets. */
#define REG_RBR_THR	0
#define REG_IER		1
#define REG_IIR_FCR	2
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* THR empty */
#define IER_RLSI	0x04	/* receiver line status */
#define IER_MSI		0x08	/* modem status */
#define IER_MASK	0x0f

#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_TIMEOUT	0x0c
#define IIR_FIFO_ON	0xc0

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_CLEAR_TX	0x04
#define FCR_TRIGGER(f)	(((f) >> 6) & 3)

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MCR_MASK	0x1f

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_BI		0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

static const u8 rx_trigger_levels[4] = { 1, 4, 8, 14 };

static unsigned int rx_capacity(const struct serial8250 *u)
{
	return u->fifo_enabled ? SERIAL8250_FIFO_SIZE : 1;
}

/* Does the host end send input now? (Not in loopback; RTS honoured.) */
static bool rx_accepting(const struct serial8250 *u)
{
	if (u->mcr & MCR_LOOP)
		return false;
	return !u->mcr_written || (u->mcr & MCR_RTS);
}

static u8 modem_lines(u8 mcr)
{
	u8 msr = 0;

	if (!(mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	if (mcr & MCR_RTS)
		msr |= MSR_CTS;
	if (mcr & MCR_DTR)
		msr |= MSR_DSR;
	if (mcr & MCR_OUT1)
		msr |= MSR_RI;
	if (mcr & MCR_OUT2)
		msr |= MSR_DCD;
	return msr;
}

/* Is the byte at the head of the receive FIFO a break's? */
static bool rx_head_break(const struct serial8250 *u)
{
	return u->rx_count && (u->rx_brk & (1u << u->rx_head));
}

static u8 iir_value(const struct serial8250 *u)
{
	u8 fifo = u->fifo_enabled ? IIR_FIFO_ON : 0;

	if ((u->ier & IER_RLSI) && (u->lsr_err || rx_head_break(u)))
		return fifo | IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count) {
		if (u->fifo_enabled &&
		    u->rx_count < rx_trigger_levels[FCR_TRIGGER(u->fcr)])
			return fifo | IIR_TIMEOUT;
		return fifo | IIR_RDI;
	}
	if ((u->ier & IER_THRI) && u->thri_pending)
		return fifo | IIR_THRI;
	if ((u->ier & IER_MSI) && u->msr_delta)
		return fifo | IIR_MSI;
	return fifo | IIR_NO_INT;
}

/* Send the line level if it changed. Called with the lock held. */
static void update_irq(struct serial8250 *u)
{
	int level = !(iir_value(u) & IIR_NO_INT) &&
		    (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	irq_line_set(u->irq, level);
}

/*
 * Should the room callback run now? Once per shortfall, when the FIFO has
 * drained to half so the refill is worth a wake-up. Lock held.
 */
static bool take_room_notice(struct serial8250 *u)
{
	if (!u->rx_starved || !rx_accepting(u))
		return false;
	if (u->rx_count > rx_capacity(u) / 2)
		return false;
	u->rx_starved = false;
	return u->room_fn;
}

static void rx_clear(struct serial8250 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->rx_brk = 0;
}

static bool rx_push(struct serial8250 *u, u8 byte)
{
	if (u->rx_count >= rx_capacity(u))
		return false;
	u->rx_fifo[(u->rx_head + u->rx_count) % SERIAL8250_FIFO_SIZE] = byte;
	u->rx_brk &= ~(1u << ((u->rx_head + u->rx_count) %
			      SERIAL8250_FIFO_SIZE));
	u->rx_count++;
	return true;
}

static u8 rx_pop(struct serial8250 *u)
{
	if (!u->rx_count)
		return u->rbr_last;
	u->rbr_last = u->rx_fifo[u->rx_head];
	u->rx_brk &= ~(1u << u->rx_head);
	u->rx_head = (u->rx_head + 1) % SERIAL8250_FIFO_SIZE;
	u->rx_count--;
	return u->rbr_last;
}

static void thr_write(struct serial8250 *u, u8 byte)
{
	if (u->mcr & MCR_LOOP) {
		if (!rx_push(u, byte))
			u->lsr_err |= LSR_OE;
	} else if (u->out && term_out_write_all(u->out, &byte, 1)) {
		/* Output buffer full: busy until serial8250_tx_room(). */
		u->tx_busy = true;
		u->thri_pending = false;
		return;
	}
	/* Sent at once: THR empty again, THRE interrupt pending again. */
	if (!u->tx_busy)
		u->thri_pending = true;
}

static void mcr_write(struct serial8250 *u, u8 val)
{
	u8 old = modem_lines(u->mcr), new;

	u->mcr_written = true;
	u->mcr = val & MCR_MASK;
	new = modem_lines(u->mcr);
	if ((old ^ new) & MSR_CTS)
		u->msr_delta |= MSR_DCTS;
	if ((old ^ new) & MSR_DSR)
		u->msr_delta |= MSR_DDSR;
	if ((old & MSR_RI) && !(new & MSR_RI))
		u->msr_delta |= MSR_TERI;
	if ((old ^ new) & MSR_DCD)
		u->msr_delta |= MSR_DDCD;
}

static void fcr_write(struct serial8250 *u, u8 val)
{
	bool enable = val & FCR_ENABLE;

	/* Toggling the enable bit empties both FIFOs. */
	if (enable != u->fifo_enabled)
		rx_clear(u);
	u->fifo_enabled = enable;
	if (!enable)
		return;
	u->fcr = val;
	if (val & FCR_CLEAR_RX)
		rx_clear(u);
	/*
	 * FCR_CLEAR_TX: what was written is already in the output buffer,
	 * "on the wire"; the busy state ends only when that drains.
	 */
}

static u8 reg_read(struct serial8250 *u, unsigned int reg)
{
	u8 val;

	switch (reg) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		return rx_pop(u);
	case REG_IER:
		if (u->lcr & LCR_DLAB)
			return u->dlm;
		return u->ier;
	case REG_IIR_FCR:
		val = iir_value(u);
		/* Reading IIR acknowledges a THRE interrupt it reports. */
		if ((val & 0x0f) == IIR_THRI)
			u->thri_pending = false;
		return val;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		val = u->lsr_err;
		if (!u->tx_busy)
			val |= LSR_THRE | LSR_TEMT;
		if (u->rx_count)
			val |= LSR_DR;
		/* A break shows once, with its NUL at the head (16550A). */
		if (rx_head_break(u)) {
			val |= LSR_BI;
			u->rx_brk &= ~(1u << u->rx_head);
		}
		u->lsr_err = 0;
		return val;
	case REG_MSR:
		val = modem_lines(u->mcr) | u->msr_delta;
		u->msr_delta = 0;
		return val;
	default:
		return u->scr;
	}
}

static void reg_write(struct serial8250 *u, unsigned int reg, u8 val)
{
	switch (reg) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = val;
		else
			thr_write(u, val);
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			break;
		}
		/* Enabling THRI with the THR empty raises THRE at once. */
		if ((val & IER_THRI) && !(u->ier & IER_THRI) && !u->tx_busy)
			u->thri_pending = true;
		u->ier = val & IER_MASK;
		break;
	case REG_IIR_FCR:
		fcr_write(u, val);
		break;
	case REG_LCR:
		u->lcr = val;
		break;
	case REG_MCR:
		mcr_write(u, val);
		break;
	case REG_LSR:
	case REG_MSR:
		/* Factory test registers on some parts; ignored. */
		break;
	default:
		u->scr = val;
		break;
	}
}

/*
 * Bus callback. A wider-than-byte access is split into byte accesses as
 * the ISA bus does for an 8-bit device.
 */
static void serial8250_access(struct bus_dev *dev, struct vcpu *vcpu,
			      u64 offset, u8 *data, u32 len, bool is_write)
{
	struct serial8250 *u = container_of(dev, struct serial8250, dev);
	bool notify;
	u32 i;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < len && offset + i < SERIAL8250_NR_REGS; i++) {
		if (is_write)
			reg_write(u, (unsigned int)(offset + i), data[i]);
		else
			data[i] = reg_read(u, (unsigned int)(offset + i));
	}
	update_irq(u);
	notify = take_room_notice(u);
	pthread_mutex_unlock(&u->lock);

	if (notify)
		u->room_fn(u->room_opaque);
}

size_t serial8250_receive(struct serial8250 *u, const u8 *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&u->lock);
	if (rx_accepting(u))
		while (n < len && rx_push(u, buf[n]))
			n++;
	if (n < len)
		u->rx_starved = true;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}

int serial8250_break(struct serial8250 *u, const u8 *then, size_t len)
{
	size_t i;
	int err = 0;

	pthread_mutex_lock(&u->lock);
	if (!rx_accepting(u))
		err = -EPIPE;
	else if (rx_capacity(u) < 1 + len)
		err = -ENOSPC;
	else if (rx_capacity(u) - u->rx_count < 1 + len)
		err = -EAGAIN;
	if (!err) {
		u->rx_brk |= 1u << ((u->rx_head + u->rx_count) %
				    SERIAL8250_FIFO_SIZE);
		u->rx_fifo[(u->rx_head + u->rx_count) % SERIAL8250_FIFO_SIZE] =
			0;
		u->rx_count++;
		for (i = 0; i < len; i++)
			rx_push(u, then[i]);
		update_irq(u);
	}
	pthread_mutex_unlock(&u->lock);
	return err;
}

void serial8250_tx_room(void *uart)
{
	struct serial8250 *u = uart;

	pthread_mutex_lock(&u->lock);
	if (u->tx_busy) {
		u->tx_busy = false;
		u->thri_pending = true;
		update_irq(u);
	}
	pthread_mutex_unlock(&u->lock);
}

size_t serial8250_sink(void *uart, const u8 *buf, size_t len)
{
	return serial8250_receive(uart, buf, len);
}

void serial8250_set_room_cb(struct serial8250 *u, serial8250_room_fn fn,
			    void *opaque)
{
	pthread_mutex_lock(&u->lock);
	u->room_fn = fn;
	u->room_opaque = opaque;
	pthread_mutex_unlock(&u->lock);
}

int serial8250_init(struct serial8250 *u, struct bus *bus, const char *name,
		    u16 base, struct irq_line *irq, struct term_out *out)
{
	int err;

	memset(u, 0, sizeof(*u));
	err = pthread_mutex_init(&u->lock, NULL);
	if (err)
		return -err;
	u->name = name ? name : "serial";
	u->irq = irq;
	u->out = out;
	u->bus = bus;
	u->irq_level = -1;
	/* Power-on state: 9600 baud divisor, everything else clear. */
	u->dll = 12;
	u->thri_pending = false;

	u->dev.name = u->name;
	u->dev.base = base;
	u->dev.len = SERIAL8250_NR_REGS;
	u->dev.access = serial8250_access;
	u->dev.priv = u;

	/* Start the line at a known level. */
	update_irq(u);

	if (out) {
		err = term_out_add_waiter(out, serial8250_tx_room, u);
		if (err)
			goto fail;
	}
	err = bus_register(bus, &u->dev);
	if (err)
		goto fail;
	return 0;
fail:
	pthread_mutex_destroy(&u->lock);
	return err;
}

void serial8250_exit(struct serial8250 *u)
{
	bus_unregister(u->bus, &u->dev);
	pthread_mutex_destroy(&u->lock);
}

void serial8250_reset(struct serial8250 *u)
{
	pthread_mutex_lock(&u->lock);
	u->ier = 0;
	u->fcr = 0;
	u->fifo_enabled = false;
	u->lcr = 0;
	u->mcr = 0;
	u->mcr_written = false;
	u->lsr_err = 0;
	u->msr_delta = 0;
	u->scr = 0;
	u->dll = 12;
	u->dlm = 0;
	u->rbr_last = 0;
	u->thri_pending = false;
	rx_clear(u);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}
