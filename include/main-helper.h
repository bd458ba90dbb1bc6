/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The main thread's helper (vmm/main-helper.c): a process forked before
 * the main thread's Landlock (--seccomp on), which does on its behalf the
 * few file operations of the teardown that Landlock would otherwise have
 * to allow on whole directories: removing the sockets lkvm made (the
 * control socket, --vsock's) and writing the status file. It removes
 * only the paths it was given before it started, named by their number,
 * and writes only the status file it was given; it holds no other file
 * and exits at EOF, when lkvm does.
 */
#ifndef LKVM_MAIN_HELPER_H
#define LKVM_MAIN_HELPER_H

#include <sys/types.h>

#include "sandbox-status.h"
#include "types.h"

/* The control socket and --vsock's. */
#define MAIN_HELPER_PATHS	2

enum main_helper_op {
	MAIN_HELPER_UNLINK = 1,		/* arg: the path's number */
	MAIN_HELPER_STATUS,		/* arg: the verdict; status 0-255 */
};

/* A request, one datagram of exactly this size; the answer an s32. */
struct main_helper_req {
	u32 op;
	u32 arg;
	s32 status;
};

/*
 * A socket lkvm made, for the helper to remove at teardown: before
 * main_helper_start(). 0, -ENOSPC or -ENAMETOOLONG.
 */
int main_helper_keep(const char *path);
/*
 * Fork the helper with the paths kept and the status target (NULL: none;
 * its descriptor, if any, goes with it), from a thread without a seccomp
 * filter. 0 or -errno.
 */
int main_helper_start(const struct status_target *status);
/* One request: the helper's answer, 0 or -errno; -ENOTCONN without it. */
int main_helper_ask(u32 op, u32 arg, s32 status);
/* Remove path: by the helper if it was kept and the helper runs. */
int main_helper_unlink(const char *path);
/* status_target_write(), by the helper when it runs. */
int main_helper_status(const struct status_target *t, enum lkvm_verdict v,
		       int status);
/* The helper's process id, 0 when none runs. */
pid_t main_helper_pid(void);
/* Close the helper's socket (it exits), reap it, forget the paths. */
void main_helper_stop(void);

#endif
