// SPDX-License-Identifier: GPL-2.0
/* Unit tests for vmm/term.c: escape filter, mode decision, raw mode, input. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "jail.h"
#include "tap.h"
#include "term.h"

/* Run the filter over `in` split at `split`; return result and output. */
static int filter(const char *in, size_t len, size_t split, char *out,
		  size_t *outlen)
{
	struct term t;
	size_t n1 = 0, n2 = 0;
	int r;

	memset(&t, 0, sizeof(t));
	r = term_process_input(&t, (const u8 *)in, split, (u8 *)out, &n1);
	if (r == TERM_OK)
		r = term_process_input(&t, (const u8 *)in + split, len - split,
				       (u8 *)out + n1, &n2);
	*outlen = n1 + n2;
	return r;
}

static void test_escape(void)
{
	static const struct {
		const char *in;
		size_t len;
		int result;
		const char *out;
		size_t outlen;
		const char *what;
	} cases[] = {
		{ "hello", 5, TERM_OK, "hello", 5, "plain bytes pass" },
		{ "ab\x01xcd", 6, TERM_QUIT, "ab", 2, "Ctrl-a x quits" },
		{ "\x01\x01", 2, TERM_OK, "\x01", 1, "Ctrl-a Ctrl-a is one" },
		{ "\x01y", 2, TERM_OK, "\x01y", 2, "Ctrl-a y passes both" },
		{ "\x01X", 2, TERM_OK, "\x01X", 2, "Ctrl-a X is not quit" },
		{ "\x01\x01x", 3, TERM_OK, "\x01x", 2,
		  "Ctrl-a Ctrl-a x: literal Ctrl-a then x" },
		{ "\x01\x01\x01x", 4, TERM_QUIT, "\x01", 1,
		  "third Ctrl-a starts a new escape" },
		{ "x\x03\x1a", 3, TERM_OK, "x\x03\x1a", 3,
		  "^C and ^Z go to the guest" },
		{ "\0\x01\0", 3, TERM_OK, "\0\x01\0", 3, "NUL bytes kept" },
	};
	char out[16];
	size_t outlen, i, split;
	int r;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool all = true;

		/* Every split point must give the same answer. */
		for (split = 0; split <= cases[i].len; split++) {
			r = filter(cases[i].in, cases[i].len, split, out,
				   &outlen);
			if (r != cases[i].result ||
			    outlen != cases[i].outlen ||
			    memcmp(out, cases[i].out, outlen))
				all = false;
		}
		ok(all, "%s (all split points)", cases[i].what);
	}

	{
		struct term t;
		u8 o[4];

		memset(&t, 0, sizeof(t));
		term_process_input(&t, (const u8 *)"\x01", 1, o, &outlen);
		ok(outlen == 0 && t.esc_pending, "trailing Ctrl-a held back");
		term_process_input(&t, (const u8 *)"b", 1, o, &outlen);
		ok(outlen == 2 && o[0] == 1 && o[1] == 'b',
		   "held Ctrl-a released with the next byte (len + 1 out)");
	}
}

static void test_modes(void)
{
	struct term t;
	char path[] = "/tmp/lkvm-term-XXXXXX";
	int p[2], fd;

	ok(term_init(&t, -1, 1) == 0 && t.mode == TERM_IN_NONE &&
	   term_poll_fd(&t) == -1, "no input fd: not read");
	term_destroy(&t);

	if (pipe(p)) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	ok(term_init(&t, p[0], 1) == 0 && t.mode == TERM_IN_STREAM &&
	   term_poll_fd(&t) == p[0], "pipe: polled, verbatim");
	ok(!t.raw_active, "pipe: no raw mode");
	term_destroy(&t);
	close(p[0]);
	close(p[1]);

	fd = open("/dev/null", O_RDONLY);
	ok(fd >= 0 && term_init(&t, fd, 1) == 0 && t.mode == TERM_IN_NONE,
	   "/dev/null: cannot be polled, not read");
	term_destroy(&t);
	close(fd);

	fd = mkstemp(path);
	ok(fd >= 0 && term_init(&t, fd, 1) == 0 && t.mode == TERM_IN_FILE &&
	   term_poll_fd(&t) == -1, "regular file: read eagerly, not polled");
	term_destroy(&t);
	close(fd);
	unlink(path);

	fd = open("/dev/zero", O_RDONLY);
	ok(fd >= 0 && term_init(&t, fd, 1) == 0 && t.mode == TERM_IN_NONE,
	   "/dev/zero: unpollable device, not read");
	term_destroy(&t);
	close(fd);
}

