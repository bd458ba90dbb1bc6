/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decimal numbers from the user (option values, --jail-user ids, vsock
 * CIDs), with the rules spelled out rather than left to strtoul(), which
 * skips blanks, takes a sign (and negates "-1" into ULONG_MAX) and stops
 * at the first character that is not a digit.
 */
#ifndef LKVM_PARSE_NUM_H
#define LKVM_PARSE_NUM_H

#include "types.h"

/* Leading blanks (isspace()) are skipped; without it they are refused. */
#define PARSE_NUM_BLANKS	(1U << 0)

/*
 * The whole of @s as a decimal number from 0 to @max into *@out: digits
 * only, no sign (not even after blanks), nothing after the last digit,
 * not empty. Returns 0, -EINVAL (not such a number: *@out untouched) or
 * -ERANGE (digits only, but above @max or beyond unsigned long).
 */
int parse_num_ulong(const char *s, unsigned long max, unsigned int flags,
		    unsigned long *out);

/*
 * The same rules for the @n bytes at @s (a field of a longer string, such
 * as the CID before the comma of --vsock CID,path=SOCK; a NUL among them
 * is not a digit) and a 64-bit value: -ERANGE above @max or UINT64_MAX.
 */
int parse_num_u64(const char *s, size_t n, u64 max, unsigned int flags,
		  u64 *out);

#endif
