// SPDX-License-Identifier: GPL-2.0
/* One-line diagnostics on stderr, with a per-call-site rate limit. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>

#include "log.h"

#define RATELIMIT_INTERVAL_S 5
#define RATELIMIT_BURST 10

static enum log_level current_level = LOG_WARN;
static pthread_mutex_t ratelimit_lock = PTHREAD_MUTEX_INITIALIZER;

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
	char line[1024];
	va_list ap;
	int n;

	if (level > current_level)
		return;
	n = snprintf(line, sizeof(line), "lkvm: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (n == 0 || line[n - 1] != '\n') {
		line[n++] = '\n';
		line[n] = '\0';
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
