// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the `lkvm run` command-line parser
 * (vmm/run-options.c, with -d's parser in vmm/disk-config.c and -n's in
 * vmm/net-config.c). The input is
 * split at NUL bytes into up to 40 arguments after "run". Invariants
 * beyond no crash:
 * - the same arguments parse the same way twice (no state kept);
 * - a refusal returns -EINVAL with a reason that is one line without
 *   control characters, whatever the arguments held (pr_err makes it
 *   "lkvm: <reason>" at the edge);
 * - an accepted command line is in range (CPUs, memory, disks, a valid
 *   name, a kernel) and round-trips: the config written back as options
 *   parses to the same config, in lkvm's spelling (-k first) and in
 *   kvmtool's (the kernel first, options after it, --console hv, --debug).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "run-options.h"

#define HOST_RAM (8ULL << 30)
#define HOST_CPUS 4
#define MAX_ARGS 40

static char *dup_arg(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		abort();
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_disk(const struct disk_config *a, const struct disk_config *b)
{
	return same_str(a->arg, b->arg) && same_str(a->path, b->path) &&
	       a->readonly == b->readonly && a->direct == b->direct &&
	       same_str(a->serial, b->serial) && a->format == b->format &&
	       a->backing_any == b->backing_any &&
	       a->backing_follow == b->backing_follow &&
	       same_str(a->backing_path, b->backing_path);
}

static bool same_cfg(const struct vm_config *a, const struct vm_config *b)
{
	unsigned int i;

	if (!same_str(a->kernel_path, b->kernel_path) ||
	    !same_str(a->initrd_path, b->initrd_path) ||
	    !same_str(a->cmdline, b->cmdline) || !same_str(a->name, b->name) ||
	    !same_str(a->dev_path, b->dev_path) ||
	    !same_str(a->hugetlbfs_path, b->hugetlbfs_path) ||
	    a->ram_size != b->ram_size || a->nr_cpus != b->nr_cpus ||
	    a->console != b->console ||
	    a->virtio_transport != b->virtio_transport || a->rng != b->rng ||
	    a->pvpanic != b->pvpanic || a->no_acpi != b->no_acpi ||
	    a->nr_disks != b->nr_disks ||
	    a->boot_protocol != b->boot_protocol ||
	    a->loglevel != b->loglevel ||
	    a->emulation_assist != b->emulation_assist ||
	    a->debug_ioport != b->debug_ioport ||
	    a->debug_mmio != b->debug_mmio ||
	    a->debug_single_step != b->debug_single_step)
		return false;
	for (i = 0; i < a->nr_disks; i++)
		if (!same_disk(&a->disks[i], &b->disks[i]))
			return false;
	if (a->nr_nets != b->nr_nets || a->default_nic != b->default_nic)
		return false;
	for (i = 0; i < a->nr_nets; i++)
		if (!same_str(a->nets[i].arg, b->nets[i].arg) ||
		    a->nets[i].mode != b->nets[i].mode)
			return false;
	return true;
}

/*
 * The config as options, in one canonical order; kvmtool_style: the
 * kernel first and options after it (or after "--" when the kernel
 * looks like an option), kvmtool's spellings where they differ.
 */
static int write_back(const struct vm_config *c, char **argv, char *mem,
		      char *cpus, bool kvmtool_style)
{
	static const char *const consoles[] = { "serial", "virtio" };
	static const char *const transports[] = { "pci", "mmio",
						   "mmio-legacy" };
	static const char *const protocols[] = { "auto", "linux64", "pvh" };
	static const char *const assists[] = { "auto", "on", "off" };
	static const char *const levels[] = { "error", "warning", "info",
					      "debug" };
	unsigned int i;
	int n = 0;

	bool kernel_last = kvmtool_style && c->kernel_path[0] == '-';

	argv[n++] = "run";
	if (!kvmtool_style)
		argv[n++] = "-k";
	if (!kernel_last)
		argv[n++] = (char *)c->kernel_path;
	if (c->initrd_path) {
		argv[n++] = "-i";
		argv[n++] = (char *)c->initrd_path;
	}
	argv[n++] = "-p";
	argv[n++] = (char *)c->cmdline;
	snprintf(mem, 32, "%lluK", (unsigned long long)(c->ram_size >> 10));
	argv[n++] = "-m";
	argv[n++] = mem;
	snprintf(cpus, 16, "%u", c->nr_cpus);
	argv[n++] = "-c";
	argv[n++] = cpus;
	if (c->name) {
		argv[n++] = "--name";
		argv[n++] = (char *)c->name;
	}
	argv[n++] = "--console";
	argv[n++] = kvmtool_style && c->console == CONSOLE_VIRTIO ? "hv" :
		    (char *)consoles[c->console];
	argv[n++] = "--virtio-transport";
	argv[n++] = (char *)transports[c->virtio_transport];
	argv[n++] = "--boot-protocol";
	argv[n++] = (char *)protocols[c->boot_protocol];
	argv[n++] = "--emulation-assist";
	argv[n++] = (char *)assists[c->emulation_assist];
	if (kvmtool_style && c->loglevel == LOG_DEBUG) {
		argv[n++] = "--debug";
	} else {
		argv[n++] = "--loglevel";
		argv[n++] = (char *)levels[c->loglevel];
	}
	argv[n++] = "--dev";
	argv[n++] = (char *)c->dev_path;
	if (c->hugetlbfs_path) {
		argv[n++] = "--hugetlbfs";
		argv[n++] = (char *)c->hugetlbfs_path;
	}
	for (i = 0; i < c->nr_disks; i++) {
		argv[n++] = "-d";
		argv[n++] = (char *)c->disks[i].arg;
	}
	for (i = 0; i < c->nr_nets; i++) {
		argv[n++] = "-n";
		argv[n++] = (char *)c->nets[i].arg;
	}
	if (c->rng)
		argv[n++] = "--rng";
	if (!c->pvpanic)
		argv[n++] = "--no-pvpanic";
	if (c->no_acpi)
		argv[n++] = "--no-acpi";
	if (c->debug_ioport)
		argv[n++] = "--debug-ioport";
	if (c->debug_mmio)
		argv[n++] = "--debug-mmio";
	if (c->debug_single_step)
		argv[n++] = "--debug-single-step";
	if (kernel_last) {
		argv[n++] = "--";
		argv[n++] = (char *)c->kernel_path;
	}
	argv[n] = NULL;
	return n;
}

static void check_accepted(const struct vm_config *cfg)
{
	char *argv[64 + 2 * MAX_ARGS], mem[32], cpus[16], err[256];
	struct vm_config again;
	int argc, r, style;

	if (!cfg->kernel_path || !cfg->cmdline || !cfg->dev_path ||
	    cfg->nr_cpus < 1 || cfg->nr_cpus > LKVM_MAX_CPUS ||
	    cfg->ram_size < (1ULL << 20) || cfg->ram_size > HOST_RAM ||
	    cfg->nr_disks > MAX_ARGS || cfg->nr_nets > MAX_ARGS ||
	    (cfg->name && !control_name_valid(cfg->name))) {
		fprintf(stderr, "accepted a config out of range\n");
		abort();
	}
	for (style = 0; style < 2; style++) {
		argc = write_back(cfg, argv, mem, cpus, style);
		r = run_parse_args(argc, argv, &again, HOST_RAM, HOST_CPUS, err,
				   sizeof(err));
		if (r != 0 || !same_cfg(cfg, &again)) {
			fprintf(stderr, "config does not round-trip in %s style (%d: %s)\n",
				style ? "kvmtool" : "lkvm", r, err);
			abort();
		}
		vm_config_release(&again);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char *argv[MAX_ARGS + 2], err[256], err2[256];
	struct vm_config cfg, cfg2;
	size_t at = 0;
	int argc = 0, r, r2, i;

	argv[argc++] = dup_arg("run", 3);
	while (at < size && argc <= MAX_ARGS) {
		const u8 *nul = memchr(data + at, 0, size - at);
		size_t n = nul ? (size_t)(nul - data - at) : size - at;

		argv[argc++] = dup_arg((const char *)data + at, n);
		at += n + 1;
	}
	argv[argc] = NULL;

	r = run_parse_args(argc, argv, &cfg, HOST_RAM, HOST_CPUS, err,
			   sizeof(err));
	r2 = run_parse_args(argc, argv, &cfg2, HOST_RAM, HOST_CPUS, err2,
			    sizeof(err2));
	if (r != r2 || (r == 0 && !same_cfg(&cfg, &cfg2)) ||
	    (r < 0 && strcmp(err, err2))) {
		fprintf(stderr, "two parses of the same arguments differ\n");
		abort();
	}
	if (r < 0 && (r != -EINVAL || !err[0] || strlen(err) >= sizeof(err))) {
		fprintf(stderr, "a refusal without a reason\n");
		abort();
	}
	for (i = 0; r < 0 && err[i]; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f) {
			fprintf(stderr, "a refusal's reason is not one plain line\n");
			abort();
		}
	if (r == 0)
		check_accepted(&cfg);
	if (r < 0 && (cfg.disks || cfg.nr_disks || cfg.nets || cfg.nr_nets)) {
		fprintf(stderr, "a refusal left disks or NICs behind\n");
		abort();
	}
	vm_config_release(&cfg);
	vm_config_release(&cfg2);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
