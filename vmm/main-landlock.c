// SPDX-License-Identifier: GPL-2.0
/*
 * The main thread's Landlock, once every other thread runs. Its filter
 * lets it create and truncate files for writing and unlink them, on any
 * path (the teardown's calls, made directly without Landlock): with
 * pwrite64, a thread taken over could rewrite the user's files or lkvm's
 * own code through /proc/self/mem. Landlock refuses it every file system
 * right: the status file and the sockets' removal are its helper's
 * (vmm/main-helper.c), forked here first, which does them for exactly
 * the paths it was given. No rule on a directory, whose whole tree it would
 * open (the user's files beside --vsock path=, other VMs' sockets).
 */
#include <string.h>

#include "landlock.h"
#include "log.h"
#include "main-helper.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define MAIN_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define MAIN_SANITIZER 1
#endif
#endif

int vm_main_can_confine(const char **why)
{
#ifdef MAIN_SANITIZER
	/* Its reports (LeakSanitizer's at exit) are files opened here. */
	*why = "a sanitizer build, whose reports this thread writes";
	return 0;
#endif
	return landlock_abi(why);
}

int vm_main_confine(const struct status_target *status, const char **why)
{
	int r;

	r = vm_main_can_confine(why);
	if (r <= 0)
		return r;
	r = main_helper_start(status);
	if (r)
		pr_warn("main thread: no helper (%s): the status file and the sockets will stay as they are",
			strerror(-r));
	return landlock_only(NULL, 0, why);
}
