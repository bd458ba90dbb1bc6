// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the lkvm test user land: a static x86_64 program without libc.
 *
 * It mounts /proc, /sys, /dev (devtmpfs) and /tmp, says hello on the
 * console and prints the kernel command line, then runs the check script
 * (/check, or the file lkvm.check= names: tests append it to the initramfs
 * as a second cpio archive) with busybox sh, or an interactive shell on the
 * console when there is none. When that ends, it syncs and powers the
 * machine off (lkvm.end=reboot restarts it instead).
 *
 * As PID 1 it reaps every orphan, and it stands in for an init system
 * behind busybox's poweroff, reboot and halt, which signal PID 1: SIGUSR2
 * powers off, SIGTERM (and SIGINT, Ctrl-Alt-Del) restarts, SIGUSR1 (halt)
 * powers off too, since nobody is there to press a button. Each syncs
 * first. Signals are taken with sigtimedwait(), so no handler ever runs.
 */
#include "sys.h"

USERLAND_START;

#define MAX_ENV 16

/* glibc must not pick AVX code when the kernel does not save AVX state. */
#define NO_AVX_TUNABLES "GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX,-AVX2,-FMA," \
	"-F16C,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD," \
	"-AVX_Fast_Unaligned_Load"

struct init_state {
	char cmdline[4096];
	const char *check;	/* script path */
	long end_cmd;		/* reboot(2) command when the script ends */
	const char *env[MAX_ENV];
	int nr_env;
};

static const unsigned long init_signals = (1UL << (SIGCHLD - 1)) |
	(1UL << (SIGUSR1 - 1)) | (1UL << (SIGUSR2 - 1)) |
	(1UL << (SIGTERM - 1)) | (1UL << (SIGINT - 1));

static void say(const char *a, const char *b)
{
	put("lkvm-init: ");
	put(a);
	put(b);
	put("\n");
}

static long read_file(const char *path, char *buf, unsigned long size)
{
	long fd = sys3(SYS_open, (long)path, O_RDONLY, 0);
	long n, total = 0;

	if (fd < 0)
		return fd;
	while ((unsigned long)total + 1 < size) {
		n = sys3(SYS_read, fd, (long)(buf + total),
			 (long)(size - 1 - (unsigned long)total));
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	sys3(SYS_close, fd, 0, 0);
	buf[total] = 0;
	return total;
}

static void mount_fs(const char *src, const char *dir, const char *type,
		     long mode)
{
	char num[24];
	long err;

	sys3(SYS_mkdir, (long)dir, mode, 0);
	err = sys6(SYS_mount, (long)src, (long)dir, (long)type, 0, 0, 0);
	if (err < 0) {
		put("lkvm-init: cannot mount ");
		put(dir);
		put(": error ");
		put(fmt_long(num, err));
		put("\n");
	}
}

/* The value of word "key=..." on the command line, cut at a blank. */
static const char *cmdline_value(char *cmdline, const char *key)
{
	unsigned long klen = str_len(key);
	char *p = cmdline;

	while (*p) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (str_starts(p, key) && p[klen] == '=') {
			char *v = p + klen + 1, *e = v;

			while (*e && *e != ' ' && *e != '\n')
				e++;
			/* Cutting the copy is fine: it was printed already. */
			*e = 0;
			return v;
		}
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return 0;
}

/* Does the kernel list "xsave" among the CPU's flags in /proc/cpuinfo? */
static int kernel_has_xsave(void)
{
	static char buf[8192];
	const char *p;

	if (read_file("/proc/cpuinfo", buf, sizeof(buf)) <= 0)
		return 1;
	for (p = buf; *p; p++) {
		if (str_starts(p, " xsave") && (p[6] == ' ' || p[6] == '\n'))
			return 1;
		if (*p == '\n' && p[1] == '\n')
			break;	/* the first CPU is enough */
	}
	return 0;
}

static void setup_env(struct init_state *s)
{
	s->env[s->nr_env++] = "PATH=/bin:/sbin:/usr/bin:/usr/sbin";
	s->env[s->nr_env++] = "HOME=/root";
	s->env[s->nr_env++] = "TERM=linux";
	s->env[s->nr_env++] = "SHELL=/bin/sh";
	s->env[s->nr_env++] = "ENV=/etc/profile";
	/*
	 * User code runs natively and sees the host's AVX, but a kernel
	 * booted with noxsave saves only the SSE state: the upper halves of
	 * the YMM/ZMM registers leak between processes.
	 */
	if (!kernel_has_xsave()) {
		s->env[s->nr_env++] = NO_AVX_TUNABLES;
		say("kernel does not save AVX state (no xsave): ",
		    NO_AVX_TUNABLES);
	}
	s->env[s->nr_env] = 0;
}

static long spawn(struct init_state *s, const char *const argv[])
{
	unsigned long none = 0;
	long pid = sys3(SYS_fork, 0, 0, 0);

	if (pid)
		return pid;
	sys6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8, 0, 0);
	sys3(SYS_setsid, 0, 0, 0);
	sys3(SYS_execve, (long)argv[0], (long)argv, (long)s->env);
	say("cannot run ", argv[0]);
	sys3(SYS_exit, 127, 0, 0);
	return -1;
}

