// SPDX-License-Identifier: GPL-2.0
/*
 * startbench RUNS EXPECTED-STATUS COMMAND [ARGS...]
 *
 * Runs COMMAND RUNS times (stdin /dev/null, stdout and stderr discarded)
 * and prints one line:
 *
 *   exit_median_ms gone_median_ms gone_min_ms gone_max_ms median_rss_kib
 *
 * "exit" is the wall time from fork to COMMAND's exit status. "gone" is
 * the wall time until every process COMMAND started has ended too:
 * startbench is a child subreaper (PR_SET_CHILD_SUBREAPER), so COMMAND's
 * orphans (lkvm's teardown child, which holds the VM until KVM has torn it
 * down) are reparented to it, and it waits until none is left. The RSS is
 * COMMAND's peak as wait4() reports it. Exits 1 if any run ends with
 * another status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reap every remaining descendant; 0 once there is none, -1 on error. */
static int reap_all(void)
{
	for (;;) {
		if (waitpid(-1, NULL, 0) >= 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno == ECHILD)
			return 0;
		perror("startbench: waitpid");
		return -1;
	}
}

int main(int argc, char **argv)
{
	int runs, want, i;
	double *ms, *gone;
	long *rss;

	if (argc < 4) {
		fprintf(stderr, "usage: startbench RUNS STATUS COMMAND...\n");
		return 2;
	}
	runs = atoi(argv[1]);
	want = atoi(argv[2]);
	if (runs < 1) {
		fprintf(stderr, "startbench: bad run count\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		perror("startbench: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	ms = calloc(runs, sizeof(*ms));
	gone = calloc(runs, sizeof(*gone));
	rss = calloc(runs, sizeof(*rss));
	if (!ms || !gone || !rss)
		return 2;
	for (i = 0; i < runs; i++) {
		struct rusage ru;
		double t0 = now_ms();
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			perror("startbench: fork");
			return 2;
		}
		if (pid == 0) {
			int null = open("/dev/null", O_RDWR);

			if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
			    dup2(null, 2) < 0)
				_exit(127);
			execvp(argv[3], argv + 3);
			_exit(127);
		}
		if (wait4(pid, &status, 0, &ru) != pid) {
			perror("startbench: wait4");
			return 2;
		}
		ms[i] = now_ms() - t0;
		if (reap_all())
			return 2;
		gone[i] = now_ms() - t0;
		rss[i] = ru.ru_maxrss;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != want) {
			fprintf(stderr, "startbench: %s ended with status 0x%x, expected %d\n",
				argv[3], status, want);
			return 1;
		}
	}
	qsort(ms, runs, sizeof(*ms), cmp_double);
	qsort(gone, runs, sizeof(*gone), cmp_double);
	qsort(rss, runs, sizeof(*rss), cmp_long);
	printf("%.1f %.1f %.1f %.1f %ld\n", ms[runs / 2], gone[runs / 2],
	       gone[0], gone[runs - 1], rss[runs / 2]);
	return 0;
}
