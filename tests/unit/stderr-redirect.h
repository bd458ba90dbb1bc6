/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For unit tests that read what lkvm writes to stderr (fd 2, where
 * log_msg() writes): point it at another fd and back.
 */
#ifndef LKVM_TESTS_STDERR_REDIRECT_H
#define LKVM_TESTS_STDERR_REDIRECT_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int saved_stderr = -1;

/* Point stderr at fd. */
static void stderr_to(int fd)
{
	fflush(stderr);
	if (saved_stderr < 0)
		saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 || dup2(fd, STDERR_FILENO) < 0)
		abort();
}

static void stderr_back(void)
{
	fflush(stderr);
	if (dup2(saved_stderr, STDERR_FILENO) < 0)
		abort();
}

#endif
