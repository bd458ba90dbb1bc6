// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lkvm's lines on a terminal the guest's output left in a
 * bad state (vmm/term-out.c with lib/term-state.c): on a pty that is both
 * the console's output and stderr, a log line comes after the repair of
 * what the guest's bytes left (an open string, the alternate screen,
 * hidden text...), and after nothing when they left it sane; the end of
 * the output (term_out_finish()) repairs it too; a pipe gets no repair;
 * the signal handlers' paths (log_console_prefix(), term_out_repair_now())
 * see the same; the tail a line's repair comes from, kept as bytes come,
 * needs what a state fed every byte in order needs.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "show-bytes.h"
#include "stderr-redirect.h"
#include "tap.h"
#include "term-out.h"

#define OUT_MAX	4096

static char out[OUT_MAX + 1];
static size_t out_len;

/* Read fd (non-blocking) until `want` bytes came or 5 s passed. */
static void take(int fd, size_t want)
{
	int waited = 0;
	ssize_t n;

	out_len = 0;
	for (;;) {
		while (out_len < OUT_MAX &&
		       (n = read(fd, out + out_len, OUT_MAX - out_len)) > 0)
			out_len += (size_t)n;
		/* A pty hands the bytes over from a work queue. */
		if (out_len >= want || waited++ >= 500)
			break;
		usleep(10000);
	}
	/* And a little longer: anything more than wanted shows too. */
	usleep(20000);
	while (out_len < OUT_MAX &&
	       (n = read(fd, out + out_len, OUT_MAX - out_len)) > 0)
		out_len += (size_t)n;
	out[out_len] = '\0';
}

static bool came(const char *want)
{
	bool same = out_len == strlen(want) && !memcmp(out, want, out_len);

	if (!same) {
		printf("# want %s\n", show_bytes(want, strlen(want)));
		printf("# got  %s\n", show_bytes(out, out_len));
	}
	return same;
}

struct pty {
	int m, sl, err;
};

/* A raw pty (what is written comes back as is) and a second open of it. */
static bool pty_open(struct pty *p)
{
	struct termios raw;

	p->m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (p->m < 0 || grantpt(p->m) || unlockpt(p->m))
		return false;
	p->sl = open(ptsname(p->m), O_RDWR | O_NOCTTY);
	p->err = open(ptsname(p->m), O_WRONLY | O_NOCTTY);
	if (p->sl < 0 || p->err < 0 || tcgetattr(p->sl, &raw))
		abort();
	cfmakeraw(&raw);
	if (tcsetattr(p->sl, TCSANOW, &raw))
		abort();
	return true;
}

static void pty_close(struct pty *p)
{
	close(p->err);
	close(p->sl);
	close(p->m);
}

/*
 * The guest writes `guest`, lkvm logs a line: the terminal gets `want`.
 * stderr is a second open of the console's terminal.
 */
static void log_after(const char *name, const char *guest, const char *want)
{
	struct term_out o;
	struct pty p;

	if (!pty_open(&p)) {
		skip("no pty", "%s", name);
		return;
	}
	if (term_out_init(&o, p.sl))
		abort();
	stderr_to(p.err);
	term_out_take_log(&o, STDERR_FILENO);
	term_out_write(&o, guest, strlen(guest));
	pr_warn("guest exited with status 3");
	stderr_back();
	take(p.m, strlen(want));
	ok(came(want), "%s", name);
	term_out_destroy(&o);
	pty_close(&p);
}

#define LINE "lkvm: guest exited with status 3\n"

/* Every state the tracker repairs, a string still open last. */
#define ALL_STATES \
	"x\x1b]4;1;red\x07\x1b]8;;http://x/\x07\x1b[?1049h\x1b[?1;9;1000;1001;1002;1003;1004;1005;1006;1015;1016;2004h\x1b[?6h\x1b[2;5r\x1b[?25l\x1b[?7l\x1b[8m\x0e\x1b(0\x1b=\x1b%@\x1b]0;t"

