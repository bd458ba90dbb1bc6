// SPDX-License-Identifier: GPL-2.0
/*
 * lib/seccomp-bpf.c: filters built from rules run for real in forked
 * children (seccomp is per thread and irreversible), each reporting
 * which calls went through and which trapped; where no filter can be
 * installed (qemu-user, make check ARCH=...) the same programs run in
 * bpf-eval.h's interpreter. Also: each role's filter compiles, and the
 * name table knows the calls the messages name.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf-eval.h"
#include "seccomp-filter.h"
#include "tap.h"

#define TRAPPED 77

/* One system call: its number and arguments. */
struct call {
	long nr;
	u64 a[6];
};

/* exit_group itself: a sanitizer's _exit() makes calls the rules lack. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	syscall(SYS_exit_group, TRAPPED);
}

/*
 * Where filters cannot be installed (qemu-user), the same programs run
 * in bpf-eval.h's interpreter on the call's seccomp_data.
 */
static bool interpret;
/* Where they run for real: calls the interpreter also ran, disagreements. */
static unsigned int compared, disagreed;

static int run_interpreted(const struct sock_filter *insn, size_t len,
			   const struct call *c)
{
	struct seccomp_data d = { .nr = (int)c->nr, .arch = sc_audit_arch() };
	size_t at;
	u32 r;

	if (bpf_eval_check(insn, len, &at))
		return -1;
	memcpy(d.args, c->a, sizeof(d.args));
	r = bpf_eval_run(insn, len, &d);
	return r == SECCOMP_RET_ALLOW ? 0 : r == SECCOMP_RET_TRAP ? TRAPPED : -1;
}

/*
 * In a child: install the rules (deny = trap), make the call, exit 0 if
 * it returned. The parent's verdict: 0 (allowed), TRAPPED, or another.
 */
static int run_filtered(const struct sc_rule *rules, size_t nr,
			const struct call *c)
{
	struct sock_filter insn[SC_MAX_INSNS];
	struct sc_rule all[16];
	struct sock_fprog prog;
	struct sigaction sa;
	int n, status;
	pid_t pid;

	/* The child's own exit (and the handler's) must go through. */
	if (nr >= ARRAY_SIZE(all))
		return -1;
	memcpy(all, rules, nr * sizeof(*rules));
	all[nr] = (struct sc_rule){ .nr = __NR_exit_group };
	n = sc_compile(all, nr + 1, SECCOMP_RET_TRAP, insn, SC_MAX_INSNS);
	if (n < 0)
		return -1;
	if (interpret)
		return run_interpreted(insn, (size_t)n, c);
	prog.len = (unsigned short)n;
	prog.filter = insn;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigsys;
		sa.sa_flags = SA_SIGINFO;
		if (sigaction(SIGSYS, &sa, NULL) ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(50);
		syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4],
			c->a[5]);
		syscall(SYS_exit_group, 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	status = WIFEXITED(status) ? WEXITSTATUS(status) :
				     100 + WTERMSIG(status);
	compared++;
	if (run_interpreted(insn, (size_t)n, c) != status)
		disagreed++;
	return status;
}

#define CALL(n, ...) (&(const struct call){ .nr = (n), .a = { __VA_ARGS__ } })
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* Whether the kernel refuses the program (in a child: it may not). */
static bool kernel_refuses(const struct sock_filter *f, size_t len)
{
	struct sock_fprog prog = { .len = (unsigned short)len,
				   .filter = (struct sock_filter *)f };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(2);
		_exit(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) &&
		      errno == EINVAL ? 0 : 1);
	}
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* bpf-eval.h refuses what the kernel would (each program one fault). */
static void check_interpreter(void)
{
	static const struct {
		struct sock_filter f[3];
		size_t len;
		const char *what;
	} bad[] = {
		{ { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) }, 1,
		  "no return at the end" },
		{ { BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
		    BPF_STMT(BPF_RET | BPF_K, 0) }, 2, "a jump past the end" },
		{ { BPF_STMT(BPF_JMP | BPF_JA, 1),
		    BPF_STMT(BPF_RET | BPF_K, 0) }, 2, "JA past the end" },
		{ { BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			     sizeof(struct seccomp_data)),
		    BPF_STMT(BPF_RET | BPF_K, 0) }, 2,
		  "a load past seccomp_data" },
		{ { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
		    BPF_STMT(BPF_RET | BPF_K, 0) }, 2, "an unaligned load" },
		{ { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
		    BPF_STMT(BPF_RET | BPF_K, 0) }, 2, "division by 0" },
		{ { BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		    BPF_STMT(BPF_RET | BPF_K, 0) }, 2, "a byte load" },
	};
	static const struct sock_filter good[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 7, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct seccomp_data d = { .nr = 7 };
	unsigned int i, refused = 0, kernel = 0;
	size_t at;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (bpf_eval_check(bad[i].f, bad[i].len, &at))
			refused++;
		else
			printf("# interpreter took a program with %s\n",
			       bad[i].what);
		if (!interpret && kernel_refuses(bad[i].f, bad[i].len))
			kernel++;
	}
	ok(refused == ARRAY_SIZE(bad),
	   "interpreter: %u of %zu faulty programs refused", refused,
	   ARRAY_SIZE(bad));
	if (!interpret)
		ok(kernel == ARRAY_SIZE(bad),
		   "the kernel refuses the same %u of %zu (EINVAL)", kernel,
		   ARRAY_SIZE(bad));
	ok(!bpf_eval_check(good, ARRAY_SIZE(good), &at) &&
	   bpf_eval_run(good, ARRAY_SIZE(good), &d) == SECCOMP_RET_TRAP &&
	   (d.nr = 6, bpf_eval_run(good, ARRAY_SIZE(good), &d)) ==
	   SECCOMP_RET_ALLOW, "interpreter: nr >= 7 traps, 6 is allowed");
}

