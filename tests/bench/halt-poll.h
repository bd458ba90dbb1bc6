/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A benchmark's driver thread stands for a guest's vCPU, and a vCPU that
 * waits for an interrupt halts. KVM does not put a halted vCPU's thread to
 * sleep at once: it first polls for a pending interrupt for a while (halt
 * polling, on by default), a window it grows and shrinks per vCPU by its
 * module parameters halt_poll_ns, halt_poll_ns_grow, _grow_start and
 * _shrink. A driver thread that always slept on the device's eventfd
 * would pay a thread wake-up per interrupt that a guest under KVM does
 * not pay while the device answers within the window; this models the
 * vCPU's halt instead.
 *
 * The device side raises the interrupt with halt_poll_raise() (the bit
 * KVM's irqfd sets in the vCPU's interrupt state) and then writes its
 * eventfd as lkvm writes an irqfd, so the device pays what it pays in
 * lkvm. The driver waits in halt_poll_wait().
 *
 * Plain C with GCC builtins only: the virtio peer driver includes it
 * beside the kernel's tools/include shims.
 */
#ifndef LKVM_TESTS_HALT_POLL_H
#define LKVM_TESTS_HALT_POLL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

struct halt_poll {
	uint64_t max_ns;	/* halt_poll_ns; 0: a halt always sleeps */
	uint64_t grow_start_ns;
	unsigned int grow, shrink;
	uint64_t window_ns;	/* this vCPU's window now */
	uint64_t polled, slept;	/* waits that ended polling, asleep */
};

static inline uint64_t halt_poll_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline uint64_t halt_poll_param(const char *name, uint64_t dflt)
{
	char path[96];
	unsigned long long v;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/module/kvm/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return dflt;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	return n == 1 ? v : dflt;
}

/*
 * KVM's parameters on this host (x86's defaults where there is no KVM
 * module), or none with on == false: then every wait sleeps.
 */
static inline void halt_poll_init(struct halt_poll *hp, bool on)
{
	*hp = (struct halt_poll){
		.max_ns = on ? halt_poll_param("halt_poll_ns", 200000) : 0,
		.grow = halt_poll_param("halt_poll_ns_grow", 2),
		.grow_start_ns = halt_poll_param("halt_poll_ns_grow_start",
						 10000),
		.shrink = halt_poll_param("halt_poll_ns_shrink", 0),
	};
}

/* Device side: mark the interrupt pending, before writing the eventfd. */
static inline void halt_poll_raise(unsigned int *pending)
{
	__atomic_store_n(pending, 1, __ATOMIC_RELEASE);
}

/* Driver side: take the pending interrupt, if there is one. */
static inline bool halt_poll_take(unsigned int *pending)
{
	return __atomic_exchange_n(pending, 0, __ATOMIC_ACQUIRE);
}

static inline void halt_poll_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* KVM's rule: keep a window the wait fit in, else grow or shrink it. */
static inline void halt_poll_adjust(struct halt_poll *hp, uint64_t waited)
{
	uint64_t w = hp->window_ns;

	if (waited <= w)
		return;
	if (w && waited > hp->max_ns) {
		w = hp->shrink ? w / hp->shrink : 0;
		if (w < hp->grow_start_ns)
			w = 0;
	} else if (w < hp->max_ns && waited < hp->max_ns && hp->grow) {
		w *= hp->grow;
		if (w < hp->grow_start_ns)
			w = hp->grow_start_ns;
		if (w > hp->max_ns)
			w = hp->max_ns;
	}
	hp->window_ns = w;
}

/*
 * Wait for the interrupt *pending marks, polling for the window, then
 * asleep on fd (the device's eventfd, read empty here). Returns 1 once
 * the interrupt is taken (and *pending cleared), 0 when timeout_ms (-1:
 * none) passed asleep without it, -1 on a failed poll() or read().
 */
static inline int halt_poll_wait(struct halt_poll *hp, unsigned int *pending,
				 int fd, int timeout_ms)
{
	uint64_t start = halt_poll_now();
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v;
	int r;

	if (hp->window_ns) {
		do {
			if (halt_poll_take(pending)) {
				hp->polled++;
				return 1;
			}
			halt_poll_relax();
		} while (halt_poll_now() - start < hp->window_ns);
	}
	if (halt_poll_take(pending)) {
		hp->polled++;	/* came as the window closed: no sleep */
		return 1;
	}
	/*
	 * An eventfd write after a polled interrupt leaves a count behind:
	 * a wake-up that finds nothing pending sleeps again.
	 */
	do {
		r = poll(&p, 1, timeout_ms);
		if (r != 1)
			return r ? -1 : 0;
		if (read(fd, &v, sizeof(v)) != sizeof(v) && errno != EAGAIN)
			return -1;
	} while (!halt_poll_take(pending));
	hp->slept++;
	halt_poll_adjust(hp, halt_poll_now() - start);
	return 1;
}

#endif
