// SPDX-License-Identifier: GPL-2.0
/*
 * lib/parse-num.c: a whole decimal string from 0 to max; blanks only when
 * asked for, never a sign, never trailing characters, never empty; above
 * max (or beyond unsigned long) is -ERANGE, anything else -EINVAL.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "parse-num.h"
#include "tap.h"

#define UNSET	12345UL

/* @s for a TAP line: blanks other than ' ' as \t, \n, \x.. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (!s)
		return "(null)";
	for (; *s && n + 5 < len; s++)
		n += snprintf(buf + n, len - n,
			      *s == '\t' ? "\\t" : *s == '\n' ? "\\n" :
			      (unsigned char)*s < 0x20 ? "\\x%02x" : "%c",
			      (unsigned char)*s);
	buf[n] = '\0';
	return buf;
}

/* One case: the result and, on success, the value; *out kept on failure. */
static void check(const char *s, unsigned long max, unsigned int flags,
		  int want, unsigned long want_v)
{
	unsigned long v = UNSET;
	int r = parse_num_ulong(s, max, flags, &v);
	char buf[80];

	ok(r == want && v == (want ? UNSET : want_v),
	   "'%s' (max %lu%s): %d, %lu (got %d, %lu)", shown(s, buf, sizeof(buf)), max,
	   flags & PARSE_NUM_BLANKS ? ", blanks" : "", want,
	   want ? UNSET : want_v, r, v);
}

int main(void)
{
	char big[64];

	check("0", 10, 0, 0, 0);
	check("7", 10, 0, 0, 7);
	check("10", 10, 0, 0, 10);
	check("007", 10, 0, 0, 7);
	check("11", 10, 0, -ERANGE, 0);

	/* Empty. */
	check("", 10, 0, -EINVAL, 0);
	check("", 10, PARSE_NUM_BLANKS, -EINVAL, 0);
	check("  ", 10, PARSE_NUM_BLANKS, -EINVAL, 0);
	check(NULL, 10, 0, -EINVAL, 0);

	/* Leading blanks: only with PARSE_NUM_BLANKS. */
	check(" 4", 10, 0, -EINVAL, 0);
	check("\t4", 10, 0, -EINVAL, 0);
	check(" 4", 10, PARSE_NUM_BLANKS, 0, 4);
	check(" \t\n4", 10, PARSE_NUM_BLANKS, 0, 4);

	/* Signs, before or after blanks: "-1" is not ULONG_MAX. */
	check("-1", ULONG_MAX, 0, -EINVAL, 0);
	check("+1", 10, 0, -EINVAL, 0);
	check("-0", 10, 0, -EINVAL, 0);
	check(" -1", ULONG_MAX, PARSE_NUM_BLANKS, -EINVAL, 0);
	check(" +1", 10, PARSE_NUM_BLANKS, -EINVAL, 0);

	/* Trailing junk, blanks included. */
	check("4x", 10, 0, -EINVAL, 0);
	check("4 ", 10, PARSE_NUM_BLANKS, -EINVAL, 0);
	check("4\n", 10, 0, -EINVAL, 0);
	check("0x10", 100, 0, -EINVAL, 0);
	check("1.5", 10, 0, -EINVAL, 0);
	check("5us", 1000, 0, -EINVAL, 0);
	check("x4", 10, 0, -EINVAL, 0);

	/* Overflow: the largest value, one more, and far beyond. */
	snprintf(big, sizeof(big), "%lu", ULONG_MAX);
	check(big, ULONG_MAX, 0, 0, ULONG_MAX);
	check(big, ULONG_MAX - 1, 0, -ERANGE, 0);
	check("4294967294", 4294967294UL, 0, 0, 4294967294UL);
	check("4294967295", 4294967294UL, 0, -ERANGE, 0);
	check("99999999999999999999999999", ULONG_MAX, 0, -ERANGE, 0);
	check("99999999999999999999999999x", ULONG_MAX, 0, -EINVAL, 0);
	return tap_done();
}
