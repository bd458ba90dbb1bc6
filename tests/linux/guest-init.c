// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the lkvm test initramfs: a static x86_64 program without libc.
 * It says hello on the console, mounts /proc and prints the kernel command
 * line, then restarts the machine, which ends `lkvm run`.
 *
 * Guest user space cannot run on kvm_pvm hosts (HOST-NOTES.md): there the
 * kernel dies at init's first system call. On VMX/SVM hosts the boot tests
 * look for the "lkvm-init:" lines.
 */

#define SYS_write	1
#define SYS_open	2
#define SYS_read	0
#define SYS_close	3
#define SYS_mkdir	83
#define SYS_sync	162
#define SYS_mount	165
#define SYS_reboot	169
#define SYS_exit	60

#define O_RDONLY	0
#define REBOOT_MAGIC1	0xfee1deadL
#define REBOOT_MAGIC2	672274793L
#define REBOOT_RESTART	0x01234567L

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a), "S" (b), "d" (c)
		      : "rcx", "r11", "memory");
	return ret;
}

static long sys5(long nr, long a, long b, long c, long d, long e)
{
	register long r10 asm("r10") = d;
	register long r8 asm("r8") = e;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a), "S" (b), "d" (c), "r" (r10), "r" (r8)
		      : "rcx", "r11", "memory");
	return ret;
}

static unsigned long len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys3(SYS_write, 1, (long)s, (long)len(s));
}

static void print_cmdline(void)
{
	static char buf[4096];
	long fd, n;

	sys3(SYS_mkdir, (long)"/proc", 0555, 0);
	if (sys5(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0) < 0)
		return;
	fd = sys3(SYS_open, (long)"/proc/cmdline", O_RDONLY, 0);
	if (fd < 0)
		return;
	n = sys3(SYS_read, fd, (long)buf, sizeof(buf) - 1);
	sys3(SYS_close, fd, 0, 0);
	if (n <= 0)
		return;
	buf[n] = 0;
	say("lkvm-init: cmdline: ");
	say(buf);
}

void _start(void)
{
	say("lkvm-init: hello from /init\n");
	print_cmdline();
	say("lkvm-init: restarting\n");
	sys3(SYS_sync, 0, 0, 0);
	sys5(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_RESTART, 0, 0);
	sys3(SYS_exit, 1, 0, 0);
	for (;;)
		;
}
