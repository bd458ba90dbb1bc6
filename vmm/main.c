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

/* `lkvm CMD`: its handler, its line in `lkvm help`, its usage. */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	void (*usage)(FILE *f, const char *name);
};

static void usage_run(FILE *f, const char *name)
{
	run_usage(f);
}

static void usage_sandbox(FILE *f, const char *name)
{
	fputs("usage: lkvm sandbox [run options] [kernel] -- COMMAND [ARGS...]\n"
	      "The run options are lkvm run's ('lkvm help run').\n", f);
}

static void usage_setup(FILE *f, const char *name)
{
	fputs("usage: lkvm setup NAME\n"
	      "Makes $LKVM_HOME/NAME (default ~/.lkvm/NAME): boot it with\n"
	      "'lkvm run --name NAME' or 'lkvm run -d NAME'.\n", f);
}

static void usage_version(FILE *f, const char *name)
{
	fputs("usage: lkvm version\n", f);
}

static void usage_help(FILE *f, const char *name)
{
	fputs("usage: lkvm help [COMMAND | --list-commands | --list-options]\n",
	      f);
}

static const struct command commands[] = {
	{ "run", cmd_run, "start a virtual machine", usage_run },
	{ "sandbox", cmd_sandbox,
	  "run a command in a VM on the host's files", usage_sandbox },
	{ "setup", cmd_setup, "make a guest root directory for run --name",
	  usage_setup },
	{ "list", cmd_control, "list the running virtual machines", ctl_help },
	{ "stop", cmd_control, "stop a virtual machine", ctl_help },
	{ "pause", cmd_control, "pause a virtual machine's vCPUs", ctl_help },
	{ "resume", cmd_control, "resume a paused virtual machine", ctl_help },
	{ "stat", cmd_control, "show a virtual machine's counters", ctl_help },
	{ "debug", cmd_control,
	  "dump a VM's registers, or send it an NMI or a SysRq", ctl_help },
	{ "balloon", cmd_balloon, "inflate or deflate a VM's balloon",
	  balloon_help },
	{ "version", cmd_version, "print the version", usage_version },
	{ "help", cmd_help, "show help for a command", usage_help },
};

static const struct command *command_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void print_commands(FILE *f)
{
	unsigned int i;

	fputs("usage: lkvm COMMAND [options]\n\ncommands:\n", f);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\nSee 'lkvm help COMMAND' or lkvm(1).\n", f);
}

/*
 * For scripts and tests (tests/integration/man-page.sh holds lkvm.1 to
 * them): the commands, one a line; `lkvm run`'s options, one a line,
 * "-k --kernel" or "--name".
 */
static void list_commands(FILE *f)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "%s\n", commands[i].name);
}

static void list_options(FILE *f)
{
	unsigned int i, nr;
	const struct run_option *o = run_options(&nr);

	for (i = 0; i < nr; i++) {
		if (o[i].short_name)
			fprintf(f, "-%c ", o[i].short_name);
		fprintf(f, "--%s\n", o[i].name);
	}
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
	const struct command *c;

	if (argc < 2) {
		print_commands(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--list-commands")) {
		list_commands(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--list-options")) {
		list_options(stdout);
		return 0;
	}
	c = command_find(argv[1]);
	if (c) {
		c->usage(stdout, c->name);
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
	const struct command *c;

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
	c = command_find(argv[1]);
	if (c)
		return c->fn(argc - 1, argv + 1);
	pr_err("unknown command '%s'", argv[1]);
	print_commands(stderr);
	return 2;
}
