// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the terminal-state tracker (lib/term-state.c): which
 * repair each state a guest can leave a terminal in needs, that a clean
 * ending needs none, and that the repair, fed back, leaves the tracker
 * needing nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "show-bytes.h"
#include "tap.h"
#include "term-state.h"

#define CAN	TERM_NEED_CAN
#define ST	TERM_NEED_ST
#define NL	TERM_NEED_NEWLINE

/* The needs done by CSI ? ... l and CSI ? ... h. */
#define DEC_RESETS	(TERM_NEED_ALT1049 | TERM_NEED_ALT47 | TERM_NEED_CKM | \
			 TERM_NEED_MOUSE_X10 | TERM_NEED_MOUSE | \
			 TERM_NEED_MOUSE_HL | TERM_NEED_MOUSE_BTN | \
			 TERM_NEED_MOUSE_ANY | TERM_NEED_FOCUS | \
			 TERM_NEED_MOUSE_UTF8 | TERM_NEED_MOUSE_SGR | \
			 TERM_NEED_MOUSE_URXVT | TERM_NEED_MOUSE_PIXEL | \
			 TERM_NEED_PASTE | TERM_NEED_ORIGIN)
#define DEC_SETS	(TERM_NEED_CURSOR | TERM_NEED_WRAP)

struct tcase {
	const char *name;
	const char *bytes;	/* after a "\n": the cursor on a fresh line */
	bool utf8;
	u32 needs;
	const char *repair;	/* the exact repair, or NULL */
};

