/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_LOG_H
#define LKVM_LOG_H

#include <time.h>

#include "types.h"

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

/* Process-wide verbosity, set once from --loglevel before threads start. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_parse_level(const char *name, enum log_level *out);

/* Every message is one line on stderr, prefixed "lkvm: ". */
void log_msg(enum log_level level, const char *fmt, ...) __printf(2, 3);

#define pr_err(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * Rate limiting for messages a guest can provoke: at most `burst` lines per
 * `interval_s` seconds per call site, then a count of what was suppressed.
 */
struct ratelimit {
	time_t window_start;
	unsigned int printed;
	unsigned int suppressed;
};

bool ratelimit_ok(struct ratelimit *rl);

#define pr_ratelimited(level, ...)                                  \
	do {                                                        \
		static struct ratelimit __rl;                       \
		if (ratelimit_ok(&__rl))                            \
			log_msg(level, __VA_ARGS__);                \
	} while (0)

#define pr_warn_ratelimited(...) pr_ratelimited(LOG_WARN, __VA_ARGS__)
#define pr_err_ratelimited(...) pr_ratelimited(LOG_ERROR, __VA_ARGS__)

#endif
