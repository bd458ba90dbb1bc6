// SPDX-License-Identifier: GPL-2.0
/*
 * i8042 PS/2 controller, minimal: the controller's own commands work, the
 * keyboard and AUX ports exist but have nothing attached.
 *
 * - Commands take effect at once, so the input buffer is never full (status
 *   IBF clear) and replies are queued for port 0x60 straight away. Each
 *   queued byte carries the status bits it is shown with (AUXDATA for AUX
 *   bytes, TIMEOUT for "no device answered").
 * - Bytes sent to a device (a data write without a pending command, or
 *   command 0xd4 for AUX) are answered with 0xfe and TIMEOUT, as a
 *   controller does when no device responds.
 * - Interrupts: the keyboard line (IRQ 1) is high while a keyboard-side
 *   byte waits and the command byte enables it, likewise AUX (IRQ 12).
 * - Reset: command 0xfe (pulse output port bit 0; any 0xf0-0xff command
 *   with bit 0 clear pulses the reset line) or an output port write with
 *   bit 0 clear calls the reset callback (lkvm has no reboot: it stops
 *   the VM with status 0 there, so a guest reboot ends the VM cleanly).
 */
#include <errno.h>
#include <string.h>

#include "devices/i8042.h"
#include "log.h"

#define STR_OBF		0x01
#define STR_SYS		0x04
#define STR_CMD		0x08
#define STR_UNLOCKED	0x10	/* keylock switch off */
#define STR_AUXDATA	0x20
#define STR_TIMEOUT	0x40

#define CTR_KBDINT	0x01
#define CTR_AUXINT	0x02
#define CTR_SYS		0x04
#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20
#define CTR_XLATE	0x40

#define CMD_READ_CTR	0x20
#define CMD_WRITE_CTR	0x60
#define CMD_AUX_DISABLE	0xa7
#define CMD_AUX_ENABLE	0xa8
#define CMD_AUX_TEST	0xa9
#define CMD_SELF_TEST	0xaa
#define CMD_KBD_TEST	0xab
#define CMD_KBD_DISABLE	0xad
#define CMD_KBD_ENABLE	0xae
#define CMD_READ_OUT	0xd0
#define CMD_WRITE_OUT	0xd1
#define CMD_KBD_LOOP	0xd2
#define CMD_AUX_LOOP	0xd3
#define CMD_AUX_SEND	0xd4
#define CMD_PULSE	0xf0

#define OUT_RESET	0x01	/* low = reset asserted */
#define OUT_A20		0x02

#define REPLY_SELF_TEST_OK	0x55
#define REPLY_NO_DEVICE		0xfe

static void update_irqs(struct i8042 *k)
{
	int kbd = 0, aux = 0;

	if (k->q_count) {
		bool is_aux = k->queue[k->q_head].status & STR_AUXDATA;

		kbd = !is_aux && (k->ctr & CTR_KBDINT);
		aux = is_aux && (k->ctr & CTR_AUXINT);
	}
	if (kbd != k->kbd_level) {
		k->kbd_level = kbd;
		irq_line_set(k->kbd_irq, kbd);
	}
	if (aux != k->aux_level) {
		k->aux_level = aux;
		irq_line_set(k->aux_irq, aux);
	}
}

static void queue_byte(struct i8042 *k, u8 byte, u8 status)
{
	unsigned int tail;

	if (k->q_count == I8042_QUEUE_SIZE) {
		pr_warn_ratelimited("i8042: output queue full, byte 0x%02x dropped",
				    byte);
		return;
	}
	tail = (k->q_head + k->q_count) % I8042_QUEUE_SIZE;
	k->queue[tail].byte = byte;
	k->queue[tail].status = status;
	k->q_count++;
}

static u8 read_data(struct i8042 *k)
{
	if (!k->q_count)
		return k->last_data;
	k->last_data = k->queue[k->q_head].byte;
	k->q_head = (k->q_head + 1) % I8042_QUEUE_SIZE;
	k->q_count--;
	return k->last_data;
}

static u8 read_status(const struct i8042 *k)
{
	u8 st = STR_UNLOCKED;

	if (k->ctr & CTR_SYS)
		st |= STR_SYS;
	if (k->last_was_cmd)
		st |= STR_CMD;
	if (k->q_count)
		st |= STR_OBF | k->queue[k->q_head].status;
	return st;
}

static void request_reset(struct i8042 *k, const char *how)
{
	pr_info("i8042: guest reset (%s)", how);
	if (k->ops.reset)
		k->ops.reset(k->ops.opaque);
}

static void write_outport(struct i8042 *k, u8 val)
{
	if (!(val & OUT_RESET)) {
		request_reset(k, "output port");
		val |= OUT_RESET;
	}
	k->outport = val;
}

