/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --jail DIR (lkvm.1, JAIL): the VM runs in new mount, PID, IPC and UTS
 * namespaces (and a network one when no NIC needs the host's), with DIR
 * as its root holding only the VM's files, as --jail-user, with no
 * capabilities and PR_SET_NO_NEW_PRIVS.
 *
 * Two stages. The lkvm the user ran (vmm/jail.c) checks the options,
 * listens on the control socket, clone()s a child into the namespaces
 * (and, when not root, a user namespace), which re-executes lkvm with
 * the same arguments and JAIL_STAGE_ENV set; it forwards SIGINT, SIGTERM
 * and SIGHUP to it and exits with its status. The jailed stage
 * (vmm/jail-enter.c) binds the VM's files into a tmpfs on DIR at their
 * host paths, pivot_root()s into it and drops everything, before any
 * thread exists; the run goes on as without a jail.
 */
#ifndef LKVM_JAIL_H
#define LKVM_JAIL_H

#include <stdbool.h>

#include "config.h"

/*
 * "MODE,LOCKFD,LISTENFD,UID,GID,PID,BG,NAME"; MODE: 'u' user namespace,
 * 'r' root; BG: 1 when stdin is a terminal in the background (the jail's
 * PID namespace cannot tell), else 0.
 */
#define JAIL_STAGE_ENV "LKVM_JAIL_STAGE"

/* RLIMIT_NOFILE's hard limit in the jail, at most. */
#define JAIL_NOFILE_MAX 65536

/*
 * For run_configured(), when cfg->jail.dir is set. In the lkvm the user
 * ran: run the VM jailed and return the exit status lkvm must have (the
 * jailed one's, 128 + N after signal N), or -errno after a message of its
 * own, with *outside true. In the jailed stage: enter the jail, *outside false;
 * 0, or -errno after a message.
 */
int jail_start(struct vm_config *cfg, bool *outside);

/*
 * The jailed stage (vmm/jail-enter.c): bind cfg's files into the jail,
 * make it the root, drop to cfg->jail.uid/gid with no capabilities.
 * cfg's paths then point at the same files inside. 0 or -errno after a
 * message.
 */
int jail_enter(struct vm_config *cfg);

/*
 * The jailed stage, a PID namespace's init, is not stopped by job control:
 * it drops SIGTTIN and SIGTTOU while they have no handler, and a read or
 * change of its terminal from the background (after a Ctrl-Z that stopped
 * the lkvm outside; a write with TOSTOP) would be restarted for ever,
 * spinning. Ignored, a read says EIO (the input ends, with a line) and
 * the rest goes through. 0 or -errno; jail_enter() calls it.
 */
int jail_tty_signals(void);

/* Keep s (malloc()ed) until jail_config_release(): s, or NULL. */
char *jail_own(struct jail_config *j, char *s);
/* Free what the jail allocated in j. */
void jail_config_release(struct jail_config *j);

#endif
