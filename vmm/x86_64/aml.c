// SPDX-License-Identifier: GPL-2.0
/*
 * AML encoding (ACPI 6.3, 20.2 "AML Grammar Definition") and small
 * resource descriptors (6.4 "Resource Data Types for ACPI"). See
 * include/x86/aml.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "x86/aml.h"

#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR		'\\'
#define AML_PARENT_CHAR		'^'

/* Resource descriptor tags and fields. */
#define RES_IRQ_NO_FLAGS	0x22
#define RES_IRQ			0x23
#define RES_IO			0x47
#define RES_END_TAG		0x79
#define RES_MEM32_FIXED		0x86
#define RES_DWORD_SPACE		0x87
#define RES_WORD_SPACE		0x88
#define RES_IO_DECODE16		0x01
#define RES_MEM_RW		0x01
#define RES_SPACE_MEM		0
#define RES_SPACE_IO		1
#define RES_SPACE_BUS		2
/* General flags: producer, positive decode, min and max fixed. */
#define RES_WINDOW_FLAGS	0x0c
#define RES_IO_ENTIRE_RANGE	0x03

static void aml_fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

static bool aml_reserve(struct aml *a, size_t n)
{
	size_t cap;
	u8 *p;

	if (a->err)
		return false;
	if (n <= a->cap - a->len)
		return true;
	cap = a->cap ? a->cap : 256;
	while (cap - a->len < n) {
		if (cap > SIZE_MAX / 2) {
			aml_fail(a, -ENOMEM);
			return false;
		}
		cap *= 2;
	}
	p = realloc(a->buf, cap);
	if (!p) {
		aml_fail(a, -ENOMEM);
		return false;
	}
	a->buf = p;
	a->cap = cap;
	return true;
}

void aml_init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

void aml_release(struct aml *a)
{
	free(a->buf);
	aml_init(a);
}

int aml_finish(struct aml *a)
{
	if (!a->err && a->depth)
		aml_fail(a, -EINVAL);
	return a->err;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (!aml_reserve(a, n))
		return;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, u8 b)
{
	aml_bytes(a, &b, 1);
}

static void aml_le(struct aml *a, u64 v, unsigned int n)
{
	u8 b[8];
	unsigned int i;

	for (i = 0; i < n; i++)
		b[i] = (u8)(v >> (8 * i));
	aml_bytes(a, b, n);
}

/* The bytes of v's shortest integer encoding, into out (9 bytes). */
static size_t integer_encode(u64 v, u8 *out)
{
	unsigned int n, i;

	if (v <= 1) {
		out[0] = v ? AML_ONE_OP : AML_ZERO_OP;
		return 1;
	}
	if (v <= 0xff) {
		out[0] = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		out[0] = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffff) {
		out[0] = AML_DWORD_PREFIX;
		n = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		n = 8;
	}
	for (i = 0; i < n; i++)
		out[1 + i] = (u8)(v >> (8 * i));
	return 1 + n;
}

void aml_integer(struct aml *a, u64 v)
{
	u8 enc[9];

	aml_bytes(a, enc, integer_encode(v, enc));
}

