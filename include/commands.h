/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_COMMANDS_H
#define LKVM_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

/* Each `lkvm CMD` is one function; argv[0] is CMD. Returns exit status. */
int cmd_run(int argc, char **argv);
int cmd_sandbox(int argc, char **argv);
int cmd_setup(int argc, char **argv);

struct vm_config;
struct mapped_file;
/*
 * Boot a parsed configuration (initrd: an image already mapped, which the
 * VM takes over; NULL: cfg's -i) and exit with the verdict's status
 * (sandbox-status.h); returns only when the guest could not start.
 */
int run_configured(struct vm_config *cfg, struct mapped_file *initrd);
/* lkvm could not start the guest: the status file's line; status. */
int run_error(const struct vm_config *cfg, int status);
/* A bad `lkvm run`/`sandbox` command line: status 2, and the status file. */
int run_usage_failed(int argc, char **argv);
/*
 * First thing in `lkvm run`/`sandbox`: SIGTERM, SIGINT and SIGHUP wait,
 * blocked, for the VM's stop path (signals.h); false, said, when they
 * cannot be blocked.
 */
bool run_block_stop_signals(void);
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
/*
 * The same for a device's verb: when the VM does not know it, the
 * "lkvm: VM 'NAME' <missing>" line ("has no balloon (run it with
 * --balloon)").
 */
int ctl_send_device(const char *name, const char *request, bool quiet,
		    const char *missing);
/* lkvm balloon NAME -i MIB | -d MIB (vmm/cmd-balloon.c). */
int cmd_balloon(int argc, char **argv);
void balloon_help(FILE *f, const char *cmd);
/* The usage line of one of those. */
void ctl_help(FILE *f, const char *cmd);

#endif
