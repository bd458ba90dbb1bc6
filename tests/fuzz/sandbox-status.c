// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the status-line parser lkvm sandbox runs on what the
 * guest writes to hvc2 (guest_status_feed(), vmm/sandbox-status.c; the
 * port hands it each transmit descriptor's bytes as they come).
 *
 * Invariants (a report and abort() when broken), against a reference
 * parse written here from the contract alone: a line is the bytes before
 * a '\n'; "status=" and 1-3 decimal digits worth 0-255 is a status, the
 * line "stdin=ready" the stdin handshake, any other line nothing.
 *  - every feed returns the value of the last status line completed in
 *    it, or -1: garbage never yields a status, and a status is 0-255;
 *  - stdin_ready is set exactly once a "stdin=ready" line completed;
 *  - cutting the stream anywhere changes nothing: fed whole, byte by
 *    byte, in chunks of pseudo-random sizes (empty ones too), and split
 *    in two at every offset (streams up to 512 bytes), the results agree
 *    with the reference for each feed, and the last status kept (what
 *    the port stores) is the stream's last status line;
 *  - memory stays bounded: the parser keeps at most GUEST_STATUS_LINE_MAX
 *    bytes of a line, however long.
 *
 * Input: byte 0 seeds the chunk sizes, byte 1 bounds them (1-256); the
 * rest is the stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-job.h"
#include "log.h"
#include "sandbox-status.h"

#define BROKEN(...)							\
	do {								\
		fprintf(stderr, "sandbox-status: " __VA_ARGS__);	\
		fprintf(stderr, "\n");					\
		abort();						\
	} while (0)

#define SPLIT_ALL_MAX	512

/* The stream's lines as the reference reads them. */
struct ref {
	const u8 *s;
	size_t n;
	int *status;		/* per byte: the status a '\n' there ends */
	bool *ready;		/* per byte: a stdin=ready line ended by here */
};

/* A state machine over one line, sharing nothing with the parser. */
static int ref_line(const u8 *l, size_t len)
{
	static const char word[] = { 's', 't', 'a', 't', 'u', 's', '=' };
	unsigned int digits = 0, v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i < sizeof(word)) {
			if (l[i] != (u8)word[i])
				return -1;
			continue;
		}
		if (!strchr("0123456789", l[i]) || !l[i] || ++digits > 3)
			return -1;
		v = v * 10 + (unsigned int)(l[i] - '0');
	}
	return digits && v < 256 ? (int)v : -1;
}

static void ref_parse(struct ref *r)
{
	static const char ready[] = GUEST_JOB_STDIN_READY;
	size_t i, start = 0;
	bool seen = false;

	for (i = 0; i < r->n; i++) {
		r->status[i] = -1;
		if (r->s[i] == '\n') {
			r->status[i] = ref_line(r->s + start, i - start);
			if (i - start == strlen(ready) &&
			    !strncmp((const char *)r->s + start, ready,
				     strlen(ready)))
				seen = true;
			start = i + 1;
		}
		r->ready[i] = seen;
	}
}

/* What a feed of [a, b) must return: its last status line's value. */
static int ref_feed(const struct ref *r, size_t a, size_t b)
{
	int v = -1;

	for (; a < b; a++)
		if (r->status[a] >= 0)
			v = r->status[a];
	return v;
}

/* Feed [a, b) and compare with the reference; returns the result. */
static int feed(struct guest_status_parser *p, const struct ref *r,
		size_t a, size_t b, const char *how)
{
	int got = guest_status_feed(p, r->s + a, b - a);
	int want = ref_feed(r, a, b);
	bool ready = b ? r->ready[b - 1] : false;

	if (got != want)
		BROKEN("%s: bytes %zu-%zu gave %d, the reference %d", how, a,
		       b, got, want);
	if (p->stdin_ready != ready)
		BROKEN("%s: after byte %zu stdin_ready %d, the reference %d",
		       how, b, p->stdin_ready, ready);
	if (p->len > sizeof(p->line))
		BROKEN("%s: %zu bytes of a line kept, at most %zu", how, p->len,
		       sizeof(p->line));
	return got;
}

/* The port keeps the last status any feed returned. */
static void keep(int *kept, int v)
{
	if (v >= 0)
		*kept = v;
}

static void check_kept(const struct ref *r, int kept, const char *how)
{
	int want = ref_feed(r, 0, r->n);

	if (kept != want)
		BROKEN("%s: status %d kept, the stream's last is %d", how,
		       kept, want);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct guest_status_parser p;
	struct ref r;
	u32 rnd;
	size_t i, k, max;
	int kept;

	if (size < 2)
		return 0;
	log_set_level(LOG_ERROR);
	rnd = data[0] * 2654435761u + 1;
	max = (size_t)data[1] + 1;
	r.s = data + 2;
	r.n = size - 2;
	r.status = malloc((r.n + 1) * sizeof(*r.status));
	r.ready = malloc((r.n + 1) * sizeof(*r.ready));
	if (!r.status || !r.ready)
		abort();
	ref_parse(&r);

	memset(&p, 0, sizeof(p));
	kept = -1;
	keep(&kept, feed(&p, &r, 0, r.n, "whole"));
	check_kept(&r, kept, "whole");

	memset(&p, 0, sizeof(p));
	kept = -1;
	for (i = 0; i < r.n; i++)
		keep(&kept, feed(&p, &r, i, i + 1, "byte by byte"));
	check_kept(&r, kept, "byte by byte");

	memset(&p, 0, sizeof(p));
	kept = -1;
	for (i = 0; i < r.n; i += k) {
		rnd = rnd * 1103515245u + 12345u;
		k = MIN((size_t)(rnd >> 16) % (max + 1), r.n - i);
		keep(&kept, feed(&p, &r, i, i + k, "chunks"));
	}
	check_kept(&r, kept, "chunks");

	for (k = 1; r.n <= SPLIT_ALL_MAX && k < r.n; k++) {
		memset(&p, 0, sizeof(p));
		kept = -1;
		keep(&kept, feed(&p, &r, 0, k, "split"));
		keep(&kept, feed(&p, &r, k, r.n, "split"));
		check_kept(&r, kept, "split");
	}
	free(r.status);
	free(r.ready);
	return 0;
}

#define FUZZ_REPLAY_MAX (1 << 16)
#include "replay.h"
