// SPDX-License-Identifier: GPL-2.0
/* `lkvm run` options: kvmtool's names, strict values, one-line errors. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "control.h"
#include "io-poll.h"
#include "kernel-find.h"
#include "parse-num.h"
#include "root-9p.h"
#include "run-options.h"
#include "seccomp-filter.h"

int parse_mem_size(const char *s, u64 *out)
{
	unsigned long long v;
	u64 shift = 20;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		shift = 20;
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	case 't': case 'T':
		shift = 40;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end == 'i' || *end == 'B' || *end == 'b') {
		if (*end == 'i')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
	}
	if (*end)
		return -EINVAL;
	if (v > (ULLONG_MAX >> shift))
		return -ERANGE;
	*out = (u64)v << shift;
	return 0;
}

/* One line, no terminal controls, whatever the arguments held. */
static void plain_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__printf(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	plain_line(err);
	return -EINVAL;
}


/* Where one run_parse_args() call stands; the setters' context. */
struct run_parse {
	struct vm_config *cfg;
	u64 host_ram;
	bool positional;	/* the kernel came as an argument */
	char *err;
	size_t errlen;
};

#define FAIL(p, ...) fail((p)->err, (p)->errlen, __VA_ARGS__)

/* A value out of a list of words: its index in words, or -1. */
static int pick(const char *val, const char *const *words, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(val, words[i]))
			return i;
	return -1;
}

static int set_kernel(struct run_parse *p, const char *val)
{
	/* -k twice: the last wins, as before. */
	if (p->positional)
		return FAIL(p, "unexpected option '-k %s': the kernel is '%s'",
			    val, p->cfg->kernel_path);
	p->cfg->kernel_path = val;
	return 0;
}

static int set_initrd(struct run_parse *p, const char *val)
{
	p->cfg->initrd_path = val;
	return 0;
}

static int set_params(struct run_parse *p, const char *val)
{
	p->cfg->cmdline = val;
	return 0;
}

static int set_mem(struct run_parse *p, const char *val)
{
	struct vm_config *cfg = p->cfg;

	if (parse_mem_size(val, &cfg->ram_size))
		return FAIL(p, "invalid memory size '%s'", val);
	if (cfg->ram_size < SZ_1M)
		return FAIL(p, "memory size '%s' is too small: at least 1M",
			    val);
	if (p->host_ram && cfg->ram_size > p->host_ram)
		return FAIL(p, "memory size '%s' is more than the host's %llu MiB",
			    val, (unsigned long long)(p->host_ram >> 20));
	return 0;
}

static int set_cpus(struct run_parse *p, const char *val)
{
	unsigned long n;
	int r = parse_num_ulong(val, LKVM_MAX_CPUS, PARSE_NUM_BLANKS, &n);

	if (r == -ERANGE)
		return FAIL(p, "too many CPUs '%s': at most %d", val,
			    LKVM_MAX_CPUS);
	if (r || n == 0)
		return FAIL(p, "invalid CPU count '%s': need 1 to %d", val,
			    LKVM_MAX_CPUS);
	p->cfg->nr_cpus = n;
	return 0;
}

static int set_name(struct run_parse *p, const char *val)
{
	if (!control_name_valid(val))
		return FAIL(p, "invalid name '%s': %s", val, CONTROL_NAME_RULE);
	p->cfg->name = val;
	return 0;
}

static int set_console(struct run_parse *p, const char *val)
{
	/* "hv": kvmtool's name for the virtio console. */
	static const char *const words[] = { "serial", "virtio", "hv" };
	static const enum console_kind kinds[] = {
		CONSOLE_SERIAL, CONSOLE_VIRTIO, CONSOLE_VIRTIO,
	};
	int i = pick(val, words, ARRAY_SIZE(words));

	if (i < 0)
		return FAIL(p, "unsupported console '%s': use serial, virtio or hv",
			    val);
	p->cfg->console = kinds[i];
	return 0;
}

static int set_balloon(struct run_parse *p, const char *val)
{
	p->cfg->balloon = true;
	return 0;
}

static int set_rng(struct run_parse *p, const char *val)
{
	p->cfg->rng = true;
	return 0;
}

static int set_no_pvpanic(struct run_parse *p, const char *val)
{
	p->cfg->pvpanic = false;
	return 0;
}

