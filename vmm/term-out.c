// SPDX-License-Identifier: GPL-2.0
/* The console's output buffer; see include/term-out.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "io-loop.h"
#include "log.h"
#include "term-out.h"
#include "term-state.h"

_Static_assert(TERM_REPAIR_MAX <= LOG_PREFIX_MAX,
	       "a terminal's repair fits in a log line's prefix");

/*
 * A new open file description of the same pipe or device with O_NONBLOCK,
 * so that our flag does not leak into a descriptor the shell shares.
 */
static int reopen_nonblock(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

/* A terminal on fd: follow what it is left in (o->screen). */
static int screen_init(struct term_out *o, int fd)
{
	struct term_screen *scr = &o->own_screen;
	int err;

	if (!isatty(fd))
		return 0;
	err = pthread_mutex_init(&scr->lock, NULL);
	if (err)
		return -err;
	term_state_init(&scr->state, term_state_locale_utf8());
	atomic_init(&scr->needs, 0);
	scr->gen = 1;		/* o->tail_gen 0: no tail yet */
	o->screen = scr;
	return 0;
}

int term_out_init(struct term_out *o, int fd)
{
	struct stat st;
	int err;

	memset(o, 0, sizeof(*o));
	atomic_init(&o->own_line, false);
	o->mid_line = &o->own_line;
	o->fd = fd;
	o->own_fd = -1;
	o->mode = TERM_OUT_NONE;
	err = pthread_mutex_init(&o->lock, NULL);
	if (err)
		return -err;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st)) {
		err = -errno;
		goto fail;
	}
	o->buf = malloc(TERM_OUT_HARD_CAP);
	if (!o->buf) {
		err = -ENOMEM;
		goto fail;
	}
	err = screen_init(o, fd);
	if (err) {
		free(o->buf);
		o->buf = NULL;
		goto fail;
	}
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		o->mode = TERM_OUT_PLAIN;
	} else if (S_ISSOCK(st.st_mode)) {
		o->mode = TERM_OUT_SOCKET;
	} else {
		int nfd = reopen_nonblock(fd);

		if (nfd >= 0) {
			o->own_fd = o->fd = nfd;
			o->mode = TERM_OUT_NONBLOCK;
		} else {
			o->mode = TERM_OUT_POLLED;
		}
	}
	o->pollable = io_fd_pollable(o->fd, EPOLLOUT);
	/* A character device epoll refuses (/dev/null) never waits. */
	if (!o->pollable && o->mode != TERM_OUT_SOCKET)
		o->mode = TERM_OUT_PLAIN;
	return 0;
fail:
	pthread_mutex_destroy(&o->lock);
	return err;
}

void term_out_destroy(struct term_out *o)
{
	log_unset_console(&o->log);
	term_out_detach(o);
	if (o->own_fd >= 0)
		close(o->own_fd);
	o->own_fd = -1;
	free(o->buf);
	o->buf = NULL;
	if (o->screen)
		pthread_mutex_destroy(&o->own_screen.lock);
	o->screen = NULL;
	pthread_mutex_destroy(&o->lock);
}

/* Is anything being discarded rather than kept? Lock held. */
static bool discarding(const struct term_out *o)
{
	return o->mode == TERM_OUT_NONE || o->failed || o->finished;
}

/* Bytes that reached the terminal. Screen lock held. */
static void screen_feed_locked(struct term_screen *scr, const void *p,
			       size_t n)
{
	term_state_feed(&scr->state, p, n);
	scr->gen++;
	atomic_store_explicit(&scr->needs, term_state_needs(&scr->state),
			      memory_order_relaxed);
}

/* Bytes handed over, written or waiting, follow in the tail. Lock held. */
static void tail_feed(struct term_out *o, const void *p, size_t n)
{
	bool good;

	if (!o->screen || !n)
		return;
	pthread_mutex_lock(&o->screen->lock);
	good = o->tail_gen == o->screen->gen;
	pthread_mutex_unlock(&o->screen->lock);
	if (good)
		term_state_feed(&o->tail, p, n);
}

