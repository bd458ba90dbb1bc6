// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the terminal-state tracker (lib/term-state.c): a
 * guest writes arbitrary bytes to a terminal, lkvm repairs the terminal
 * with what the tracker says (term_state_repair()). A reference terminal
 * written here on its own, from the standards (ECMA-48's parser as DEC
 * terminals and xterm run it, xterm's modes and renditions), not from the
 * tracker's code, must then be in its ground state with default
 * renditions and colours, the main screen, the cursor visible, autowrap
 * on, G0 ASCII in GL, no hyperlink open, no mouse, focus or paste
 * reporting, normal cursor keys and keypad, no scroll region, origin mode
 * off, left/right margin mode off with no margins, and the cursor in
 * column 0. The tracker itself must need nothing
 * more; the repair stays within TERM_REPAIR_MAX (the buffer is no larger:
 * AddressSanitizer catches an overflow).
 *
 * Input: byte 0 chooses the terminal: bit 0 UTF-8 (else 8-bit controls),
 * bit 1 strict strings (only a 7-bit ST, or BEL for an OSC, ends a
 * string: CAN, SUB, other ESCs and an 8-bit ST are string data), bit 2
 * repair every (byte 1 + 1) bytes too, as log lines in the middle of the
 * guest's output do, bit 3 the Linux console's numbers (parameters modulo
 * 2^32; else they stop at 65535, as xterm's do), bits 4-5 what a CSI with
 * a sub-parameter (':') does (enum m_subs). The rest is the guest's
 * output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term-state.h"

#define COLS		80
#define MAXP		32		/* parameters xterm-like terminals keep */
#define PMAX_XTERM	65535		/* where xterm's parameters stop */

/* How a terminal takes a CSI with a sub-parameter (':'). */
enum m_subs {
	SUBS_FIRST,	/* alacritty: each parameter's number before its ':' */
	SUBS_XTERM,	/* xterm: the CSI is ignored, but for SGR */
	SUBS_VTE,	/* VTE: a DEC private mode with one is ignored */
	SUBS_LINUX,	/* Linux: the CSI is ignored, as one of 17 parameters */
};

/* DEC private modes off after a reset (origin mode aside). */
static const long input_modes[] = {
	1, 9, 66, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015, 1016, 2004,
};

/* What a cursor save (DECSC, SCOSC, ?1048h, ?1049h) keeps. */
struct m_cursor {
	int col;
	int bold, italic, under, blink, inverse, hidden, strike, overline;
	long fg, bg;
	char g[4];
	int gl;
	bool origin;
};

enum m_state { M_GROUND, M_ESC, M_ESC_INT, M_CSI, M_CSI_IGN, M_OSC, M_STR,
	       M_STR_ESC };

struct model {
	bool utf8, strict, linux_nums;
	enum m_subs subs;
	enum m_state st;
	/* decoder */
	unsigned int cp, need, min;
	/* ESC intermediates */
	char ei[4];
	int nei;
	/* CSI */
	char priv, ci[4];
	int nci;
	long p[MAXP];
	bool sub[MAXP];
	int np;
	bool insub, anyp;	/* in a sub-parameter; a parameter byte seen */
	bool anysub;		/* a ':' anywhere in the CSI */
	/* strings: ']' OSC, 'P' DCS... */
	char skind, osc[8192];
	int nosc;
	/* the screen */
	int col;
	struct m_cursor saved;
	bool alt, cursor_hidden, nowrap;
	int bold, italic, under, blink, inverse, hidden, strike, overline;
	long fg, bg;			/* -1: default */
	bool pal_changed, dfg_changed, dbg_changed;
	char g[4];
	int gl;
	bool enc_other;
	bool link, origin, region;
	bool lrmm, lr_margins;		/* ?69 (DECLRMM), DECSLRM's margins */
	unsigned int input;		/* bit i: input_modes[i] set */
};

static void m_reset(struct model *m)
{
	bool u = m->utf8, s = m->strict, l = m->linux_nums;
	enum m_subs subs = m->subs;

	memset(m, 0, sizeof(*m));
	m->utf8 = u;
	m->strict = s;
	m->linux_nums = l;
	m->subs = subs;
	m->fg = m->bg = -1;
	memset(m->g, 'B', sizeof(m->g));
	m->saved.fg = m->saved.bg = -1;
	memset(m->saved.g, 'B', sizeof(m->saved.g));
}

static void m_save(struct model *m)
{
	struct m_cursor *c = &m->saved;

	c->col = m->col;
	c->bold = m->bold;
	c->italic = m->italic;
	c->under = m->under;
	c->blink = m->blink;
	c->inverse = m->inverse;
	c->hidden = m->hidden;
	c->strike = m->strike;
	c->overline = m->overline;
	c->fg = m->fg;
	c->bg = m->bg;
	memcpy(c->g, m->g, sizeof(c->g));
	c->gl = m->gl;
	c->origin = m->origin;
}

static void m_restore(struct model *m)
{
	const struct m_cursor *c = &m->saved;

	m->col = c->col;
	m->bold = c->bold;
	m->italic = c->italic;
	m->under = c->under;
	m->blink = c->blink;
	m->inverse = c->inverse;
	m->hidden = c->hidden;
	m->strike = c->strike;
	m->overline = c->overline;
	m->fg = c->fg;
	m->bg = c->bg;
	memcpy(m->g, c->g, sizeof(m->g));
	m->gl = c->gl;
	m->origin = c->origin;
}

static void m_sgr_reset(struct model *m)
{
	m->bold = m->italic = m->under = m->blink = 0;
	m->inverse = m->hidden = m->strike = m->overline = 0;
	m->fg = m->bg = -1;
}

static void m_col(struct model *m, long c)
{
	m->col = c < 0 ? 0 : c >= COLS ? COLS - 1 : (int)c;
}

static void m_print(struct model *m)
{
	m_col(m, m->col + 1);
}

static void m_c0(struct model *m, int c)
{
	switch (c) {
	case 8:
		m_col(m, m->col - 1);
		break;
	case 9:
		m_col(m, (m->col | 7) + 1);
		break;
	case 10:
		/* ONLCR */
	case 13:
		m->col = 0;
		break;
	case 14:
		m->gl = 1;
		break;
	case 15:
		m->gl = 0;
		break;
	}
}

static long arg(struct model *m, int i, long def)
{
	return i < m->np && m->p[i] ? m->p[i] : def;
}

/* Extended colour at p[i] (38/48/58 form); returns parameters used. */
static int ext_colour(struct model *m, int i, long *to)
{
	if (m->sub[i]) {
		*to = 1000;	/* set, whatever the sub-parameters say */
		return 1;
	}
	if (i + 1 < m->np && m->p[i + 1] == 5) {
		*to = i + 2 < m->np ? m->p[i + 2] : 0;
		return 3;
	}
	if (i + 1 < m->np && m->p[i + 1] == 2) {
		*to = 1001;
		return 5;
	}
	return -1;
}

static void m_sgr(struct model *m)
{
	long dummy;
	int i, k;

	for (i = 0; i < m->np; i++) {
		long c = m->p[i];

		if (m->sub[i] && c == 4) {
			m->under = 1;	/* 4:0 is off, but only 0 is asked */
			continue;
		}
		switch (c) {
		case 0:
			m_sgr_reset(m);
			break;
		case 1:
		case 2:
			m->bold = 1;
			break;
		case 3:
			m->italic = 1;
			break;
		case 4:
		case 21:
			m->under = 1;
			break;
		case 5:
		case 6:
			m->blink = 1;
			break;
		case 7:
			m->inverse = 1;
			break;
		case 8:
			m->hidden = 1;
			break;
		case 9:
			m->strike = 1;
			break;
		case 22:
			m->bold = 0;
			break;
		case 23:
			m->italic = 0;
			break;
		case 24:
			m->under = 0;
			break;
		case 25:
			m->blink = 0;
			break;
		case 27:
			m->inverse = 0;
			break;
		case 28:
			m->hidden = 0;
			break;
		case 29:
			m->strike = 0;
			break;
		case 39:
			m->fg = -1;
			break;
		case 49:
			m->bg = -1;
			break;
		case 53:
			m->overline = 1;
			break;
		case 55:
			m->overline = 0;
			break;
		case 38:
		case 48:
		case 58:
			k = ext_colour(m, i, c == 38 ? &m->fg :
					     c == 48 ? &m->bg : &dummy);
			if (k < 0)
				return;
			if (c == 58)
				m->under |= 2;	/* a coloured underline */
			i += k - 1;
			break;
		case 59:
			m->under &= ~2;
			break;
		default:
			if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97))
				m->fg = c;
			else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107))
				m->bg = c;
			break;
		}
	}
}

