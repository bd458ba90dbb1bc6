// SPDX-License-Identifier: GPL-2.0
/* Words lkvm adds to a guest kernel's command line. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Offset of the first "--" word outside double quotes, or the length. */
static size_t init_args_start(const char *s)
{
	size_t i = 0, len = strlen(s);
	bool quoted = false;

	while (i < len) {
		while (i < len && is_space(s[i]))
			i++;
		if (i + 2 <= len && s[i] == '-' && s[i + 1] == '-' &&
		    (i + 2 == len || is_space(s[i + 2])))
			return i;
		while (i < len && (quoted || !is_space(s[i]))) {
			if (s[i] == '"')
				quoted = !quoted;
			i++;
		}
	}
	return len;
}

char *cmdline_add(const char *cmdline, const char *words)
{
	size_t at = init_args_start(cmdline);
	const char *rest = cmdline + at;
	char *out;
	int head = (int)at;

	/* Trim the blanks before "--": one space separates each part. */
	while (head > 0 && is_space(cmdline[head - 1]))
		head--;
	if (!*words)
		return strdup(cmdline);
	if (asprintf(&out, "%.*s%s%s%s%s", head, cmdline, head ? " " : "",
		     words, *rest ? " " : "", rest) < 0)
		return NULL;
	return out;
}

bool cmdline_has_param(const char *cmdline, const char *name)
{
	size_t end = init_args_start(cmdline), len = strlen(name), i = 0;

	while (i < end) {
		while (i < end && is_space(cmdline[i]))
			i++;
		if (i + len <= end && !strncmp(cmdline + i, name, len) &&
		    (i + len == end || is_space(cmdline[i + len]) ||
		     cmdline[i + len] == '='))
			return true;
		while (i < end && !is_space(cmdline[i]))
			i++;
	}
	return false;
}

char *cmdline_with_defaults(const char *user, const struct cmdline_defaults *d)
{
	char words[1024], *out;
	size_t n = 0;

#define ADD(...) \
	(n += (size_t)snprintf(words + n, n < sizeof(words) ? \
			       sizeof(words) - n : 0, __VA_ARGS__))
	words[0] = '\0';
	if (d->console && !cmdline_has_param(user, "console"))
		ADD("%sconsole=%s", n ? " " : "", d->console);
	if (!cmdline_has_param(user, "panic"))
		ADD("%spanic=-1", n ? " " : "");
	if (d->root && !cmdline_has_param(user, "root"))
		ADD("%s%s", n ? " " : "", d->root);
	if (d->init && !cmdline_has_param(user, "init"))
		ADD("%sinit=%s", n ? " " : "", d->init);
	if (d->quiet && !cmdline_has_param(user, "quiet") &&
	    !cmdline_has_param(user, "loglevel"))
		ADD("%squiet", n ? " " : "");
#undef ADD
	if (n >= sizeof(words))
		return NULL;
	out = cmdline_add(user, words);
	return out;
}
