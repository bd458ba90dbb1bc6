// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vmm/x86_64/aml.c: byte-exact encodings from the ACPI 6.3
 * grammar (integers, strings, EISA IDs, name strings, PkgLength at each
 * of its four sizes, buffers) and resource descriptors, and the sticky
 * errors for what cannot be encoded.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "x86/aml.h"

static bool bytes_are(struct aml *a, const u8 *want, size_t n)
{
	bool same = !a->err && a->len == n && !memcmp(a->buf, want, n);

	aml_release(a);
	return same;
}

#define EXPECT(a, ...) ({						\
	static const u8 __w[] = { __VA_ARGS__ };			\
	bytes_are(a, __w, sizeof(__w));					\
})

static void test_data(void)
{
	struct aml a;

	aml_init(&a);
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 2);
	aml_integer(&a, 0x1234);
	aml_integer(&a, 0x12345678);
	aml_integer(&a, 0x100000000ULL);
	ok(EXPECT(&a, 0x00, 0x01, 0x0a, 0x02, 0x0b, 0x34, 0x12,
		  0x0c, 0x78, 0x56, 0x34, 0x12,
		  0x0e, 0, 0, 0, 0, 1, 0, 0, 0),
	   "integers: Zero, One, byte, word, dword and qword constants");
	aml_init(&a);
	aml_string(&a, "ab");
	ok(EXPECT(&a, 0x0d, 'a', 'b', 0), "string: prefix, ASCII, NUL");
	aml_init(&a);
	aml_eisaid(&a, "PNP0A03");
	aml_eisaid(&a, "PNP0C02");
	ok(EXPECT(&a, 0x0c, 0x41, 0xd0, 0x0a, 0x03, 0x0c, 0x41, 0xd0, 0x0c,
		  0x02), "EisaId (\"PNP0A03\"), (\"PNP0C02\") as dwords");
	aml_init(&a);
	aml_eisaid(&a, "pnp0a03");
	ok(a.err == -EINVAL, "a lower-case EISA ID: -EINVAL");
	aml_release(&a);
}

static void test_names(void)
{
	struct aml a;

	aml_init(&a);
	aml_namestring(&a, "_HID");
	aml_namestring(&a, "RTC");
	ok(EXPECT(&a, '_', 'H', 'I', 'D', 'R', 'T', 'C', '_'),
	   "one segment; short ones padded with '_'");
	aml_init(&a);
	aml_namestring(&a, "\\_SB.PCI0");
	ok(EXPECT(&a, '\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0'),
	   "\\_SB.PCI0: root, dual-name prefix");
	aml_init(&a);
	aml_namestring(&a, "^A.B.C");
	ok(EXPECT(&a, '^', 0x2f, 3, 'A', '_', '_', '_', 'B', '_', '_', '_',
		  'C', '_', '_', '_'), "^A.B.C: parent prefix, multi-name");
	aml_init(&a);
	aml_namestring(&a, "\\");
	ok(EXPECT(&a, '\\', 0), "the root alone: a null name");
	aml_init(&a);
	aml_name_integer(&a, "_UID", 2);
	ok(EXPECT(&a, 0x08, '_', 'U', 'I', 'D', 0x0a, 2),
	   "Name (_UID, 2)");
	aml_init(&a);
	aml_namestring(&a, "0ABC");
	ok(a.err == -EINVAL, "a segment starting with a digit: -EINVAL");
	aml_release(&a);
	aml_init(&a);
	aml_namestring(&a, "ABCDE");
	ok(a.err == -EINVAL, "a five-character segment: -EINVAL");
	aml_release(&a);
	aml_init(&a);
	aml_namestring(&a, "AB.");
	aml_integer(&a, 7);
	ok(a.err == -EINVAL && a.len == 0,
	   "a trailing dot: -EINVAL, and later writes do nothing");
	aml_release(&a);
}

/* A package whose elements take `bytes` bytes (filler, not decoded). */
static void package_of(struct aml *a, unsigned int bytes)
{
	unsigned int i;

	aml_package_begin(a, 0);
	for (i = 0; i < bytes; i++)
		aml_byte(a, 0xaa);
	aml_end(a);
}

/* Decode a PkgLength at p: its value, and its size in *n. */
static size_t pkglen(const u8 *p, unsigned int *n)
{
	unsigned int k = p[0] >> 6, i;
	size_t v = k ? (p[0] & 0xf) : (p[0] & 0x3f);

	for (i = 0; i < k; i++)
		v |= (size_t)p[1 + i] << (4 + 8 * i);
	*n = k + 1;
	return v;
}

