/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest's console output left a terminal in, as far as lkvm's
 * own lines are concerned: fed every byte that reaches a terminal, it
 * tells which of these a line written now would suffer from, and the
 * bytes that undo them (term_state_repair()):
 * - a sequence in progress (ESC, CSI, an ESC with intermediates): CAN;
 * - a control string that is open (OSC, DCS, SOS, PM, APC): CAN and ST;
 * - the alternate screen (?47, ?1049, ?1047), a hidden cursor (?25),
 *   autowrap off (?7), graphic rendition (SGR) not reset, another G0
 *   character set, a locking shift (SO, LS2, LS3), another encoding
 *   (ESC % other than G), the default colours or the palette changed
 *   (OSC 10, 11, 4), a hyperlink left open (OSC 8);
 * - input modes: mouse reporting (?9, ?1000-?1003) and its encodings
 *   (?1005, ?1006, ?1015, ?1016), focus events (?1004), bracketed paste
 *   (?2004), application cursor keys (?1), the application keypad
 *   (ESC =, ?66); a scroll region (DECSTBM) or origin mode (?6), whose
 *   repair homes the cursor: it then goes to the bottom line, and a line
 *   feed follows; left/right margin mode (DECLRMM, ?69) and the margins
 *   it lets CSI Pl;Pr s set (DECSLRM: while ?69 may be set, CSI s is
 *   taken for both that and a cursor save, SCOSC, which it is on a
 *   terminal without DECLRMM), whose repair (CSI s, then ?69l) homes
 *   the cursor too;
 * - what a cursor restore (ESC 8, CSI u, ?1048l, ?1049l) brings back:
 *   the renditions, character sets and origin mode of any save since
 *   the last RIS; what xterm's XTRESTORE (CSI ? r) may set;
 * - the cursor not at the start of a fresh line (anything since the last
 *   line feed other than sequences known not to move the cursor): a
 *   line feed, which the terminal's output processing (ONLCR, which lkvm
 *   keeps) turns into CR LF.
 * A CSI parameter above 65535 means two things: its value modulo 2^32
 * (the Linux console keeps it in an unsigned int, so ?4294967321l hides
 * the cursor there) and a number no mode or rendition has (xterm and VTE
 * stop at 65535). Such a parameter counts for what its first meaning
 * sets, never for what it resets. So does every parameter of a CSI that
 * some terminals ignore and others take: one with a sub-parameter (':';
 * xterm ignores it but for SGR, the Linux console too, VTE ignores a
 * DECSET's parameter with one, alacritty takes the number before the
 * ':') or with more than 16 parameters (the Linux console ignores it).
 * Terminals differ on how a string ends: DEC's parser (and xterm's) ends
 * it at CAN, SUB, any ESC and an 8-bit ST too, a strict one only at a
 * 7-bit ST (or BEL, for an OSC). Two parsers follow the bytes, one of
 * each kind, and the repair is for both.
 * It errs on the side of repairing: a guest that ends clean (SGR reset,
 * modes back, a final newline) needs nothing, and a few clean endings are
 * taken as dirty (SGR 39/49 after an extended colour, modes it does not
 * know). Bytes 0x80-0x9f are C1 controls in the 8-bit model (a locale
 * that is not UTF-8) and U+0080-U+009F are in the UTF-8 model; other
 * non-ASCII is text.
 *
 * No locks, no allocation: the caller serialises; term_state_needs() is a
 * value a signal handler can be given (term_state_repair() is
 * async-signal-safe).
 */
#ifndef LKVM_TERM_STATE_H
#define LKVM_TERM_STATE_H

#include "types.h"

/*
 * term_state_needs() bits. The repair does them in this order: CAN, ST,
 * the OSC resets, the DEC private modes reset (one CSI ? ... l: ?1049 and
 * ?47 first, ?6 last), those set (one CSI ? ... h), SGR, SI, G0, the
 * encoding, the keypad, the left/right margins (CSI s while ?69 is still
 * set), ?69l, the scroll region, the cursor to the bottom line (after
 * ?6l, CSI s or CSI r), LF.
 */
