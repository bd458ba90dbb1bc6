// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/main-helper.c, unconfined (tests/unit/main-landlock.c has it under
 * the main thread's Landlock): the helper removes a kept socket only while
 * the name is still that socket in the directory it was in, so a name
 * another file took since, or a directory swapped for a link to another,
 * is left alone (-ESTALE), by the helper and by lkvm's own fallback; it
 * refuses a datagram of any other size than a request's; names cannot be
 * kept once it runs; it has none of lkvm's signal handlers, ignores the
 * stop signals meant for lkvm, and runs under its own seccomp filter,
 * which kills it on any call but the teardown's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpf-eval.h"
#include "filter-child.h"
#include "main-helper.h"
#include "role-filter.h"
#include "seccomp-filter.h"
#include "tap.h"

static char scratch_dir[] = "/tmp/lkvm-helper-XXXXXX";
#include "scratch-files.h"

static struct main_helper mh;

static const char *err_name(int e)
{
	return e ? strerror(e < 0 ? -e : e) : "0";
}

/* A UNIX socket bound at name (its file), the socket closed. */
static void sock_at(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at(name));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror(name);
		exit(1);
	}
	close(fd);
}

static bool exists(const char *name)
{
	struct stat st;

	return !lstat(at(name), &st);
}

/* The program's verdict on one call. */
static u32 verdict(const struct sock_filter *f, size_t len, int nr, u64 a0,
		   u64 a1, u64 a2)
{
	struct seccomp_data d = { .nr = nr, .arch = sc_audit_arch(),
				  .args = { a0, a1, a2 } };

	return bpf_eval_run(f, len, &d) & SECCOMP_RET_ACTION_FULL;
}

static void filter_program(struct sock_filter *f, size_t *len)
{
	const u32 kill = SECCOMP_RET_KILL_PROCESS, allow = SECCOMP_RET_ALLOW;
	struct seccomp_data other = { .nr = __NR_read, .arch = 0 };
	int n = main_helper_filter(f, MAIN_HELPER_FILTER_MAX);
	size_t at_insn;

	*len = n > 0 ? (size_t)n : 0;
	ok(n > 0 && !bpf_eval_check(f, *len, &at_insn),
	   "the helper's filter compiles to a valid program (%d instructions)",
	   n);
	if (n <= 0)
		return;
	ok(verdict(f, *len, __NR_read, 0, 0, 13) == allow &&
	   verdict(f, *len, __NR_write, 0, 0, 4) == allow &&
	   verdict(f, *len, __NR_close, 3, 0, 0) == allow,
	   "it allows its socket's read and write, close");
	ok(verdict(f, *len, __NR_openat, AT_FDCWD, 0, PINNED_DIR_OPEN_FLAGS) ==
	   allow &&
	   verdict(f, *len, __NR_openat, 3, 0, STATUS_FILE_OPEN_FLAGS) ==
	   allow &&
	   verdict(f, *len, __NR_openat, 3, 0,
		   STATUS_FILE_OPEN_FLAGS | O_NOFOLLOW) == allow &&
	   verdict(f, *len, __NR_unlinkat, 3, 0, 0) == allow,
	   "it allows the directory's and the status file's opens, unlinkat");
	ok(verdict(f, *len, __NR_openat, AT_FDCWD, 0, O_RDONLY) == kill &&
	   verdict(f, *len, __NR_openat, AT_FDCWD, 0, O_RDWR) == kill &&
	   verdict(f, *len, __NR_openat, AT_FDCWD, 0,
		   O_WRONLY | O_CREAT) == kill,
	   "an open for reading, for reading and writing, without truncation: killed");
	ok(verdict(f, *len, __NR_unlinkat, 3, 0, AT_REMOVEDIR) == kill,
	   "unlinkat of a directory: killed");
	ok(verdict(f, *len, __NR_execve, 0, 0, 0) == kill &&
	   verdict(f, *len, __NR_socket, AF_INET, 0, 0) == kill &&
	   verdict(f, *len, __NR_kill, 1, SIGKILL, 0) == kill &&
	   verdict(f, *len, __NR_process_vm_writev, 1, 0, 0) == kill &&
	   verdict(f, *len, __NR_ptrace, 0, 0, 0) == kill &&
	   verdict(f, *len, __NR_renameat2, 0, 0, 0) == kill,
	   "execve, socket, kill, process_vm_writev, ptrace, renameat2: killed");
	ok((bpf_eval_run(f, *len, &other) & SECCOMP_RET_ACTION_FULL) == kill,
	   "a call of another architecture: killed");
}

