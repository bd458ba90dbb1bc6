/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lkvm's guest init runs without libc: raw x86_64 system calls, the
 * kernel's UAPI constants, and the few string helpers it needs. It is
 * built for general registers only, like every lkvm guest program: the
 * guest kernel may be booted with noxsave (HOST-NOTES.md).
 */
#ifndef LKVM_GUEST_INIT_SYS_H
#define LKVM_GUEST_INIT_SYS_H

#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <asm/unistd.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/mount.h>
#include <linux/reboot.h>
#include <linux/wait.h>

#define SIGINT		2
#define SIGKILL		9
#define SIGUSR1		10
#define SIGUSR2		12
#define SIGTERM		15
#define SIGCHLD		17
#define SIG_BLOCK	0
#define SIG_SETMASK	2

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

static inline int str_starts(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

/* Decimal text of v in buf (at least 21 bytes); returns buf. */
static inline char *fmt_long(char *buf, long v)
{
	char tmp[21];
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	int n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[i++] = '-';
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = 0;
	return buf;
}

/*
 * The process entry: _start hands the initial stack (argc, argv, envp) to
 * int main(long argc, char **argv, char **envp) and exits with its result.
 */
#define GUEST_INIT_START						\
	asm(".text\n"							\
	    ".globl _start\n"						\
	    "_start:\n"							\
	    "	xorl %ebp, %ebp\n"					\
	    "	movq (%rsp), %rdi\n"					\
	    "	leaq 8(%rsp), %rsi\n"					\
	    "	leaq 16(%rsp,%rdi,8), %rdx\n"				\
	    "	andq $-16, %rsp\n"					\
	    "	call main\n"						\
	    "	movl %eax, %edi\n"					\
	    "	movl $231, %eax\n"					\
	    "	syscall\n"						\
	    "	hlt\n")

#endif
