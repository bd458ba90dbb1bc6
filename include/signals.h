/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SIGNALS_H
#define LKVM_SIGNALS_H

#include <signal.h>

#include "io-loop.h"

struct vm;

/*
 * Route SIGTERM/SIGINT/SIGHUP to vm_request_stop(vm, 128 + signal) via a
 * signalfd on vm->io (h is its handler), and restore the terminal on
 * crashes. Call before any thread starts. Returns 0 or -errno.
 */
int signals_init(struct vm *vm, struct io_handler *h);

/*
 * SIGTERM, SIGINT and SIGHUP: the signals that stop the VM, but for one
 * lkvm was started with ignoring (nohup), which stays ignored.
 */
void signals_stop_set(sigset_t *set);

/*
 * Block the stop signals in the calling thread: first thing in lkvm run
 * and lkvm sandbox, so that one sent during start-up stays pending until
 * signals_init()'s signalfd (or the jail's forwarder) takes it. Returns 0
 * or -errno.
 */
int signals_block_stop(void);
void signals_exit(struct io_handler *h);

#endif