static void test_log_lines(void)
{
	log_after("a clean ending: the line and nothing else",
		  "\x1b[1;31mred\x1b[m done\n", "\x1b[1;31mred\x1b[m done\n"
		  LINE);
	log_after("mid-line: a newline first", "login:",
		  "login:\n" LINE);
	log_after("an open OSC is closed first (CAN, ST)",
		  "\x1b]0;swallow", "\x1b]0;swallow\x18\x1b\\" LINE);
	log_after("an open CSI is cancelled first",
		  "\x1b[12;", "\x1b[12;\x18" LINE);
	log_after("the alternate screen is left, concealed text shown",
		  "\x1b[?1049h\x1b[8mhidden",
		  "\x1b[?1049h\x1b[8mhidden\x1b[?1049l\x1b[m" LINE);
	log_after("a hidden cursor is shown again, no newline at a line start",
		  "ok\n\x1b[?25l", "ok\n\x1b[?25l\x1b[?25h" LINE);
	log_after("line drawing and a black background are undone",
		  "\x0e\x1b(0\x1b]11;#000000\x07",
		  "\x0e\x1b(0\x1b]11;#000000\x07\x1b]111\x1b\\\x0f\x1b(B"
		  LINE);
	log_after("mouse reporting, a link and a scroll region are undone",
		  "\x1b[?1000;1006h\x1b]8;;http://x/\x07link\x1b[2;5r",
		  "\x1b[?1000;1006h\x1b]8;;http://x/\x07link\x1b[2;5r\x1b]8;;\x1b\\\x1b[?1000;1006l\x1b[r\x1b[9999H\n"
		  LINE);
	/* Longer than a log line's prefix was (64 bytes): it all comes. */
	log_after("every state at once: the whole repair, then the line",
		  ALL_STATES,
		  ALL_STATES "\x18\x1b\\\x1b]104\x1b\\\x1b]8;;\x1b\\\x1b[?1049;1;9;1000;1001;1002;1003;1004;1005;1006;1015;1016;2004;6l\x1b[?25;7h\x1b[m\x0f\x1b(B\x1b%G\x1b>\x1b[r\x1b[9999H\n"
		  LINE);
}

/* A pipe is not a terminal: the old newline rule, no escapes. */
static void test_pipe(void)
{
	struct term_out o;
	int p[2];

	if (pipe(p) || fcntl(p[0], F_SETFL, O_NONBLOCK) ||
	    term_out_init(&o, p[1]))
		abort();
	stderr_to(p[1]);
	term_out_take_log(&o, STDERR_FILENO);
	term_out_write(&o, "\x1b[?1049h\x1b]0;x", 13);
	pr_warn("guest exited with status 3");
	stderr_back();
	take(p[0], 13 + 1 + strlen(LINE));
	ok(came("\x1b[?1049h\x1b]0;x\n" LINE),
	   "on a pipe: only the newline, no repair");
	term_out_destroy(&o);
	close(p[0]);
	close(p[1]);
}

/* The end of the output repairs the terminal; lines after need nothing. */
static void test_finish(void)
{
	static const char guest[] = "\x1b[?25l\x1b[7mtop";
	struct term_out o;
	struct pty p;

	if (!pty_open(&p)) {
		skip("no pty", "term_out_finish() repairs");
		return;
	}
	if (term_out_init(&o, p.sl))
		abort();
	stderr_to(p.err);
	term_out_take_log(&o, STDERR_FILENO);
	term_out_write(&o, guest, strlen(guest));
	term_out_finish(&o, 100);
	pr_warn("guest exited with status 3");
	stderr_back();
	take(p.m, strlen(guest) + 7 + strlen(LINE));
	ok(came("\x1b[?25l\x1b[7mtop\x1b[?25h\x1b[m\n" LINE),
	   "term_out_finish() repairs the terminal; the last line needs nothing more");
	term_out_destroy(&o);
	pty_close(&p);
}

/* A clean ending: term_out_finish() adds nothing. */
static void test_finish_clean(void)
{
	struct term_out o;
	struct pty p;

	if (!pty_open(&p)) {
		skip("no pty", "term_out_finish() after a clean ending");
		return;
	}
	if (term_out_init(&o, p.sl))
		abort();
	term_out_write(&o, "bye\n", 4);
	term_out_finish(&o, 100);
	take(p.m, 4);
	ok(came("bye\n"), "term_out_finish() after a clean ending adds nothing");
	term_out_destroy(&o);
	pty_close(&p);
}