/* Field by field: struct termios has padding memcmp would look at. */
static bool same_termios(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       !memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc)) &&
	       cfgetispeed(a) == cfgetispeed(b) &&
	       cfgetospeed(a) == cfgetospeed(b);
}

static int open_pty(int *master, int *slave)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) || unlockpt(*master))
		return -1;
	*slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
	return *slave < 0 ? -1 : 0;
}

struct sink {
	pthread_mutex_t lock;
	u8 buf[65536];
	size_t len;
	size_t limit;		/* bytes taken per call; 0 = all */
	size_t room;		/* total room left; SIZE_MAX = unlimited */
	unsigned int quits;
};

static size_t sink_fn(void *opaque, const u8 *buf, size_t len)
{
	struct sink *s = opaque;
	size_t n = len;

	pthread_mutex_lock(&s->lock);
	if (s->limit && n > s->limit)
		n = s->limit;
	if (n > s->room)
		n = s->room;
	if (n > sizeof(s->buf) - s->len)
		n = sizeof(s->buf) - s->len;
	memcpy(s->buf + s->len, buf, n);
	s->len += n;
	s->room -= n;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static size_t sink_len(struct sink *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->len;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void sink_init(struct sink *s, size_t room)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->room = room;
}

static void test_tty(void)
{
	struct termios before, during, after;
	struct sink s;
	struct term t;
	int m, sl, r;

	if (open_pty(&m, &sl)) {
		skip("no pty available", "tty raw mode");
		return;
	}
	tcgetattr(sl, &before);
	ok(term_init(&t, sl, sl) == 0 && t.mode == TERM_IN_TTY,
	   "pty slave: terminal mode");
	tcgetattr(sl, &during);
	ok(!(during.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)),
	   "raw: no canonical mode, echo, signals");
	ok(!(during.c_iflag & (ICRNL | IXON)) &&
	   (during.c_cflag & CSIZE) == CS8 && during.c_cc[VMIN] == 1,
	   "raw: no CR mapping or XON/XOFF, 8 bits, VMIN 1");
	ok((during.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR),
	   "output processing (ONLCR) kept");

	sink_init(&s, SIZE_MAX);
	r = write(m, "ab\r\001\001c\003\001xzz", 11);
	r = r == 11 ? term_service(&t, sink_fn, &s) : -1;
	ok(r == TERM_QUIT && s.len == 6 && !memcmp(s.buf, "ab\r\001c\003", 6),
	   "typed input: raw bytes, Ctrl-a Ctrl-a literal, Ctrl-a x quits");

	term_restore(&t);
	tcgetattr(sl, &after);
	ok(same_termios(&before, &after),
	   "term_restore puts the settings back");
	tcsetattr(sl, TCSANOW, &during);
	term_restore(&t);
	tcgetattr(sl, &after);
	ok(same_termios(&during, &after),
	   "second term_restore does nothing");
	term_destroy(&t);
	close(sl);
	close(m);
}

/*
 * In a child with the pty as controlling terminal: 0 if a background
 * process group gets TERM_IN_NONE and leaves the settings alone while the
 * foreground one gets raw mode; another number says what went wrong.
 */