static void m_mode(struct model *m, long mode, bool set)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(input_modes); i++) {
		if (mode != input_modes[i])
			continue;
		if (set)
			m->input |= 1u << i;
		else
			m->input &= ~(1u << i);
	}
	switch (mode) {
	case 25:
		m->cursor_hidden = !set;
		break;
	case 7:
		m->nowrap = !set;
		break;
	case 3:
		m->col = 0;
		break;
	case 6:
		m->origin = set;
		m->col = 0;
		break;
	case 47:
	case 1047:
		m->alt = set;
		break;
	case 69:
		m->lrmm = set;
		if (!set)
			m->lr_margins = false;
		break;
	case 1048:
		if (set)
			m_save(m);
		else
			m_restore(m);
		break;
	case 1049:
		if (set) {
			m_save(m);
			m->alt = true;
		} else {
			m->alt = false;
			m_restore(m);
		}
		break;
	}
}

static void m_csi(struct model *m, int f)
{
	int i;

	if (m->nci == 1 && m->ci[0] == '!' && f == 'p' && !m->priv) {
		/* DECSTR, the worst reading: autowrap off. */
		m->cursor_hidden = false;
		m_sgr_reset(m);
		m->gl = 0;
		memset(m->g, 'B', sizeof(m->g));
		m->nowrap = true;
		return;
	}
	if (m->nci)
		return;
	if (m->anysub && m->subs == SUBS_XTERM && (m->priv || f != 'm'))
		return;
	if (m->priv == '?') {
		if (f != 'h' && f != 'l')
			return;
		for (i = 0; i < m->np; i++)
			if (!m->sub[i] || m->subs != SUBS_VTE)
				m_mode(m, m->p[i], f == 'h');
		return;
	}
	if (m->priv)
		return;
	switch (f) {
	case 'm':
		m_sgr(m);
		break;
	case 'C':
	case 'a':
		m_col(m, m->col + arg(m, 0, 1));
		break;
	case 'D':
		m_col(m, m->col - arg(m, 0, 1));
		break;
	case 'E':
	case 'F':
	case 'L':
	case 'M':
		m->col = 0;
		break;
	case 'r':
		/* DECSTBM: top 1 and no bottom is the whole screen. */
		if (arg(m, 0, 1) == 1 && arg(m, 1, 0) == 0)
			m->region = false;
		else if (arg(m, 1, 0) == 0 || arg(m, 0, 1) < arg(m, 1, 0))
			m->region = true;	/* else invalid: ignored */
		m->col = 0;
		break;
	case 'G':
	case '`':
		m_col(m, arg(m, 0, 1) - 1);
		break;
	case 'H':
	case 'f':
		m_col(m, arg(m, 1, 1) - 1);
		break;
	case 'I':
		for (i = 0; i < arg(m, 0, 1) && i < COLS; i++)
			m_col(m, (m->col | 7) + 1);
		break;
	case 'Z':
		for (i = 0; i < arg(m, 0, 1) && i < COLS; i++)
			m_col(m, ((m->col - 1) & ~7));
		break;
	case 's':
		if (!m->lrmm) {
			m_save(m);
			break;
		}
		/* DECSLRM: 1 and none is the whole width; it homes. */
		if (arg(m, 0, 1) == 1 && arg(m, 1, 0) == 0)
			m->lr_margins = false;
		else if (arg(m, 1, 0) == 0 || arg(m, 0, 1) < arg(m, 1, 0))
			m->lr_margins = true;	/* else invalid: ignored */
		m->col = 0;
		break;
	case 'u':
		m_restore(m);
		break;
	}
}

