// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/sandbox-job.c and the guest init's parser (vmm/guest-init/job.c):
 * what lkvm writes, the init reads back the same; what lkvm never writes,
 * the init refuses; the initramfs is a newc archive with the init.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest-job.h"
#include "sandbox-job.h"
#include "tap.h"

#include "../../vmm/guest-init/job.c"

static struct guest_job job;

static int parse(const char *buf, size_t len, const char **bad)
{
	return guest_job_parse(buf, len, &job, bad);
}

static void test_round_trip(void)
{
	static const char *const argv[] = {
		"sh", "-c", "echo 'a b'; exit 7", "", "x=y", NULL
	};
	static const char *const envp[] = {
		"PATH=/usr/bin:/bin", "HOME=/home/u", "TERM=dumb", NULL
	};
	struct sandbox_job in = {
		.uid = 1000, .gid = 100, .tty = false, .cwd = "/home/u/src",
		.cwd_share = true, .argv = argv, .envp = envp,
		.hostname = "build-7",
	};
	const char *bad;
	char *buf, err[256];
	size_t len;
	int i, same = 1;

	ok(sandbox_job_encode(&in, &buf, &len, err, sizeof(err)) == 0,
	   "a job encodes");
	ok(parse(buf, len, &bad) == 0, "the guest init parses it");
	ok(job.uid == 1000 && job.gid == 100 && !job.tty,
	   "uid, gid and tty read back");
	ok(!strcmp(job.cwd, "/home/u/src") &&
	   !strcmp(job.root_tag, GUEST_JOB_ROOT_TAG) &&
	   job.cwd_tag && !strcmp(job.cwd_tag, GUEST_JOB_CWD_TAG),
	   "cwd and the shares' tags read back");
	ok(job.hostname && !strcmp(job.hostname, "build-7"),
	   "the host name reads back");
	for (i = 0; argv[i]; i++)
		same &= job.argv[i] && !strcmp(job.argv[i], argv[i]);
	ok(same && job.nr_args == 5 && !job.argv[5],
	   "arguments with blanks, quotes, '=' and an empty one, in order");
	ok(job.nr_env == 3 && !strcmp(job.envp[1], "HOME=/home/u") &&
	   !job.envp[3], "the environment, in order");
	free(buf);

	in.cwd_share = false;
	in.tty = true;
	in.envp = NULL;
	in.hostname = NULL;
	ok(!sandbox_job_encode(&in, &buf, &len, err, sizeof(err)) &&
	   !parse(buf, len, &bad) && job.tty && !job.cwd_tag && !job.nr_env &&
	   !job.hostname,
	   "a terminal job without a cwd share, environment or host name");
	free(buf);
}

/* A job whose last record is a host name of n bytes. */
static int parse_hostname(size_t n, const char **bad)
{
	static const char head[] =
		"lkvm-job=1\0uid=0\0gid=0\0cwd=/\0root=r\0arg=x\0hostname=";
	static char buf[sizeof(head) + 2 * GUEST_JOB_HOSTNAME_MAX];

	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'h', n);
	buf[sizeof(head) - 1 + n] = 0;
	return parse(buf, sizeof(head) + n, bad);
}