/* --seccomp on|log|off: cfg->seccomp is an enum sc_mode. */
static int set_seccomp(struct run_parse *p, const char *val)
{
	static const char *const words[] = { "on", "log", "off" };
	static const enum sc_mode modes[] = {
		SC_MODE_ON, SC_MODE_LOG, SC_MODE_OFF,
	};
	int i = pick(val, words, ARRAY_SIZE(words));

	if (i < 0)
		return FAIL(p, "unsupported --seccomp '%s': use on, log or off",
			    val);
	p->cfg->seccomp = modes[i];
	return 0;
}

/* -d/--disk: PATH[,options], parsed now (vmm/disk-config.c). */
static int set_disk(struct run_parse *p, const char *val)
{
	/* A directory or a `lkvm setup` name: the 9p root (root-9p.c). */
	int r = root_9p_from_disk_arg(p->cfg, val, p->err, p->errlen);

	if (r > 0)
		return 0;
	if (!r)
		r = vm_config_add_disk(p->cfg, val, p->err, p->errlen);

	if (r)
		plain_line(p->err);
	return r ? -EINVAL : 0;
}

/* -n/--network: kvmtool's sub-options, parsed now (vmm/net-config.c). */
static int set_network(struct run_parse *p, const char *val)
{
	int r = vm_config_add_net(p->cfg, val, p->err, p->errlen);

	if (r)
		plain_line(p->err);
	return r ? -EINVAL : 0;
}

static int set_console_log(struct run_parse *p, const char *val)
{
	p->cfg->console_log = val;
	return 0;
}

static int set_status_file(struct run_parse *p, const char *val)
{
	p->cfg->status_file = val;
	return 0;
}

/*
 * --env NAME[=VALUE]: NAME alone passes lkvm's own value, and nothing when
 * lkvm has none (as docker run -e does).
 */
static int set_env(struct run_parse *p, const char *val)
{
	struct vm_config *cfg = p->cfg;
	const char *eq = strchr(val, '='), **more;
	size_t len = eq ? (size_t)(eq - val) : strlen(val);
	char **e = environ;

	if (!len)
		return FAIL(p, "invalid --env '%s': use NAME or NAME=VALUE",
			    val);
	cfg->sandbox_env_given = true;
	if (cfg->nr_sandbox_env >= LKVM_SANDBOX_MAX_ENV)
		return FAIL(p, "too many --env: at most %u",
			    LKVM_SANDBOX_MAX_ENV);
	if (!eq) {
		while (e && *e && (strncmp(*e, val, len) || (*e)[len] != '='))
			e++;
		if (!e || !*e)
			return 0;
		val = *e;
	}
	more = realloc(cfg->sandbox_env,
		       (cfg->nr_sandbox_env + 1) * sizeof(*more));
	if (!more)
		return FAIL(p, "out of memory");
	more[cfg->nr_sandbox_env++] = val;
	cfg->sandbox_env = more;
	return 0;
}

static int set_nodefaults(struct run_parse *p, const char *val)
{
	p->cfg->nodefaults = true;
	return 0;
}

/* --9p DIR,TAG[,ro][,passthrough]: checked now (vmm/p9-config.c). */
static int set_9p(struct run_parse *p, const char *val)
{
	int r = vm_config_parse_9p(p->cfg, val, p->err, p->errlen);

	if (r)
		plain_line(p->err);
	return r ? -EINVAL : 0;
}

/* --vsock CID[,path=SOCK]: checked now (vmm/vsock-config.c). */
static int set_vsock(struct run_parse *p, const char *val)
{
	int r = vm_config_parse_vsock(p->cfg, val, p->err, p->errlen);

	if (r)
		plain_line(p->err);
	return r ? -EINVAL : 0;
}

static int set_virtio_transport(struct run_parse *p, const char *val)
{
	/* In the order of enum virtio_transport. */
	static const char *const words[] = { "pci", "mmio", "mmio-legacy" };
	int i = pick(val, words, ARRAY_SIZE(words));

	if (i < 0)
		return FAIL(p, "invalid virtio transport '%s': use pci, mmio or mmio-legacy",
			    val);
	p->cfg->virtio_transport = i;
	return 0;
}

