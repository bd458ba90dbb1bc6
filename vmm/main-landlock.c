// SPDX-License-Identifier: GPL-2.0
/*
 * The main thread's Landlock, once every other thread runs. Its filter
 * lets it create and truncate files for writing (the status file) and
 * unlink them (the sockets), on any path: with pwrite64, a thread taken
 * over could rewrite the user's files or lkvm's own code through
 * /proc/self/mem. Landlock keeps those calls to what the teardown does:
 * writing the status file, removing the control and vsock sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "landlock.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define MAIN_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define MAIN_SANITIZER 1
#endif
#endif

/* The status file, made now if missing: a rule needs it to exist. */
static int status_file_make(const char *path)
{
	struct stat st;
	int fd;

	if (!stat(path, &st))
		return 0;
	if (errno != ENOENT)
		return -errno;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY |
		  O_NONBLOCK, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

int vm_main_confine(const struct vm_config *cfg, const char **why)
{
	char ctl[PATH_MAX], vsock[PATH_MAX];
	struct landlock_rule rules[3] = { { NULL } };

#ifdef MAIN_SANITIZER
	/* Its reports (LeakSanitizer's at exit) are files opened here. */
	*why = "a sanitizer build, whose reports this thread writes";
	return 0;
#endif
	/* One that cannot be made now gets no rule: its write fails later. */
	if (cfg->status_file && !status_file_make(cfg->status_file))
		rules[0] = (struct landlock_rule){ cfg->status_file,
			LANDLOCK_ACCESS_FS_WRITE_FILE |
			LANDLOCK_ACCESS_FS_TRUNCATE };
	if (!control_dir(ctl, sizeof(ctl), false))
		rules[1] = (struct landlock_rule){ ctl,
			LANDLOCK_ACCESS_FS_REMOVE_FILE };
	if (cfg->vsock_cid && cfg->vsock_path) {
		landlock_dir_of(cfg->vsock_path, vsock, sizeof(vsock));
		rules[2] = (struct landlock_rule){ vsock,
			LANDLOCK_ACCESS_FS_REMOVE_FILE };
	}
	return landlock_only(rules, ARRAY_SIZE(rules), why);
}
