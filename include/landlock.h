/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock, per thread: what this kernel's Landlock handles, and the
 * user-mode network's confinement (read the resolver's configuration,
 * nothing else on the file system; bind no TCP port). The 9p workers'
 * rules are in virtio/9p-fs-landlock.c.
 */
#ifndef LKVM_LANDLOCK_H
#define LKVM_LANDLOCK_H

#include <linux/landlock.h>
#include <stddef.h>

#include "types.h"

/* ABI 3 and 5 rights, for headers older than the running kernel. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP	(1ULL << 0)
#endif
/* The first ABI that handles TCP binds and connects (Linux 6.7). */
#define LANDLOCK_ABI_NET	4
/* ABI 6 (Linux 6.12): a domain's scopes, for headers before it. */
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET	(1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL	(1ULL << 1)
#endif
/* The first ABI that scopes abstract Unix sockets and signals. */
#define LANDLOCK_ABI_SCOPE	6
/*
 * The first ABI whose signal scope always lets a thread signal the
 * threads of its own process (Linux 6.15; 6.12 to 6.14 refused a
 * confined thread its siblings outside the domain until a fix).
 */
#define LANDLOCK_ABI_SIGNAL	7

/*
 * This kernel's Landlock ABI version (1 and up), or 0 with *why set when
 * it has none or it is disabled, or -errno.
 */
int landlock_abi(const char **why);
/* Every file system right Landlock of ABI version abi handles. */
u64 landlock_fs_rights(int abi);
/* A path (followed if a link) and what may be done beneath it. */
struct landlock_rule {
	const char *path;	/* NULL: no rule */
	u64 access;		/* LANDLOCK_ACCESS_FS_* */
};

/*
 * Confine the calling thread (and what it starts later) by a Landlock
 * ruleset's fd, which is closed: no_new_privs, then the restriction.
 * 1 when confined, -errno.
 */
int landlock_enforce(int ruleset);
/*
 * Confine the calling thread (and what it starts later): every file
 * system right this kernel's Landlock handles is refused but the rules'
 * (a rule on a file keeps only the rights a file takes). A path that does
 * not exist gets no rule. 1 when confined, 0 with *why set when the
 * kernel has no Landlock, -errno on another failure.
 */
int landlock_only(const struct landlock_rule *rules, unsigned int nr,
		  const char **why);
/*
 * Confine the calling thread (and threads it starts later) to reading
 * the regular file resolv leads to when called (a symbolic link followed
 * now: the rule is on that file, not its name, so a file renamed into
 * its place later does not read; the resolver's file that libslirp
 * rereads), where resolv is a link into a resolver manager's own
 * directory (landlock_resolver_dir_known(): /run/systemd/resolve, ...),
 * the files beneath it (the manager's renamed updates read), and, where
 * Landlock's ABI is 4 or later, to binding no TCP socket to any port, 0
 * included; connects stay free. From ABI 6, no connect to an abstract
 * Unix socket made outside the thread's domain; from ABI 7, no signal
 * to another process (its own threads still may be signalled). No
 * other file opens, none is made, written or removed anywhere. A resolv that is missing, not a regular
 * file or not to be reached (a loop of links) gets no rule: confined all
 * the same. Returns 1 when confined (with *why set to say so when TCP binds
 * are not restricted: an older ABI), 0 with *why set when the kernel has
 * no Landlock, -errno on another failure.
 */
int landlock_user_net(const char *resolv, const char **why);
/* Whether dir (a real path) is a resolver manager's own directory. */
bool landlock_resolver_dir_known(const char *dir);

/*
 * The main thread's helper (main-helper.h), forked before the guest runs
 * with the status target and the paths kept, where the main thread will
 * be confined: it writes the status file and removes the sockets, under
 * its own seccomp filter with `filter`. 1 when it runs, 0 with *why set
 * (no Landlock, or a sanitizer build, whose reports the main thread
 * writes: no confinement, no helper), -errno.
 */
struct main_helper;
struct status_target;
int vm_main_helper_start(struct main_helper *mh,
			 const struct status_target *status, bool filter,
			 const char **why);
/*
 * The main thread, after every other thread started (vmm/main-landlock.c):
 * nothing on the file system that Landlock handles. Returns as
 * landlock_only() (0 in a sanitizer build).
 */
int vm_main_confine(const char **why);

#endif
