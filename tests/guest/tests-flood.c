// SPDX-License-Identifier: GPL-2.0
/*
 * Console floods for the I/O-thread tests (tests/integration/
 * console-flood.sh): a guest that writes as fast as its console lets it.
 *
 *   test=flood:serial[:N]   N bytes to COM1 as a driver does it: wait for
 *                           LSR.THRE, then up to 16 bytes (the FIFO)
 *   test=flood:virtio[:N]   N bytes through virtio-console's transmitq,
 *                           4 KiB buffers, each waited for (polled) without
 *                           a time limit
 *
 * N = 0 or absent: for ever. The stream repeats a 4 KiB block of 64
 * lines, line k (0..63) being "%08u " k, then 'a' + (k + i) % 26 for i in
 * 9..62, then "\n"; it is cut at N bytes and framed by a line
 * "flood: start MODE N" and a line "flood: done" (both on COM1, after and
 * before the stream, so they frame it on the shared stdout).
 */
#include "virtio.h"

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20
#define FLOOD_LINE	64
#define FLOOD_BUF	4096
#define ID_CONSOLE	3

/*
 * The stream's 4 KiB block, computed once: CPL0 code runs emulated on
 * some hosts (about 2M instructions/s), so the loops below only move it.
 */
static void flood_block(char *buf)
{
	unsigned int k, i;

	for (k = 0; k < FLOOD_BUF / FLOOD_LINE; k++) {
		char *l = buf + k * FLOOD_LINE;

		snprintf(l, 10, "%08u ", k);
		for (i = 9; i < FLOOD_LINE - 1; i++)
			l[i] = (char)('a' + (k + i) % 26);
		l[FLOOD_LINE - 1] = '\n';
	}
}

/* Bytes of the stream to send from `pos`, at most `max`, in one block. */
static u32 flood_chunk(u64 pos, u64 total, u32 max)
{
	u32 n = FLOOD_BUF - (u32)(pos % FLOOD_BUF);

	if (n > max)
		n = max;
	if (total && n > total - pos)
		n = (u32)(total - pos);
	return n;
}

static void flood_serial(const char *block, u64 total)
{
	const char *p;
	u64 pos = 0;
	u32 n, i;

	while (!total || pos < total) {
		while (!(inb(COM1_LSR) & LSR_THRE))
			cpu_relax();
		/*
		 * The FIFO's 16 bytes in one instruction. KVM's emulator
		 * still exits once a byte (only INS reads ahead), so a
		 * flood of N bytes is about N exits to lkvm.
		 */
		n = flood_chunk(pos, total, 16);
		p = block + pos % FLOOD_BUF;
		i = n;
		asm volatile("rep outsb"
			     : "+S"(p), "+c"(i)
			     : "d"((u16)COM1)
			     : "memory");
		pos += n;
	}
}

static int flood_virtio(char *block, u64 total)
{
	struct vio_dev d;
	u64 offered, pos = 0;
	u32 n;

	if (vio_init(&d, ID_CONSOLE, VIO_POLL, 0, &offered) ||
	    vio_start(&d, 2))
		return EXIT_FAIL;
	while (!total || pos < total) {
		n = flood_chunk(pos, total, FLOOD_BUF);
		vio_post(&d, 1, block + pos % FLOOD_BUF, n, false);
		/* However long the reader takes: no time limit. */
		while (!vio_has_used(&d, 1))
			cpu_relax();
		vio_wait_used(&d, 1, NULL);
		pos += n;
	}
	vio_reset(&d);
	return EXIT_OK;
}

static int test_flood(const struct boot_info *bi, const char *arg)
{
	const char *rest = "";
	char *block;
	u64 total = 0;
	bool serial;
	int ret = EXIT_OK;

	if (!strncmp(arg, "serial", 6)) {
		serial = true;
		rest = arg + 6;
	} else if (!strncmp(arg, "virtio", 6)) {
		serial = false;
		rest = arg + 6;
	} else {
		printf("flood: want serial or virtio\n");
		return EXIT_USAGE;
	}
	if (*rest == ':')
		total = strtou64(rest + 1, &rest);
	if (*rest) {
		printf("flood: bad count\n");
		return EXIT_USAGE;
	}
	block = page_alloc(1);
	flood_block(block);
	printf("flood: start %s %llu\n", serial ? "serial" : "virtio",
	       (unsigned long long)total);
	if (serial)
		flood_serial(block, total);
	else
		ret = flood_virtio(block, total);
	printf("flood: done\n");
	return ret;
}
GUEST_TEST("flood", test_flood);
