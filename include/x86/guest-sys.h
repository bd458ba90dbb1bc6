/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For x86_64 Linux user programs built without libc: lkvm's guest init
 * (vmm/guest-init/) and the test user land (tests/linux/userland/). Raw
 * system calls and the string helpers both need; each adds its own
 * constants and the rest.
 */
#ifndef LKVM_X86_GUEST_SYS_H
#define LKVM_X86_GUEST_SYS_H

static inline long sys6(long nr, long a, long b, long c, long d, long e,
			long f)
{
	register long r10 asm("r10") = d;
	register long r8 asm("r8") = e;
	register long r9 asm("r9") = f;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a), "S" (b), "d" (c), "r" (r10),
			"r" (r8), "r" (r9)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline long sys3(long nr, long a, long b, long c)
{
	return sys6(nr, a, b, c, 0, 0, 0);
}

static inline unsigned long str_len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static inline int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Does s start with prefix? */
static inline int str_starts(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

#endif
