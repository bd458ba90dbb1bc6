// SPDX-License-Identifier: GPL-2.0
/* Tests for VM names, the socket directory's rules and NAME.lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "tap.h"
#include "types.h"

static char top[64];

static void test_names(void)
{
	static const char *const good[] = {
		"box", "guest-123", "a.b_c-d", "A9", "_x",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *const bad[] = {
		"", ".x", "..", "-x", "a/b", "../x", "a b", "a\nb", "caf\xc3\xa9",
		"x*", "01234567890123456789012345678901234567890123456789012345678901234",
	};
	char path[CONTROL_PATH_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok(control_name_valid(good[i]), "name '%s' is valid", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(!control_name_valid(bad[i]), "bad name #%u is refused", i);
	setenv("LKVM_HOME", top, 1);
	ok(control_path("../x", ".sock", path, sizeof(path), false) == -EINVAL,
	   "no path is made for '../x'");
}

static int dir_with(const char *sub, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", top, sub);
	setenv("LKVM_HOME", buf, 1);
	return control_dir(buf, len, true);
}

static void test_dir(void)
{
	char dir[CONTROL_PATH_MAX], other[CONTROL_PATH_MAX];
	struct stat st;
	mode_t old = umask(0277);
	int err;

	err = dir_with("new", dir, sizeof(dir));
	umask(old);
	ok(err == 0 && !stat(dir, &st) && (st.st_mode & 07777) == 0700,
	   "a missing directory is created 0700 under umask 0277");
	ok(dir_with("new", dir, sizeof(dir)) == 0,
	   "our own 0700 directory is accepted");

	snprintf(other, sizeof(other), "%s/new", top);
	dir_with("link", dir, sizeof(dir));
	rmdir(dir);
	err = symlink(other, dir);
	ok(!err && control_dir(dir, sizeof(dir), true) == -ELOOP,
	   "a symbolic link to our directory is refused (-ELOOP)");

	snprintf(dir, sizeof(dir), "%s/file", top);
	close(open(dir, O_CREAT | O_WRONLY, 0600));
	setenv("LKVM_HOME", dir, 1);
	ok(control_dir(dir, sizeof(dir), true) == -ENOTDIR,
	   "a file is refused (-ENOTDIR)");

	err = dir_with("open", dir, sizeof(dir));
	ok(!err && !chmod(dir, 0777) &&
	   control_dir(dir, sizeof(dir), true) == -EACCES,
	   "a directory others may write is refused (-EACCES)");
	chmod(dir, 0770);
	ok(control_dir(dir, sizeof(dir), false) == -EACCES,
	   "a group-writable one too, also for clients");

	err = dir_with("theirs", dir, sizeof(dir));
	if (geteuid() != 0) {
		skip("not root: cannot give a directory away",
		     "a directory of another user is refused");
	} else {
		ok(!err && !chown(dir, 65534, 65534) &&
		   control_dir(dir, sizeof(dir), true) == -EPERM,
		   "a directory of another user is refused (-EPERM)");
	}
	ok(control_dir_refusal(-ELOOP) && control_dir_refusal(-EPERM) &&
	   !control_dir_refusal(-ENOENT), "refusals have reasons");
}

static void test_lock(void)
{
	char dir[CONTROL_PATH_MAX], sock[CONTROL_PATH_MAX + 16];
	int a, b;

	dir_with("locks", dir, sizeof(dir));
	a = control_lock("vm1");
	ok(a >= 0, "the first lock of a name is taken");
	b = control_lock("vm1");
	ok(b == -EEXIST, "a second one is refused while the first is held");
	ok(control_lock("vm2") >= 0, "another name is independent");

	snprintf(sock, sizeof(sock), "%s/vm1.sock", dir);
	close(open(sock, O_CREAT | O_WRONLY, 0600));
	ok(control_remove_stale("vm1") == -EEXIST && !access(sock, F_OK),
	   "a held name's socket is not removed as stale");
	close(a);
	ok(control_remove_stale("vm1") == 0 && access(sock, F_OK),
	   "once released, the stale socket is removed");
	b = control_lock("vm1");
	ok(b >= 0, "and the name can be taken again");
	if (b >= 0)
		close(b);
}

int main(void)
{
	char cmd[128];
	int r;

	snprintf(top, sizeof(top), "/tmp/lkvm-control-dir.XXXXXX");
	if (!mkdtemp(top)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	test_names();
	test_dir();
	test_lock();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	r = system(cmd);
	(void)r;
	return tap_done();
}