static int set_no_acpi(struct run_parse *p, const char *val)
{
	p->cfg->no_acpi = true;
	return 0;
}

static int set_guest_decompress(struct run_parse *p, const char *val)
{
	p->cfg->guest_decompress = true;
	return 0;
}

static int set_loglevel(struct run_parse *p, const char *val)
{
	if (log_parse_level(val, &p->cfg->loglevel))
		return FAIL(p, "invalid log level '%s': use error, warning, info or debug",
			    val);
	return 0;
}

static int set_debug(struct run_parse *p, const char *val)
{
	p->cfg->loglevel = LOG_DEBUG;
	return 0;
}

static int set_boot_protocol(struct run_parse *p, const char *val)
{
	static const char *const words[] = { "auto", "linux64", "pvh" };
	static const enum boot_protocol protos[] = {
		BOOT_PROTO_AUTO, BOOT_PROTO_LINUX64, BOOT_PROTO_PVH,
	};
	int i = pick(val, words, ARRAY_SIZE(words));

	if (i < 0)
		return FAIL(p, "invalid boot protocol '%s': use auto, linux64 or pvh",
			    val);
	p->cfg->boot_protocol = protos[i];
	return 0;
}

static int set_emulation_assist(struct run_parse *p, const char *val)
{
	static const char *const words[] = { "auto", "on", "off" };
	static const enum emulation_assist modes[] = {
		EMULATION_ASSIST_AUTO, EMULATION_ASSIST_ON,
		EMULATION_ASSIST_OFF,
	};
	int i = pick(val, words, ARRAY_SIZE(words));

	if (i < 0)
		return FAIL(p, "invalid emulation assist '%s': use auto, on or off",
			    val);
	p->cfg->emulation_assist = modes[i];
	return 0;
}

static int set_hugetlbfs(struct run_parse *p, const char *val)
{
	p->cfg->hugetlbfs_path = val;
	return 0;
}

static int set_dev(struct run_parse *p, const char *val)
{
	p->cfg->dev_path = val;
	return 0;
}

static int set_debug_ioport(struct run_parse *p, const char *val)
{
	p->cfg->debug_ioport = true;
	return 0;
}

static int set_debug_mmio(struct run_parse *p, const char *val)
{
	p->cfg->debug_mmio = true;
	return 0;
}

static int set_debug_single_step(struct run_parse *p, const char *val)
{
	p->cfg->debug_single_step = true;
	return 0;
}

static int set_jail(struct run_parse *p, const char *val)
{
	p->cfg->jail.dir = val;
	return 0;
}

static int set_jail_user(struct run_parse *p, const char *val)
{
	p->cfg->jail.user = val;
	return 0;
}

/* 1: run_parse_args() returns 1, the caller prints the help. */
static int set_help(struct run_parse *p, const char *val)
{
	return 1;
}

/*
 * Every `lkvm run` option, in the order of the help. lkvm.1's OPTIONS FOR
 * RUN lists the same (tests/unit/run-options.c checks).
 */
/* --io-poll US: 0 (off) to IO_POLL_MAX_NS / 1000. */
static int set_io_poll(struct run_parse *p, const char *val)
{
	unsigned long n;

	if (parse_num_ulong(val, IO_POLL_MAX_NS / 1000,
			    PARSE_NUM_BLANKS, &n))
		return FAIL(p, "invalid --io-poll '%s': need 0 to %u microseconds",
			    val, IO_POLL_MAX_NS / 1000);
	p->cfg->io_poll_us = n;
	return 0;
}

