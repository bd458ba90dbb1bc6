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

#define PARAM_CAP	100000u		/* parameters saturate here */

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

/*
 * The cursor was saved (DECSC and the like): on the alternate screen, a
 * terminal with one save for both screens then has ?1049l come back here.
 */
static inline void cursor_saved(struct term_parser *s)
{
	if (s->flags & TERM_NEED_ALT1049)
		s->saved_fresh = s->saved_fresh && s->fresh_line;
}

/* lib/term-state-csi.c */
void ts_csi_start(struct term_parser *s);
/* A byte of a CSI, 0x20-0x7f (C0 controls are the caller's). */
void ts_csi_byte(struct term_parser *s, u8 c);

#endif
