// SPDX-License-Identifier: GPL-2.0
/* `lkvm run` options: kvmtool's names, strict values, one-line errors. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "run-options.h"
#include "virtio/blk.h"

enum {
	OPT_NAME = 256,
	OPT_CONSOLE,
	OPT_LOGLEVEL,
	OPT_DEBUG_IOPORT,
	OPT_DEBUG_MMIO,
	OPT_DEBUG_SINGLE_STEP,
	OPT_HUGETLBFS,
	OPT_DEV,
	OPT_BOOT_PROTOCOL,
	OPT_EMULATION_ASSIST,
	OPT_RNG,
	OPT_VIRTIO_TRANSPORT,
	OPT_NO_PVPANIC,
	OPT_NO_ACPI,
	OPT_DEBUG,
};


static const struct option run_options[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "params", required_argument, NULL, 'p' },
	{ "mem", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "loglevel", required_argument, NULL, OPT_LOGLEVEL },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "debug-ioport", no_argument, NULL, OPT_DEBUG_IOPORT },
	{ "debug-mmio", no_argument, NULL, OPT_DEBUG_MMIO },
	{ "debug-single-step", no_argument, NULL, OPT_DEBUG_SINGLE_STEP },
	{ "hugetlbfs", required_argument, NULL, OPT_HUGETLBFS },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "boot-protocol", required_argument, NULL, OPT_BOOT_PROTOCOL },
	{ "emulation-assist", required_argument, NULL, OPT_EMULATION_ASSIST },
	{ "rng", no_argument, NULL, OPT_RNG },
	{ "no-pvpanic", no_argument, NULL, OPT_NO_PVPANIC },
	{ "disk", required_argument, NULL, 'd' },
	{ "virtio-transport", required_argument, NULL, OPT_VIRTIO_TRANSPORT },
	{ "no-acpi", no_argument, NULL, OPT_NO_ACPI },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void run_usage(FILE *f)
{
	fputs("usage: lkvm run [options] [kernel] [options]\n"
	      "\n"
	      "  -k, --kernel PATH        kernel: bzImage, ELF vmlinux, PVH ELF or flat binary\n"
	      "  -i, --initrd PATH        initial ramdisk\n"
	      "  -p, --params STRING      kernel command line\n"
	      "  -m, --mem SIZE           guest RAM; K/M/G suffix, bare number is MiB (256M)\n"
	      "  -c, --cpus N             vCPUs (default: host CPUs)\n"
	      "      --name NAME          guest name\n"
	      "      --console C          console device: serial, or virtio (hv:\n"
	      "                           the same) (serial)\n"
	      "      --rng                a virtio-rng device (host getrandom)\n"
	      "      --no-pvpanic         leave out the pvpanic device, through which\n"
	      "                           a guest panic ends lkvm with status 3\n"
	      "  -d, --disk PATH[,ro][,direct][,serial=S][,format=raw|qcow2]\n"
	      "            [,backing=any|FILE][,backing-follow]\n"
	      "                           virtio-blk disk: raw or qcow2 (repeatable);\n"
	      "                           format probed unless given; where a qcow2's\n"
	      "                           backing file may be: see lkvm(1)\n"
	      "      --virtio-transport T pci, mmio or mmio-legacy (pci)\n"
	      "      --no-acpi            no ACPI tables (x86): the MP table only\n"
	      "      --loglevel LEVEL     error, warning, info or debug (warning)\n"
	      "      --debug              the same as --loglevel debug\n"
	      "      --boot-protocol P    auto, linux64 or pvh (auto)\n"
	      "      --emulation-assist M auto, on or off: complete what the host's\n"
	      "                           instruction emulator cannot (auto)\n"
	      "      --hugetlbfs PATH     back guest RAM with huge pages from PATH\n"
	      "      --dev PATH           KVM device (/dev/kvm)\n"
	      "      --debug-ioport       print every port I/O exit\n"
	      "      --debug-mmio         print every MMIO exit\n"
	      "      --debug-single-step  single-step the guest, printing each RIP\n"
	      "  -h, --help               this help\n", f);
}

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

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = v;
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

/* -d/--disk: PATH[,options] (checked by virtio/blk.c). */
static int add_disk(struct vm_config *cfg, const char *arg, char *err,
		    size_t errlen)
{
	struct virtio_blk_options o = { 0 };
	char *buf = NULL;
	int r;

	if (cfg->nr_disks == LKVM_MAX_DISKS)
		return fail(err, errlen, "too many disks: at most %d",
			    LKVM_MAX_DISKS);
	r = virtio_blk_parse_arg(arg, &o, &buf, err, errlen);
	free(buf);
	if (r) {
		plain_line(err);
		return -EINVAL;
	}
	cfg->disks[cfg->nr_disks++] = arg;
	return 0;
}

