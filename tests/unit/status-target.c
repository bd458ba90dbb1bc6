// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/sandbox-status.c's status target: --status-file's place is taken
 * before the guest runs, and what a guest that can write the file's
 * directory (lkvm sandbox's current directory) changes by the end does
 * not move the line elsewhere: a symbolic link planted at the name is
 * not followed (the file it names stays as it was), a FIFO neither
 * blocks the writer nor gets the line, a directory swapped for a link to
 * another gets nothing. A regular file put in the file's place, or the
 * file removed, still gets the line; a pipe given as the status file
 * (/dev/fd/N) is opened at the start and gets it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox-status.h"
#include "tap.h"

static char scratch_dir[] = "/tmp/lkvm-status-XXXXXX";
#include "scratch-files.h"

/*
 * Take the place of rel, let change() act as the guest would, write the
 * verdict: in a child that SIGALRM ends after 5 s (a writer blocked on a
 * FIFO). Returns the write's result (-errno), or -ETIMEDOUT.
 */
static int write_after(const char *rel, void (*change)(void))
{
	int p[2], r = -EIO, st;
	pid_t pid;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		struct status_target t;

		close(p[0]);
		alarm(5);
		r = status_target_init(&t, at(rel));
		if (change)
			change();
		if (!r)
			r = status_target_write(&t, VERDICT_COMMAND, 7);
		status_target_release(&t);
		_exit(write(p[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &r, sizeof(r)) != sizeof(r))
		r = -ETIMEDOUT;
	close(p[0]);
	waitpid(pid, &st, 0);
	return r;
}

static bool text_is(const char *rel, const char *want)
{
	char buf[64] = "";
	FILE *f = fopen(at(rel), "r");
	bool same;

	if (!f)
		return !want;
	same = want && fgets(buf, sizeof(buf), f) && !strcmp(buf, want);
	fclose(f);
	return same;
}

static void plant_link(void)
{
	if (symlink(at("victim"), at("out/st")))
		_exit(4);
}

static void replace_by_link(void)
{
	if (unlink(at("out/st")) || symlink(at("victim"), at("out/st")))
		_exit(4);
}

static void plant_fifo(void)
{
	if (mkfifo(at("out/st"), 0600))
		_exit(4);
}

static void swap_dir(void)
{
	if (rename(at("out"), at("out.old")) ||
	    symlink(at("elsewhere"), at("out")))
		_exit(4);
}

static void replace_by_file(void)
{
	put("out/st.new", "stale\n");
	if (rename(at("out/st.new"), at("out/st")))
		_exit(4);
}

static void remove_file(void)
{
	if (unlink(at("out/st")))
		_exit(4);
}

static void repoint_link(void)
{
	if (unlink(at("out/st")) || symlink(at("victim"), at("out/st")))
		_exit(4);
}

static void dir_made_link(void)
{
	if (symlink(at("elsewhere"), at("gone")))
		_exit(4);
}

/* A status file under a 4200-byte directory name, from scratch_dir. */
static int long_dir(void)
{
	static char path[4400];
	struct status_target t;
	int r, w;

	strcpy(path, "/nonexistent/");
	memset(path + 13, 'a', 4200);
	strcpy(path + 4213, "/st");
	if (chdir(scratch_dir))
		return -errno;
	r = status_target_init(&t, path);
	w = status_target_write(&t, VERDICT_COMMAND, 7);
	status_target_release(&t);
	return r == w ? r : -EDOM;
}

static void reset(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/out %s/out.old %s/elsewhere %s/gone",
		 scratch_dir, scratch_dir, scratch_dir, scratch_dir);
	if (system(cmd) || mkdir(at("out"), 0700) ||
	    mkdir(at("elsewhere"), 0700))
		exit(1);
	put("victim", "the user's\n");
}

int main(void)
{
	char name[64], buf[64] = "";
	int p[2], r;
	ssize_t n;

	if (!mkdtemp(scratch_dir))
		return 1;
	reset();
	r = write_after("out/st", plant_link);
	ok(r == -ELOOP && text_is("victim", "the user's\n"),
	   "a link planted at a new status file's name is not followed (%s)",
	   strerror(-r));
	reset();
	put("out/st", "old\n");
	r = write_after("out/st", replace_by_link);
	ok(r == -ELOOP && text_is("victim", "the user's\n"),
	   "a status file replaced by a link: not followed (%s)",
	   strerror(-r));
	reset();
	r = write_after("out/st", plant_fifo);
	ok(r == -ENXIO, "a FIFO planted there neither blocks nor gets the line (%s)",
	   strerror(-r));
	reset();
	r = write_after("out/st", swap_dir);
	ok(r == -ESTALE && text_is("elsewhere/st", NULL),
	   "its directory swapped for a link to another: nothing written there (%s)",
	   strerror(-r));
	reset();
	put("out/st", "old\n");
	r = write_after("out/st", replace_by_file);
	ok(!r && text_is("out/st", "command 7\n"),
	   "a regular file put in its place gets the line (%s)",
	   strerror(-r));
	reset();
	put("out/st", "old\n");
	r = write_after("out/st", remove_file);
	ok(!r && text_is("out/st", "command 7\n"),
	   "a status file removed is made again with the line (%s)",
	   strerror(-r));
	reset();
	put("elsewhere/real", "old\n");
	if (symlink(at("elsewhere/real"), at("out/st")))
		return 1;
	r = write_after("out/st", repoint_link);
	ok(!r && text_is("elsewhere/real", "command 7\n") &&
	   text_is("victim", "the user's\n"),
	   "a link given as the status file: the line goes where it led at the start, not where the guest re-pointed it (%s)",
	   strerror(-r));
	reset();
	if (symlink("st.real", at("out/st")))
		return 1;
	r = write_after("out/st", NULL);
	ok(!r && text_is("out/st.real", "command 7\n"),
	   "a relative link given: resolved beside it, the file made there (%s)",
	   strerror(-r));
	reset();
	r = write_after("gone/st", dir_made_link);
	ok(r == -ENOENT && text_is("elsewhere/st", NULL),
	   "a directory missing at the start and made (a link) during the run: not used (%s)",
	   strerror(-r));
	reset();
	r = long_dir();
	ok(r == -ENAMETOOLONG && text_is("st", NULL),
	   "a directory name too long: the line is not written in the current directory instead (%s)",
	   strerror(-r));
	reset();
	if (pipe(p))
		return 1;
	snprintf(name, sizeof(name), "/proc/self/fd/%d", p[1]);
	r = status_file_write(name, VERDICT_GUEST_EXIT, 3);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	ok(!r && !strcmp(buf, "guest-exit 3\n"),
	   "a pipe given as the status file gets the line (%s, '%.*s')",
	   strerror(-r), (int)strcspn(buf, "\n"), buf);
	snprintf(name, sizeof(name), "rm -rf %s", scratch_dir);
	if (system(name))
		return 1;
	return tap_done();
}
