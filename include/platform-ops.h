/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lifecycle ops (include/vm-devices.h) for the platform devices more than
 * one arch makes: an 8250 UART, pvpanic, and the console's attachment to
 * the terminal (opaque: the struct serial8250, pvpanic or term).
 */
#ifndef LKVM_PLATFORM_OPS_H
#define LKVM_PLATFORM_OPS_H

#include "vm-devices.h"

extern const struct vm_device_ops platform_uart_ops;
extern const struct vm_device_ops platform_pvpanic_ops;
extern const struct vm_device_ops platform_console_ops;

#endif
