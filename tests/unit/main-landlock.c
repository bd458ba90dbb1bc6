// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/main-landlock.c and vmm/main-helper.c: what the main thread may
 * still do to files once every other thread runs. Its seccomp filter
 * allows openat with the status file's flags (O_WRONLY | O_CREAT |
 * O_TRUNC), pwrite64 and unlink on any path; confined, a child process
 * tries what a thread taken over would. The teardown's work goes through
 * the helper forked before the confinement: it removes the control and
 * vsock sockets it was given, and writes the status file even when that
 * was replaced or removed during the run; the status file is not made at
 * start. Everything else is refused with EACCES: /proc/self/mem and the
 * user's files opened for writing, files beside the sockets (another
 * VM's socket, the user's files beside --vsock path=) unlinked. The
 * helper takes only well-formed requests, holds only its socket, and
 * exits when the main thread's process does; killed, the status file is
 * written directly. A sanitizer build does not confine (skip).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "filter-child.h"
#include "landlock.h"
#include "main-helper.h"
#include "sandbox-status.h"
#include "tap.h"

static char scratch_dir[] = "/tmp/lkvm-ll-teardown-XXXXXX";
#include "scratch-files.h"

/* The VM's helper, as struct vm holds it. */
static struct main_helper mh;
/* Its own seccomp filter where one can be installed (not qemu-user). */
static bool filter;

#define STATUS_FLAGS (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | \
		      O_NONBLOCK)

/* 0 when path opens with the status file's flags, else errno. */
static int try_write(const char *path)
{
	int fd = open(path, STATUS_FLAGS, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_unlink(const char *path)
{
	return unlink(path) ? errno : 0;
}

enum {
	R_CONFINED, R_STARTED, R_NO_STATUS, R_MEM, R_PROFILE, R_BESIDE,
	R_NEW_CTL, R_CTL_SOCK, R_VSOCK, R_OTHER, R_OTHER_VM, R_SIBLING,
	R_NOT_KEPT, R_BAD_OP, R_BAD_PATH, R_BAD_VERDICT, R_BAD_STATUS,
	R_REPLACED, R_REMOVED, R_PID, R_NR
};

/* One byte each way between the child and the test. */
static void sync_with(int out, int in)
{
	char c = 0;

	if (write(out, &c, 1) != 1 || read(in, &c, 1) != 1)
		_exit(3);
}

/* In the child: confine as the main thread does, then its calls. */
static void child(const struct vm_config *cfg, int out, int in)
{
	struct status_target st;
	const char *why = "";
	int r[R_NR], started;
	char c;

	r[R_STARTED] = main_helper_keep(&mh, at("lkvm/vm.sock"));
	if (!r[R_STARTED])
		r[R_STARTED] = main_helper_keep(&mh, cfg->vsock_path);
	r[R_STARTED] = -r[R_STARTED];
	/* It forks the helper (before the guest runs), later confines. */
	if (status_target_init(&st, cfg->status_file))
		_exit(3);
	started = vm_main_helper_start(&mh, &st, filter, &why);
	if (!r[R_STARTED] && started != 1)
		r[R_STARTED] = started < 0 ? -started : EDOM;
	r[R_CONFINED] = vm_main_confine(&why);
	r[R_PID] = mh.pid;
	r[R_NO_STATUS] = access(cfg->status_file, F_OK) ? errno : 0;
	r[R_MEM] = try_write("/proc/self/mem");
	r[R_PROFILE] = try_write(at("home/.profile"));
	r[R_BESIDE] = try_write(at("out/other"));
	r[R_NEW_CTL] = try_write(at("lkvm/planted"));
	r[R_CTL_SOCK] = -main_helper_unlink(&mh, at("lkvm/vm.sock"));
	r[R_VSOCK] = -main_helper_unlink(&mh, cfg->vsock_path);
	r[R_OTHER] = try_unlink(at("home/.profile"));
	r[R_OTHER_VM] = try_unlink(at("lkvm/other.sock"));
	r[R_SIBLING] = try_unlink(at("vsock/sibling"));
	r[R_NOT_KEPT] = -main_helper_unlink(&mh, at("vsock/sibling"));
	r[R_BAD_OP] = -main_helper_ask(&mh, 7, 0, 0);
	r[R_BAD_PATH] = -main_helper_ask(&mh, MAIN_HELPER_UNLINK,
					 MAIN_HELPER_PATHS, 0);
	r[R_BAD_VERDICT] = -main_helper_ask(&mh, MAIN_HELPER_STATUS,
					    VERDICT_LKVM_ERROR + 1, 0);
	r[R_BAD_STATUS] = -main_helper_ask(&mh, MAIN_HELPER_STATUS,
					   VERDICT_GUEST_EXIT, 256);
	/* The test looks at the helper, replaces the status file, ... */
	if (write(out, &r[R_PID], sizeof(int)) != sizeof(int) ||
	    read(in, &c, 1) != 1)
		_exit(3);
	r[R_REPLACED] = -main_helper_status(&mh, &st, VERDICT_GUEST_EXIT, 0);
	/* ... then removes it. */
	sync_with(out, in);
	r[R_REMOVED] = -main_helper_status(&mh, &st, VERDICT_GUEST_PANIC, 3);
	/* No main_helper_stop(): the helper sees EOF as lkvm exits. */
	_exit(write(out, r, sizeof(r)) == sizeof(r) ? 0 : 2);
}

static void text_of(const char *path, char *text, size_t len)
{
	FILE *f = fopen(path, "r");

	text[0] = '\0';
	if (f) {
		if (!fgets(text, (int)len, f))
			text[0] = '\0';
		fclose(f);
	}
}

/* Whether the helper's filter can be installed here (not qemu-user). */
static bool filter_installable(void)
{
	struct sock_filter f[MAIN_HELPER_FILTER_MAX];
	int n = main_helper_filter(f, MAIN_HELPER_FILTER_MAX), st;

	if (n <= 0)
		return false;
	st = filter_child(f, (size_t)n, NULL);
	return st >= 0 && WIFEXITED(st) && !WEXITSTATUS(st);
}

static const char *err_name(int e)
{
	return e ? strerror(e) : "allowed";
}

/* The helper, reparented to this test: gone within 5 s, with status 0. */
static bool helper_gone(pid_t pid)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int st, i;

	for (i = 0; i < 500; i++) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return WIFEXITED(st) && !WEXITSTATUS(st);
		if (w < 0)
			return false;
		nanosleep(&ts, NULL);
	}
	return false;
}

