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

int main(void)
{
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