static const struct run_option run_option_table[] = {
	{ "kernel", 'k', "PATH", set_kernel,
	  "kernel: bzImage, ELF vmlinux, PVH ELF or flat binary" },
	{ "initrd", 'i', "PATH", set_initrd, "initial ramdisk" },
	{ "params", 'p', "STRING", set_params, "kernel command line" },
	{ "mem", 'm', "SIZE", set_mem,
	  "guest RAM; K/M/G suffix, bare number is MiB (256M)" },
	{ "cpus", 'c', "N", set_cpus, "vCPUs (default: host CPUs)" },
	{ "name", 0, "NAME", set_name, "guest name" },
	{ "console", 0, "C", set_console,
	  "console device: serial, or virtio (hv:\nthe same) (serial)" },
	{ "rng", 0, NULL, set_rng, "a virtio-rng device (host getrandom)" },
	{ "balloon", 0, NULL, set_balloon,
	  "a virtio-balloon: lkvm balloon gives guest\n"
	  "memory back to the host; lkvm stat -m" },
	{ "no-pvpanic", 0, NULL, set_no_pvpanic,
	  "leave out the pvpanic device, through which\n"
	  "a guest panic ends lkvm with status 3" },
	{ "disk", 'd',
	  "PATH[,ro][,direct][,io=thread|vcpu|auto][,serial=S]\n"
	  "[,format=raw|qcow2][,backing=any|FILE][,backing-follow]",
	  set_disk,
	  "virtio-blk disk: raw or qcow2 (repeatable);\n"
	  "format probed unless given; io=vcpu: a lone\n"
	  "request runs on the vCPU (io=auto: while\n"
	  "such requests are quick); where a qcow2's\n"
	  "backing file may be: see lkvm(1)" },
	{ "network", 'n',
	  "mode=tap|user|none[,tapif=IF][,guest_mac=MAC]\n"
	  "[,host_mac=MAC][,host_ip=IP][,guest_ip=IP][,script=S][,downscript=S]\n"
	  "[,fd=N][,queues=N][,hostfwd=tcp:HOSTPORT-:GUESTPORT]",
	  set_network,
	  "virtio-net NIC (repeatable); none: no NIC;\n"
	  "without -n: one user-mode NIC (libslirp)" },
	{ "9p", 0, "DIR,TAG[,ro][,passthrough]", set_9p,
	  "share host directory DIR with the guest\n"
	  "over virtio-9p as mount tag TAG (repeatable);\n"
	  "ro: read-only; passthrough (root only): the\n"
	  "guest's owners and modes on the host files" },
	{ "vsock", 0, "CID[,path=SOCK]", set_vsock,
	  "virtio-vsock with guest CID (3 or more); host\n"
	  "programs connect through UNIX socket SOCK\n"
	  "(\"CONNECT <port>\"), guest ones reach SOCK_<port>" },
	{ "console-log", 0, "FILE", set_console_log,
	  "the serial console's output (the kernel's\n"
	  "log) to FILE, not to stdout" },
	{ "env", 'e', "NAME[=VALUE]", set_env,
	  "lkvm sandbox: NAME in the command's environment,\n"
	  "VALUE or lkvm's own (repeatable)" },
	{ "status-file", 0, "FILE", set_status_file,
	  "write lkvm's verdict to FILE: command N,\n"
	  "guest-panic, guest-lost or lkvm-error" },
	{ "nodefaults", 0, NULL, set_nodefaults,
	  "no default kernel command line: -p is all" },
	{ "virtio-transport", 0, "T", set_virtio_transport,
	  "pci, mmio or mmio-legacy (pci)" },
	{ "no-acpi", 0, NULL, set_no_acpi,
	  "no ACPI tables (x86): the MP table only" },
	{ "guest-decompress", 0, NULL, set_guest_decompress,
	  "bzImage (x86): run the kernel's own decompressor\n"
	  "instead of decompressing it on the host" },
	{ "loglevel", 0, "LEVEL", set_loglevel,
	  "error, warning, info or debug (warning)" },
	{ "debug", 0, NULL, set_debug, "the same as --loglevel debug" },
	{ "boot-protocol", 0, "P", set_boot_protocol,
	  "auto, linux64 or pvh (auto)" },
	{ "emulation-assist", 0, "M", set_emulation_assist,
	  "auto, on or off: complete what the host's\n"
	  "instruction emulator cannot (auto)" },
	{ "hugetlbfs", 0, "PATH", set_hugetlbfs,
	  "back guest RAM with huge pages from PATH" },
	{ "dev", 0, "PATH", set_dev, "KVM device (/dev/kvm)" },
	{ "debug-ioport", 0, NULL, set_debug_ioport,
	  "print every port I/O exit" },
	{ "debug-mmio", 0, NULL, set_debug_mmio, "print every MMIO exit" },
	{ "debug-single-step", 0, NULL, set_debug_single_step,
	  "single-step the guest, printing each RIP" },
	{ "seccomp", 0, "on|log|off", set_seccomp,
	  "system call filters per thread: on (a\n"
	  "forbidden call ends lkvm, status 159), log\n"
	  "(the kernel logs it) or off (on)" },
	{ "io-poll", 0, "US", set_io_poll,
	  "the I/O thread polls up to US microseconds\n"
	  "(adaptive) before it sleeps; 0: never (64)" },
	{ "jail", 0, "DIR", set_jail,
	  "run the VM jailed in DIR: new namespaces, only\n"
	  "its files, no capabilities (see lkvm(1), JAIL)" },
	{ "jail-user", 0, "USER[:GROUP]", set_jail_user,
	  "the jailed VM's user (as root: required; else\n"
	  "only yourself)" },
	{ "help", 'h', NULL, set_help, "this help" },
};

