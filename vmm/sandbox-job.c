// SPDX-License-Identifier: GPL-2.0
/* The sandbox's job file and initramfs; see include/sandbox-job.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest-job.h"
#include "sandbox-job.h"
#include "types.h"

extern const char lkvm_guest_init[], lkvm_guest_init_end[];

const void *guest_init_image(size_t *len)
{
	*len = (size_t)(lkvm_guest_init_end - lkvm_guest_init);
	return lkvm_guest_init;
}

/* The user's variables the command gets, when set. */
static const char *const passed_env[] = {
	"PATH", "TERM", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL",
};

/* NAME=VALUE's NAME is name. */
static bool env_is(const char *entry, const char *name, size_t len)
{
	return !strncmp(entry, name, len) && entry[len] == '=';
}

/* Is NAME (of NAME=VALUE) also in env[from..n)? */
static bool env_later(const char *const *env, unsigned int from,
		      unsigned int n, const char *entry)
{
	size_t len = strcspn(entry, "=");

	for (; from < n; from++)
		if (env_is(env[from], entry, len))
			return true;
	return false;
}

const char **sandbox_job_env(char *const *host_env, const char *const *given,
			     unsigned int nr)
{
	unsigned int i, n = 0;
	const char **envp;

	envp = calloc(ARRAY_SIZE(passed_env) + nr + 1, sizeof(*envp));
	if (!envp)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(passed_env); i++) {
		const char *const *e;
		size_t len = strlen(passed_env[i]);

		for (e = (const char *const *)host_env; e && *e; e++)
			if (env_is(*e, passed_env[i], len)) {
				if (!env_later(given, 0, nr, *e))
					envp[n++] = *e;
				break;
			}
	}
	for (i = 0; i < nr; i++)
		if (!env_later(given, i + 1, nr, given[i]))
			envp[n++] = given[i];
	envp[n] = NULL;
	return envp;
}

static int job_fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -EINVAL;
}

int sandbox_job_encode(const struct sandbox_job *job, char **out,
		       size_t *len, char *err, size_t errlen)
{
	unsigned int i;
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	*out = NULL;
	*len = 0;
	if (!job->cwd || job->cwd[0] != '/')
		return job_fail(err, errlen, "the working directory is not absolute");
	if (job->hostname && (!*job->hostname ||
			      strlen(job->hostname) > GUEST_JOB_HOSTNAME_MAX))
		return job_fail(err, errlen, "the host name is not 1 to 64 bytes");
	if (!job->argv || !job->argv[0])
		return job_fail(err, errlen, "no command");
	for (i = 0; job->argv[i]; i++)
		if (i >= GUEST_JOB_MAX_ARGS)
			return job_fail(err, errlen,
					"too many arguments for the guest init (at most 256)");
	for (i = 0; job->envp && job->envp[i]; i++)
		if (i >= GUEST_JOB_MAX_ENV || !strchr(job->envp[i], '=') ||
		    job->envp[i][0] == '=')
			return job_fail(err, errlen,
					"too many or bad environment variables for the guest init");
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "%s%cuid=%lu%cgid=%lu%ctty=%d%ccwd=%s%croot=%s%c",
		GUEST_JOB_MAGIC, 0, job->uid, 0, job->gid, 0, job->tty ? 1 : 0,
		0, job->cwd, 0, GUEST_JOB_ROOT_TAG, 0);
	if (job->cwd_share)
		fprintf(f, "cwdshare=%s%c", GUEST_JOB_CWD_TAG, 0);
	if (job->hostname)
		fprintf(f, "hostname=%s%c", job->hostname, 0);
	for (i = 0; job->envp && job->envp[i]; i++)
		fprintf(f, "env=%s%c", job->envp[i], 0);
	for (i = 0; job->argv[i]; i++)
		fprintf(f, "arg=%s%c", job->argv[i], 0);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	if (size > GUEST_JOB_MAX_BYTES) {
		free(buf);
		return job_fail(err, errlen,
				"the command and environment are too long for the guest init (128 KiB)");
	}
	*out = buf;
	*len = size;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One newc entry: header, name, data, each padded to 4 bytes. */
static int cpio_entry(int fd, unsigned int ino, unsigned int mode,
		      unsigned int rdev_major, unsigned int rdev_minor,
		      const char *name, const void *data, size_t len)
{
	static const char zeros[4];
	char hdr[111];
	size_t nlen = strlen(name) + 1;
	int err;

	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, mode, 0, 0, 1, 0, (unsigned int)len, 0, 0, rdev_major,
		 rdev_minor, (unsigned int)nlen, 0);
	err = write_all(fd, hdr, 110);
	if (!err)
		err = write_all(fd, name, nlen);
	if (!err)
		err = write_all(fd, zeros, (4 - (110 + nlen) % 4) % 4);
	if (!err && len)
		err = write_all(fd, data, len);
	if (!err)
		err = write_all(fd, zeros, (4 - len % 4) % 4);
	return err;
}

int sandbox_initramfs_write(int fd, const void *init, size_t init_len,
			    const char *job, size_t job_len)
{
	int err;

	err = cpio_entry(fd, 1, 0040755, 0, 0, "dev", NULL, 0);
	if (!err)
		err = cpio_entry(fd, 2, 0020600, 5, 1, "dev/console", NULL, 0);
	if (!err)
		err = cpio_entry(fd, 3, 0040755, 0, 0, "lkvm", NULL, 0);
	if (!err)
		err = cpio_entry(fd, 4, 0100400, 0, 0, &GUEST_JOB_PATH[1], job,
				 job_len);
	if (!err)
		err = cpio_entry(fd, 5, 0100755, 0, 0, "init", init, init_len);
	if (!err)
		err = cpio_entry(fd, 0, 0, 0, 0, "TRAILER!!!", NULL, 0);
	return err;
}
