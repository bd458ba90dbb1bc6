// SPDX-License-Identifier: GPL-2.0
/* What the guest's output left a terminal in; see include/term-state.h. */
#include <stdlib.h>
#include <string.h>

#include "term-state-internal.h"

#define CAN	0x18
#define SUB	0x1a
#define ESC	0x1b

static void ts_ascii(struct term_parser *s, u8 c);

static void parser_init(struct term_parser *s, bool utf8, bool strict)
{
	memset(s, 0, sizeof(*s));
	s->utf8 = utf8;
	s->strict = strict;
	s->parse = TS_GROUND;
	s->fresh_line = true;
}

void term_state_init(struct term_state *t, bool utf8)
{
	parser_init(&t->dec, utf8, false);
	parser_init(&t->strict, utf8, true);
}

/* C0 controls other than CAN, SUB and ESC, in any state but a string. */
static void exec_c0(struct term_parser *s, u8 c)
{
	switch (c) {
	case '\n':
		line_fresh(s, true);
		break;
	case '\r':		/* a fresh line stays fresh, others stay not */
	case 0x00:
	case 0x07:
		break;
	case 0x0e:		/* SO */
		set_flags(s, TERM_NEED_SHIFT);
		break;
	case 0x0f:		/* SI */
		clear_flags(s, TERM_NEED_SHIFT);
		break;
	default:		/* BS, HT, VT, FF... may move the cursor */
		line_moved(s);
		break;
	}
}

static void full_reset(struct term_parser *s)
{
	s->flags = 0;
	s->sgr = 0;
	s->fresh_line = true;
	s->saved_flags = 0;
	s->saved_sgr = 0;
}

/* ESC and a final byte (0x30-0x7e). */
static void esc_dispatch(struct term_parser *s, u8 c)
{
	switch (c) {
	case 'c':		/* RIS */
		full_reset(s);
		break;
	case 'E':		/* NEL */
		line_fresh(s, true);
		break;
	case '\\':		/* ST, with no string open */
		break;
	case 'n':		/* LS2, LS3 */
	case 'o':
		set_flags(s, TERM_NEED_SHIFT);
		break;
	case '7':		/* DECSC */
		cursor_saved(s);
		break;
	case '8':		/* DECRC */
		cursor_restored(s);
		line_moved(s);
		break;
	case '=':		/* DECKPAM */
		set_flags(s, TERM_NEED_KEYPAD);
		break;
	case '>':		/* DECKPNM */
		clear_flags(s, TERM_NEED_KEYPAD);
		break;
	case 'N':		/* single shifts */
	case 'O':
		break;
	default:
		line_moved(s);
		break;
	}
}

/* ESC, intermediates, a final byte. */
static void esc_inter_dispatch(struct term_parser *s, u8 c)
{
	bool one = s->esc_ninter == 1;

	if (s->esc_inter == '(') {
		if (one && c == 'B')
			clear_flags(s, TERM_NEED_G0);
		else
			set_flags(s, TERM_NEED_G0);
	} else if (s->esc_inter == '%') {
		if (one && c == 'G')
			clear_flags(s, TERM_NEED_UTF8);
		else
			set_flags(s, TERM_NEED_UTF8);
	} else if (s->esc_inter == '#') {
		line_moved(s);
	}
}

static bool in_string(const struct term_parser *s)
{
	return s->parse == TS_OSC || s->parse == TS_STR ||
	       s->parse == TS_STR_ESC;
}

static void osc_byte(struct term_parser *s, u8 c)
{
	if (s->osc_phase == 0) {
		if (c >= '0' && c <= '9') {
			/*
			 * Modulo 2^32, as foot keeps it; past PARAM_SAME it
			 * sets what its wrapped value sets, resets nothing.
			 */
			if ((u64)s->osc_num * 10 + (u32)(c - '0') > PARAM_SAME)
				s->osc_big = true;
			s->osc_num = s->osc_num * 10 + (u32)(c - '0');
		} else if (c == ';') {
			s->osc_phase = 1;
		} else {
			s->osc_bad = true;
		}
		return;
	}
	if (s->osc_phase == 1) {
		s->osc_query = c == '?';
		s->osc_phase = 2;
	}
	if (s->osc_semis)
		s->osc_tail = true;
	if (c == ';' && s->osc_semis < 255)
		s->osc_semis++;
}