/* The signal handlers' paths: log_console_prefix(), term_out_repair_now(). */
static void test_signal_paths(void)
{
	char pre[LOG_PREFIX_MAX];
	struct term_out o;
	struct pty p;
	size_t n;

	if (!pty_open(&p)) {
		skip("no pty", "the signal handlers' paths");
		return;
	}
	if (term_out_init(&o, p.sl))
		abort();
	stderr_to(p.err);
	term_out_take_log(&o, STDERR_FILENO);
	term_out_write(&o, "x\x1b[8m", 5);
	n = log_console_prefix(pre);
	stderr_back();
	ok(n == 4 && !memcmp(pre, "\x1b[m\n", 4),
	   "log_console_prefix() on a terminal: its repair (%s)",
	   show_bytes(pre, n));
	term_out_repair_now(&o);
	term_out_repair_now(&o);
	take(p.m, 9);
	ok(came("x\x1b[8m\x1b[m\n"),
	   "term_out_repair_now() writes the repair, once");
	term_out_destroy(&o);
	pty_close(&p);
}

/*
 * Two consoles on one terminal (hvc0, hvc1), a taking the log lines and b
 * sharing its line, with stderr on the pty: false (the skip of what) if
 * there is no pty.
 */
static bool shared_open(struct pty *p, struct term_out *a, struct term_out *b,
			const char *what)
{
	if (!pty_open(p)) {
		skip("no pty", "%s", what);
		return false;
	}
	if (term_out_init(a, p->sl) || term_out_init(b, p->err))
		abort();
	stderr_to(p->err);
	term_out_take_log(a, STDERR_FILENO);
	term_out_share_line(b, a);
	return true;
}

/* stderr back; the terminal got want (the check named what); all closed. */
static void shared_close(struct pty *p, struct term_out *a, struct term_out *b,
			 const char *want, const char *what)
{
	stderr_back();
	take(p->m, strlen(want));
	ok(came(want), "%s", what);
	term_out_destroy(b);
	term_out_destroy(a);
	pty_close(p);
}

/* Two consoles on one terminal (hvc0, hvc1): one state. */
static void test_shared(void)
{
	struct term_out a, b;
	struct pty p;

	if (!shared_open(&p, &a, &b, "two consoles on one terminal"))
		return;
	term_out_write(&b, "\x1b[?1049h", 8);
	term_out_write(&a, "x\n", 2);
	pr_warn("guest exited with status 3");
	shared_close(&p, &a, &b, "\x1b[?1049hx\n\x1b[?1049l" LINE,
		     "one console's alternate screen is left before a line after the other's output");
}

/*
 * The tail (what a line taken into the stream gets first) is kept as
 * bytes come, not made again from what waits: with the pty's reader
 * stalled, so that up to hundreds of KiB wait, random pieces of
 * sequences, log lines among them and the reader taking some now and
 * then, it needs what a state fed every byte in order needs, and the
 * terminal gets exactly the guest's bytes, those repairs and the lines.
 */
#define TAIL_BYTES	(320 * 1024)
#define TAIL_MAX	(2 * TAIL_BYTES)

