// SPDX-License-Identifier: GPL-2.0
/*
 * The console's input side: how stdin is read, raw mode for a terminal and
 * its restoration, the Ctrl-a escape, and back-pressure towards the guest.
 *
 * Reading never blocks the I/O thread and never changes the fd's flags
 * (O_NONBLOCK on a shared terminal would leak into the shell): a polled fd
 * is read only after poll() with a zero timeout said it is ready, and then
 * by a single read(), which returns what is there. A regular file cannot be
 * polled (epoll refuses it) but never blocks either, so it is read whenever
 * the guest has room, which paces it at the guest's speed.
 *
 * Back-pressure: bytes the sink does not take stay in `pending` and no more
 * is read until they are gone. The input fd is registered edge-triggered,
 * so unread input does not make the loop spin; the sink's room callback
 * (term_notify_room) wakes the loop through an eventfd to continue.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io-loop.h"
#include "log.h"
#include "term.h"

/* Raw input, 8 bits, no signals; output processing kept for \n -> \r\n. */
static void make_raw(struct termios *tio)
{
	tio->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
			  ICRNL | IXON | IXOFF);
	tio->c_oflag |= OPOST | ONLCR;
	tio->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	tio->c_cflag &= ~(CSIZE | PARENB);
	tio->c_cflag |= CS8;
	tio->c_cc[VMIN] = 1;
	tio->c_cc[VTIME] = 0;
}

bool term_fd_background(int fd)
{
	pid_t fg = tcgetpgrp(fd);

	/*
	 * tcgetpgrp() fails for a terminal that is not our controlling one,
	 * which is fine to use. A process group our PID namespace does not
	 * see reads 0: ours too, in lkvm --jail's stage (TERM_BACKGROUND).
	 */
	return fg >= 0 && fg != getpgrp();
}

/*
 * In the background of our controlling terminal, changing it or reading
 * it would stop us with SIGTTOU/SIGTTIN: leave it alone. (As a PID
 * namespace's init, lkvm --jail's stage would not even stop: it ignores
 * those signals, and the call would be restarted for ever.)
 */
static bool term_background(struct term *t, unsigned int flags)
{
	if (!(flags & TERM_BACKGROUND) && !term_fd_background(t->in_fd))
		return false;
	pr_info("console: in the background, terminal input not read");
	t->mode = TERM_IN_NONE;
	return true;
}

static int term_setup_tty(struct term *t, unsigned int flags)
{
	struct termios raw;

	if (term_background(t, flags))
		return 0;
	if (tcgetattr(t->in_fd, &t->saved))
		return -errno;
	raw = t->saved;
	make_raw(&raw);
	/* Flag first: a signal arriving in between restores harmlessly. */
	__atomic_store_n(&t->raw_active, 1, __ATOMIC_SEQ_CST);
	if (tcsetattr(t->in_fd, TCSANOW, &raw)) {
		int err = -errno;

		__atomic_store_n(&t->raw_active, 0, __ATOMIC_SEQ_CST);
		return err;
	}
	t->mode = TERM_IN_TTY;
	return 0;
}

/* TERM_COOKED: a terminal read as it is, unless it is in the background. */
static void term_setup_cooked(struct term *t, unsigned int flags)
{
	if (!term_background(t, flags))
		t->mode = TERM_IN_STREAM;
}

int term_init(struct term *t, int in_fd, int out_fd)
{
	return term_init_flags(t, in_fd, out_fd, 0);
}

int term_init_flags(struct term *t, int in_fd, int out_fd, unsigned int flags)
{
	struct stat st;
	int err = 0;

	memset(t, 0, sizeof(*t));
	t->in_fd = in_fd;
	t->out_fd = out_fd;
	t->mode = TERM_IN_NONE;
	t->held = !!(flags & TERM_HOLD);
	t->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->room_fd < 0)
		return -errno;

	err = term_out_init(&t->out, out_fd);
	if (err)
		goto fail;
	t->out_ready = true;
	if (in_fd < 0)
		return 0;
	if (fstat(in_fd, &st)) {
		err = -errno;
		goto fail;
	}
	if (isatty(in_fd) && (flags & TERM_COOKED))
		term_setup_cooked(t, flags);
	else if (isatty(in_fd))
		err = term_setup_tty(t, flags);
	else if (S_ISREG(st.st_mode))
		t->mode = TERM_IN_FILE;
	else if (io_fd_pollable(in_fd, EPOLLIN))
		t->mode = TERM_IN_STREAM;
	else
		t->mode = TERM_IN_NONE;
	if (err)
		goto fail;
	return 0;
