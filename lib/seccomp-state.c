// SPDX-License-Identifier: GPL-2.0
/*
 * The thread pools' view of seccomp: whether all threads must start at
 * once, and the thread-entry call. Apart from lib/seccomp-role.c so that
 * programs linking the pools without the filters (the fuzz targets, unit
 * tests) get no-ops.
 */
#include "seccomp-filter.h"

struct sc_hooks {
	bool eager;
	void (*enter)(enum sc_role role, int index);
};

static struct sc_hooks hooks;

void sc_hooks_set(bool eager, void (*enter)(enum sc_role role, int index))
{
	hooks.eager = eager;
	hooks.enter = enter;
}

bool sc_pools_eager(void)
{
	return hooks.eager;
}

void sc_thread_enter(enum sc_role role, int index)
{
	if (hooks.enter)
		hooks.enter(role, index);
}