static void m_full_reset(struct model *m)
{
	m_reset(m);
}

static void m_esc(struct model *m, int f)
{
	if (m->nei == 0) {
		switch (f) {
		case 'c':
			m_full_reset(m);
			break;
		case 'E':
			m->col = 0;
			break;
		case '7':
			m_save(m);
			break;
		case '8':
			m_restore(m);
			break;
		case '=':
			m_mode(m, 66, true);
			break;
		case '>':
			m_mode(m, 66, false);
			break;
		case 'n':
			m->gl = 2;
			break;
		case 'o':
			m->gl = 3;
			break;
		}
		return;
	}
	switch (m->ei[0]) {
	case '(':
	case ')':
	case '*':
	case '+':
		m->g[m->ei[0] - '('] = m->nei == 1 ? (char)f : '?';
		break;
	case '-':
	case '.':
	case '/':
		m->g[m->ei[0] - ','] = '?';
		break;
	case '%':
		m->enc_other = !(m->nei == 1 && f == 'G');
		break;
	}
}

static void m_osc(struct model *m)
{
	char *semi, *rest;
	long n;

	m->osc[m->nosc] = '\0';
	if (m->osc[0] < '0' || m->osc[0] > '9')
		return;
	n = strtol(m->osc, &semi, 10);
	if (semi == m->osc || (*semi && *semi != ';'))
		return;
	rest = *semi ? semi + 1 : NULL;
	switch (n) {
	case 4:
		if (rest)
			m->pal_changed = true;
		break;
	case 10:
		if (!rest)
			break;
		if (*rest != '?' && *rest != ';')
			m->dfg_changed = true;
		semi = strchr(rest, ';');
		if (semi && semi[1] != '?')
			m->dbg_changed = true;
		break;
	case 11:
		if (rest && *rest != '?')
			m->dbg_changed = true;
		break;
	case 8:
		/* params;URI, an empty URI closes it; else the worst: open. */
		if (!rest)
			break;
		semi = strchr(rest, ';');
		m->link = !semi || semi[1];
		break;
	case 104:
		if (!rest)
			m->pal_changed = false;
		break;
	case 110:
		m->dfg_changed = false;
		break;
	case 111:
		m->dbg_changed = false;
		break;
	}
}

