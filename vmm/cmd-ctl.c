// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm list|stop|pause|resume|stat|debug|balloon`: talk to running VMs.
 * list -r: the roots `lkvm setup` made.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "control.h"
#include "log.h"
#include "root-9p.h"

#define REPLY_MAX (64 * 1024)
#define EXIT_USAGE 2

/* Value of "key value" in a reply, or NULL. */
static const char *reply_field(const char *reply, const char *key, char *buf,
			       size_t len)
{
	size_t klen = strlen(key);
	const char *p = reply;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			const char *v = p + klen + 1, *end = strchr(v, '\n');
			size_t n = end ? (size_t)(end - v) : strlen(v);

			if (n >= len)
				n = len - 1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return buf;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* Names of VMs with a socket, live or stale; returns how many. */
static int list_names(char names[][CONTROL_NAME_MAX + 1], int max)
{
	char dir[CONTROL_PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (control_dir(dir, sizeof(dir), false))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		size_t len = strlen(de->d_name);

		if (len <= 5 || len - 5 > CONTROL_NAME_MAX ||
		    strcmp(de->d_name + len - 5, ".sock"))
			continue;
		memcpy(names[n], de->d_name, len - 5);
		names[n][len - 5] = '\0';
		/* Not a name lkvm gives: not ours to talk to or remove. */
		if (control_name_valid(names[n]))
			n++;
	}
	closedir(d);
	return n;
}

static void remove_stale(const char *name)
{
	int err = control_remove_stale(name);

	if (err && err != -EEXIST)
		pr_debug("cannot remove the stale socket of '%s': %s", name,
			 strerror(-err));
}

/* One line of `lkvm list`; 1 if the VM is not there (said when named). */
static int list_one(const char *name, char *reply, bool named)
{
	char pid[32], state[32];
	int err = control_request(name, "info", reply, REPLY_MAX);

	if (err == -ECONNREFUSED)
		remove_stale(name);
	if (err || strncmp(reply, "ok\n", 3)) {
		if (named)
			pr_err("no VM named '%s' is running", name);
		return 1;
	}
	printf("%-8s %-24s %s\n",
	       reply_field(reply, "pid", pid, sizeof(pid)) ?: "?", name,
	       reply_field(reply, "state", state, sizeof(state)) ?: "?");
	return 0;
}

/* `lkvm list -r`: $LKVM_HOME's roots that `lkvm setup` made. */
static int list_rootfs(void)
{
	char home[CONTROL_PATH_MAX * 4], path[CONTROL_PATH_MAX * 8];
	struct dirent *de;
	DIR *d;

	if (lkvm_home_path(home, sizeof(home), NULL)) {
		pr_err("no LKVM_HOME or HOME: no roots to list");
		return 1;
	}
	printf("%-24s %s\n", "ROOTFS", "PATH");
	d = opendir(home);
	if (!d)
		return 0;	/* nothing set up yet */
	while ((de = readdir(d))) {
		if (!setup_name_valid(de->d_name) ||
		    snprintf(path, sizeof(path), "%s/%s", home, de->d_name) >=
		    (int)sizeof(path) || !root_9p_is_setup(path))
			continue;
		printf("%-24s %s\n", de->d_name, path);
	}
	closedir(d);
	return 0;
}

static int cmd_list(const char *name, bool rootfs, bool run)
{
	static char names[256][CONTROL_NAME_MAX + 1];
	char *reply;
	int i, n, status = 0;

	if (rootfs) {
		status = list_rootfs();
		if (!run || status)
			return status;
		putchar('\n');
	}
	reply = malloc(REPLY_MAX);
	if (!reply)
		return 1;
	printf("%-8s %-24s %s\n", "PID", "NAME", "STATE");
	if (name) {
		status = list_one(name, reply, true);
	} else {
		n = list_names(names, 256);
		for (i = 0; i < n; i++)
			list_one(names[i], reply, false);
	}
	free(reply);
	return status;
}

/*
 * One request to one VM; prints the reply (less its "ok" line). missing:
 * what to say when the VM does not know the request's verb (a device it
 * does not have), or NULL.
 */
static int ctl_send_to(const char *name, const char *request, bool quiet,
		       const char *missing)
{
	char *reply = malloc(REPLY_MAX);
	int err, status = 0;

	if (!reply)
		return 1;
	err = control_request(name, request, reply, REPLY_MAX);
	if (err == -ENOENT || err == -ECONNREFUSED) {
		if (err == -ECONNREFUSED)
			remove_stale(name);
		pr_err("no VM named '%s' is running", name);
		status = 1;
	} else if (control_dir_refusal(err)) {
		char dir[CONTROL_PATH_MAX] = "";

		control_dir(dir, sizeof(dir), false);
		pr_err("control socket directory '%s' %s: refusing it", dir,
		       control_dir_refusal(err));
		status = 1;
	} else if (err == -ETIMEDOUT) {
		pr_err("VM '%s' did not answer within %d s", name,
		       CONTROL_REPLY_TIMEOUT_MS / 1000);
		status = 1;
	} else if (err) {
		pr_err("cannot reach VM '%s': %s", name, strerror(-err));
		status = 1;
	} else if (!strncmp(reply, "ok\n", 3)) {
		if (!quiet)
			fputs(reply + 3, stdout);
	} else if (missing && !strncmp(reply, "error: unknown request '", 24)) {
		pr_err("VM '%s' %s", name, missing);
		status = 1;
	} else if (!strncmp(reply, "error: ", 7)) {
		char *nl = strchr(reply, '\n');

		if (nl)
			*nl = '\0';
		pr_err("%s", reply + 7);
		status = 1;
	} else {
		pr_err("VM '%s' gave no answer", name);
		status = 1;
	}
	free(reply);
	return status;
}

int ctl_send(const char *name, const char *request, bool quiet)
{
	return ctl_send_to(name, request, quiet, NULL);
}

int ctl_send_device(const char *name, const char *request, bool quiet,
		    const char *missing)
{
	return ctl_send_to(name, request, quiet, missing);
}

/*
 * The control commands: each sends the verb of its name (list sends
 * "info" to each VM); stat and debug print the reply.
 */
static const struct ctl_command {
	const char *name;
	bool shows_reply;
	const char *usage;
} ctl_commands[] = {
	{ "list", true,
	  "[-a | --all | -i | --run | -r | --rootfs | NAME | -n NAME | --name NAME]" },
	{ "stop", false, NULL },
	{ "pause", false, NULL },
	{ "resume", false, NULL },
	{ "stat", true,
	  "NAME | -n NAME | --name NAME | -a | --all [-m | --memory]" },
	{ "debug", true,
	  "NAME | -n NAME | --name NAME | -a | --all\n"
	  "       [-d | --dump | -m CPU | --nmi CPU | -s KEY | --sysrq KEY]" },
};

static const struct ctl_command *ctl_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctl_commands); i++)
		if (!strcmp(name, ctl_commands[i].name))
			return &ctl_commands[i];
	return NULL;
}

