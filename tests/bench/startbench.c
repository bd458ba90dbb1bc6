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
 *
 * startbench --pair RUNS STATUS COMMAND_A... -- COMMAND_B...
 *
 * Paired runs: each of RUNS rounds runs A and B back to back, A first in
 * odd rounds and B first in even ones, so that a drift of this shared
 * host's speed weighs on both alike. Prints three lines:
 *
 *   a exit_med exit_min exit_max gone_med gone_min gone_max rss_med
 *   b exit_med exit_min exit_max gone_med gone_min gone_max rss_med
 *   a/b exit_med exit_min exit_max gone_med gone_min gone_max
 *
 * the last being the median, lowest and highest of each round's ratio.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* One run of argv: its times (ms) and peak RSS; 1 on a wrong status. */
static int run_once(char **argv, int want, double *ms, double *gone,
		    long *rss)
{
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
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("startbench: wait4");
		return 2;
	}
	*ms = now_ms() - t0;
	if (reap_all())
		return 2;
	*gone = now_ms() - t0;
	*rss = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != want) {
		fprintf(stderr, "startbench: %s ended with status 0x%x, expected %d\n",
			argv[0], status, want);
		return 1;
	}
	return 0;
}

struct series {
	double *ms, *gone;
	long *rss;
};

static int series_alloc(struct series *s, int runs)
{
	s->ms = calloc(runs, sizeof(*s->ms));
	s->gone = calloc(runs, sizeof(*s->gone));
	s->rss = calloc(runs, sizeof(*s->rss));
	return s->ms && s->gone && s->rss ? 0 : -1;
}

static void sort_d(double *v, int runs)
{
	qsort(v, runs, sizeof(*v), cmp_double);
}

static int run_single(int runs, int want, char **argv)
{
	struct series s;
	int i, r;

	if (series_alloc(&s, runs))
		return 2;
	for (i = 0; i < runs; i++) {
		r = run_once(argv, want, &s.ms[i], &s.gone[i], &s.rss[i]);
		if (r)
			return r;
	}
	sort_d(s.ms, runs);
	sort_d(s.gone, runs);
	qsort(s.rss, runs, sizeof(*s.rss), cmp_long);
	printf("%.1f %.1f %.1f %.1f %ld\n", s.ms[runs / 2], s.gone[runs / 2],
	       s.gone[0], s.gone[runs - 1], s.rss[runs / 2]);
	return 0;
}

/* "med min max" of v, sorted in place. */
static void print_spread(double *v, int runs, const char *fmt)
{
	sort_d(v, runs);
	printf(fmt, v[runs / 2], v[0], v[runs - 1]);
}

static int run_pair(int runs, int want, char **a, char **b)
{
	struct series s[2];
	double *rexit, *rgone;
	int i, k, r;

	rexit = calloc(runs, sizeof(*rexit));
	rgone = calloc(runs, sizeof(*rgone));
	if (!rexit || !rgone || series_alloc(&s[0], runs) ||
	    series_alloc(&s[1], runs))
		return 2;
	for (i = 0; i < runs; i++) {
		for (k = 0; k < 2; k++) {
			int which = i % 2 ? 1 - k : k;

			r = run_once(which ? b : a, want, &s[which].ms[i],
				     &s[which].gone[i], &s[which].rss[i]);
			if (r)
				return r;
		}
		rexit[i] = s[0].ms[i] / s[1].ms[i];
		rgone[i] = s[0].gone[i] / s[1].gone[i];
	}
	for (k = 0; k < 2; k++) {
		printf("%s", k ? "b" : "a");
		print_spread(s[k].ms, runs, " %.1f %.1f %.1f");
		print_spread(s[k].gone, runs, " %.1f %.1f %.1f");
		qsort(s[k].rss, runs, sizeof(*s[k].rss), cmp_long);
		printf(" %ld\n", s[k].rss[runs / 2]);
	}
	printf("a/b");
	print_spread(rexit, runs, " %.2f %.2f %.2f");
	print_spread(rgone, runs, " %.2f %.2f %.2f");
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	bool pair = argc > 1 && !strcmp(argv[1], "--pair");
	int runs, want, i, sep = 0;

	if (pair) {
		argv++;
		argc--;
	}
	if (argc < 4) {
		fprintf(stderr,
			"usage: startbench [--pair] RUNS STATUS CMD... [-- CMD_B...]\n");
		return 2;
	}
	runs = atoi(argv[1]);
	want = atoi(argv[2]);
	if (runs < 1) {
		fprintf(stderr, "startbench: bad run count\n");
		return 2;
	}
	if (pair) {
		for (i = 3; i < argc && !sep; i++)
			if (!strcmp(argv[i], "--"))
				sep = i;
		if (sep <= 3 || sep == argc - 1) {
			fprintf(stderr, "startbench: --pair needs COMMAND_A -- COMMAND_B\n");
			return 2;
		}
		argv[sep] = NULL;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		perror("startbench: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	return pair ? run_pair(runs, want, argv + 3, argv + sep + 1) :
		      run_single(runs, want, argv + 3);
}
