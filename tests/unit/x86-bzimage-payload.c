// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/x86_64/bzimage-payload.c and the bzImage loader's host-side
 * decompression: payloads made by Debian's own gzip, lz4, zstd, xz and
 * bzip2 tools the way Linux's build makes them (the uncompressed length
 * appended as le32, gzip's being its own trailer), decompressed to exactly
 * the input; wrong lengths, truncation, corruption, an unknown format and
 * one lkvm does not decode refused; then a bzImage around a compressed ELF
 * kernel loaded as its ELF, and left to the guest when asked or when the
 * kernel carries KASLR relocations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "x86-images.h"
#include "x86/bzimage-payload.h"

static char dir[64];

static u8 *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n = -1;
	u8 *b;

	if (f && !fseek(f, 0, SEEK_END))
		n = ftell(f);
	if (n < 0 || fseek(f, 0, SEEK_SET))
		abort();
	b = malloc((size_t)n + 8);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*len = (size_t)n;
	return b;
}

/*
 * data through "tool" (a shell command reading stdin, writing stdout) as
 * Linux's build does: with the le32 length appended unless gzip. NULL when
 * the tool is missing.
 */
static u8 *compress(const char *tool, const u8 *data, size_t len,
		    bool append, size_t *out_len)
{
	char in[96], out[96], cmd[320];
	FILE *f;
	u8 *b;

	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	f = fopen(in, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		abort();
	snprintf(cmd, sizeof(cmd), "%s < %s > %s 2>/dev/null", tool, in, out);
	if (system(cmd))
		return NULL;
	b = read_all(out, out_len);
	if (append) {
		put32(b + *out_len, (u32)len);
		*out_len += 4;
	}
	return b;
}

/* Compressible but not trivial: text-like runs and a pseudo-random part. */
static u8 *make_data(size_t len)
{
	u8 *d = malloc(len);
	u32 x = 12345;
	size_t i;

	if (!d)
		abort();
	for (i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		d[i] = (i / 4096) % 3 ? (u8)("kernel text "[i % 12]) :
					 (u8)(x >> 16);
	}
	return d;
}

static const struct {
	const char *name, *tool;
	bool append;
	enum bz_payload_format fmt;
} tools[] = {
	{ "gzip", "gzip -n -9", false, BZ_PAYLOAD_GZIP },
	{ "lz4", "lz4 -l -9 - -", true, BZ_PAYLOAD_LZ4 },
	{ "zstd", "zstd -9 -q", true, BZ_PAYLOAD_ZSTD },
	{ "xz", "xz --check=crc32 -3", true, BZ_PAYLOAD_XZ },
	{ "lzma", "xz --format=lzma -3", true, BZ_PAYLOAD_LZMA },
};

static void test_formats(void)
{
	size_t len = SZ_1M + 123, clen, olen;
	u8 *data = make_data(len), *c, *o;
	const char *why;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(tools); i++) {
		c = compress(tools[i].tool, data, len, tools[i].append, &clen);
		if (!c) {
			skip("no such tool", "%s: round trip", tools[i].name);
			continue;
		}
		ok(bz_payload_detect(c, clen) == tools[i].fmt,
		   "%s: detected by its magic", tools[i].name);
		why = NULL;
		ret = bz_payload_decompress(c, clen, 64 * SZ_1M, &o, &olen,
					    &why);
		ok(!ret && olen == len && !memcmp(o, data, len),
		   "%s: %zu bytes from %zu, exactly the input (%d %s)",
		   tools[i].name, olen, clen, ret, why ? why : "");
		free(o);

		ret = bz_payload_decompress(c, clen, len - 1, &o, &olen, &why);
		ok(ret == -E2BIG && !o, "%s: longer than the maximum: -E2BIG",
		   tools[i].name);

		put32(c + clen - 4, (u32)len + 1);
		ret = bz_payload_decompress(c, clen, 64 * SZ_1M, &o, &olen,
					    &why);
		ok(ret == -EINVAL && !o && strstr(why, "corrupt"),
		   "%s: a stated length one too long: -EINVAL (%s)",
		   tools[i].name, why);
		put32(c + clen - 4, (u32)len - 1);
		ret = bz_payload_decompress(c, clen, 64 * SZ_1M, &o, &olen,
					    &why);
		ok(ret == -EINVAL && !o,
		   "%s: a stated length one too short: -EINVAL", tools[i].name);

		/* Cut in the middle, the right length appended again. */
		put32(c + clen / 2, (u32)len);
		ret = bz_payload_decompress(c, clen / 2 + 4, 64 * SZ_1M, &o,
					    &olen, &why);
		ok(ret == -EINVAL && !o, "%s: truncated: -EINVAL",
		   tools[i].name);

		/*
		 * Damage: the formats with a check catch any flipped byte;
		 * legacy lz4 frames have none (a flipped literal decodes), so
		 * there a block's size is damaged instead.
		 */
		put32(c + clen - 4, (u32)len);
		if (tools[i].fmt == BZ_PAYLOAD_LZ4) {
			c[7] ^= 0x40;
		} else {
			c[clen / 3] ^= 0x55;
			c[clen / 3 + 1] ^= 0xaa;
		}
		ret = bz_payload_decompress(c, clen, 64 * SZ_1M, &o, &olen,
					    &why);
		ok(ret == -EINVAL && !o, "%s: %s: -EINVAL", tools[i].name,
		   tools[i].fmt == BZ_PAYLOAD_LZ4 ? "a block size damaged" :
		   "two bytes flipped");
		free(c);
	}
	free(data);
}

