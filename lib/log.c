// SPDX-License-Identifier: GPL-2.0
/* One-line diagnostics on stderr, with a per-call-site rate limit. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>

#include "log.h"

#define RATELIMIT_INTERVAL_S 5
#define RATELIMIT_BURST 10

/*
 * Process-wide, as a logger is: the level, the rate limits' lock, and the
 * console that shares stderr's file. That console's state (where its
 * output stands in a line) is its own (struct term_out); this is only
 * where log_msg() finds it.
 */
static enum log_level current_level = LOG_WARN;
static pthread_mutex_t ratelimit_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct log_console *_Atomic shared_console;

void log_set_console(const struct log_console *c)
{
	atomic_store(&shared_console, c);
}

void log_unset_console(const struct log_console *c)
{
	const struct log_console *expected = c;

	atomic_compare_exchange_strong(&shared_console, &expected, NULL);
}

size_t log_console_prefix(char *buf)
{
	const struct log_console *c = atomic_load(&shared_console);

	return c && c->prefix ? c->prefix(c->opaque, buf) : 0;
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

int log_parse_level(const char *name, enum log_level *out)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(name, names[i]) ||
		    (i == LOG_WARN && !strcmp(name, "warn"))) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	/* The line goes after room for what a console puts first. */
	char buf[LOG_PREFIX_MAX + 1024], *line = buf + LOG_PREFIX_MAX;
	const struct log_console *c;
	enum log_line_route route = LOG_LINE_STDERR;
	size_t size = sizeof(buf) - LOG_PREFIX_MAX, pre = 0;
	va_list ap;
	int n;

	if (level > current_level)
		return;
	n = snprintf(line, size, "lkvm: ");
	va_start(ap, fmt);
	vsnprintf(line + n, size - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (n == 0 || line[n - 1] != '\n') {
		line[n++] = '\n';
		line[n] = '\0';
	}
	c = atomic_load(&shared_console);
	if (c)
		route = c->line(c->opaque, line, (size_t)n, buf, &pre);
	if (route == LOG_LINE_TAKEN)
		return;
	if (pre > LOG_PREFIX_MAX)
		pre = 0;
	if (pre) {
		memmove(line - pre, buf, pre);
		line -= pre;
	}
	/* One write per line so lines from different threads never mix. */
	fputs(line, stderr);
}

bool ratelimit_ok(struct ratelimit *rl)
{
	time_t now = time(NULL);
	unsigned int suppressed = 0;
	bool ok;

	pthread_mutex_lock(&ratelimit_lock);
	if (now - rl->window_start >= RATELIMIT_INTERVAL_S) {
		suppressed = rl->suppressed;
		rl->window_start = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	ok = rl->printed < RATELIMIT_BURST;
	if (ok)
		rl->printed++;
	else
		rl->suppressed++;
	pthread_mutex_unlock(&ratelimit_lock);
	if (suppressed)
		log_msg(LOG_WARN, "%u similar messages suppressed", suppressed);
	return ok;
}