#define TERM_NEED_CAN		(1u << 0)	/* CAN: abort a sequence */
#define TERM_NEED_ST		(1u << 1)	/* ESC \: end a string */
#define TERM_NEED_PALETTE	(1u << 2)	/* OSC 104 */
#define TERM_NEED_FG		(1u << 3)	/* OSC 110 */
#define TERM_NEED_BG		(1u << 4)	/* OSC 111 */
#define TERM_NEED_ALT1049	(1u << 5)	/* CSI ?1049l */
#define TERM_NEED_ALT47		(1u << 6)	/* CSI ?47l */
#define TERM_NEED_CURSOR	(1u << 7)	/* CSI ?25h */
#define TERM_NEED_WRAP		(1u << 8)	/* CSI ?7h */
#define TERM_NEED_SGR		(1u << 9)	/* CSI m */
#define TERM_NEED_SHIFT		(1u << 10)	/* SI */
#define TERM_NEED_G0		(1u << 11)	/* ESC ( B */
#define TERM_NEED_UTF8		(1u << 12)	/* ESC % G */
#define TERM_NEED_NEWLINE	(1u << 13)	/* LF */
#define TERM_NEED_LINK		(1u << 14)	/* OSC 8 ; ; */
#define TERM_NEED_CKM		(1u << 15)	/* CSI ?1l */
#define TERM_NEED_KEYPAD	(1u << 16)	/* ESC > */
#define TERM_NEED_MOUSE_X10	(1u << 17)	/* CSI ?9l */
#define TERM_NEED_MOUSE		(1u << 18)	/* CSI ?1000l */
#define TERM_NEED_MOUSE_HL	(1u << 19)	/* CSI ?1001l */
#define TERM_NEED_MOUSE_BTN	(1u << 20)	/* CSI ?1002l */
#define TERM_NEED_MOUSE_ANY	(1u << 21)	/* CSI ?1003l */
#define TERM_NEED_FOCUS		(1u << 22)	/* CSI ?1004l */
#define TERM_NEED_MOUSE_UTF8	(1u << 23)	/* CSI ?1005l */
#define TERM_NEED_MOUSE_SGR	(1u << 24)	/* CSI ?1006l */
#define TERM_NEED_MOUSE_URXVT	(1u << 25)	/* CSI ?1015l */
#define TERM_NEED_MOUSE_PIXEL	(1u << 26)	/* CSI ?1016l */
#define TERM_NEED_PASTE		(1u << 27)	/* CSI ?2004l */
#define TERM_NEED_ORIGIN	(1u << 28)	/* CSI ?6l */
#define TERM_NEED_SCROLL	(1u << 29)	/* CSI r */
#define TERM_NEED_LRMM		(1u << 30)	/* CSI ?69l */
#define TERM_NEED_MARGINS	(1u << 31)	/* CSI s (DECSLRM), before ?69l */
#define TERM_NEED_ALL		0xffffffffu	/* every bit is taken */

/*
 * The longest term_state_repair(), every need at once (tested): 138
 * bytes, and room to spare.
 */
#define TERM_REPAIR_MAX		160

/* How many numeric parameters of one CSI are kept (more: taken as dirty). */
#define TERM_STATE_PARAMS	16

/* One parser's view (lib/term-state*.c); struct term_state has two. */
struct term_parser {
	bool utf8;		/* the UTF-8 model, else the 8-bit one */
	bool strict;		/* strings end only at a 7-bit ST (or BEL) */
	u8 parse;		/* enum ts_parse (term-state-internal.h) */
	u32 flags;		/* TERM_NEED_* that persist, less CAN/ST/NEWLINE */
	u16 sgr;		/* rendition groups set (term-state-csi.c) */
	bool fresh_line;	/* at the start of a line after a line feed */
	bool saved_fresh;	/* fresh_line when ?1049h saved the cursor */
	/* What any cursor save so far kept: a restore brings it back. */
	u32 saved_flags;	/* TERM_NEED_ORIGIN, _SHIFT, _G0 */
	u16 saved_sgr;

	/* UTF-8 decoding. */
	u8 utf8_need;		/* continuation bytes still expected */
	bool utf8_c2;		/* lead byte 0xc2: U+0080-U+009F may follow */
	bool c1;		/* the byte being fed stands for an 8-bit one */

	/* ESC with intermediates. */
	u8 esc_inter, esc_ninter;

	/* CSI. */
	u8 csi_priv, csi_inter, csi_ninter, nparams;
	bool csi_any, csi_sub, csi_overflow;
	u16 csi_colon;		/* parameter i had sub-parameters */
	u16 csi_big;		/* parameter i went past 65535 */
	u32 params[TERM_STATE_PARAMS];	/* modulo 2^32 */

	/* OSC: number; 0 digits, 1 first byte after ';', 2 the rest. */
	u32 osc_num;
	u8 osc_phase, osc_semis;
	bool osc_bad, osc_query, str_osc;
	bool osc_big;		/* the number went past 65535 (osc_num wraps) */
	bool osc_tail;		/* a byte after the second ';' (OSC 8 URI) */
};

struct term_state {
	struct term_parser dec, strict;
};

/* A terminal as after a reset. utf8: the UTF-8 model (see above). */
void term_state_init(struct term_state *s, bool utf8);

/* The bytes that went to the terminal, in order. */
void term_state_feed(struct term_state *s, const void *buf, size_t len);

/* TERM_NEED_* bits; 0: a line written now shows as it should. */
u32 term_state_needs(const struct term_state *s);

/*
 * The bytes that do what `needs` asks (at most TERM_REPAIR_MAX; none for
 * 0) into buf; returns how many. Fed back to the state that gave
 * `needs`, they leave it needing nothing. Async-signal-safe.
 */
size_t term_state_repair(u32 needs, char *buf);

/*
 * Is the locale's character set UTF-8 (LC_ALL, else LC_CTYPE, else LANG
 * names one)? What term_state_init()'s utf8 should be for a terminal the
 * user runs lkvm from.
 */
bool term_state_locale_utf8(void);

#endif
