// SPDX-License-Identifier: GPL-2.0
/*
 * The main thread's Landlock, once every other thread runs. Its filter
 * lets it create and truncate files for writing and unlink them, on any
 * path (the teardown's calls, made directly without Landlock): with
 * pwrite64, a thread taken over could rewrite the user's files or lkvm's
 * own code through /proc/self/mem. Landlock refuses it every file system
 * right: the status file and the sockets' removal are its helper's
 * (vmm/main-helper.c), forked before the guest runs, which does them for
 * exactly the paths it was given. No rule on a directory, whose whole
 * tree it would open (the user's files beside --vsock path=, other VMs'
 * sockets).
 */
#include "landlock.h"
#include "main-helper.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define MAIN_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define MAIN_SANITIZER 1
#endif
#endif

/*
 * A sanitizer build writes its reports (LeakSanitizer's at exit) from
 * this thread: neither confined nor helped.
 */
static bool main_sanitized(const char **why)
{
#ifdef MAIN_SANITIZER
	*why = "a sanitizer build, whose reports this thread writes";
	return true;
#else
	(void)why;
	return false;
#endif
}

int vm_main_helper_start(struct main_helper *mh,
			 const struct status_target *status, bool filter,
			 const char **why)
{
	int r;

	if (main_sanitized(why))
		return 0;
	r = landlock_abi(why);
	if (r <= 0)
		return r;
	r = main_helper_start(mh, status, filter);
	return r ? r : 1;
}

int vm_main_confine(const char **why)
{
	if (main_sanitized(why))
		return 0;
	return landlock_only(NULL, 0, why);
}