static void test_refusals(void)
{
	static const char *const many[GUEST_JOB_MAX_ARGS + 2] = { "x" };
	static const char *const argv[] = { "true", NULL };
	struct sandbox_job in = { .cwd = "rel", .argv = argv };
	const char *bad, *margs[GUEST_JOB_MAX_ARGS + 2];
	char *buf, err[256];
	size_t len;
	int i;

	ok(sandbox_job_encode(&in, &buf, &len, err, sizeof(err)) == -EINVAL,
	   "lkvm refuses a relative cwd: %s", err);
	in.cwd = "/";
	for (i = 0; i <= GUEST_JOB_MAX_ARGS; i++)
		margs[i] = many[0];
	margs[GUEST_JOB_MAX_ARGS + 1] = NULL;
	in.argv = margs;
	ok(sandbox_job_encode(&in, &buf, &len, err, sizeof(err)) == -EINVAL,
	   "lkvm refuses 257 arguments: %s", err);
	in.argv = argv;
	in.hostname = "";
	ok(sandbox_job_encode(&in, &buf, &len, err, sizeof(err)) == -EINVAL,
	   "lkvm refuses an empty host name: %s", err);

	ok(parse("lkvm-job=2\0uid=0\0gid=0\0cwd=/\0root=r\0arg=x", sizeof("lkvm-job=2\0uid=0\0gid=0\0cwd=/\0root=r\0arg=x"), &bad) ==
	   -GUEST_JOB_EFORMAT, "the init refuses another job version");
	ok(parse("lkvm-job=1\0uid=0", 16, &bad) == -GUEST_JOB_EFORMAT,
	   "... a job cut short (no final NUL)");
	ok(parse("lkvm-job=1\0uid=0\0gid=0\0cwd=/\0root=r\0arg=x\0evil=1", sizeof("lkvm-job=1\0uid=0\0gid=0\0cwd=/\0root=r\0arg=x\0evil=1"),
		 &bad) == -GUEST_JOB_EKEY && bad && !strcmp(bad, "evil=1"),
	   "... an unknown record, named");
	ok(parse("lkvm-job=1\0uid=-1\0gid=0\0cwd=/\0root=r\0arg=x", sizeof("lkvm-job=1\0uid=-1\0gid=0\0cwd=/\0root=r\0arg=x"), &bad) ==
	   -GUEST_JOB_EVALUE, "... a negative uid");
	ok(parse("lkvm-job=1\0uid=4294967295\0gid=0\0cwd=/\0root=r\0arg=x", sizeof("lkvm-job=1\0uid=4294967295\0gid=0\0cwd=/\0root=r\0arg=x"),
		 &bad) == -GUEST_JOB_EVALUE, "... uid (uid_t)-1");
	ok(parse("lkvm-job=1\0uid=99999999999\0gid=0\0cwd=/\0root=r\0arg=x", sizeof("lkvm-job=1\0uid=99999999999\0gid=0\0cwd=/\0root=r\0arg=x"),
		 &bad) == -GUEST_JOB_EVALUE, "... a uid past 32 bits");
	ok(parse("lkvm-job=1\0uid=0\0gid=0\0cwd=rel\0root=r\0arg=x", sizeof("lkvm-job=1\0uid=0\0gid=0\0cwd=rel\0root=r\0arg=x"), &bad) ==
	   -GUEST_JOB_EVALUE, "... a relative cwd");
	ok(parse("lkvm-job=1\0uid=0\0gid=0\0cwd=/\0root=r", sizeof("lkvm-job=1\0uid=0\0gid=0\0cwd=/\0root=r"), &bad) ==
	   -GUEST_JOB_EMISSING, "... no command");
	ok(parse("lkvm-job=1\0gid=0\0cwd=/\0root=r\0arg=x", sizeof("lkvm-job=1\0gid=0\0cwd=/\0root=r\0arg=x"), &bad) ==
	   -GUEST_JOB_EMISSING, "... no uid");
	ok(parse("lkvm-job=1\0uid=0\0gid=0\0cwd=/\0root=r\0env==x\0arg=x", sizeof("lkvm-job=1\0uid=0\0gid=0\0cwd=/\0root=r\0env==x\0arg=x"),
		 &bad) == -GUEST_JOB_EVALUE, "... an environment entry without a name");
	ok(parse("lkvm-job=1\0uid=0\0gid=0\0cwd=/\0root=r\0hostname=\0arg=x", sizeof("lkvm-job=1\0uid=0\0gid=0\0cwd=/\0root=r\0hostname=\0arg=x"),
		 &bad) == -GUEST_JOB_EVALUE, "... an empty host name");
	ok(parse_hostname(GUEST_JOB_HOSTNAME_MAX + 1, &bad) == -GUEST_JOB_EVALUE,
	   "... a 65-byte host name");
	ok(parse_hostname(GUEST_JOB_HOSTNAME_MAX, &bad) == 0 &&
	   strlen(job.hostname) == GUEST_JOB_HOSTNAME_MAX,
	   "... but takes one of 64");
}

/* A newc entry's name at off, its data's offset and size; next entry. */
static size_t cpio_next(const char *a, size_t off, const char **name,
			size_t *data, size_t *size)
{
	char field[9] = { 0 };
	size_t nlen;

	memcpy(field, a + off + 54, 8);
	*size = strtoul(field, NULL, 16);
	memcpy(field, a + off + 94, 8);
	nlen = strtoul(field, NULL, 16);
	*name = a + off + 110;
	*data = (off + 110 + nlen + 3) & ~(size_t)3;
	return (*data + *size + 3) & ~(size_t)3;
}

