// SPDX-License-Identifier: GPL-2.0
/*
 * The terminal-state tracker's CSI sequences: parameters, renditions
 * (SGR), DEC private modes; see include/term-state.h.
 */
#include <string.h>

#include "term-state-internal.h"

/* struct term_parser's sgr: one bit per rendition group set. */
#define SGR_BOLD	(1u << 0)
#define SGR_ITALIC	(1u << 1)
#define SGR_UNDER	(1u << 2)
#define SGR_BLINK	(1u << 3)
#define SGR_REVERSE	(1u << 4)
#define SGR_CONCEAL	(1u << 5)
#define SGR_STRIKE	(1u << 6)
#define SGR_FG		(1u << 7)
#define SGR_BG		(1u << 8)
#define SGR_OVERLINE	(1u << 9)
#define SGR_OTHER	(1u << 10)	/* only SGR 0 undoes it */

/*
 * Is the CSI one that some terminals ignore whole? With a sub-parameter
 * (':'), xterm (but for SGR) and the Linux console do (but for
 * 38/48/58 in SGR, lately), VTE ignores that parameter alone (in a
 * DECSET), alacritty takes its number before the ':'; with more
 * than 16 parameters the Linux console does, xterm drops those past its
 * limit. What it sets counts, what it resets does not.
 */
static bool csi_maybe_ignored(const struct term_parser *s)
{
	return s->csi_colon || s->csi_overflow;
}

static void sgr_clear(struct term_parser *s, u16 bits)
{
	s->sgr &= ~bits;
}

static u16 sgr_group(u32 code)
{
	static const struct { u8 lo, hi; u16 bits; } set[] = {
		{ 1, 2, SGR_BOLD }, { 3, 3, SGR_ITALIC }, { 4, 4, SGR_UNDER },
		{ 21, 21, SGR_UNDER }, { 5, 6, SGR_BLINK },
		{ 7, 7, SGR_REVERSE }, { 8, 8, SGR_CONCEAL },
		{ 9, 9, SGR_STRIKE }, { 30, 37, SGR_FG }, { 90, 97, SGR_FG },
		{ 40, 47, SGR_BG }, { 100, 107, SGR_BG },
		{ 53, 53, SGR_OVERLINE },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(set); i++)
		if (code >= set[i].lo && code <= set[i].hi)
			return set[i].bits;
	return SGR_OTHER;
}

/* The SGR code that undoes a group, or 0. */
static u16 sgr_undoes(u32 code)
{
	switch (code) {
	case 22:
		return SGR_BOLD;
	case 23:
		return SGR_ITALIC;
	case 24:
		return SGR_UNDER;
	case 25:
		return SGR_BLINK;
	case 27:
		return SGR_REVERSE;
	case 28:
		return SGR_CONCEAL;
	case 29:
		return SGR_STRIKE;
	case 39:
		return SGR_FG;
	case 49:
		return SGR_BG;
	case 55:
		return SGR_OVERLINE;
	default:
		return 0;
	}
}

static void sgr_codes(struct term_parser *s)
{
	unsigned int i;

	for (i = 0; i < s->nparams; i++) {
		u32 code = s->params[i];
		u16 undo = sgr_undoes(code);

		if (s->csi_colon & (1u << i)) {
			s->sgr |= SGR_OTHER;
		} else if (s->csi_big & (1u << i)) {
			/*
			 * 38 or 48 on one terminal, no code on another: what
			 * follows is not known to be codes.
			 */
			s->sgr |= SGR_OTHER;
			return;
		} else if (code == 0) {
			sgr_clear(s, 0xffff);
		} else if (code == 10) {
			continue;	/* primary font */
		} else if (undo) {
			sgr_clear(s, undo);
		} else if (code == 38 || code == 48 || code == 58) {
			/*
			 * Extended colours: their parameters are not codes.
			 * Only SGR 0 is believed to undo them.
			 */
			s->sgr |= SGR_OTHER;
			if (i + 1 < s->nparams && s->params[i + 1] == 5)
				i += 2;
			else if (i + 1 < s->nparams && s->params[i + 1] == 2)
				i += 4;
			else
				return;
		} else {
			s->sgr |= sgr_group(code);
		}
	}
	if (s->csi_overflow)
		s->sgr |= SGR_OTHER;
}

