// SPDX-License-Identifier: GPL-2.0
/* lkvm: command dispatch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"
#include "run-options.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "start a virtual machine" },
	{ "list", cmd_control, "list the running virtual machines" },
	{ "stop", cmd_control, "stop a virtual machine" },
	{ "pause", cmd_control, "pause a virtual machine's vCPUs" },
	{ "resume", cmd_control, "resume a paused virtual machine" },
	{ "stat", cmd_control, "show a virtual machine's counters" },
	{ "debug", cmd_control, "dump a virtual machine's vCPU registers" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "show help for a command" },
};

static void print_commands(FILE *f)
{
	unsigned int i;

	fputs("usage: lkvm COMMAND [options]\n\ncommands:\n", f);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\nSee 'lkvm help COMMAND' or lkvm(1).\n", f);
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("lkvm version %s\n", LKVM_VERSION);
	return 0;
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		print_commands(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "run")) {
		run_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "help")) {
		printf("usage: lkvm %s\n", argv[1]);
		return 0;
	}
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "stop") ||
	    !strcmp(argv[1], "pause") || !strcmp(argv[1], "resume") ||
	    !strcmp(argv[1], "stat") || !strcmp(argv[1], "debug")) {
		ctl_help(stdout, argv[1]);
		return 0;
	}
	pr_err("no such command '%s'", argv[1]);
	print_commands(stderr);
	return 2;
}

/*
 * A closed fd 0, 1 or 2 would be handed to the next file lkvm opens
 * (/dev/kvm, a disk) and the console would read or write that file: put
 * /dev/null there first. Returns -errno.
 */
static int std_fds_reopen(void)
{
	int fd, got;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (errno != EBADF)
			return -errno;
		/* The lowest free descriptor: this one. */
		got = open("/dev/null", O_RDWR);
		if (got < 0)
			return -errno;
		if (got != fd) {
			close(got);
			return -EBADF;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int i;

	/* Before anything opens a file. */
	if (std_fds_reopen())
		return 1;
	/* No command: the usage, and success, as kvmtool does. */
	if (argc < 2) {
		print_commands(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	pr_err("unknown command '%s'", argv[1]);
	print_commands(stderr);
	return 2;
}
