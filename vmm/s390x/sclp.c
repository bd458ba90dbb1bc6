// SPDX-License-Identifier: GPL-2.0
/*
 * The SCLP (service-call logical processor) as far as a Linux guest needs
 * it: READ SCP INFO (memory and CPUs), and the event interface carrying
 * the console -- VT220 events in ASCII both ways, and line-mode message
 * events (EBCDIC) out. Works on a host copy of the SCCB; all fields are
 * big-endian.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "s390x/s390x.h"

#define SCCB_HDR	8
#define EVBUF_HDR	6
#define SCP_CPU_OFFSET	128
#define SCP_CPU_ENTRY	16

static u16 rd16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

static void wr16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void wr32(u8 *p, u32 v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v);
}

static void wr64(u8 *p, u64 v)
{
	wr32(p, v >> 32);
	wr32(p + 4, v);
}

/* Event type n is bit n - 1 from the left of a 32-bit mask. */
static u32 ev_mask(u8 type)
{
	return 0x80000000u >> (type - 1);
}

void sclp_init(struct sclp *s, u64 ram_size, unsigned int nr_cpus)
{
	memset(s, 0, sizeof(*s));
	s->ram_size = ram_size;
	s->nr_cpus = nr_cpus;
	pthread_mutex_init(&s->lock, NULL);
}

void sclp_reset(struct sclp *s)
{
	pthread_mutex_lock(&s->lock);
	s->receive_mask = 0;
	s->send_mask = 0;
	s->in_len = 0;
	pthread_mutex_unlock(&s->lock);
}

void sclp_destroy(struct sclp *s)
{
	pthread_mutex_destroy(&s->lock);
}

char s390_ebcdic_to_ascii(u8 c)
{
	static const char punct[][2] = {
		{ 0x40, ' ' }, { 0x4b, '.' }, { 0x4c, '<' }, { 0x4d, '(' },
		{ 0x4e, '+' }, { 0x4f, '|' }, { 0x50, '&' }, { 0x5a, '!' },
		{ 0x5b, '$' }, { 0x5c, '*' }, { 0x5d, ')' }, { 0x5e, ';' },
		{ 0x60, '-' }, { 0x61, '/' }, { 0x6b, ',' }, { 0x6c, '%' },
		{ 0x6d, '_' }, { 0x6e, '>' }, { 0x6f, '?' }, { 0x79, '`' },
		{ 0x7a, ':' }, { 0x7b, '#' }, { 0x7c, '@' }, { 0x7d, '\'' },
		{ 0x7e, '=' }, { 0x7f, '"' }, { 0xa1, '~' }, { 0xad, '[' },
		{ 0xbd, ']' }, { 0xc0, '{' }, { 0xd0, '}' }, { 0xe0, '\\' },
		{ 0x5f, '^' }, { 0x25, '\n' }, { 0x15, '\n' }, { 0x05, '\t' },
	};
	unsigned int i;

	if (c >= 0x81 && c <= 0x89)
		return 'a' + (c - 0x81);
	if (c >= 0x91 && c <= 0x99)
		return 'j' + (c - 0x91);
	if (c >= 0xa2 && c <= 0xa9)
		return 's' + (c - 0xa2);
	if (c >= 0xc1 && c <= 0xc9)
		return 'A' + (c - 0xc1);
	if (c >= 0xd1 && c <= 0xd9)
		return 'J' + (c - 0xd1);
	if (c >= 0xe2 && c <= 0xe9)
		return 'S' + (c - 0xe2);
	if (c >= 0xf0 && c <= 0xf9)
		return '0' + (c - 0xf0);
	for (i = 0; i < ARRAY_SIZE(punct); i++)
		if ((u8)punct[i][0] == c)
			return punct[i][1];
	return '.';
}

static void sclp_out(struct sclp *s, const u8 *buf, size_t len)
{
	if (s->out && len)
		s->out(s->out_opaque, buf, len);
}

