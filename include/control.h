/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CONTROL_H
#define LKVM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The control socket: every running VM listens on
 * $LKVM_HOME/<name>.sock ($HOME/.lkvm when LKVM_HOME is unset), and
 * `lkvm list/stop/pause/resume/stat/debug` talk to it. A request is one
 * line ("stop\n"); the reply is text, and the VM closes the connection
 * after it. The first reply line is "ok" or "error: <reason>".
 */
struct vm;

/* The directory of the sockets, created (0700) when missing. -errno. */
int control_dir(char *buf, size_t len, bool create);

/* Listen for the VM; -EEXIST when a live VM already has the name. */
int control_start(struct vm *vm);
void control_stop(struct vm *vm);

/*
 * Send one request to the VM called name and copy the reply into buf.
 * -ENOENT: no such VM; -ECONNREFUSED: its socket is stale.
 */
int control_request(const char *name, const char *request, char *buf,
		    size_t len);

#endif
