// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: what the seccomp filters cost, in-process. (1) Building
 * every role's filter (sc_build()'s compile step) and installing the
 * vCPU's (prctl + seccomp) in a forked child. (2) A cheap allowed call
 * in a tight loop, unfiltered and under the vCPU filter, in forked
 * children: getpid (in the common group, some 40 instructions in) and
 * read of 0 bytes (the first rule). Each figure: the median of RUNS
 * runs, with the lowest and highest; the cost a call is each run's
 * filtered time less the unfiltered one measured beside it.
 */
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp-filter.h"

#define RUNS 7
#define CALLS 1000000L

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, const char *unit)
{
	qsort(v, RUNS, sizeof(*v), cmp);
	printf("%-46s median %8.1f %s (min %.1f, max %.1f, %d runs)\n", what,
	       v[RUNS / 2], unit, v[0], v[RUNS - 1], RUNS);
}

static struct sock_filter insn[SC_MAX_INSNS];
static struct sc_rule rules[SC_MAX_RULES];

static int build(enum sc_role role, struct sock_fprog *prog)
{
	/* Descriptors as lkvm's would be: the VM's 3, the FLIC's 4. */
	size_t nr = sc_policy(role, &(struct sc_kvm_fds){ 3, 4 }, rules,
			      SC_MAX_RULES);
	int n = sc_compile(rules, nr, SECCOMP_RET_TRAP, insn, SC_MAX_INSNS);

	if (n < 0)
		return n;
	prog->len = (unsigned short)n;
	prog->filter = insn;
	return 0;
}

/*
 * In a child: optionally filtered (the install's time in *install_us),
 * CALLS calls; ns per call, sent back on a pipe.
 */
static double loop_ns(bool filtered, long nr, struct sock_fprog *prog,
		      double *install_us)
{
	double t[2] = { -1, -1 };
	int p[2], status;
	pid_t pid;
	long i;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		double t0 = now_ns();

		if (filtered && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
				 syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
					 0, prog)))
			_exit(1);
		t[1] = (now_ns() - t0) / 1000;
		t0 = now_ns();
		for (i = 0; i < CALLS; i++)
			syscall(nr, 0, NULL, 0);
		t[0] = (now_ns() - t0) / CALLS;
		if (write(p[1], t, sizeof(t)) != sizeof(t))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], t, sizeof(t)) != sizeof(t))
		t[0] = -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (install_us)
		*install_us = t[1];
	return t[0];
}

int main(void)
{
	double v[RUNS], in[RUNS], u[RUNS], f[RUNS], r[RUNS], rf[RUNS];
	double du[RUNS], dr[RUNS];
	struct sock_fprog prog;
	int i, role;

	for (i = 0; i < RUNS; i++) {
		double t0 = now_ns();

		for (role = 0; role < SC_NR_ROLES; role++)
			if (build(role, &prog))
				return 1;
		v[i] = (now_ns() - t0) / 1000;
	}
	report("compile all 7 roles' filters", v, "us");
	if (build(SC_ROLE_VCPU, &prog))
		return 1;
	printf("# vCPU filter: %u instructions\n", prog.len);
	for (i = 0; i < RUNS; i++) {
		u[i] = loop_ns(false, SYS_getpid, &prog, NULL);
		f[i] = loop_ns(true, SYS_getpid, &prog, &in[i]);
		r[i] = loop_ns(false, SYS_read, &prog, NULL);
		rf[i] = loop_ns(true, SYS_read, &prog, NULL);
		if (u[i] < 0 || f[i] < 0 || r[i] < 0 || rf[i] < 0) {
			printf("# cannot install a filter here: no figures\n");
			return 0;
		}
		du[i] = f[i] - u[i];
		dr[i] = rf[i] - r[i];
	}
	report("install the vCPU filter (no_new_privs + seccomp)", in, "us");
	report("getpid, unfiltered", u, "ns");
	report("getpid, vCPU filter", f, "ns");
	report("read(0, NULL, 0), unfiltered", r, "ns");
	report("read(0, NULL, 0), vCPU filter (first rule)", rf, "ns");
	report("the filter's cost a getpid", du, "ns");
	report("the filter's cost a read (first rule)", dr, "ns");
	return 0;
}