/* In the filtered child: a read-only open, which should kill it. */
static void open_read_only(void)
{
	open("/etc/hostname", O_RDONLY);
}

/*
 * The program installed in a child that then reads a file: -1 when no
 * filter can be installed (qemu-user), else whether SIGSYS killed it.
 */
static int filter_kills(const struct sock_filter *f, size_t len)
{
	int st = filter_child(f, len, open_read_only);

	if (st < 0)
		return -1;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
}

/* A field of /proc/PID/status ("SigCgt"): its value, or "". */
static void proc_field(pid_t pid, const char *key, char *val, size_t len)
{
	char path[64], line[256];
	size_t k = strlen(key);
	FILE *f;

	val[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, k) && line[k] == ':') {
			snprintf(val, len, "%s", line + k + 1 +
				 strspn(line + k + 1, " \t"));
			val[strcspn(val, "\n")] = '\0';
			break;
		}
	fclose(f);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * SigCgt of a child that catches nothing (every handler back to SIG_DFL,
 * as the helper does): "0..." natively; under qemu-user the emulator's
 * own host handlers, which hide whether the helper kept lkvm's.
 */
static void bare_child_sigcgt(char *cgt, size_t len)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	int p[2], sig;
	char c;
	pid_t pid;

	cgt[0] = '\0';
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		for (sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP &&
			    !sigaction(sig, NULL, &old) &&
			    old.sa_handler != SIG_IGN &&
			    old.sa_handler != SIG_DFL)
				sigaction(sig, &dfl, NULL);
		close(p[0]);
		/* Ready; then wait for the parent's look and its kill. */
		if (write(p[1], "r", 1) == 1)
			pause();
		_exit(0);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) == 1)
		proc_field(pid, "SigCgt", cgt, len);
	close(p[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* Raw datagrams of n bytes to the helper: its answer, or a failure. */
static int raw_ask(size_t n)
{
	char buf[32] = { 0 };
	s32 ans;

	if (send(mh.fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n ||
	    read(mh.fd, &ans, sizeof(ans)) != sizeof(ans))
		return 1;
	return ans;
}

static void helper_checks(bool filter)
{
	char cgt[64], blk[64], ign[64], mode[16], bare[64], why[128];
	struct sigaction sa = { .sa_handler = on_usr1 };
	unsigned long long mask = 0;
	int r, st, want;
	pid_t pid;

	/* lkvm's own handlers, which the helper must not run. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		exit(1);
	if (mkdir(at("ctl"), 0700) || mkdir(at("v"), 0700) ||
	    mkdir(at("victim"), 0700))
		exit(1);
	sock_at("ctl/vm.sock");
	sock_at("v/v.sock");
	put("victim/v.sock", "the user's\n");
	r = main_helper_keep(&mh, at("ctl/vm.sock"));
	r = r ? r : main_helper_keep(&mh, at("v/v.sock"));
	r = r ? r : main_helper_start(&mh, NULL, filter);
	ok(!r && mh.pid > 0, "the helper started%s (%s)",
	   filter ? " under its filter" : "", err_name(r));
	if (r)
		return;
	pid = mh.pid;
	r = main_helper_keep(&mh, at("victim/v.sock"));
	ok(r == -EBUSY && mh.nr_names == 2,
	   "a name kept once it runs: -EBUSY (%s)", err_name(r));

	/* One answer: it runs its loop, its set-up done. */
	r = raw_ask(sizeof(struct main_helper_req));
	ok(r == -EINVAL, "it refuses an unknown request (%s)", err_name(r));
	proc_field(pid, "SigCgt", cgt, sizeof(cgt));
	proc_field(pid, "SigBlk", blk, sizeof(blk));
	proc_field(pid, "SigIgn", ign, sizeof(ign));
	proc_field(pid, "Seccomp", mode, sizeof(mode));
	mask = strtoull(blk, NULL, 16);
	want = (1 << (SIGINT - 1)) | (1 << (SIGTERM - 1)) |
	       (1 << (SIGHUP - 1)) | (1 << (SIGQUIT - 1));
	bare_child_sigcgt(bare, sizeof(bare));
	if (bare[0] && strspn(bare, "0") == strlen(bare)) {
		ok(strspn(cgt, "0") == strlen(cgt) && cgt[0],
		   "it catches no signal: none of lkvm's handlers (SigCgt %s)",
		   cgt);
	} else {
		snprintf(why, sizeof(why),
			 "a child that catches nothing shows SigCgt '%s' here (qemu-user's own handlers)",
			 bare);
		skip(why, "it catches no signal: none of lkvm's handlers");
	}
	ok((mask & (unsigned long long)want) == (unsigned long long)want,
	   "it blocks SIGINT, SIGTERM, SIGHUP, SIGQUIT (SigBlk %s)", blk);
	mask = strtoull(ign, NULL, 16);
	want = (1 << (SIGTSTP - 1)) | (1 << (SIGTTIN - 1)) |
	       (1 << (SIGTTOU - 1));
	ok((mask & (unsigned long long)want) == (unsigned long long)want,
	   "it ignores SIGTSTP, SIGTTIN, SIGTTOU: job control cannot stop it (SigIgn %s)",
	   ign);
	if (filter)
		ok(!strcmp(mode, "2"), "it runs under a seccomp filter (Seccomp %s)",
		   mode);
	else
		skip("seccomp filters cannot be installed here",
		     "the helper under its filter");
	r = kill(pid, SIGTERM) || kill(pid, SIGINT) || kill(pid, SIGHUP) ||
	    kill(pid, SIGTSTP);
	ok(!r && raw_ask(sizeof(struct main_helper_req)) == -EINVAL,
	   "after SIGTERM, SIGINT, SIGHUP, SIGTSTP it still answers (an unknown request: EINVAL)");
	ok(raw_ask(sizeof(struct main_helper_req) + 1) == -EINVAL &&
	   raw_ask(sizeof(struct main_helper_req) + 8) == -EINVAL &&
	   raw_ask(4) == -EINVAL,
	   "a datagram longer or shorter than a request: EINVAL");

	/*
	 * Another socket took the control socket's name (made first: the
	 * freed inode's number would be the next one's on some file
	 * systems, and only the number tells them apart).
	 */
	sock_at("ctl/new.sock");
	if (rename(at("ctl/new.sock"), at("ctl/vm.sock")))
		exit(1);
	r = main_helper_unlink(&mh, at("ctl/vm.sock"));
	ok(r == -ESTALE && exists("ctl/vm.sock"),
	   "a name another socket took since is left: -ESTALE (%s)",
	   err_name(r));
	/* The vsock socket's directory swapped for a link to another. */
	if (rename(at("v"), at("v.old")) || symlink(at("victim"), at("v")))
		exit(1);
	r = main_helper_unlink(&mh, at("v/v.sock"));
	ok(r == -ESTALE && exists("victim/v.sock") && exists("v.old/v.sock"),
	   "a directory swapped for a link: nothing removed through it, -ESTALE (%s)",
	   err_name(r));
	/* Back as it was: removed. */
	if (unlink(at("v")) || rename(at("v.old"), at("v")))
		exit(1);
	r = main_helper_unlink(&mh, at("v/v.sock"));
	ok(!r && !exists("v/v.sock"), "the socket it was given: removed (%s)",
	   err_name(r));

	/* lkvm's own fallback, the helper gone, checks as it did. */
	r = kill(pid, SIGKILL) ? -errno : 0;
	r = r ? r : waitpid(pid, &st, 0) == pid ? 0 : -errno;
	r = r ? r : main_helper_unlink(&mh, at("ctl/vm.sock"));
	ok(r == -ESTALE && exists("ctl/vm.sock"),
	   "without the helper, lkvm leaves a name another socket took (%s)",
	   err_name(r));
	main_helper_stop(&mh);
	ok(!mh.pid && !mh.nr_names, "stopped, it forgets the helper and the names");

	/* Again: stop, then EOF ends the helper with status 0. */
	sock_at("v/v.sock");
	r = main_helper_keep(&mh, at("v/v.sock"));
	r = r ? r : main_helper_start(&mh, NULL, filter);
	pid = mh.pid;
	r = r ? r : main_helper_unlink(&mh, at("v/v.sock"));
	main_helper_stop(&mh);
	ok(!r && !exists("v/v.sock") && pid > 0 && kill(pid, 0) && errno == ESRCH,
	   "a second helper removes its name and is reaped at stop (%s)",
	   err_name(r));
}

/*
 * A helper stopped (SIGSTOP: what nothing it ignores can prevent): lkvm
 * waits answer_ms for it, then makes the call itself; at stop it leaves
 * the helper behind after a while instead of waiting for ever.
 */
static void stopped_helper(bool filter)
{
	struct timespec t0, t1;
	int r, st;
	pid_t pid;
	double s;

	sock_at("v/late.sock");
	memset(&mh, 0, sizeof(mh));
	mh.answer_ms = 200;
	r = main_helper_keep(&mh, at("v/late.sock"));
	r = r ? r : main_helper_start(&mh, NULL, filter);
	pid = mh.pid;
	if (r || raw_ask(4) != -EINVAL || kill(pid, SIGSTOP)) {
		ok(0, "a stopped helper (set-up: %s)", err_name(r));
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = main_helper_unlink(&mh, at("v/late.sock"));
	main_helper_stop(&mh);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(!r && !exists("v/late.sock") && s < 30,
	   "a stopped helper: lkvm removes the socket itself, and does not wait for it for ever (%s, %.1f s)",
	   err_name(r), s);
	kill(pid, SIGKILL);
	kill(pid, SIGCONT);
	waitpid(pid, &st, 0);
}

/*
 * lkvm's own fallback under the main thread's seccomp filter, as it runs
 * at teardown without a helper (a sanitizer build, a kernel without
 * Landlock, a helper gone): in a child. 0, or what ended it.
 */
static int fallback_filtered(void)
{
	struct status_target t;
	int p[2], r = 0, st;
	pid_t pid;

	sock_at("v/main.sock");
	sock_at("v/taken.sock");
	if (pipe(p))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		memset(&mh, 0, sizeof(mh));
		close(p[0]);
		if (main_helper_keep(&mh, at("v/main.sock")) ||
		    main_helper_keep(&mh, at("v/taken.sock")) ||
		    status_target_init(&t, at("v/status")))
			_exit(3);
		sock_at("v/taken.new");
		if (rename(at("v/taken.new"), at("v/taken.sock")))
			_exit(3);
		if (!role_filter_install(SC_ROLE_MAIN, SECCOMP_RET_TRAP))
			_exit(50);
		r = main_helper_unlink(&mh, at("v/main.sock")) ? 1 : 0;
		r |= main_helper_unlink(&mh, at("v/taken.sock")) != -ESTALE ?
		     2 : 0;
		r |= main_helper_status(&mh, &t, VERDICT_COMMAND, 4) ? 4 : 0;
		_exit(write(p[1], &r, sizeof(r)) == sizeof(r) ? 0 : 3);
	}
	close(p[1]);
	if (read(p[0], &r, sizeof(r)) != sizeof(r))
		r = -1;
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 50)
		return 50;
	if (WIFSIGNALED(st))
		return 100 + WTERMSIG(st);
	return WEXITSTATUS(st) ? 200 + WEXITSTATUS(st) : r;
}

static void fallback_checks(void)
{
	FILE *f = NULL;
	char line[32] = "";
	int r = fallback_filtered();

	if (r == 50) {
		skip("seccomp filters cannot be installed here",
		     "lkvm's own fallback under the main thread's filter");
		return;
	}
	f = fopen(at("v/status"), "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	ok(r == 0 && !exists("v/main.sock") && exists("v/taken.sock") &&
	   !strcmp(line, "command 4\n"),
	   "without a helper, under the main thread's filter: its socket removed, a taken name left, the status file written (%d%s)",
	   r, r == 100 + SIGSYS ? ": SIGSYS" : "");
}

int main(void)
{
	struct sock_filter f[MAIN_HELPER_FILTER_MAX];
	size_t len = 0;
	char cmd[64];
	int kills;

	if (!mkdtemp(scratch_dir)) {
		perror(scratch_dir);
		return 1;
	}
	filter_program(f, &len);
	kills = len ? filter_kills(f, len) : 0;
	if (kills < 0)
		skip("seccomp filters cannot be installed here",
		     "the filter kills the helper on a read-only open");
	else
		ok(kills == 1, "installed, it kills the process on a read-only open (SIGSYS)");
	helper_checks(kills == 1);
	stopped_helper(kills == 1);
	fallback_checks();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch_dir);
	if (system(cmd))
		return 1;
	return tap_done();
}
