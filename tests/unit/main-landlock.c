// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/main-landlock.c: what the main thread may still do to files once
 * every other thread runs. Its seccomp filter allows openat with the
 * status file's flags (O_WRONLY | O_CREAT | O_TRUNC), pwrite64 and
 * unlink on any path; confined, a child process tries what a thread taken
 * over would: its teardown's calls work (status_file_write(), removing
 * the control and vsock sockets), /proc/self/mem and the user's files
 * open for writing and files outside those directories unlinked are
 * refused with EACCES. A sanitizer build does not confine (skip).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "landlock.h"
#include "sandbox-status.h"
#include "tap.h"

static char scratch_dir[] = "/tmp/lkvm-ll-teardown-XXXXXX";
#include "scratch-files.h"

#define STATUS_FLAGS (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY)

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
	R_CONFINED, R_STATUS, R_MEM, R_PROFILE, R_BESIDE, R_NEW_CTL,
	R_CTL_SOCK, R_VSOCK, R_OTHER, R_NR
};

/* In the child: confine as the main thread does, then its calls. */
static void child(const struct vm_config *cfg, int out)
{
	const char *why = "";
	int r[R_NR];

	r[R_CONFINED] = vm_main_confine(cfg, &why);
	r[R_STATUS] = -status_file_write(cfg->status_file,
					 VERDICT_GUEST_EXIT, 0);
	r[R_MEM] = try_write("/proc/self/mem");
	r[R_PROFILE] = try_write(at("home/.profile"));
	r[R_BESIDE] = try_write(at("out/other"));
	r[R_NEW_CTL] = try_write(at("lkvm/planted"));
	r[R_CTL_SOCK] = try_unlink(at("lkvm/vm.sock"));
	r[R_VSOCK] = try_unlink(at("vsock/v.sock"));
	r[R_OTHER] = try_unlink(at("home/.profile"));
	_exit(write(out, r, sizeof(r)) == sizeof(r) ? 0 : 2);
}

static int run(const struct vm_config *cfg, int *r)
{
	int p[2], st;
	pid_t pid;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		child(cfg, p[1]);
	close(p[1]);
	st = read(p[0], r, sizeof(int) * R_NR) == (ssize_t)(sizeof(int) * R_NR);
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -ECHILD;
	return 0;
}

static const char *err_name(int e)
{
	return e ? strerror(e) : "allowed";
}

int main(void)
{
	struct vm_config cfg = { 0 };
	const char *why = "";
	char text[64] = "";
	int r[R_NR] = { 0 };
	FILE *f;

	if (landlock_abi(&why) <= 0) {
		skip(why, "Landlock on the thread that tears down");
		return tap_done();
	}
	if (!mkdtemp(scratch_dir) || mkdir(at("home"), 0700) ||
	    mkdir(at("lkvm"), 0700) || mkdir(at("vsock"), 0700) ||
	    mkdir(at("out"), 0700) || setenv("LKVM_HOME", at("lkvm"), 1)) {
		perror(scratch_dir);
		return 1;
	}
	put("home/.profile", "echo hello\n");
	put("out/other", "kept\n");
	put("lkvm/vm.sock", "");
	put("vsock/v.sock", "");
	cfg.status_file = at("out/status");
	cfg.vsock_cid = 3;
	cfg.vsock_path = at("vsock/v.sock");
	ok(run(&cfg, r) == 0, "a confined child ran");
	if (r[R_CONFINED] == 0) {
		skip("a sanitizer build", "the thread that tears down is not confined");
		goto out;
	}
	ok(r[R_CONFINED] == 1, "vm_main_confine() confined it (%d)",
	   r[R_CONFINED]);
	f = fopen(cfg.status_file, "r");
	ok(f && fgets(text, sizeof(text), f) && !strcmp(text, "guest-exit 0\n"),
	   "status_file_write() wrote the status file, made by the confinement (%s)",
	   err_name(r[R_STATUS]));
	if (f)
		fclose(f);
	ok(r[R_MEM] == EACCES,
	   "/proc/self/mem with the status file's flags: EACCES (%s)",
	   err_name(r[R_MEM]));
	ok(r[R_PROFILE] == EACCES && r[R_BESIDE] == EACCES,
	   "a file of the user's, one beside the status file: EACCES (%s, %s)",
	   err_name(r[R_PROFILE]), err_name(r[R_BESIDE]));
	ok(r[R_NEW_CTL] == EACCES,
	   "a new file in the control directory: EACCES (%s)",
	   err_name(r[R_NEW_CTL]));
	ok(r[R_CTL_SOCK] == 0 && r[R_VSOCK] == 0,
	   "the control and vsock sockets removed (%s, %s)",
	   err_name(r[R_CTL_SOCK]), err_name(r[R_VSOCK]));
	ok(r[R_OTHER] == EACCES && !access(at("home/.profile"), F_OK),
	   "a file elsewhere not removed: EACCES (%s)", err_name(r[R_OTHER]));
out:
	if (system("rm -rf /tmp/lkvm-ll-teardown-??????"))
		return 1;
	return tap_done();
}
