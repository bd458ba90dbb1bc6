/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_COMMANDS_H
#define LKVM_COMMANDS_H

#include <stdio.h>

/* Each `lkvm CMD` is one function; argv[0] is CMD. Returns exit status. */
int cmd_run(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);
/* list, stop, pause, resume, stat, debug: argv[0] says which. */
int cmd_control(int argc, char **argv);
/* The usage line of one of those. */
void ctl_help(FILE *f, const char *cmd);

#endif
