// SPDX-License-Identifier: GPL-2.0
/*
 * syscall-paths: every way into and out of a system call, checked from
 * user space. Written for the guest-kernel patch that completes the
 * SYSCALLs kvm_pvm hosts leave at CPL3 (kernel-patches/, HOST-NOTES.md),
 * but nothing here depends on it: on any x86_64 Linux every check holds.
 *
 *   syscall-paths all          the system call paths (below)
 *   syscall-paths entry ADDR   a jump to the kernel's SYSCALL entry ADDR
 *                              (entry_SYSCALL_64 from /proc/kallsyms) is
 *                              completed as a system call, and the IOPL
 *                              and NT bits put in R11 do not reach user
 *                              mode: a following inb still faults
 *   syscall-paths entry-off ADDR
 *                              such a jump gets SIGSEGV (kernels without
 *                              the patch, or without syscall_fault_fixup)
 *
 * Output: one line per check, "ok - ..." or "not ok - ...", for tap.sh's
 * tap_import; the exit status is 1 when a check failed.
 */
#include "sys.h"

USERLAND_START;

#define SA_RESTORER	0x04000000UL
#define SA_RESTART	0x10000000UL

#define FLAGS_USER	0x0cd5UL	/* CF PF AF ZF SF DF OF */
#define FLAGS_IOPL	0x3000UL
#define FLAGS_NT	0x4000UL
#define FLAGS_BASE	0x0202UL	/* IF and the fixed bit */