#define NR_RUN_OPTIONS ARRAY_SIZE(run_option_table)

const struct run_option *run_options(unsigned int *nr)
{
	*nr = NR_RUN_OPTIONS;
	return run_option_table;
}

/* Columns of the help: options from 3, their help from 28. */
#define HELP_LEFT 24
#define HELP_INDENT "                          "
#define ARG_INDENT "            "

static void print_option(FILE *f, const struct run_option *o)
{
	const char *arg = o->arg ? o->arg : "", *help = o->help, *nl;
	char left[HELP_LEFT + 1];
	int n;

	nl = strchr(arg, '\n');
	n = snprintf(left, sizeof(left), "%c%c%c --%s%s%.*s",
		     o->short_name ? '-' : ' ', o->short_name ?: ' ',
		     o->short_name ? ',' : ' ', o->name, o->arg ? " " : "",
		     nl ? (int)(nl - arg) : (int)strlen(arg), arg);
	if (n <= HELP_LEFT && !nl) {
		/* The first help line beside the option. */
		nl = strchr(help, '\n');
		fprintf(f, "  %-*s %.*s\n", HELP_LEFT, left,
			nl ? (int)(nl - help) : (int)strlen(help), help);
		help = nl ? nl + 1 : NULL;
	} else {
		fprintf(f, "  %c%c%c --%s %.*s\n", o->short_name ? '-' : ' ',
			o->short_name ?: ' ', o->short_name ? ',' : ' ',
			o->name, nl ? (int)(nl - arg) : (int)strlen(arg), arg);
		while (nl) {
			arg = nl + 1;
			nl = strchr(arg, '\n');
			fprintf(f, ARG_INDENT "%.*s\n",
				nl ? (int)(nl - arg) : (int)strlen(arg), arg);
		}
	}
	while (help) {
		nl = strchr(help, '\n');
		fprintf(f, " " HELP_INDENT "%.*s\n",
			nl ? (int)(nl - help) : (int)strlen(help), help);
		help = nl ? nl + 1 : NULL;
	}
}

void run_usage(FILE *f)
{
	unsigned int i;

	fputs("usage: lkvm run [options] [kernel] [options]\n\n", f);
	for (i = 0; i < NR_RUN_OPTIONS; i++)
		print_option(f, &run_option_table[i]);
}

/* The one argument that is not an option: the kernel, if -k gave none. */
static int set_positional_kernel(struct run_parse *p, const char *path)
{
	if (p->cfg->kernel_path)
		return FAIL(p, "unexpected argument '%s': the kernel is '%s'",
			    path, p->cfg->kernel_path);
	p->cfg->kernel_path = path;
	p->positional = true;
	return 0;
}

/* No -k: look where kvmtool does (kernel-find.c), or say where we did. */
static int run_find_kernel(struct run_parse *p)
{
	struct utsname u;
	char looked[512];

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	p->cfg->kernel_found = kernel_find(u.release, looked, sizeof(looked));
	if (!p->cfg->kernel_found)
		return FAIL(p, "no kernel given (-k PATH) and none found at %s",
			    looked);
	p->cfg->kernel_path = p->cfg->kernel_found;
	return 0;
}