/* lz4 -l cuts its input in 8 MiB blocks: more than one, all decoded. */
static void test_lz4_blocks(void)
{
	size_t len = 9 * SZ_1M + 77, clen, olen;
	u8 *data = make_data(len), *c, *o;
	const char *why = "";
	int ret;

	c = compress("lz4 -l -1 - -", data, len, true, &clen);
	if (!c) {
		skip("no lz4", "lz4: two legacy blocks");
		free(data);
		return;
	}
	ret = bz_payload_decompress(c, clen, 64 * SZ_1M, &o, &olen, &why);
	ok(!ret && olen == len && !memcmp(o, data, len),
	   "lz4: 9 MiB in two legacy blocks, exactly the input (%s)", why);
	free(o);
	free(c);
	free(data);
}

static void test_refused(void)
{
	size_t len = SZ_1M, clen, olen;
	u8 *data = make_data(len), *c, *o;
	u8 junk[64] = { 0x42, 0x42 };
	const char *why = NULL;
	int ret;

	c = compress("bzip2 -9", data, len, true, &clen);
	if (c) {
		ret = bz_payload_decompress(c, clen, 64 * SZ_1M, &o, &olen,
					    &why);
		ok(ret == -EOPNOTSUPP && !o && strstr(why, "gzip, lz4") &&
		   bz_payload_detect(c, clen) == BZ_PAYLOAD_BZIP2,
		   "bzip2: recognised, refused, the decoders named (%s)", why);
		free(c);
	} else {
		skip("no bzip2", "bzip2: refused");
	}
	put32(junk + 60, 100);
	ret = bz_payload_decompress(junk, sizeof(junk), SZ_1M, &o, &olen,
				    &why);
	ok(ret == -EINVAL && !o && strstr(why, "unknown"),
	   "no known magic: -EINVAL (%s)", why);
	ret = bz_payload_decompress((const u8 *)"\x1f\x8b\x08", 3, SZ_1M,
				    &o, &olen, &why);
	ok(ret == -EINVAL && !o, "three bytes of gzip: -EINVAL");
	free(data);
}

/* --- The loader --- */

#define KADDR		0x1000000ULL
#define KFILE		0x3000
#define KMEM		0x5000
#define PAYLOAD_OFF	0x300

static u8 *kernel_elf(size_t *len, size_t relocs)
{
	struct elf_opts o = elf_default(true);
	u8 *e, *r;

	o.entry = KADDR + 0x40;
	elf_add(&o, elf_load(KADDR, KFILE, KMEM));
	e = make_elf(&o, len);
	if (!relocs)
		return e;
	r = realloc(e, *len + relocs);
	if (!r)
		abort();
	memset(r + *len, 0x11, relocs);
	*len += relocs;
	return r;
}

/* A bzImage whose payload is the ELF through tool (NULL: missing tool). */
static u8 *bzimage_around(const u8 *elf, size_t elf_len, const char *tool,
			  bool append, u32 init_size, size_t *len)
{
	struct bz_opts o = bz_default();
	size_t clen;
	u8 *c = compress(tool, elf, elf_len, append, &clen), *b;

	if (!c)
		return NULL;
	o.relocatable = 1;
	o.init_size = init_size;
	o.pm_len = PAYLOAD_OFF + clen + 0x100;
	b = make_bzimage(&o, len);
	put32(b + 0x248, PAYLOAD_OFF);
	put32(b + 0x24c, (u32)clen);
	memcpy(b + bz_setup_size(&o) + PAYLOAD_OFF, c, clen);
	free(c);
	return b;
}

static int load(struct test_guest *g, const u8 *k, size_t len,
		const char *cmdline, bool guest_dec, struct boot_state *bs)
{
	struct boot_input in = {
		.kernel = k, .kernel_len = len, .cmdline = cmdline,
		.guest_decompress = guest_dec,
	};

	return x86_load_kernel(&g->mem, &g->map, &in, bs);
}

