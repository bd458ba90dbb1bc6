// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the s390 SCLP (vmm/s390x/sclp.c): a hostile guest's
 * SERVICE CALLs -- any command word, an SCCB of any bytes and length at
 * any real address, with any prefix -- interleaved with console input and
 * machine resets; and the same SCCBs handed to sclp_service_call() in a
 * heap buffer of exactly their length (so that ASan sees one byte past).
 *
 * Input:
 *   u8 cpus    the SCLP reports 1 + cpus % 64 CPUs
 *   le32 ram   it reports ram * 4 KiB of memory
 *   le16 n, n bytes of guest memory (RAM: 23 KiB at 0, nothing above),
 *   then 8-byte operations: u8 kind, u8 a, le16 b, le32 c
 *   kind % 8: 0 SERVC: SCCB real address b (a & 0x80: c, unchecked),
 *               command a % 8 (0-4 the five known, 5 c, 6-7 unknown);
 *             1 poke c (big-endian) at b;
 *             2 poke the halfword c at b (an SCCB length, a mask length);
 *             3 console input: a % 64 bytes, a pattern from c;
 *             4 machine reset (sclp_reset);
 *             5 the prefix: (a % 8) * 8 KiB;
 *             6 sclp_service_call(command a % 8 as in 0) on b % 4200
 *               bytes copied from guest memory at c % 23 KiB;
 *             7 a direct service call like 6 on a length from the SCCB.
 *
 * Invariants (abort = finding), against a model of the event state (the
 * two masks, the console input queue) and of every command:
 * - SERVC: a misaligned or >= 2 GiB address is a specification exception,
 *   an SCCB not in RAM an addressing one, and neither changes memory;
 *   otherwise cc 0 and only the SCCB (the prefix swapping the first 8K)
 *   changes: its response code alone when its length is under 8 or it
 *   crosses a page;
 * - a service call returns -EINVAL for a length outside 8-4096, else that
 *   length; the SCCB header keeps its length, the response code is one
 *   the SCLP defines, and each command changes only what it answers:
 *   READ SCP INFO memory (rnmax/rnsize and rnmax2/rnsize2) and CPUs as
 *   configured, the rest zero, or nothing when the SCCB is too short for
 *   the CPU list; WRITE EVENT MASK the masks the SCCB gives, the SCLP's
 *   own masks (VT220 and message events in, VT220 out) and nothing else;
 *   WRITE EVENT DATA the processed flag of each event buffer, with the
 *   console output exactly the VT220 text and each message's text objects
 *   (EBCDIC to ASCII, a newline each); READ EVENT DATA one VT220 event of
 *   the oldest console input not yet read, in order, only when the guest
 *   enabled VT220 receive; an unknown command nothing beside its code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "s390x/s390x.h"
#include "unaligned.h"

#define RAM_SIZE	0x5c00ULL	/* ends inside a page */
#define MAX_OPS		256
#define OUT_MAX		(1 << 20)
#define DIRECT_MAX	4200

struct fz {
	struct guest_mem mem;
	u8 *ram;
	u8 before[RAM_SIZE];
	struct sclp sclp;
	u64 prefix;
	/* The model. */
	u32 receive_mask;
	u8 queue[SCLP_IN_BUF];
	size_t queued;
	/* Console output. */
	u8 *out;
	size_t out_len;
	u8 *want;
	size_t want_len;
};

static struct fz F;

static const u32 commands[] = {
	SCLP_CMD_READ_SCP_INFO, SCLP_CMD_READ_SCP_INFO_FORCED,
	SCLP_CMD_WRITE_EVENT_MASK, SCLP_CMD_WRITE_EVENT_DATA,
	SCLP_CMD_READ_EVENT_DATA,
};

static void fz_out(void *opaque, const u8 *buf, size_t len)
{
	if (F.out_len + len > OUT_MAX)
		abort();
	memcpy(F.out + F.out_len, buf, len);
	F.out_len += len;
}

static void want(const void *buf, size_t len)
{
	if (F.want_len + len > OUT_MAX)
		abort();
	memcpy(F.want + F.want_len, buf, len);
	F.want_len += len;
}

static u32 pick_command(u8 a, u32 c)
{
	a %= 8;
	if (a < ARRAY_SIZE(commands))
		return commands[a];
	if (a == 5)
		return c;
	return a == 6 ? 0x00010001 : 0xffffffff;
}

