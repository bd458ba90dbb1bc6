// SPDX-License-Identifier: GPL-2.0
/* Decimal numbers from the user, whole-string. See include/parse-num.h. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "parse-num.h"

int parse_num_ulong(const char *s, unsigned long max, unsigned int flags,
		    unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s)
		return -EINVAL;
	if (flags & PARSE_NUM_BLANKS)
		while (isspace((unsigned char)*s))
			s++;
	/* A digit first: no blank, no sign, not empty. */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	if (errno)
		return -EINVAL;
	*out = v;
	return 0;
}
