// SPDX-License-Identifier: GPL-2.0
/*
 * lkvm's guest init: PID 1 of `lkvm sandbox` and of the roots `lkvm setup`
 * makes. A static x86_64 program without libc (sys.h), built by make and
 * embedded in lkvm (vmm/guest-init-blob.c).
 *
 * Sandbox (the initramfs lkvm built holds GUEST_JOB_PATH): mount the
 * host's root read-only over 9p with a tmpfs above it (overlayfs), the
 * guest's own /proc, /sys, /dev, /tmp and /run, the current directory's
 * share writable at its own path; move that to / and run the job's
 * command as the job's uid and gid, with stdout on hvc0 and stderr on
 * hvc1 (raw) and stdin from hvc3 (through a relay that knows where
 * lkvm's input ends), or a terminal session on hvc0. When it ends, its status
 * ("status=N\n", N the exit code or 128 + the signal) goes to hvc2 and
 * the machine powers off.
 *
 * Setup root (no job: booted as /virt/init of a 9p root): mount /proc,
 * /sys, /dev, /tmp, /run and the host's root at /host (read-only, share
 * "hostfs"), then run the command line's words after "--" (read from
 * /proc/cmdline) or an interactive shell on the console, and power off
 * when it ends.
 *
 * Whatever cannot be mounted is said on stderr ("lkvm-init: cannot mount
 * ..."), with the kernel option or share that is likely missing.
 */
#include "guest-job.h"
#include "relay.h"
#include "sys.h"

GUEST_INIT_START;

/* glibc must not pick AVX code when the kernel does not save AVX state. */
#define NO_AVX_TUNABLES "GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX,-AVX2,-FMA," \
	"-F16C,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD," \
	"-AVX_Fast_Unaligned_Load"

#define P9_OPTS "trans=virtio,version=9p2000.L,msize=131072"
#define PATH_MAX_LEN 4096
#define MAX_INIT_ARGS 64
#define OVERLAY_OPTS \
	"lowerdir=/lkvm/lower,upperdir=/lkvm/rw/upper,workdir=/lkvm/rw/work"

struct init {
	int err_fd;			/* messages */
	int out_fd, status_fd;		/* hvc0, hvc2 (sandbox) */
	int in_fd;			/* hvc3 (sandbox, tty=0) */
	int stdin_fd;			/* the relay's pipe, or -1 */
	struct guest_job job;
	char job_buf[GUEST_JOB_MAX_BYTES];
	char path[PATH_MAX_LEN];
	char cpuinfo[8192];
	const char *setup_env[8];
	char cmdline[4096];
	const char *args[MAX_INIT_ARGS + 1];
};

