// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox job's parser (include/guest-job.h): compiled into the
 * freestanding guest init and into lkvm's unit tests, so no libc.
 */
#include "guest-job.h"

static int job_starts(const char *s, const char *prefix, const char **rest)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	*rest = s;
	return 1;
}

static int job_number(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -GUEST_JOB_EVALUE;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 0xffffffffUL / 10)
			return -GUEST_JOB_EVALUE;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > 0xfffffffeUL)	/* (uid_t)-1 means "unchanged" */
		return -GUEST_JOB_EVALUE;
	*out = v;
	return 0;
}

static int job_record(const char *r, struct guest_job *job)
{
	const char *v;

	if (job_starts(r, "uid=", &v))
		return job_number(v, &job->uid);
	if (job_starts(r, "gid=", &v))
		return job_number(v, &job->gid);
	if (job_starts(r, "tty=", &v)) {
		if ((v[0] != '0' && v[0] != '1') || v[1])
			return -GUEST_JOB_EVALUE;
		job->tty = v[0] == '1';
		return 0;
	}
	if (job_starts(r, "cwd=", &v)) {
		if (v[0] != '/')
			return -GUEST_JOB_EVALUE;
		job->cwd = v;
		return 0;
	}
	if (job_starts(r, "root=", &v)) {
		if (!*v)
			return -GUEST_JOB_EVALUE;
		job->root_tag = v;
		return 0;
	}
	if (job_starts(r, "cwdshare=", &v)) {
		if (!*v)
			return -GUEST_JOB_EVALUE;
		job->cwd_tag = v;
		return 0;
	}
	if (job_starts(r, "hostname=", &v)) {
		unsigned long n = 0;

		while (v[n] && n <= GUEST_JOB_HOSTNAME_MAX)
			n++;
		if (!n || n > GUEST_JOB_HOSTNAME_MAX)
			return -GUEST_JOB_EVALUE;
		job->hostname = v;
		return 0;
	}
	if (job_starts(r, "env=", &v)) {
		if (v[0] == '=' || !*v)
			return -GUEST_JOB_EVALUE;
		if (job->nr_env >= GUEST_JOB_MAX_ENV)
			return -GUEST_JOB_ETOOMANY;
		job->envp[job->nr_env++] = v;
		return 0;
	}
	if (job_starts(r, "arg=", &v)) {
		if (job->nr_args >= GUEST_JOB_MAX_ARGS)
			return -GUEST_JOB_ETOOMANY;
		job->argv[job->nr_args++] = v;
		return 0;
	}
	return -GUEST_JOB_EKEY;
}

int guest_job_parse(const char *buf, unsigned long len, struct guest_job *job,
		    const char **bad)
{
	unsigned long i = 0, start;
	int have_uid = 0, have_gid = 0, err;
	const char *v;

	*bad = 0;
	job->uid = job->gid = 0;
	job->tty = 0;
	job->cwd = job->root_tag = job->cwd_tag = job->hostname = 0;
	job->nr_args = job->nr_env = 0;
	if (!len || len > GUEST_JOB_MAX_BYTES || buf[len - 1])
		return -GUEST_JOB_EFORMAT;
	if (!job_starts(buf, GUEST_JOB_MAGIC, &v) || *v)
		return -GUEST_JOB_EFORMAT;
	i = sizeof(GUEST_JOB_MAGIC);
	while (i < len) {
		start = i;
		while (buf[i])
			i++;
		i++;
		err = job_record(buf + start, job);
		if (err) {
			*bad = buf + start;
			return err;
		}
		have_uid |= buf[start] == 'u';
		have_gid |= buf[start] == 'g';
	}
	job->argv[job->nr_args] = 0;
	job->envp[job->nr_env] = 0;
	if (!have_uid || !have_gid || !job->cwd || !job->root_tag ||
	    !job->nr_args)
		return -GUEST_JOB_EMISSING;
	return 0;
}

const char *guest_job_strerror(int err)
{
	switch (-err) {
	case GUEST_JOB_EFORMAT:
		return "not a job file of this lkvm";
	case GUEST_JOB_EKEY:
		return "unknown record";
	case GUEST_JOB_EVALUE:
		return "invalid value";
	case GUEST_JOB_ETOOMANY:
		return "too many arguments or environment variables";
	case GUEST_JOB_EMISSING:
		return "uid, gid, cwd, root or the command missing";
	}
	return "unknown error";
}

/* "eof=N" (len bytes at s): N, at most 20 digits and 64 bits, in *count. */
static int eof_line(const char *s, unsigned int len, unsigned long long *count)
{
	unsigned int i, klen = sizeof(GUEST_JOB_STDIN_EOF) - 1;
	unsigned long long v = 0;

	if (len <= klen || len > klen + 20)
		return 0;
	for (i = 0; i < klen; i++)
		if (s[i] != GUEST_JOB_STDIN_EOF[i])
			return 0;
	for (; i < len; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (d > 9 || v > (~0ULL - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*count = v;
	return 1;
}

int guest_eof_feed(struct guest_eof_parser *p, const char *buf,
		   unsigned long len, unsigned long long *count)
{
	unsigned long i;
	int got = 0;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			if (p->len < sizeof(p->line))
				p->line[p->len++] = buf[i];
			else
				p->overlong = 1;
			continue;
		}
		if (!p->overlong && eof_line(p->line, p->len, count))
			got = 1;
		p->len = 0;
		p->overlong = 0;
	}
	return got;
}