/* One non-blocking write attempt: bytes written, 0 for "wait", -errno. */
static ssize_t out_write_once(struct term_out *o, const u8 *p, size_t n)
{
	ssize_t r;

	if (o->mode == TERM_OUT_POLLED) {
		struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };

		r = poll(&pfd, 1, 0);
		if (r < 0)
			return errno == EINTR ? 0 : -errno;
		if (!r)
			return 0;
		if (pfd.revents & (POLLERR | POLLNVAL))
			return -EPIPE;
		if (n > PIPE_BUF)
			n = PIPE_BUF;
	}
	/* The terminal gets the bytes in the order its state follows them. */
	if (o->screen)
		pthread_mutex_lock(&o->screen->lock);
	do {
		if (o->mode == TERM_OUT_SOCKET)
			r = send(o->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			r = write(o->fd, p, n);
	} while (r < 0 && errno == EINTR);
	if (o->screen) {
		if (r > 0) {
			bool good = o->tail_gen == o->screen->gen;

			screen_feed_locked(o->screen, p, (size_t)r);
			/* Bytes of ours: the tail has them, or will. */
			if (good)
				o->tail_gen = o->screen->gen;
		}
		pthread_mutex_unlock(&o->screen->lock);
	}
	if (r < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
	if (r == 0 && n)
		return -EIO;
	if (r > 0)
		atomic_store_explicit(o->mid_line, p[r - 1] != '\n',
				      memory_order_relaxed);
	return r;
}

/* Said by out_unlock(), once the lock is dropped. */
static void out_fail(struct term_out *o, int err)
{
	if (!o->failed)
		o->fail_report = err;
	o->failed = true;
	o->bytes_dropped += o->len;
	o->len = 0;
	o->head = 0;
	o->tail_gen = 0;	/* what waited never comes */
}

/* Write buffered bytes until the fd would block. Lock held. */
static void out_flush_locked(struct term_out *o)
{
	while (o->len && !discarding(o)) {
		size_t first = TERM_OUT_HARD_CAP - o->head;
		ssize_t r;

		if (first > o->len)
			first = o->len;
		r = out_write_once(o, o->buf + o->head, first);
		if (r < 0) {
			out_fail(o, (int)r);
			return;
		}
		if (r == 0) {
			o->blocked = o->mode != TERM_OUT_POLLED || o->pollable;
			return;
		}
		o->bytes_out += (u64)r;
		o->head = (o->head + (size_t)r) % TERM_OUT_HARD_CAP;
		o->len -= (size_t)r;
	}
	if (!o->len)
		o->head = 0;
}

/*
 * Drop the lock, then log what went wrong under it. Nothing logs with the
 * lock held: a log line may come back here, through term_out_log_line().
 */
static void out_unlock(struct term_out *o)
{
	size_t dropped = o->drop_report;
	int err = o->fail_report;

	o->drop_report = 0;
	o->fail_report = 0;
	pthread_mutex_unlock(&o->lock);
	if (err)
		pr_warn("console: output %s (%s); further output discarded",
			err == -EPIPE ? "has no reader" : "failed",
			strerror(-err));
	if (dropped)
		pr_warn_ratelimited("console: %zu bytes of output dropped: the guest wrote %u bytes ahead of the reader without waiting",
				    dropped, TERM_OUT_HARD_CAP);
}

/* Append as much of buf as fits under cap. Lock held. */
static size_t out_append_locked(struct term_out *o, const u8 *p, size_t n,
				size_t cap)
{
	size_t taken = 0;

	if (discarding(o))
		return n;
	/* Nothing queued and the fd not blocked: straight to the fd. */
	while (!o->len && !o->blocked && taken < n) {
		ssize_t r = out_write_once(o, p + taken, n - taken);

		if (r < 0) {
			out_fail(o, (int)r);
			return n;
		}
		if (r == 0) {
			o->blocked = o->pollable;
			break;
		}
		o->bytes_out += (u64)r;
		taken += (size_t)r;
	}
	while (taken < n && o->len < cap) {
		size_t tail = (o->head + o->len) % TERM_OUT_HARD_CAP;
		size_t chunk = n - taken;

		if (chunk > cap - o->len)
			chunk = cap - o->len;
		if (chunk > TERM_OUT_HARD_CAP - tail)
			chunk = TERM_OUT_HARD_CAP - tail;
		memcpy(o->buf + tail, p + taken, chunk);
		o->len += chunk;
		taken += chunk;
	}
	tail_feed(o, p, taken);
	return taken;
}

size_t term_out_room(struct term_out *o)
{
	size_t room;

	pthread_mutex_lock(&o->lock);
	if (discarding(o))
		room = SIZE_MAX;
	else
		room = o->len < TERM_OUT_SOFT_CAP ? TERM_OUT_SOFT_CAP - o->len : 0;
	if (!room)
		o->starved = true;
	pthread_mutex_unlock(&o->lock);
	return room;
}

size_t term_out_write(struct term_out *o, const void *buf, size_t len)
{
	size_t taken;

	pthread_mutex_lock(&o->lock);
	taken = out_append_locked(o, buf, len, TERM_OUT_SOFT_CAP);
	if (taken < len || (o->len >= TERM_OUT_SOFT_CAP && !discarding(o)))
		o->starved = true;
	out_unlock(o);
	return taken;
}

bool term_out_write_all(struct term_out *o, const void *buf, size_t len)
{
	size_t taken;
	bool full;

	pthread_mutex_lock(&o->lock);
	taken = out_append_locked(o, buf, len, TERM_OUT_HARD_CAP);
	if (taken < len) {
		o->bytes_dropped += len - taken;
		o->drop_report = len - taken;
	}
	full = !discarding(o) && o->len >= TERM_OUT_SOFT_CAP;
	if (full)
		o->starved = true;
	out_unlock(o);
	return full;
}

size_t term_out_pending(struct term_out *o)
{
	size_t n;

	pthread_mutex_lock(&o->lock);
	n = o->len;
	pthread_mutex_unlock(&o->lock);
	return n;
}

/* Take the "call the waiters" flag when there is room again. Lock held. */
static bool take_room_notice(struct term_out *o)
{
	if (!o->starved)
		return false;
	if (!discarding(o) && o->len > TERM_OUT_SOFT_CAP / 2)
		return false;
	o->starved = false;
	return true;
}

static void call_waiters(struct term_out *o)
{
	unsigned int i;

	for (i = 0; i < o->nr_waiters; i++)
		o->waiters[i].fn(o->waiters[i].opaque);
}

void term_out_service(struct term_out *o)
{
	bool notify;

	pthread_mutex_lock(&o->lock);
	o->blocked = false;
	out_flush_locked(o);
	notify = take_room_notice(o);
	out_unlock(o);
	if (notify)
		call_waiters(o);
}

static void term_out_event(struct io_handler *h, u32 events)
{
	term_out_service(h->opaque);
}

int term_out_attach(struct term_out *o, struct io_loop *loop)
{
	int err;

	if (o->attached || !o->pollable || o->mode == TERM_OUT_NONE)
		return 0;
	o->loop = loop;
	o->h.fd = o->fd;
	o->h.fn = term_out_event;
	o->h.opaque = o;
	err = io_loop_add(loop, &o->h, EPOLLOUT | EPOLLET);
	if (err)
		return err;
	o->attached = true;
	return 0;
}

void term_out_detach(struct term_out *o)
{
	if (o->attached)
		io_loop_del(o->loop, &o->h);
	o->attached = false;
}

int term_out_add_waiter(struct term_out *o, void (*fn)(void *opaque),
			void *opaque)
{
	int err = 0;

	pthread_mutex_lock(&o->lock);
	if (o->nr_waiters >= TERM_OUT_MAX_WAITERS) {
		err = -ENOSPC;
	} else {
		o->waiters[o->nr_waiters].fn = fn;
		o->waiters[o->nr_waiters].opaque = opaque;
		o->nr_waiters++;
	}
	pthread_mutex_unlock(&o->lock);
	return err;
}

/* What the terminal needs now (nothing waiting). Lock held. */
static u32 screen_needs(struct term_out *o)
{
	u32 needs;

	pthread_mutex_lock(&o->screen->lock);
	needs = term_state_needs(&o->screen->state);
	pthread_mutex_unlock(&o->screen->lock);
	return needs;
}

/*
 * The terminal's repair, straight to the fd, at the end: a few tries if
 * it is full for a moment, none if it stays so. Lock held, buffer empty.
 */
static void out_repair_locked(struct term_out *o)
{
	char rep[TERM_REPAIR_MAX];
	size_t n, off = 0;
	int tries = 0;

	if (!o->screen)
		return;
	n = term_state_repair(screen_needs(o), rep);
	while (off < n && tries++ < 5) {
		struct pollfd p = { .fd = o->fd, .events = POLLOUT };
		ssize_t r = out_write_once(o, (const u8 *)rep + off, n - off);

		/* The reader is gone: nothing to repair any more. */
		if (r < 0)
			return;
		off += (size_t)r;
		if (!r && o->pollable)
			poll(&p, 1, 10);
	}
}

size_t term_out_finish(struct term_out *o, int idle_ms)
{
	s64 deadline = (s64)mono_now_ms() + idle_ms;
	size_t dropped = 0;

	pthread_mutex_lock(&o->lock);
	while (o->len && !discarding(o)) {
		size_t before = o->len;
		struct pollfd p = { .fd = o->fd, .events = POLLOUT };
		s64 left = deadline - (s64)mono_now_ms();

		o->blocked = false;
		out_flush_locked(o);
		if (o->len < before)
			deadline = (s64)mono_now_ms() + idle_ms;
		if (!o->len || discarding(o))
			break;
		if (left <= 0)
			break;
		pthread_mutex_unlock(&o->lock);
		if (o->pollable)
			poll(&p, 1, (int)(left < 50 ? left : 50));
		else
			usleep(10000);
		pthread_mutex_lock(&o->lock);
	}
	if (!discarding(o)) {
		dropped = o->len;
		o->bytes_dropped += o->len;
		o->len = 0;
		o->head = 0;
		o->tail_gen = 0;
		out_repair_locked(o);
	}
	o->finished = true;
	out_unlock(o);
	if (dropped)
		pr_warn("console: the output's reader took nothing for %d ms after the stop; %zu bytes discarded",
			idle_ms, dropped);
	call_waiters(o);
	return dropped;
}

/* Does what was handed to the fd, written or waiting, end mid-line? */
static bool tail_mid_line(const struct term_out *o)
{
	if (!o->len)
		return atomic_load_explicit(o->mid_line, memory_order_relaxed);
	return o->buf[(o->head + o->len - 1) % TERM_OUT_HARD_CAP] != '\n';
}

/*
 * write() alone reaches the fd: every thread's seccomp filter allows it,
 * so any thread that logs may write the line itself (send() and poll(),
 * of the other modes, only some threads may make).
 */
static bool writes_only(const struct term_out *o)
{
	return o->mode == TERM_OUT_NONBLOCK || o->mode == TERM_OUT_PLAIN;
}

/*
 * What the terminal needs after the bytes written and those still
 * waiting: the tail, made again (a copy of the screen's state, fed what
 * waits) only when something else fed the screen since. Lock held.
 */
static u32 tail_needs(struct term_out *o)
{
	size_t first = MIN(o->len, TERM_OUT_HARD_CAP - o->head);
	bool good;

	pthread_mutex_lock(&o->screen->lock);
	good = o->tail_gen == o->screen->gen;
	if (!good) {
		o->tail = o->screen->state;
		o->tail_gen = o->screen->gen;
	}
	pthread_mutex_unlock(&o->screen->lock);
	if (!good) {
		term_state_feed(&o->tail, o->buf + o->head, first);
		term_state_feed(&o->tail, o->buf, o->len - first);
	}
	return term_state_needs(&o->tail);
}

u32 term_out_tail_needs(struct term_out *o)
{
	u32 needs = 0;

	pthread_mutex_lock(&o->lock);
	if (o->screen)
		needs = tail_needs(o);
	pthread_mutex_unlock(&o->lock);
	return needs;
}

/*
 * A line written to stderr now: what goes first (a '\n' if the fd's last
 * byte was not one; on a terminal its repair). Lock held.
 */
static size_t stderr_prefix(struct term_out *o, const char *line,
			    size_t len, char *prefix)
{
	size_t n = 0;

	if (o->screen) {
		/* Both reach the terminal, through stderr. */
		pthread_mutex_lock(&o->screen->lock);
		n = term_state_repair(term_state_needs(&o->screen->state),
				      prefix);
		screen_feed_locked(o->screen, prefix, n);
		screen_feed_locked(o->screen, line, len);
		pthread_mutex_unlock(&o->screen->lock);
	} else if (atomic_load_explicit(o->mid_line, memory_order_relaxed)) {
		prefix[n++] = '\n';
	}
	atomic_store_explicit(o->mid_line, false, memory_order_relaxed);
	return n;
}

/* struct log_console's line(): see term_out_take_log(). */
static enum log_line_route term_out_log_line(void *opaque, const char *line,
					     size_t len, char *prefix,
					     size_t *prefix_len)
{
	struct term_out *o = opaque;
	enum log_line_route route = LOG_LINE_TAKEN;
	char rep[TERM_REPAIR_MAX];
	size_t n = 0;

	pthread_mutex_lock(&o->lock);
	if (discarding(o) || !writes_only(o) ||
	    o->len + TERM_REPAIR_MAX + len > TERM_OUT_HARD_CAP) {
		/*
		 * stderr, after what it needs first. The line ends with a
		 * '\n', and nothing of ours comes between any more once the
		 * output stopped or failed; in the other modes, and a buffer
		 * at its hard cap, this is a best effort.
		 */
		route = LOG_LINE_STDERR;
		*prefix_len = stderr_prefix(o, line, len, prefix);
	} else {
		/* In the stream, after what waits: never ahead of it. */
		if (o->screen)
			n = term_state_repair(tail_needs(o), rep);
		else if (tail_mid_line(o))
			rep[n++] = '\n';
		out_append_locked(o, (const u8 *)rep, n, TERM_OUT_HARD_CAP);
		out_append_locked(o, (const u8 *)line, len, TERM_OUT_HARD_CAP);
		/* The fd failed just now: stderr may still take it. */
		if (o->failed) {
			route = LOG_LINE_STDERR;
			*prefix_len = 0;
		}
	}
	out_unlock(o);
	return route;
}

/* struct log_console's prefix(): async-signal-safe. */
static size_t term_out_log_prefix(void *opaque, char *buf)
{
	struct term_out *o = opaque;

	if (o->screen)
		return term_state_repair(atomic_load_explicit(&o->screen->needs,
							      memory_order_relaxed),
					 buf);
	if (!atomic_load_explicit(o->mid_line, memory_order_relaxed))
		return 0;
	buf[0] = '\n';
	return 1;
}

void term_out_repair_now(struct term_out *o)
{
	struct term_screen *scr = o->screen;
	char rep[TERM_REPAIR_MAX];
	size_t n;

	if (!scr)
		return;
	n = term_state_repair(atomic_exchange(&scr->needs, 0), rep);
	if (n && write(o->fd, rep, n) < 0)
		n = 0;
}

bool term_out_same_file(struct term_out *o, int fd)
{
	struct stat a, b;

	if (o->mode == TERM_OUT_NONE || fd < 0 || fstat(o->fd, &a) ||
	    fstat(fd, &b))
		return false;
	if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return true;
	/* One terminal through two device nodes (/dev/pts/N, a copy). */
	return S_ISCHR(a.st_mode) && S_ISCHR(b.st_mode) &&
	       a.st_rdev == b.st_rdev;
}

bool term_out_take_log(struct term_out *o, int log_fd)
{
	if (!term_out_same_file(o, log_fd))
		return false;
	o->log.line = term_out_log_line;
	o->log.prefix = term_out_log_prefix;
	o->log.opaque = o;
	log_set_console(&o->log);
	return true;
}

void term_out_share_line(struct term_out *o, struct term_out *other)
{
	o->mid_line = other->mid_line;
	/* One terminal, one state (both are terminals: the same file). */
	if (o->screen && other->screen)
		o->screen = other->screen;
}