static void put_fd(int fd, const char *s)
{
	unsigned long n = str_len(s);

	while (n) {
		long w = sys3(__NR_write, fd, (long)s, (long)n);

		if (w == -EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (unsigned long)w;
	}
}

/* "lkvm-init: " and up to four parts, one line. */
static void say(struct init *in, const char *a, const char *b, const char *c,
		const char *d)
{
	put_fd(in->err_fd, "lkvm-init: ");
	put_fd(in->err_fd, a);
	put_fd(in->err_fd, b ? b : "");
	put_fd(in->err_fd, c ? c : "");
	put_fd(in->err_fd, d ? d : "");
	put_fd(in->err_fd, "\n");
}

static const char *err_text(long err, char *num)
{
	switch (-err) {
	case ENOENT: return "no such file or directory";
	case ENODEV: return "no such device";
	case EINVAL: return "invalid argument";
	case EACCES: return "permission denied";
	case EPERM: return "operation not permitted";
	case EROFS: return "read-only file system";
	case EBUSY: return "device or resource busy";
	case ENOTDIR: return "not a directory";
	case ENOMEM: return "out of memory";
	case EIO: return "input/output error";
	case ENOEXEC: return "exec format error";
	case ENOSPC: return "no space left on device";
	case EOPNOTSUPP: return "operation not supported";
	}
	/* "error N": num has room for 6 + 21 bytes. */
	num[0] = 'e';
	num[1] = num[2] = 'r';
	num[3] = 'o';
	num[4] = 'r';
	num[5] = ' ';
	fmt_long(num + 6, -err);
	return num;
}

/* mkdir -p; errors other than EEXIST are left to what uses the path. */
static void mkdir_p(struct init *in, const char *dir, long mode)
{
	unsigned long i, n = str_len(dir);

	if (n >= sizeof(in->path))
		return;
	for (i = 0; i <= n; i++) {
		in->path[i] = dir[i];
		if ((dir[i] == '/' && i) || !dir[i]) {
			in->path[i] = 0;
			sys3(__NR_mkdir, (long)in->path, mode, 0);
			in->path[i] = dir[i];
		}
	}
}

/*
 * Mount, saying what failed and what is likely missing. hint_nodev: the
 * kernel option behind ENODEV; hint_noent: what ENOENT means (9p: no such
 * share). Returns 0 or -errno.
 */
static long do_mount(struct init *in, const char *src, const char *dir,
		     const char *type, unsigned long flags, const char *data,
		     const char *hint_nodev, const char *hint_noent)
{
	char num[32];
	long err;

	mkdir_p(in, dir, 0755);
	err = sys6(__NR_mount, (long)src, (long)dir, (long)type, (long)flags,
		   (long)data, 0);
	/* DEVTMPFS_MOUNT put it on a real root's /dev already. */
	if (!err || (err == -EBUSY && str_eq(type, "devtmpfs")))
		return 0;
	put_fd(in->err_fd, "lkvm-init: cannot mount ");
	put_fd(in->err_fd, type);
	put_fd(in->err_fd, " '");
	put_fd(in->err_fd, src);
	put_fd(in->err_fd, "' on ");
	put_fd(in->err_fd, dir);
	put_fd(in->err_fd, ": ");
	put_fd(in->err_fd, err_text(err, num));
	if (err == -ENODEV && hint_nodev) {
		put_fd(in->err_fd, " (the guest kernel lacks ");
		put_fd(in->err_fd, hint_nodev);
		put_fd(in->err_fd, ")");
	} else if (err == -ENOENT && hint_noent) {
		put_fd(in->err_fd, " (");
		put_fd(in->err_fd, hint_noent);
		put_fd(in->err_fd, ")");
	}
	put_fd(in->err_fd, "\n");
	return err;
}

static long read_file(const char *path, char *buf, unsigned long size)
{
	long fd = sys3(__NR_open, (long)path, O_RDONLY | O_CLOEXEC, 0);
	long n, total = 0;

	if (fd < 0)
		return fd;
	while ((unsigned long)total < size) {
		n = sys3(__NR_read, fd, (long)(buf + total),
			 (long)(size - (unsigned long)total));
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	sys3(__NR_close, fd, 0, 0);
	return total;
}

/* Does the kernel list "xsave" among the CPU's flags in /proc/cpuinfo? */
static int kernel_has_xsave(struct init *in, const char *cpuinfo)
{
	long n = read_file(cpuinfo, in->cpuinfo, sizeof(in->cpuinfo) - 1);
	const char *p;

	if (n <= 0)
		return 1;
	in->cpuinfo[n] = 0;
	for (p = in->cpuinfo; *p; p++) {
		if (str_starts(p, " xsave") && (p[6] == ' ' || p[6] == '\n'))
			return 1;
		if (*p == '\n' && p[1] == '\n')
			break;	/* the first CPU is enough */
	}
	return 0;
}

/* Raw: no line discipline on the bytes (crlf: keep \n -> \r\n out). */
static void tty_raw(int fd, int crlf)
{
	struct termios t;

	if (sys3(__NR_ioctl, fd, TCGETS, (long)&t))
		return;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
		       ICRNL | IXON);
	t.c_oflag = crlf ? (OPOST | ONLCR) : 0;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	sys3(__NR_ioctl, fd, TCSETS, (long)&t);
}

static long open_rw(const char *path)
{
	return sys3(__NR_open, (long)path, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
}

/* The value of NAME= in envp, or NULL. */
static const char *env_get(const char *const *envp, const char *name)
{
	unsigned long n = str_len(name);

	for (; *envp; envp++)
		if (str_starts(*envp, name) && (*envp)[n] == '=')
			return *envp + n + 1;
	return 0;
}

/*
 * execve() argv[0], searched in PATH when it has no '/'. Returns only on
 * failure: 127 when nothing was found, 126 when found but not runnable.
 */
static int exec_path(struct init *in, const char *const *argv,
		     const char *const *envp)
{
	const char *name = argv[0], *p;
	unsigned long nlen = str_len(name), dlen, i;
	long err, worst = -ENOENT;
	char num[32];

	for (p = name; *p && *p != '/'; p++)
		;
	if (*p || !*name) {
		err = sys3(__NR_execve, (long)name, (long)argv, (long)envp);
		say(in, "cannot run ", name, ": ", err_text(err, num));
		return err == -ENOENT ? 127 : 126;
	}
	p = env_get(envp, "PATH");
	if (!p)
		p = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	while (*p) {
		for (dlen = 0; p[dlen] && p[dlen] != ':'; dlen++)
			;
		if (dlen + 1 + nlen + 1 <= sizeof(in->path)) {
			for (i = 0; i < dlen; i++)
				in->path[i] = p[i];
			if (!dlen)
				in->path[dlen++] = '.';
			in->path[dlen] = '/';
			for (i = 0; i <= nlen; i++)
				in->path[dlen + 1 + i] = name[i];
			err = sys3(__NR_execve, (long)in->path, (long)argv,
				   (long)envp);
			if (err != -ENOENT && err != -ENOTDIR)
				worst = err;
		}
		p += p[dlen] ? dlen + 1 : dlen;
		if (!dlen && !*p)
			break;
	}
	say(in, "cannot run ", name, ": ",
	    worst == -ENOENT ? "command not found" : err_text(worst, num));
	return worst == -ENOENT ? 127 : 126;
}

static void finish(struct init *in)
{
	char num[32];
	long err;

	sys3(__NR_sync, 0, 0, 0);
	err = sys6(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		   LINUX_REBOOT_CMD_POWER_OFF, 0, 0, 0);
	say(in, "cannot power off: ", err_text(err, num), 0, 0);
	for (;;)
		sys3(__NR_pause, 0, 0, 0);
}

/* Wait for pid as PID 1: reap every orphan; returns pid's wait status. */
static int wait_for(long pid)
{
	int st = 0;
	long got;

	for (;;) {
		got = sys6(__NR_wait4, -1, (long)&st, 0, 0, 0, 0);
		if (got == pid)
			return st;
		if (got == -ECHILD)
			return 0;
	}
}

static int status_of(int st)
{
	return (st & 0x7f) ? 128 + (st & 0x7f) : (st >> 8) & 0xff;
}

/* The child's side of the sandbox: fds, credentials, cwd, exec. */
static int sandbox_child(struct init *in)
{
	const struct guest_job *job = &in->job;
	unsigned long none = 0;
	char num[32];
	long fd, err;

	sys6(__NR_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8, 0, 0);
	sys3(__NR_setsid, 0, 0, 0);
	if (job->tty) {
		fd = sys3(__NR_open, (long)GUEST_JOB_STDOUT_PORT, O_RDWR, 0);
		if (fd < 0)
			return 125;
		sys3(__NR_ioctl, fd, TIOCSCTTY, 0);
		sys3(__NR_dup2, fd, 0, 0);
		sys3(__NR_dup2, fd, 1, 0);
		sys3(__NR_dup2, fd, 2, 0);
	} else {
		fd = in->stdin_fd;
		if (fd < 0)
			fd = sys3(__NR_open, (long)"/dev/null", O_RDONLY, 0);
		sys3(__NR_dup2, fd, 0, 0);
		fd = sys3(__NR_open, (long)GUEST_JOB_STDOUT_PORT,
			  O_RDWR | O_NOCTTY, 0);
		sys3(__NR_dup2, fd, 1, 0);
		fd = sys3(__NR_open, (long)GUEST_JOB_STDERR_PORT,
			  O_RDWR | O_NOCTTY, 0);
		sys3(__NR_dup2, fd, 2, 0);
	}
	in->err_fd = 2;
	err = sys3(__NR_setgroups, 0, 0, 0);
	if (!err)
		err = sys3(__NR_setgid, (long)job->gid, 0, 0);
	if (!err)
		err = sys3(__NR_setuid, (long)job->uid, 0, 0);
	if (err) {
		say(in, "cannot become the user: ", err_text(err, num), 0, 0);
		return 125;
	}
	err = sys3(__NR_chdir, (long)job->cwd, 0, 0);
	if (err) {
		say(in, "cannot enter ", job->cwd, ": ", err_text(err, num));
		return 125;
	}
	return exec_path(in, job->argv, job->envp);
}

/* Mount the sandbox's root at /lkvm/root and make it /. */
static long sandbox_root(struct init *in)
{
	const struct guest_job *job = &in->job;
	const char *hint9 = "9P_FS and NET_9P_VIRTIO";
	char num[32];
	long err;

	err = do_mount(in, job->root_tag, "/lkvm/lower", "9p", MS_RDONLY,
		       P9_OPTS ",cache=loose", hint9,
		       "no 9p share with that tag from lkvm");
	if (err)
		return err;
	if (!do_mount(in, "tmpfs", "/lkvm/rw", "tmpfs", 0, "mode=0755", "TMPFS",
		      0)) {
		mkdir_p(in, "/lkvm/rw/upper", 0755);
		mkdir_p(in, "/lkvm/rw/work", 0755);
		err = do_mount(in, "overlay", "/lkvm/root", "overlay", 0,
			       OVERLAY_OPTS, "OVERLAY_FS", 0);
	} else {
		err = -ENOMEM;
	}
	if (err) {
		say(in, "the root stays read-only (no overlay)", 0, 0, 0);
		err = do_mount(in, "/lkvm/lower", "/lkvm/root", "none", MS_BIND,
			       0, 0, 0);
		if (err)
			return err;
	}
	do_mount(in, "proc", "/lkvm/root/proc", "proc", 0, 0, "PROC_FS", 0);
	do_mount(in, "sysfs", "/lkvm/root/sys", "sysfs", 0, 0, "SYSFS", 0);
	do_mount(in, "devtmpfs", "/lkvm/root/dev", "devtmpfs", 0, 0,
		 "DEVTMPFS", 0);
	do_mount(in, "tmpfs", "/lkvm/root/tmp", "tmpfs", 0, "mode=1777",
		 "TMPFS", 0);
	do_mount(in, "tmpfs", "/lkvm/root/run", "tmpfs", 0, "mode=0755",
		 "TMPFS", 0);
	if (job->cwd_tag) {
		unsigned long n = str_len(job->cwd), i;
		static const char pre[] = "/lkvm/root";

		if (n + sizeof(pre) > sizeof(in->path))
			return -ENAMETOOLONG;
		for (i = 0; i < sizeof(pre) - 1; i++)
			in->path[i] = pre[i];
		for (i = 0; i <= n; i++)
			in->path[sizeof(pre) - 1 + i] = job->cwd[i];
		/* mkdir_p reuses in->path: copy out first. */
		{
			char dir[PATH_MAX_LEN];

			for (i = 0; i <= n + sizeof(pre) - 1; i++)
				dir[i] = in->path[i];
			do_mount(in, job->cwd_tag, dir, "9p", 0,
				 P9_OPTS ",cache=mmap", hint9,
				 "no 9p share with that tag from lkvm");
		}
	}
	err = sys3(__NR_chdir, (long)"/lkvm/root", 0, 0);
	if (!err)
		err = sys6(__NR_mount, (long)".", (long)"/", 0, MS_MOVE, 0, 0);
	if (!err)
		err = sys3(__NR_chroot, (long)".", 0, 0);
	if (!err)
		err = sys3(__NR_chdir, (long)"/", 0, 0);
	if (err)
		say(in, "cannot make the sandbox's root /: ",
		    err_text(err, num), 0, 0);
	return err;
}

/*
 * Start the relay (job without a terminal): in->stdin_fd is the pipe's
 * reading end, or -1 (the command gets /dev/null) when it cannot start.
 * Returns the relay's pid, or 0.
 */
static long start_stdin_relay(struct init *in)
{
	char num[32];
	int fds[2];
	long pid, err;

	in->stdin_fd = -1;
	/* No hvc3 or hvc2 (said already): nothing would come or end. */
	if (in->in_fd < 0 || in->status_fd < 0)
		return 0;
	err = sys3(__NR_pipe2, (long)fds, O_CLOEXEC, 0);
	if (err) {
		say(in, "cannot relay stdin: ", err_text(err, num),
		    "; the command reads /dev/null", 0);
		return 0;
	}
	pid = sys3(__NR_fork, 0, 0, 0);
	if (pid == 0) {
		sys3(__NR_close, fds[0], 0, 0);
		sys3(__NR_exit_group,
		     guest_stdin_relay(in->in_fd, in->status_fd, fds[1]), 0, 0);
	}
	sys3(__NR_close, fds[1], 0, 0);
	if (pid < 0) {
		sys3(__NR_close, fds[0], 0, 0);
		say(in, "cannot relay stdin: ", err_text(pid, num),
		    "; the command reads /dev/null", 0);
		return 0;
	}
	in->stdin_fd = fds[0];
	return pid;
}

static int sandbox(struct init *in, long len)
{
	struct guest_job *job = &in->job;
	const char *bad;
	char num[32];
	long pid, relay, err;
	int st;

	do_mount(in, "devtmpfs", "/dev", "devtmpfs", 0, 0, "DEVTMPFS", 0);
	in->out_fd = open_rw(GUEST_JOB_STDOUT_PORT);
	err = open_rw(GUEST_JOB_STDERR_PORT);
	in->status_fd = open_rw(GUEST_JOB_STATUS_PORT);
	if (err >= 0)
		in->err_fd = (int)err;
	if (in->out_fd < 0 || err < 0 || in->status_fd < 0)
		say(in, "lkvm's console ports hvc0-hvc2 are missing", 0, 0,
		    " (the guest kernel lacks VIRTIO_CONSOLE?)");
	err = guest_job_parse(in->job_buf, (unsigned long)len, job, &bad);
	if (err) {
		say(in, "bad job: ", guest_job_strerror((int)err),
		    bad ? ": " : "", bad);
		return 125;
	}
	if (job->hostname) {
		err = sys3(__NR_sethostname, (long)job->hostname,
			   (long)str_len(job->hostname), 0);
		if (err)
			say(in, "cannot set the host name: ",
			    err_text(err, num), 0, 0);
	}
	tty_raw(in->status_fd, 0);
	if (job->tty) {
		tty_raw(in->err_fd, 1);
	} else {
		tty_raw(in->out_fd, 0);
		tty_raw(in->err_fd, 0);
		in->in_fd = open_rw(GUEST_JOB_STDIN_PORT);
		if (in->in_fd < 0)
			say(in, "lkvm's console port hvc3 is missing: the command reads /dev/null",
			    0, 0, 0);
		tty_raw(in->in_fd, 0);
	}
	if (sandbox_root(in))
		return 125;
	if (!kernel_has_xsave(in, "/proc/cpuinfo") &&
	    !env_get(job->envp, "GLIBC_TUNABLES"))
		job->envp[job->nr_env++] = NO_AVX_TUNABLES;
	job->envp[job->nr_env] = 0;

	relay = job->tty ? 0 : start_stdin_relay(in);
	pid = sys3(__NR_fork, 0, 0, 0);
	if (pid == 0)
		sys3(__NR_exit_group, sandbox_child(in), 0, 0);
	if (in->stdin_fd >= 0)
		sys3(__NR_close, in->stdin_fd, 0, 0);
	if (pid < 0) {
		say(in, "cannot fork: ", err_text(pid, num), 0, 0);
		st = 125 << 8;
	} else {
		st = wait_for(pid);
	}
	/* Input the command left unread goes nowhere. */
	if (relay > 0)
		sys3(__NR_kill, relay, SIGKILL, 0);
	return status_of(st);
}

/* The status to lkvm, after everything written before it is out. */
static void sandbox_report(struct init *in, int status)
{
	char num[32], line[48] = "status=";
	unsigned long i, n = 7;

	sys3(__NR_ioctl, in->out_fd, TCSBRK, 1);
	sys3(__NR_ioctl, in->err_fd, TCSBRK, 1);
	fmt_long(num, status);
	for (i = 0; num[i]; i++)
		line[n++] = num[i];
	line[n++] = '\n';
	line[n] = 0;
	put_fd(in->status_fd, line);
	sys3(__NR_ioctl, in->status_fd, TCSBRK, 1);
}

/*
 * The kernel command line's words after "--" (Linux hands init its
 * unknown words too, such as noxsave, so argv cannot tell them apart):
 * split at blanks, double quotes grouping, into in->args. Returns how
 * many.
 */
static unsigned int init_args(struct init *in)
{
	char *p = in->cmdline, *w;
	unsigned int n = 0;
	long len;
	int quoted;

	len = read_file("/proc/cmdline", in->cmdline, sizeof(in->cmdline) - 1);
	if (len <= 0)
		return 0;
	in->cmdline[len] = 0;
	for (;;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			return 0;
		if (p[0] == '-' && p[1] == '-' &&
		    (!p[2] || p[2] == ' ' || p[2] == '\n'))
			break;
		for (quoted = 0; *p && (quoted || (*p != ' ' && *p != '\n'));
		     p++)
			if (*p == '"')
				quoted = !quoted;
	}
	p += 2;
	while (n < MAX_INIT_ARGS) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		in->args[n++] = w = p;
		for (quoted = 0; *p && (quoted || (*p != ' ' && *p != '\n'));
		     p++) {
			if (*p == '"')
				quoted = !quoted;
			else
				*w++ = *p;
		}
		if (*p)
			p++;
		*w = 0;
	}
	in->args[n] = 0;
	return n;
}

/* A setup root: the host at /host, then init's arguments or a shell. */
static int setup_root(struct init *in)
{
	static const char *const shell[] = { "/bin/sh", "-l", 0 };
	const char *const *run;
	char tty[64] = "/dev/console", *p;
	const char **env = in->setup_env;
	long pid, fd, n;
	int st;

	do_mount(in, "proc", "/proc", "proc", 0, 0, "PROC_FS", 0);
	do_mount(in, "sysfs", "/sys", "sysfs", 0, 0, "SYSFS", 0);
	do_mount(in, "devtmpfs", "/dev", "devtmpfs", 0, 0, "DEVTMPFS", 0);
	do_mount(in, "tmpfs", "/tmp", "tmpfs", 0, "mode=1777", "TMPFS", 0);
	do_mount(in, "tmpfs", "/run", "tmpfs", 0, "mode=0755", "TMPFS", 0);
	do_mount(in, "hostfs", "/host", "9p", MS_RDONLY,
		 P9_OPTS ",cache=loose", "9P_FS and NET_9P_VIRTIO",
		 "no 9p share 'hostfs' from lkvm");
	run = init_args(in) ? in->args : shell;
	*env++ = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	*env++ = "HOME=/root";
	*env++ = "TERM=linux";
	if (!kernel_has_xsave(in, "/proc/cpuinfo"))
		*env++ = NO_AVX_TUNABLES;
	*env = 0;
	/* The console's real tty, which can be a controlling terminal. */
	n = read_file("/sys/class/tty/console/active", tty + 5,
		      sizeof(tty) - 6);
	if (n > 0) {
		tty[5 + n] = 0;
		for (p = tty + 5; *p && *p != ' ' && *p != '\n'; p++)
			;
		*p = 0;
		/* The last console listed is /dev/console's. */
	}
	say(in, "running ", run[0], 0, 0);
	pid = sys3(__NR_fork, 0, 0, 0);
	if (pid == 0) {
		unsigned long none = 0;

		sys6(__NR_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8, 0, 0);
		sys3(__NR_setsid, 0, 0, 0);
		fd = sys3(__NR_open, (long)tty, O_RDWR, 0);
		if (fd >= 0) {
			sys3(__NR_ioctl, fd, TIOCSCTTY, 0);
			sys3(__NR_dup2, fd, 0, 0);
			sys3(__NR_dup2, fd, 1, 0);
			sys3(__NR_dup2, fd, 2, 0);
		}
		sys3(__NR_exit_group, exec_path(in, run, in->setup_env), 0, 0);
	}
	if (pid < 0)
		return 125;
	st = wait_for(pid);
	return status_of(st);
}

int main(long argc, char **argv, char **envp)
{
	static struct init in;
	unsigned long set = (1UL << (SIGCHLD - 1)) | (1UL << (SIGINT - 1)) |
			    (1UL << (SIGTERM - 1)) | (1UL << (SIGUSR1 - 1)) |
			    (1UL << (SIGUSR2 - 1));
	char num[32];
	long len;
	int status;

	(void)argc;
	(void)argv;
	(void)envp;
	/* Ctrl-Alt-Del and the like must not kill PID 1 midway. */
	sys6(__NR_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8, 0, 0);
	in.err_fd = 2;
	in.out_fd = in.status_fd = in.stdin_fd = in.in_fd = -1;
	len = read_file(GUEST_JOB_PATH, in.job_buf, sizeof(in.job_buf));
	if (len >= 0) {
		status = sandbox(&in, len);
		sandbox_report(&in, status);
	} else {
		status = setup_root(&in);
		say(&in, in.args[0] ? in.args[0] : "the shell",
		    " exited with status ", fmt_long(num, status), 0);
	}
	finish(&in);
	return 0;
}
