// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the emulation assist's decoder (emul_assist_decode(),
 * vmm/x86_64/emul-assist.c), which reads the bytes at a guest's RIP after
 * an emulation failure. Every prefix (0 to 4 bytes, and the whole input)
 * is decoded from a buffer of exactly its length.
 *
 * Invariants (a report and abort() when broken), against a reference
 * decoder written here from the instructions' encodings: int3 (cc) is
 * #BP after 1 byte; int n (cd n) is exception n below 32, else a soft
 * interrupt n, after 2 bytes; fwait (9b) and fninit (db e3) are skipped;
 * anything else, and any of these cut short, is not assisted (kind NONE,
 * vector and length 0). Beyond that: the length never passes the bytes
 * given, no byte past them is read (ASan: the buffer ends there), the
 * kind is a known one and every action has a name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86/emul-assist.h"

#define BROKEN(...)							\
	do {								\
		fprintf(stderr, "x86-assist: " __VA_ARGS__);		\
		fprintf(stderr, "\n");					\
		abort();						\
	} while (0)

/* The encodings the assist completes, and what each becomes. */
static const struct {
	u8 b[2];
	u8 n;			/* bytes that identify it (n = b[1] any) */
	bool imm;		/* b[1] is an immediate vector */
	enum assist_kind kind;
	u8 vector;
} ref_insns[] = {
	{ { 0xcc }, 1, false, ASSIST_EXCEPTION, 3 },
	{ { 0xcd }, 1, true, ASSIST_EXCEPTION, 0 },
	{ { 0x9b }, 1, false, ASSIST_SKIP, 0 },
	{ { 0xdb, 0xe3 }, 2, false, ASSIST_SKIP, 0 },
};

static void ref_decode(const u8 *b, size_t len, struct assist_action *a)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	a->kind = ASSIST_NONE;
	for (i = 0; i < ARRAY_SIZE(ref_insns); i++) {
		size_t need = ref_insns[i].n + ref_insns[i].imm;

		if (len < ref_insns[i].n ||
		    memcmp(b, ref_insns[i].b, ref_insns[i].n))
			continue;
		if (len < need)
			return;		/* cut short */
		a->kind = ref_insns[i].kind;
		a->vector = ref_insns[i].vector;
		a->len = (u8)need;
		if (ref_insns[i].imm) {
			a->vector = b[1];
			if (b[1] >= 32)
				a->kind = ASSIST_SOFT_INT;
		}
		return;
	}
}

static void check(const u8 *data, size_t len)
{
	struct assist_action got, want;
	u8 *insn = malloc(len ? len : 1);

	if (!insn)
		abort();
	memcpy(insn, data, len);
	memset(&got, 0x77, sizeof(got));
	emul_assist_decode(insn, len, &got);
	free(insn);
	ref_decode(data, len, &want);
	if (got.kind >= ASSIST_NR_KINDS || !got.what)
		BROKEN("kind %d, name %p", got.kind, (const void *)got.what);
	if (got.len > len)
		BROKEN("an instruction of %u bytes in %zu", got.len, len);
	if (got.kind != want.kind ||
	    (want.kind != ASSIST_NONE &&
	     (got.vector != want.vector || got.len != want.len)) ||
	    (want.kind == ASSIST_NONE && (got.vector || got.len)))
		BROKEN("%zu bytes %02x %02x: kind %d vector %u length %u, the reference %d %u %u",
		       len, len ? data[0] : 0, len > 1 ? data[1] : 0, got.kind,
		       got.vector, got.len, want.kind, want.vector, want.len);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	size_t len;

	for (len = 0; len <= 4 && len < size; len++)
		check(data, len);
	check(data, size);
	return 0;
}

#include "replay.h"
