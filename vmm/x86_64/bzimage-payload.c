// SPDX-License-Identifier: GPL-2.0
/*
 * A bzImage's compressed kernel, decompressed on the host. See
 * include/x86/bzimage-payload.h. Every length comes from the file and is
 * checked against the buffer and the caller's maximum before use; each
 * decoder must produce exactly the stated length from exactly the bytes
 * before the trailer.
 */
#include <errno.h>
#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "unaligned.h"
#include "x86/bzimage-payload.h"

#define LZ4_LEGACY_MAGIC	0x184c2102u
#define LZ4_LEGACY_BLOCK	(8u << 20)	/* a legacy block's output */
#define LZMA_MEMLIMIT		(256ULL << 20)

static const struct {
	enum bz_payload_format fmt;
	const char *name;
	u8 magic[6];
	u8 len;
} bz_magics[] = {
	{ BZ_PAYLOAD_GZIP, "gzip", { 0x1f, 0x8b }, 2 },
	{ BZ_PAYLOAD_BZIP2, "bzip2", { 'B', 'Z', 'h' }, 3 },
	{ BZ_PAYLOAD_LZMA, "lzma", { 0x5d, 0x00, 0x00 }, 3 },
	{ BZ_PAYLOAD_XZ, "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
	{ BZ_PAYLOAD_LZO, "lzo", { 0x89, 'L', 'Z', 'O' }, 4 },
	{ BZ_PAYLOAD_LZ4, "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4 },
	{ BZ_PAYLOAD_ZSTD, "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
};

enum bz_payload_format bz_payload_detect(const u8 *p, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bz_magics); i++)
		if (len >= bz_magics[i].len &&
		    !memcmp(p, bz_magics[i].magic, bz_magics[i].len))
			return bz_magics[i].fmt;
	return BZ_PAYLOAD_UNKNOWN;
}

const char *bz_payload_format_name(enum bz_payload_format fmt)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bz_magics); i++)
		if (bz_magics[i].fmt == fmt)
			return bz_magics[i].name;
	return "unknown";
}

/* gzip: the whole stream; its ISIZE trailer is the stated length. */
static int inflate_gzip(const u8 *p, size_t len, u8 *out, size_t want)
{
	z_stream z;
	int ret;

	if (len > UINT_MAX || want > UINT_MAX)
		return -EINVAL;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)want;
	ret = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	return ret == Z_STREAM_END && z.total_out == want && !z.avail_in ?
	       0 : -EINVAL;
}

/* LZ4 legacy frames (lz4 -l): magic, then {le32 size, block} until the end. */
static int inflate_lz4(const u8 *p, size_t len, u8 *out, size_t want)
{
	size_t off = 0, done = 0;

	while (off < len) {
		u32 csize;
		int n;

		if (len - off < 4)
			return -EINVAL;
		csize = get_le32(p + off);
		off += 4;
		if (csize == LZ4_LEGACY_MAGIC)
			continue;	/* a concatenated frame */
		if (!csize || csize > len - off ||
		    csize > (u32)LZ4_compressBound(LZ4_LEGACY_BLOCK))
			return -EINVAL;
		n = LZ4_decompress_safe((const char *)p + off,
					(char *)out + done, (int)csize,
					(int)MIN(want - done,
						 (size_t)LZ4_LEGACY_BLOCK));
		if (n <= 0)
			return -EINVAL;
		done += (size_t)n;
		off += csize;
	}
	return done == want ? 0 : -EINVAL;
}

static int inflate_zstd(const u8 *p, size_t len, u8 *out, size_t want)
{
	size_t n = ZSTD_decompress(out, want, p, len);

	return !ZSTD_isError(n) && n == want ? 0 : -EINVAL;
}

/* xz (one stream, padding allowed) and lzma ("alone") through liblzma. */
static int inflate_lzma(const u8 *p, size_t len, u8 *out, size_t want,
			bool xz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret ret;

	ret = xz ? lzma_stream_decoder(&s, LZMA_MEMLIMIT, LZMA_CONCATENATED) :
		   lzma_alone_decoder(&s, LZMA_MEMLIMIT);
	if (ret != LZMA_OK)
		return -ENOMEM;
	s.next_in = p;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = want;
	ret = lzma_code(&s, LZMA_FINISH);
	lzma_end(&s);
	return ret == LZMA_STREAM_END && s.total_out == want && !s.avail_in ?
	       0 : -EINVAL;
}

int bz_payload_decompress(const u8 *p, size_t len, size_t max, u8 **out,
			  size_t *out_len, const char **why)
{
	enum bz_payload_format fmt = bz_payload_detect(p, len);
	size_t want, body;
	u8 *buf;
	int ret;

	*out = NULL;
	*out_len = 0;
	if (fmt == BZ_PAYLOAD_UNKNOWN) {
		*why = "unknown compression (no known magic bytes)";
		return -EINVAL;
	}
	if (fmt == BZ_PAYLOAD_BZIP2 || fmt == BZ_PAYLOAD_LZO) {
		*why = "lkvm decompresses gzip, lz4, zstd, xz and lzma kernels, not this one";
		return -EOPNOTSUPP;
	}
	if (len < 8) {
		*why = "truncated compressed kernel";
		return -EINVAL;
	}
	want = get_le32(p + len - 4);
	if (!want) {
		*why = "compressed kernel states a length of 0";
		return -EINVAL;
	}
	if (want > max) {
		*why = "decompressed kernel would be larger than guest RAM allows";
		return -E2BIG;
	}
	buf = malloc(want);
	if (!buf) {
		*why = "out of memory for the decompressed kernel";
		return -ENOMEM;
	}
	/* gzip's ISIZE belongs to its stream; the others' trailer does not. */
	body = fmt == BZ_PAYLOAD_GZIP ? len : len - 4;
	switch (fmt) {
	case BZ_PAYLOAD_GZIP:
		ret = inflate_gzip(p, body, buf, want);
		break;
	case BZ_PAYLOAD_LZ4:
		ret = inflate_lz4(p + 4, body - 4, buf, want);
		break;
	case BZ_PAYLOAD_ZSTD:
		ret = inflate_zstd(p, body, buf, want);
		break;
	default:
		ret = inflate_lzma(p, body, buf, want, fmt == BZ_PAYLOAD_XZ);
		break;
	}
	if (ret) {
		free(buf);
		*why = ret == -ENOMEM ? "out of memory for the decompressor" :
		       "corrupt compressed kernel (or not the length it states)";
		return ret;
	}
	*out = buf;
	*out_len = want;
	return 0;
}
