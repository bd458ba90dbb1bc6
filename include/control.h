/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CONTROL_H
#define LKVM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The control socket: every running VM listens on
 * $LKVM_HOME/<name>.sock ($HOME/.lkvm when LKVM_HOME is unset), and
 * `lkvm list/stop/pause/resume/stat/debug` talk to it. A request is one
 * line ("stop\n"); the reply is text, and the VM closes the connection
 * after it. The first reply line is "ok" or "error: <reason>".
 *
 * The directory is created 0700 and refused when it is a symbolic link,
 * not a directory, not ours, or writable by group or others; the socket
 * is 0600 and answers only its own user and root (SO_PEERCRED). A
 * client has CONTROL_CLIENT_TIMEOUT_MS to send its request. NAME.lock,
 * flock()ed by the VM for its life, makes one name one VM.
 */
struct vm;

/* Names: 1 to 64 of [A-Za-z0-9._-], not starting with '.' or '-'. */
#define CONTROL_NAME_MAX 64
#define CONTROL_PATH_MAX 108	/* sizeof(sun_path) */
#define CONTROL_MAX_REQUEST 64
#define CONTROL_CLIENT_TIMEOUT_MS 1000
/* How long pause and debug wait for every vCPU to park. */
#define CONTROL_PAUSE_TIMEOUT_MS 2000
/* How long a client waits for its reply. */
#define CONTROL_REPLY_TIMEOUT_MS 10000

#define CONTROL_NAME_RULE \
	"use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'"
bool control_name_valid(const char *name);

/*
 * The directory of the sockets, created 0700 when missing (create), then
 * checked: -ELOOP, -ENOTDIR, -EPERM, -EACCES when refused (see
 * control_dir_refusal()), -ENOENT without LKVM_HOME or HOME.
 */
int control_dir(char *buf, size_t len, bool create);
/* Why control_dir() refused a directory, or NULL for other errors. */
const char *control_dir_refusal(int err);
/* <dir>/<name><suffix>; -EINVAL for a name control_name_valid() refuses. */
int control_path(const char *name, const char *suffix, char *buf,
		 size_t len, bool create);
/* Take NAME.lock: its fd, or -EEXIST while another process holds it. */
int control_lock(const char *name);
/* Remove a dead VM's socket, if no VM holds the name's lock. -errno. */
int control_remove_stale(const char *name);

/*
 * Take name's lock and listen on its socket (path, len bytes): the fds in
 * *lock_fd and *listen_fd (non-blocking, close-on-exec), or -errno, -EEXIST
 * when a live VM has the name. control_start() does, or the jail for the
 * VM it starts (include/jail.h), which removes path once the VM is gone.
 */
int control_listen(const char *name, int *lock_fd, int *listen_fd,
		   char *path, size_t len);
/*
 * Listen for the VM, answering on a control thread; -EEXIST when a live VM
 * already has the name.
 */
int control_start(struct vm *vm);
/* Start answering, on the control thread (once the vCPUs run). -errno. */
int control_serve(struct vm *vm);
/* Stop the control thread, remove the socket, release the name. */
void control_stop(struct vm *vm);

/*
 * Answer one request: req holds the len bytes a client sent (its first
 * line is the request). The reply's first line is "ok" or "error: ...";
 * every line ends in '\n' and is printable ASCII. Any thread but a vCPU's;
 * pause and debug wait at most CONTROL_PAUSE_TIMEOUT_MS.
 */
void control_reply(struct vm *vm, const char *req, size_t len, FILE *out);

/*
 * The requests a VM answers are verbs in a table: lkvm's own (stop, pause,
 * resume, stat, info, debug) and those devices register. A request line is
 * "VERB" or, for a verb that takes them, "VERB ARGS". fn writes the whole
 * reply to out ("ok\n" and lines, or "error: <reason>\n"; plain text) and
 * runs on the control thread (see control_reply()); args is what followed
 * "VERB " ("" for none), printable ASCII. opaque is the registrant's.
 */
#define CONTROL_VERB_MAX 32

typedef void (*control_verb_fn)(struct vm *vm, void *opaque,
				const char *args, FILE *out);

struct control_verb {
	const char *name;	/* 1 to 32 of [a-z0-9-], from a letter */
	control_verb_fn fn;
	void *opaque;
	bool takes_args;	/* else only the bare "VERB" line runs it */
	const char *help;	/* one line; NULL: not listed */
};

/*
 * Add a verb to vm's table (a copy of *verb; its strings must outlive the
 * VM): -EINVAL for a bad name or no fn, -EEXIST when the name is taken,
 * -ENOMEM. Before control_serve(): the control thread reads the table
 * without a lock. control_stop() empties it.
 */
int control_verb_register(struct vm *vm, const struct control_verb *verb);
/* The verb called name, lkvm's or registered, or NULL. */
const struct control_verb *control_verb_find(struct vm *vm, const char *name);
/* Forget the registered verbs. */
void control_verbs_release(struct vm *vm);

/*
 * Send one request to the VM called name and copy the reply into buf.
 * -ENOENT: no such VM; -ECONNREFUSED: its socket is stale; -ETIMEDOUT: no
 * reply within CONTROL_REPLY_TIMEOUT_MS; -EINVAL: not a valid name.
 */
int control_request(const char *name, const char *request, char *buf,
		    size_t len);

#endif