static void m_to_esc(struct model *m)
{
	m->st = M_ESC;
	m->nei = 0;
}

static void m_ascii(struct model *m, int c);

static void m_osc_add(struct model *m, int c)
{
	if (m->nosc < (int)sizeof(m->osc) - 1)
		m->osc[m->nosc++] = (char)c;
}

/* Strict: an ESC in a string that is not ST, and what followed: data. */
static void m_resume(struct model *m, int c)
{
	m->st = m->skind == ']' ? M_OSC : M_STR;
	if (m->st != M_OSC)
		return;
	m_osc_add(m, 0x1b);
	if (c >= 0x20)
		m_osc_add(m, c);
}

/* A control or character code point (after decoding). */
static void m_code(struct model *m, unsigned int cp)
{
	if (cp >= 0x80 && cp < 0xa0) {
		if (m->strict && (m->st == M_OSC || m->st == M_STR ||
				  m->st == M_STR_ESC))
			return;		/* string data there */
		/* C1: ESC and its 7-bit twin. */
		m_ascii(m, 0x1b);
		m_ascii(m, (int)cp - 0x40);
		return;
	}
	if (cp < 0x80) {
		m_ascii(m, (int)cp);
		return;
	}
	/* Text. */
	switch (m->st) {
	case M_GROUND:
		m_print(m);
		break;
	case M_OSC:
		if (m->nosc < (int)sizeof(m->osc) - 1)
			m->osc[m->nosc++] = '~';
		break;
	case M_STR:
		break;
	case M_STR_ESC:
		if (m->strict) {
			m_resume(m, '~');
			break;
		}
		if (m->skind == ']')
			m_osc(m);
		m_to_esc(m);
		if (!m->utf8)
			m_ascii(m, (int)(cp & 0x7f));
		break;
	default:
		/* 8-bit: GR acts as GL inside a sequence. */
		if (!m->utf8)
			m_ascii(m, (int)(cp & 0x7f));
		break;
	}
}

