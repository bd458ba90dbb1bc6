/* SPDX-License-Identifier: GPL-2.0 */
/* The guest init's stdin relay (relay.c); guest-job.h tells the protocol. */
#ifndef LKVM_GUEST_INIT_RELAY_H
#define LKVM_GUEST_INIT_RELAY_H

/*
 * In a child of the init: say GUEST_JOB_STDIN_READY on status_fd (hvc2),
 * then pass in_fd's (hvc3's) bytes into pipe_w, the command's stdin, until
 * lkvm's "eof=N" on status_fd and N bytes passed on say the input is over.
 * It ends early, without spinning and without dying of SIGPIPE, when the
 * command's stdin has no reader any more (the command exited or closed
 * it) and when in_fd hangs up or fails. When status_fd hangs up or fails
 * before "eof=N", no end can be told any more: in_fd's bytes are passed
 * on until it ends. Returns the relay's exit status: 0 when the input was
 * over or nobody reads it any more, 1 otherwise.
 */
int guest_stdin_relay(int in_fd, int status_fd, int pipe_w);

#endif