/* Event type t's bit in a mask of bytes, numbered from 1 at the left. */
static bool mask_has(const u8 *m, u16 mlen, u8 t)
{
	return (t - 1) / 8 < mlen && (m[(t - 1) / 8] & (0x80 >> ((t - 1) % 8)));
}

/* A guest's mask as the SCLP keeps it: event types 1-32. */
static u32 mask_bits(const u8 *m, u16 mlen)
{
	u32 bits = 0;
	u8 t;

	for (t = 1; t <= 32; t++)
		if (mask_has(m, mlen, t))
			bits |= 0x80000000u >> (t - 1);
	return bits;
}

/* Bytes [from, to) of the two copies are the same. */
static void same(const u8 *a, const u8 *b, u32 from, u32 to)
{
	if (from < to && memcmp(a + from, b + from, to - from))
		abort();
}

static void check_read_info(const u8 *old, const u8 *sccb, u32 len, u16 rc)
{
	u64 incs = F.sclp.ram_size >> 20;
	unsigned int n = F.sclp.nr_cpus, i;
	u32 off;

	if (len < 128 + 16 * n) {
		if (rc != SCLP_RC_INSUFFICIENT_LENGTH)
			abort();
		same(old, sccb, 8, len);
		return;
	}
	if (rc != SCLP_RC_NORMAL_READ_COMPLETION ||
	    get_be16(sccb + 8) != (incs <= 0xffff ? incs : 0) ||
	    sccb[10] != (incs <= 0xffff) || get_be16(sccb + 16) != n ||
	    get_be16(sccb + 18) != 128 || get_be32(sccb + 100) != 1 ||
	    get_be64(sccb + 104) != incs)
		abort();
	for (i = 0; i < n; i++)
		if (sccb[128 + 16 * i] != i)
			abort();
	/* Everything else is zero. */
	for (off = 8; off < len; off++) {
		if ((off >= 8 && off < 11) || (off >= 16 && off < 20) ||
		    (off >= 100 && off < 112) ||
		    (off >= 128 && off < 128 + 16 * n && off % 16 == 0))
			continue;
		if (sccb[off])
			abort();
	}
}

static void check_write_mask(const u8 *old, const u8 *sccb, u32 len, u16 rc)
{
	u16 mlen = len >= 12 ? get_be16(old + 10) : 0;
	const u8 *mine;
	u8 t;

	if (len < 12 || ((mlen && mlen <= 8) && len < 12 + 4u * mlen)) {
		if (rc != SCLP_RC_INSUFFICIENT_LENGTH)
			abort();
		same(old, sccb, 8, len);
		return;
	}
	if (!mlen || mlen > 8) {
		if (rc != SCLP_RC_INVALID_MASK_LENGTH)
			abort();
		same(old, sccb, 8, len);
		return;
	}
	if (rc != SCLP_RC_NORMAL_COMPLETION)
		abort();
	F.receive_mask = mask_bits(old + 12, mlen);
	if (F.sclp.receive_mask != F.receive_mask ||
	    F.sclp.send_mask != mask_bits(old + 12 + mlen, mlen))
		abort();
	same(old, sccb, 8, 12 + 2 * mlen);
	/* The SCLP's: what it receives, then what it sends. */
	mine = sccb + 12 + 2 * mlen;
	for (t = 1; t <= 8 * mlen && t; t++) {
		if (mask_has(mine, mlen, t) !=
		    (t == SCLP_EV_MSG || t == SCLP_EV_VT220))
			abort();
		if (mask_has(mine + mlen, mlen, t) != (t == SCLP_EV_VT220))
			abort();
	}
	same(old, sccb, 12 + 4 * mlen, len);
}

/* A line-mode message event: each text object's text, then a newline. */
static void want_message(const u8 *ev, u16 elen)
{
	u32 off = 6 + 12;

	while (off + 4 <= elen) {
		u16 olen = get_be16(ev + off);
		char line[256];
		u16 i, n;

		if (olen < 4 || off + olen > elen)
			return;
		if (get_be16(ev + off + 2) == 4 && olen >= 10) {
			n = MIN(olen - 10, 255);
			for (i = 0; i < n; i++)
				line[i] = s390_ebcdic_to_ascii(ev[off + 10 + i]);
			line[n] = '\n';
			want(line, n + 1u);
		}
		off += olen;
	}
}