/*
 * Unconfined, with the helper killed (as on a kernel without close_range,
 * where it exits at once): the status file is written directly.
 */
static void without_helper(void)
{
	struct status_target st;
	char text[64];
	pid_t pid;
	int r;

	r = status_target_init(&st, at("out/direct"));
	r = r ? r : main_helper_start(&mh, &st, filter);
	pid = mh.pid;
	r = r ? r : kill(pid, SIGKILL) ? -errno : 0;
	/* Reaped here: main_helper_stop()'s waitpid() then finds none. */
	r = r ? r : waitpid(pid, NULL, 0) == pid ? 0 : -errno;
	r = r ? r : main_helper_status(&mh, &st, VERDICT_COMMAND, 5);
	main_helper_stop(&mh);
	text_of(at("out/direct"), text, sizeof(text));
	ok(!r && !strcmp(text, "command 5\n") && !mh.pid,
	   "the helper killed, the status file is written directly (%s, '%.*s')",
	   err_name(-r), (int)strcspn(text, "\n"), text);
}

/* Whether the process runs under a seccomp filter (/proc/PID/status). */
static bool filtered(pid_t pid)
{
	char path[64], line[128];
	bool yes = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "Seccomp:\t2\n"))
			yes = true;
	fclose(f);
	return yes;
}