/* What the OSC being read sets once it ends, however it ends. */
static u32 osc_sets(const struct term_parser *s)
{
	u32 f = 0;

	if (!s->str_osc || s->osc_bad || !s->osc_phase)
		return 0;
	switch (s->osc_num) {
	case 4:
		f = TERM_NEED_PALETTE;
		break;
	case 10:		/* fg;bg: a query in the first leaves the second */
		if (!s->osc_query)
			f = TERM_NEED_FG;
		if (s->osc_semis)
			f |= TERM_NEED_BG;
		break;
	case 11:
		if (!s->osc_query)
			f = TERM_NEED_BG;
		break;
	case 8:			/* params;URI: an empty URI closes the link */
		if (!s->osc_semis || s->osc_tail)
			f = TERM_NEED_LINK;
		break;
	}
	return f;
}

/*
 * An OSC ended: what it set counts however it ended; what it reset only
 * when it ended for sure (BEL, a 7-bit ST).
 */
static void osc_end(struct term_parser *s, bool sure)
{
	if (!s->str_osc || s->osc_bad)
		return;
	set_flags(s, osc_sets(s));
	s->str_osc = false;
	if (!sure || s->osc_big)
		return;
	if (s->osc_num == 104 && !s->osc_phase)
		clear_flags(s, TERM_NEED_PALETTE);
	else if (s->osc_num == 110)
		clear_flags(s, TERM_NEED_FG);
	else if (s->osc_num == 111)
		clear_flags(s, TERM_NEED_BG);
	else if (s->osc_num == 8 && s->osc_semis && !s->osc_tail)
		clear_flags(s, TERM_NEED_LINK);
}

/*
 * A string ended other than by its terminator (CAN, SUB, ESC and not
 * '\\'): an OSC's settings count, its resets do not.
 */
static void string_broken(struct term_parser *s)
{
	osc_end(s, false);
}

/* Back in the string after an ESC that did not end it: both are data. */
static void string_resume(struct term_parser *s, u8 c)
{
	s->parse = s->str_osc ? TS_OSC : TS_STR;
	if (!s->str_osc)
		return;
	osc_byte(s, ESC);
	if (c >= 0x20)
		osc_byte(s, c);
}

static void esc_start(struct term_parser *s)
{
	s->parse = TS_ESC;
	s->esc_inter = 0;
	s->esc_ninter = 0;
}

static void string_start(struct term_parser *s, bool osc)
{
	s->parse = osc ? TS_OSC : TS_STR;
	s->str_osc = osc;
	s->osc_num = 0;
	s->osc_big = false;
	s->osc_phase = 0;
	s->osc_semis = 0;
	s->osc_bad = false;
	s->osc_query = false;
	s->osc_tail = false;
}

static void esc_byte(struct term_parser *s, u8 c)
{
	if (c < 0x20) {
		exec_c0(s, c);
	} else if (c <= 0x2f) {
		s->esc_inter = c;
		s->esc_ninter = 1;
		s->parse = TS_ESC_INTER;
	} else if (c == '[') {
		ts_csi_start(s);
	} else if (c == ']') {
		string_start(s, true);
	} else if (c == 'P' || c == 'X' || c == '^' || c == '_') {
		string_start(s, false);
	} else if (c != 0x7f) {
		s->parse = TS_GROUND;
		esc_dispatch(s, c);
	}
}

