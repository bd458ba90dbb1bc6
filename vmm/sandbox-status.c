// SPDX-License-Identifier: GPL-2.0
/* The sandbox's status port and the status file; see sandbox-status.h. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest-job.h"
#include "log.h"
#include "sandbox-status.h"
#include "vm.h"

/* "status=N" with N 0-255 in decimal, nothing else: N, or -1. */
static int status_line(const char *s, size_t len)
{
	static const char key[] = "status=";
	size_t i, klen = sizeof(key) - 1;
	int v = 0;

	if (len <= klen || len > klen + 3 || memcmp(s, key, klen))
		return -1;
	for (i = klen; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 255 ? v : -1;
}

int guest_status_feed(struct guest_status_parser *p, const u8 *buf,
		      size_t len)
{
	int got = -1, v;
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			if (p->len < sizeof(p->line))
				p->line[p->len++] = (char)buf[i];
			else
				p->overlong = true;
			continue;
		}
		v = p->overlong ? -1 : status_line(p->line, p->len);
		if (v >= 0)
			got = v;
		if (!p->overlong &&
		    p->len == sizeof(GUEST_JOB_STDIN_READY) - 1 &&
		    !memcmp(p->line, GUEST_JOB_STDIN_READY, p->len))
			p->stdin_ready = true;
		p->len = 0;
		p->overlong = false;
	}
	return got;
}

void guest_status_tell(struct guest_status_parser *p, int v)
{
	pr_first_ratelimited(LOG_INFO, &p->told,
			     "the sandbox's command ended with status %d", v);
}

int test_exit_stop_status(bool sandbox, int value)
{
	return sandbox ? LKVM_STATUS_OK : value;
}

const char *lkvm_verdict_name(enum lkvm_verdict v)
{
	switch (v) {
	case VERDICT_COMMAND:
		return "command";
	case VERDICT_GUEST_EXIT:
		return "guest-exit";
	case VERDICT_GUEST_PANIC:
		return "guest-panic";
	case VERDICT_GUEST_LOST:
		return "guest-lost";
	case VERDICT_LKVM_ERROR:
		break;
	}
	return "lkvm-error";
}

enum lkvm_verdict lkvm_verdict_of(bool sandbox, int vm_status,
				  int guest_status, int *exit_status)
{
	if (sandbox && guest_status >= 0) {
		*exit_status = guest_status;
		return VERDICT_COMMAND;
	}
	*exit_status = vm_status;
	if (vm_status == LKVM_STATUS_PANIC)
		return VERDICT_GUEST_PANIC;
	if (vm_status == LKVM_STATUS_ERROR)
		return VERDICT_GUEST_LOST;
	if (!sandbox)
		return VERDICT_GUEST_EXIT;
	/* No command status: lkvm was signalled (128 + N), or 1. */
	if (vm_status < 128)
		*exit_status = LKVM_STATUS_ERROR;
	return VERDICT_GUEST_LOST;
}

/*
 * Where the links from path lead now, into buf: the name that is not a
 * link (or does not exist). 0, -ELOOP past 40 links, -ENAMETOOLONG.
 */
static int status_link_end(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX], *slash;
	struct stat st;
	size_t at;
	ssize_t n;
	int i;

	if (snprintf(buf, len, "%s", path) >= (int)len)
		return -ENAMETOOLONG;
	for (i = 0; i < 40; i++) {
		if (lstat(buf, &st) || !S_ISLNK(st.st_mode))
			return 0;
		n = readlink(buf, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		/* An absolute target replaces it, a relative one its base. */
		slash = target[0] == '/' ? NULL : strrchr(buf, '/');
		at = slash ? (size_t)(slash + 1 - buf) : 0;
		if (at + (size_t)n >= len)
			return -ENAMETOOLONG;
		memcpy(buf + at, target, (size_t)n + 1);
	}
	return -ELOOP;
}

int status_target_init(struct status_target *t, const char *path)
{
	char end[PATH_MAX];
	struct stat st;
	int fd, err;

	*t = (struct status_target){ .path = path, .fd = -1 };
	if (!path)
		return 0;
	if (!stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		/* A pipe, a terminal: opened now, as the shell gave it. */
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			err = -errno;
		else
			t->fd = fd;
		return fd < 0 ? err : 0;
	}
	/*
	 * A link given (or one in the user's directory): the file it leads
	 * to now, named without links; a link the guest plants or
	 * re-points later is not followed.
	 */
	err = status_link_end(path, end, sizeof(end));
	if (!err)
		err = pinned_name_init(&t->name, end);
	if (err)
		t->name.err = err;
	return err;
}

void status_target_release(struct status_target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* The file, opened for the line; -errno. No stdio, no allocation. */
static int status_target_open(const struct status_target *t)
{
	int dfd = pinned_name_dir(&t->name), fd, err = 0;
	struct stat st;

	if (dfd < 0)
		return dfd;
	fd = openat(dfd, t->name.base, STATUS_FILE_OPEN_FLAGS, 0644);
	if (fd < 0)
		err = -errno;
	else if (fstat(fd, &st))
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	close(dfd);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

/* No stdio: vmm/main-helper.c's forked helper calls it too. */
int status_target_write(const struct status_target *t, enum lkvm_verdict v,
			int status)
{
	const char *word = lkvm_verdict_name(v);
	unsigned int u = status < 0 ? 0U - (unsigned int)status :
				      (unsigned int)status;
	char line[48], digits[12];
	size_t n = strlen(word), k = 0;
	int fd, err = 0;

	if (!t->path)
		return 0;
	memcpy(line, word, n);
	line[n++] = ' ';
	if (status < 0)
		line[n++] = '-';
	do {
		digits[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (k)
		line[n++] = digits[--k];
	line[n++] = '\n';
	fd = t->fd >= 0 ? t->fd : status_target_open(t);
	if (fd < 0)
		return fd;
	errno = 0;
	if (write(fd, line, n) != (ssize_t)n)
		err = errno ? -errno : -EIO;
	if (fd != t->fd && close(fd) && !err)
		err = -errno;
	return err;
}

int status_file_write(const char *path, enum lkvm_verdict v, int status)
{
	struct status_target t;
	int err = status_target_init(&t, path);

	if (!err)
		err = status_target_write(&t, v, status);
	status_target_release(&t);
	return err;
}
