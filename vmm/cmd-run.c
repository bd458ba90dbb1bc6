// SPDX-License-Identifier: GPL-2.0
/* `lkvm run`: parse, build the VM, run it, exit with its status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "control.h"
#include "detach.h"
#include "fd-limit.h"
#include "jail.h"
#include "log.h"
#include "main-helper.h"
#include "run-options.h"
#include "safe-open.h"
#include "sandbox-status.h"
#include "seccomp-filter.h"
#include "signals.h"
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

/* After an error before the guest ran: the status file, the status. */
int run_error(const struct vm_config *cfg, int status)
{
	int err = status_file_write(cfg->status_file, VERDICT_LKVM_ERROR,
				    status);

	if (err)
		pr_err("cannot write the status file '%s': %s",
		       cfg->status_file, strerror(-err));
	return status;
}

int run_configured(struct vm_config *cfg, struct mapped_file *initrd)
{
	enum lkvm_verdict verdict;
	bool outside;
	struct vm vm;
	int r, status;

	log_set_level(cfg->loglevel);
	if (cfg->jail.dir) {
		r = jail_start(cfg, &outside);
		if (r || outside) {
			if (initrd)
				mapped_file_close(initrd);
			/* The jailed lkvm's status: it wrote the status file. */
			if (r < 0)
				r = run_error(cfg, 1);
			vm_config_release(cfg);
			return r;
		}
	}
	/* Before the devices size their descriptor tables from it. */
	fd_limit_raise();
	memset(&vm, 0, sizeof(vm));
	if (initrd) {
		vm.initrd = *initrd;
		memset(initrd, 0, sizeof(*initrd));
	}
	if (map_image("kernel", cfg->kernel_path, cfg->ram_size, &vm.kernel) ||
	    (!vm.initrd.data && cfg->initrd_path &&
	     map_image("initrd", cfg->initrd_path, cfg->ram_size, &vm.initrd))) {
		mapped_file_close(&vm.kernel);
		mapped_file_close(&vm.initrd);
		r = run_error(cfg, 1);
		vm_config_release(cfg);
		return r;
	}
	/* Before the guest runs: see struct status_target. */
	r = status_target_init(&vm.status, cfg->status_file);
	if (r)
		pr_warn("the status file '%s': %s", cfg->status_file,
			strerror(-r));
	/* Before the first thread: pools and the SIGSYS handler see it. */
	r = sc_prepare(cfg->seccomp);
	if (!r)
		r = vm_create(&vm, cfg);
	if (r) {
		vm_destroy(&vm);
		status_target_release(&vm.status);
		r = run_error(cfg, 1);
		vm_config_release(cfg);
		return r;
	}
	r = vm_run(&vm);
	control_stop(&vm);
	/* The devices go at every exit, in reverse order; KVM's VM later. */
	vm_devices_destroy(&vm.devs);
	term_restore(&vm.term);
	verdict = lkvm_verdict_of(cfg->sandbox, r,
				  atomic_load(&vm.guest_status), &status);
	/* By the helper when Landlock confines this thread. */
	r = main_helper_status(&vm.helper, &vm.status, verdict, status);
	main_helper_stop(&vm.helper);
	status_target_release(&vm.status);
	if (r)
		pr_err("cannot write the status file '%s': %s",
		       cfg->status_file, strerror(-r));
	if (cfg->sandbox && verdict == VERDICT_GUEST_LOST)
		pr_err("the guest ended without the command's status: exiting with status %d",
		       status);
	fflush(stdout);
	fflush(stderr);
	/* Status first, KVM's teardown of the VM afterwards. */
	exit_detached(vm.vm_fd, status);
}

/*
 * A bad command line: the status file still gets its line if
 * --status-file could be read from argv (parsing stopped elsewhere).
 */
int run_usage_failed(int argc, char **argv)
{
	struct vm_config cfg = { 0 };
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--status-file") && i + 1 < argc)
			cfg.status_file = argv[i + 1];
		else if (!strncmp(argv[i], "--status-file=", 14))
			cfg.status_file = argv[i] + 14;
	}
	return run_error(&cfg, EXIT_USAGE);
}

bool run_block_stop_signals(void)
{
	int err = signals_block_stop();

	if (err)
		pr_err("cannot block SIGTERM, SIGINT and SIGHUP: %s",
		       strerror(-err));
	return !err;
}

int cmd_run(int argc, char **argv)
{
	long pages = sysconf(_SC_PHYS_PAGES), cpus = sysconf(_SC_NPROCESSORS_ONLN);
	u64 host_ram = pages > 0 ? (u64)pages * (u64)sysconf(_SC_PAGESIZE) : 0;
	struct vm_config cfg;
	char err[512];
	int r;

	if (!run_block_stop_signals())
		return 1;
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
		return run_usage_failed(argc, argv);
	}
	if (cfg.sandbox_env_given) {
		pr_err("--env is for lkvm sandbox: the environment of its command");
		vm_config_release(&cfg);
		fputs("usage: lkvm run [options] [kernel] (see 'lkvm help run')\n",
		      stderr);
		return run_usage_failed(argc, argv);
	}
	return run_configured(&cfg, NULL);
}