static int background_child(void)
{
	struct termios before, after;
	struct term t;
	int m, sl, status;
	pid_t pid;

	if (setsid() < 0 || open_pty(&m, &sl) ||
	    ioctl(sl, TIOCSCTTY, 0) || tcgetattr(sl, &before))
		return 10;
	pid = fork();
	if (pid == 0) {
		if (setpgid(0, 0) || term_init(&t, sl, sl))
			_exit(11);
		if (t.mode != TERM_IN_NONE || t.raw_active)
			_exit(12);
		tcgetattr(sl, &after);
		if (!same_termios(&before, &after))
			_exit(13);
		/* Nor read as it is (lkvm sandbox's stdin): SIGTTIN. */
		if (term_init_flags(&t, sl, sl, TERM_COOKED) ||
		    t.mode != TERM_IN_NONE)
			_exit(18);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid)
		return 14;
	if (WIFSTOPPED(status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 15;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return WIFEXITED(status) ? WEXITSTATUS(status) : 16;
	if (term_init(&t, sl, sl) || t.mode != TERM_IN_TTY)
		return 17;
	term_destroy(&t);
	return 0;
}

static void test_background(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		_exit(background_child());
	if (pid > 0)
		waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "background process group: terminal left alone, not read; "
	   "foreground: raw (child status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/*
 * pid's wait status (WUNTRACED), or -1 after ms milliseconds without one
 * (then pid is killed).
 */
static int wait_ms(pid_t pid, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status, i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &status, WNOHANG | WUNTRACED) == pid)
			return status;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/*
 * lkvm --jail's stage: the init of a PID namespace of its own, in the
 * process group of the lkvm outside. 0 if, told the terminal is in the
 * background (TERM_BACKGROUND), it neither reads nor changes it; another
 * number says what went wrong.
 */
static int pidns_stage(int sl, const struct termios *before)
{
	struct termios after;
	struct term t;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getpid() != 1)
		return 20;
	/* Why it must be told: in here both groups read 0, as if one. */
	if (tcgetpgrp(sl) != 0 || getpgrp() != 0 || term_fd_background(sl))
		return 21;
	/* lkvm sandbox's stdin (read as it is) and lkvm run's (raw). */
	if (term_init_flags(&t, sl, sl,
			    TERM_COOKED | TERM_HOLD | TERM_BACKGROUND) ||
	    t.mode != TERM_IN_NONE)
		return 22;
	term_destroy(&t);
	if (term_init_flags(&t, sl, sl, TERM_BACKGROUND) ||
	    t.mode != TERM_IN_NONE || t.raw_active)
		return 23;
	term_destroy(&t);
	if (tcgetattr(sl, &after) || !same_termios(before, &after))
		return 24;
	return 0;
}

/*
 * The stage started in the foreground, then its group was put in the
 * background (a Ctrl-Z stopped the lkvm outside): it reads what is typed
 * for the shell. With jail_tty_signals(), as jail_enter() does, the read
 * says EIO and the input ends; 0, or what went wrong.
 */
static int pidns_stage_late(int m, int sl)
{
	struct pollfd p = { .fd = sl, .events = POLLIN };
	struct sink s;
	struct term t;
	int r;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getpid() != 1)
		return 20;
	if (jail_tty_signals())
		return 25;
	/* Not told: in here it cannot tell, and takes itself for the front. */
	if (term_init_flags(&t, sl, sl, TERM_COOKED) ||
	    t.mode != TERM_IN_STREAM)
		return 26;
	if (write(m, "typed\n", 6) != 6 || poll(&p, 1, 2000) != 1)
		return 27;
	sink_init(&s, SIZE_MAX);
	r = term_service(&t, sink_fn, &s);
	if (r != -EIO || s.len)
		return 28;
	term_destroy(&t);
	return 0;
}

/*
 * A session on a pty, a background process group in it that moves into a
 * new PID namespace (as --jail's outside does), and its first child there
 * (the jailed stage) sets up the terminal (late: and reads it). 0, 77
 * without PID namespaces, or what went wrong. The stage, as a namespace's
 * init, would neither stop at SIGTTIN/SIGTTOU nor get past them (the call
 * is restarted for ever); its group's other member stops: both are
 * watched.
 */
