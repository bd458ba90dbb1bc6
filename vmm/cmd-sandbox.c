// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm sandbox [run options] -- CMD [ARGS...]`: boot the kernel with the
 * host's root read-only (share lkvm-root) under a tmpfs overlay, the
 * current directory writable (share lkvm-cwd), and lkvm's guest init in
 * an initramfs lkvm makes, which runs CMD as the invoking user; exit with
 * CMD's status (sandbox-status.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "commands.h"
#include "guest-job.h"
#include "log.h"
#include "mapped-file.h"
#include "run-options.h"
#include "sandbox-job.h"
#include "vm.h"

#define EXIT_USAGE 2

/* Where "--" is in argv, or argc. */
static int dashdash(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			return i;
	return argc;
}

/* The initramfs with the guest init and the job, mapped for the VM. */
static int sandbox_initrd(const struct sandbox_job *job,
			  struct mapped_file *out)
{
	size_t init_len, job_len;
	const void *init = guest_init_image(&init_len);
	char *buf, err[256];
	off_t size;
	void *p;
	int fd, r;

	if (!init_len) {
		pr_err("this lkvm was built without a guest init for its arch: no sandbox");
		return -ENOENT;
	}
	r = sandbox_job_encode(job, &buf, &job_len, err, sizeof(err));
	if (r) {
		pr_err("%s", r == -ENOMEM ? "out of memory" : err);
		return r;
	}
	fd = memfd_create("lkvm-sandbox-initramfs", MFD_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(buf);
		pr_err("cannot make the sandbox's initramfs: %s", strerror(-r));
		return r;
	}
	r = sandbox_initramfs_write(fd, init, init_len, buf, job_len);
	free(buf);
	size = r ? -1 : lseek(fd, 0, SEEK_END);
	if (size <= 0) {
		r = r ? r : -EIO;
		close(fd);
		pr_err("cannot make the sandbox's initramfs: %s", strerror(-r));
		return r;
	}
	p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		pr_err("cannot map the sandbox's initramfs: %s",
		       strerror(errno));
		return -ENOMEM;
	}
	out->data = p;
	out->len = (size_t)size;
	return 0;
}

static int sandbox_usage(void)
{
	fputs("usage: lkvm sandbox [run options] [kernel] -- COMMAND [ARGS...]\n"
	      "       lkvm sandbox [run options]    (a shell, on a terminal)\n",
	      stderr);
	return EXIT_USAGE;
}

int cmd_sandbox(int argc, char **argv)
{
	long pages = sysconf(_SC_PHYS_PAGES), cpus = sysconf(_SC_NPROCESSORS_ONLN);
	u64 host_ram = pages > 0 ? (u64)pages * (u64)sysconf(_SC_PAGESIZE) : 0;
	const char **envp = NULL, *shell[2];
	struct sandbox_job job = { 0 };
	struct mapped_file initrd = { 0 };
	struct vm_config cfg;
	char err[512], *cwd, *name;
	const char *env;
	int opts = dashdash(argc, argv), r;

	if (!run_block_stop_signals())
		return 1;
	r = run_parse_args(opts, argv, &cfg, host_ram,
			   cpus > 0 ? (unsigned int)MIN(cpus, LKVM_MAX_CPUS) : 1,
			   err, sizeof(err));
	if (r > 0) {
		sandbox_usage();
		run_usage(stdout);
		return 0;
	}
	if (r < 0) {
		pr_err("%s", err);
		sandbox_usage();
		return run_usage_failed(opts, argv);
	}
	job.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (opts + 1 < argc) {
		job.argv = (const char *const *)argv + opts + 1;
	} else if (job.tty) {
		env = getenv("SHELL");
		shell[0] = env && *env == '/' ? env : "/bin/sh";
		shell[1] = NULL;
		job.argv = shell;
	} else {
		pr_err("no command after '--', and no terminal for a shell");
		vm_config_release(&cfg);
		sandbox_usage();
		return run_usage_failed(opts, argv);
	}
	if (cfg.initrd_path || cfg.root_9p) {
		pr_err("lkvm sandbox makes its own initramfs and root: no -i, -d DIR or -d NAME");
		vm_config_release(&cfg);
		return run_usage_failed(opts, argv);
	}
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		pr_err("cannot read the current directory: %s", strerror(errno));
		r = run_error(&cfg, 1);
		vm_config_release(&cfg);
		return r;
	}
	cfg.sandbox = true;
	cfg.sandbox_tty = job.tty;
	cfg.console = CONSOLE_VIRTIO;
	job.uid = getuid();
	job.gid = getgid();
	job.cwd = cwd;
	job.cwd_share = strcmp(cwd, "/") != 0;
	envp = sandbox_job_env(environ, cfg.sandbox_env, cfg.nr_sandbox_env);
	if (!envp) {
		pr_err("out of memory");
		free(cwd);
		r = run_error(&cfg, 1);
		vm_config_release(&cfg);
		return r;
	}
	job.envp = envp;
	/* The guest's host name is the VM's (lkvm list's) name. */
	name = vm_name_of(&cfg);
	job.hostname = name;

	r = name ? 0 : -ENOMEM;
	if (!r)
		r = vm_config_add_9p(&cfg, "/", GUEST_JOB_ROOT_TAG, P9_SHARE_RO, err,
			     sizeof(err));
	if (!r && job.cwd_share)
		r = vm_config_add_9p(&cfg, cwd, GUEST_JOB_CWD_TAG, 0, err,
				     sizeof(err));
	if (r == -ENOMEM) {
		pr_err("out of memory");
		r = 1;
	} else if (r) {
		pr_err("%s", err);
		r = 1;
	} else {
		r = sandbox_initrd(&job, &initrd) ? 1 : 0;
	}
	free(name);
	free(envp);
	if (r) {
		free(cwd);
		r = run_error(&cfg, r);
		vm_config_release(&cfg);
		return r;
	}
	/* Returns only when the guest could not start. */
	r = run_configured(&cfg, &initrd);
	free(cwd);
	return r;
}
