/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process's file descriptor budget. lkvm raises its soft
 * RLIMIT_NOFILE to the hard limit at start-up, and devices that hold
 * descriptors for the guest (9p fids) size their tables from what is left
 * after FD_LIMIT_RESERVE, so that a guest cannot starve the control
 * socket, a disk's reopen or a new connection of descriptors.
 */
#ifndef LKVM_FD_LIMIT_H
#define LKVM_FD_LIMIT_H

#define FD_LIMIT_RESERVE	256	/* kept for lkvm's own use */

/* Raise the soft limit to the hard one; returns the soft limit in force. */
unsigned long fd_limit_raise(void);
/* The soft limit in force (RLIM_INFINITY as ULONG_MAX). */
unsigned long fd_limit_current(void);
/*
 * The descriptors each of @users may hold when each holds up to @per_user
 * per unit: (limit - FD_LIMIT_RESERVE) / users / per_user, 0 if none.
 */
unsigned long fd_limit_share(unsigned long limit, unsigned int users,
			     unsigned int per_user);

#endif