static void write_command(struct i8042 *k, u8 cmd)
{
	k->last_was_cmd = true;
	k->pending_cmd = 0;

	if ((cmd & 0xf0) == CMD_PULSE) {
		if (!(cmd & OUT_RESET))
			request_reset(k, "command 0xfe");
		return;
	}
	switch (cmd) {
	case CMD_READ_CTR:
		queue_byte(k, k->ctr, 0);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUT:
	case CMD_KBD_LOOP:
	case CMD_AUX_LOOP:
	case CMD_AUX_SEND:
		k->pending_cmd = cmd;
		break;
	case CMD_AUX_DISABLE:
		k->ctr |= CTR_AUXDIS;
		break;
	case CMD_AUX_ENABLE:
		k->ctr &= ~CTR_AUXDIS;
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		/* Interface test: 0 = no clock or data line stuck. */
		queue_byte(k, 0x00, 0);
		break;
	case CMD_SELF_TEST:
		queue_byte(k, REPLY_SELF_TEST_OK, 0);
		break;
	case CMD_KBD_DISABLE:
		k->ctr |= CTR_KBDDIS;
		break;
	case CMD_KBD_ENABLE:
		k->ctr &= ~CTR_KBDDIS;
		break;
	case CMD_READ_OUT:
		queue_byte(k, k->outport, 0);
		break;
	default:
		if (cmd > CMD_READ_CTR && cmd < CMD_WRITE_CTR) {
			/* Read controller RAM: nothing kept there. */
			queue_byte(k, 0, 0);
		} else if (cmd > CMD_WRITE_CTR && cmd < 0x80) {
			/* Write controller RAM: swallow the data byte. */
			k->pending_cmd = cmd;
		} else {
			pr_warn_ratelimited("i8042: command 0x%02x not supported",
					    cmd);
		}
		break;
	}
}

static void write_data(struct i8042 *k, u8 val)
{
	u8 cmd = k->pending_cmd;

	k->last_was_cmd = false;
	k->pending_cmd = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->ctr = val;
		break;
	case CMD_WRITE_OUT:
		write_outport(k, val);
		break;
	case CMD_KBD_LOOP:
		queue_byte(k, val, 0);
		break;
	case CMD_AUX_LOOP:
		queue_byte(k, val, STR_AUXDATA);
		break;
	case CMD_AUX_SEND:
		queue_byte(k, REPLY_NO_DEVICE, STR_AUXDATA | STR_TIMEOUT);
		break;
	case 0:
		/* To the keyboard, which is not there. */
		queue_byte(k, REPLY_NO_DEVICE, STR_TIMEOUT);
		break;
	default:
		/* Controller RAM write: dropped. */
		break;
	}
}

/* As firmware leaves it: keyboard interrupt, POST done, translation. */
static void power_on(struct i8042 *k)
{
	k->ctr = CTR_KBDINT | CTR_SYS | CTR_XLATE;
	k->outport = OUT_RESET | OUT_A20;
	k->pending_cmd = 0;
	k->last_was_cmd = false;
	k->last_data = 0;
	k->q_head = 0;
	k->q_count = 0;
	update_irqs(k);
}

static void i8042_access(struct bus_dev *dev, struct vcpu *vcpu, u64 offset,
			 u8 *data, u32 len, bool is_write)
{
	struct i8042 *k = dev->priv;
	bool cmd_port = dev == &k->cmd_dev;

	/* Both devices are one byte wide: the bus only sends len 1 here. */
	pthread_mutex_lock(&k->lock);
	if (is_write && cmd_port)
		write_command(k, data[0]);
	else if (is_write)
		write_data(k, data[0]);
	else if (cmd_port)
		data[0] = read_status(k);
	else
		data[0] = read_data(k);
	update_irqs(k);
	pthread_mutex_unlock(&k->lock);
}

int i8042_init(struct i8042 *k, struct bus *bus,
	       const struct i8042_ops *ops, struct irq_line *kbd_irq, struct irq_line *aux_irq)
{
	int err;

	memset(k, 0, sizeof(*k));
	err = pthread_mutex_init(&k->lock, NULL);
	if (err)
		return -err;
	if (ops)
		k->ops = *ops;
	k->kbd_irq = kbd_irq;
	k->aux_irq = aux_irq;
	k->bus = bus;
	k->kbd_level = -1;
	k->aux_level = -1;
	power_on(k);

	k->data_dev.name = "i8042-data";
	k->data_dev.base = I8042_DATA_PORT;
	k->data_dev.len = 1;
	k->data_dev.access = i8042_access;
	k->data_dev.priv = k;
	k->cmd_dev = k->data_dev;
	k->cmd_dev.name = "i8042-cmd";
	k->cmd_dev.base = I8042_CMD_PORT;

	err = bus_register(bus, &k->data_dev);
	if (err)
		goto fail;
	err = bus_register(bus, &k->cmd_dev);
	if (err) {
		bus_unregister(bus, &k->data_dev);
		goto fail;
	}
	return 0;
fail:
	pthread_mutex_destroy(&k->lock);
	return err;
}

void i8042_exit(struct i8042 *k)
{
	bus_unregister(k->bus, &k->cmd_dev);
	bus_unregister(k->bus, &k->data_dev);
	pthread_mutex_destroy(&k->lock);
}

void i8042_reset(struct i8042 *k)
{
	pthread_mutex_lock(&k->lock);
	power_on(k);
	pthread_mutex_unlock(&k->lock);
}
