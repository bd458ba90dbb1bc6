// SPDX-License-Identifier: GPL-2.0
/*
 * startbench RUNS EXPECTED-STATUS COMMAND [ARGS...]
 *
 * Runs COMMAND RUNS times (stdin /dev/null, stdout and stderr discarded)
 * and prints one line: "median_ms min_ms max_ms median_rss_kib" for the
 * wall time from fork to the exit status, and the peak RSS reported by
 * wait4(). Exits 1 if any run ends with another status.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
	int runs, want, i;
	double *ms;
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
	ms = calloc(runs, sizeof(*ms));
	rss = calloc(runs, sizeof(*rss));
	if (!ms || !rss)
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
		rss[i] = ru.ru_maxrss;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != want) {
			fprintf(stderr, "startbench: %s ended with status 0x%x, expected %d\n",
				argv[3], status, want);
			return 1;
		}
	}
	qsort(ms, runs, sizeof(*ms), cmp_double);
	qsort(rss, runs, sizeof(*rss), cmp_long);
	printf("%.1f %.1f %.1f %ld\n", ms[runs / 2], ms[0], ms[runs - 1],
	       rss[runs / 2]);
	return 0;
}
