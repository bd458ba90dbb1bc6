// SPDX-License-Identifier: GPL-2.0
/*
 * glib's messages on lkvm-net, confined as devices/net-slirp.c confines
 * it (Landlock, then the net role's filter, whose refusal traps as in
 * lkvm run): a g_warning() (g_log()), a g_debug() and a failed
 * g_assert() of libslirp's glib reach lkvm's log (a flood of warnings
 * within its rate limit), and the assertion ends
 * the thread's process with SIGABRT, its own signal. glib's own writer
 * and print functions load iconv's modules for the first line of the
 * process (an O_DIRECTORY open the filter refuses): SIGSYS, the
 * assertion's line lost. In a child process, whose log lines come back
 * on a pipe; skipped without libslirp.
 */
#include <dlfcn.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock.h"
#include "log.h"
#include "net-backend.h"
#include "role-filter.h"
#include "tap.h"

static int log_pipe = -1;

/* Every log line of the child goes to the parent, whole. */
static enum log_line_route take_line(void *opaque, const char *line,
				     size_t len, char *prefix,
				     size_t *prefix_len)
{
	if (write(log_pipe, line, len) != (ssize_t)len)
		_exit(5);
	return LOG_LINE_TAKEN;
}

static const struct log_console taker = { .line = take_line };

/* glib's G_LOG_LEVEL_WARNING and G_LOG_LEVEL_DEBUG. */
#define GLIB_WARNING	(1 << 4)
#define GLIB_DEBUG	(1 << 7)

/*
 * Confined: two log lines, a flood of warnings, then a failed assertion
 * (which aborts).
 */
static void child(void *glib, int out)
{
	void (*g_log)(const char *domain, int level, const char *fmt, ...);
	void (*assert_expr)(const char *domain, const char *file, int line,
			    const char *func, const char *expr);
	const struct rlimit no_core = { 0, 0 };
	const char *why = NULL;
	int i;

	*(void **)&g_log = dlsym(glib, "g_log");
	*(void **)&assert_expr = dlsym(glib, "g_assertion_message_expr");
	if (!g_log || !assert_expr || setrlimit(RLIMIT_CORE, &no_core))
		_exit(3);
	log_pipe = out;
	log_set_level(LOG_DEBUG);
	log_set_console(&taker);
	if (landlock_user_net("/etc/resolv.conf", &why) < 0 ||
	    !role_filter_install(SC_ROLE_NET, SECCOMP_RET_TRAP))
		_exit(4);
	g_log("Slirp", GLIB_WARNING, "a warning from %s", "glib");
	g_log("Slirp", GLIB_DEBUG, "a debug %s", "line");
	for (i = 0; i < 100; i++)
		g_log("Slirp", GLIB_WARNING, "warning %d of a flood", i);
	/* What g_assert(ret == 0) in libslirp's tcp_connect() calls. */
	assert_expr("Slirp", "tcp_subr.c", 487, "tcp_connect", "ret == 0");
	_exit(0);
}

int main(void)
{
	static const char *const want[] = {
		"lkvm: user network: libslirp: a warning from glib\n",
		"lkvm: user network: libslirp: a debug line\n",
		"lkvm: user network: libslirp: Slirp:ERROR:tcp_subr.c:487:tcp_connect: assertion failed: (ret == 0)\n",
	};
	char got[8192];
	const char *at;
	size_t len = 0;
	unsigned int i, flood;
	ssize_t n;
	void *glib;
	int p[2], st;
	pid_t pid;

	if (!net_user_available()) {
		skip("lkvm built without libslirp", "glib's lines on lkvm-net");
		return tap_done();
	}
	/* libslirp loaded as lkvm loads it, glib with it. */
	net_user_preload();
	glib = dlopen("libglib-2.0.so.0", RTLD_NOW | RTLD_NOLOAD);
	if (!glib) {
		skip("libslirp.so.0 or its glib cannot be loaded here",
		     "glib's lines on lkvm-net");
		return tap_done();
	}
	if (pipe(p))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		child(glib, p[1]);
	close(p[1]);
	while (len < sizeof(got) - 1 &&
	       (n = read(p[0], got + len, sizeof(got) - 1 - len)) > 0)
		len += (size_t)n;
	got[len] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 4) {
		skip("no Landlock or seccomp filter here",
		     "glib's lines on lkvm-net");
		return tap_done();
	}
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
	   "a failed glib assertion under lkvm-net's filter aborts, no system call refused (%s)",
	   WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited");
	for (i = 0; i < ARRAY_SIZE(want); i++)
		ok(strstr(got, want[i]) != NULL, "in lkvm's log: %.*s",
		   (int)strlen(want[i]) - 1, want[i]);
	for (flood = 0, at = got; (at = strstr(at, "of a flood")); at++)
		flood++;
	ok(flood >= 1 && flood <= 10,
	   "100 warnings in a burst: %u lines, within the log's rate limit (10)",
	   flood);
	return tap_done();
}
