/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lkvm sandbox's side of the guest init's job (include/guest-job.h): the
 * job file and the initramfs that carries it with the init
 * (vmm/sandbox-job.c).
 */
#ifndef LKVM_SANDBOX_JOB_H
#define LKVM_SANDBOX_JOB_H

#include <stdbool.h>
#include <stddef.h>

/* What the guest init is to do; the strings are the caller's. */
struct sandbox_job {
	unsigned long uid, gid;
	bool tty;
	const char *cwd;		/* absolute */
	const char *hostname;		/* the VM's name; NULL: none */
	bool cwd_share;			/* mount GUEST_JOB_CWD_TAG at cwd */
	const char *const *argv;	/* NULL-terminated, at least one */
	const char *const *envp;	/* NULL-terminated NAME=VALUE */
};

/*
 * The command's environment: the user's PATH, TERM, HOME, USER, LOGNAME,
 * LANG and LC_ALL that host_env has, then given[0..nr) ("NAME=VALUE",
 * --env's) in order, each name once: a later one replaces an earlier one
 * or the user's. NULL-ended, pointing into host_env and given; free() the
 * array. NULL when out of memory.
 */
const char **sandbox_job_env(char *const *host_env, const char *const *given,
			     unsigned int nr);

/*
 * The job file: malloc()ed bytes in *out, their count in *len. -EINVAL
 * with a reason in err (too many arguments, too long, a relative cwd),
 * -ENOMEM.
 */
int sandbox_job_encode(const struct sandbox_job *job, char **out,
		       size_t *len, char *err, size_t errlen);

/*
 * The initramfs (newc cpio, uncompressed) with /init (init_len bytes of
 * the guest init), GUEST_JOB_PATH and /dev/console, written to fd.
 * Returns 0 or -errno.
 */
int sandbox_initramfs_write(int fd, const void *init, size_t init_len,
			    const char *job, size_t job_len);

/* lkvm's embedded guest init (vmm/guest-init-blob.c); 0 bytes: none. */
const void *guest_init_image(size_t *len);

#endif
