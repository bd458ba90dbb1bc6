/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_MAPPED_FILE_H
#define LKVM_MAPPED_FILE_H

#include <sys/types.h>

#include "types.h"

/* A whole file mapped read-only (kernel and initrd images). */
struct mapped_file {
	const u8 *data;
	size_t len;
	mode_t mode;		/* the file's type when it was refused */
};

/*
 * Map a regular file. 0, or -errno: -EMEDIUMTYPE for anything but a
 * regular file (a FIFO, a device, a directory: never opened; out->mode
 * says which), -EFBIG past max_len.
 */
int mapped_file_open(const char *path, size_t max_len,
		     struct mapped_file *out);
void mapped_file_close(struct mapped_file *f);

#endif
