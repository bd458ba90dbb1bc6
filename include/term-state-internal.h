/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the terminal-state tracker (lib/term-state.c, the parser and the
 * strings; lib/term-state-csi.c, CSI: renditions and modes): the parse
 * states and what both change.
 */
#ifndef LKVM_TERM_STATE_INTERNAL_H
#define LKVM_TERM_STATE_INTERNAL_H

#include "term-state.h"

enum ts_parse {
	TS_GROUND,
	TS_ESC,			/* ESC */
	TS_ESC_INTER,		/* ESC and intermediates (0x20-0x2f) */
	TS_CSI,			/* CSI: parameters, intermediates */
	TS_CSI_IGNORE,		/* a malformed CSI, up to its final byte */
	TS_OSC,			/* OSC string */
	TS_STR,			/* DCS, SOS, PM, APC string */
	TS_STR_ESC,		/* ESC inside a string: ST if '\' follows */
};

#define PARAM_SAME	65535u		/* numbers past it (CSI, OSC): two meanings */

/* The needs whose repair homes the cursor: ?6l, CSI s, CSI r. */
#define TS_NEED_HOMES	(TERM_NEED_ORIGIN | TERM_NEED_MARGINS | \
			 TERM_NEED_SCROLL)

static inline void set_flags(struct term_parser *s, u32 f)
{
	s->flags |= f;
}

static inline void clear_flags(struct term_parser *s, u32 f)
{
	s->flags &= ~f;
}

static inline void line_moved(struct term_parser *s)
{
	s->fresh_line = false;
}

static inline void line_fresh(struct term_parser *s, bool fresh)
{
	s->fresh_line = fresh;
}

/* What a cursor save keeps, besides renditions, that matters here. */
#define TS_SAVED_FLAGS	(TERM_NEED_ORIGIN | TERM_NEED_SHIFT | TERM_NEED_G0)

/*
 * A cursor save keeps renditions, character sets and origin mode; which
 * save a restore comes back to (one per screen on xterm, one on DEC) is
 * not followed: a restore brings back what any of them kept.
 */
static inline void cursor_kept(struct term_parser *s)
{
	s->saved_flags |= s->flags & TS_SAVED_FLAGS;
	s->saved_sgr |= s->sgr;
}

/*
 * The cursor was saved (DECSC and the like): on the alternate screen, a
 * terminal with one save for both screens then has ?1049l come back here.
 */
static inline void cursor_saved(struct term_parser *s)
{
	cursor_kept(s);
	if (s->flags & TERM_NEED_ALT1049)
		s->saved_fresh = s->saved_fresh && s->fresh_line;
}

/* The cursor was restored (DECRC and the like); where, the caller's. */
static inline void cursor_restored(struct term_parser *s)
{
	s->flags |= s->saved_flags;
	s->sgr |= s->saved_sgr;
}

/* lib/term-state-csi.c */
void ts_csi_start(struct term_parser *s);
/* A byte of a CSI, 0x20-0x7f (C0 controls are the caller's). */
void ts_csi_byte(struct term_parser *s, u8 c);

#endif
