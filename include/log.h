/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_LOG_H
#define LKVM_LOG_H

#include <stdatomic.h>
#include <stddef.h>
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

/*
 * Every message is one line on stderr, prefixed "lkvm: ", written whole,
 * and starting at the beginning of a line even when a console shares
 * stderr's file (see struct log_console).
 */
void log_msg(enum log_level level, const char *fmt, ...) __printf(2, 3);

/*
 * A console writing to the same file as stderr (one terminal; `2>&1` into
 * one pipe or file) would have log lines land in the middle of the
 * guest's lines, or, on a terminal, hidden by what the guest's bytes left
 * it in (an open escape sequence, the alternate screen...). Once it is
 * set, log_msg() hands it each line (with its '\n', len bytes) first; it
 * returns
 * - LOG_LINE_TAKEN: the line is in the console's own stream, after the
 *   console's bytes so far and what makes the line show (a '\n' when
 *   those ended mid-line, a terminal's repair: term-state.h);
 * - LOG_LINE_STDERR: write it to stderr as usual, after the
 *   *prefix_len bytes it put in prefix (at most LOG_PREFIX_MAX: the
 *   same '\n' or repair, or nothing).
 * line() runs on any thread that logs, so it must not block, and no lock
 * it takes may be held by code that logs. prefix() is for lines written
 * straight to stderr where log_msg() cannot be used: it puts in buf (at
 * most LOG_PREFIX_MAX bytes) what such a line needs first, and must be
 * async-signal-safe (a best effort: the console may write at the same
 * instant).
 */
#define LOG_PREFIX_MAX	160

enum log_line_route {
	LOG_LINE_TAKEN,
	LOG_LINE_STDERR,
};

struct log_console {
	enum log_line_route (*line)(void *opaque, const char *line,
				    size_t len, char *prefix,
				    size_t *prefix_len);
	size_t (*prefix)(void *opaque, char *buf);
	void *opaque;
};

/*
 * Process-wide like the level: the one console sharing stderr, or NULL.
 * Set it before the threads that log start; unset it only once they have
 * stopped (log_msg() may be using it until then).
 */
void log_set_console(const struct log_console *c);
/* Unset c if it is the console set (the console's teardown calls this). */
void log_unset_console(const struct log_console *c);

/*
 * What a line written straight to stderr needs first when a console
 * shares its file (struct log_console's prefix()), into buf (at least
 * LOG_PREFIX_MAX bytes); 0 without one. For the SIGSYS handler's line.
 * Async-signal-safe.
 */
size_t log_console_prefix(char *buf);

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

/*
 * A line below the log level neither counts against the call site's
 * burst nor adds to its "similar messages suppressed" line.
 */
#define pr_ratelimited(level, ...)                                  \
	do {                                                        \
		static struct ratelimit __rl;                       \
		if ((level) <= log_get_level() &&                   \
		    ratelimit_ok(&__rl))                            \
			log_msg(level, __VA_ARGS__);                \
	} while (0)

#define pr_warn_ratelimited(...) pr_ratelimited(LOG_WARN, __VA_ARGS__)
#define pr_err_ratelimited(...) pr_ratelimited(LOG_ERROR, __VA_ARGS__)
#define pr_info_ratelimited(...) pr_ratelimited(LOG_INFO, __VA_ARGS__)

/*
 * The first line about one object (*told still false) always, later ones
 * within the call site's rate limit: for an event a guest can repeat at
 * will whose first time the user must see.
 */
#define pr_first_ratelimited(level, told, ...)                      \
	do {                                                        \
		if (!*(told))                                       \
			log_msg(level, __VA_ARGS__);                \
		else                                                \
			pr_ratelimited(level, __VA_ARGS__);         \
		*(told) = true;                                     \
	} while (0)

#endif
