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

/*
 * What lkvm writes on a Linux guest's command line unless told
 * --nodefaults: each word only where the user's (-p) has none of that
 * name (so -p adds to the defaults and overrides them).
 */
struct cmdline_defaults {
	const char *console;	/* console=X: "ttyS0", "hvc0"; NULL: none */
	const char *root;	/* root= and its friends; NULL: none */
	const char *init;	/* init=X; NULL: none */
	bool quiet;		/* quiet (no loglevel= given either) */
};

/*
 * user plus console=, panic=-1, root=, init= and quiet as d says, after
 * the user's words and before a "--". NULL when out of memory or too long.
 */
char *cmdline_with_defaults(const char *user,
			    const struct cmdline_defaults *d);

#endif