static void check_write_events(const u8 *old, const u8 *sccb, u32 len,
			       u16 rc)
{
	u32 off = 8, flags_at[SCLP_SCCB_MAX / 6 + 1], nr = 0, i;

	if (len < 14) {
		if (rc != SCLP_RC_INSUFFICIENT_LENGTH)
			abort();
		same(old, sccb, 8, len);
		return;
	}
	if (rc != SCLP_RC_NORMAL_COMPLETION)
		abort();
	while (off + 6 <= len) {
		u16 elen = get_be16(old + off);

		if (elen < 6 || off + elen > len)
			break;
		if (old[off + 2] == SCLP_EV_VT220)
			want(old + off + 6, elen - 6);
		else if (old[off + 2] == SCLP_EV_MSG)
			want_message(old + off, elen);
		flags_at[nr++] = off + 3;
		off += elen;
	}
	for (i = 0, off = 8; i < nr; i++) {
		same(old, sccb, off, flags_at[i]);
		if (sccb[flags_at[i]] != (old[flags_at[i]] | 0x80))
			abort();
		off = flags_at[i] + 1;
	}
	same(old, sccb, off, len);
}

static void check_read_events(const u8 *old, const u8 *sccb, u32 len, u16 rc)
{
	u32 n;

	if (!F.queued || !(F.receive_mask & (0x80000000u >> 25)) ||
	    len < 15) {
		if (rc != SCLP_RC_NO_EVENT_BUFFERS)
			abort();
		same(old, sccb, 8, len);
		return;
	}
	n = MIN(F.queued, len - 14);
	if (rc != SCLP_RC_NORMAL_COMPLETION || get_be16(sccb + 8) != 6 + n ||
	    sccb[10] != SCLP_EV_VT220 || sccb[11] || get_be16(sccb + 12) ||
	    memcmp(sccb + 14, F.queue, n))
		abort();
	same(old, sccb, 14 + n, len);
	memmove(F.queue, F.queue + n, F.queued - n);
	F.queued -= n;
}

/* One service call's effect on its SCCB (len bytes, old its copy before). */
static void check_call(u32 command, const u8 *old, const u8 *sccb, u32 len)
{
	u16 rc = get_be16(sccb + 6);

	same(old, sccb, 0, 6);
	switch (command) {
	case SCLP_CMD_READ_SCP_INFO:
	case SCLP_CMD_READ_SCP_INFO_FORCED:
		check_read_info(old, sccb, len, rc);
		break;
	case SCLP_CMD_WRITE_EVENT_MASK:
		check_write_mask(old, sccb, len, rc);
		break;
	case SCLP_CMD_WRITE_EVENT_DATA:
		check_write_events(old, sccb, len, rc);
		break;
	case SCLP_CMD_READ_EVENT_DATA:
		check_read_events(old, sccb, len, rc);
		break;
	default:
		if (rc != SCLP_RC_INVALID_COMMAND)
			abort();
		same(old, sccb, 8, len);
		break;
	}
	if (F.out_len != F.want_len || memcmp(F.out, F.want, F.out_len))
		abort();
	if (sclp_event_pending(&F.sclp) !=
	    (F.queued && (F.receive_mask & (0x80000000u >> 25))))
		abort();
}

static u64 real_to_abs(u64 real)
{
	if (real < 0x2000)
		return real + F.prefix;
	if (real >= F.prefix && real < F.prefix + 0x2000)
		return real - F.prefix;
	return real;
}

static void do_servc(u64 real, u32 command)
{
	u64 abs = real_to_abs(real);
	u16 len = 0;
	int pgm;

	memcpy(F.before, F.ram, RAM_SIZE);
	pgm = sclp_servc(&F.sclp, &F.mem, command, real, F.prefix);
	if ((real & 7) || real >= 0x80000000ULL) {
		if (pgm != CSS_PGM_SPECIFICATION)
			abort();
		same(F.before, F.ram, 0, RAM_SIZE);
		return;
	}
	if (abs + 8 <= RAM_SIZE)
		len = get_be16(F.before + abs);
	if (abs + 8 > RAM_SIZE ||
	    (len >= 8 && (abs & 0xfff) + len <= 4096 && abs + len > RAM_SIZE)) {
		if (pgm != CSS_PGM_ADDRESSING)
			abort();
		same(F.before, F.ram, 0, RAM_SIZE);
		return;
	}
	if (pgm)
		abort();
	same(F.before, F.ram, 0, abs);
	if (len < 8 || (abs & 0xfff) + len > 4096) {
		same(F.before, F.ram, abs, abs + 6);
		if (get_be16(F.ram + abs + 6) != (len < 8 ? 0x0300 : 0x0100))
			abort();
		same(F.before, F.ram, abs + 8, RAM_SIZE);
		return;
	}
	check_call(command, F.before + abs, F.ram + abs, len);
	same(F.before, F.ram, abs + len, RAM_SIZE);
}