static u16 sclp_read_info(struct sclp *s, u8 *sccb, u32 len)
{
	u64 incs = s->ram_size >> 20;	/* 1 MiB increments */
	unsigned int i;

	if (len < SCP_CPU_OFFSET + s->nr_cpus * SCP_CPU_ENTRY)
		return SCLP_RC_INSUFFICIENT_LENGTH;
	memset(sccb + SCCB_HDR, 0, len - SCCB_HDR);
	if (incs <= 0xffff) {
		wr16(sccb + 8, incs);		/* rnmax */
		sccb[10] = 1;			/* rnsize: 1 MiB */
	}
	wr32(sccb + 100, 1);			/* rnsize2 */
	wr64(sccb + 104, incs);			/* rnmax2 */
	wr16(sccb + 16, s->nr_cpus);		/* ncpurl */
	wr16(sccb + 18, SCP_CPU_OFFSET);	/* cpuoff */
	for (i = 0; i < s->nr_cpus; i++)
		sccb[SCP_CPU_OFFSET + i * SCP_CPU_ENTRY] = i;	/* address */
	return SCLP_RC_NORMAL_READ_COMPLETION;
}

static u32 sclp_get_mask(const u8 *p, u16 mlen)
{
	u32 m = 0;
	u16 i;

	for (i = 0; i < 4; i++)
		m = m << 8 | (i < mlen ? p[i] : 0);
	return m;
}

static void sclp_put_mask(u8 *p, u16 mlen, u32 m)
{
	u16 i;

	for (i = 0; i < mlen; i++)
		p[i] = i < 4 ? m >> (24 - 8 * i) : 0;
}

static u16 sclp_write_mask(struct sclp *s, u8 *sccb, u32 len)
{
	u16 mlen;

	if (len < 12)
		return SCLP_RC_INSUFFICIENT_LENGTH;
	mlen = rd16(sccb + 10);
	if (!mlen || mlen > 8)
		return SCLP_RC_INVALID_MASK_LENGTH;
	if (len < 12 + 4u * mlen)
		return SCLP_RC_INSUFFICIENT_LENGTH;
	pthread_mutex_lock(&s->lock);
	s->receive_mask = sclp_get_mask(sccb + 12, mlen);
	s->send_mask = sclp_get_mask(sccb + 12 + mlen, mlen);
	pthread_mutex_unlock(&s->lock);
	/* What the SCLP receives (guest sends) and sends (guest receives). */
	sclp_put_mask(sccb + 12 + 2 * mlen, mlen,
		      ev_mask(SCLP_EV_MSG) | ev_mask(SCLP_EV_VT220));
	sclp_put_mask(sccb + 12 + 3 * mlen, mlen, ev_mask(SCLP_EV_VT220));
	return SCLP_RC_NORMAL_COMPLETION;
}

/* A line-mode message: the text of each message text object (MTO). */
static void sclp_message(struct sclp *s, const u8 *ev, u16 len)
{
	u32 off = EVBUF_HDR + 12;	/* event header, MDB header */

	while (off + 4 <= len) {
		u16 olen = rd16(ev + off), type = rd16(ev + off + 2);

		if (olen < 4 || off + olen > len)
			break;
		if (type == 0x0004 && olen >= 10) {
			char line[256];
			u16 i, n = MIN((u16)(olen - 10), (u16)255);

			for (i = 0; i < n; i++)
				line[i] = s390_ebcdic_to_ascii(ev[off + 10 + i]);
			line[n] = '\n';
			sclp_out(s, (const u8 *)line, n + 1u);
		}
		off += olen;
	}
}

static u16 sclp_write_events(struct sclp *s, u8 *sccb, u32 len)
{
	u32 off = SCCB_HDR;

	if (len < SCCB_HDR + EVBUF_HDR)
		return SCLP_RC_INSUFFICIENT_LENGTH;
	while (off + EVBUF_HDR <= len) {
		u8 *ev = sccb + off;
		u16 elen = rd16(ev);

		if (elen < EVBUF_HDR || off + elen > len)
			break;
		if (ev[2] == SCLP_EV_VT220)
			sclp_out(s, ev + EVBUF_HDR, elen - EVBUF_HDR);
		else if (ev[2] == SCLP_EV_MSG)
			sclp_message(s, ev, elen);
		ev[3] |= SCLP_EV_FLAG_PROCESSED;
		off += elen;
	}
	return SCLP_RC_NORMAL_COMPLETION;
}

