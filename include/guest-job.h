/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `lkvm sandbox` asks lkvm's guest init (vmm/guest-init/) to do: the
 * file GUEST_JOB_PATH in the initramfs lkvm builds for the guest. It is a
 * list of records "key=value", each ending in a NUL byte, the first
 * GUEST_JOB_MAGIC:
 *
 *	uid=N, gid=N	whom the command runs as (decimal)
 *	cwd=PATH	its working directory (absolute)
 *	tty=0|1		1: a terminal session on hvc0 (stdin, stdout and
 *			stderr); 0: stdout on hvc0, stderr on hvc1, both
 *			raw, stdin from hvc3 through the init's relay
 *			(below)
 *	root=TAG	the 9p share that is the read-only lower layer of /
 *	cwdshare=TAG	the 9p share mounted writable at cwd (optional)
 *	hostname=NAME	the guest's host name, the VM's name (optional,
 *			1 to GUEST_JOB_HOSTNAME_MAX bytes)
 *	env=NAME=VALUE	the command's environment, in order (repeatable)
 *	arg=ARG		the command and its arguments, in order (at least one)
 *
 * This header and vmm/guest-init/job.c are used by lkvm (which writes the
 * job) and by the freestanding guest init (which reads it): no libc here.
 */
#ifndef LKVM_GUEST_JOB_H
#define LKVM_GUEST_JOB_H

#define GUEST_JOB_PATH		"/lkvm/job"
#define GUEST_JOB_MAGIC		"lkvm-job=1"
#define GUEST_JOB_MAX_BYTES	(128 * 1024)
#define GUEST_JOB_MAX_ARGS	256
#define GUEST_JOB_MAX_ENV	128
#define GUEST_JOB_HOSTNAME_MAX	64	/* Linux's HOST_NAME_MAX */

/* The guest's console ports, in the order lkvm makes them. */
#define GUEST_JOB_STDOUT_PORT	"/dev/hvc0"
#define GUEST_JOB_STDERR_PORT	"/dev/hvc1"
#define GUEST_JOB_STATUS_PORT	"/dev/hvc2"
#define GUEST_JOB_STDIN_PORT	"/dev/hvc3"	/* tty=0 only */

/*
 * The command's stdin when tty=0: a pipe, which a child of the init fills
 * with what it reads from hvc3, a port only the init opens (the command's
 * settings for its stdout, hvc0, cannot change or drop a byte of it).
 * Once hvc3 is raw and read, that relay writes the line
 * GUEST_JOB_STDIN_READY ("\n" after it) on hvc2, and lkvm sends nothing
 * on hvc3 before it: no byte meets the line discipline's echo. When
 * lkvm's input is over and every byte of it is in hvc3's receive queue,
 * lkvm writes "eof=N\n" on hvc2, N the bytes it sent (decimal); the
 * relay closes the pipe once it has passed N bytes on, and the command
 * reads the end of its input.
 */
#define GUEST_JOB_STDIN_READY	"stdin=ready"
#define GUEST_JOB_STDIN_EOF	"eof="
#define GUEST_JOB_EOF_LINE_MAX	32	/* "eof=" and 20 digits fit */

struct guest_eof_parser {
	char line[GUEST_JOB_EOF_LINE_MAX];
	unsigned int len;
	int overlong;		/* the line so far did not fit: ignore it */
};

/* The 9p tags of `lkvm sandbox`'s shares. */
#define GUEST_JOB_ROOT_TAG	"lkvm-root"
#define GUEST_JOB_CWD_TAG	"lkvm-cwd"

/* guest_job_parse()'s errors (negative). */
#define GUEST_JOB_EFORMAT	1	/* no magic, or not NUL-terminated */
#define GUEST_JOB_EKEY		2	/* a record lkvm does not write */
#define GUEST_JOB_EVALUE	3	/* a number or path that is not one */
#define GUEST_JOB_ETOOMANY	4	/* too many args or env */
#define GUEST_JOB_EMISSING	5	/* no uid, gid, cwd, root or arg */

struct guest_job {
	unsigned long uid, gid;
	int tty;
	const char *cwd;
	const char *root_tag;
	const char *cwd_tag;		/* NULL: no share at cwd */
	const char *hostname;		/* NULL: the kernel's "(none)" */
	const char *argv[GUEST_JOB_MAX_ARGS + 1];
	unsigned int nr_args;
	/* Room for one more: the init may add GLIBC_TUNABLES. */
	const char *envp[GUEST_JOB_MAX_ENV + 2];
	unsigned int nr_env;
};

/*
 * Parse len bytes at buf (the strings in job point into buf). Returns 0 or
 * -GUEST_JOB_E*; *bad is then the offending record (or NULL).
 */
int guest_job_parse(const char *buf, unsigned long len, struct guest_job *job,
		    const char **bad);

/*
 * Feed bytes the relay read from hvc2. Returns 1 when a line "eof=N"
 * ended among them (*count = N of the last such line), else 0; other
 * lines, and N beyond 64 bits, are ignored.
 */
int guest_eof_feed(struct guest_eof_parser *p, const char *buf,
		   unsigned long len, unsigned long long *count);

/* A short English reason for a -GUEST_JOB_E* value. */
const char *guest_job_strerror(int err);

#endif