/* A service call on a heap SCCB of exactly len bytes. */
static void do_direct(u32 command, u32 len, u32 from)
{
	u8 *sccb = malloc(len ? len : 1), *old = malloc(len ? len : 1);
	u32 i;
	int r;

	if (!sccb || !old)
		abort();
	for (i = 0; i < len; i++)
		sccb[i] = F.ram[(from + i) % RAM_SIZE];
	memcpy(old, sccb, len);
	r = sclp_service_call(&F.sclp, command, sccb, len);
	if (len < 8 || len > SCLP_SCCB_MAX) {
		if (r != -EINVAL || (len && memcmp(old, sccb, len)))
			abort();
	} else {
		if (r != (int)len)
			abort();
		check_call(command, old, sccb, len);
	}
	free(sccb);
	free(old);
}

static void do_input(u8 n, u32 c)
{
	u8 buf[64];
	size_t took, i;

	for (i = 0; i < n; i++)
		buf[i] = (u8)(c + i * 31);
	took = sclp_receive(&F.sclp, buf, n);
	if (took != MIN((size_t)n, sizeof(F.queue) - F.queued))
		abort();
	memcpy(F.queue + F.queued, buf, took);
	F.queued += took;
}

static void run_op(const u8 *op)
{
	u8 kind = op[0] % 8, a = op[1];
	u16 b = get_le16(op + 2);
	u32 c = get_le32(op + 4);

	switch (kind) {
	case 0:
		do_servc(a & 0x80 ? c : b, pick_command(a, c));
		break;
	case 1:
		put_be32(F.ram + b % (RAM_SIZE - 3), c);
		break;
	case 2:
		put_be16(F.ram + b % (RAM_SIZE - 1), c);
		break;
	case 3:
		do_input(a % 64, c);
		break;
	case 4:
		sclp_reset(&F.sclp);
		F.receive_mask = 0;
		F.queued = 0;
		if (sclp_event_pending(&F.sclp))
			abort();
		break;
	case 5:
		F.prefix = (u64)(a % 8) * 0x2000;
		break;
	case 6:
		do_direct(pick_command(a, c), b % DIRECT_MAX, c % RAM_SIZE);
		break;
	case 7:
		c %= RAM_SIZE - 1;
		do_direct(pick_command(a, b), get_be16(F.ram + c), c);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	unsigned int ops = 0;
	size_t n;

	if (size < 7)
		return 0;
	log_set_level(LOG_ERROR);
	if (!F.ram) {
		F.ram = malloc(RAM_SIZE);
		F.out = malloc(OUT_MAX);
		F.want = malloc(OUT_MAX);
		if (!F.ram || !F.out || !F.want ||
		    guest_mem_add(&F.mem, 0, RAM_SIZE, F.ram, false))
			abort();
	}
	memset(F.ram, 0, RAM_SIZE);
	sclp_init(&F.sclp, (u64)get_le32(data + 1) << 12, 1 + data[0] % 64);
	F.sclp.out = fz_out;
	F.prefix = 0;
	F.receive_mask = 0;
	F.queued = 0;
	F.out_len = 0;
	F.want_len = 0;

	n = MIN((size_t)get_le16(data + 5), size - 7);
	memcpy(F.ram, data + 7, MIN(n, (size_t)RAM_SIZE));
	data += 7 + n;
	size -= 7 + n;
	while (size >= 8 && ops++ < MAX_OPS) {
		run_op(data);
		data += 8;
		size -= 8;
	}
	sclp_destroy(&F.sclp);
	return 0;
}

#define FUZZ_REPLAY_AFTER(path)						\
	printf("%s: %zu bytes of console output, %zu input unread\n", path,	\
	       F.out_len, F.queued)
#include "replay.h"
