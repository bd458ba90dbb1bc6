// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm setup NAME`: $LKVM_HOME/NAME (~/.lkvm/NAME) as a guest's root
 * directory, booted over 9p by `lkvm run --name NAME` or `-d NAME`
 * (root-9p.h): lkvm's guest init at /virt/init, the mount points it uses,
 * and /bin /sbin /lib* /usr /etc as symbolic links into /host, where the
 * init mounts the host's root read-only (share "hostfs"). Running it
 * again on a root it made puts the current lkvm's init there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"
#include "root-9p.h"
#include "sandbox-job.h"

static const char *const setup_dirs[] = {
	"virt", "proc", "sys", "dev", "tmp", "run", "host", "root", "home",
	"mnt", "var",
};

/* Linked to host/X when the host has /X. */
static const char *const setup_links[] = {
	"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc",
};

static int mkdir_ok(const char *path, mode_t mode)
{
	if (!mkdir(path, mode) || errno == EEXIST)
		return 0;
	return -errno;
}

/* dir/virt/init: the embedded init, written aside and renamed. */
static int setup_write_init(int dfd)
{
	size_t len;
	const char *p = guest_init_image(&len);
	ssize_t n;
	int fd, err = 0;

	if (!len)
		return -ENOENT;
	fd = openat(dfd, "virt/.init.new", O_WRONLY | O_CREAT | O_TRUNC |
		    O_NOFOLLOW | O_CLOEXEC, 0755);
	if (fd < 0)
		return -errno;
	while (len && !err) {
		n = write(fd, p, len);
		if (n < 0 && errno != EINTR)
			err = -errno;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	if (!err && fchmod(fd, 0755))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && renameat(dfd, "virt/.init.new", dfd, "virt/init"))
		err = -errno;
	if (err)
		unlinkat(dfd, "virt/.init.new", 0);
	return err;
}

static int setup_tree(int dfd)
{
	char host[64], target[64];
	unsigned int i;
	struct stat st;
	int err;

	for (i = 0; i < ARRAY_SIZE(setup_dirs); i++)
		if (mkdirat(dfd, setup_dirs[i], 0755) && errno != EEXIST)
			return -errno;
	if (fchmodat(dfd, "tmp", 01777, 0))
		return -errno;
	for (i = 0; i < ARRAY_SIZE(setup_links); i++) {
		snprintf(host, sizeof(host), "/%s", setup_links[i]);
		if (lstat(host, &st))
			continue;
		snprintf(target, sizeof(target), "host/%s", setup_links[i]);
		if (symlinkat(target, dfd, setup_links[i]) && errno != EEXIST)
			return -errno;
	}
	err = setup_write_init(dfd);
	return err;
}

int cmd_setup(int argc, char **argv)
{
	char home[4096], dir[4096];
	struct stat st;
	size_t init_len;
	bool again;
	int dfd, err;

	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: lkvm setup NAME\n", stderr);
		return 2;
	}
	guest_init_image(&init_len);
	if (!init_len) {
		pr_err("this lkvm was built without a guest init for its arch: no setup");
		return 1;
	}
	if (!setup_name_valid(argv[1])) {
		pr_err("invalid name '%s': letters, digits, '.', '_' and '-', up to 64",
		       argv[1]);
		return 2;
	}
	if (lkvm_home_path(home, sizeof(home), NULL) ||
	    lkvm_home_path(dir, sizeof(dir), argv[1])) {
		pr_err("no place for guest roots: set HOME or LKVM_HOME");
		return 1;
	}
	err = mkdir_ok(home, 0755);
	if (err) {
		pr_err("cannot make '%s': %s", home, strerror(-err));
		return 1;
	}
	again = !lstat(dir, &st);
	if (again && !S_ISDIR(st.st_mode)) {
		pr_err("'%s' exists and is not a directory", dir);
		return 1;
	}
	if (again) {
		char init[4200];

		snprintf(init, sizeof(init), "%s%s", dir, ROOT_9P_INIT);
		if (lstat(init, &st)) {
			pr_err("'%s' exists and was not made by lkvm setup: refusing it",
			       dir);
			return 1;
		}
	}
	err = mkdir_ok(dir, 0755);
	dfd = err ? err : open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			       O_CLOEXEC);
	if (dfd < 0) {
		pr_err("cannot make '%s': %s", dir,
		       strerror(err ? -err : errno));
		return 1;
	}
	err = setup_tree(dfd);
	close(dfd);
	if (err) {
		pr_err("cannot set up '%s': %s", dir, strerror(-err));
		return 1;
	}
	printf("%s '%s': boot it with 'lkvm run --name %s' (add -k KERNEL)\n",
	       again ? "Updated" : "Made", dir, argv[1]);
	return 0;
}
