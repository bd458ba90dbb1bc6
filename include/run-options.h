/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_RUN_OPTIONS_H
#define LKVM_RUN_OPTIONS_H

#include <stdio.h>

#include "config.h"

/*
 * Parse `lkvm run` arguments (argv[0] is "run") into cfg. Returns 0, or
 * -EINVAL with a one-line reason in err. host_ram and host_cpus bound and
 * default the sizes; they come from sysconf() in lkvm and from the test in
 * unit tests.
 */
int run_parse_args(int argc, char **argv, struct vm_config *cfg,
		   u64 host_ram, unsigned int host_cpus, char *err,
		   size_t errlen);

/* Parse "256", "256M", "1G", "512K": a bare number is MiB (as kvmtool). */
int parse_mem_size(const char *s, u64 *out);

void run_usage(FILE *f);

#endif
