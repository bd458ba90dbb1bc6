/* SPDX-License-Identifier: GPL-2.0 */
/* For test messages: bytes as text, all but printable ASCII as \xNN. */
#ifndef LKVM_TESTS_SHOW_BYTES_H
#define LKVM_TESTS_SHOW_BYTES_H

#include <stdio.h>

#define SHOW_BYTES_MAX	4096	/* bytes shown; more are cut */

static const char *show_bytes(const char *s, size_t n)
{
	static char buf[4 * SHOW_BYTES_MAX + 1];
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
					      "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

#endif
