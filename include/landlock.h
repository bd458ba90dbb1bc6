/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock, per thread: what this kernel's Landlock handles, and the
 * user-mode network's confinement (read the resolver's configuration,
 * nothing else on the file system). The 9p workers' rules are in
 * virtio/9p-fs-landlock.c.
 */
#ifndef LKVM_LANDLOCK_H
#define LKVM_LANDLOCK_H

#include "types.h"

/*
 * This kernel's Landlock ABI version (1 and up), or 0 with *why set when
 * it has none or it is disabled, or -errno.
 */
int landlock_abi(const char **why);
/* Every file system right Landlock of ABI version abi handles. */
u64 landlock_fs_rights(int abi);
/*
 * Confine the calling thread (and threads it starts later) to reading
 * regular files beneath the directory of resolv (the resolver's
 * configuration libslirp rereads) and, when resolv is a symbolic link,
 * beneath its target's directory: no other file opens, none made,
 * written or removed anywhere. A directory that does not exist gets no
 * rule. Returns 1 when confined, 0 with *why set when the kernel has no
 * Landlock, -errno on another failure.
 */
int landlock_resolver(const char *resolv, const char **why);

#endif
