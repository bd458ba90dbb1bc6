// SPDX-License-Identifier: GPL-2.0
/* Lifecycle ops shared by the arches: see include/platform-ops.h. */
#include "devices/pvpanic.h"
#include "devices/serial8250.h"
#include "platform-ops.h"
#include "term.h"

static void uart_reset(void *uart)
{
	serial8250_reset(uart);
}

static void uart_destroy(void *uart)
{
	serial8250_exit(uart);
}

static void pvpanic_reset_op(void *p)
{
	pvpanic_reset(p);
}

static void pvpanic_destroy_op(void *p)
{
	pvpanic_destroy(p);
}

static void console_detach(void *term)
{
	term_detach(term);
}

const struct vm_device_ops platform_uart_ops = {
	.reset = uart_reset, .destroy = uart_destroy,
};
const struct vm_device_ops platform_pvpanic_ops = {
	.reset = pvpanic_reset_op, .destroy = pvpanic_destroy_op,
};
const struct vm_device_ops platform_console_ops = {
	.destroy = console_detach,
};