struct kernel_sigaction {
	void (*handler)(int sig);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

struct timespec64 {
	long sec;
	long nsec;
};

/* Register images of regs_syscall(): in[0..12], out[0..14]. */
enum { R_RBX, R_RBP, R_R12, R_R13, R_R14, R_R15, R_RDI, R_RSI, R_RDX,
	R_R8, R_R9, R_R10, R_FLAGS, R_RSP_BEFORE, R_RSP_AFTER, R_NR };

static const char *const reg_names[] = {
	"rbx", "rbp", "r12", "r13", "r14", "r15", "rdi", "rsi", "rdx", "r8",
	"r9", "r10", "rflags",
};

/*
 * long regs_syscall(long nr, const unsigned long *in, unsigned long *out):
 * load every register the system call ABI preserves (and RFLAGS) from in,
 * make system call nr, store them to out with RSP before and after.
 */
static __naked __used long
regs_syscall(long nr __maybe_unused, const unsigned long *in __maybe_unused,
	     unsigned long *out __maybe_unused)
{
	asm volatile ("	pushq %rbx\n	pushq %rbp\n	pushq %r12\n	pushq %r13\n"
		      "	pushq %r14\n	pushq %r15\n	pushq %rdx\n"
		      "	movq %rsp, 104(%rdx)\n"
		      "	movq %rdi, %rax\n"
		      "	pushq 96(%rsi)\n	popfq\n"
		      "	movq 0(%rsi), %rbx\n	movq 8(%rsi), %rbp\n"
		      "	movq 16(%rsi), %r12\n	movq 24(%rsi), %r13\n"
		      "	movq 32(%rsi), %r14\n	movq 40(%rsi), %r15\n"
		      "	movq 48(%rsi), %rdi\n	movq 64(%rsi), %rdx\n"
		      "	movq 72(%rsi), %r8\n	movq 80(%rsi), %r9\n"
		      "	movq 88(%rsi), %r10\n	movq 56(%rsi), %rsi\n"
		      "	syscall\n"
		      "	pushfq\n	popq %rcx\n"
		      "	cld\n"
		      "	movq (%rsp), %r11\n"
		      "	movq %rbx, 0(%r11)\n	movq %rbp, 8(%r11)\n"
		      "	movq %r12, 16(%r11)\n	movq %r13, 24(%r11)\n"
		      "	movq %r14, 32(%r11)\n	movq %r15, 40(%r11)\n"
		      "	movq %rdi, 48(%r11)\n	movq %rsi, 56(%r11)\n"
		      "	movq %rdx, 64(%r11)\n	movq %r8, 72(%r11)\n"
		      "	movq %r9, 80(%r11)\n	movq %r10, 88(%r11)\n"
		      "	movq %rcx, 96(%r11)\n	movq %rsp, 112(%r11)\n"
		      "	popq %rdx\n	popq %r15\n	popq %r14\n	popq %r13\n"
		      "	popq %r12\n	popq %rbp\n	popq %rbx\n"
		      "	ret\n");
}

/*
 * long entry_jump(unsigned long target, unsigned long r11,
 *		   unsigned long *flags_after): jump to target with RAX =
 * getpid, RCX = the return address and R11 = r11, as SYSCALL would leave
 * them; return RAX and store RFLAGS as found on return.
 */
static __naked __used long
entry_jump(unsigned long target __maybe_unused, unsigned long r11 __maybe_unused,
	   unsigned long *flags_after __maybe_unused)
{
	asm volatile ("	pushq %rbx\n"
		      "	movq %rdx, %rbx\n"
		      "	movq %rsi, %r11\n"
		      "	leaq 1f(%rip), %rcx\n"
		      "	movl $39, %eax\n"
		      "	jmp *%rdi\n"
		      "1:	pushfq\n"
		      "	popq (%rbx)\n"
		      "	popq %rbx\n"
		      "	ret\n");
}

/* The signal trampoline: back to the kernel through rt_sigreturn. */
static __naked __used void sig_restorer(void)
{
	asm volatile ("	movl $15, %eax\n"
		      "	syscall\n"
		      "	hlt\n");
}

/* Written by a signal handler and by a vfork child: atomic accesses. */
static int signals_seen;
static int vfork_mark;
static int failures;
static char **env;

static void result(int pass, const char *what, const char *detail)
{
	if (!pass)
		failures++;
	put(pass ? "ok - " : "not ok - ");
	put(what);
	if (detail && !pass) {
		put(" (");
		put(detail);
		put(")");
	}
	put("\n");
}

static int seen(void)
{
	return __atomic_load_n(&signals_seen, __ATOMIC_SEQ_CST);
}

static void on_signal(int sig)
{
	(void)sig;
	__atomic_fetch_add(&signals_seen, 1, __ATOMIC_SEQ_CST);
}

static long set_handler(int sig, unsigned long flags)
{
	struct kernel_sigaction sa = {
		.handler = on_signal,
		.flags = SA_RESTORER | flags,
		.restorer = sig_restorer,
	};

	return sys6(SYS_rt_sigaction, sig, (long)&sa, 0, 8, 0, 0);
}

static long wait_child(long pid)
{
	int st = -1;
	long got;

	do {
		got = sys6(SYS_wait4, pid, (long)&st, 0, 0, 0, 0);
	} while (got == -EINTR);
	return got > 0 && (pid < 0 || got == pid) ? st : -1;
}

static void sleep_ms(long ms)
{
	struct timespec64 ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (sys3(SYS_nanosleep, (long)&ts, (long)&ts, 0) == -EINTR)
		;
}

/* A child that sends sig to this process after ms milliseconds. */
static void signal_later(int sig, long ms)
{
	long parent = sys3(SYS_getpid, 0, 0, 0);

	if (sys3(SYS_fork, 0, 0, 0) == 0) {
		sleep_ms(ms);
		sys3(SYS_kill, parent, sig, 0);
		sys3(SYS_exit, 0, 0, 0);
	}
}

static void fill_in(unsigned long *in, unsigned long seed, unsigned long flags)
{
	int i;

	for (i = 0; i < R_FLAGS; i++)
		in[i] = (seed + (unsigned long)i) * 0x0101010101010101UL ^
			0x8000000000000000UL;
	in[R_FLAGS] = FLAGS_BASE | flags;
}

/* NULL when out holds what in did (flags: only the user-settable ones). */
static const char *regs_differ(const unsigned long *in,
			       const unsigned long *out, int args_too)
{
	int i;

	for (i = 0; i < R_FLAGS; i++) {
		if (!args_too && i >= R_RDI)
			break;
		if (in[i] != out[i])
			return reg_names[i];
	}
	if ((in[R_FLAGS] & FLAGS_USER) != (out[R_FLAGS] & FLAGS_USER))
		return "rflags";
	if (out[R_RSP_BEFORE] != out[R_RSP_AFTER])
		return "rsp";
	return 0;
}

static void check_registers(void)
{
	unsigned long in[R_NR], out[R_NR];
	const char *bad = 0;
	long ppid = sys3(SYS_getppid, 0, 0, 0), got;
	int i;

	fill_in(in, 1, FLAGS_USER);
	got = regs_syscall(SYS_getppid, in, out);
	bad = got != ppid ? "return value" : regs_differ(in, out, 1);
	result(!bad, "a system call keeps every register but rax, rcx, r11, and the arithmetic flags and DF set",
	       bad);
	fill_in(in, 2, 0);
	got = regs_syscall(SYS_getppid, in, out);
	bad = got != ppid ? "return value" : regs_differ(in, out, 1);
	result(!bad, "... and the flags clear", bad);

	/* Timer interrupts land in the middle of some of these. */
	for (i = 0; i < 2000 && !bad; i++) {
		fill_in(in, (unsigned long)i, (i & 1) ? FLAGS_USER : 0);
		got = regs_syscall(SYS_getppid, in, out);
		bad = got != ppid ? "return value" : regs_differ(in, out, 1);
	}
	result(!bad, "2000 system calls in a row, interrupts arriving meanwhile, keep the registers",
	       bad);
}

static void check_fork(void)
{
	long pid = sys3(SYS_fork, 0, 0, 0), st;

	if (pid == 0)
		sys3(SYS_exit, 7, 0, 0);
	st = pid > 0 ? wait_child(pid) : -1;
	result(pid > 0 && st == (7 << 8),
	       "fork: the child returns 0 (and exits 7), the parent gets its pid",
	       pid < 0 ? "fork failed" : "wrong wait status");
}

static void check_vfork(void)
{
	long pid, st;

	__atomic_store_n(&vfork_mark, 0, __ATOMIC_SEQ_CST);
	/* The child must not touch the stack it shares with the parent. */
	asm volatile ("syscall\n"
		      "	testq %%rax, %%rax\n"
		      "	jnz 1f\n"
		      "	movl $42, %1\n"
		      "	movl $60, %%eax\n"
		      "	movl $5, %%edi\n"
		      "	syscall\n"
		      "1:\n"
		      : "=a" (pid), "=m" (vfork_mark)
		      : "a" ((long)SYS_vfork)
		      : "rcx", "r11", "rdi", "memory");
	st = pid > 0 ? wait_child(pid) : -1;
	result(pid > 0 && __atomic_load_n(&vfork_mark, __ATOMIC_SEQ_CST) == 42 &&
	       st == (5 << 8),
	       "vfork: the child runs in the parent's memory until it exits, then the parent returns",
	       pid < 0 ? "vfork failed" : "mark or status wrong");
}

static void check_execve(const char *self)
{
	const char *const argv[] = { self, "exec-child", "arg-42", 0 };
	long pid = sys3(SYS_fork, 0, 0, 0), st;

	if (pid == 0) {
		sys3(SYS_execve, (long)self, (long)argv, (long)env);
		sys3(SYS_exit, 99, 0, 0);
	}
	st = pid > 0 ? wait_child(pid) : -1;
	result(st == (3 << 8),
	       "execve: the new program starts with its arguments (and exits 3)",
	       st == (99 << 8) ? "execve failed" : "wrong wait status");
}

static void check_signal_return(void)
{
	unsigned long in[R_NR], out[R_NR];
	const char *bad;
	long got;

	__atomic_store_n(&signals_seen, 0, __ATOMIC_SEQ_CST);
	set_handler(SIGUSR1, 0);
	fill_in(in, 3, FLAGS_USER);
	in[R_RDI] = (unsigned long)sys3(SYS_getpid, 0, 0, 0);
	in[R_RSI] = SIGUSR1;
	got = regs_syscall(SYS_kill, in, out);
	bad = got != 0 ? "return value" : seen() != 1 ? "no handler" :
	      regs_differ(in, out, 1);
	result(!bad, "a signal delivered on return from kill(): the handler runs, rt_sigreturn restores every register",
	       bad);
}

static void check_restart(int restart)
{
	char c = 0;
	int fds[2];
	long pid, n, st;

	__atomic_store_n(&signals_seen, 0, __ATOMIC_SEQ_CST);
	set_handler(SIGALRM, restart ? SA_RESTART : 0);
	if (sys3(SYS_pipe, (long)fds, 0, 0)) {
		result(0, "pipe", "pipe failed");
		return;
	}
	pid = sys3(SYS_fork, 0, 0, 0);
	if (pid == 0) {
		sleep_ms(2500);
		sys3(SYS_write, fds[1], (long)"x", 1);
		sys3(SYS_exit, 0, 0, 0);
	}
	sys3(SYS_close, fds[1], 0, 0);
	signal_later(SIGALRM, 1000);
	n = sys3(SYS_read, fds[0], (long)&c, 1);
	if (!restart && n == -EINTR)
		n = sys3(SYS_read, fds[0], (long)&c, 1) == 1 ? -EINTR : -1;
	sys3(SYS_close, fds[0], 0, 0);
	st = wait_child(pid) | wait_child(-1);
	if (restart)
		result(n == 1 && c == 'x' && seen() == 1 && st == 0,
		       "SA_RESTART: a read() interrupted by a signal is restarted and gets the data",
		       seen() != 1 ? "no handler" : "read did not restart");
	else
		result(n == -EINTR && seen() == 1 && st == 0,
		       "no SA_RESTART: a read() interrupted by a signal returns EINTR",
		       seen() != 1 ? "no handler" : "read did not fail");
}

/*
 * A stop signal has no handler: the nanosleep it interrupts goes on
 * through restart_syscall once the child is continued.
 */
static void check_restart_block(void)
{
	struct timespec64 ts = { 2, 0 };
	long pid = sys3(SYS_fork, 0, 0, 0), st = -1, stopped = -1;
	int raw;

	if (pid == 0)
		sys3(SYS_exit, sys3(SYS_nanosleep, (long)&ts, 0, 0) ? 1 : 0,
		     0, 0);
	if (pid > 0) {
		sleep_ms(500);
		sys3(SYS_kill, pid, SIGSTOP, 0);
		if (sys6(SYS_wait4, pid, (long)&raw, WUNTRACED, 0, 0, 0) == pid)
			stopped = raw;
		sleep_ms(300);
		sys3(SYS_kill, pid, SIGCONT, 0);
		st = wait_child(pid);
	}
	result(stopped == 0x137f && st == 0,
	       "a nanosleep() interrupted by SIGSTOP goes on through restart_syscall after SIGCONT",
	       stopped != 0x137f ? "child did not stop" : "nanosleep failed");
}

/* In a child: jump to the entry point; report how it went. */
static void entry_child(unsigned long entry, int then_inb)
{
	unsigned long flags = 0;
	long pid = sys3(SYS_getpid, 0, 0, 0);
	long got = entry_jump(entry, FLAGS_BASE | FLAGS_IOPL | FLAGS_NT,
			      &flags);

	if (got != pid)
		sys3(SYS_exit, 2, 0, 0);
	if (flags & (FLAGS_IOPL | FLAGS_NT))
		sys3(SYS_exit, 3, 0, 0);
	if (then_inb) {
		unsigned char v;

		asm volatile ("inb $0x80, %0" : "=a" (v));
		sys3(SYS_exit, 4, 0, 0);
	}
	sys3(SYS_exit, 0, 0, 0);
}

static long run_entry_child(unsigned long entry, int then_inb)
{
	long pid = sys3(SYS_fork, 0, 0, 0);

	if (pid == 0)
		entry_child(entry, then_inb);
	return pid > 0 ? wait_child(pid) : -1;
}

static const char *status_text(long st, char *buf)
{
	if (st < 0)
		return "no child";
	if ((st & 0x7f) == 0) {
		buf[0] = 'e';
		buf[1] = 'x';
		buf[2] = 'i';
		buf[3] = 't';
		buf[4] = ' ';
		fmt_long(buf + 5, (st >> 8) & 0xff);
		return buf;
	}
	buf[0] = 's';
	buf[1] = 'i';
	buf[2] = 'g';
	buf[3] = ' ';
	fmt_long(buf + 4, st & 0x7f);
	return buf;
}

static void check_entry(unsigned long entry, int fixup)
{
	char buf[32];
	long st;

	if (!fixup) {
		st = run_entry_child(entry, 0);
		result((st & 0x7f) == SIGSEGV,
		       "a jump to the SYSCALL entry point gets SIGSEGV",
		       status_text(st, buf));
		return;
	}
	st = run_entry_child(entry, 0);
	result(st == 0,
	       "a jump to the SYSCALL entry point is completed as a system call, without IOPL or NT from R11",
	       st == (2 << 8) ? "wrong return value" :
	       st == (3 << 8) ? "IOPL or NT set" : status_text(st, buf));
	st = run_entry_child(entry, 1);
	result((st & 0x7f) == SIGSEGV,
	       "after it, with IOPL 3 in R11, inb still faults (SIGSEGV)",
	       status_text(st, buf));
}

int main(long argc, char **argv, char **envp)
{
	unsigned long entry;

	env = envp;
	if (argc >= 2 && str_eq(argv[1], "exec-child"))
		return argc == 3 && str_eq(argv[2], "arg-42") ? 3 : 1;
	if (argc == 3 && (str_eq(argv[1], "entry") ||
			  str_eq(argv[1], "entry-off"))) {
		if (parse_hex(argv[2], &entry)) {
			put("syscall-paths: bad address\n");
			return 2;
		}
		check_entry(entry, str_eq(argv[1], "entry"));
		return failures ? 1 : 0;
	}
	if (argc != 2 || !str_eq(argv[1], "all")) {
		put("usage: syscall-paths all | entry ADDR | entry-off ADDR\n");
		return 2;
	}
	check_registers();
	check_fork();
	check_vfork();
	check_execve(argv[0]);
	check_signal_return();
	check_restart(1);
	check_restart(0);
	check_restart_block();
	return failures ? 1 : 0;
}
