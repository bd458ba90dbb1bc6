/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-blk unit tests' disk: a sparse image under /tmp, and
 * whether the io_uring engine can run on it here (else its suites are
 * skipped). Shared by tests/unit/virtio-blk.c and virtio-blk-race.c.
 */
#ifndef LKVM_TESTS_BLK_IMAGE_H
#define LKVM_TESTS_BLK_IMAGE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "disk.h"
#include "io-loop.h"

/* /tmp/lkvm-NAME-XXXXXX made, `bytes` long, its name in path. */
static inline bool blk_image_make(char *path, size_t len, const char *name,
				  u64 bytes)
{
	int fd;
	bool made;

	snprintf(path, len, "/tmp/lkvm-%s-XXXXXX", name);
	fd = mkstemp(path);
	if (fd < 0)
		return false;
	made = !ftruncate(fd, bytes);
	close(fd);
	return made;
}

/* An io_uring engine starts on the image, its completions on loop. */
static inline bool blk_uring_works(const char *path, struct io_loop *loop)
{
	struct disk_open_opts oo = { .no_lock = true };
	struct disk_engine *e;
	struct disk *d = NULL;
	int r = disk_open(&d, path, &oo, NULL, 0);

	r = r ? r : disk_uring_create(&e, d, loop, 8);
	if (!r)
		disk_engine_destroy(e);
	if (d)
		disk_close(d);
	return !r;
}

#endif