static void ctl_usage(FILE *f, const char *cmd)
{
	const struct ctl_command *c = ctl_command(cmd);

	fprintf(f, "usage: lkvm %s %s\n", cmd,
		c && c->usage ? c->usage : "NAME | -n NAME | --name NAME | -a | --all");
}

/*
 * The VM a control command is for: NAME, -n NAME, -nNAME, --name NAME,
 * --name=NAME, or -a/--all (kvmtool's spellings); list also takes
 * kvmtool's -i/--run (the running VMs: all it lists). Returns -1 to go
 * on, else the exit status.
 */
static int ctl_parse(int argc, char **argv, const char **name, bool *all)
{
	const char *arg, *val;
	int i;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		val = NULL;
		if (!strcmp(arg, "--all") || !strcmp(arg, "-a") ||
		    (!strcmp(argv[0], "list") &&
		     (!strcmp(arg, "--run") || !strcmp(arg, "-i")))) {
			*all = true;
			continue;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			ctl_usage(stdout, argv[0]);
			return 0;
		}
		if (!strcmp(arg, "--name") || !strcmp(arg, "-n")) {
			if (i + 1 == argc) {
				pr_err("option '%s' needs a value", arg);
				ctl_usage(stderr, argv[0]);
				return EXIT_USAGE;
			}
			val = argv[++i];
		} else if (!strncmp(arg, "--name=", 7)) {
			val = arg + 7;
		} else if (!strncmp(arg, "-n", 2)) {
			val = arg + 2;
		} else if (arg[0] != '-') {
			val = arg;
		}
		if (!val || *name) {
			pr_err("unexpected argument '%s'", arg);
			ctl_usage(stderr, argv[0]);
			return EXIT_USAGE;
		}
		*name = val;
	}
	if (*name && *all) {
		pr_err("name one VM, or --all");
		ctl_usage(stderr, argv[0]);
		return EXIT_USAGE;
	}
	if (*name && !control_name_valid(*name)) {
		pr_err("invalid name '%s': %s", *name, CONTROL_NAME_RULE);
		return EXIT_USAGE;
	}
	return -1;
}