static void finish(long cmd, const char *what)
{
	char num[24];
	long err;

	say(what, "");
	sys3(SYS_sync, 0, 0, 0);
	err = sys6(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, cmd, 0, 0, 0);
	say("reboot(2) failed: ", fmt_long(num, err));
}

/* Reap every exited child; returns the wait status of pid, or -1. */
static long reap(long pid)
{
	long status = -1;
	int st;

	for (;;) {
		long got = sys6(SYS_wait4, -1, (long)&st, WNOHANG, 0, 0, 0);

		if (got <= 0)
			return status;
		if (got == pid)
			status = st;
	}
}

static void report_status(const char *what, int st)
{
	char num[24];

	put("lkvm-init: ");
	put(what);
	if ((st & 0x7f) == 0) {
		put(" exited with status ");
		put(fmt_long(num, (st >> 8) & 0xff));
	} else {
		put(" killed by signal ");
		put(fmt_long(num, st & 0x7f));
	}
	put("\n");
}

int main(long argc, char **argv, char **envp)
{
	static struct init_state s;
	const char *end, *what, *check_argv[] = { "/bin/sh", 0, 0 };
	static const char *const shell_argv[] = {
		"/bin/cttyhack", "/bin/sh", "-l", 0
	};
	unsigned long set = init_signals;
	long pid, n;

	(void)argc;
	(void)argv;
	(void)envp;
	sys6(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8, 0, 0);
	say("hello from /init", "");
	mount_fs("proc", "/proc", "proc", 0555);
	mount_fs("sysfs", "/sys", "sysfs", 0555);
	mount_fs("devtmpfs", "/dev", "devtmpfs", 0755);
	mount_fs("tmpfs", "/tmp", "tmpfs", 01777);
	mount_fs("tmpfs", "/run", "tmpfs", 0755);

	n = read_file("/proc/cmdline", s.cmdline, sizeof(s.cmdline));
	if (n > 0) {
		put("lkvm-init: cmdline: ");
		put(s.cmdline);
	}
	setup_env(&s);
	s.check = cmdline_value(s.cmdline, "lkvm.check");
	if (!s.check)
		s.check = "/check";
	end = cmdline_value(s.cmdline, "lkvm.end");
	s.end_cmd = end && str_eq(end, "reboot") ? REBOOT_CMD_RESTART :
		    REBOOT_CMD_POWER_OFF;

	n = sys3(SYS_open, (long)s.check, O_RDONLY, 0);
	if (n >= 0) {
		sys3(SYS_close, n, 0, 0);
		say("running ", s.check);
		check_argv[1] = s.check;
		what = s.check;
		pid = spawn(&s, check_argv);
	} else {
		say("no check script: a shell on the console", "");
		what = "the shell";
		pid = spawn(&s, shell_argv);
	}
	if (pid < 0) {
		say("cannot fork", "");
		finish(REBOOT_CMD_POWER_OFF, "powering off");
	}

	for (;;) {
		long sig, st;

		set = init_signals;
		sig = sys6(SYS_rt_sigtimedwait, (long)&set, 0, 0, 8, 0, 0);
		if (sig == SIGUSR2 || sig == SIGUSR1) {
			finish(REBOOT_CMD_POWER_OFF, "powering off");
		} else if (sig == SIGTERM || sig == SIGINT) {
			finish(REBOOT_CMD_RESTART, "restarting");
		} else if (sig == SIGCHLD) {
			st = reap(pid);
			if (st >= 0 && pid > 0) {
				report_status(what, (int)st);
				pid = 0;
				finish(s.end_cmd, s.end_cmd == REBOOT_CMD_RESTART ?
				       "restarting" : "powering off");
			}
		}
	}
	return 0;
}
