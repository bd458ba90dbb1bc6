/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compressed kernel inside a bzImage: the setup header's
 * payload_offset and payload_length (boot protocol 2.08+) point at the
 * vmlinux ELF (plus, with KASLR, its relocation table) as Linux's build
 * compressed it, followed by its uncompressed length as a little-endian
 * 32-bit number (gzip's own trailer says the same). lkvm decompresses it
 * on the host, so the guest's decompressor, which runs emulated on some
 * hosts, never runs.
 *
 * Decoders: gzip (zlib), LZ4 legacy frames (liblz4), zstd (libzstd), xz and
 * lzma (liblzma). bzip2 and LZO are recognised and named, not decoded.
 */
#ifndef LKVM_X86_BZIMAGE_PAYLOAD_H
#define LKVM_X86_BZIMAGE_PAYLOAD_H

#include <stddef.h>

#include "types.h"

enum bz_payload_format {
	BZ_PAYLOAD_UNKNOWN,
	BZ_PAYLOAD_GZIP,
	BZ_PAYLOAD_BZIP2,
	BZ_PAYLOAD_LZMA,
	BZ_PAYLOAD_XZ,
	BZ_PAYLOAD_LZO,
	BZ_PAYLOAD_LZ4,
	BZ_PAYLOAD_ZSTD,
};

/* The format by its magic bytes; UNKNOWN when none matches. */
enum bz_payload_format bz_payload_detect(const u8 *p, size_t len);
/* dlopen() the decompressors now (a jail has no libraries later). */
void bz_payload_preload(void);
const char *bz_payload_format_name(enum bz_payload_format fmt);

/*
 * Decompress the payload p[0 .. len) into a new buffer (*out, freed by the
 * caller) of exactly the length its trailer states, which must be at most
 * max. Returns 0; -EOPNOTSUPP for a format lkvm does not decode, -E2BIG
 * when the stated length exceeds max, -EINVAL for a corrupt or truncated
 * payload or one whose data does not match its stated length, -ENOMEM;
 * *why says which in words.
 */
int bz_payload_decompress(const u8 *p, size_t len, size_t max, u8 **out,
			  size_t *out_len, const char **why);

#endif
