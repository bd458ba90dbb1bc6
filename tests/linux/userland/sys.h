/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Freestanding x86_64 Linux user programs of the lkvm test user land: raw
 * system calls and the few string helpers they need, no libc. Built with
 * general registers only (tests/linux/userland/README.md says why).
 */
#ifndef LKVM_USERLAND_SYS_H
#define LKVM_USERLAND_SYS_H

/* Raw system calls and string helpers, shared with lkvm's guest init. */
#include "../../../include/x86/guest-sys.h"

/* The kernel's names for the attributes these programs use. */
#define __used		__attribute__((used))
#define __naked		__attribute__((naked))
#define __maybe_unused	__attribute__((unused))
#define __aligned(x)	__attribute__((aligned(x)))

#define SYS_read		0
#define SYS_write		1
#define SYS_open		2
#define SYS_close		3
#define SYS_rt_sigaction	13
#define SYS_rt_sigprocmask	14
#define SYS_rt_sigreturn	15
#define SYS_ioctl		16
#define SYS_pipe		22
#define SYS_sched_yield		24
#define SYS_dup2		33
#define SYS_pause		34
#define SYS_nanosleep		35
#define SYS_getpid		39
#define SYS_fork		57
#define SYS_vfork		58
#define SYS_execve		59
#define SYS_exit		60
#define SYS_wait4		61
#define SYS_kill		62
#define SYS_getppid		110
#define SYS_setsid		112
#define SYS_rt_sigtimedwait	128
#define SYS_sync		162
#define SYS_mount		165
#define SYS_reboot		169
#define SYS_mkdir		83
#define SYS_exit_group		231

#define O_RDONLY	0
#define O_WRONLY	1
#define O_RDWR		2
#define O_NOCTTY	0400

#define SIGHUP		1
#define SIGINT		2
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGALRM		14
#define SIGSTOP		19
#define SIGCONT		18
#define SIGTERM		15
#define SIGCHLD		17

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

#define WNOHANG		1
#define WUNTRACED	2
#define EINTR		4
#define EAGAIN		11
#define ECHILD		10

#define REBOOT_MAGIC1		0xfee1deadL
#define REBOOT_MAGIC2		672274793L
#define REBOOT_CMD_RESTART	0x01234567L
#define REBOOT_CMD_POWER_OFF	0x4321fedcL

static inline void put_fd(int fd, const char *s)
{
	unsigned long n = str_len(s);

	while (n) {
		long w = sys3(SYS_write, fd, (long)s, (long)n);

		if (w == -EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (unsigned long)w;
	}
}

static inline void put(const char *s)
{
	put_fd(1, s);
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

static inline char *fmt_hex(char *buf, unsigned long v)
{
	int i, n = 0;

	buf[n++] = '0';
	buf[n++] = 'x';
	for (i = 60; i >= 0; i -= 4)
		if ((v >> i) || i == 0 || n > 2)
			buf[n++] = "0123456789abcdef"[(v >> i) & 15];
	buf[n] = 0;
	return buf;
}

/* Parse a hexadecimal number (optional 0x); -1 when there is none. */
static inline long parse_hex(const char *s, unsigned long *out)
{
	unsigned long v = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;; s++, digits++) {
		if (*s >= '0' && *s <= '9')
			v = v * 16 + (unsigned long)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			v = v * 16 + (unsigned long)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			v = v * 16 + (unsigned long)(*s - 'A' + 10);
		else
			break;
	}
	if (!digits || *s)
		return -1;
	*out = v;
	return 0;
}

/*
 * The process entry: _start hands the initial stack (argc, argv, envp) to
 * int main(long argc, char **argv, char **envp) and exits with its result.
 */
#define USERLAND_START							\
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
