/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Paths and small files in a test's scratch directory, the includer's
 * scratch_dir (a mkdtemp() template, filled in before the first at()).
 */
#ifndef LKVM_TESTS_SCRATCH_FILES_H
#define LKVM_TESTS_SCRATCH_FILES_H

#include <stdio.h>
#include <stdlib.h>

/* scratch_dir/name; the last 16 results stay valid. */
static const char *at(const char *name)
{
	static char path[16][512];
	static unsigned int next;
	char *p = path[next++ % 16];

	snprintf(p, sizeof(path[0]), "%s/%s", scratch_dir, name);
	return p;
}

/* A file of the given text, or the test ends. */
static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(name);
		exit(1);
	}
}

#endif
