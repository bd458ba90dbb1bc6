// SPDX-License-Identifier: GPL-2.0
/*
 * The main thread's helper; see main-helper.h. Forked once the threads
 * run, so the child makes async-signal-safe calls only. It keeps its
 * socket and nothing else (no KVM, device or terminal file; guest RAM is
 * MADV_DONTFORK), so the guest has no way to it but through a main
 * thread taken over, which can then only ask for what the teardown does.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "main-helper.h"
#include "seccomp-filter.h"

/* How long lkvm's exit waits for the helper to end after the EOF. */
#define MAIN_HELPER_REAP_MS	2000

int main_helper_keep(struct main_helper *mh, const char *path)
{
	struct main_helper_name *n = &mh->names[mh->nr_names];
	size_t len = strlen(path);
	struct stat st;
	int err;

	/* The helper has its own copy already: it would never know. */
	if (mh->pid)
		return -EBUSY;
	if (mh->nr_names == MAIN_HELPER_PATHS)
		return -ENOSPC;
	if (!len || len >= sizeof(n->path))
		return -ENAMETOOLONG;
	if (lstat(path, &st))
		return -errno;
	err = pinned_name_init(&n->name, path);
	if (!err)
		err = n->name.err;
	if (err)
		return err;
	memcpy(n->path, path, len + 1);
	pinned_file_of(&n->file, &st);
	mh->nr_names++;
	return 0;
}

/* A request's answer: 0 or -errno. */
static s32 helper_do(const struct main_helper *mh,
		     const struct main_helper_req *req)
{
	const struct main_helper_name *n;

	switch (req->op) {
	case MAIN_HELPER_UNLINK:
		if (req->arg >= mh->nr_names)
			return -EINVAL;
		n = &mh->names[req->arg];
		return pinned_name_unlink(&n->name, &n->file);
	case MAIN_HELPER_STATUS:
		if (req->arg > VERDICT_LKVM_ERROR || req->status < 0 ||
		    req->status > 255)
			return -EINVAL;
		if (!mh->status.path)
			return -ENOENT;
		return status_target_write(&mh->status, req->arg,
					   req->status);
	}
	return -EINVAL;
}

/*
 * lkvm's handlers are not the helper's (a crash's terminal repair, the
 * vCPUs' kick, the SIGSYS report): the default for each, what was ignored
 * stays ignored. The stop signals are lkvm's to act on: a Ctrl-C to the
 * process group must not take the helper before lkvm asked for the
 * status file; it ends at EOF, when lkvm does. Nor may the terminal's
 * job control stop it (a Ctrl-Z, a status file on the terminal written
 * from the background) while lkvm waits for its answer.
 */
static int helper_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	static const int job[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	sigset_t stop;
	unsigned int i;
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP ||
		    sigaction(sig, NULL, &old))
			continue;
		if (old.sa_handler != SIG_IGN && old.sa_handler != SIG_DFL &&
		    sigaction(sig, &dfl, NULL))
			return -1;
	}
	for (i = 0; i < ARRAY_SIZE(job); i++)
		if (sigaction(job[i], &ign, NULL))
			return -1;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	return sigprocmask(SIG_BLOCK, &stop, NULL);
}

static void __noreturn helper_main(struct main_helper *mh, int fd)
{
	struct sock_fprog prog = { .len = (unsigned short)mh->filter_len,
				   .filter = mh->filter };
	u8 buf[sizeof(struct main_helper_req) + 1];
	struct main_helper_req req;
	unsigned int keep = 1;
	int sfd = -1;
	ssize_t n;
	s32 ans;

	/*
	 * Its socket as 0, the status file's descriptor (a pipe, a
	 * terminal) as 1 if it has one, nothing else open.
	 */
	if (mh->status.path && mh->status.fd >= 0) {
		sfd = fcntl(mh->status.fd, F_DUPFD, 3);
		if (sfd < 0)
			_exit(1);
	}
	if (fd && dup2(fd, 0) < 0)
		_exit(1);
	if (sfd >= 0) {
		if (dup2(sfd, 1) < 0)
			_exit(1);
		mh->status.fd = 1;
		keep = 2;
	}
	if (syscall(SYS_close_range, keep, ~0U, 0) || helper_signals() ||
	    prctl(PR_SET_NAME, (unsigned long)"lkvm-helper", 0, 0, 0))
		_exit(1);
	/* Asked for and not to be had: never unfiltered. */
	if (mh->filter_len &&
	    (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	     prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0)))
		_exit(1);
	for (;;) {
		/*
		 * One byte more than a request: a longer datagram reads
		 * that much (the rest is dropped) and is refused.
		 */
		n = read(0, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* EOF (or the socket broken): lkvm is gone. */
		if (n <= 0)
			_exit(n ? 1 : 0);
		ans = -EINVAL;
		if (n == sizeof(req)) {
			memcpy(&req, buf, sizeof(req));
			ans = helper_do(mh, &req);
		}
		/* SIGPIPE: lkvm ignores it, and so does the helper. */
		if (write(0, &ans, sizeof(ans)) != sizeof(ans))
			_exit(1);
	}
}

