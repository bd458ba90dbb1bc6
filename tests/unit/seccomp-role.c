// SPDX-License-Identifier: GPL-2.0
/*
 * lib/seccomp-role.c: what libc does lazily must not reach a filtered
 * thread. glibc's malloc reads /sys/devices/system/cpu/online when it
 * makes its ninth arena, in whichever thread that is; lkvm's vCPU thread
 * did so at a sandbox's exit, in a free(), and was killed (openat). Here,
 * in a forked child (filters are for good), threads make arenas and end,
 * then filtered threads free what the main thread allocated and allocate
 * their own: the child must end with status 0, not lkvm's 159.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-filter.h"
#include "tap.h"

#define NR_THREADS 40
/* The child's status when no filter can be had (qemu-user, old kernels). */
#define NO_SECCOMP 77

static pthread_barrier_t together;
static char *from_main[NR_THREADS];

/* Unfiltered: arenas made while all run, left when they end. */
static void *arena_thread(void *arg)
{
	char *p;

	pthread_barrier_wait(&together);
	p = malloc(100);
	pthread_barrier_wait(&together);
	free(p);
	return NULL;
}

static void *filtered_thread(void *arg)
{
	long i = (long)arg;
	char *p;

	sc_enter(SC_ROLE_VCPU, (int)i);
	/* Every thread filtered first; then a free() is its first call. */
	pthread_barrier_wait(&together);
	free(from_main[i]);
	p = malloc(4096);
	if (p)
		memset(p, 1, 4096);
	pthread_barrier_wait(&together);
	free(p);
	return NULL;
}

static int run_threads(void *(*fn)(void *))
{
	pthread_t t[NR_THREADS];
	long i;

	for (i = 0; i < NR_THREADS; i++)
		if (pthread_create(&t[i], NULL, fn, (void *)i))
			return -1;
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static int child(void)
{
	int i;

	if (sc_prepare(SC_MODE_ON) || !sc_active())
		return NO_SECCOMP;
	/* No VM: no KVM descriptors. */
	if (sc_build(&(struct sc_kvm_fds){ .vm_fd = -1, .flic_fd = -1 }))
		return 2;
	if (pthread_barrier_init(&together, NULL, NR_THREADS) ||
	    run_threads(arena_thread))
		return 3;
	for (i = 0; i < NR_THREADS; i++)
		from_main[i] = malloc(100);
	return run_threads(filtered_thread) ? 4 : 0;
}

int main(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (!pid)
		_exit(child());
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		ok(0, "fork and wait");
		return tap_done();
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == NO_SECCOMP) {
		skip("seccomp filters cannot be installed here",
		     "filtered threads: a free() first, then malloc()");
		return tap_done();
	}
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "%d filtered vCPU threads: a free() first, then malloc() (status %d)",
	   NR_THREADS, WIFEXITED(status) ? WEXITSTATUS(status) :
					    128 + WTERMSIG(status));
	return tap_done();
}