/* The one argument that is not an option: the kernel, if -k gave none. */
static int set_kernel(struct vm_config *cfg, const char *path, char *err,
		      size_t errlen)
{
	if (cfg->kernel_path)
		return fail(err, errlen, "unexpected argument '%s': the kernel is '%s'",
			    path, cfg->kernel_path);
	cfg->kernel_path = path;
	return 0;
}

int run_parse_args(int argc, char **argv, struct vm_config *cfg,
		   u64 host_ram, unsigned int host_cpus, char *err,
		   size_t errlen)
{
	bool positional = false;
	unsigned long n;
	int opt, r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = LKVM_DEFAULT_RAM;
	cfg->nr_cpus = host_cpus ? host_cpus : 1;
	cfg->dev_path = "/dev/kvm";
	cfg->cmdline = "";
	cfg->loglevel = LOG_WARN;
	cfg->console = CONSOLE_SERIAL;
	cfg->boot_protocol = BOOT_PROTO_AUTO;
	cfg->pvpanic = true;
	err[0] = '\0';

	optind = 0;	/* glibc: full re-initialisation, for repeated calls */
	opterr = 0;
	/*
	 * "-": options may follow the kernel, as in kvmtool; each argument
	 * that is not an option comes back in order as 1, whatever
	 * POSIXLY_CORRECT says. "--" ends the options.
	 */
	while ((opt = getopt_long(argc, argv, "-:k:i:p:m:c:d:h", run_options,
				  NULL)) != -1) {
		switch (opt) {
		case 1:
			r = set_kernel(cfg, optarg, err, errlen);
			if (r)
				return r;
			positional = true;
			break;
		case 'k':
			/* -k twice: the last wins, as before. */
			if (positional)
				return fail(err, errlen,
					    "unexpected option '-k %s': the kernel is '%s'",
					    optarg, cfg->kernel_path);
			cfg->kernel_path = optarg;
			break;
		case 'i':
			cfg->initrd_path = optarg;
			break;
		case 'p':
			cfg->cmdline = optarg;
			break;
		case 'm':
			r = parse_mem_size(optarg, &cfg->ram_size);
			if (r)
				return fail(err, errlen, "invalid memory size '%s'",
					    optarg);
			if (cfg->ram_size < SZ_1M)
				return fail(err, errlen,
					    "memory size '%s' is too small: at least 1M",
					    optarg);
			if (host_ram && cfg->ram_size > host_ram)
				return fail(err, errlen,
					    "memory size '%s' is more than the host's %llu MiB",
					    optarg,
					    (unsigned long long)(host_ram >> 20));
			break;
		case 'c':
			r = parse_uint(optarg, LKVM_MAX_CPUS, &n);
			if (r == -ERANGE)
				return fail(err, errlen,
					    "too many CPUs '%s': at most %d",
					    optarg, LKVM_MAX_CPUS);
			if (r || n == 0)
				return fail(err, errlen,
					    "invalid CPU count '%s': need 1 to %d",
					    optarg, LKVM_MAX_CPUS);
			cfg->nr_cpus = n;
			break;
		case OPT_NAME:
			if (!control_name_valid(optarg))
				return fail(err, errlen, "invalid name '%s': %s",
					    optarg, CONTROL_NAME_RULE);
			cfg->name = optarg;
			break;
		case OPT_CONSOLE:
			if (!strcmp(optarg, "serial"))
				cfg->console = CONSOLE_SERIAL;
			else if (!strcmp(optarg, "virtio") ||
				 !strcmp(optarg, "hv"))
				cfg->console = CONSOLE_VIRTIO;
			else
				return fail(err, errlen,
					    "unsupported console '%s': use serial, virtio or hv",
					    optarg);
			break;
		case OPT_RNG:
			cfg->rng = true;
			break;
		case OPT_NO_PVPANIC:
			cfg->pvpanic = false;
			break;
		case 'd':
			if (add_disk(cfg, optarg, err, errlen))
				return -EINVAL;
			break;
		case OPT_VIRTIO_TRANSPORT:
			if (!strcmp(optarg, "pci"))
				cfg->virtio_transport = VIRTIO_TRANSPORT_PCI;
			else if (!strcmp(optarg, "mmio"))
				cfg->virtio_transport = VIRTIO_TRANSPORT_MMIO;
			else if (!strcmp(optarg, "mmio-legacy"))
				cfg->virtio_transport =
					VIRTIO_TRANSPORT_MMIO_LEGACY;
			else
				return fail(err, errlen,
					    "invalid virtio transport '%s': use pci, mmio or mmio-legacy",
					    optarg);
			break;
		case OPT_NO_ACPI:
			cfg->no_acpi = true;
			break;
		case OPT_LOGLEVEL:
			if (log_parse_level(optarg, &cfg->loglevel))
				return fail(err, errlen,
					    "invalid log level '%s': use error, warning, info or debug",
					    optarg);
			break;
		case OPT_DEBUG:
			cfg->loglevel = LOG_DEBUG;
			break;
		case OPT_DEBUG_IOPORT:
			cfg->debug_ioport = true;
			break;
		case OPT_DEBUG_MMIO:
			cfg->debug_mmio = true;
			break;
		case OPT_DEBUG_SINGLE_STEP:
			cfg->debug_single_step = true;
			break;
		case OPT_HUGETLBFS:
			cfg->hugetlbfs_path = optarg;
			break;
		case OPT_DEV:
			cfg->dev_path = optarg;
			break;
		case OPT_BOOT_PROTOCOL:
			if (!strcmp(optarg, "auto"))
				cfg->boot_protocol = BOOT_PROTO_AUTO;
			else if (!strcmp(optarg, "linux64"))
				cfg->boot_protocol = BOOT_PROTO_LINUX64;
			else if (!strcmp(optarg, "pvh"))
				cfg->boot_protocol = BOOT_PROTO_PVH;
			else
				return fail(err, errlen,
					    "invalid boot protocol '%s': use auto, linux64 or pvh",
					    optarg);
			break;
		case OPT_EMULATION_ASSIST:
			if (!strcmp(optarg, "auto"))
				cfg->emulation_assist = EMULATION_ASSIST_AUTO;
			else if (!strcmp(optarg, "on"))
				cfg->emulation_assist = EMULATION_ASSIST_ON;
			else if (!strcmp(optarg, "off"))
				cfg->emulation_assist = EMULATION_ASSIST_OFF;
			else
				return fail(err, errlen,
					    "invalid emulation assist '%s': use auto, on or off",
					    optarg);
			break;
		case 'h':
			return 1;
		case ':':
			return fail(err, errlen, "option '%s' needs a value",
				    argv[optind - 1]);
		default:
			return fail(err, errlen, "unknown option '%s'",
				    argv[optind - 1]);
		}
	}
	if (optind < argc) {
		r = set_kernel(cfg, argv[optind++], err, errlen);
		if (r)
			return r;
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'",
			    argv[optind]);
	if (!cfg->kernel_path)
		return fail(err, errlen, "no kernel given: use -k PATH");
	return 0;
}