/* How many files the process holds open. */
static int fds_of(pid_t pid)
{
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int main(void)
{
	char text[64], replaced[64], removed[64];
	struct vm_config cfg = { 0 };
	int c2p[2], p2c[2], st, nfds = -1, hpid = 0;
	bool hfiltered = false;
	const char *why = "";
	int r[R_NR] = { 0 };
	bool got;
	pid_t pid;

	if (landlock_abi(&why) <= 0) {
		skip(why, "Landlock on the thread that tears down");
		return tap_done();
	}
	filter = filter_installable();
	if (!mkdtemp(scratch_dir) || mkdir(at("home"), 0700) ||
	    mkdir(at("lkvm"), 0700) || mkdir(at("vsock"), 0700) ||
	    mkdir(at("out"), 0700) || setenv("LKVM_HOME", at("lkvm"), 1) ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) || pipe(c2p) ||
	    pipe(p2c)) {
		perror(scratch_dir);
		return 1;
	}
	put("home/.profile", "echo hello\n");
	put("out/other", "kept\n");
	put("lkvm/vm.sock", "");
	put("lkvm/other.sock", "");
	put("vsock/v.sock", "");
	put("vsock/sibling", "the user's\n");
	cfg.status_file = at("out/status");
	cfg.vsock_cid = 3;
	cfg.vsock_path = at("vsock/v.sock");
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		child(&cfg, c2p[1], p2c[0]);
	close(c2p[1]);
	close(p2c[0]);
	/* Replaced during the run: a new file (a new inode) at the path. */
	got = read(c2p[0], &hpid, sizeof(hpid)) == sizeof(hpid);
	if (got) {
		if (hpid > 0) {
			nfds = fds_of(hpid);
			hfiltered = filtered(hpid);
		}
		put("out/status.new", "stale\n");
		got = !rename(at("out/status.new"), cfg.status_file) &&
		      write(p2c[1], text, 1) == 1 &&
		      read(c2p[0], text, 1) == 1;
	}
	text_of(cfg.status_file, replaced, sizeof(replaced));
	/* Then removed. */
	got = got && !unlink(cfg.status_file) && write(p2c[1], text, 1) == 1;
	got = got && read(c2p[0], r, sizeof(r)) == sizeof(r);
	ok(got && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	   !WEXITSTATUS(st), "a confined child ran");
	text_of(cfg.status_file, removed, sizeof(removed));
	if (r[R_CONFINED] == 0) {
		skip("a sanitizer build", "the thread that tears down is not confined, has no helper");
		goto out;
	}
	ok(r[R_CONFINED] == 1, "vm_main_confine() confined it (%d)",
	   r[R_CONFINED]);
	ok(r[R_STARTED] == 0 && r[R_PID] > 0, "its helper started (%s)",
	   err_name(r[R_STARTED]));
	if (filter)
		ok(hfiltered, "the helper runs under its seccomp filter");
	else
		skip("seccomp filters cannot be installed here",
		     "the helper under its seccomp filter");
	ok(r[R_NO_STATUS] == ENOENT,
	   "the status file is not made at start (%s)",
	   err_name(r[R_NO_STATUS]));
	ok(r[R_MEM] == EACCES,
	   "/proc/self/mem with the status file's flags: EACCES (%s)",
	   err_name(r[R_MEM]));
	ok(r[R_PROFILE] == EACCES && r[R_BESIDE] == EACCES,
	   "a file of the user's, one beside the status file: EACCES (%s, %s)",
	   err_name(r[R_PROFILE]), err_name(r[R_BESIDE]));
	ok(r[R_NEW_CTL] == EACCES,
	   "a new file in the control directory: EACCES (%s)",
	   err_name(r[R_NEW_CTL]));
	ok(r[R_CTL_SOCK] == 0 && r[R_VSOCK] == 0 &&
	   access(at("lkvm/vm.sock"), F_OK) && access(cfg.vsock_path, F_OK),
	   "the helper removed the control and vsock sockets (%s, %s)",
	   err_name(r[R_CTL_SOCK]), err_name(r[R_VSOCK]));
	ok(r[R_OTHER] == EACCES && !access(at("home/.profile"), F_OK),
	   "a file elsewhere not removed: EACCES (%s)", err_name(r[R_OTHER]));
	ok(r[R_OTHER_VM] == EACCES && !access(at("lkvm/other.sock"), F_OK),
	   "another VM's socket in the control directory not removed: EACCES (%s)",
	   err_name(r[R_OTHER_VM]));
	ok(r[R_SIBLING] == EACCES && r[R_NOT_KEPT] == EACCES &&
	   !access(at("vsock/sibling"), F_OK),
	   "a file beside the vsock socket not removed, directly or through the helper: EACCES (%s, %s)",
	   err_name(r[R_SIBLING]), err_name(r[R_NOT_KEPT]));
	ok(r[R_BAD_OP] == EINVAL && r[R_BAD_PATH] == EINVAL &&
	   r[R_BAD_VERDICT] == EINVAL && r[R_BAD_STATUS] == EINVAL,
	   "the helper refuses an unknown request, path number, verdict, status: EINVAL (%s, %s, %s, %s)",
	   err_name(r[R_BAD_OP]), err_name(r[R_BAD_PATH]),
	   err_name(r[R_BAD_VERDICT]), err_name(r[R_BAD_STATUS]));
	ok(r[R_REPLACED] == 0 && !strcmp(replaced, "guest-exit 0\n"),
	   "a status file replaced during the run gets the verdict (%s, '%.*s')",
	   err_name(r[R_REPLACED]), (int)strcspn(replaced, "\n"), replaced);
	ok(r[R_REMOVED] == 0 && !strcmp(removed, "guest-panic 3\n"),
	   "a status file removed during the run is made with the verdict (%s, '%.*s')",
	   err_name(r[R_REMOVED]), (int)strcspn(removed, "\n"), removed);
	ok(nfds == 1, "the helper holds only its socket (%d files)", nfds);
	ok(r[R_PID] > 0 && helper_gone(r[R_PID]),
	   "the helper exits when the child does");
out:
	without_helper();
	snprintf(text, sizeof(text), "rm -rf %s", scratch_dir);
	if (system(text))
		return 1;
	return tap_done();
}
