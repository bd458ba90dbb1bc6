/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For unit tests that bound how much a guest can make lkvm log: the lines
 * written to stderr while fn(arg) runs at info level, stderr captured in
 * a temporary file. The log level is given back as it was.
 */
#ifndef LKVM_TESTS_LOG_LINES_H
#define LKVM_TESTS_LOG_LINES_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

static inline int log_lines_during(void (*fn)(void *), void *arg)
{
	enum log_level level = log_get_level();
	FILE *tmp = tmpfile();
	int saved, c, lines = 0;

	if (!tmp)
		abort();
	log_set_level(LOG_INFO);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	if (saved < 0 || dup2(fileno(tmp), STDERR_FILENO) < 0)
		abort();
	fn(arg);
	fflush(stderr);
	if (dup2(saved, STDERR_FILENO) < 0)
		abort();
	close(saved);
	log_set_level(level);
	rewind(tmp);
	while ((c = fgetc(tmp)) != EOF)
		lines += c == '\n';
	fclose(tmp);
	return lines;
}

#endif
