/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_TERM_H
#define LKVM_TERM_H

#include <termios.h>

#include "io-loop.h"
#include "term-out.h"
#include "types.h"

/* How the console input fd is read; decided once by term_init(). */
enum term_mode {
	/* Not read: no fd, /dev/null, unpollable devices, background tty. */
	TERM_IN_NONE,
	/* Terminal: raw mode, Ctrl-a escapes, polled. */
	TERM_IN_TTY,
	/* Pipe, socket, other pollable fd: verbatim, polled. */
	TERM_IN_STREAM,
	/* Regular file: verbatim, read whenever the guest has room, to EOF. */
	TERM_IN_FILE,
};

/* Results of term_process_input() and term_service(); errors are -errno. */
#define TERM_OK		0
#define TERM_QUIT	1	/* Ctrl-a x seen: the user wants out */
#define TERM_EOF	2	/* input ended; nothing more will be read */

#define TERM_ESCAPE	0x01	/* Ctrl-a */
#define TERM_ESCAPE_QUIT 'x'
#define TERM_BUF_SIZE	4096

/*
 * Where input goes (serial8250_sink, a virtio-console port...). Returns how
 * many bytes it took; a short count means "full, call me again after
 * term_notify_room()".
 */
typedef size_t (*term_sink_fn)(void *opaque, const u8 *buf, size_t len);

struct term {
	int in_fd;
	int out_fd;
	enum term_mode mode;
	struct term_out out;		/* output buffer in front of out_fd */
	bool out_ready;			/* `out` was initialised */
	int room_fd;			/* eventfd: the guest made room */

	/*
	 * Saved terminal state; raw_active (accessed atomically, also from
	 * signal handlers) says it must be put back.
	 */
	struct termios saved;
	int raw_active;

	bool esc_pending;		/* last byte seen was Ctrl-a */
	bool eof;
	bool read_error_logged;

	/*
	 * TERM_HOLD: nothing is read or handed on while `held` (atomic) is
	 * set; term_release_input() clears it. `sent` counts the bytes the
	 * sink took; on_eof(eof_opaque, sent) runs once, on the I/O thread,
	 * when input is over and all of it was taken.
	 */
	int held;
	u64 sent;
	bool eof_told;
	void (*on_eof)(void *opaque, u64 sent);
	void *eof_opaque;

	/* Input read and escape-processed but not yet taken by the sink. */
	u8 pending[TERM_BUF_SIZE + 1];
	size_t pending_off, pending_len;

	/* term_attach() state. */
	struct io_loop *loop;
	struct io_handler in_h, room_h;
	bool in_attached, room_attached;
	term_sink_fn sink;
	void *sink_opaque;
	void (*on_quit)(void *opaque);
	void *quit_opaque;
};

/*
 * Decide how to treat in_fd (see enum term_mode; in_fd < 0 means none) and,
 * for a terminal, save its settings and switch it to raw mode: no echo, no
 * line editing, no signals from ^C/^Z/^\, 8-bit clean, output processing
 * (\n -> \r\n) kept. out_fd is where the console's output goes, through
 * t->out (term-out.h), which devices write. Returns 0 or -errno.
 */
int term_init(struct term *t, int in_fd, int out_fd);

/* term_init_flags()'s flags. */
/*
 * A terminal on in_fd is read as it is, through its own line discipline
 * (echo, Ctrl-d ends the input, Ctrl-c is lkvm's SIGINT), not put in raw
 * mode: a stream without Ctrl-a escapes. A terminal whose foreground is
 * another process group is not read (TERM_IN_NONE).
 */
#define TERM_COOKED	1
/* Read nothing and hand nothing on until term_release_input(). */
#define TERM_HOLD	2
/*
 * A terminal on in_fd is in the background (TERM_IN_NONE, left alone) as
 * the caller knows: lkvm --jail's stage, whose PID namespace sees neither
 * the foreground process group nor its own, is told by the lkvm outside.
 */
#define TERM_BACKGROUND	4

/* term_init() with TERM_* flags. */
int term_init_flags(struct term *t, int in_fd, int out_fd, unsigned int flags);

/*
 * Is fd our controlling terminal, with another process group in the
 * foreground (reading it would stop us with SIGTTIN)? False when neither
 * group is visible in our PID namespace (see TERM_BACKGROUND).
 */
bool term_fd_background(int fd);

/*
 * TERM_HOLD is over: input may flow. Any thread; never blocks (it wakes
 * the I/O thread through the room eventfd).
 */
void term_release_input(struct term *t);

/*
 * Call on_eof(opaque, sent) once, on the I/O thread, when the input is
 * over (end of file, a read error, or nothing to read: TERM_IN_NONE) and
 * the sink has taken every byte read, `sent` of them in all. Set it
 * before term_attach(), or while TERM_HOLD holds.
 */
void term_set_eof_cb(struct term *t, void (*on_eof)(void *opaque, u64 sent),
		     void *opaque);

/*
 * Put the terminal back as term_init() found it. Idempotent, callable from
 * any thread, from atexit() and from a fatal-signal handler (it only uses
 * tcsetattr() and an atomic flag).
 */
void term_restore(struct term *t);

/*
 * term_detach(), term_restore(), close the room eventfd and free the
 * output buffer (call term_out_finish() on t->out first to write it out).
 */
void term_destroy(struct term *t);

/*
 * The Ctrl-a filter for terminal input: copy `in` to `out` (room for
 * len + 1 bytes: a Ctrl-a held back from the previous call may come out
 * now), turning Ctrl-a Ctrl-a into one Ctrl-a and passing Ctrl-a followed
 * by any other byte through as both bytes. Returns TERM_QUIT at Ctrl-a x
 * (bytes before it are in `out`, bytes after it are dropped), else TERM_OK.
 * A trailing Ctrl-a is held until the next call.
 */
int term_process_input(struct term *t, const u8 *in, size_t len, u8 *out,
		       size_t *outlen);

/* The fd to poll for input (EPOLLIN | EPOLLET), or -1 when not pollable. */
int term_poll_fd(const struct term *t);

/* The eventfd that becomes readable when the guest made room. */
int term_room_fd(const struct term *t);

/*
 * Room callback for serial8250_set_room_cb() and the like: wakes the I/O
 * thread through the room eventfd. Any thread; never blocks.
 */
void term_notify_room(void *term);

/*
 * Move input to the sink until it is full or no input is ready: first what
 * is pending from earlier, then fresh reads (never blocking: a polled fd is
 * only read when poll() says so, a file is read as such). Call it from the
 * I/O thread when term_poll_fd() is readable, when term_room_fd() is
 * readable, and once at start. Returns TERM_OK, TERM_QUIT (stop the VM),
 * TERM_EOF (input is over; already-read bytes still reach the sink on later
 * calls) or -errno after a read error (also logged once, input over).
 */
int term_service(struct term *t, term_sink_fn sink, void *opaque);

/*
 * All of the above on an io_loop: registers the input fd (edge-triggered)
 * and the room eventfd, feeds `sink`, and calls on_quit(quit_opaque) on the
 * I/O thread when the user types Ctrl-a x. Kicks one service pass so input
 * already waiting (or a file) starts flowing. Returns 0 or -errno.
 */
int term_attach(struct term *t, struct io_loop *loop, term_sink_fn sink,
		void *sink_opaque, void (*on_quit)(void *opaque),
		void *quit_opaque);

/* Remove term_attach()'s handlers; safe when not attached. */
void term_detach(struct term *t);

#endif