static void test_initramfs(void)
{
	static const char *const argv[] = { "true", NULL };
	struct sandbox_job in = { .cwd = "/", .argv = argv };
	size_t init_len, len, off = 0, data, size;
	const void *init = guest_init_image(&init_len);
	const char *name, *a;
	int fd = memfd_create("t", 0), found_init = 0, found_job = 0;
	char *buf, err[256];

	ok(init_len > 1024 && !memcmp(init, "\177ELF", 4),
	   "lkvm carries its guest init (%zu bytes of ELF)", init_len);
	if (fd < 0 || sandbox_job_encode(&in, &buf, &len, err, sizeof(err)) ||
	    sandbox_initramfs_write(fd, init, init_len, buf, len)) {
		ok(0, "the initramfs is written");
		return;
	}
	size = (size_t)lseek(fd, 0, SEEK_END);
	a = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	ok(a != MAP_FAILED && size % 4 == 0 && !memcmp(a, "070701", 6),
	   "the initramfs is a newc archive (%zu bytes)", size);
	while (a != MAP_FAILED && off + 110 <= size &&
	       !memcmp(a + off, "070701", 6)) {
		size_t next = cpio_next(a, off, &name, &data, &size);

		if (!strcmp(name, "init"))
			found_init = size == init_len &&
				     !memcmp(a + data, init, init_len);
		if (!strcmp(name, "lkvm/job"))
			found_job = size == len && !memcmp(a + data, buf, len);
		if (!strcmp(name, "TRAILER!!!"))
			break;
		size = (size_t)lseek(fd, 0, SEEK_END);
		off = next;
	}
	ok(found_init, "/init in it is the guest init");
	ok(found_job, "/lkvm/job in it is the job");
	free(buf);
	close(fd);
}

/* Feed s to the relay's parser one byte at a time: 1 and *n at an end. */
static int eof_bytes(struct guest_eof_parser *p, const char *s,
		     unsigned long long *n)
{
	int got = 0;

	for (; *s; s++)
		got |= guest_eof_feed(p, s, 1, n);
	return got;
}

/* The relay's reading of lkvm's "eof=N" (vmm/guest-init/job.c). */
static void test_eof_line(void)
{
	struct guest_eof_parser p = { 0 };
	unsigned long long n = 77;
	char big[64];

	ok(guest_eof_feed(&p, "eof=0\n", 6, &n) == 1 && n == 0, "eof=0");
	ok(eof_bytes(&p, "eof=123456\n", &n) == 1 && n == 123456,
	   "eof=123456 a byte at a time");
	ok(guest_eof_feed(&p, "eof=18446744073709551615\n", 25, &n) == 1 &&
	   n == ~0ULL, "the largest 64-bit count");
	n = 5;
	ok(!guest_eof_feed(&p, "eof=18446744073709551616\n", 25, &n) &&
	   n == 5, "one more is refused");
	ok(eof_bytes(&p, "eof=\neof=1x\nxeof=1\neof=-1\nstatus=0\n", &n) ==
	   0 && n == 5, "garbage lines are ignored");
	memset(big, '1', sizeof(big));
	memcpy(big, "eof=", 4);
	ok(!guest_eof_feed(&p, big, sizeof(big), &n) &&
	   !guest_eof_feed(&p, "\n", 1, &n) && n == 5,
	   "an overlong line is ignored");
	ok(guest_eof_feed(&p, "eof=9", 5, &n) == 0 &&
	   guest_eof_feed(&p, "\neof=", 5, &n) == 1 && n == 9 &&
	   guest_eof_feed(&p, "10\n", 3, &n) == 1 && n == 10,
	   "the next line is read, split anywhere");
}

/* The command's environment: the user's few, then --env's, once each. */
static void test_env(void)
{
	static char *const host[] = {
		"PATH=/bin", "SECRET=x", "HOME=/home/u", "TERM=xterm",
		"LANGUAGE=de", NULL,
	};
	static const char *const given[] = { "A=1", "HOME=/tmp", "A=2", "B=", NULL };
	const char **e;
	int n = 0;

	e = sandbox_job_env(host, given, 4);
	while (e && e[n])
		n++;
	ok(e && n == 5 && !strcmp(e[0], "PATH=/bin") &&
	   !strcmp(e[1], "TERM=xterm") && !strcmp(e[2], "HOME=/tmp") &&
	   !strcmp(e[3], "A=2") && !strcmp(e[4], "B="),
	   "PATH and TERM from lkvm, not SECRET or LANGUAGE; --env's HOME and the last A win (%d)",
	   n);
	free(e);
	e = sandbox_job_env(NULL, NULL, 0);
	ok(e && !e[0], "no environment at all: an empty list");
	free(e);
}

int main(void)
{
	test_eof_line();
	test_env();
	test_round_trip();
	test_refusals();
	test_initramfs();
	return tap_done();
}
