// SPDX-License-Identifier: GPL-2.0
/*
 * lib/mapped-file.c (-k, -i): regular files only; a FIFO or a device is
 * refused at once without being opened.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mapped-file.h"
#include "tap.h"

static void on_alarm(int sig)
{
	static const char msg[] = "not ok - mapped_file_open hung (FIFO opened?)\n";

	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

int main(void)
{
	char dir[] = "/tmp/lkvm-mapped-XXXXXX", file[64], fifo[64];
	struct mapped_file f;
	FILE *fp;
	int r;

	if (!mkdtemp(dir))
		return 1;
	snprintf(file, sizeof(file), "%s/kernel", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	fp = fopen(file, "w");
	if (!fp || fputs("kernel!", fp) < 0 || fclose(fp) || mkfifo(fifo, 0600))
		return 1;
	signal(SIGALRM, on_alarm);
	alarm(10);

	r = mapped_file_open(file, 1 << 20, &f);
	ok(!r && f.len == 7 && !memcmp(f.data, "kernel!", 7),
	   "a regular file is mapped");
	mapped_file_close(&f);
	r = mapped_file_open(file, 4, &f);
	ok(r == -EFBIG, "past max_len: -EFBIG");

	r = mapped_file_open(fifo, 1 << 20, &f);
	ok(r == -EMEDIUMTYPE && S_ISFIFO(f.mode) && !f.data,
	   "a FIFO with no writer is refused at once (%d), not opened", r);
	r = mapped_file_open("/dev/null", 1 << 20, &f);
	ok(r == -EMEDIUMTYPE && S_ISCHR(f.mode),
	   "a character device is refused (%d)", r);
	r = mapped_file_open(dir, 1 << 20, &f);
	ok(r == -EMEDIUMTYPE && S_ISDIR(f.mode), "a directory is refused");
	r = mapped_file_open("/nonexistent/kernel", 1 << 20, &f);
	ok(r == -ENOENT, "a missing file: -ENOENT");

	unlink(fifo);
	unlink(file);
	rmdir(dir);
	return tap_done();
}