static void test_loader(void)
{
	const struct boot_params *bp;
	struct test_guest g;
	struct boot_state bs;
	size_t elf_len, len;
	u8 *elf = kernel_elf(&elf_len, 0), *bz, *k;
	int ret;

	bz = bzimage_around(elf, elf_len, "gzip -n -9", false, KMEM, &len);
	if (!bz) {
		skip("no gzip", "bzImage: loaded through its decompressed ELF");
		free(elf);
		return;
	}
	guest_init(&g, 24 * SZ_1M);
	ret = load(&g, bz, len, "console=ttyS0", false, &bs);
	bp = (const struct boot_params *)(g.ram + X86_ZERO_PAGE_ADDR);
	ok(!ret && bs.format == KERNEL_FMT_BZIMAGE && bs.decompressed &&
	   !strcmp(bs.decompressed, "gzip") && bs.decompressed_size == elf_len,
	   "bzImage: its gzip payload decompressed by lkvm (%d %s)", ret,
	   bs.error);
	ok(bs.rip == KADDR + 0x40 && bs.mode == CPU_MODE_LONG64,
	   "bzImage: entered at the ELF's entry, 64-bit (rip 0x%llx)",
	   (unsigned long long)bs.rip);
	k = g.ram + KADDR;
	/* make_elf() puts the segment after the ELF and program headers. */
	ok(!memcmp(k, elf + 64 + 56, KFILE),
	   "bzImage: the ELF segment's bytes at its physical address");
	ok(k[KFILE] == 0 && k[KMEM - 1] == 0 && k[KMEM] == 0xaa,
	   "bzImage: the segment's bss zeroed, nothing after it");
	ok(bp->hdr.payload_length == rd32(bz + 0x24c) &&
	   bp->hdr.version == 0x020f && !(bp->hdr.loadflags & BP_KASLR_FLAG),
	   "zero page: the bzImage's own header, KASLR flag clear");
	guest_fini(&g);

	guest_init(&g, 24 * SZ_1M);
	ret = load(&g, bz, len, "console=ttyS0", true, &bs);
	ok(!ret && !bs.decompressed && bs.guest_decompress_why &&
	   bs.rip == KADDR + 0x200,
	   "--guest-decompress: the protected-mode part, entered at +0x200");
	guest_fini(&g);

	/* A kernel bigger than the header's init_size: refused. */
	{
		size_t small_len;
		u8 *small = bzimage_around(elf, elf_len, "gzip -n -9", false,
					   KMEM - 0x1000, &small_len);

		guest_init(&g, 24 * SZ_1M);
		ret = load(&g, small, small_len, "console=ttyS0", false, &bs);
		ok(ret == -ENOEXEC && strstr(bs.error, "init_size") &&
		   g.ram[KADDR] == 0xaa,
		   "a kernel beyond init_size: refused, nothing written (%s)",
		   bs.error);
		guest_fini(&g);
		free(small);
	}

	/* The payload corrupt: refused before anything is written. */
	bz[bz_setup_size(&(struct bz_opts){ .setup_sects = 4 }) +
	   PAYLOAD_OFF + 20] ^= 0xff;
	guest_init(&g, 24 * SZ_1M);
	ret = load(&g, bz, len, "console=ttyS0", false, &bs);
	ok(ret == -ENOEXEC && strstr(bs.error, "bzImage payload (gzip)") &&
	   g.ram[KADDR] == 0xaa && g.ram[X86_ZERO_PAGE_ADDR] == 0xaa,
	   "corrupt payload: refused, nothing written (%s)", bs.error);
	guest_fini(&g);
	free(bz);
	free(elf);

	/* Relocations after the ELF: the kernel was built for KASLR. */
	elf = kernel_elf(&elf_len, 4096);
	bz = bzimage_around(elf, elf_len, "gzip -n -9", false, KMEM, &len);
	guest_init(&g, 24 * SZ_1M);
	ret = load(&g, bz, len, "console=ttyS0", false, &bs);
	ok(!ret && !bs.decompressed && bs.guest_decompress_why &&
	   strstr(bs.guest_decompress_why, "KASLR") &&
	   bs.rip == KADDR + 0x200,
	   "KASLR relocations: the guest's decompressor runs (%s)",
	   bs.guest_decompress_why ? bs.guest_decompress_why : "-");
	guest_fini(&g);
	guest_init(&g, 24 * SZ_1M);
	ret = load(&g, bz, len, "console=ttyS0 nokaslr", false, &bs);
	ok(!ret && bs.decompressed && bs.rip == KADDR + 0x40,
	   "KASLR relocations and nokaslr: decompressed by lkvm");
	guest_fini(&g);
	free(bz);
	free(elf);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lkvm-bzpayload-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_formats();
	test_lz4_blocks();
	test_refused();
	test_loader();
	{
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	return tap_done();
}
