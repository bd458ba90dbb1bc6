// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm balloon NAME -i MIB | -d MIB` (kvmtool's): move a running VM's
 * balloon target, through the verb its virtio-balloon registered
 * (vmm/dev-balloon.c). The guest's driver follows in its own time; `lkvm
 * stat -m NAME` shows where it is.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "control.h"
#include "log.h"

#define EXIT_USAGE 2

void balloon_help(FILE *f, const char *cmd)
{
	fputs("usage: lkvm balloon NAME | -n NAME | --name NAME\n"
	      "       -i MIB | --inflate MIB | -d MIB | --deflate MIB\n"
	      "Inflate: the guest gives MIB more of its RAM back to the host;\n"
	      "deflate: it takes MIB back. The VM needs --balloon.\n", f);
}

static int balloon_usage_error(void)
{
	balloon_help(stderr, "balloon");
	return EXIT_USAGE;
}

/* The value of -i/--inflate or -d/--deflate: MiB, decimal. */
static bool mib_valid(const char *s)
{
	return *s && strlen(s) <= 7 && strspn(s, "0123456789") == strlen(s) &&
	       strspn(s, "0") != strlen(s);
}

int cmd_balloon(int argc, char **argv)
{
	const char *name = NULL, *amount = NULL, *verb = NULL, *arg;
	char req[CONTROL_MAX_REQUEST];
	int i;

	for (i = 1; i < argc; i++) {
		const char *val = NULL, *this = NULL;

		arg = argv[i];
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			balloon_help(stdout, "balloon");
			return 0;
		}
		if (!strcmp(arg, "-i") || !strcmp(arg, "--inflate") ||
		    !strncmp(arg, "--inflate=", 10))
			this = "inflate";
		else if (!strcmp(arg, "-d") || !strcmp(arg, "--deflate") ||
			 !strncmp(arg, "--deflate=", 10))
			this = "deflate";
		if (this && arg[1] == '-' && arg[9] == '=')
			val = arg + 10;
		if (this) {
			if (!val && i + 1 == argc) {
				pr_err("option '%s' needs a value", arg);
				return balloon_usage_error();
			}
			if (verb) {
				pr_err("give one of --inflate and --deflate");
				return balloon_usage_error();
			}
			verb = this;
			amount = val ? val : argv[++i];
			continue;
		}
		if (!strcmp(arg, "-n") || !strcmp(arg, "--name")) {
			if (i + 1 == argc) {
				pr_err("option '%s' needs a value", arg);
				return balloon_usage_error();
			}
			val = argv[++i];
		} else if (!strncmp(arg, "--name=", 7)) {
			val = arg + 7;
		} else if (arg[0] != '-') {
			val = arg;
		}
		if (!val || name) {
			pr_err("unexpected argument '%s'", arg);
			return balloon_usage_error();
		}
		name = val;
	}
	if (!name || !verb) {
		pr_err(!name ? "name the VM" :
		       "say how much: --inflate MIB or --deflate MIB");
		return balloon_usage_error();
	}
	if (!control_name_valid(name)) {
		pr_err("invalid name '%s': %s", name, CONTROL_NAME_RULE);
		return EXIT_USAGE;
	}
	if (!mib_valid(amount)) {
		pr_err("--%s takes a size in MiB, a whole number from 1 (got '%s')",
		       verb, amount);
		return EXIT_USAGE;
	}
	snprintf(req, sizeof(req), "balloon %s %s", verb, amount);
	return ctl_send_device(name, req, false,
			       "has no balloon (run it with --balloon)");
}
