// SPDX-License-Identifier: GPL-2.0
/* vmm/cmdline.c: words lkvm adds to a guest kernel's command line. */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "tap.h"

static void expect(const char *in, const char *words, const char *want)
{
	char *got = cmdline_add(in, words);

	ok(got && !strcmp(got, want), "'%s' + '%s' -> '%s' (got '%s')", in,
	   words, want, got ? got : "(null)");
	free(got);
}

static void expect_defaults(const char *user,
			    const struct cmdline_defaults *d,
			    const char *want, const char *what)
{
	char *got = cmdline_with_defaults(user, d);

	ok(got && !strcmp(got, want), "defaults: %s: '%s' (got '%s')", what,
	   want, got ? got : "(null)");
	free(got);
}

static void test_defaults(void)
{
	const struct cmdline_defaults serial = { .console = "ttyS0" };
	const struct cmdline_defaults root9p = {
		.console = "ttyS0", .root = "root=/dev/root rootfstype=9p",
		.init = "/virt/init",
	};
	const struct cmdline_defaults sandbox = {
		.console = "ttyS0", .quiet = true,
	};
	const char *tests_line = "console=ttyS0 earlyprintk=serial panic=-1";

	expect_defaults("", &serial, "console=ttyS0 panic=-1",
			"no -p: a working line");
	expect_defaults(tests_line, &serial, tests_line,
			"a -p with console= and panic= stays exactly as given");
	expect_defaults("console=hvc0 x", &serial, "console=hvc0 x panic=-1",
			"-p's console= wins, panic=-1 is added after -p's words");
	expect_defaults("panic=5", &root9p,
			"panic=5 console=ttyS0 root=/dev/root rootfstype=9p init=/virt/init",
			"a 9p root: root words and init=");
	expect_defaults("root=/dev/vda", &root9p,
			"root=/dev/vda console=ttyS0 panic=-1 init=/virt/init",
			"-p's root= wins");
	expect_defaults("a -- init args", &serial,
			"a console=ttyS0 panic=-1 -- init args",
			"before init's arguments");
	expect_defaults("", &sandbox, "console=ttyS0 panic=-1 quiet",
			"sandbox without a console log: quiet");
	expect_defaults("loglevel=7", &sandbox,
			"loglevel=7 console=ttyS0 panic=-1",
			"loglevel= given: no quiet");
}

int main(void)
{
	test_defaults();
	expect("", "a=1", "a=1");
	expect("console=ttyS0", "a=1 b", "console=ttyS0 a=1 b");
	expect("console=ttyS0 -- init arg", "a=1",
	       "console=ttyS0 a=1 -- init arg");
	expect("-- only init args", "a=1", "a=1 -- only init args");
	expect("x --", "a", "x a --");
	expect("x  --  y", "a", "x a --  y");
	expect("x --not-separator y", "a", "x --not-separator y a");
	expect("x=\"a -- b\" y", "w", "x=\"a -- b\" y w");
	expect("x=\"a -- b\" -- y", "w", "x=\"a -- b\" w -- y");
	expect("console=ttyS0", "", "console=ttyS0");

	ok(cmdline_has_param("a x=1 b", "x"), "has x (x=1)");
	ok(cmdline_has_param("a x", "x"), "has x (last word)");
	ok(cmdline_has_param("x", "x"), "has x (only word)");
	ok(!cmdline_has_param("a xy=1 b", "x"), "xy= is not x");
	ok(!cmdline_has_param("a bx b", "x"), "bx is not x");
	ok(!cmdline_has_param("a -- x=1", "x"), "x after -- is init's");
	ok(!cmdline_has_param("", "x"), "empty command line");
	return tap_done();
}
