// SPDX-License-Identifier: GPL-2.0
/* Read-only mappings of kernel and initrd files. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mapped-file.h"
#include "safe-open.h"

int mapped_file_open(const char *path, size_t max_len, struct mapped_file *out)
{
	struct stat st;
	void *p;
	int fd, err = 0;

	out->data = NULL;
	out->len = 0;
	out->mode = 0;
	/* A FIFO would block the open, a device would run its open routine. */
	fd = safe_open(AT_FDCWD, path, O_RDONLY, SAFE_OPEN_REG, &st);
	if (fd == -EMEDIUMTYPE)
		out->mode = st.st_mode;
	if (fd < 0)
		return fd;
	if ((u64)st.st_size > max_len) {
		err = -EFBIG;
		goto out;
	}
	if (st.st_size == 0)
		goto out;	/* empty: data NULL, len 0 */
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	out->data = p;
	out->len = st.st_size;
out:
	close(fd);
	return err;
}

void mapped_file_close(struct mapped_file *f)
{
	if (f->data)
		munmap((void *)f->data, f->len);
	f->data = NULL;
	f->len = 0;
}