/* getopt_long()'s view of the table: its long options and short ones. */
static void getopt_tables(struct option *longopts, char *shortopts)
{
	const struct run_option *o;
	unsigned int i;

	/*
	 * "-": options may follow the kernel, as in kvmtool; each argument
	 * that is not an option comes back in order as 1, whatever
	 * POSIXLY_CORRECT says. ":": a missing value comes back as ':'.
	 */
	*shortopts++ = '-';
	*shortopts++ = ':';
	for (i = 0; i < NR_RUN_OPTIONS; i++) {
		o = &run_option_table[i];
		longopts[i] = (struct option){
			.name = o->name,
			.has_arg = o->arg ? required_argument : no_argument,
			.val = RUN_OPT_LONG + i,
		};
		if (!o->short_name)
			continue;
		*shortopts++ = o->short_name;
		if (o->arg)
			*shortopts++ = ':';
	}
	*shortopts = '\0';
	longopts[i] = (struct option){ 0 };
}

/* The table entry getopt_long() returned, or NULL. */
static const struct run_option *getopt_entry(int opt)
{
	unsigned int i;

	if (opt >= RUN_OPT_LONG && opt < RUN_OPT_LONG + (int)NR_RUN_OPTIONS)
		return &run_option_table[opt - RUN_OPT_LONG];
	for (i = 0; opt > 0 && opt < RUN_OPT_LONG && i < NR_RUN_OPTIONS; i++)
		if (run_option_table[i].short_name == opt)
			return &run_option_table[i];
	return NULL;
}

static int run_parse(struct run_parse *p, int argc, char **argv)
{
	struct option longopts[NR_RUN_OPTIONS + 1];
	char shortopts[2 + 2 * NR_RUN_OPTIONS + 1];
	const struct run_option *o;
	int opt, r;

	getopt_tables(longopts, shortopts);
	optind = 0;	/* glibc: full re-initialisation, for repeated calls */
	opterr = 0;
	/* "--" ends the options. */
	while ((opt = getopt_long(argc, argv, shortopts, longopts,
				  NULL)) != -1) {
		if (opt == 1) {
			r = set_positional_kernel(p, optarg);
			if (r)
				return r;
			continue;
		}
		if (opt == ':')
			return FAIL(p, "option '%s' needs a value",
				    argv[optind - 1]);
		o = getopt_entry(opt);
		if (!o)
			return FAIL(p, "unknown option '%s'", argv[optind - 1]);
		r = o->set(p, optarg);
		if (r)
			return r;
	}
	if (optind < argc) {
		r = set_positional_kernel(p, argv[optind++]);
		if (r)
			return r;
	}
	if (optind < argc)
		return FAIL(p, "unexpected argument '%s'", argv[optind]);
	if (p->cfg->balloon && p->cfg->hugetlbfs_path)
		return FAIL(p, "--balloon cannot give memory back from hugetlbfs-backed RAM (--hugetlbfs): use one or the other");
	if (p->cfg->jail.user && !p->cfg->jail.dir)
		return FAIL(p, "--jail-user needs --jail DIR");
	if (p->cfg->name) {
		r = root_9p_from_name(p->cfg, p->cfg->name, p->err,
				      p->errlen);
		if (r < 0)
			return r;
	}
	if (!p->cfg->kernel_path)
		return run_find_kernel(p);
	return 0;
}

int run_parse_args(int argc, char **argv, struct vm_config *cfg,
		   u64 host_ram, unsigned int host_cpus, char *err,
		   size_t errlen)
{
	struct run_parse p = {
		.cfg = cfg, .host_ram = host_ram, .err = err, .errlen = errlen,
	};
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = LKVM_DEFAULT_RAM;
	cfg->nr_cpus = host_cpus ? host_cpus : 1;
	cfg->dev_path = "/dev/kvm";
	cfg->cmdline = "";
	cfg->loglevel = LOG_WARN;
	cfg->console = CONSOLE_SERIAL;
	cfg->boot_protocol = BOOT_PROTO_AUTO;
	cfg->pvpanic = true;
	cfg->io_poll_us = IO_POLL_DEFAULT_US;
	cfg->argv = argv;
	err[0] = '\0';

	r = run_parse(&p, argc, argv);
	/* No -n: kvmtool's one user-mode NIC, where lkvm has libslirp. */
	cfg->default_nic = !r && !cfg->nr_nets && !cfg->nodefaults &&
			   net_user_available();
	if (r)
		vm_config_release(cfg);
	return r;
}
