// SPDX-License-Identifier: GPL-2.0
/*
 * A bzImage's compressed kernel, decompressed on the host. See
 * include/x86/bzimage-payload.h. Every length comes from the file and is
 * checked against the buffer and the caller's maximum before use; each
 * decoder must produce exactly the stated length from exactly the bytes
 * before the trailer.
 *
 * liblz4, libzstd and liblzma are opened (dlopen) only when a kernel needs
 * one: linked in, they cost every lkvm start about 300 KiB of RSS and
 * their relocations, for a decompression most runs never do. zlib is
 * linked anyway (qcow2).
 */
#include <dlfcn.h>
#include <errno.h>
#include <lz4.h>
#include <pthread.h>
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

/*
 * The decoders' entry points, from their shared libraries; the headers
 * give their types (typeof names no symbol, so nothing is linked).
 */
struct bz_decoders {
	__typeof__(LZ4_decompress_safe) *lz4_decompress_safe;
	__typeof__(ZSTD_decompress) *zstd_decompress;
	__typeof__(ZSTD_isError) *zstd_is_error;
	__typeof__(lzma_stream_decoder) *lzma_stream_decoder;
	__typeof__(lzma_alone_decoder) *lzma_alone_decoder;
	__typeof__(lzma_code) *lzma_code;
	__typeof__(lzma_end) *lzma_end;
	bool lz4, zstd, lzma;
};

static struct bz_decoders bz_dec;
static pthread_once_t bz_dec_once = PTHREAD_ONCE_INIT;

static void *bz_sym(void *lib, const char *name, bool *ok)
{
	void *p = lib ? dlsym(lib, name) : NULL;

	if (!p)
		*ok = false;
	return p;
}

/* Libraries that load stay loaded: lkvm loads one kernel. */
static void bz_load_decoders(void)
{
	struct bz_decoders *d = &bz_dec;
	void *lz4 = dlopen("liblz4.so.1", RTLD_NOW | RTLD_LOCAL);
	void *zstd = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);
	void *lzma = dlopen("liblzma.so.5", RTLD_NOW | RTLD_LOCAL);

	d->lz4 = d->zstd = d->lzma = true;
	*(void **)&d->lz4_decompress_safe = bz_sym(lz4, "LZ4_decompress_safe",
						   &d->lz4);
	*(void **)&d->zstd_decompress = bz_sym(zstd, "ZSTD_decompress",
					       &d->zstd);
	*(void **)&d->zstd_is_error = bz_sym(zstd, "ZSTD_isError", &d->zstd);
	*(void **)&d->lzma_stream_decoder = bz_sym(lzma, "lzma_stream_decoder",
						   &d->lzma);
	*(void **)&d->lzma_alone_decoder = bz_sym(lzma, "lzma_alone_decoder",
						  &d->lzma);
	*(void **)&d->lzma_code = bz_sym(lzma, "lzma_code", &d->lzma);
	*(void **)&d->lzma_end = bz_sym(lzma, "lzma_end", &d->lzma);
}

void bz_payload_preload(void)
{
	pthread_once(&bz_dec_once, bz_load_decoders);
}

/* The library for fmt, or its name when it cannot be opened. */
static const char *bz_decoder_missing(enum bz_payload_format fmt)
{
	pthread_once(&bz_dec_once, bz_load_decoders);
	switch (fmt) {
	case BZ_PAYLOAD_LZ4:
		return bz_dec.lz4 ? NULL : "cannot open liblz4.so.1 (Debian's liblz4-1)";
	case BZ_PAYLOAD_ZSTD:
		return bz_dec.zstd ? NULL : "cannot open libzstd.so.1 (Debian's libzstd1)";
	case BZ_PAYLOAD_XZ:
	case BZ_PAYLOAD_LZMA:
		return bz_dec.lzma ? NULL : "cannot open liblzma.so.5 (Debian's liblzma5)";
	default:
		return NULL;
	}
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
		    csize > LZ4_COMPRESSBOUND(LZ4_LEGACY_BLOCK))
			return -EINVAL;
		n = bz_dec.lz4_decompress_safe((const char *)p + off,
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
	size_t n = bz_dec.zstd_decompress(out, want, p, len);

	return !bz_dec.zstd_is_error(n) && n == want ? 0 : -EINVAL;
}

/* xz (one stream, padding allowed) and lzma ("alone") through liblzma. */
static int inflate_lzma(const u8 *p, size_t len, u8 *out, size_t want,
			bool xz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret ret;

	ret = xz ? bz_dec.lzma_stream_decoder(&s, LZMA_MEMLIMIT,
					      LZMA_CONCATENATED) :
		   bz_dec.lzma_alone_decoder(&s, LZMA_MEMLIMIT);
	if (ret != LZMA_OK)
		return -ENOMEM;
	s.next_in = p;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = want;
	ret = bz_dec.lzma_code(&s, LZMA_FINISH);
	bz_dec.lzma_end(&s);
	return ret == LZMA_STREAM_END && s.total_out == want && !s.avail_in ?
	       0 : -EINVAL;
}

int bz_payload_decompress(const u8 *p, size_t len, size_t max, u8 **out,
			  size_t *out_len, const char **why)
{
	enum bz_payload_format fmt = bz_payload_detect(p, len);
	const char *missing;
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
	missing = bz_decoder_missing(fmt);
	if (missing) {
		*why = missing;
		return -EOPNOTSUPP;
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
