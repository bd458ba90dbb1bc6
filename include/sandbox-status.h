/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lkvm sandbox's status port and lkvm's verdict (vmm/sandbox-status.c).
 *
 * The guest init writes "status=N\n" (N: 0-255, the command's exit
 * status or 128 + its signal) on its third console port, hvc2; lkvm reads
 * it with guest_status_feed(). It also writes "stdin=ready\n" there once
 * it relays hvc3 to the command's stdin (guest-job.h). Anything else on
 * that port is ignored.
 *
 * --status-file FILE gets one line, a word and lkvm's exit status:
 *	command N	lkvm sandbox: the command ended with status N
 *	guest-exit N	lkvm run: the guest powered off or reset (0), was
 *			stopped (lkvm stop, Ctrl-a x: 0; a signal to lkvm:
 *			128 + N), or wrote N to the debug-exit port
 *	guest-panic 3	the guest kernel panicked
 *	guest-lost N	the guest ended in a way lkvm cannot go on from (a
 *			vCPU or KVM error: 1), or the sandbox's guest ended
 *			without a command status (1, or 128 + a signal's
 *			number when lkvm was signalled)
 *	lkvm-error N	lkvm could not start the guest (1, or 2 for a bad
 *			command line)
 */
#ifndef LKVM_SANDBOX_STATUS_H
#define LKVM_SANDBOX_STATUS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>

#include "pinned-name.h"
#include "types.h"

#define GUEST_STATUS_LINE_MAX	32

struct guest_status_parser {
	char line[GUEST_STATUS_LINE_MAX];
	size_t len;
	bool overlong;		/* the line so far did not fit: ignore it */
	bool stdin_ready;	/* a "stdin=ready" line came */
	bool told;		/* a status was logged */
};

/*
 * Feed bytes from the status port. Returns the status (0-255) of the
 * last complete "status=N" line in buf, or -1 when none completed; a
 * "stdin=ready" line sets p->stdin_ready.
 */
int guest_status_feed(struct guest_status_parser *p, const u8 *buf,
		      size_t len);

/*
 * Log (at info level) that the command ended with status v: the first
 * one always, later ones (a guest may repeat the line at will) within a
 * rate limit.
 */
void guest_status_tell(struct guest_status_parser *p, int v);

enum lkvm_verdict {
	VERDICT_COMMAND,
	VERDICT_GUEST_EXIT,
	VERDICT_GUEST_PANIC,
	VERDICT_GUEST_LOST,
	VERDICT_LKVM_ERROR,
};

/*
 * The VM's stop status for a guest's write of `value` to the test-exit
 * port: `value` under lkvm run. Under lkvm sandbox the port only powers
 * off (0): the sandbox's status is the command's, from the status port,
 * and a guest must not pass its own choice off as a panic (3) or a signal
 * to lkvm (128 + N), verdicts the status file tells apart from it.
 */
int test_exit_stop_status(bool sandbox, int value);

/* The verdict's word in the status file. */
const char *lkvm_verdict_name(enum lkvm_verdict v);

/*
 * The verdict of a VM that ran: vm_status is what vm_run() returned,
 * guest_status the sandbox's command status or -1. Sets *exit_status.
 */
enum lkvm_verdict lkvm_verdict_of(bool sandbox, int vm_status,
				  int guest_status, int *exit_status);

/*
 * Where the status line goes, taken before the guest runs: a guest that
 * can write the file's directory (lkvm sandbox's current directory, a
 * writable share) must not point the line elsewhere by then. A name that
 * was a symbolic link is resolved now, to the name it led to; no link is
 * followed at the end; a directory is used only if it is still the one it
 * was (and only if it existed); a target that was not a regular file (a
 * pipe, a terminal: --status-file /dev/fd/N) is opened now and written
 * through that descriptor.
 */
struct status_target {
	const char *path;	/* NULL: no status file */
	struct pinned_name name;	/* where path led then */
	int fd;			/* opened then (not a regular file), or -1 */
};

/*
 * The opens of status_target_write(): the file (with O_NOFOLLOW too),
 * and its directory to check
 * (PINNED_DIR_OPEN_FLAGS). Main's seccomp filter allows exactly these
 * (lib/seccomp-policy.c).
 */
#define STATUS_FILE_OPEN_FLAGS	(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | \
				 O_NOCTTY | O_NONBLOCK | O_NOFOLLOW)

/*
 * Take path's place now; path must outlive t. 0 or -errno (t usable: a
 * write then fails with the same error).
 */
int status_target_init(struct status_target *t, const char *path);
void status_target_release(struct status_target *t);
/*
 * Write "WORD N\n" there: to t->fd, or to the file (created or truncated,
 * 0644, never through a link that came since, never blocking on a FIFO,
 * only a regular file). 0 or -errno; no path: nothing, 0.
 */
int status_target_write(const struct status_target *t, enum lkvm_verdict v,
			int status);
/* status_target_init(), _write(), _release(): before the guest ran. */
int status_file_write(const char *path, enum lkvm_verdict v, int status);

#endif
