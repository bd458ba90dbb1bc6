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
#include <limits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "main-helper.h"

static struct {
	char paths[MAIN_HELPER_PATHS][PATH_MAX];
	unsigned int nr_paths;
	struct status_target status;	/* path NULL: none */
	pid_t pid;
	int fd;
} mh = { .fd = -1 };

int main_helper_keep(const char *path)
{
	size_t len = strlen(path);

	if (mh.nr_paths == MAIN_HELPER_PATHS)
		return -ENOSPC;
	if (!len || len >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(mh.paths[mh.nr_paths++], path, len + 1);
	return 0;
}

/* A request's answer: 0 or -errno. */
static s32 helper_do(const struct main_helper_req *req)
{
	switch (req->op) {
	case MAIN_HELPER_UNLINK:
		if (req->arg >= mh.nr_paths)
			return -EINVAL;
		return unlink(mh.paths[req->arg]) ? -errno : 0;
	case MAIN_HELPER_STATUS:
		if (req->arg > VERDICT_LKVM_ERROR || req->status < 0 ||
		    req->status > 255)
			return -EINVAL;
		if (!mh.status.path)
			return -ENOENT;
		return status_target_write(&mh.status, req->arg,
					   req->status);
	}
	return -EINVAL;
}

static void __noreturn helper_main(int fd)
{
	struct main_helper_req req;
	unsigned int keep = 1;
	int sfd = -1;
	ssize_t n;
	s32 ans;

	/*
	 * Its socket as 0, the status file's descriptor (a pipe, a
	 * terminal) as 1 if it has one, nothing else open.
	 */
	if (mh.status.path && mh.status.fd >= 0) {
		sfd = fcntl(mh.status.fd, F_DUPFD, 3);
		if (sfd < 0)
			_exit(1);
	}
	if (fd && dup2(fd, 0) < 0)
		_exit(1);
	if (sfd >= 0) {
		if (dup2(sfd, 1) < 0)
			_exit(1);
		mh.status.fd = 1;
		keep = 2;
	}
	if (syscall(SYS_close_range, keep, ~0U, 0))
		_exit(1);
	if (prctl(PR_SET_NAME, (unsigned long)"lkvm-helper", 0, 0, 0))
		_exit(1);
	for (;;) {
		/* MSG_TRUNC: a longer datagram's own length, refused. */
		n = recv(0, &req, sizeof(req), MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		/* EOF (or the socket broken): lkvm is gone. */
		if (n <= 0)
			_exit(n ? 1 : 0);
		ans = n == sizeof(req) ? helper_do(&req) : -EINVAL;
		if (send(0, &ans, sizeof(ans), MSG_NOSIGNAL) != sizeof(ans))
			_exit(1);
	}
}

int main_helper_start(const struct status_target *status)
{
	int sv[2];

	if (mh.pid)
		return -EBUSY;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (status)
		mh.status = *status;
	mh.pid = fork();
	if (mh.pid < 0) {
		int err = -errno;

		mh.pid = 0;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (!mh.pid)
		helper_main(sv[1]);
	close(sv[1]);
	mh.fd = sv[0];
	return 0;
}

/* 0 with the helper's answer in *ans, or -errno: no answer. */
static int helper_call(u32 op, u32 arg, s32 status, s32 *ans)
{
	struct main_helper_req req = { op, arg, status };
	ssize_t n;

	if (mh.fd < 0)
		return -ENOTCONN;
	do
		n = send(mh.fd, &req, sizeof(req), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(req))
		return n < 0 ? -errno : -EIO;
	do
		n = read(mh.fd, ans, sizeof(*ans));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(*ans))
		return n < 0 ? -errno : -EPIPE;
	if (*ans > 0)
		*ans = -EIO;
	return 0;
}

int main_helper_ask(u32 op, u32 arg, s32 status)
{
	s32 ans;
	int err = helper_call(op, arg, status, &ans);

	return err ? err : ans;
}

/*
 * Without an answer (the helper died: a kernel without close_range),
 * the call is made here: it works where Landlock is missing too.
 */
int main_helper_unlink(const char *path)
{
	unsigned int i;
	s32 ans;

	for (i = 0; mh.fd >= 0 && i < mh.nr_paths; i++)
		if (!strcmp(mh.paths[i], path) &&
		    !helper_call(MAIN_HELPER_UNLINK, i, 0, &ans))
			return ans;
	return unlink(path) ? -errno : 0;
}

int main_helper_status(const struct status_target *t, enum lkvm_verdict v,
		       int status)
{
	s32 ans;

	if (t->path && !helper_call(MAIN_HELPER_STATUS, v, status, &ans))
		return ans;
	return status_target_write(t, v, status);
}

pid_t main_helper_pid(void)
{
	return mh.pid;
}

void main_helper_stop(void)
{
	if (mh.fd >= 0)
		close(mh.fd);
	while (mh.pid > 0 && waitpid(mh.pid, NULL, 0) < 0 && errno == EINTR)
		;
	mh.fd = -1;
	mh.pid = 0;
	mh.nr_paths = 0;
	mh.status.path = NULL;
}
