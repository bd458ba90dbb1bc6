// SPDX-License-Identifier: GPL-2.0
/*
 * crc32sum FILE: print "size=N crc32=XXXXXXXX" for FILE, the same text the
 * test guest prints after "initrd: " for its initrd (CRC-32, IEEE).
 */
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	uint32_t table[256], crc = 0xffffffffu;
	unsigned long long size = 0;
	unsigned char buf[65536];
	unsigned int i, k;
	size_t n;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: crc32sum FILE\n");
		return 2;
	}
	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
		table[i] = c;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		size += n;
		for (i = 0; i < n; i++)
			crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
	}
	if (ferror(f)) {
		perror(argv[1]);
		fclose(f);
		return 1;
	}
	fclose(f);
	printf("size=%llu crc32=%08x\n", size, ~crc);
	return 0;
}