static int pidns_child(bool late)
{
	struct termios before;
	int m, sl, status;
	pid_t pid, stage;

	if (setsid() < 0 || open_pty(&m, &sl) ||
	    ioctl(sl, TIOCSCTTY, 0) || tcgetattr(sl, &before))
		return 10;
	pid = fork();
	if (pid == 0) {
		if (setpgid(0, 0))
			_exit(11);
		/* Outside: the process groups are there to compare. */
		if (!term_fd_background(sl))
			_exit(12);
		if (unshare(CLONE_NEWPID) &&
		    unshare(CLONE_NEWUSER | CLONE_NEWPID))
			_exit(77);
		stage = fork();
		if (stage == 0)
			_exit(late ? pidns_stage_late(m, sl) :
			      pidns_stage(sl, &before));
		status = stage > 0 ? wait_ms(stage, 3000) : -1;
		if (status == -1 || !WIFEXITED(status))
			_exit(13);
		_exit(WEXITSTATUS(status));
	}
	status = pid > 0 ? wait_ms(pid, 5000) : -1;
	if (status != -1 && WIFSTOPPED(status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 14;
	}
	if (status == -1 || !WIFEXITED(status))
		return 15;
	return WEXITSTATUS(status);
}

static void test_background_pidns(bool late)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		_exit(pidns_child(late));
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		skip("no PID namespace here",
		     "background, in a PID namespace (--jail)");
		return;
	}
	if (late)
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "... put in the background later: its read says EIO, the input ends, nothing stops or spins (child status %d)",
		   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "background, as --jail's stage in a PID namespace of its own, told so: terminal left alone, not read, nothing stopped (child status %d)",
		   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void test_pipe_service(void)
{
	struct sink s;
	struct term t;
	u8 data[6000];
	int p[2], r, i;
	size_t total;

	if (pipe(p)) {
		ok(0, "pipe");
		return;
	}
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (u8)(i * 7);
	data[10] = TERM_ESCAPE;
	data[11] = 'x';
	term_init(&t, p[0], 1);
	sink_init(&s, 16);
	ok(term_service(&t, sink_fn, &s) == TERM_OK && s.len == 0,
	   "nothing written: nothing read, no blocking");
	r = write(p[1], data, sizeof(data));
	ok(r == (int)sizeof(data), "6000 bytes into the pipe");
	r = term_service(&t, sink_fn, &s);
	ok(r == TERM_OK && s.len == 16 && t.pending_len > 0,
	   "sink full after 16: the rest waits");
	total = s.len;
	for (i = 0; i < 2000 && total < sizeof(data); i++) {
		s.room = 100;
		r = term_service(&t, sink_fn, &s);
		total = s.len;
	}
	ok(total == sizeof(data) && !memcmp(s.buf, data, sizeof(data)),
	   "all bytes arrive verbatim, Ctrl-a x included (%zu)", total);
	close(p[1]);
	ok(term_service(&t, sink_fn, &s) == TERM_EOF, "writer gone: EOF");
	ok(term_service(&t, sink_fn, &s) == TERM_EOF, "EOF stays EOF");
	term_destroy(&t);
	close(p[0]);
}

static void test_file_service(void)
{
	char path[] = "/tmp/lkvm-term-XXXXXX";
	struct sink s;
	struct term t;
	int fd, r = 0, rounds = 0;

	fd = mkstemp(path);
	if (fd < 0 || write(fd, "line one\nline two\n", 18) != 18 ||
	    lseek(fd, 0, SEEK_SET)) {
		ok(0, "temporary file");
		return;
	}
	unlink(path);
	term_init(&t, fd, 1);
	sink_init(&s, 0);
	while (r == TERM_OK && rounds++ < 100) {
		s.room = 5;
		r = term_service(&t, sink_fn, &s);
	}
	ok(r == TERM_EOF && s.len == 18 &&
	   !memcmp(s.buf, "line one\nline two\n", 18),
	   "file read at the sink's pace to EOF (%d rounds)", rounds);
	term_destroy(&t);
	close(fd);
}

struct attach_ctx {
	struct sink s;
	struct term t;
};

static void on_quit(void *opaque)
{
	struct sink *s = opaque;

	pthread_mutex_lock(&s->lock);
	s->quits++;
	pthread_mutex_unlock(&s->lock);
}