static void test_pkglength(void)
{
	static const struct {
		unsigned int body;	/* bytes after PackageOp + PkgLength */
		unsigned int size;	/* PkgLength bytes */
	} cases[] = {
		{ 62, 1 }, { 63, 2 }, { 4093, 2 }, { 4094, 3 },
		{ (1 << 20) - 4, 3 }, { (1 << 20) - 3, 4 },
	};
	unsigned int i, n = 0;
	struct aml a;
	bool good = true;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t v;

		aml_init(&a);
		/* The NumElements byte is part of the body too. */
		package_of(&a, cases[i].body - 1);
		v = a.err ? 0 : pkglen(a.buf + 1, &n);
		if (a.err || n != cases[i].size || v != cases[i].body + n ||
		    a.len != 1 + n + cases[i].body) {
			printf("# body %u: err %d, %u-byte PkgLength %zu\n",
			       cases[i].body, a.err, n, v);
			good = false;
		}
		aml_release(&a);
	}
	ok(good, "PkgLength: 1 to 4 bytes at each boundary, counting itself");

	aml_init(&a);
	aml_scope_begin(&a, "\\_SB");
	aml_device_begin(&a, "DEV");
	aml_end(&a);
	aml_end(&a);
	ok(EXPECT(&a, 0x10, 0x0d, '\\', '_', 'S', 'B', '_',
		  0x5b, 0x82, 0x05, 'D', 'E', 'V', '_'),
	   "Scope (\\_SB) { Device (DEV) {} }");
	aml_init(&a);
	aml_buffer_begin(&a);
	aml_res_end(&a);
	aml_end(&a);
	ok(EXPECT(&a, 0x11, 0x05, 0x0a, 0x02, 0x79, 0x00),
	   "Buffer: PkgLength, then its size, then the bytes");
	aml_init(&a);
	aml_end(&a);
	ok(a.err == -EINVAL, "aml_end with nothing open: -EINVAL");
	aml_release(&a);
	aml_init(&a);
	aml_package_begin(&a, 0);
	ok(aml_finish(&a) == -EINVAL, "aml_finish with a package open: -EINVAL");
	aml_release(&a);
	aml_init(&a);
	for (i = 0; i <= AML_MAX_DEPTH; i++)
		aml_package_begin(&a, 1);
	ok(a.err == -E2BIG, "nesting deeper than %d: -E2BIG", AML_MAX_DEPTH);
	aml_release(&a);
}

static void test_resources(void)
{
	struct aml a;

	aml_init(&a);
	aml_res_io(&a, 0x3f8, 8);
	ok(EXPECT(&a, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08),
	   "IO (Decode16, 0x3F8, 0x3F8, 1, 8)");
	aml_init(&a);
	aml_res_irq(&a, 12, AML_IRQ_EDGE);
	aml_res_irq(&a, 9, AML_IRQ_ACTIVE_LOW | AML_IRQ_SHARED);
	ok(EXPECT(&a, 0x22, 0x00, 0x10, 0x23, 0x00, 0x02, 0x18),
	   "IRQNoFlags () {12}; IRQ (Level, ActiveLow, Shared) {9}");
	aml_init(&a);
	aml_res_mem32_fixed(&a, 0xe0000000, 0x100000);
	ok(EXPECT(&a, 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xe0,
		  0x00, 0x00, 0x10, 0x00),
	   "Memory32Fixed (ReadWrite, 0xE0000000, 0x100000)");
	aml_init(&a);
	aml_res_bus_window(&a, 0, 0);
	ok(EXPECT(&a, 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0, 0, 0, 0, 0,
		  0, 0, 0x01, 0x00), "WordBusNumber: bus 0, length 1");
	aml_init(&a);
	aml_res_io_window(&a, 0xc000, 0x1000);
	ok(EXPECT(&a, 0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0, 0, 0x00, 0xc0,
		  0xff, 0xcf, 0, 0, 0x00, 0x10),
	   "WordIO: 0xC000-0xCFFF, entire range");
	aml_init(&a);
	aml_res_mem_window(&a, 0xc0000000, 0x10000000);
	ok(EXPECT(&a, 0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0, 0, 0, 0,
		  0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xff, 0xcf,
		  0, 0, 0, 0, 0x00, 0x00, 0x00, 0x10),
	   "DWordMemory: 0xC0000000-0xCFFFFFFF, non-cacheable, read-write");
	aml_init(&a);
	aml_res_irq(&a, 16, AML_IRQ_EDGE);
	ok(a.err == -EINVAL, "IRQ 16 in a legacy IRQ descriptor: -EINVAL");
	aml_release(&a);
	aml_init(&a);
	aml_res_io_window(&a, 0xf000, 0x2000);
	ok(a.err == -EINVAL, "an I/O window past 0xffff: -EINVAL");
	aml_release(&a);
	aml_init(&a);
	aml_res_mem_window(&a, 0xf0000000, 0x20000000);
	ok(a.err == -EINVAL, "a memory window past 4 GiB: -EINVAL");
	aml_release(&a);
}

int main(void)
{
	test_data();
	test_names();
	test_pkglength();
	test_resources();
	return tap_done();
}
