// SPDX-License-Identifier: GPL-2.0
/*
 * String and memory helpers, exit. Bulk memory work uses one string
 * instruction: the emulator runs it far faster than a C loop.
 */
#include "guest.h"

void *memset(void *s, int c, size_t n)
{
	void *d = s;

	asm volatile("rep stosb"
		     : "+D"(d), "+c"(n)
		     : "a"(c)
		     : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *dd = d;

	asm volatile("rep movsb"
		     : "+D"(dd), "+S"(s), "+c"(n)
		     :
		     : "memory");
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	char *dp;
	const char *sp;

	if ((uintptr_t)d <= (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n)
		return memcpy(d, s, n);
	dp = (char *)d + n - 1;
	sp = (const char *)s + n - 1;
	asm volatile("std\n\trep movsb\n\tcld"
		     : "+D"(dp), "+S"(sp), "+c"(n)
		     :
		     : "memory");
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c ? NULL : (char *)s;
}

u64 strtou64(const char *s, const char **end)
{
	unsigned int base = 10;
	u64 v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		v = v * base + d;
	}
	if (end)
		*end = s;
	return v;
}

void guest_exit(u32 status)
{
	outl(status, X86_PORT_TEST_EXIT);
	halt_forever();
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("panic: %s\n", buf);
	guest_exit(EXIT_FAIL);
}
