/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The main thread's helper (vmm/main-helper.c): a process forked before
 * the main thread's Landlock (--seccomp on), which does on its behalf the
 * few file operations of the teardown that Landlock would otherwise have
 * to allow on whole directories: removing the sockets lkvm made (the
 * control socket, --vsock's) and writing the status file. It removes
 * only the names it was given before it started, named by their number,
 * and only while each is still the socket lkvm made, in the directory it
 * was in; it writes only the status file it was given; it holds no other
 * file, runs under its own seccomp filter when asked, and exits at EOF,
 * when lkvm does.
 */
#ifndef LKVM_MAIN_HELPER_H
#define LKVM_MAIN_HELPER_H

#include <limits.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>

#include "pinned-name.h"
#include "sandbox-status.h"
#include "types.h"

/*
 * An answer later than this (the helper stopped, or stuck in a lookup on
 * a dead network file system) and lkvm goes on without it.
 */
#define MAIN_HELPER_ANSWER_MS	10000

/* The control socket and --vsock's. */
#define MAIN_HELPER_PATHS	2
/* Its own filter's instructions, at most. */
#define MAIN_HELPER_FILTER_MAX	64

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

/* A socket lkvm made, as it was when kept. */
struct main_helper_name {
	char path[PATH_MAX];	/* as given, to find it by */
	struct pinned_name name;
	struct pinned_file file;	/* the file's identity then */
};

/*
 * One per lkvm run (struct vm's), zeroed before use. The forked helper
 * has its own copy, as fork made it.
 */
struct main_helper {
	struct main_helper_name names[MAIN_HELPER_PATHS];
	unsigned int nr_names;
	struct status_target status;	/* path NULL: none */
	struct sock_filter filter[MAIN_HELPER_FILTER_MAX];
	unsigned int filter_len;	/* 0: no filter */
	unsigned int answer_ms;		/* 0: MAIN_HELPER_ANSWER_MS */
	pid_t pid;			/* 0: not started */
	int fd;				/* its socket; -1 once dropped */
};

/*
 * A socket lkvm made, for the helper to remove at teardown: before
 * main_helper_start(). 0, -EBUSY (started), -ENOSPC, -ENAMETOOLONG, or
 * -errno of its lstat().
 */
int main_helper_keep(struct main_helper *mh, const char *path);
/*
 * Fork the helper with the names kept and the status target (NULL: none;
 * its descriptor, if any, goes with it), from a thread without a seccomp
 * filter; with `filter`, under main_helper_filter()'s program (it exits
 * if that cannot be installed). 0 or -errno.
 */
int main_helper_start(struct main_helper *mh,
		      const struct status_target *status, bool filter);
/*
 * The helper's own seccomp program (any other call kills it): its
 * socket's read and write, the status file's and the directories' opens,
 * fstat, unlinkat without flags, close, exit. Instructions, or -errno.
 */
int main_helper_filter(struct sock_filter *out, size_t max);
/* One request: the helper's answer, 0 or -errno; -ENOTCONN without it. */
int main_helper_ask(struct main_helper *mh, u32 op, u32 arg, s32 status);
/*
 * Remove path: a kept name by the helper, or here if the helper does not
 * answer, only while it is the file it was (-ESTALE otherwise); any
 * other path with unlink(). 0 or -errno. Its void * is the helper.
 */
int main_helper_unlink(void *mh, const char *path);
/* status_target_write(), by the helper when it runs. */
int main_helper_status(struct main_helper *mh, const struct status_target *t,
		       enum lkvm_verdict v, int status);
/* Close the helper's socket (it exits), reap it, forget the names. */
void main_helper_stop(struct main_helper *mh);

#endif