int main(void)
{
	static const struct sc_rule plain[] = {
		{ .nr = __NR_getpid },
	};
	static const struct sc_rule args[] = {
		{ .nr = __NR_dup3, .nr_args = 1,
		  .args = { { .idx = 0, .kind = SC_ONE_OF, .nr = 3,
			      .wide = true, .vals = { 3, 5, 7 } } } },
#ifndef __s390x__
		/* s390x's mmap takes its arguments in memory. */
		{ .nr = __NR_mmap, .nr_args = 1,
		  .args = { { .idx = 2, .kind = SC_NOT_IN,
			      .vals = { PROT_EXEC } } } },
#endif
		{ .nr = __NR_kill, .nr_args = 1,
		  .args = { { .idx = 1, .kind = SC_NOT, .vals = { SIGTERM } } } },
		{ .nr = __NR_fcntl, .nr_args = 1,
		  .args = { { .idx = 1, .kind = SC_MASKED,
			      .vals = { 0xff00, 0xae00 } } } },
		/* As the KVM ioctls are checked on arm64 and s390x. */
		{ .nr = __NR_lseek, .nr_args = 2,
		  .args = { { .idx = 2, .kind = SC_MASKED,
			      .vals = { 0xff00, 0xae00 } },
			    { .idx = 2, .kind = SC_NONE_OF, .nr = 2,
			      .wide = true,
			      .vals = { 0xae01, 0x10000ae02ULL } } } },
	};
	/*
	 * Three arguments in one rule, and a second rule for the same call
	 * (as lkvm-net's sockets: family, type and protocol together).
	 * socket() itself: what a child makes it keeps, and it exits.
	 */
	static const struct sc_rule three[] = {
		{ .nr = __NR_socket, .nr_args = 3,
		  .args = { { .idx = 0, .kind = SC_ONE_OF, .nr = 1,
			      .vals = { AF_INET } },
			    { .idx = 1, .kind = SC_ONE_OF, .nr = 2,
			      .vals = { SOCK_DGRAM, SOCK_DGRAM | SOCK_CLOEXEC } },
			    { .idx = 2, .kind = SC_ONE_OF, .nr = 2,
			      .vals = { 0, IPPROTO_UDP } } } },
		{ .nr = __NR_socket, .nr_args = 3,
		  .args = { { .idx = 0, .kind = SC_ONE_OF, .nr = 1,
			      .vals = { AF_INET6 } },
			    { .idx = 1, .kind = SC_ONE_OF, .nr = 1,
			      .vals = { SOCK_STREAM } },
			    { .idx = 2, .kind = SC_ONE_OF, .nr = 1,
			      .vals = { 0 } } } },
	};
	struct sock_filter insn[SC_MAX_INSNS];
	struct sc_rule bad = { .nr = __NR_dup3, .nr_args = 1,
			       .args = { { .idx = 6, .kind = SC_ANY } } };
	struct sc_rule too_many = { .nr = __NR_dup3, .nr_args = SC_MAX_ARGS + 1 };
	static struct sc_rule rules[SC_MAX_RULES];
	unsigned int r;
	size_t nr;
	int n;

	/* qemu-user (make check ARCH=...) does not run guest filters. */
	n = run_filtered(plain, 1, CALL(__NR_getpid));
	if (n == 50) {
		interpret = true;
		skip("seccomp filters cannot be installed here",
		     "filters run in forked children (the checks below: BPF interpreter)");
		n = run_filtered(plain, 1, CALL(__NR_getpid));
	}
	ok(n == 0, "a listed call runs");
	ok(run_filtered(plain, 1, CALL(__NR_getppid)) == TRAPPED,
	   "an unlisted call traps (SIGSYS)");
	ok(run_filtered(args, ARRAY_SIZE(args), CALL(__NR_dup3, 7, 101)) == 0,
	   "one-of: a listed value runs");
	ok(run_filtered(args, ARRAY_SIZE(args), CALL(__NR_dup3, 100, 101)) ==
	   TRAPPED, "one-of: another value traps");
	/* Equal low word, different upper word: not 7. */
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_dup3, 0x100000007ULL, 101)) == TRAPPED,
	   "one-of (64-bit): the same low word with an upper word traps");