static void ts_ascii(struct term_parser *s, u8 c)
{
	if (c == CAN || c == SUB) {
		/* String data there (and no ST after an ESC). */
		if (in_string(s) && s->strict) {
			if (s->parse == TS_STR_ESC)
				string_resume(s, c);
			return;
		}
		if (in_string(s))
			string_broken(s);
		if (c == SUB)		/* may show a substitute character */
			line_moved(s);
		s->parse = TS_GROUND;
		return;
	}
	if (c == ESC) {
		if (s->parse == TS_OSC || s->parse == TS_STR) {
			s->parse = TS_STR_ESC;
			return;
		}
		if (s->parse == TS_STR_ESC && s->strict)
			return;		/* ESC ESC: the second may start ST */
		if (s->parse == TS_STR_ESC)
			string_broken(s);
		esc_start(s);
		return;
	}
	switch (s->parse) {
	case TS_GROUND:
		if (c < 0x20)
			exec_c0(s, c);
		else if (c != 0x7f)
			line_moved(s);
		break;
	case TS_ESC:
		esc_byte(s, c);
		break;
	case TS_ESC_INTER:
		if (c < 0x20) {
			exec_c0(s, c);
		} else if (c <= 0x2f) {
			if (s->esc_ninter < 255)
				s->esc_ninter++;
		} else if (c != 0x7f) {
			s->parse = TS_GROUND;
			esc_inter_dispatch(s, c);
		}
		break;
	case TS_CSI:
		if (c < 0x20)
			exec_c0(s, c);
		else
			ts_csi_byte(s, c);
		break;
	case TS_CSI_IGNORE:
		if (c < 0x20) {
			exec_c0(s, c);
		} else if (c >= 0x40 && c <= 0x7e) {
			s->parse = TS_GROUND;
			line_moved(s);
		}
		break;
	case TS_OSC:
		if (c == 0x07) {
			s->parse = TS_GROUND;
			osc_end(s, true);
		} else if (c >= 0x20) {
			osc_byte(s, c);
		}
		break;
	case TS_STR:
		break;
	case TS_STR_ESC:
		if (c == '\\' && !(s->strict && s->c1)) {
			s->parse = TS_GROUND;
			osc_end(s, true);
		} else if (s->strict) {
			string_resume(s, c);
		} else {
			string_broken(s);
			esc_start(s);
			esc_byte(s, c);
		}
		break;
	}
}

/* A character that is not a control (non-ASCII text, U+FFFD). */
static void ts_text(struct term_parser *s)
{
	if (s->parse == TS_GROUND) {
		line_moved(s);
	} else if (s->parse == TS_STR_ESC && s->strict) {
		string_resume(s, 0x80);
	} else if (s->parse == TS_STR_ESC) {
		string_broken(s);
		esc_start(s);
	} else if (s->parse == TS_OSC) {
		osc_byte(s, 0x80);
	}
}

/*
 * 8-bit stand-ins for 7-bit bytes: a C1 control for ESC and a letter, a
 * GR byte inside a sequence for its GL twin. An ST made so may not end a
 * string everywhere.
 */
static void ts_c1_like(struct term_parser *s, u8 c)
{
	s->c1 = true;
	ts_ascii(s, c);
	s->c1 = false;
}

static void ts_c1(struct term_parser *s, u8 b)
{
	if (s->strict && in_string(s))
		return;		/* string data there */
	ts_c1_like(s, ESC);
	ts_c1_like(s, (u8)(b - 0x40));
}

static void ts_byte(struct term_parser *s, u8 b)
{
	if (s->utf8 && s->utf8_need && b >= 0x80 && b <= 0xbf) {
		bool c2 = s->utf8_c2;

		s->utf8_c2 = false;
		s->utf8_need--;
		if (c2 && b <= 0x9f)
			ts_c1(s, b);
		else if (!s->utf8_need)
			ts_text(s);
		return;
	}
	if (s->utf8_need) {
		/* A sequence cut short: the terminal shows U+FFFD. */
		s->utf8_need = 0;
		s->utf8_c2 = false;
		ts_text(s);
	}
	if (b < 0x80) {
		ts_ascii(s, b);
	} else if (!s->utf8) {
		if (b < 0xa0)
			ts_c1(s, b);
		else if (s->parse == TS_GROUND || s->parse == TS_OSC ||
			 s->parse == TS_STR)
			ts_text(s);
		else
			ts_c1_like(s, b & 0x7f);
	} else if (b >= 0xc2 && b <= 0xf4) {
		s->utf8_need = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
		s->utf8_c2 = b == 0xc2;
	} else {
		ts_text(s);
	}
}