int main_helper_start(struct main_helper *mh,
		      const struct status_target *status, bool filter)
{
	int sv[2], n;

	if (mh->pid)
		return -EBUSY;
	mh->filter_len = 0;
	if (filter) {
		n = main_helper_filter(mh->filter, MAIN_HELPER_FILTER_MAX);
		if (n < 0)
			return n;
		mh->filter_len = (unsigned int)n;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (status)
		mh->status = *status;
	mh->pid = fork();
	if (mh->pid < 0) {
		int err = -errno;

		mh->pid = 0;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (!mh->pid)
		helper_main(mh, sv[1]);
	close(sv[1]);
	mh->fd = sv[0];
	return 0;
}

int main_helper_filter(struct sock_filter *out, size_t max)
{
	struct sc_rule rules[16];
	size_t nr = sc_main_helper_policy(rules, ARRAY_SIZE(rules));

	if (!nr)
		return -E2BIG;
	return sc_compile(rules, nr, SECCOMP_RET_KILL_PROCESS, out, max);
}

/* No more requests: lkvm makes the calls itself (and reaps what it can). */
static void helper_drop(struct main_helper *mh, const char *why)
{
	pr_warn("main thread: its helper %s: going on without it", why);
	close(mh->fd);
	mh->fd = -1;
}

/* Its answer, within MAIN_HELPER_ANSWER_MS: 0 or -errno. */
static int helper_wait(struct main_helper *mh)
{
	unsigned int ms = mh->answer_ms ? mh->answer_ms : MAIN_HELPER_ANSWER_MS;
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
	struct pollfd p = { .fd = mh->fd, .events = POLLIN };
	int n;

	do
		n = ppoll(&p, 1, &ts, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (!n) {
		helper_drop(mh, "did not answer in time");
		return -ETIMEDOUT;
	}
	return 0;
}

/* 0 with the helper's answer in *ans, or -errno: no answer. */
static int helper_call(struct main_helper *mh, u32 op, u32 arg, s32 status,
		       s32 *ans)
{
	struct main_helper_req req = { op, arg, status };
	ssize_t n;
	int err;

	if (!mh->pid || mh->fd < 0)
		return -ENOTCONN;
	do
		n = send(mh->fd, &req, sizeof(req), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(req))
		return n < 0 ? -errno : -EIO;
	err = helper_wait(mh);
	if (err)
		return err;
	do
		n = read(mh->fd, ans, sizeof(*ans));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(*ans))
		return n < 0 ? -errno : -EPIPE;
	if (*ans > 0)
		*ans = -EIO;
	return 0;
}

int main_helper_ask(struct main_helper *mh, u32 op, u32 arg, s32 status)
{
	s32 ans;
	int err = helper_call(mh, op, arg, status, &ans);

	return err ? err : ans;
}

/*
 * Without an answer (the helper died: a kernel without close_range, a
 * filter it could not have), the call is made here: it works where
 * Landlock is missing too.
 */
int main_helper_unlink(void *opaque, const char *path)
{
	struct main_helper *mh = opaque;
	const struct main_helper_name *n;
	unsigned int i;
	s32 ans;

	for (i = 0; i < mh->nr_names; i++) {
		n = &mh->names[i];
		if (strcmp(n->path, path))
			continue;
		if (!helper_call(mh, MAIN_HELPER_UNLINK, i, 0, &ans))
			return ans;
		return pinned_name_unlink(&n->name, &n->file);
	}
	return unlink(path) ? -errno : 0;
}

int main_helper_status(struct main_helper *mh, const struct status_target *t,
		       enum lkvm_verdict v, int status)
{
	s32 ans;

	if (t->path && !helper_call(mh, MAIN_HELPER_STATUS, v, status, &ans))
		return ans;
	return status_target_write(t, v, status);
}

void main_helper_stop(struct main_helper *mh)
{
	struct timespec tick = { 0, 10 * 1000000L };
	unsigned int waited = 0;
	pid_t w = 0;

	if (mh->pid && mh->fd >= 0)
		close(mh->fd);
	/* It ends at the EOF; one stuck is left behind, not waited for. */
	while (mh->pid > 0) {
		w = waitpid(mh->pid, NULL, WNOHANG);
		if (w || waited >= MAIN_HELPER_REAP_MS)
			break;
		nanosleep(&tick, NULL);
		waited += 10;
	}
	if (mh->pid > 0 && !w)
		pr_warn("main thread: its helper (%d) did not end: left behind",
			(int)mh->pid);
	mh->pid = 0;
	mh->fd = -1;
	mh->nr_names = 0;
	mh->status.path = NULL;
}
