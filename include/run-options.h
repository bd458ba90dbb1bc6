/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_RUN_OPTIONS_H
#define LKVM_RUN_OPTIONS_H

#include <stdio.h>

#include "config.h"

/*
 * Parse `lkvm run` arguments (argv[0] is "run") into cfg. Returns 0, or
 * -EINVAL with a one-line reason in err. host_ram and host_cpus bound and
 * default the sizes; they come from sysconf() in lkvm and from the test in
 * unit tests. After 0, cfg holds memory vm_config_release() frees (its
 * strings point into argv, which must outlive it); after anything else,
 * nothing.
 */
int run_parse_args(int argc, char **argv, struct vm_config *cfg,
		   u64 host_ram, unsigned int host_cpus, char *err,
		   size_t errlen);

/* Parse "256", "256M", "1G", "512K": a bare number is MiB (as kvmtool). */
int parse_mem_size(const char *s, u64 *out);

/* Free what parsing allocated in cfg (the disks). */
void vm_config_release(struct vm_config *cfg);

/*
 * -d/--disk's argument into d (vmm/disk-config.c): -EINVAL with a reason
 * in err, -ENOMEM. disk_config_release() frees it.
 */
int disk_config_parse(struct disk_config *d, const char *arg, char *err,
		      size_t errlen);
void disk_config_release(struct disk_config *d);
/* Parse arg and append it to cfg->disks; as disk_config_parse(). */
int vm_config_add_disk(struct vm_config *cfg, const char *arg, char *err,
		       size_t errlen);

/*
 * -n/--network's argument appended to cfg->nets (vmm/net-config.c); as
 * disk_config_parse(). vm_config_release() frees them.
 */
int vm_config_add_net(struct vm_config *cfg, const char *arg, char *err,
		      size_t errlen);
void vm_config_release_nets(struct vm_config *cfg);

/*
 * Append a 9p share (vmm/p9-config.c): dir must be a directory, tag 1 to
 * LKVM_9P_TAG_MAX printable bytes without ',' or blanks and not used yet,
 * P9_SHARE_PASSTHROUGH only as root. -EINVAL (-ENOMEM) with a reason in
 * err; cfg is unchanged then. --9p, `lkvm sandbox`, `lkvm setup` and the
 * 9p root of -d DIR all come here.
 */
int vm_config_add_9p(struct vm_config *cfg, const char *dir, const char *tag,
		     unsigned int flags, char *err, size_t errlen);
/* --9p's argument: DIR,TAG[,ro][,passthrough]; as vm_config_add_9p(). */
int vm_config_parse_9p(struct vm_config *cfg, const char *arg, char *err,
		       size_t errlen);
void vm_config_release_9p(struct vm_config *cfg);

/*
 * --vsock CID[,path=SOCK] (vmm/vsock-config.c): CID 3 to 2^32 - 2, given
 * once; SOCK short enough and, if it exists, a socket. -EINVAL with a
 * reason in err; cfg is unchanged then.
 */
int vm_config_parse_vsock(struct vm_config *cfg, const char *arg, char *err,
			  size_t errlen);

/* `lkvm run --help`: the usage line and every option, from the table. */
void run_usage(FILE *f);

struct run_parse;

/*
 * One `lkvm run` option. The table of them is the one place an option is
 * defined: run_parse_args(), run_usage() and the check of lkvm.1
 * (tests/unit/run-options.c) read it.
 */
struct run_option {
	const char *name;	/* the long name, without "--" */
	char short_name;	/* 'k' for -k; 0: none */
	const char *arg;	/* the value's name in the help; NULL: a flag */
	/* Store val (NULL for a flag): 0, 1 (help), or -EINVAL + reason. */
	int (*set)(struct run_parse *p, const char *val);
	const char *help;	/* lines, separated by '\n' */
};

/* getopt_long() values of long options: RUN_OPT_LONG + table index. */
#define RUN_OPT_LONG 256

/* The table, in the order of the help; its length in *nr. */
const struct run_option *run_options(unsigned int *nr);

#endif
