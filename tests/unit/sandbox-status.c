// SPDX-License-Identifier: GPL-2.0
/* vmm/sandbox-status.c: the status port's line, verdicts, status file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox-status.h"
#include "log-lines.h"
#include "tap.h"
#include "vm.h"

static int feed(struct guest_status_parser *p, const char *s)
{
	return guest_status_feed(p, (const u8 *)s, strlen(s));
}

static void test_port(void)
{
	struct guest_status_parser p = { 0 };
	char big[100];

	ok(feed(&p, "status=7\n") == 7, "status=7 is 7");
	ok(feed(&p, "stat") == -1 && feed(&p, "us=1") == -1 &&
	   feed(&p, "28\n") == 128, "a line in three pieces");
	ok(feed(&p, "status=0\nstatus=255\n") == 255, "the last line wins");
	ok(feed(&p, "status=256\n") == -1, "256 is not a status");
	ok(feed(&p, "status=-1\n") == -1 && feed(&p, "status=\n") == -1 &&
	   feed(&p, "status=1x\n") == -1 && feed(&p, "xstatus=1\n") == -1,
	   "garbage is ignored");
	memset(big, '9', sizeof(big));
	memcpy(big, "status=", 7);
	big[sizeof(big) - 1] = 0;
	ok(feed(&p, big) == -1 && feed(&p, "\n") == -1,
	   "an overlong line is ignored");
	ok(feed(&p, "status=3\n") == 3, "... and the next line is read");

	ok(!p.stdin_ready, "no stdin=ready line yet");
	ok(feed(&p, "stdin=readyx\nxstdin=ready\nstdin=ready") == -1 &&
	   !p.stdin_ready, "stdin=ready only as a whole line");
	ok(feed(&p, "\nstatus=4\n") == 4 && p.stdin_ready,
	   "stdin=ready, its line ended, and the status after it");
}

/* n status lines fed, alternating 0 and 1. */
static void feed_status_lines(void *arg)
{
	struct guest_status_parser p = { 0 };
	int i, n = *(int *)arg;

	for (i = 0; i < n; i++) {
		int v = feed(&p, i & 1 ? "status=1\n" : "status=0\n");

		if (v >= 0)
			guest_status_tell(&p, v);
	}
}

static void test_status_flood(void)
{
	int lines = 5000;
	int n = log_lines_during(feed_status_lines, &lines);

	ok(n >= 1 && n <= 12, "5000 status lines from the guest: %d log lines (the first, then a rate limit's burst)",
	   n);
}

static void test_verdicts(void)
{
	int st = -5;

	ok(lkvm_verdict_of(true, 0, 7, &st) == VERDICT_COMMAND && st == 7,
	   "sandbox: the command's status, unchanged");
	ok(lkvm_verdict_of(true, LKVM_STATUS_PANIC, 3, &st) == VERDICT_COMMAND &&
	   st == 3, "sandbox: a command status 3 is the command's");
	ok(lkvm_verdict_of(true, LKVM_STATUS_PANIC, -1, &st) ==
	   VERDICT_GUEST_PANIC && st == 3, "sandbox: a panic, no status: 3");
	ok(lkvm_verdict_of(true, 0, -1, &st) == VERDICT_GUEST_LOST && st == 1,
	   "sandbox: powered off without a status: lost, 1");
	ok(lkvm_verdict_of(true, 143, -1, &st) == VERDICT_GUEST_LOST &&
	   st == 143, "sandbox: lkvm got SIGTERM: lost, 143");
	ok(lkvm_verdict_of(false, 0, -1, &st) == VERDICT_GUEST_EXIT && st == 0,
	   "run: power-off is guest-exit 0");
	ok(lkvm_verdict_of(false, 1, -1, &st) == VERDICT_GUEST_LOST && st == 1,
	   "run: a vCPU error is guest-lost 1");
	ok(lkvm_verdict_of(false, 42, -1, &st) == VERDICT_GUEST_EXIT && st == 42,
	   "run: debug-exit 42 is guest-exit 42");
}

/* A sandbox guest's test-exit write: no forged panic or signal verdict. */
static void test_test_exit(void)
{
	int v, st, bad = 0, bad_cmd = 0, bad_run = 0;
	enum lkvm_verdict vd;

	for (v = 0; v < 256; v++) {
		vd = lkvm_verdict_of(true, test_exit_stop_status(true, v), -1,
				     &st);
		if (vd != VERDICT_GUEST_LOST || st != LKVM_STATUS_ERROR)
			bad++;
		vd = lkvm_verdict_of(true, test_exit_stop_status(true, v), 7,
				     &st);
		if (vd != VERDICT_COMMAND || st != 7)
			bad_cmd++;
		vd = lkvm_verdict_of(false, test_exit_stop_status(false, v), -1,
				     &st);
		if (st != v || vd == VERDICT_COMMAND)
			bad_run++;
	}
	ok(!bad, "sandbox: a test-exit write of 0-255 without a status is guest-lost 1 (%d not)",
	   bad);
	ok(!bad_cmd, "sandbox: a test-exit write after status 7 is command 7 (%d not)",
	   bad_cmd);
	ok(!bad_run, "run: lkvm exits with the test-exit byte (%d not)",
	   bad_run);
	ok(lkvm_verdict_of(true, test_exit_stop_status(true, 3), -1, &st) !=
	   VERDICT_GUEST_PANIC, "sandbox: test-exit 3 is no guest-panic");
	ok(lkvm_verdict_of(true, test_exit_stop_status(true, 143), -1, &st) ==
	   VERDICT_GUEST_LOST && st == 1,
	   "sandbox: test-exit 143 is not lkvm's SIGTERM status");
}

static void test_file(void)
{
	char path[] = "/tmp/lkvm-status.XXXXXX", line[64] = "";
	int fd = mkstemp(path);
	FILE *f;

	if (fd >= 0)
		close(fd);
	ok(status_file_write(path, VERDICT_COMMAND, 7) == 0, "written");
	f = fopen(path, "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	ok(!strcmp(line, "command 7\n"), "the line: 'command 7'");
	ok(status_file_write(path, VERDICT_GUEST_PANIC, 3) == 0, "rewritten");
	f = fopen(path, "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	ok(!strcmp(line, "guest-panic 3\n"),
	   "the line: 'guest-panic 3', the file truncated");
	unlink(path);
	ok(status_file_write(NULL, VERDICT_COMMAND, 0) == 0,
	   "no --status-file: nothing");
	ok(status_file_write("/nonexistent/dir/x", VERDICT_COMMAND, 0) < 0,
	   "an impossible path is an error");
	ok(!strcmp(lkvm_verdict_name(VERDICT_LKVM_ERROR), "lkvm-error") &&
	   !strcmp(lkvm_verdict_name(VERDICT_GUEST_LOST), "guest-lost") &&
	   !strcmp(lkvm_verdict_name(VERDICT_GUEST_EXIT), "guest-exit"),
	   "the verdicts' words");
}

int main(void)
{
	test_port();
	test_status_flood();
	test_verdicts();
	test_test_exit();
	test_file();
	return tap_done();
}
