// SPDX-License-Identifier: GPL-2.0
/* `lkvm run`: parse, build the VM, run it, exit with its status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "control.h"
#include "detach.h"
#include "log.h"
#include "run-options.h"
#include "safe-open.h"
#include "vm.h"

#define EXIT_USAGE 2

static int map_image(const char *what, const char *path, u64 limit,
		     struct mapped_file *f)
{
	int err = mapped_file_open(path, limit, f);

	if (err == -EFBIG)
		pr_err("%s '%s' does not fit in %llu MiB of guest memory",
		       what, path, (unsigned long long)(limit >> 20));
	else if (err == -EMEDIUMTYPE)
		pr_err("cannot open %s '%s': %s, not a regular file", what,
		       path, safe_open_type_name(f->mode));
	else if (err)
		pr_err("cannot open %s '%s': %s", what, path, strerror(-err));
	return err;
}

int cmd_run(int argc, char **argv)
{
	long pages = sysconf(_SC_PHYS_PAGES), cpus = sysconf(_SC_NPROCESSORS_ONLN);
	u64 host_ram = pages > 0 ? (u64)pages * (u64)sysconf(_SC_PAGESIZE) : 0;
	struct vm_config cfg;
	struct vm vm;
	char err[256];
	int r;

	r = run_parse_args(argc, argv, &cfg, host_ram,
			   cpus > 0 ? (unsigned int)MIN(cpus, LKVM_MAX_CPUS) : 1,
			   err, sizeof(err));
	if (r > 0) {
		run_usage(stdout);
		return 0;
	}
	if (r < 0) {
		pr_err("%s", err);
		fputs("usage: lkvm run [options] [kernel] (see 'lkvm help run')\n",
		      stderr);
		return EXIT_USAGE;
	}
	log_set_level(cfg.loglevel);

	memset(&vm, 0, sizeof(vm));
	if (map_image("kernel", cfg.kernel_path, cfg.ram_size, &vm.kernel) ||
	    (cfg.initrd_path &&
	     map_image("initrd", cfg.initrd_path, cfg.ram_size, &vm.initrd))) {
		vm_config_release(&cfg);
		return 1;
	}
	r = vm_create(&vm, &cfg);
	if (r) {
		vm_destroy(&vm);
		vm_config_release(&cfg);
		return 1;
	}
	r = vm_run(&vm);
	control_stop(&vm);
	/* The devices go at every exit, in reverse order; KVM's VM later. */
	vm_devices_destroy(&vm.devs);
	term_restore(&vm.term);
	fflush(stdout);
	fflush(stderr);
	/* Status first, KVM's teardown of the VM afterwards. */
	exit_detached(vm.vm_fd, r);
}
