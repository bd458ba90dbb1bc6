// SPDX-License-Identifier: GPL-2.0
/* lib/safe-open.c: only the accepted types are opened, nothing blocks. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe-open.h"
#include "tap.h"

static char dir[] = "/tmp/lkvm-safe-open-XXXXXX";
static char path[512];

static const char *at(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(name);
		exit(1);
	}
}

static int try(const char *name, int flags, unsigned int accept,
	       struct stat *st)
{
	int fd = safe_open(AT_FDCWD, at(name), flags, accept, st);

	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : fd;
}

int main(void)
{
	struct stat st, want;
	char buf[8] = { 0 };
	int fd, dfd, r;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	/* A hang is a failure: SIGALRM ends the test without "1..N". */
	alarm(20);
	put("file", "hello");
	stat(at("file"), &want);

	fd = safe_open(AT_FDCWD, at("file"), O_RDONLY, SAFE_OPEN_REG, &st);
	ok(fd >= 0 && read(fd, buf, 5) == 5 && !memcmp(buf, "hello", 5) &&
	   st.st_ino == want.st_ino && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	   "a regular file opens, is readable, close-on-exec, its stat returned");
	ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY,
	   "opened with the access mode asked for, not O_PATH");
	if (fd >= 0)
		close(fd);
	fd = safe_open(AT_FDCWD, at("file"), O_RDWR, SAFE_OPEN_REG, NULL);
	ok(fd >= 0 && pwrite(fd, "J", 1, 0) == 1, "O_RDWR gives a writable fd");
	if (fd >= 0)
		close(fd);

	if (mkfifo(at("fifo"), 0600)) {
		perror("mkfifo");
		return 1;
	}
	r = try("fifo", O_RDONLY, SAFE_OPEN_REG | SAFE_OPEN_BLK, &st);
	ok(r == -EMEDIUMTYPE && S_ISFIFO(st.st_mode),
	   "a FIFO with no writer is refused at once (-EMEDIUMTYPE, %s), not opened",
	   safe_open_type_name(st.st_mode));
	r = safe_open(AT_FDCWD, "/dev/null", O_RDWR, SAFE_OPEN_REG | SAFE_OPEN_BLK,
		      &st);
	ok(r == -EMEDIUMTYPE && S_ISCHR(st.st_mode),
	   "a character device (/dev/null) is refused: %d", r);
	r = try("", O_RDONLY, SAFE_OPEN_REG, NULL);
	ok(r == -EMEDIUMTYPE, "a directory is refused: %d", r);
	r = try("nothere", O_RDONLY, SAFE_OPEN_REG, NULL);
	ok(r == -ENOENT, "a missing file: -ENOENT");

	if (symlink("file", at("link"))) {
		perror("symlink");
		return 1;
	}
	r = try("link", O_RDONLY, SAFE_OPEN_REG | SAFE_OPEN_NOFOLLOW, &st);
	ok(r == -ELOOP, "a final symlink is refused under NOFOLLOW: %d", r);
	r = try("link", O_RDONLY, SAFE_OPEN_REG, &st);
	ok(r == 0 && st.st_ino == want.st_ino,
	   "without NOFOLLOW the symlink is followed to the file");
	if (symlink("/dev/null", at("devlink"))) {
		perror("symlink");
		return 1;
	}
	r = try("devlink", O_RDONLY, SAFE_OPEN_REG, &st);
	ok(r == -EMEDIUMTYPE && S_ISCHR(st.st_mode),
	   "a symlink to a device is refused by the device's type");

	mkdir(at("sub"), 0700);
	put("sub/inner", "x");
	if (symlink("/etc/hostname", at("sub/out")) ||
	    symlink("../file", at("sub/up"))) {
		perror("symlink");
		return 1;
	}
	dfd = open(at("sub"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = safe_open(dfd, "inner", O_RDONLY,
		      SAFE_OPEN_REG | SAFE_OPEN_BENEATH, NULL);
	ok(r >= 0, "BENEATH: a file in the directory opens");
	if (r >= 0)
		close(r);
	r = safe_open(dfd, "../file", O_RDONLY,
		      SAFE_OPEN_REG | SAFE_OPEN_BENEATH, NULL);
	ok(r == -EXDEV, "BENEATH: '../file' is refused with -EXDEV: %d", r);
	r = safe_open(dfd, at("file"), O_RDONLY,
		      SAFE_OPEN_REG | SAFE_OPEN_BENEATH, NULL);
	ok(r == -EXDEV, "BENEATH: an absolute path is refused: %d", r);
	r = safe_open(dfd, "out", O_RDONLY, SAFE_OPEN_REG | SAFE_OPEN_BENEATH,
		      NULL);
	ok(r == -EXDEV, "BENEATH: a symlink leading out is refused: %d", r);
	r = safe_open(dfd, "up", O_RDONLY, SAFE_OPEN_REG | SAFE_OPEN_BENEATH,
		      NULL);
	ok(r == -EXDEV, "BENEATH: a symlink through '..' is refused: %d", r);
	close(dfd);

	ok(!strcmp(safe_open_type_name(S_IFIFO), "a FIFO") &&
	   !strcmp(safe_open_type_name(S_IFCHR), "a character device"),
	   "type names for messages");

	unlink(at("sub/inner"));
	unlink(at("sub/out"));
	unlink(at("sub/up"));
	rmdir(at("sub"));
	unlink(at("devlink"));
	unlink(at("link"));
	unlink(at("fifo"));
	unlink(at("file"));
	rmdir(dir);
	return tap_done();
}