/* Wait up to 2 s for cond(s) to hold. */
static bool wait_for(struct sink *s, size_t len, unsigned int quits)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 2000; i++) {
		bool done;

		pthread_mutex_lock(&s->lock);
		done = s->len >= len && s->quits >= quits;
		pthread_mutex_unlock(&s->lock);
		if (done)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void test_attach(void)
{
	struct attach_ctx *c = calloc(1, sizeof(*c));
	struct io_loop loop;
	u8 data[1000];
	int m, sl, i;

	if (!c || open_pty(&m, &sl)) {
		skip("no pty available", "term_attach on an io_loop");
		free(c);
		return;
	}
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = 'a' + i % 26;
	if (io_loop_init(&loop)) {
		ok(0, "io_loop_init");
		return;
	}
	sink_init(&c->s, 10);
	term_init(&c->t, sl, sl);
	/* Typed before the loop starts: must still arrive. */
	ok(write(m, data, 100) == 100, "typed ahead");
	ok(term_attach(&c->t, &loop, sink_fn, &c->s, on_quit, &c->s) == 0,
	   "attached to the I/O loop");
	io_loop_start(&loop);
	ok(wait_for(&c->s, 10, 0), "first 10 bytes delivered");
	/* A guest draining its FIFO: room appears, the callback fires. */
	for (i = 0; i < 200 && sink_len(&c->s) < 1000; i++) {
		size_t before;

		pthread_mutex_lock(&c->s.lock);
		c->s.room = 10;
		before = c->s.len;
		pthread_mutex_unlock(&c->s.lock);
		if (i == 5 && write(m, data + 100, 900) != 900)
			break;
		term_notify_room(&c->t);
		wait_for(&c->s, before + 1, 0);
	}
	ok(sink_len(&c->s) == 1000 && !memcmp(c->s.buf, data, 1000),
	   "1000 bytes delivered in order under back-pressure (%zu)",
	   sink_len(&c->s));
	pthread_mutex_lock(&c->s.lock);
	c->s.room = SIZE_MAX;
	pthread_mutex_unlock(&c->s.lock);
	ok(write(m, "!\x01x", 3) == 3 && wait_for(&c->s, 1001, 1),
	   "Ctrl-a x on the loop calls on_quit");
	io_loop_stop(&loop);
	term_destroy(&c->t);
	io_loop_destroy(&loop);
	close(sl);
	close(m);
	free(c);
}

struct eof_ctx {
	struct sink s;
	struct term t;
	unsigned int eofs;
	u64 sent;
};

static void on_eof(void *opaque, u64 sent)
{
	struct eof_ctx *c = opaque;

	pthread_mutex_lock(&c->s.lock);
	c->eofs++;
	c->sent = sent;
	pthread_mutex_unlock(&c->s.lock);
}

static unsigned int eofs_now(struct eof_ctx *c, u64 *sent)
{
	unsigned int n;

	pthread_mutex_lock(&c->s.lock);
	n = c->eofs;
	*sent = c->sent;
	pthread_mutex_unlock(&c->s.lock);
	return n;
}

/* Wait up to 2 s for on_eof. */
static bool wait_eof(struct eof_ctx *c)
{
	struct timespec ts = { 0, 1000000 };
	u64 sent;
	int i;

	for (i = 0; i < 2000 && !eofs_now(c, &sent); i++)
		nanosleep(&ts, NULL);
	return eofs_now(c, &sent) > 0;
}

/*
 * lkvm sandbox's stdin: held until released, every byte then, and the end
 * told once, with the count, only after the sink took the last byte.
 */
static void test_held_eof(void)
{
	struct timespec settle = { 0, 50000000 };
	struct eof_ctx *c = calloc(1, sizeof(*c));
	struct io_loop loop;
	u8 data[5000];
	u64 sent = 0;
	int p[2], i;

	if (!c || pipe(p) || io_loop_init(&loop)) {
		ok(0, "pipe, I/O loop");
		free(c);
		return;
	}
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (u8)(i * 13);
	data[7] = TERM_ESCAPE;
	data[8] = TERM_ESCAPE_QUIT;
	ok(write(p[1], data, sizeof(data)) == (ssize_t)sizeof(data) &&
	   !close(p[1]), "5000 bytes in a pipe, then its end");
	sink_init(&c->s, 1000);
	ok(term_init_flags(&c->t, p[0], 1, TERM_COOKED | TERM_HOLD) == 0 &&
	   c->t.mode == TERM_IN_STREAM, "a pipe, held: a stream");
	term_set_eof_cb(&c->t, on_eof, c);
	ok(term_attach(&c->t, &loop, sink_fn, &c->s, on_quit, &c->s) == 0,
	   "attached to the I/O loop");
	io_loop_start(&loop);
	nanosleep(&settle, NULL);
	ok(sink_len(&c->s) == 0 && !eofs_now(c, &sent),
	   "held: nothing handed on, no end told");
	term_release_input(&c->t);
	ok(wait_for(&c->s, 1000, 0), "released: the sink's 1000 bytes taken");
	nanosleep(&settle, NULL);
	ok(!eofs_now(c, &sent),
	   "4000 bytes not taken yet: no end told");
	pthread_mutex_lock(&c->s.lock);
	c->s.room = SIZE_MAX;
	pthread_mutex_unlock(&c->s.lock);
	term_notify_room(&c->t);
	ok(wait_eof(c) && sink_len(&c->s) == sizeof(data) &&
	   !memcmp(c->s.buf, data, sizeof(data)),
	   "room: all 5000 bytes verbatim (Ctrl-a x too), then the end");
	term_notify_room(&c->t);
	nanosleep(&settle, NULL);
	i = (int)eofs_now(c, &sent);
	ok(i == 1 && sent == sizeof(data) && c->s.quits == 0,
	   "the end told once (%d), after %llu bytes", i,
	   (unsigned long long)sent);
	io_loop_stop(&loop);
	term_destroy(&c->t);
	close(p[0]);

	/* Nothing to read (no fd, /dev/null): the end at once on release. */
	memset(c, 0, sizeof(*c));
	sink_init(&c->s, SIZE_MAX);
	ok(term_init_flags(&c->t, -1, 1, TERM_COOKED | TERM_HOLD) == 0 &&
	   c->t.mode == TERM_IN_NONE, "no input fd, held");
	term_set_eof_cb(&c->t, on_eof, c);
	io_loop_start(&loop);
	ok(term_attach(&c->t, &loop, sink_fn, &c->s, on_quit, &c->s) == 0,
	   "attached");
	nanosleep(&settle, NULL);
	ok(!eofs_now(c, &sent), "held: no end told");
	term_release_input(&c->t);
	ok(wait_eof(c) && eofs_now(c, &sent) == 1 && sent == 0,
	   "released: the end, after 0 bytes");
	io_loop_stop(&loop);
	term_destroy(&c->t);
	io_loop_destroy(&loop);
	free(c);
}

/* TERM_COOKED on a terminal: its line discipline stays; Ctrl-d ends it. */
static void test_cooked_tty(void)
{
	struct termios before, during;
	struct sink s;
	struct term t;
	int m, sl, r;

	if (open_pty(&m, &sl)) {
		skip("no pty available", "a terminal read as it is");
		return;
	}
	tcgetattr(sl, &before);
	ok(term_init_flags(&t, sl, sl, TERM_COOKED) == 0 &&
	   t.mode == TERM_IN_STREAM && !t.raw_active,
	   "cooked: a pty slave is a stream, not raw");
	tcgetattr(sl, &during);
	ok(same_termios(&before, &during) && (during.c_lflag & ICANON),
	   "cooked: its settings untouched (canonical mode)");
	sink_init(&s, SIZE_MAX);
	r = write(m, "ab\001x\n", 5);
	r = r == 5 ? term_service(&t, sink_fn, &s) : -1;
	ok(r == TERM_OK && s.len == 5 && !memcmp(s.buf, "ab\001x\n", 5),
	   "a typed line passes whole, Ctrl-a x is no escape");
	r = write(m, "\004", 1);
	r = r == 1 ? term_service(&t, sink_fn, &s) : -1;
	ok(r == TERM_EOF && s.len == 5, "Ctrl-d at a line's start: the end");
	term_destroy(&t);
	close(sl);
	close(m);
}

int main(void)
{
	test_escape();
	test_modes();
	test_tty();
	test_background();
	test_background_pidns(false);
	test_background_pidns(true);
	test_pipe_service();
	test_file_service();
	test_attach();
	test_held_eof();
	test_cooked_tty();
	return tap_done();
}