static bool m_string(const struct model *m)
{
	return m->st == M_OSC || m->st == M_STR || m->st == M_STR_ESC;
}

/* A 7-bit byte in a string; false when it left the string for ESC. */
static bool m_string_byte(struct model *m, int c)
{
	if (m->st == M_STR_ESC) {
		if (c == '\\') {
			if (m->skind == ']')
				m_osc(m);
			m->st = M_GROUND;
			return true;
		}
		if (m->strict) {
			if (c != 0x1b)
				m_resume(m, c);
			return true;
		}
		if (m->skind == ']')
			m_osc(m);	/* the worst: it counted */
		m_to_esc(m);
		return false;
	}
	if (c == 0x1b) {
		m->st = M_STR_ESC;
	} else if ((c == 0x18 || c == 0x1a) && !m->strict) {
		m->st = M_GROUND;	/* aborted, not dispatched */
	} else if (c == 0x07 && m->st == M_OSC) {
		m_osc(m);
		m->st = M_GROUND;
	} else if (m->st == M_OSC && c >= 0x20) {
		m_osc_add(m, c);
	}
	return true;
}

static void m_csi_byte(struct model *m, int c)
{
	if (c >= 0x40) {
		if (m->np < MAXP)
			m->np++;
		m->st = M_GROUND;
		m_csi(m, c);
		return;
	}
	if (c < 0x30) {
		if (m->nci < 4)
			m->ci[m->nci] = (char)c;
		m->nci++;
		return;
	}
	if (m->nci) {
		m->st = M_CSI_IGN;
		return;
	}
	if (c >= 0x3c) {
		if (m->priv || m->anyp)
			m->st = M_CSI_IGN;
		else
			m->priv = (char)c;
		return;
	}
	m->anyp = true;
	/* The Linux console keeps 16 parameters, and no ':'. */
	if (m->subs == SUBS_LINUX && (c == ':' || (c == ';' && m->np >= 15))) {
		m->st = M_CSI_IGN;
		return;
	}
	if (c == ';') {
		if (m->np < MAXP)
			m->np++;
		m->insub = false;
	} else if (c == ':') {
		m->insub = true;
		m->anysub = true;
		if (m->np < MAXP)
			m->sub[m->np] = true;
	} else if (!m->insub && m->np < MAXP) {
		long v = m->p[m->np] * 10 + (c - '0');

		if (m->linux_nums)
			m->p[m->np] = (unsigned int)v;
		else
			m->p[m->np] = v > PMAX_XTERM ? PMAX_XTERM : v;
	}
}

static void m_ascii(struct model *m, int c)
{
	if (m_string(m) && m_string_byte(m, c))
		return;
	if (c == 0x18 || c == 0x1a) {
		if (c == 0x1a)
			m_print(m);
		m->st = M_GROUND;
		return;
	}
	if (c == 0x1b) {
		m_to_esc(m);
		return;
	}
	if (c < 0x20) {
		m_c0(m, c);
		return;
	}
	if (c == 0x7f)
		return;
	switch (m->st) {
	case M_GROUND:
		m_print(m);
		break;
	case M_ESC:
	case M_ESC_INT:
		if (c < 0x30) {
			if (m->nei < 4)
				m->ei[m->nei] = (char)c;
			m->nei++;
			m->st = M_ESC_INT;
			break;
		}
		if (m->st == M_ESC && c == '[') {
			m->st = M_CSI;
			m->priv = 0;
			m->nci = 0;
			m->np = 0;
			m->insub = false;
			m->anyp = false;
			m->anysub = false;
			memset(m->p, 0, sizeof(m->p));
			memset(m->sub, 0, sizeof(m->sub));
			break;
		}
		if (m->st == M_ESC && (c == ']' || c == 'P' || c == 'X' ||
				       c == '^' || c == '_')) {
			m->st = c == ']' ? M_OSC : M_STR;
			m->skind = (char)c;
			m->nosc = 0;
			break;
		}
		m->st = M_GROUND;
		m_esc(m, c);
		break;
	case M_CSI:
		m_csi_byte(m, c);
		break;
	case M_CSI_IGN:
		if (c >= 0x40)
			m->st = M_GROUND;
		break;
	default:
		break;
	}
}