static const struct tcase cases[] = {
	/* Clean endings: nothing to add. */
	{ "plain line", "hello\n", false, 0, "" },
	{ "colours reset", "\x1b[1;31mred\x1b[0m\n", false, 0, "" },
	{ "CSI m resets", "\x1b[7m\x1b[m", false, 0, "" },
	{ "SGR 22/39/49 undo 1/31/41", "\x1b[1;31;41m\x1b[22;39;49m", false,
	  0, "" },
	{ "full-screen program that cleaned up",
	  "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2Jtop\x1b[?25h\x1b[?1049l", false,
	  0, "" },
	{ "title set, BEL-terminated", "\x1b]0;my title\x07", false, 0, "" },
	{ "title set, ST-terminated", "\x1b]2;t\x1b\\", false, 0, "" },
	{ "erase line and bracketed paste move nothing",
	  "\x1b[K\x1b[?2004h\x1b[?2004l", false, 0, "" },
	{ "CR after a newline", "\r", false, 0, "" },
	{ "G0 designated back", "\x1b(0q\x1b(B\n", false, 0, "" },
	{ "UTF-8 text, UTF-8 model", "za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87\n",
	  true, 0, "" },
	{ "colours set and reset by OSC", "\x1b]10;#000000\x07\x1b]110\x07",
	  false, 0, "" },
	{ "RIS undoes it all", "\x1b[?1049h\x1b[8m\x1b[?25l\x0e\033c",
	  false, 0, "" },

	/* Each state and its repair. */
	{ "mid-line", "login: ", false, NL, "\n" },
	{ "carriage return mid-line", "50%\r", false, NL, "\n" },
	{ "lone ESC", "\x1b", false, CAN, "\x18" },
	{ "CSI without its final byte", "\x1b[12;3", false, CAN, "\x18" },
	{ "ESC with an intermediate", "\x1b(", false, CAN, "\x18" },
	{ "open OSC", "\x1b]0;swallow", false, CAN | ST, "\x18\x1b\\" },
	{ "open DCS", "\x1bPq#0;2;0;0;0", false, CAN | ST, "\x18\x1b\\" },
	{ "DCS does not end at BEL", "\x1bPq\x07", false, CAN | ST, NULL },
	{ "open APC", "\x1b_x", false, CAN | ST, NULL },
	{ "alternate screen (1049) from a fresh line", "\x1b[?1049h", false,
	  TERM_NEED_ALT1049, "\x1b[?1049l" },
	{ "alternate screen (1049) from mid-line", "x\x1b[?1049h", false,
	  TERM_NEED_ALT1049 | NL, "\x1b[?1049l\n" },
	{ "alternate screen (47)", "\x1b[?47h", false, TERM_NEED_ALT47 | NL,
	  "\x1b[?47l\n" },
	{ "hidden cursor", "\x1b[?25l", false, TERM_NEED_CURSOR,
	  "\x1b[?25h" },
	{ "autowrap off", "\x1b[?7l", false, TERM_NEED_WRAP, "\x1b[?7h" },
	{ "concealed", "\x1b[8m", false, TERM_NEED_SGR, "\x1b[m" },
	{ "black on black", "\x1b[30;40m", false, TERM_NEED_SGR, "\x1b[m" },
	{ "256-colour 0 is not a reset", "\x1b[38;5;0m", false,
	  TERM_NEED_SGR, NULL },
	{ "RGB 0;0;0 is not a reset", "\x1b[48;2;0;0;0m", false,
	  TERM_NEED_SGR, NULL },
	{ "SGR 0 then 8", "\x1b[0;8m", false, TERM_NEED_SGR, NULL },
	{ "shift out", "\x0e", false, TERM_NEED_SHIFT, "\x0f" },
	{ "line drawing in G0", "\x1b(0", false, TERM_NEED_G0, "\x1b(B" },
	{ "encoding switched", "\x1b%@", false, TERM_NEED_UTF8, "\x1b%G" },
	{ "default background changed", "\x1b]11;#000000\x1b\\", false,
	  TERM_NEED_BG, "\x1b]111\x1b\\" },
	{ "default colours changed, both", "\x1b]10;black;black\x07", false,
	  TERM_NEED_FG | TERM_NEED_BG, NULL },
	{ "a colour query changes nothing", "\x1b]11;?\x07", false, 0, "" },
	{ "palette changed", "\x1b]4;7;#000000\x07", false,
	  TERM_NEED_PALETTE, "\x1b]104\x1b\\" },
	{ "cursor moved", "\x1b[5;5H", false, NL, "\n" },
	{ "everything at once",
	  "x\x1b]4;1;red\x07\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[8m\x0e\x1b(0\x1b]0;t",
	  false, CAN | ST | TERM_NEED_PALETTE | TERM_NEED_ALT1049 |
	  TERM_NEED_CURSOR | TERM_NEED_WRAP | TERM_NEED_SGR |
	  TERM_NEED_SHIFT | TERM_NEED_G0 | NL,
	  "\x18\x1b\\\x1b]104\x1b\\\x1b[?1049l\x1b[?25;7h\x1b[m\x0f\x1b(B\n" },

	/* Hyperlinks (OSC 8). */
	{ "hyperlink left open", "\x1b]8;;http://example.com/\x1b\\link",
	  false, TERM_NEED_LINK | NL, "\x1b]8;;\x1b\\\n" },
	{ "hyperlink with an id left open", "\x1b]8;id=1;http://x/\x07",
	  false, TERM_NEED_LINK, "\x1b]8;;\x1b\\" },
	{ "hyperlink closed", "\x1b]8;;http://x/\007a\x1b]8;;\x07\n", false,
	  0, "" },
	{ "an OSC 8 still open is a link", "\x1b]8;;http://x/", false,
	  CAN | ST | TERM_NEED_LINK, "\x18\x1b\\\x1b]8;;\x1b\\" },
	{ "a link close cut short by CAN closes nothing on a DEC terminal",
	  "\x1b]8;;http://x/\x07\x1b]8;;\x18\x1b\\", false,
	  TERM_NEED_LINK, NULL },
	{ "a link close cut short by an ESC is a URI on a strict terminal",
	  "\x1b]8;;\x1b", false, CAN | ST | TERM_NEED_LINK, NULL },
	{ "a link close cut short in a UTF-8 character has a URI",
	  "\x1b]8;;\xd1", true, CAN | ST | TERM_NEED_LINK, NULL },
	{ "RIS closes the link", "\x1b]8;;http://x/\x07\033c", false, 0,
	  "" },

	/* Input modes. */
	{ "mouse reporting, SGR encoding", "\x1b[?1000;1006h", false,
	  TERM_NEED_MOUSE | TERM_NEED_MOUSE_SGR, "\x1b[?1000;1006l" },
	{ "every mouse mode",
	  "\x1b[?9h\x1b[?1001h\x1b[?1002h\x1b[?1003h\x1b[?1005h\x1b[?1015h\x1b[?1016h",
	  false, TERM_NEED_MOUSE_X10 | TERM_NEED_MOUSE_HL |
	  TERM_NEED_MOUSE_BTN | TERM_NEED_MOUSE_ANY | TERM_NEED_MOUSE_UTF8 |
	  TERM_NEED_MOUSE_URXVT | TERM_NEED_MOUSE_PIXEL,
	  "\x1b[?9;1001;1002;1003;1005;1015;1016l" },
	{ "mouse modes off again", "\x1b[?1003;1006h\x1b[?1006;1003l", false,
	  0, "" },
	{ "bracketed paste left on", "\x1b[?2004h", false, TERM_NEED_PASTE,
	  "\x1b[?2004l" },
	{ "focus events left on", "\x1b[?1004h", false, TERM_NEED_FOCUS,
	  "\x1b[?1004l" },
	{ "application cursor keys", "\x1b[?1h", false, TERM_NEED_CKM,
	  "\x1b[?1l" },
	{ "application keypad", "\x1b=", false, TERM_NEED_KEYPAD, "\x1b>" },
	{ "application keypad by DECNKM", "\x1b[?66h", false,
	  TERM_NEED_KEYPAD, "\x1b>" },
	{ "keypad back to numeric", "\x1b=\x1b>\x1b[?66h\x1b[?66l", false, 0,
	  "" },
	{ "cursor keys and a hidden cursor: one CSI for each way",
	  "\x1b[?1049h\x1b[?1;2004h\x1b[?25l", false,
	  TERM_NEED_ALT1049 | TERM_NEED_CKM | TERM_NEED_PASTE |
	  TERM_NEED_CURSOR, "\x1b[?1049;1;2004l\x1b[?25h" },

	/* Scroll region, origin mode: the repair homes the cursor. */
	{ "scroll region left set", "\x1b[2;10r", false,
	  TERM_NEED_SCROLL | NL, "\x1b[r\x1b[9999H\n" },
	{ "scroll region reset", "\x1b[2;10r\x1b[r\n\x1b[5r\x1b[1;r\n", false,
	  0, "" },
	{ "scroll region and a colour", "\x1b[1;5r\x1b[31m\n", false,
	  TERM_NEED_SCROLL | TERM_NEED_SGR | NL,
	  "\x1b[m\x1b[r\x1b[9999H\n" },
	{ "origin mode", "\x1b[?6h", false, TERM_NEED_ORIGIN | NL,
	  "\x1b[?6l\x1b[9999H\n" },
	{ "origin mode and a region, after the alternate screen",
	  "\x1b[?1049h\x1b[?6h\x1b[3;4r", false,
	  TERM_NEED_ALT1049 | TERM_NEED_ORIGIN | TERM_NEED_SCROLL | NL,
	  "\x1b[?1049;6l\x1b[r\x1b[9999H\n" },
	{ "origin mode off again", "\x1b[?6h\x1b[?6l\n", false, 0, "" },

	/* Left/right margins (DECLRMM, DECSLRM): CSI s while ?69 is set. */
	{ "left/right margin mode left on", "\x1b[?69h", false,
	  TERM_NEED_LRMM, "\x1b[?69l" },
	{ "left/right margins left set", "\x1b[?69h\x1b[5;40s", false,
	  TERM_NEED_LRMM | TERM_NEED_MARGINS | NL,
	  "\x1b[s\x1b[?69l\x1b[9999H\n" },
	{ "a left margin alone", "\x1b[?69h\x1b[5s", false,
	  TERM_NEED_LRMM | TERM_NEED_MARGINS | NL, NULL },
	{ "a right margin alone", "\x1b[?69h\x1b[;40s", false,
	  TERM_NEED_LRMM | TERM_NEED_MARGINS | NL, NULL },
	{ "margins back to the whole width", "\x1b[?69h\x1b[5;40s\x1b[1;0s\n",
	  false, TERM_NEED_LRMM, "\x1b[?69l" },
	{ "?69l resets the margins", "\x1b[?69h\x1b[5;40s\x1b[?69l\n",
	  false, 0, "" },
	{ "CSI s without ?69 is a cursor save, not margins",
	  "\x1b(0\x1b[5;40s\x1b(B\x1b[u\n", false, TERM_NEED_G0, "\x1b(B" },
	{ "CSI s with ?69 may be a cursor save too",
	  "\x1b[?69h\x1b(0\x1b[5;40s\x1b(B\x1b[u\x1b[?69l\n", false,
	  TERM_NEED_G0, "\x1b(B" },
	{ "margins set again after ?69 off and on",
	  "\x1b[?69h\x1b[?69l\x1b[5;40s\n\x1b[?69h\x1b[2;3s", false,
	  TERM_NEED_LRMM | TERM_NEED_MARGINS | NL, NULL },
	{ "margins with a sub-parameter are no reset",
	  "\x1b[?69h\x1b[5;40s\x1b[1:2s", false,
	  TERM_NEED_LRMM | TERM_NEED_MARGINS | NL, NULL },
	{ "margins, origin mode and a region",
	  "\x1b[?69h\x1b[?6h\x1b[3;4r\x1b[2;9s", false,
	  TERM_NEED_LRMM | TERM_NEED_MARGINS | TERM_NEED_ORIGIN |
	  TERM_NEED_SCROLL | NL,
	  "\x1b[?6l\x1b[s\x1b[?69l\x1b[r\x1b[9999H\n" },
	{ "XTRESTORE may turn ?69 back on", "\x1b[?69r\n", false,
	  TERM_NEED_LRMM, "\x1b[?69l" },
	{ "RIS resets the margins", "\x1b[?69h\x1b[5;40s\033c", false, 0,
	  "" },

	/* A cursor restore brings back what the save kept. */
	{ "DECRC brings origin mode back", "\x1b[?6h\0337\x1b[?6l\0338\n",
	  false, TERM_NEED_ORIGIN | NL, NULL },
	{ "DECRC brings renditions back", "\x1b[8m\0337\x1b[m\0338\n",
	  false, TERM_NEED_SGR, "\x1b[m" },
	{ "SCORC brings line drawing back", "\x1b(0\x1b[s\x1b(B\x1b[u\n",
	  false, TERM_NEED_G0, "\x1b(B" },
	{ "?1049l brings renditions back",
	  "\x1b[1m\x1b[?1049h\x1b[m\x1b[?1049l", false, TERM_NEED_SGR,
	  "\x1b[m" },
	{ "a clean save and restore needs nothing",
	  "\0337\x1b[5;1H\x1b[7mstatus\x1b[m\0338\n\x1b[?1049h\x1b[?1049l",
	  false, 0, "" },

	/* Strings still open on a strict terminal, ended on a DEC one. */
	{ "OSC ended by an 8-bit ST", "\x1b]0;t\x9c", false, CAN | ST,
	  "\x18\x1b\\" },
	{ "OSC ended by another ESC", "\x1b]0;t\x1b[m", false, CAN | ST,
	  NULL },
	{ "in a string still open, nothing undoes",
	  "\x1b[8m\x1b]0;t\033c\x1b[m\x1b[?25h", false,
	  CAN | ST | TERM_NEED_SGR, NULL },
	{ "CAN ends a string only on a DEC terminal", "\x1b]0;t\x18", false,
	  CAN | ST, NULL },
	{ "an ST after that ends it on both", "\x1b]0;t\x18\x1b\\", false,
	  0, "" },
	{ "text after a DEC-ended string moves the cursor on one",
	  "\x1b]0;t\234abc", false, CAN | ST | NL, NULL },
	{ "a strict terminal's OSC ends at BEL after an 8-bit ST",
	  "\x1b]0;t\x9c\x07\x0e", false, TERM_NEED_SHIFT, NULL },
	{ "a DCS there does not end at BEL",
	  "\x1bPq\x9c\x07\x0e", false, CAN | ST | TERM_NEED_SHIFT, NULL },
	{ "ESC CAN is no ST on a strict terminal (a DEC one prints the \\)",
	  "\x1bPq\x1b\x18\\", false, CAN | ST | NL, NULL },
	{ "an open OSC's colours are undone too", "\x1b]11;#000", false,
	  CAN | ST | TERM_NEED_BG, "\x18\x1b\\\x1b]111\x1b\\" },

	/* 8-bit controls. */
	{ "8-bit CSI, 8-bit model", "\x9b?25l", false, TERM_NEED_CURSOR,
	  NULL },
	{ "8-bit CSI is text in the UTF-8 model", "\x9b?25l", true, NL,
	  NULL },
	{ "U+009B is CSI in the UTF-8 model", "\xc2\x9b?1049h", true,
	  TERM_NEED_ALT1049, NULL },
	{ "high bytes act as 7-bit in a CSI, 8-bit model", "\x1b[?25\xec",
	  false, TERM_NEED_CURSOR, NULL },
	{ "8-bit OSC, 8-bit model", "\2350;t", false, CAN | ST, NULL },
	{ "unfinished UTF-8 character", "\xe2\x82", true, NL, NULL },

	/* Many parameters: the ones not kept are assumed the worst. */
	{ "17 modes reset",
	  "\x1b[?1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;25l", false,
	  TERM_NEED_CURSOR | TERM_NEED_WRAP | NL, NULL },
	{ "16 modes reset", "\x1b[?1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;25l",
	  false, TERM_NEED_CURSOR, NULL },

	/*
	 * Sub-parameters (':'): xterm and the Linux console ignore a DECSET
	 * or DECRST with one, VTE that parameter, alacritty takes the number
	 * before the ':'. More than 16 parameters: the Linux console ignores
	 * the CSI. What such a CSI sets counts, what it resets does not.
	 */
	{ "a mode reset with a sub-parameter is no reset",
	  "\x1b[?1000h\x1b[?1000:1l\n", false, TERM_NEED_MOUSE, NULL },
	{ "a mode set with a sub-parameter is a set (alacritty)",
	  "\x1b[?1000:1h\n", false, TERM_NEED_MOUSE, "\x1b[?1000l" },
	{ "a sub-parameter anywhere: no reset in that CSI (xterm)",
	  "\x1b[?2004h\x1b[?2004;5:1l\n", false, TERM_NEED_PASTE, NULL },
	{ "nor a cursor shown, while the modes set count",
	  "\x1b[?25l\x1b[?1:2;25h\n", false,
	  TERM_NEED_CURSOR | TERM_NEED_CKM, "\x1b[?1l\x1b[?25h" },
	{ "a sub-parameter in a third parameter keeps the scroll region",
	  "\x1b[2;5r\x1b[1;0;1:2r\n", false, TERM_NEED_SCROLL | NL, NULL },
	{ "a sub-parameter in a third parameter keeps the margins",
	  "\x1b[?69h\x1b[2;5s\x1b[1;0;1:2s\n", false,
	  TERM_NEED_LRMM | TERM_NEED_MARGINS | NL, NULL },
	{ "an SGR reset after a sub-parameter: the Linux console ignores it",
	  "\x1b[8m\x1b[4:3;0m", false, TERM_NEED_SGR, "\x1b[m" },
	{ "17 modes reset: the Linux console resets none",
	  "\x1b[?1h\x1b[?1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1l\n", false,
	  TERM_NEED_CKM | TERM_NEED_CURSOR | TERM_NEED_WRAP, NULL },

	/*
	 * Parameters past 2^32: the Linux console wraps them (4294967321 is
	 * 25 there), xterm stops at 65535, which is no mode.
	 */
	{ "huge parameter hides the cursor on the Linux console",
	  "\x1b[?4294967321l", false, TERM_NEED_CURSOR | NL, NULL },
	{ "huge parameter does not show it on xterm",
	  "\x1b[?25l\x1b[?4294967321h", false, TERM_NEED_CURSOR | NL, NULL },
	{ "huge parameter is mouse reporting on the Linux console",
	  "\x1b[?4294968296h", false, TERM_NEED_MOUSE | NL, NULL },
	{ "huge parameter does not reset mouse reporting on xterm",
	  "\x1b[?1000h\x1b[?4294968296l\n", false, TERM_NEED_MOUSE, NULL },
	{ "huge SGR parameter is no reset on xterm",
	  "\x1b[8m\x1b[4294967296m", false, TERM_NEED_SGR, NULL },
	{ "huge SGR parameter is 38 on the Linux console",
	  "\x1b[4294967334;5;0m", false, TERM_NEED_SGR, NULL },
	{ "huge parameter is ?69 on the Linux console",
	  "\x1b[?4294967365h", false, TERM_NEED_LRMM | NL, NULL },
	{ "huge scroll region parameter is no reset on xterm",
	  "\x1b[2;5r\x1b[4294967296r", false, TERM_NEED_SCROLL | NL, NULL },
	/* OSC numbers too: foot keeps them modulo 2^32 (10 + 2^32). */
	{ "huge OSC number sets the foreground on foot",
	  "\x1b]4294967306;#000000\x1b\\", false, TERM_NEED_FG, NULL },
	{ "huge OSC number opens a link on foot",
	  "\x1b]4294967304;;http://x\x1b\\", false, TERM_NEED_LINK, NULL },
	{ "huge OSC number resets nothing on xterm",
	  "\x1b]10;#000000\x07\x1b]4294967406\x07", false, TERM_NEED_FG,
	  NULL },
	{ "parameters up to 65535 mean the same everywhere",
	  "\x1b[?25l\x1b[?0000000025h", false, 0, "" },
};

