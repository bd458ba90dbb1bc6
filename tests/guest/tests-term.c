// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that leaves the terminal in a bad state, for
 * tests/integration/term-repair.sh: test=termjunk:KIND writes KIND's
 * bytes to COM1 and exits with status 3 (lkvm then logs its exit line).
 *
 *   clean  "clean: ok\n" and nothing else
 *   osc    an OSC never terminated (a title that swallows what follows)
 *   csi    a CSI without its final byte
 *   dcs    a DCS never terminated
 *   alt    the alternate screen, the cursor hidden, concealed text
 *   colour black on black, line drawing, mid-line
 *   modes  mouse reporting, bracketed paste, a hyperlink left open, a
 *          scroll region, mid-line
 */
#include "guest.h"

struct junk {
	const char *kind, *bytes;
};

static const struct junk junks[] = {
	{ "clean", "clean: ok\n" },
	{ "osc", "junk: osc\n\x1b]0;swallowed" },
	{ "csi", "junk: csi\n\x1b[12;" },
	{ "dcs", "junk: dcs\n\x1bPq#0;2;0;0;0" },
	{ "alt", "junk: alt\n\x1b[?1049h\x1b[?25l\x1b[8mhidden" },
	{ "colour", "junk: colour\n\x1b[30;40m\x0e\x1b(0lqqk" },
	{ "modes",
	  "junk: modes\n\x1b[?1000;1006;2004h\x1b]8;;http://example.com/\x1b\\link\x1b[2;5r" },
};

static int test_termjunk(const struct boot_info *bi, const char *arg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(junks); i++) {
		if (strcmp(arg, junks[i].kind))
			continue;
		console_write(junks[i].bytes, strlen(junks[i].bytes));
		return 3;
	}
	printf("termjunk: unknown kind '%s'\n", arg);
	return EXIT_USAGE;
}
GUEST_TEST("termjunk", test_termjunk);