void term_state_feed(struct term_state *t, const void *buf, size_t len)
{
	const u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		ts_byte(&t->dec, p[i]);
		ts_byte(&t->strict, p[i]);
	}
}

/* What one parser needs, but the newline. */
static u32 parser_needs(const struct term_parser *s)
{
	u32 n = s->flags;

	if (s->parse != TS_GROUND)
		n |= TERM_NEED_CAN;
	/*
	 * The repair ends an open string (a DEC terminal at its CAN, a
	 * strict one at its ST, the CAN and maybe an ESC before it then
	 * string data): what an OSC so ended sets is undone too.
	 */
	if (in_string(s)) {
		struct term_parser t = *s;

		ts_ascii(&t, CAN);
		n |= TERM_NEED_CAN | TERM_NEED_ST | t.flags | osc_sets(&t);
	}
	if (s->sgr)
		n |= TERM_NEED_SGR;
	return n;
}

/* What the repair's ?1049l, restoring the cursor, brings back. */
static u32 parser_restores(const struct term_parser *s)
{
	return s->saved_flags | (s->saved_sgr ? TERM_NEED_SGR : 0);
}

/* Is the cursor at the start of a fresh line after a repair doing `n`? */
static bool parser_fresh_after(const struct term_parser *s, u32 n)
{
	bool fresh = s->fresh_line;

	/* ?1049l goes back to where ?1049h was, or somewhere unknown. */
	if (n & TERM_NEED_ALT1049)
		fresh = (s->flags & TERM_NEED_ALT1049) && s->saved_fresh;
	if (n & TERM_NEED_ALT47)
		fresh = false;
	/* ?6l, CSI s and CSI r home the cursor; the repair then goes down. */
	if (n & TS_NEED_HOMES)
		fresh = false;
	return fresh;
}

/*
 * The parser once the repair's first byte (ASCII) arrived: an unfinished
 * UTF-8 character is then a U+FFFD, text on the line or in a string.
 */
static void parser_flushed(const struct term_parser *s, struct term_parser *t)
{
	*t = *s;
	if (!t->utf8_need)
		return;
	t->utf8_need = 0;
	t->utf8_c2 = false;
	ts_text(t);
}

u32 term_state_needs(const struct term_state *t)
{
	struct term_parser dec, strict;
	u32 n;

	parser_flushed(&t->dec, &dec);
	parser_flushed(&t->strict, &strict);
	n = parser_needs(&dec) | parser_needs(&strict);
	if (n & TERM_NEED_ALT1049)
		n |= parser_restores(&dec) | parser_restores(&strict);
	if (!parser_fresh_after(&dec, n) || !parser_fresh_after(&strict, n))
		n |= TERM_NEED_NEWLINE;
	return n;
}

struct repair_step {
	u32 need;
	const char *bytes;
};

/* The bytes, if they fit; else none of them. */
static void repair_put(char *buf, size_t *n, const char *bytes, size_t k)
{
	if (*n + k > TERM_REPAIR_MAX)
		return;
	memcpy(buf + *n, bytes, k);
	*n += k;
}

static void repair_steps(u32 needs, char *buf, size_t *n,
			 const struct repair_step *steps, size_t nsteps)
{
	size_t i;

	for (i = 0; i < nsteps; i++)
		if (needs & steps[i].need)
			repair_put(buf, n, steps[i].bytes,
				   strlen(steps[i].bytes));
}