static void run_case(const struct tcase *t)
{
	struct term_state s;
	char rep[TERM_REPAIR_MAX];
	size_t n;
	u32 got;

	term_state_init(&s, t->utf8);
	term_state_feed(&s, "\n", 1);
	term_state_feed(&s, t->bytes, strlen(t->bytes));
	got = term_state_needs(&s);
	ok(got == t->needs, "%s: needs %#x (want %#x)", t->name, got,
	   t->needs);
	n = term_state_repair(got, rep);
	if (t->repair)
		ok(n == strlen(t->repair) && !memcmp(rep, t->repair, n),
		   "%s: repair \"%s\"", t->name, show_bytes(rep, n));
	term_state_feed(&s, rep, n);
	got = term_state_needs(&s);
	ok(got == 0, "%s: after the repair it needs nothing (%#x)", t->name,
	   got);
}

/* Every need at once: the longest repair fits and undoes itself. */
static void test_all_needs(void)
{
	struct term_state s;
	char rep[TERM_REPAIR_MAX];
	u32 all = TERM_NEED_ALL, bit;
	size_t n = term_state_repair(all, rep), k, params, most = 0;

	ok(n <= TERM_REPAIR_MAX, "the full repair is %zu bytes (at most %d)",
	   n, TERM_REPAIR_MAX);
	for (bit = 1, k = 0; bit & all; bit <<= 1)
		k += term_state_repair(bit, rep);
	n = term_state_repair(all, rep);
	/* One CSI ? for each way: "\x1b[?" and a final byte for a ';'. */
	ok(n == k - (__builtin_popcount(all & DEC_RESETS) - 1) * 3 -
	   (__builtin_popcount(all & DEC_SETS) - 1) * 3 -
	   /* one "\x1b[9999H" for ?6l, CSI s and CSI r */
	   2 * 7, "and has every step (%zu bytes, %zu step by step)", n, k);
	/* The Linux console drops a CSI with more than 16 parameters. */
	for (k = 0, params = 0; k < n; k++) {
		if (rep[k] == 0x1b)
			params = 1;
		else if (rep[k] == ';' && ++params > most)
			most = params;
	}
	ok(most <= 16, "no CSI has more than 16 parameters (%zu)", most);
	term_state_init(&s, false);
	term_state_feed(&s, rep, n);
	ok(term_state_needs(&s) == 0, "fed to a clean state it needs nothing");
}

