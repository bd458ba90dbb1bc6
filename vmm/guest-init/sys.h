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
#include <linux/poll.h>
#include <linux/reboot.h>
#include <linux/wait.h>

#include "x86/guest-sys.h"

#define SIGINT		2
#define SIGKILL		9
#define SIGUSR1		10
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGTERM		15
#define SIGCHLD		17
#define SIG_BLOCK	0
#define SIG_SETMASK	2

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