/* One CSI ? ... final for the DEC private modes `needs` asks for. */
static void repair_modes(u32 needs, char *buf, size_t *n,
			 const struct repair_step *modes, size_t nmodes,
			 char final)
{
	char seq[TERM_REPAIR_MAX];
	size_t i, k = 0;

	for (i = 0; i < nmodes; i++) {
		size_t len = strlen(modes[i].bytes);

		if (!(needs & modes[i].need) || k + len + 5 > sizeof(seq))
			continue;
		memcpy(seq + k + 3, modes[i].bytes, len);
		seq[k + 3 + len] = ';';
		k += len + 1;
	}
	if (!k)
		return;
	memcpy(seq, "\x1b[?", 3);
	seq[k + 2] = final;		/* in place of the last ';' */
	repair_put(buf, n, seq, k + 3);
}

size_t term_state_repair(u32 needs, char *buf)
{
	static const struct repair_step first[] = {
		{ TERM_NEED_CAN, "\x18" },
		{ TERM_NEED_ST, "\x1b\\" },
		{ TERM_NEED_PALETTE, "\x1b]104\x1b\\" },
		{ TERM_NEED_FG, "\x1b]110\x1b\\" },
		{ TERM_NEED_BG, "\x1b]111\x1b\\" },
		{ TERM_NEED_LINK, "\x1b]8;;\x1b\\" },
	};
	/*
	 * Reset: ?1049 first (it restores the cursor, and with it origin
	 * mode), ?6 last (it homes the cursor). At most 16 parameters: the
	 * Linux console ignores a CSI with more.
	 */
	static const struct repair_step resets[] = {
		{ TERM_NEED_ALT1049, "1049" },
		{ TERM_NEED_ALT47, "47" },
		{ TERM_NEED_CKM, "1" },
		{ TERM_NEED_MOUSE_X10, "9" },
		{ TERM_NEED_MOUSE, "1000" },
		{ TERM_NEED_MOUSE_HL, "1001" },
		{ TERM_NEED_MOUSE_BTN, "1002" },
		{ TERM_NEED_MOUSE_ANY, "1003" },
		{ TERM_NEED_FOCUS, "1004" },
		{ TERM_NEED_MOUSE_UTF8, "1005" },
		{ TERM_NEED_MOUSE_SGR, "1006" },
		{ TERM_NEED_MOUSE_URXVT, "1015" },
		{ TERM_NEED_MOUSE_PIXEL, "1016" },
		{ TERM_NEED_PASTE, "2004" },
		{ TERM_NEED_ORIGIN, "6" },
	};
	static const struct repair_step sets[] = {
		{ TERM_NEED_CURSOR, "25" },
		{ TERM_NEED_WRAP, "7" },
	};
	static const struct repair_step last[] = {
		{ TERM_NEED_SGR, "\x1b[m" },
		{ TERM_NEED_SHIFT, "\x0f" },
		{ TERM_NEED_G0, "\x1b(B" },
		{ TERM_NEED_UTF8, "\x1b%G" },
		{ TERM_NEED_KEYPAD, "\x1b>" },
		/*
		 * DECSLRM while ?69 is still set; after the renditions
		 * reset: where it is SCOSC, it saves clean ones.
		 */
		{ TERM_NEED_MARGINS, "\x1b[s" },
		{ TERM_NEED_LRMM, "\x1b[?69l" },
		{ TERM_NEED_SCROLL, "\x1b[r" },
		/* Homed: to the bottom line, where the line feed scrolls. */
		{ TS_NEED_HOMES, "\x1b[9999H" },
		{ TERM_NEED_NEWLINE, "\n" },
	};
	size_t n = 0;

	repair_steps(needs, buf, &n, first, ARRAY_SIZE(first));
	repair_modes(needs, buf, &n, resets, ARRAY_SIZE(resets), 'l');
	repair_modes(needs, buf, &n, sets, ARRAY_SIZE(sets), 'h');
	repair_steps(needs, buf, &n, last, ARRAY_SIZE(last));
	return n;
}

bool term_state_locale_utf8(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return false;
}
