/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CMDLINE_H
#define LKVM_CMDLINE_H

#include <stdbool.h>

/*
 * A copy of the kernel command line with words added for the kernel: they
 * go before a "--" word, since Linux hands everything after it to init.
 * Returns NULL when out of memory; free() the result.
 */
char *cmdline_add(const char *cmdline, const char *words);

/* Does a kernel word (before "--") read "name" or "name=..."? */
bool cmdline_has_param(const char *cmdline, const char *name);

#endif
