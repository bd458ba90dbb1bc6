// SPDX-License-Identifier: GPL-2.0
/*
 * lib/parse-num.c: a whole decimal string from 0 to max; blanks only when
 * asked for, never a sign, never trailing characters, never empty; above
 * max (or beyond unsigned long) is -ERANGE, anything else -EINVAL. The
 * same for a 64-bit value in the first n bytes of a string.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "parse-num.h"
#include "tap.h"

#define UNSET	12345UL

/* The @sn bytes at @s for a TAP line: \t, \n, other controls as \x.. */
static const char *shown(const char *s, size_t sn, char *buf, size_t len)
{
	const char *e;
	size_t n = 0;

	if (!s)
		return "(null)";
	for (e = s + sn; s < e && n + 5 < len; s++)
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
	   "'%s' (max %lu%s): %d, %lu (got %d, %lu)",
	   shown(s, s ? strlen(s) : 0, buf, sizeof(buf)), max,
	   flags & PARSE_NUM_BLANKS ? ", blanks" : "", want,
	   want ? UNSET : want_v, r, v);
}

/* parse_num_u64: the first @n bytes of @s only. */
static void check64(const char *s, size_t n, u64 max, unsigned int flags,
		    int want, u64 want_v)
{
	u64 v = UNSET;
	int r = parse_num_u64(s, n, max, flags, &v);
	char buf[80];

	ok(r == want && v == (want ? UNSET : want_v),
	   "64-bit, '%s' (%zu bytes; max %llu%s): %d, %llu (got %d, %llu)",
	   shown(s, n, buf, sizeof(buf)), n, (unsigned long long)max,
	   flags & PARSE_NUM_BLANKS ? ", blanks" : "", want,
	   (unsigned long long)(want ? UNSET : want_v), r,
	   (unsigned long long)v);
}

static void check_u64(void)
{
	static const char nul[] = { '4', '\0', '5' };

	/* A field: what follows the n bytes is not looked at. */
	check64("12,path=x", 2, UINT64_MAX, 0, 0, 12);
	check64("3x", 1, UINT64_MAX, 0, 0, 3);
	check64("3x", 2, UINT64_MAX, 0, -EINVAL, 0);
	check64(",path=x", 0, UINT64_MAX, 0, -EINVAL, 0);
	check64("  ,", 2, UINT64_MAX, PARSE_NUM_BLANKS, -EINVAL, 0);
	check64(" 5,", 2, UINT64_MAX, PARSE_NUM_BLANKS, 0, 5);
	check64(" 5,", 2, UINT64_MAX, 0, -EINVAL, 0);
	check64("+5", 2, UINT64_MAX, 0, -EINVAL, 0);
	check64("-5", 2, UINT64_MAX, 0, -EINVAL, 0);
	check64(NULL, 0, UINT64_MAX, 0, -EINVAL, 0);
	/* A NUL inside the field is not a digit. */
	check64(nul, sizeof(nul), UINT64_MAX, 0, -EINVAL, 0);

	/* 2^32 and beyond on every host; UINT64_MAX, then one more. */
	check64("4294967296", 10, UINT64_MAX, 0, 0, 4294967296ULL);
	check64("4294967295", 10, 0xfffffffeULL, 0, -ERANGE, 0);
	check64("18446744073709551615", 20, UINT64_MAX, 0, 0, UINT64_MAX);
	check64("18446744073709551616", 20, UINT64_MAX, 0, -ERANGE, 0);
	check64("18446744073709551620", 20, UINT64_MAX, 0, -ERANGE, 0);
	check64("184467440737095516150", 21, UINT64_MAX, 0, -ERANGE, 0);
	/* Leading zeros are no overflow; junk after an overflow is junk. */
	check64("000000000000000000000000003", 27, UINT64_MAX, 0, 0, 3);
	check64("99999999999999999999999999x", 27, UINT64_MAX, 0, -EINVAL, 0);
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

	check_u64();
	return tap_done();
}
