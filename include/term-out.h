/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console's output side: one buffer in front of stdout shared by every
 * device that prints (the UART, virtio-console, s390x's SCLP), written
 * without ever blocking a thread.
 *
 * - Writes never block: stdout is reopened with O_NONBLOCK when it is a
 *   pipe, FIFO or character device (a new open file description, so the
 *   shell's descriptor keeps its flags), written with MSG_DONTWAIT when it
 *   is a socket, and written as is when it is a regular file. Otherwise
 *   (no /proc, a pipe with no reader yet) it is written only after poll()
 *   says POLLOUT, in pieces no larger than PIPE_BUF.
 * - What does not fit in the fd waits in the buffer; the I/O thread
 *   watches the fd for POLLOUT (edge-triggered) and writes it out.
 * - Back-pressure, not loss: once TERM_OUT_SOFT_CAP bytes wait, the buffer
 *   is "full": term_out_write() takes nothing more and the devices hold
 *   their guest back (the UART keeps THRE clear, virtio-console leaves its
 *   buffers unused) until the room callbacks run, on the I/O thread, when
 *   the buffer has drained to half. term_out_write_all() is for a guest
 *   that does not wait (an emergency write, a THR write while the UART is
 *   busy): it appends anyway up to TERM_OUT_HARD_CAP and only beyond that
 *   drops, with one rate-limited line.
 * - Output is dropped only when the reader is gone (EPIPE, another write
 *   error: one line, then everything is discarded and nobody is held back)
 *   or, at the end, by term_out_finish() once a stop was requested and the
 *   reader stopped taking bytes.
 *
 * Threads: any thread may write (under the buffer's own lock, which is
 * taken after a device's lock, never before). Room callbacks run on the
 * I/O thread with no term_out lock held.
 */
#ifndef LKVM_TERM_OUT_H
#define LKVM_TERM_OUT_H

#include <pthread.h>
#include <stdatomic.h>

#include "io-loop.h"
#include "log.h"
#include "term-state.h"
#include "types.h"

#define TERM_OUT_SOFT_CAP	(64 * 1024)
#define TERM_OUT_HARD_CAP	(1024 * 1024)
#define TERM_OUT_MAX_WAITERS	4
/* term_out_finish(): give up after this long without the reader taking any. */
#define TERM_OUT_FINISH_IDLE_MS	500

enum term_out_mode {
	TERM_OUT_NONE,		/* no fd: everything is discarded */
	TERM_OUT_NONBLOCK,	/* our own O_NONBLOCK description */
	TERM_OUT_SOCKET,	/* send(MSG_DONTWAIT) */
	TERM_OUT_PLAIN,		/* regular file, /dev/null: write() never waits */
	TERM_OUT_POLLED,	/* poll(POLLOUT, 0) then <= PIPE_BUF bytes */
};

/*
 * A terminal the console writes to (two term_outs may share one:
 * term_out_share_line()): what the bytes written to it so far left it in
 * (term-state.h). The lock is taken after a term_out's own, and held
 * across each write so that the bytes are followed in the order the
 * terminal got them; needs mirrors term_state_needs() for signal
 * handlers.
 */
struct term_screen {
	pthread_mutex_t lock;
	struct term_state state;
	atomic_uint needs;
	u64 gen;		/* feeds of state so far, from 1 */
};

struct term_out_waiter {
	void (*fn)(void *opaque);
	void *opaque;
};

struct term_out {
	pthread_mutex_t lock;
	int fd;			/* the fd written (may be our reopened one) */
	int own_fd;		/* fd we opened and must close, or -1 */
	enum term_out_mode mode;
	bool pollable;		/* epoll accepts fd */

	u8 *buf;		/* ring of TERM_OUT_HARD_CAP bytes */
	size_t head, len;
	bool blocked;		/* the fd said EAGAIN; wait for POLLOUT */
	bool starved;		/* someone was refused: call the waiters */
	bool failed;		/* reader gone or write error: discard all */
	bool finished;		/* term_out_finish() ran: discard all */
	u64 bytes_out, bytes_dropped;

	struct term_out_waiter waiters[TERM_OUT_MAX_WAITERS];
	unsigned int nr_waiters;

	struct io_loop *loop;
	struct io_handler h;
	bool attached;

	/* What went wrong under the lock, logged once it is dropped. */
	int fail_report;
	size_t drop_report;

	/*
	 * Log lines sharing the fd's file (term_out_take_log()): *mid_line
	 * says the last byte written to the file was not a '\n'. It is
	 * own_line, or another term_out's writing to the same file
	 * (term_out_share_line()). Atomic: a signal handler reads it too
	 * (log_console_prefix()); written under the writer's lock.
	 */
	atomic_bool own_line;
	atomic_bool *mid_line;
	/*
	 * When fd is a terminal: own_screen, or another term_out's on the
	 * same terminal (term_out_share_line()); NULL otherwise.
	 */
	struct term_screen own_screen;
	struct term_screen *screen;
	/*
	 * What the terminal will be in once every byte handed over so far
	 * (written or waiting) reached it: the screen's state fed what
	 * waits, then whatever was handed over since (tail_needs()). Good
	 * while tail_gen is the screen's gen: this term_out's own writes
	 * keep it so, any other feed of the screen (a line on stderr, the
	 * other console of a shared terminal) or bytes dropped from the
	 * buffer leave it to be made again. Lock held.
	 */
	struct term_state tail;
	u64 tail_gen;
	struct log_console log;
};

/* Set up output to fd (fd < 0: discard). Returns 0 or -errno. */
int term_out_init(struct term_out *o, int fd);
void term_out_destroy(struct term_out *o);

/* Watch the fd for POLLOUT on loop (when it can be polled). 0 or -errno. */
int term_out_attach(struct term_out *o, struct io_loop *loop);
void term_out_detach(struct term_out *o);

/*
 * Ask to be called (on the I/O thread, no lock held) when room appears
 * after a refused write. Call before devices run. 0 or -ENOSPC.
 */
int term_out_add_waiter(struct term_out *o, void (*fn)(void *opaque),
			void *opaque);

/* Bytes term_out_write() would take now (SIZE_MAX when discarding). */
size_t term_out_room(struct term_out *o);

/*
 * Take up to term_out_room() bytes of buf; returns how many. A short count
 * means full: the waiters will be called once there is room.
 */
size_t term_out_write(struct term_out *o, const void *buf, size_t len);

/*
 * Take all of buf (up to the hard cap, beyond which it is dropped with a
 * rate-limited line). Returns true while the buffer is full (the waiters
 * will be called once there is room), false otherwise.
 */
bool term_out_write_all(struct term_out *o, const void *buf, size_t len);

/*
 * When log_fd (lkvm's stderr) is the same file as o's fd (same device and
 * inode, or the same terminal: however each was opened), make lkvm's log
 * lines start on a line of their own (log_set_console()): in the pipe,
 * FIFO, terminal and file modes a line goes into o's stream, after the
 * console's bytes so far and a '\n' when those end mid-line, and out
 * with them without blocking; once the output stopped or failed, and
 * when o's fd is a socket or polled, it is written to stderr as before,
 * after a '\n' when the fd's last byte was not one. On a terminal, what
 * goes first is instead the repair of what the console's bytes left the
 * terminal in (term_state_repair(): an unterminated sequence or string,
 * the alternate screen, a hidden cursor, renditions... and a '\n' when
 * the cursor is not on a fresh line), nothing when they left it sane.
 * Returns whether the files are the same. Call before the threads that
 * log start; term_out_destroy() undoes it.
 */
bool term_out_take_log(struct term_out *o, int log_fd);

/*
 * o writes to the same file as other (lkvm sandbox's hvc1 and hvc0 on one
 * terminal or pipe): where that file stands in a line is then one state
 * for both, so that a log line after a partial line of either starts a
 * line of its own. Call before the threads that write or log start;
 * other must outlive o.
 */
void term_out_share_line(struct term_out *o, struct term_out *other);

/* Is fd the same file as o's (as term_out_take_log() decides)? */
bool term_out_same_file(struct term_out *o, int fd);

/* Bytes waiting in the buffer. */
size_t term_out_pending(struct term_out *o);

/*
 * Write out what is still buffered, on the calling thread, for as long as
 * the reader keeps taking bytes: give up after idle_ms without progress.
 * On a terminal, then write the repair of what the console's bytes left
 * it in, if any (see term_out_take_log()), so that lkvm's last lines and
 * the shell after it show. From then on everything is discarded (and the
 * waiters released). Call once a stop was requested, after the vCPUs
 * stopped. Returns the bytes dropped.
 */
size_t term_out_finish(struct term_out *o, int idle_ms);

/*
 * The terminal's repair, now, for a process about to die of a fatal
 * signal: one write() of what o's terminal needs (nothing when o's fd is
 * not a terminal). Async-signal-safe; a best effort.
 */
void term_out_repair_now(struct term_out *o);

/* The I/O thread's POLLOUT work (exposed for tests): write, call waiters. */
void term_out_service(struct term_out *o);

/*
 * What o's terminal needs once every byte handed over so far reached it:
 * what a log line taken into the stream now would get first (exposed for
 * tests). 0 when o's fd is not a terminal.
 */
u32 term_out_tail_needs(struct term_out *o);

#endif