fail:
	if (t->out_ready)
		term_out_destroy(&t->out);
	t->out_ready = false;
	close(t->room_fd);
	t->room_fd = -1;
	return err;
}

void term_restore(struct term *t)
{
	int saved_errno = errno;

	/* Only one caller gets to restore, whoever and wherever it is. */
	if (__atomic_exchange_n(&t->raw_active, 0, __ATOMIC_SEQ_CST))
		tcsetattr(t->in_fd, TCSANOW, &t->saved);
	errno = saved_errno;
}

void term_destroy(struct term *t)
{
	term_detach(t);
	term_restore(t);
	if (t->room_fd >= 0)
		close(t->room_fd);
	t->room_fd = -1;
	if (t->out_ready)
		term_out_destroy(&t->out);
	t->out_ready = false;
}

int term_process_input(struct term *t, const u8 *in, size_t len, u8 *out,
		       size_t *outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		u8 c = in[i];

		if (!t->esc_pending) {
			if (c == TERM_ESCAPE)
				t->esc_pending = true;
			else
				out[o++] = c;
			continue;
		}
		t->esc_pending = false;
		if (c == TERM_ESCAPE_QUIT) {
			*outlen = o;
			return TERM_QUIT;
		}
		/* Ctrl-a Ctrl-a is one Ctrl-a; anything else passes as is. */
		out[o++] = TERM_ESCAPE;
		if (c != TERM_ESCAPE)
			out[o++] = c;
	}
	*outlen = o;
	return TERM_OK;
}

int term_poll_fd(const struct term *t)
{
	if (t->mode == TERM_IN_TTY || t->mode == TERM_IN_STREAM)
		return t->in_fd;
	return -1;
}

int term_room_fd(const struct term *t)
{
	return t->room_fd;
}