static void sgr(struct term_parser *s)
{
	u16 before = s->sgr;

	sgr_codes(s);
	/* The Linux console ignores ESC[4:3;0m, xterm resets. */
	if (csi_maybe_ignored(s))
		s->sgr |= before;
}

/* DEC private modes that neither move the cursor nor matter here. */
static bool mode_harmless(u32 m)
{
	static const u16 modes[] = {
		4, 5, 8, 12, 67, 1007, 1034, 1035, 1036, 1037, 1039,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (m == modes[i])
			return true;
	return false;
}

/* What mode_need() returns, all of it. */
#define MODE_NEEDS	(TERM_NEED_CKM | TERM_NEED_ORIGIN | \
			 TERM_NEED_MOUSE_X10 | TERM_NEED_KEYPAD | \
			 TERM_NEED_MOUSE | TERM_NEED_MOUSE_HL | \
			 TERM_NEED_MOUSE_BTN | TERM_NEED_MOUSE_ANY | \
			 TERM_NEED_FOCUS | TERM_NEED_MOUSE_UTF8 | \
			 TERM_NEED_MOUSE_SGR | TERM_NEED_MOUSE_URXVT | \
			 TERM_NEED_MOUSE_PIXEL | TERM_NEED_PASTE)

/* What a CSI ? ... h of modes not seen may set: those and ?69. */
#define MODES_SET	(MODE_NEEDS | TERM_NEED_LRMM)

