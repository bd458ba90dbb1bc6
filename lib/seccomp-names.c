// SPDX-License-Identifier: GPL-2.0
/*
 * System call numbers to names for the SIGSYS report. The list is the
 * build's own <sys/syscall.h> (the Makefile extracts its __NR_ names into
 * seccomp-names.h), so each architecture gets its numbers.
 */
#include <stddef.h>
#include <sys/syscall.h>

#include "seccomp-filter.h"

/* Some names share a number on some architectures: the last one wins. */
#pragma GCC diagnostic ignored "-Woverride-init"
#define SC_NAME(n) \
	[__NR_##n] = (#n),
static const char *const sc_names[] = {
#include "seccomp-names.h"
};

const char *sc_syscall_name(long nr)
{
	if (nr < 0 || (size_t)nr >= ARRAY_SIZE(sc_names))
		return NULL;
	return sc_names[nr];
}