void term_notify_room(void *term)
{
	struct term *t = term;
	u64 one = 1;
	int saved_errno = errno;

	/* EAGAIN means the counter is already non-zero: the loop will run. */
	if (t->room_fd >= 0 && write(t->room_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		pr_warn_ratelimited("console: cannot wake the I/O thread: %s",
				    strerror(errno));
	errno = saved_errno;
}

/* Offer pending bytes to the sink; true when all of them were taken. */
static bool flush_pending(struct term *t, term_sink_fn sink, void *opaque)
{
	while (t->pending_len) {
		size_t n = sink(opaque, t->pending + t->pending_off,
				t->pending_len);

		if (n == 0)
			return false;
		if (n > t->pending_len)
			n = t->pending_len;
		t->pending_off += n;
		t->pending_len -= n;
		t->sent += n;
	}
	t->pending_off = 0;
	return true;
}

/* Is there something read() would return without blocking? */
static bool input_ready(const struct term *t)
{
	struct pollfd p = { .fd = t->in_fd, .events = POLLIN };
	int n;

	if (t->mode == TERM_IN_FILE)
		return true;
	do {
		n = poll(&p, 1, 0);
	} while (n < 0 && errno == EINTR);
	/* POLLHUP/POLLERR: read() returns 0 or the error at once. */
	return n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

/* One read into `pending`. Returns TERM_OK, TERM_QUIT, TERM_EOF, -errno. */
static int read_some(struct term *t)
{
	u8 buf[TERM_BUF_SIZE];
	ssize_t n;
	size_t len;
	int ret = TERM_OK;

	do {
		n = read(t->in_fd, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);
	if (n == 0) {
		t->eof = true;
		pr_debug("console: end of input");
		return TERM_EOF;
	}
	if (n < 0) {
		int err = -errno;

		if (err == -EAGAIN)
			return TERM_OK;
		t->eof = true;
		if (!t->read_error_logged)
			pr_warn("console: cannot read input: %s; input closed",
				strerror(-err));
		t->read_error_logged = true;
		return err;
	}
	if (t->mode == TERM_IN_TTY) {
		ret = term_process_input(t, buf, (size_t)n, t->pending, &len);
	} else {
		memcpy(t->pending, buf, (size_t)n);
		len = (size_t)n;
	}
	t->pending_off = 0;
	t->pending_len = len;
	return ret;
}

int term_service(struct term *t, term_sink_fn sink, void *opaque)
{
	u64 count;
	int ret;

	/* Consume the room wake-up; the loop below does the work. */
	if (t->room_fd >= 0 && read(t->room_fd, &count, sizeof(count)) < 0 &&
	    errno != EAGAIN)
		pr_warn_ratelimited("console: room eventfd: %s",
				    strerror(errno));

	if (__atomic_load_n(&t->held, __ATOMIC_ACQUIRE))
		return TERM_OK;
	for (;;) {
		if (!flush_pending(t, sink, opaque))
			return t->eof ? TERM_EOF : TERM_OK;
		if (t->eof)
			return TERM_EOF;
		if (t->mode == TERM_IN_NONE || !input_ready(t))
			return TERM_OK;
		ret = read_some(t);
		if (ret == TERM_QUIT) {
			/* Hand over what preceded the escape, then quit. */
			flush_pending(t, sink, opaque);
			t->pending_len = 0;
			return TERM_QUIT;
		}
		if (ret != TERM_OK)
			return ret;
	}
}

/* Input over and all of it taken: tell on_eof, once. */
static void term_tell_eof(struct term *t)
{
	if (!t->on_eof || t->eof_told || t->pending_len ||
	    __atomic_load_n(&t->held, __ATOMIC_ACQUIRE) ||
	    (!t->eof && t->mode != TERM_IN_NONE))
		return;
	t->eof_told = true;
	t->on_eof(t->eof_opaque, t->sent);
}

static void term_handle(struct term *t)
{
	int ret = term_service(t, t->sink, t->sink_opaque);

	if (ret == TERM_QUIT) {
		if (t->on_quit)
			t->on_quit(t->quit_opaque);
	} else if (ret != TERM_OK && t->in_attached) {
		/* Input is over; the room fd stays to drain `pending`. */
		io_loop_del(t->loop, &t->in_h);
		t->in_attached = false;
	}
	term_tell_eof(t);
}

void term_release_input(struct term *t)
{
	__atomic_store_n(&t->held, 0, __ATOMIC_RELEASE);
	term_notify_room(t);
}

void term_set_eof_cb(struct term *t, void (*on_eof)(void *opaque, u64 sent),
		     void *opaque)
{
	t->on_eof = on_eof;
	t->eof_opaque = opaque;
}

static void term_in_event(struct io_handler *h, u32 events)
{
	term_handle(container_of(h, struct term, in_h));
}

static void term_room_event(struct io_handler *h, u32 events)
{
	term_handle(container_of(h, struct term, room_h));
}

int term_attach(struct term *t, struct io_loop *loop, term_sink_fn sink,
		void *sink_opaque, void (*on_quit)(void *opaque),
		void *quit_opaque)
{
	int fd = term_poll_fd(t);
	int err;

	t->loop = loop;
	t->sink = sink;
	t->sink_opaque = sink_opaque;
	t->on_quit = on_quit;
	t->quit_opaque = quit_opaque;

	t->room_h.fd = t->room_fd;
	t->room_h.fn = term_room_event;
	t->room_h.opaque = t;
	err = io_loop_add(loop, &t->room_h, EPOLLIN);
	if (err)
		return err;
	t->room_attached = true;

	if (fd >= 0) {
		t->in_h.fd = fd;
		t->in_h.fn = term_in_event;
		t->in_h.opaque = t;
		err = io_loop_add(loop, &t->in_h, EPOLLIN | EPOLLET);
		if (err) {
			term_detach(t);
			return err;
		}
		t->in_attached = true;
	}
	/* First pass on the I/O thread: a file, or input typed ahead. */
	term_notify_room(t);
	return 0;
}

void term_detach(struct term *t)
{
	if (t->in_attached)
		io_loop_del(t->loop, &t->in_h);
	if (t->room_attached)
		io_loop_del(t->loop, &t->room_h);
	t->in_attached = false;
	t->room_attached = false;
}