static u16 sclp_read_events(struct sclp *s, u8 *sccb, u32 len)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	if (!s->in_len || !(s->receive_mask & ev_mask(SCLP_EV_VT220)) ||
	    len < SCCB_HDR + EVBUF_HDR + 1) {
		pthread_mutex_unlock(&s->lock);
		return SCLP_RC_NO_EVENT_BUFFERS;
	}
	n = MIN(s->in_len, (size_t)(len - SCCB_HDR - EVBUF_HDR));
	memset(sccb + SCCB_HDR, 0, EVBUF_HDR);
	wr16(sccb + SCCB_HDR, EVBUF_HDR + n);
	sccb[SCCB_HDR + 2] = SCLP_EV_VT220;
	memcpy(sccb + SCCB_HDR + EVBUF_HDR, s->in, n);
	memmove(s->in, s->in + n, s->in_len - n);
	s->in_len -= n;
	pthread_mutex_unlock(&s->lock);
	return SCLP_RC_NORMAL_COMPLETION;
}

int sclp_service_call(struct sclp *s, u32 command, u8 *sccb, u32 len)
{
	u16 rc;

	if (len < SCCB_HDR || len > SCLP_SCCB_MAX)
		return -EINVAL;
	switch (command) {
	case SCLP_CMD_READ_SCP_INFO:
	case SCLP_CMD_READ_SCP_INFO_FORCED:
		rc = sclp_read_info(s, sccb, len);
		break;
	case SCLP_CMD_WRITE_EVENT_MASK:
		rc = sclp_write_mask(s, sccb, len);
		break;
	case SCLP_CMD_WRITE_EVENT_DATA:
		rc = sclp_write_events(s, sccb, len);
		break;
	case SCLP_CMD_READ_EVENT_DATA:
		rc = sclp_read_events(s, sccb, len);
		break;
	default:
		pr_debug("sclp: unknown command 0x%08x", command);
		rc = SCLP_RC_INVALID_COMMAND;
		break;
	}
	wr16(sccb + 6, rc);
	return (int)len;
}

int sclp_servc(struct sclp *s, const struct guest_mem *mem, u32 command,
	       u64 real, u64 prefix)
{
	u8 sccb[SCLP_SCCB_MAX];
	u64 abs;
	u16 len;
	int n;

	if ((real & 7) || real >= 0x80000000ULL)
		return CSS_PGM_SPECIFICATION;
	abs = s390_real_to_abs(real, prefix);
	if (guest_mem_read(mem, abs, sccb, SCCB_HDR))
		return CSS_PGM_ADDRESSING;
	len = rd16(sccb);
	if (len < SCCB_HDR || (abs & 0xfff) + len > SCLP_SCCB_MAX) {
		/* Too short, or crossing its page: say so in the header. */
		wr16(sccb + 6, len < SCCB_HDR ? SCLP_RC_INSUFFICIENT_LENGTH :
			       SCLP_RC_SCCB_BOUNDARY_VIOLATION);
		if (guest_mem_store(mem, abs + 6, sccb + 6, 2))
			return CSS_PGM_ADDRESSING;
		return 0;
	}
	if (guest_mem_read(mem, abs, sccb, len))
		return CSS_PGM_ADDRESSING;
	n = sclp_service_call(s, command, sccb, len);
	if (n > 0 && guest_mem_store(mem, abs, sccb, n))
		return CSS_PGM_ADDRESSING;
	return 0;
}

size_t sclp_receive(struct sclp *s, const u8 *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = MIN(len, sizeof(s->in) - s->in_len);
	memcpy(s->in + s->in_len, buf, n);
	s->in_len += n;
	pthread_mutex_unlock(&s->lock);
	return n;
}

bool sclp_event_pending(struct sclp *s)
{
	bool p;

	pthread_mutex_lock(&s->lock);
	p = s->in_len && (s->receive_mask & ev_mask(SCLP_EV_VT220));
	pthread_mutex_unlock(&s->lock);
	return p;
}