static void m_byte(struct model *m, unsigned char b)
{
	if (!m->utf8) {
		m_code(m, b);
		return;
	}
	if (m->need) {
		if ((b & 0xc0) == 0x80) {
			m->cp = (m->cp << 6) | (b & 0x3f);
			if (--m->need)
				return;
			m_code(m, m->cp < m->min ? 0xfffd : m->cp);
			return;
		}
		m->need = 0;
		m_code(m, 0xfffd);
	}
	if (b < 0x80) {
		m_code(m, b);
	} else if (b >= 0xc2 && b <= 0xdf) {
		m->cp = b & 0x1f;
		m->need = 1;
		m->min = 0x80;
	} else if (b >= 0xe0 && b <= 0xef) {
		m->cp = b & 0x0f;
		m->need = 2;
		m->min = 0x800;
	} else if (b >= 0xf0 && b <= 0xf4) {
		m->cp = b & 0x07;
		m->need = 3;
		m->min = 0x10000;
	} else {
		m_code(m, 0xfffd);
	}
}

static void m_feed(struct model *m, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < n; i++) {
		m_byte(m, p[i]);
#ifdef TS_TRACE	/* -DTS_TRACE with -DFUZZ_STANDALONE: the state per byte */
		fprintf(stderr, "%02x -> st %d col %d\n", p[i], m->st, m->col);
#endif
	}
}

static void check(const struct model *m, const struct term_state *s,
		  const char *rep, size_t n)
{
	static const char *const what[] = {
		"not in the ground state", "renditions not default",
		"alternate screen", "cursor hidden", "autowrap off",
		"colours changed", "character set changed", "not in column 0",
		"tracker still needs something", "in a hyperlink",
		"reporting or keys changed", "with a scroll region",
		"in origin mode", "in left/right margin mode",
	};
	bool bad[ARRAY_SIZE(what)] = {
		m->st != M_GROUND || m->need,
		m->bold || m->italic || m->under || m->blink || m->inverse ||
			m->hidden || m->strike || m->overline || m->fg != -1 ||
			m->bg != -1,
		m->alt, m->cursor_hidden, m->nowrap,
		m->pal_changed || m->dfg_changed || m->dbg_changed,
		m->gl || m->g[0] != 'B' || m->enc_other,
		m->col != 0,
		term_state_needs(s) != 0,
		m->link, m->input != 0, m->region, m->origin,
		m->lrmm || m->lr_margins,
	};
	unsigned int i;
	size_t k;

	for (i = 0; i < ARRAY_SIZE(what); i++) {
		if (!bad[i])
			continue;
		fprintf(stderr, "term-state invariant: after the repair (");
		for (k = 0; k < n; k++)
			fprintf(stderr, "%02x", (unsigned char)rep[k]);
		fprintf(stderr, ") the %s terminal is %s (col %d)\n",
			m->utf8 ? "UTF-8" : "8-bit", what[i], m->col);
		abort();
	}
}

static void repair(struct model *m, struct term_state *s)
{
	char rep[TERM_REPAIR_MAX];
	size_t n = term_state_repair(term_state_needs(s), rep);

	m_feed(m, rep, n);
	term_state_feed(s, rep, n);
	check(m, s, rep, n);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct term_state s;
	struct model m;
	size_t chunk = (size_t)-1, i;

	if (size < 2)
		return 0;
	memset(&m, 0, sizeof(m));
	m.utf8 = data[0] & 1;
	m.strict = data[0] & 2;
	m.linux_nums = data[0] & 8;
	m.subs = (enum m_subs)((data[0] >> 4) & 3);
	m_reset(&m);
	if (data[0] & 4)
		chunk = (size_t)data[1] + 1;
	term_state_init(&s, m.utf8);
	data += 2;
	size -= 2;
	for (i = 0; i < size; i += chunk) {
		size_t n = size - i < chunk ? size - i : chunk;

		m_feed(&m, data + i, n);
		term_state_feed(&s, data + i, n);
		repair(&m, &s);
	}
	repair(&m, &s);
	return 0;
}

#include "replay.h"