#ifndef __s390x__
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_mmap, 0, 4096, PROT_READ | PROT_WRITE, ANON,
			     (u64)-1, 0)) == 0,
	   "not-in: mmap without PROT_EXEC runs");
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_mmap, 0, 4096, PROT_READ | PROT_EXEC, ANON,
			     (u64)-1, 0)) == TRAPPED,
	   "not-in: mmap with PROT_EXEC traps");
#else
	skip("s390x: mmap's arguments are in memory", "mmap PROT_EXEC");
#endif
	/* kill(1, 0): no getpid, so not listed. */
	ok(run_filtered(args, ARRAY_SIZE(args), CALL(__NR_kill, 1, 0)) == 0,
	   "not: another signal runs");
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_kill, 1000000000, SIGTERM)) == TRAPPED,
	   "not: the excluded value traps");
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_fcntl, (u64)-1, 0xae80)) == 0,
	   "masked: an ioctl-style number of type 0xae runs");
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_fcntl, (u64)-1, 0xaf80)) == TRAPPED,
	   "masked: type 0xaf traps");
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_lseek, (u64)-1, 0, 0xae05)) == 0,
	   "masked and none-of: type 0xae, not excluded, runs");
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_lseek, (u64)-1, 0, 0xae01)) == TRAPPED,
	   "none-of: an excluded value traps");
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_lseek, (u64)-1, 0, 0x10000ae02ULL)) == TRAPPED,
	   "none-of (64-bit): an excluded value with its upper word traps");
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_lseek, (u64)-1, 0, 0xae02)) == 0,
	   "none-of (64-bit): the same low word without the upper word runs");
	ok(run_filtered(args, ARRAY_SIZE(args),
			CALL(__NR_lseek, (u64)-1, 0, 0xaf05)) == TRAPPED,
	   "masked and none-of: type 0xaf traps");
	ok(run_filtered(three, 2, CALL(__NR_socket, AF_INET,
					SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP)) == 0,
	   "three arguments: all three listed runs");
	ok(run_filtered(three, 2, CALL(__NR_socket, AF_INET, SOCK_DGRAM,
					IPPROTO_UDPLITE)) == TRAPPED,
	   "three arguments: the third not listed traps");
	ok(run_filtered(three, 2, CALL(__NR_socket, AF_INET, SOCK_STREAM, 0)) ==
	   TRAPPED, "three arguments: the second not listed traps");
	ok(run_filtered(three, 2, CALL(__NR_socket, AF_UNIX, SOCK_DGRAM, 0)) ==
	   TRAPPED, "three arguments: the first not listed traps");
	ok(run_filtered(three, 2, CALL(__NR_socket, AF_INET6, SOCK_STREAM, 0)) ==
	   0, "three arguments: the second rule for the call runs");
	ok(run_filtered(three, 2, CALL(__NR_socket, AF_INET6, SOCK_STREAM,
					IPPROTO_MPTCP)) == TRAPPED,
	   "three arguments: the second rule's third not listed traps");
	ok(run_filtered(three, 2, CALL(__NR_socket, AF_INET6, SOCK_DGRAM,
					IPPROTO_UDP)) == TRAPPED,
	   "three arguments: the first rule's type with the second's family traps");
	if (!interpret)
		ok(compared > 10 && !disagreed,
		   "the BPF interpreter agrees with the kernel on all %u calls (%u not)",
		   compared, disagreed);
	check_interpreter();
	ok(sc_compile(&bad, 1, SECCOMP_RET_TRAP, insn, SC_MAX_INSNS) ==
	   -EINVAL, "an argument index past 5 is refused");
	ok(sc_compile(&too_many, 1, SECCOMP_RET_TRAP, insn, SC_MAX_INSNS) ==
	   -EINVAL, "a rule of more than %d arguments is refused", SC_MAX_ARGS);
	ok(sc_compile(args, ARRAY_SIZE(args), SECCOMP_RET_TRAP, insn, 8) ==
	   -E2BIG, "a program larger than the room is refused");

	for (r = 0; r < SC_NR_ROLES; r++) {
		nr = sc_policy(r, &(struct sc_kvm_fds){ 5, 6 }, rules,
			       SC_MAX_RULES);
		n = sc_compile(rules, nr, SECCOMP_RET_TRAP, insn,
			       SC_MAX_INSNS);
		ok(nr > 0 && n > 0 && n < 4096, "role %s: %zu rules, %d instructions",
		   sc_role_name(r), nr, n);
	}
	ok(sc_syscall_name(__NR_execve) &&
	   !strcmp(sc_syscall_name(__NR_execve), "execve") &&
	   sc_syscall_name(__NR_openat) &&
	   !strcmp(sc_syscall_name(__NR_openat), "openat") &&
	   !sc_syscall_name(-1) && !sc_syscall_name(100000),
	   "system call names: execve, openat; none out of range");
	return tap_done();
}