/* DEC private modes that are off after a reset, and the need each sets. */
static u32 mode_need(u32 m)
{
	static const struct { u16 mode; u32 need; } modes[] = {
		{ 1, TERM_NEED_CKM },
		{ 6, TERM_NEED_ORIGIN },
		{ 9, TERM_NEED_MOUSE_X10 },
		{ 66, TERM_NEED_KEYPAD },
		{ 1000, TERM_NEED_MOUSE },
		{ 1001, TERM_NEED_MOUSE_HL },
		{ 1002, TERM_NEED_MOUSE_BTN },
		{ 1003, TERM_NEED_MOUSE_ANY },
		{ 1004, TERM_NEED_FOCUS },
		{ 1005, TERM_NEED_MOUSE_UTF8 },
		{ 1006, TERM_NEED_MOUSE_SGR },
		{ 1015, TERM_NEED_MOUSE_URXVT },
		{ 1016, TERM_NEED_MOUSE_PIXEL },
		{ 2004, TERM_NEED_PASTE },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (m == modes[i].mode)
			return modes[i].need;
	return 0;
}

static void dec_mode(struct term_parser *s, u32 m, bool set)
{
	u32 need = mode_need(m);

	switch (m) {
	case 25:
		if (set)
			clear_flags(s, TERM_NEED_CURSOR);
		else
			set_flags(s, TERM_NEED_CURSOR);
		break;
	case 7:
		if (set)
			clear_flags(s, TERM_NEED_WRAP);
		else
			set_flags(s, TERM_NEED_WRAP);
		break;
	case 1049:
		if (set) {
			/* Saved again on the alternate screen: cursor_saved(). */
			if (!(s->flags & TERM_NEED_ALT1049)) {
				s->saved_fresh = !(s->flags & TERM_NEED_ALT47) &&
						 s->fresh_line;
				cursor_kept(s);
			} else {
				cursor_saved(s);
			}
			s->flags &= ~TERM_NEED_ALT47;
			set_flags(s, TERM_NEED_ALT1049);
			line_moved(s);
		} else {
			/* Back where ?1049h was, as that found it. */
			if (s->flags & TERM_NEED_ALT1049)
				s->fresh_line = s->saved_fresh;
			else
				s->fresh_line = false;
			s->flags &= ~(TERM_NEED_ALT1049 | TERM_NEED_ALT47);
			cursor_restored(s);
		}
		break;
	case 47:
	case 1047:
		if (set && !(s->flags & TERM_NEED_ALT1049))
			set_flags(s, TERM_NEED_ALT47);
		else if (!set)
			clear_flags(s, TERM_NEED_ALT1049 | TERM_NEED_ALT47);
		line_moved(s);
		break;
	case 69:		/* DECLRMM: its reset resets the margins too */
		if (set)
			set_flags(s, TERM_NEED_LRMM);
		else
			clear_flags(s, TERM_NEED_LRMM | TERM_NEED_MARGINS);
		break;
	case 1048:		/* save or restore the cursor */
		if (set) {
			cursor_saved(s);
		} else {
			cursor_restored(s);
			line_moved(s);
		}
		break;
	default:
		if (need && set)
			set_flags(s, need);
		else if (need)
			clear_flags(s, need);
		/* ?6 homes the cursor. */
		if ((!need && !mode_harmless(m)) || m == 6)
			line_moved(s);
		break;
	}
}

/*
 * A mode that may have been set or reset, or left as it was: what either
 * sets counts, what it resets does not.
 */
static void dec_mode_maybe(struct term_parser *s, u32 m, bool set)
{
	u32 flags = s->flags;
	u16 sgr = s->sgr;
	bool saved_fresh = s->saved_fresh;

	dec_mode(s, m, set);
	s->flags |= flags;
	s->sgr |= sgr;
	s->saved_fresh = s->saved_fresh && saved_fresh;
	line_moved(s);
}

static void dec_modes(struct term_parser *s, bool set)
{
	bool maybe = csi_maybe_ignored(s);
	unsigned int i;

	for (i = 0; i < s->nparams; i++) {
		/* Big: the Linux console's meaning, or none (term-state.h). */
		if (maybe || (s->csi_big & (1u << i)))
			dec_mode_maybe(s, s->params[i], set);
		else
			dec_mode(s, s->params[i], set);
	}
	if (s->csi_overflow) {
		/* Modes not seen: any of them might be one that matters. */
		if (set) {
			dec_mode(s, 1049, true);
			set_flags(s, MODES_SET);
		} else {
			set_flags(s, TERM_NEED_CURSOR | TERM_NEED_WRAP);
			line_moved(s);
		}
	}
}

/* xterm's XTRESTORE: the modes go back to what XTSAVE saw, unknown here. */
static void dec_modes_restore(struct term_parser *s)
{
	unsigned int i;

	for (i = 0; i < s->nparams; i++) {
		dec_mode_maybe(s, s->params[i], true);
		dec_mode_maybe(s, s->params[i], false);
	}
	if (s->csi_overflow) {
		dec_mode(s, 1049, true);
		set_flags(s, MODES_SET | TERM_NEED_CURSOR | TERM_NEED_WRAP);
	}
}

/*
 * Are the margins of a DECSTBM or DECSLRM the whole screen, for sure: the
 * first parameter at most 1, the second 0 or none (no margins, or top 1),
 * in a CSI no terminal ignores?
 */
static bool margins_whole(const struct term_parser *s)
{
	return !csi_maybe_ignored(s) && !(s->csi_big & 3) &&
	       s->params[0] <= 1 && (s->nparams < 2 || !s->params[1]);
}

/* DECSTBM: only the whole screen is a reset. */
static void scroll_region(struct term_parser *s)
{
	if (margins_whole(s))
		clear_flags(s, TERM_NEED_SCROLL);
	else
		set_flags(s, TERM_NEED_SCROLL);
	line_moved(s);		/* it homes the cursor */
}

/*
 * CSI Pl;Pr s: DECSLRM while ?69 is set (it homes the cursor, on xterm
 * and DEC's), else SCOSC. Once ?69h came, the terminal may have no
 * DECLRMM (VTE, the Linux console) or ?69 may have been restored off
 * (XTRESTORE): both count. Margins exist only while ?69 is set (?69l
 * resets them), so the whole width is a reset wherever CSI s is SCOSC.
 */
static void margins_or_save(struct term_parser *s)
{
	cursor_saved(s);
	if (s->flags & TERM_NEED_LRMM) {
		if (margins_whole(s))
			clear_flags(s, TERM_NEED_MARGINS);
		else
			set_flags(s, TERM_NEED_MARGINS);
	}
	line_moved(s);
}

static void csi_dispatch(struct term_parser *s, u8 final)
{
	if (!s->csi_ninter && !s->csi_priv && final == 'm') {
		sgr(s);
	} else if (!s->csi_ninter && s->csi_priv == '?' &&
		   (final == 'h' || final == 'l')) {
		dec_modes(s, final == 'h');
	} else if (!s->csi_ninter && s->csi_priv == '?' && final == 'r') {
		dec_modes_restore(s);
	} else if (!s->csi_ninter && !s->csi_priv && final == 'r') {
		scroll_region(s);
	} else if (!s->csi_ninter && !s->csi_priv && final == 's') {
		margins_or_save(s);
	} else if (!s->csi_ninter && !s->csi_priv && final == 'u') {
		cursor_restored(s);	/* SCORC */
		line_moved(s);
	} else if (s->csi_ninter == 1 && s->csi_inter == '!' && final == 'p') {
		/* DECSTR: may leave autowrap off. */
		set_flags(s, TERM_NEED_WRAP);
	} else if (s->csi_ninter || !strchr("KJX@Pnchlm", final)) {
		if (!s->csi_ninter && final == 's')	/* XTSAVE, others */
			cursor_saved(s);
		line_moved(s);
	}
}

/* The parameter being built is complete; the next one starts at 0. */
static void csi_param_end(struct term_parser *s)
{
	if (s->nparams < TERM_STATE_PARAMS)
		s->nparams++;
	else
		s->csi_overflow = true;
	if (s->nparams < TERM_STATE_PARAMS)
		s->params[s->nparams] = 0;
	s->csi_sub = false;
}

void ts_csi_byte(struct term_parser *s, u8 c)
{
	if (c >= 0x40 && c <= 0x7e) {
		/* Also CSI m: one parameter, empty, which is 0. */
		csi_param_end(s);
		s->parse = TS_GROUND;
		csi_dispatch(s, c);
		return;
	}
	if (c >= 0x20 && c <= 0x2f) {
		s->csi_inter = c;
		/* Capped: 256 intermediates must not read as none. */
		if (s->csi_ninter < 255)
			s->csi_ninter++;
		return;
	}
	if (c == 0x7f)
		return;
	/* Parameter bytes after an intermediate: malformed. */
	if (s->csi_ninter) {
		s->parse = TS_CSI_IGNORE;
		return;
	}
	if (c >= 0x3c && c <= 0x3f) {
		if (s->csi_any || s->csi_priv)
			s->parse = TS_CSI_IGNORE;
		else
			s->csi_priv = c;
		return;
	}
	/* A digit, ':' or ';'. */
	s->csi_any = true;
	if (c == ';') {
		csi_param_end(s);
	} else if (c == ':') {
		s->csi_sub = true;
		if (s->nparams < TERM_STATE_PARAMS)
			s->csi_colon |= 1u << s->nparams;
	} else if (!s->csi_sub && s->nparams < TERM_STATE_PARAMS) {
		u32 *p = &s->params[s->nparams];

		/* As the Linux console does: modulo 2^32 (term-state.h). */
		if ((u64)*p * 10 + (u32)(c - '0') > PARAM_SAME)
			s->csi_big |= 1u << s->nparams;
		*p = *p * 10 + (u32)(c - '0');
	}
}

void ts_csi_start(struct term_parser *s)
{
	s->parse = TS_CSI;
	s->csi_priv = 0;
	s->csi_inter = 0;
	s->csi_ninter = 0;
	s->nparams = 0;
	s->params[0] = 0;
	s->csi_any = false;
	s->csi_sub = false;
	s->csi_overflow = false;
	s->csi_colon = 0;
	s->csi_big = 0;
}
