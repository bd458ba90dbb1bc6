// SPDX-License-Identifier: GPL-2.0
/* vmm/kernel-find.c: where lkvm run looks for a kernel without -k. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel-find.h"
#include "tap.h"

/* A release no /boot has. */
#define RELEASE "0.0.0-lkvm-unit-test"

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0)
		close(fd);
}

int main(void)
{
	char dir[] = "/tmp/lkvm-kernel-find.XXXXXX", looked[512], *got;
	char old[4096];

	if (!getcwd(old, sizeof(old)) || !mkdtemp(dir) || chdir(dir)) {
		ok(0, "a temporary directory");
		return tap_done();
	}
	got = kernel_find(RELEASE, looked, sizeof(looked));
	ok(!got, "an empty directory and no /boot image: none found");
	ok(strstr(looked, "./bzImage") && strstr(looked, "arch/x86/boot/bzImage") &&
	   strstr(looked, "/boot/vmlinuz-" RELEASE),
	   "says where it looked: %s", looked);
	free(got);

	mkdir("bzImage", 0755);
	got = kernel_find(RELEASE, looked, sizeof(looked));
	ok(!got, "a directory named bzImage is not a kernel");
	free(got);
	rmdir("bzImage");

	mkdir("arch", 0755);
	mkdir("arch/x86", 0755);
	mkdir("arch/x86/boot", 0755);
	touch("arch/x86/boot/bzImage");
	got = kernel_find(RELEASE, looked, sizeof(looked));
	ok(got && !strcmp(got, "arch/x86/boot/bzImage"),
	   "a kernel tree's arch/x86/boot/bzImage (%s)", got ? got : "none");
	free(got);

	touch("bzImage");
	got = kernel_find(RELEASE, looked, sizeof(looked));
	ok(got && !strcmp(got, "bzImage"), "./bzImage comes first (%s)",
	   got ? got : "none");
	free(got);

	unlink("bzImage");
	unlink("arch/x86/boot/bzImage");
	rmdir("arch/x86/boot");
	rmdir("arch/x86");
	rmdir("arch");
	if (chdir(old) || rmdir(dir))
		ok(0, "cleaning up %s", dir);
	return tap_done();
}
