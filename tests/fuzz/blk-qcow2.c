// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: qcow2 header and table parsing (devices/disk-qcow2.c).
 * The input is an image file (memfd). Its last byte is also the mode:
 * opened read-only when even. If it opens, reads walk the L1/L2
 * tables (incl. compressed clusters) at offsets taken from the input's
 * tail, and in read-write mode writes and zeroing allocate clusters and
 * update refcounts. Invariant: no crash, no sanitizer report, no hang;
 * errors are fine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "disk.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct disk_open_opts o = { .no_lock = true };
	static u8 buf[256 * 1024];
	struct disk *d;
	char path[64];
	size_t i;
	int fd;

	if (size < 8)
		return 0;
	log_set_level(LOG_ERROR);
	o.readonly = !(data[size - 1] & 1);
	fd = memfd_create("fuzz-qcow2", 0);
	if (fd < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (disk_open(&d, path, &o, NULL, 0)) {
		close(fd);
		return 0;
	}
	for (i = 0; i + 8 <= size && i < 8 * 16; i += 8) {
		u64 v, off, len;

		memcpy(&v, data + size - 8 - i, 8);
		if (!d->size)
			break;
		off = (v % d->size) & ~511ULL;
		len = MIN((u64)sizeof(buf), d->size - off);
		len = MIN(len, ((v >> 48) + 1) * 512);
		disk_read(d, buf, len, off);
		if (o.readonly)
			continue;
		if (v & 1)
			disk_write(d, buf, len, off);
		else if (v & 2)
			d->ops->zero(d, off, len, v & 4);
	}
	disk_close(d);
	close(fd);
	return 0;
}

#define FUZZ_REPLAY_MAX (1 << 22)
#include "replay.h"
