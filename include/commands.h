/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_COMMANDS_H
#define LKVM_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

/* Each `lkvm CMD` is one function; argv[0] is CMD. Returns exit status. */
int cmd_run(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);
/* list, stop, pause, resume, stat, debug: argv[0] says which. */
int cmd_control(int argc, char **argv);
/*
 * The client side of a control verb, lkvm's or one a device registered
 * (control_verb_register(): a device's own command sends "VERB ARGS"):
 * one request to the VM called name, its reply on stdout (unless quiet)
 * or one "lkvm: ..." line. Returns the exit status.
 */
int ctl_send(const char *name, const char *request, bool quiet);
/* The usage line of one of those. */
void ctl_help(FILE *f, const char *cmd);

#endif
