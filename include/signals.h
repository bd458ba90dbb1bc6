/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SIGNALS_H
#define LKVM_SIGNALS_H

#include "io-loop.h"

struct vm;

/*
 * Route SIGTERM/SIGINT/SIGHUP to vm_request_stop(vm, 128 + signal) via a
 * signalfd on vm->io (h is its handler), and restore the terminal on
 * crashes. Call before any thread starts. Returns 0 or -errno.
 */
int signals_init(struct vm *vm, struct io_handler *h);
void signals_exit(struct io_handler *h);

#endif