/* A repair needs the same however the guest's bytes were split. */
static void test_split(void)
{
	static const char b[] = "\x1b[?1049h\x1b]11;#000\x1b\\\x1b[38;5;1mx";
	struct term_state one, many;
	size_t i;

	term_state_init(&one, false);
	term_state_init(&many, false);
	term_state_feed(&one, b, sizeof(b) - 1);
	for (i = 0; i < sizeof(b) - 1; i++)
		term_state_feed(&many, b + i, 1);
	ok(term_state_needs(&one) == term_state_needs(&many),
	   "byte by byte or at once: same needs (%#x)",
	   term_state_needs(&one));
}

/*
 * 256 intermediate bytes: the sequence stays malformed (a terminal
 * ignores it), not a counter wrapped to "no intermediates", which read
 * as an SGR reset or a mode reset that never reached the terminal.
 */
static void test_many_intermediates(void)
{
	static const char *const seqs[] = {
		"\x1b[8m\x1b[", "\x1b[?1049h\x1b[?1049"
	};
	static const char finals[] = { 'm', 'l' };
	char b[300];
	struct term_state s;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(seqs); i++) {
		n = strlen(seqs[i]);
		memcpy(b, seqs[i], n);
		memset(b + n, ' ', 256);
		b[n + 256] = finals[i];
		term_state_init(&s, false);
		term_state_feed(&s, "\n", 1);
		term_state_feed(&s, b, n + 257);
		ok(term_state_needs(&s) != 0,
		   "%s with 256 intermediates does not undo the first: needs %#x",
		   finals[i] == 'm' ? "an SGR" : "a mode reset",
		   term_state_needs(&s));
	}
}

static void test_locale(void)
{
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	setenv("LANG", "en_US.UTF-8", 1);
	ok(term_state_locale_utf8(), "LANG=en_US.UTF-8 is UTF-8");
	setenv("LC_CTYPE", "C", 1);
	ok(!term_state_locale_utf8(), "LC_CTYPE=C wins over LANG");
	setenv("LC_ALL", "de_DE.utf8", 1);
	ok(term_state_locale_utf8(), "LC_ALL=de_DE.utf8 wins over both");
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	unsetenv("LANG");
	ok(!term_state_locale_utf8(), "no locale: the 8-bit model");
}

int main(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	test_all_needs();
	test_split();
	test_many_intermediates();
	test_locale();
	return tap_done();
}
