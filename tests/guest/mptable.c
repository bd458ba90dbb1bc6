// SPDX-License-Identifier: GPL-2.0
/*
 * Intel MultiProcessor Specification 1.4 tables: find the "_MP_" floating
 * pointer in the EBDA's first KiB or in 0xf0000-0xfffff, then count the
 * enabled processor entries of its configuration table.
 */
#include "guest.h"

#define BDA_EBDA_SEG	0x40e

struct mpf {
	char sig[4];
	u32 config;
	u8 length;
	u8 rev;
	u8 checksum;
	u8 feature[5];
} __packed;

struct mpc {
	char sig[4];
	u16 length;
	u8 rev;
	u8 checksum;
	char oem[8];
	char product[12];
	u32 oem_table;
	u16 oem_size;
	u16 count;
	u32 lapic;
	u16 ext_length;
	u8 ext_checksum;
	u8 reserved;
} __packed;

#define MPC_PROCESSOR		0
#define MPC_LAST_TYPE		4	/* local interrupt assignment */
#define MPC_CPU_ENABLED		1
#define MPC_CPU_BSP		2

static u8 checksum(const u8 *p, size_t len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

static const struct mpf *mpf_scan(u64 start, u64 len)
{
	u64 a;

	for (a = start; a + sizeof(struct mpf) <= start + len; a += 16) {
		const struct mpf *f = (const void *)a;

		if (*(const u32 *)a == 0x5f504d5f &&	/* "_MP_" */
		    f->length == 1 && !checksum((const u8 *)f, 16))
			return f;
	}
	return NULL;
}

int mp_parse(struct mp_info *mp)
{
	const struct mpf *f = NULL;
	const struct mpc *c;
	const u8 *p, *end;
	u64 ebda;

	memset(mp, 0, sizeof(*mp));
	ebda = (u64)*(const u16 *)BDA_EBDA_SEG << 4;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		f = mpf_scan(ebda, 1024);
	if (!f)
		f = mpf_scan(0x9fc00, 1024);
	if (!f)
		f = mpf_scan(0xf0000, 0x10000);
	if (!f || !f->config || f->config >= 0xfffff000)
		return -1;
	c = (const void *)(u64)f->config;
	if (*(const u32 *)c != 0x504d4350 ||	/* "PCMP" */
	    c->length < sizeof(*c) || checksum((const u8 *)c, c->length))
		return -1;
	mp->found = true;
	mp->table_addr = (u64)f;
	p = (const u8 *)(c + 1);
	end = (const u8 *)c + c->length;
	/* Walk by length, as Linux does: some tables leave count zero. */
	while (p < end) {
		if (*p > MPC_LAST_TYPE)
			break;
		if (*p != MPC_PROCESSOR) {
			p += 8;
			continue;
		}
		if (p + 20 > end)
			break;
		if ((p[3] & MPC_CPU_ENABLED) && mp->nr_cpus < MP_MAX_CPUS) {
			if (p[3] & MPC_CPU_BSP)
				mp->bsp_apic_id = p[1];
			mp->apic_id[mp->nr_cpus++] = p[1];
		}
		p += 20;
	}
	return 0;
}