void aml_string(struct aml *a, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if ((u8)*p > 0x7f) {
			aml_fail(a, -EINVAL);
			return;
		}
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void aml_eisaid(struct aml *a, const char *id)
{
	u8 b[4];
	int i, d[4];

	if (strlen(id) != 7) {
		aml_fail(a, -EINVAL);
		return;
	}
	for (i = 0; i < 3; i++)
		if (id[i] < 'A' || id[i] > 'Z') {
			aml_fail(a, -EINVAL);
			return;
		}
	for (i = 0; i < 4; i++) {
		d[i] = hex_digit(id[3 + i]);
		if (d[i] < 0) {
			aml_fail(a, -EINVAL);
			return;
		}
	}
	/* Three 5-bit letters (A = 1), then the digits, in byte order. */
	b[0] = (u8)((id[0] - '@') << 2 | (id[1] - '@') >> 3);
	b[1] = (u8)(((id[1] - '@') & 7) << 5 | (id[2] - '@'));
	b[2] = (u8)(d[0] << 4 | d[1]);
	b[3] = (u8)(d[2] << 4 | d[3]);
	aml_byte(a, AML_DWORD_PREFIX);
	aml_bytes(a, b, sizeof(b));
}

static bool seg_char_ok(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* One NameSeg of n characters at s, padded to four with '_'. */
static bool seg_encode(const char *s, size_t n, u8 out[4])
{
	size_t i;

	if (n < 1 || n > 4)
		return false;
	for (i = 0; i < 4; i++) {
		if (i >= n) {
			out[i] = '_';
			continue;
		}
		if (!seg_char_ok(s[i], i == 0))
			return false;
		out[i] = (u8)s[i];
	}
	return true;
}

void aml_namestring(struct aml *a, const char *path)
{
	u8 segs[4 * 255];
	const char *p = path, *dot;
	unsigned int nr = 0;

	if (*p == AML_ROOT_CHAR) {
		aml_byte(a, AML_ROOT_CHAR);
		p++;
	} else {
		while (*p == AML_PARENT_CHAR) {
			aml_byte(a, AML_PARENT_CHAR);
			p++;
		}
	}
	while (*p) {
		dot = strchr(p, '.');
		if (!dot)
			dot = p + strlen(p);
		if (nr == 255 || !seg_encode(p, (size_t)(dot - p),
					     segs + 4 * nr)) {
			aml_fail(a, -EINVAL);
			return;
		}
		nr++;
		p = *dot ? dot + 1 : dot;
		if (*dot && !*p) {	/* a trailing '.' */
			aml_fail(a, -EINVAL);
			return;
		}
	}
	if (nr == 0) {
		aml_byte(a, 0);		/* NullName */
		return;
	}
	if (nr == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nr > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (u8)nr);
	}
	aml_bytes(a, segs, 4 * nr);
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, name);
}

void aml_name_integer(struct aml *a, const char *name, u64 v)
{
	aml_name(a, name);
	aml_integer(a, v);
}

void aml_name_eisaid(struct aml *a, const char *name, const char *id)
{
	aml_name(a, name);
	aml_eisaid(a, id);
}

void aml_name_string(struct aml *a, const char *name, const char *s)
{
	aml_name(a, name);
	aml_string(a, s);
}

/* Open an object whose PkgLength goes at the current position. */
static void aml_open(struct aml *a, bool buffer)
{
	if (a->err)
		return;
	if (a->depth == AML_MAX_DEPTH) {
		aml_fail(a, -E2BIG);
		return;
	}
	a->open[a->depth].start = a->len;
	a->open[a->depth].buffer = buffer;
	a->depth++;
}

void aml_scope_begin(struct aml *a, const char *path)
{
	aml_byte(a, AML_SCOPE_OP);
	aml_open(a, false);
	aml_namestring(a, path);
}

void aml_device_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	aml_open(a, false);
	aml_namestring(a, name);
}

void aml_package_begin(struct aml *a, u8 nr_elements)
{
	aml_byte(a, AML_PACKAGE_OP);
	aml_open(a, false);
	aml_byte(a, nr_elements);
}

void aml_buffer_begin(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	aml_open(a, true);
}

/*
 * PkgLength (20.2.4) of an object whose body after the PkgLength is n
 * bytes: the encoded value counts its own bytes too. 0 when too long.
 */
static size_t pkglen_encode(size_t n, u8 out[4])
{
	static const size_t limit[] = { 1 << 6, 1 << 12, 1 << 20, 1 << 28 };
	size_t k, i, total;

	for (k = 1; k <= 4; k++) {
		total = n + k;
		if (total >= limit[k - 1])
			continue;
		if (k == 1) {
			out[0] = (u8)total;
			return 1;
		}
		out[0] = (u8)((k - 1) << 6 | (total & 0xf));
		for (i = 1; i < k; i++)
			out[i] = (u8)(total >> (4 + 8 * (i - 1)));
		return k;
	}
	return 0;
}

