// SPDX-License-Identifier: GPL-2.0
/* Decimal numbers from the user, whole-string. See include/parse-num.h. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "parse-num.h"

int parse_num_u64(const char *s, size_t n, u64 max, unsigned int flags,
		  u64 *out)
{
	const char *e;
	bool over = false;
	u64 v = 0;

	if (!s)
		return -EINVAL;
	e = s + n;
	if (flags & PARSE_NUM_BLANKS)
		while (s < e && isspace((unsigned char)*s))
			s++;
	/* Not empty; then digits only: no blank, no sign, nothing after. */
	if (s == e)
		return -EINVAL;
	for (; s < e; s++) {
		unsigned int d = (unsigned char)*s - '0';

		if (d > 9)
			return -EINVAL;
		/* Past UINT64_MAX: remembered, the rest still checked. */
		if (v > (UINT64_MAX - d) / 10)
			over = true;
		else
			v = v * 10 + d;
	}
	if (over || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_num_ulong(const char *s, unsigned long max, unsigned int flags,
		    unsigned long *out)
{
	u64 v;
	int r;

	if (!s)
		return -EINVAL;
	r = parse_num_u64(s, strlen(s), max, flags, &v);
	if (!r)
		*out = v;
	return r;
}