/* An option's value: "-m V", "--nmi V" or "--nmi=V"; NULL if not it. */
static const char *opt_value(int argc, char **argv, int *i, const char *s,
			     const char *l, bool *missing)
{
	const char *arg = argv[*i];
	size_t n = strlen(l);

	if (!strncmp(arg, l, n) && arg[n] == '=')
		return arg + n + 1;
	if (strcmp(arg, s) && strcmp(arg, l))
		return NULL;
	if (*i + 1 == argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

/*
 * The options of stat and debug beyond the VM's name (kvmtool's): taken
 * out of argv (*argc shrinks), turned into the request in req.
 * stat -m/--memory: "balloon stats"; debug -d/--dump, -m/--nmi CPU,
 * -s/--sysrq KEY: "debug dump|nmi CPU|sysrq KEY". -1 to go on, else the
 * exit status.
 */
static int ctl_request_options(int *argc, char **argv, char *req,
			       size_t len)
{
	bool debug = !strcmp(argv[0], "debug"), stat = !strcmp(argv[0], "stat");
	const char *nmi, *key;
	int i, n = 1, given = 0;

	snprintf(req, len, "%s", argv[0]);
	for (i = 1; i < *argc; i++) {
		bool missing = false;
		const char *arg = argv[i];

		nmi = key = NULL;
		if (debug) {
			nmi = opt_value(*argc, argv, &i, "-m", "--nmi",
					&missing);
			if (!nmi && !missing)
				key = opt_value(*argc, argv, &i, "-s",
						"--sysrq", &missing);
		}
		if (missing) {
			pr_err("option '%s' needs a value", arg);
			ctl_usage(stderr, argv[0]);
			return EXIT_USAGE;
		}
		if (stat && (!strcmp(arg, "-m") || !strcmp(arg, "--memory"))) {
			snprintf(req, len, "balloon stats");
		} else if (debug && (!strcmp(arg, "-d") ||
				     !strcmp(arg, "--dump"))) {
			snprintf(req, len, "debug dump");
		} else if (nmi) {
			if (!*nmi || strspn(nmi, "0123456789") != strlen(nmi) ||
			    strlen(nmi) > 4) {
				pr_err("--nmi takes a vCPU number (got '%s')",
				       nmi);
				return EXIT_USAGE;
			}
			snprintf(req, len, "debug nmi %s", nmi);
		} else if (key) {
			if (strlen(key) != 1 || key[0] <= ' ' || key[0] > '~') {
				pr_err("--sysrq takes one key, a printable character (got '%s')",
				       key);
				return EXIT_USAGE;
			}
			snprintf(req, len, "debug sysrq %s", key);
		} else {
			argv[n++] = argv[i];
			continue;
		}
		given++;
	}
	if (given > 1) {
		pr_err("%s: give one of %s", argv[0],
		       debug ? "--dump, --nmi and --sysrq" : "its options");
		ctl_usage(stderr, argv[0]);
		return EXIT_USAGE;
	}
	*argc = n;
	return -1;
}

/* stop, pause, resume, stat, debug: argv[0] is the request. */
static int cmd_ctl(int argc, char **argv)
{
	static char names[256][CONTROL_NAME_MAX + 1];
	const struct ctl_command *c = ctl_command(argv[0]);
	const char *name = NULL;
	bool all = false, quiet = !c || !c->shows_reply;
	char req[CONTROL_MAX_REQUEST];
	const char *missing;
	int i, n, status;

	status = ctl_request_options(&argc, argv, req, sizeof(req));
	if (status >= 0)
		return status;
	/* Only the balloon's request is a device's. */
	missing = strncmp(req, "balloon", 7) ? NULL :
		  "has no balloon (run it with --balloon)";
	status = ctl_parse(argc, argv, &name, &all);
	if (status >= 0)
		return status;
	if (!name && !all) {
		pr_err("name one VM, or --all");
		ctl_usage(stderr, argv[0]);
		return EXIT_USAGE;
	}
	if (name)
		return ctl_send_to(name, req, quiet, missing);
	status = 0;
	n = list_names(names, 256);
	for (i = 0; i < n; i++) {
		if (!quiet)
			printf("== %s\n", names[i]);
		status |= ctl_send_to(names[i], req, quiet, missing);
	}
	return status;
}

void ctl_help(FILE *f, const char *cmd)
{
	ctl_usage(f, cmd);
}

int cmd_control(int argc, char **argv)
{
	const char *name = NULL;
	bool all = false, rootfs = false;
	int i, n = 1, status;

	if (strcmp(argv[0], "list"))
		return cmd_ctl(argc, argv);
	/* -r/--rootfs: the roots; with -i/--run too, both. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-r") || !strcmp(argv[i], "--rootfs"))
			rootfs = true;
		else
			argv[n++] = argv[i];
	}
	argc = n;
	status = ctl_parse(argc, argv, &name, &all);
	if (status >= 0)
		return status;
	if (rootfs && name) {
		pr_err("list: -r lists every root; it takes no VM name");
		return EXIT_USAGE;
	}
	return cmd_list(name, rootfs, all || !rootfs);
}