void aml_end(struct aml *a)
{
	u8 head[4 + 9];
	size_t start, body, nhead, npkg;

	if (a->err)
		return;
	if (!a->depth) {
		aml_fail(a, -EINVAL);
		return;
	}
	a->depth--;
	start = a->open[a->depth].start;
	body = a->len - start;
	nhead = 0;
	if (a->open[a->depth].buffer) {
		u8 size[9];
		size_t nsize = integer_encode(body, size);

		body += nsize;
		npkg = pkglen_encode(body, head);
		memcpy(head + npkg, size, nsize);
		nhead = npkg + nsize;
	} else {
		nhead = pkglen_encode(body, head);
	}
	if (!nhead || !aml_reserve(a, nhead)) {
		aml_fail(a, -E2BIG);
		return;
	}
	memmove(a->buf + start + nhead, a->buf + start, a->len - start);
	memcpy(a->buf + start, head, nhead);
	a->len += nhead;
}

void aml_res_io(struct aml *a, u16 base, u8 len)
{
	u8 d[] = {
		RES_IO, RES_IO_DECODE16, (u8)base, (u8)(base >> 8),
		(u8)base, (u8)(base >> 8), 1, len,
	};

	aml_bytes(a, d, sizeof(d));
}

void aml_res_irq(struct aml *a, u8 irq, u8 flags)
{
	u16 mask = (u16)(1u << irq);

	if (irq >= 16) {
		aml_fail(a, -EINVAL);
		return;
	}
	if (flags == AML_IRQ_EDGE) {
		u8 d[] = { RES_IRQ_NO_FLAGS, (u8)mask, (u8)(mask >> 8) };

		aml_bytes(a, d, sizeof(d));
	} else {
		u8 d[] = { RES_IRQ, (u8)mask, (u8)(mask >> 8), flags };

		aml_bytes(a, d, sizeof(d));
	}
}

void aml_res_mem32_fixed(struct aml *a, u32 base, u32 len)
{
	aml_byte(a, RES_MEM32_FIXED);
	aml_le(a, 9, 2);
	aml_byte(a, RES_MEM_RW);
	aml_le(a, base, 4);
	aml_le(a, len, 4);
}

/* Word Address Space Descriptor (6.4.3.5.3): 13 bytes after the length. */
static void res_word_space(struct aml *a, u8 type, u8 type_flags, u16 min,
			   u16 len)
{
	aml_byte(a, RES_WORD_SPACE);
	aml_le(a, 13, 2);
	aml_byte(a, type);
	aml_byte(a, RES_WINDOW_FLAGS);
	aml_byte(a, type_flags);
	aml_le(a, 0, 2);			/* granularity */
	aml_le(a, min, 2);
	aml_le(a, (u16)(min + len - 1), 2);
	aml_le(a, 0, 2);			/* translation offset */
	aml_le(a, len, 2);
}

void aml_res_bus_window(struct aml *a, u8 first, u8 last)
{
	if (last < first) {
		aml_fail(a, -EINVAL);
		return;
	}
	res_word_space(a, RES_SPACE_BUS, 0, first, (u16)(last - first + 1));
}

void aml_res_io_window(struct aml *a, u16 base, u32 len)
{
	if (!len || len > 0xffff || base + len > 0x10000) {
		aml_fail(a, -EINVAL);
		return;
	}
	res_word_space(a, RES_SPACE_IO, RES_IO_ENTIRE_RANGE, base, (u16)len);
}

/* DWord Address Space Descriptor (6.4.3.5.2): 23 bytes after the length. */
void aml_res_mem_window(struct aml *a, u32 base, u64 len)
{
	if (!len || len > 0xffffffffULL || len > 0x100000000ULL - base) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, RES_DWORD_SPACE);
	aml_le(a, 23, 2);
	aml_byte(a, RES_SPACE_MEM);
	aml_byte(a, RES_WINDOW_FLAGS);
	aml_byte(a, RES_MEM_RW);		/* non-cacheable, read-write */
	aml_le(a, 0, 4);			/* granularity */
	aml_le(a, base, 4);
	aml_le(a, base + len - 1, 4);
	aml_le(a, 0, 4);			/* translation offset */
	aml_le(a, len, 4);
}

void aml_res_end(struct aml *a)
{
	u8 d[] = { RES_END_TAG, 0 };

	aml_bytes(a, d, sizeof(d));
}
