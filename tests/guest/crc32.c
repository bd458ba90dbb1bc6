// SPDX-License-Identifier: GPL-2.0
/* CRC-32 (IEEE 802.3, reflected, poly 0xedb88320), byte-wise with a table. */
#include "guest.h"

static u32 table[256];
static bool table_ready;

static void crc32_init(void)
{
	unsigned int i, k;

	for (i = 0; i < 256; i++) {
		u32 c = i;

		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
		table[i] = c;
	}
	table_ready = true;
}

u32 crc32(u32 crc, const void *buf, size_t len)
{
	const u8 *p = buf;

	if (!table_ready)
		crc32_init();
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
