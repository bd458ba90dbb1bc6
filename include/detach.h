/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DETACH_H
#define LKVM_DETACH_H

#include "types.h"

/*
 * Exit with `status` now and let the kernel tear the VM down afterwards.
 *
 * Destroying a VM (the last close of its fd) takes KVM tens of
 * milliseconds, and a process's exit status reaches its parent only after
 * all of its files are closed. So lkvm hands the VM fd to a small child
 * that shares its address space (CLONE_VM: the guest RAM is not unmapped
 * at our exit either), closes every other fd (so pipes see EOF and image
 * locks are released before we exit), and dies when we do
 * (PR_SET_PDEATHSIG). Output must be flushed and the terminal restored
 * before the call. Falls back to a plain exit if the child cannot be made.
 */
void __noreturn exit_detached(int vm_fd, int status);

#endif