static u32 lcg(u32 *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void test_tail(void)
{
	static const char *const bits[] = {
		"\x1b[?1049h", "\x1b[?1049l", "\x1b[8m", "\x1b[m", "\x1b]0;t",
		"\x1b\\", "\x07", "x", "\n", "\x1b[?1000;1006h", "\x1b[?1000l",
		"\x1b[2;5r", "\x1b[r", "\x1b[?69h", "\x1b[5;9s", "\x1b[?69l",
		"\x18", "\x1b[", "?25", "l", "h", "\x0e", "\x0f", "\x1b(0",
		"\x1bP", "\x1b]8;;http://x/\x07", "\x1b[?2004:1l", "\x9b",
		"\xc2", "7m",
	};
	char *want = malloc(TAIL_MAX), *got = malloc(TAIL_MAX);
	size_t nwant = 0, ngot = 0, total = 0, most = 0;
	unsigned int checks = 0, wrong = 0, lines = 0, quiet = 0, rounds = 0;
	struct term_state ref;
	struct term_out o;
	struct pty p;
	u32 seed = 42;
	ssize_t r;

	if (!want || !got)
		abort();
	if (!pty_open(&p)) {
		skip("no pty", "the tail kept as bytes come");
		return;
	}
	if (term_out_init(&o, p.sl))
		abort();
	stderr_to(p.err);
	term_out_take_log(&o, STDERR_FILENO);
	term_state_init(&ref, false);
	/* Each round adds at most 4 KiB to want. */
	while (total < TAIL_BYTES && nwant < TAIL_MAX - 4096) {
		char chunk[256], rep[TERM_REPAIR_MAX];
		size_t n = 0, k = lcg(&seed) % 12 + 1, m;

		while (k--) {
			const char *b = bits[lcg(&seed) % ARRAY_SIZE(bits)];

			memcpy(chunk + n, b, strlen(b));
			n += strlen(b);
		}
		if (lcg(&seed) % 4 == 0) {	/* plain text: the bulk */
			memset(chunk + n, 'a', 128);
			n += 128;
		}
		term_out_write_all(&o, chunk, n);
		term_state_feed(&ref, chunk, n);
		memcpy(want + nwant, chunk, n);
		nwant += n;
		total += n;
		checks++;
		if (term_out_tail_needs(&o) != term_state_needs(&ref))
			wrong++;
		most = MAX(most, term_out_pending(&o));
		if (lcg(&seed) % 16 == 0) {
			m = term_state_repair(term_state_needs(&ref), rep);
			term_state_feed(&ref, rep, m);
			term_state_feed(&ref, LINE, strlen(LINE));
			memcpy(want + nwant, rep, m);
			memcpy(want + nwant + m, LINE, strlen(LINE));
			nwant += m + strlen(LINE);
			pr_warn("guest exited with status 3");
			lines++;
		}
		if (lcg(&seed) % 128 == 0) {	/* the reader takes some */
			r = read(p.m, got + ngot, lcg(&seed) % 4096 + 1);
			if (r > 0)
				ngot += (size_t)r;
			term_out_service(&o);
		}
	}
	ok(wrong == 0 && most > 64 * 1024,
	   "the tail needs what all the bytes in order need: %u of %u checks wrong, %u lines, up to %zu bytes waiting",
	   wrong, checks, lines, most);
	/* All of it, then 50 ms without a byte (the pty's work queue). */
	while ((term_out_pending(&o) || quiet < 50) && rounds++ < 20000) {
		r = read(p.m, got + ngot, TAIL_MAX - ngot);
		if (r > 0) {
			ngot += (size_t)r;
			quiet = 0;
		} else {
			quiet++;
			usleep(1000);
		}
		term_out_service(&o);
	}
	stderr_back();
	ok(ngot == nwant && !memcmp(got, want, ngot),
	   "the terminal got the guest's bytes, the repairs and the lines: %zu bytes of %zu",
	   ngot, nwant);
	term_out_destroy(&o);
	pty_close(&p);
	free(want);
	free(got);
}

/* A line, the other console's bytes, a line: the tail sees them. */
static void test_shared_tail(void)
{
	struct term_out a, b;
	struct pty p;

	if (!shared_open(&p, &a, &b, "two consoles on one terminal, two lines"))
		return;
	term_out_write(&a, "x\n", 2);
	pr_warn("guest exited with status 3");
	term_out_write(&b, "\x1b[?1049h", 8);
	pr_warn("guest exited with status 3");
	shared_close(&p, &a, &b, "x\n" LINE "\x1b[?1049h\x1b[?1049l" LINE,
		     "a line after the other console's alternate screen leaves it, after a line before");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_WARN);
	/* The 8-bit model, whatever the environment says. */
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	unsetenv("LANG");
	test_log_lines();
	test_pipe();
	test_finish();
	test_finish_clean();
	test_signal_paths();
	test_shared();
	test_shared_tail();
	test_tail();
	return tap_done();
}
