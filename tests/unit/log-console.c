// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for log lines sharing a file with the console's output
 * (lib/log.c, term_out_take_log() in vmm/term-out.c): when stderr is the
 * console's file, every "lkvm: " line starts at the beginning of a line,
 * whole, in order with the console's bytes, from any thread, also after a
 * partial line of another console writing to that file (lkvm sandbox's
 * hvc1 beside hvc0), and the SIGSYS handler's line too; when it is
 * another file nothing is added to either.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "seccomp-filter.h"
#include "stderr-redirect.h"
#include "tap.h"
#include "term-out.h"

#define OUT_MAX	(256 * 1024)

static char out[OUT_MAX + 1];
static size_t out_len;

static int pipe_nb(int p[2])
{
	if (pipe(p))
		abort();
	return fcntl(p[0], F_SETFL, O_NONBLOCK);
}

/* Append whatever fd has now to out[] (fd non-blocking). */
static void take(int fd)
{
	ssize_t n;

	while (out_len < OUT_MAX &&
	       (n = read(fd, out + out_len, OUT_MAX - out_len)) > 0)
		out_len += (size_t)n;
	out[out_len] = '\0';
}

static void reset(void)
{
	out_len = 0;
	out[0] = '\0';
}

/* Print what came out, one TAP comment per line, for a failed check. */
static void show(const char *what)
{
	const char *p = out, *nl;

	printf("# %s (%zu bytes):\n", what, out_len);
	while (*p) {
		nl = strchr(p, '\n');
		printf("#   |%.*s|%s\n", nl ? (int)(nl - p) : (int)strlen(p), p,
		       nl ? "" : " (no newline)");
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* Every "lkvm: " in out[] starts a line. */
static bool log_lines_start_lines(void)
{
	const char *p = out;

	while ((p = strstr(p, "lkvm: "))) {
		if (p != out && p[-1] != '\n')
			return false;
		p++;
	}
	return true;
}

static bool same_text(const char *want, const char *what)
{
	bool same = !strcmp(out, want);

	if (!same)
		show(what);
	return same;
}

/* The case of the report: the guest is mid-line when lkvm logs. */
static void test_mid_line(void)
{
	static const char want[] =
		"[    1.23] virtio_blk vda:\n"
		"lkvm: virtio-net: a warning\n"
		" 1.00 GiB\n"
		"lkvm: at a line start\n";
	struct term_out o;
	int p[2];

	pipe_nb(p);
	if (term_out_init(&o, p[1]))
		abort();
	stderr_to(p[1]);
	ok(term_out_take_log(&o, STDERR_FILENO),
	   "stdout and stderr on one pipe: log lines go through the console");
	term_out_write(&o, "[    1.23] virtio_blk vda:", 26);
	pr_warn("virtio-net: a warning");
	term_out_write(&o, " 1.00 GiB\n", 10);
	pr_warn("at a line start");
	stderr_back();
	reset();
	take(p[0]);
	ok(same_text(want, "got"),
	   "a log line after a partial console line starts a line of its own; none added at a line start");
	term_out_destroy(&o);
	close(p[0]);
	close(p[1]);
}

/* Different files: nothing added to the console's output or the log's. */
static void test_other_file(void)
{
	struct term_out o;
	int a[2], b[2];

	pipe_nb(a);
	pipe_nb(b);
	if (term_out_init(&o, a[1]))
		abort();
	stderr_to(b[1]);
	ok(!term_out_take_log(&o, STDERR_FILENO),
	   "stdout and stderr on two pipes: log lines stay on stderr");
	term_out_write(&o, "abc", 3);
	pr_warn("elsewhere");
	stderr_back();
	reset();
	take(a[0]);
	ok(same_text("abc", "console got"),
	   "the console's output is left as it was");
	reset();
	take(b[0]);
	ok(same_text("lkvm: elsewhere\n", "stderr got"),
	   "stderr gets the line alone, with no newline before it");
	term_out_destroy(&o);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/*
 * The same file opened twice (`>f 2>f` rather than `>f 2>&1`): two open
 * file descriptions, one file, so the lines are still kept apart.
 */
static void test_same_file_twice(void)
{
	char path[] = "/tmp/lkvm-log-console.XXXXXX";
	struct term_out o;
	int fd1, fd2;

	fd1 = mkstemp(path);
	fd2 = fd1 < 0 ? -1 : open(path, O_WRONLY | O_APPEND);
	if (fd1 < 0 || fd2 < 0 || fcntl(fd1, F_SETFL, O_APPEND))
		abort();
	unlink(path);
	if (term_out_init(&o, fd1))
		abort();
	stderr_to(fd2);
	ok(term_out_take_log(&o, STDERR_FILENO),
	   "one file opened twice for stdout and stderr is one file");
	term_out_write(&o, "abc", 3);
	pr_warn("in a file");
	term_out_write(&o, "def\n", 4);
	stderr_back();
	reset();
	out_len = (size_t)pread(fd1, out, OUT_MAX, 0);
	out[out_len] = '\0';
	ok(same_text("abc\nlkvm: in a file\ndef\n", "file got"),
	   "in a file too, the log line starts a line");
	term_out_destroy(&o);
	close(fd1);
	close(fd2);
}

/* A terminal: the console's own non-blocking open of it, and stderr. */
static void test_terminal(void)
{
	static const char want[] =
		"Freein\nlkvm: pci virtio-rng.0: MSI-X enabled (2 vectors)\ng initrd memory: 3348K\n";
	struct termios raw;
	struct term_out o;
	int m, sl, err_fd, waited = 0;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (m < 0 || grantpt(m) || unlockpt(m)) {
		skip("no pty", "a terminal");
		return;
	}
	sl = open(ptsname(m), O_RDWR | O_NOCTTY);
	err_fd = open(ptsname(m), O_WRONLY | O_NOCTTY);
	if (sl < 0 || err_fd < 0 || tcgetattr(sl, &raw))
		abort();
	cfmakeraw(&raw);	/* no \r added: what was written comes back */
	if (tcsetattr(sl, TCSANOW, &raw) || term_out_init(&o, sl))
		abort();
	stderr_to(err_fd);
	ok(term_out_take_log(&o, STDERR_FILENO),
	   "stdout and stderr on one terminal: log lines go through the console");
	term_out_write(&o, "Freein", 6);
	pr_warn("pci virtio-rng.0: MSI-X enabled (2 vectors)");
	term_out_write(&o, "g initrd memory: 3348K\n", 23);
	stderr_back();
	reset();
	/* A pty hands the bytes over from a work queue: up to 5 s. */
	while (out_len < strlen(want) && waited++ < 500) {
		usleep(10000);
		take(m);
	}
	ok(same_text(want, "terminal got"),
	   "on a terminal, the log line starts a line");
	term_out_destroy(&o);
	close(err_fd);
	close(sl);
	close(m);
}

/*
 * The reader is behind: console bytes wait in the buffer. The log line
 * comes after them (not ahead of them, in the middle of their line), and
 * a thread that logs does not wait for the reader.
 */
static void test_behind(void)
{
	static char x[4096 + 10];
	static char want[sizeof(x) + 64];
	struct term_out o;
	int p[2], rounds = 0;

	pipe_nb(p);
	fcntl(p[0], F_SETPIPE_SZ, 4096);
	/* Our stderr's description: a write that cannot go now fails. */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	if (term_out_init(&o, p[1]))
		abort();
	stderr_to(p[1]);
	term_out_take_log(&o, STDERR_FILENO);
	memset(x, 'x', sizeof(x));
	term_out_write(&o, x, sizeof(x));
	ok(term_out_pending(&o) > 0, "the pipe is full, console bytes wait (%zu)",
	   term_out_pending(&o));
	alarm(10);
	pr_warn("behind the console");
	alarm(0);
	stderr_back();
	reset();
	while (rounds++ < 1000) {
		take(p[0]);
		term_out_service(&o);
		if (!term_out_pending(&o)) {
			take(p[0]);
			break;
		}
	}
	memcpy(want, x, sizeof(x));
	strcpy(want + sizeof(x), "\nlkvm: behind the console\n");
	ok(out_len == strlen(want) && !memcmp(out, want, out_len),
	   "the line comes after the waiting console bytes, on a line of its own (%zu of %zu bytes)",
	   out_len, strlen(want));
	if (!log_lines_start_lines())
		show("got");
	term_out_destroy(&o);
	close(p[0]);
	close(p[1]);
}

/* After the stop the console's output is over: straight to stderr. */
static void test_after_finish(void)
{
	struct term_out o;
	int p[2];

	pipe_nb(p);
	if (term_out_init(&o, p[1]))
		abort();
	stderr_to(p[1]);
	term_out_take_log(&o, STDERR_FILENO);
	term_out_write(&o, "login:", 6);
	term_out_finish(&o, 0);
	pr_warn("after the stop");
	pr_warn("and another");
	stderr_back();
	reset();
	take(p[0]);
	ok(same_text("login:\nlkvm: after the stop\nlkvm: and another\n", "got"),
	   "after term_out_finish(): one newline, then the lines");
	term_out_destroy(&o);
	close(p[0]);
	close(p[1]);
}

/* The reader goes away: the console says so, as a log line, no deadlock. */
static void test_reader_gone(void)
{
	struct term_out o;
	int p[2];

	pipe_nb(p);
	if (term_out_init(&o, p[1]))
		abort();
	stderr_to(p[1]);
	term_out_take_log(&o, STDERR_FILENO);
	close(p[0]);
	alarm(10);
	term_out_write(&o, "abc", 3);
	pr_warn("to nobody");
	alarm(0);
	stderr_back();
	ok(o.failed, "a gone reader fails the console, and logging it returns");
	term_out_destroy(&o);
	close(p[1]);
}

/*
 * Two consoles on one pipe (lkvm sandbox: the command's stdout, hvc0,
 * and its stderr, hvc1, with `2>&1`): a log line after the other one's
 * partial line starts a line too, and none is added after its '\n'.
 */
static void test_shared_line(void)
{
	static const char want[] =
		"progress 50%\n"
		"lkvm: after hvc1's partial line\n"
		"out\n"
		"abcdef\n"
		"lkvm: after hvc1's whole line\n";
	struct term_out a, b;
	int p[2];

	pipe_nb(p);
	if (term_out_init(&a, p[1]) || term_out_init(&b, p[1]))
		abort();
	stderr_to(p[1]);
	term_out_take_log(&a, STDERR_FILENO);
	term_out_share_line(&b, &a);
	term_out_write(&b, "progress 50%", 12);
	pr_warn("after hvc1's partial line");
	term_out_write(&a, "out\nabc", 7);
	term_out_write(&b, "def\n", 4);
	pr_warn("after hvc1's whole line");
	stderr_back();
	reset();
	take(p[0]);
	ok(same_text(want, "got"),
	   "two consoles on one file: a log line starts a line after either's partial line");
	term_out_destroy(&b);
	term_out_destroy(&a);
	close(p[0]);
	close(p[1]);
}

/*
 * The SIGSYS handler's line (lib/seccomp-sigsys.c) goes straight to
 * stderr; it too starts a line when the console is mid-line
 * (log_console_prefix()).
 */
static void test_sigsys_line(void)
{
	static const char want[] =
		"Freein\nlkvm: seccomp: thread lkvm-main made forbidden system call ";
	char pre[LOG_PREFIX_MAX];
	struct term_out o;
	int p[2], st = 0;
	bool mid[3];
	pid_t pid;

	pipe_nb(p);
	pid = fork();
	if (pid == 0) {
		if (dup2(p[1], STDERR_FILENO) < 0 || term_out_init(&o, p[1]))
			_exit(1);
		term_out_take_log(&o, STDERR_FILENO);
		term_out_write(&o, "line\n", 5);
		if (log_console_prefix(pre))
			_exit(2);
		term_out_write(&o, "Freein", 6);
		if (log_console_prefix(pre) != 1 || pre[0] != '\n')
			_exit(3);
		if (sc_sigsys_install())
			_exit(4);
		raise(SIGSYS);
		_exit(5);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		abort();
	reset();
	take(p[0]);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == LKVM_EXIT_SECCOMP,
	   "the SIGSYS handler exits %d (wait status %d)", LKVM_EXIT_SECCOMP,
	   st);
	if (!ok(!strncmp(out, "line\n", 5) &&
		!strncmp(out + 5, want, strlen(want)),
		"the SIGSYS handler's line starts a line after the console's partial one"))
		show("got");
	mid[0] = log_console_prefix(pre);
	if (term_out_init(&o, p[1]))
		abort();
	stderr_to(p[1]);
	term_out_take_log(&o, STDERR_FILENO);
	term_out_write(&o, "abc", 3);
	mid[1] = log_console_prefix(pre) == 1 && pre[0] == '\n';
	term_out_destroy(&o);
	mid[2] = log_console_prefix(pre);
	stderr_back();
	ok(!mid[0] && mid[1] && !mid[2],
	   "log_console_prefix(): nothing without a console, a newline mid-line, nothing once it is gone");
	close(p[0]);
	close(p[1]);
}

#define CONSOLE_THREADS	2
#define LOG_THREADS	2
#define CHUNKS		3000
#define LINES		300

struct race {
	struct term_out o;
	atomic_int running;
};

struct logger {
	struct race *r;
	int id;
};

static void *console_thread(void *opaque)
{
	struct race *r = opaque;
	int i;

	for (i = 0; i < CHUNKS; i++) {
		if (i % 50 == 49)
			term_out_write_all(&r->o, "ab\n", 3);
		else
			term_out_write_all(&r->o, "abc", 3);
	}
	atomic_fetch_sub(&r->running, 1);
	return NULL;
}

static void *log_thread(void *opaque)
{
	struct logger *l = opaque;
	int i;

	for (i = 0; i < LINES; i++)
		pr_warn("thread %d line %d", l->id, i);
	atomic_fetch_sub(&l->r->running, 1);
	return NULL;
}

/* Count the whole "lkvm: thread T line N" lines in out[]. */
static int whole_log_lines(void)
{
	const char *p = out;
	int n = 0, t, i, len;

	while ((p = strstr(p, "lkvm: "))) {
		if (sscanf(p, "lkvm: thread %d line %d%n", &t, &i, &len) == 2 &&
		    p[len] == '\n')
			n++;
		p++;
	}
	return n;
}

/*
 * vCPU-like threads write console bytes while others log: every line is
 * whole and starts a line, no console byte is lost, nobody deadlocks.
 */
static void test_threads(void)
{
	pthread_t th[CONSOLE_THREADS + LOG_THREADS];
	struct logger loggers[LOG_THREADS];
	static struct race r;
	size_t bs = 0, i;
	int p[2], n = 0, rounds = 0;

	pipe_nb(p);
	if (term_out_init(&r.o, p[1]))
		abort();
	stderr_to(p[1]);
	term_out_take_log(&r.o, STDERR_FILENO);
	atomic_store(&r.running, CONSOLE_THREADS + LOG_THREADS);
	reset();
	alarm(60);
	for (i = 0; i < CONSOLE_THREADS; i++)
		if (pthread_create(&th[n++], NULL, console_thread, &r))
			abort();
	for (i = 0; i < LOG_THREADS; i++) {
		loggers[i].r = &r;
		loggers[i].id = (int)i;
		if (pthread_create(&th[n++], NULL, log_thread, &loggers[i]))
			abort();
	}
	while (atomic_load(&r.running) > 0 || term_out_pending(&r.o)) {
		take(p[0]);
		term_out_service(&r.o);
		if (rounds++ % 64 == 0)
			usleep(100);
	}
	while (n)
		pthread_join(th[--n], NULL);
	take(p[0]);
	alarm(0);
	stderr_back();
	for (i = 0; i < out_len; i++)
		bs += out[i] == 'b';
	ok(bs == (size_t)CONSOLE_THREADS * CHUNKS,
	   "every console byte came out (%zu of %d)", bs,
	   CONSOLE_THREADS * CHUNKS);
	ok(whole_log_lines() == LOG_THREADS * LINES,
	   "every log line came out whole (%d of %d)", whole_log_lines(),
	   LOG_THREADS * LINES);
	ok(log_lines_start_lines(),
	   "with threads racing, every log line starts a line");
	term_out_destroy(&r.o);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_WARN);
	test_mid_line();
	test_other_file();
	test_same_file_twice();
	test_terminal();
	test_behind();
	test_after_finish();
	test_reader_gone();
	test_shared_line();
	test_sigsys_line();
	test_threads();
	return tap_done();
}
