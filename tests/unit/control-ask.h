/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unit tests of control verbs: ask() gives a request line to
 * control_reply() as the control thread would, and returns the reply;
 * show() puts a reply on one TAP line (newlines as '|').
 */
#ifndef LKVM_TESTS_CONTROL_ASK_H
#define LKVM_TESTS_CONTROL_ASK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

static inline char *ask(struct vm *vm, const char *req)
{
	static char buf[4096];
	char *reply = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&reply, &len);

	if (!out)
		return strcpy(buf, "(no memstream)");
	control_reply(vm, req, strlen(req), out);
	fclose(out);
	snprintf(buf, sizeof(buf), "%s", reply ? reply : "");
	free(reply);
	return buf;
}

static inline const char *show(const char *r)
{
	static char buf[4096];
	size_t i;

	for (i = 0; r[i] && i < sizeof(buf) - 1; i++)
		buf[i] = r[i] == '\n' ? '|' : r[i];
	buf[i] = '\0';
	return buf;
}

#endif
