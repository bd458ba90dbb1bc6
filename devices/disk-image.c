// SPDX-License-Identifier: GPL-2.0
/*
 * Disk images: open, lock, detect the format by content; the raw format;
 * synchronous request execution and engine selection.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"
#include "log.h"

void disk_error(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static ssize_t raw_preadv(struct disk *d, const struct iovec *iov,
			  int iovcnt, u64 off)
{
	ssize_t ret = preadv(d->fd, iov, iovcnt, off);

	return ret < 0 ? -errno : ret;
}

static ssize_t raw_pwritev(struct disk *d, const struct iovec *iov,
			   int iovcnt, u64 off, bool dsync)
{
	ssize_t ret = pwritev2(d->fd, iov, iovcnt, off, dsync ? RWF_DSYNC : 0);

	return ret < 0 ? -errno : ret;
}

static int raw_flush(struct disk *d)
{
	return fdatasync(d->fd) ? -errno : 0;
}

static int write_zero_buf(struct disk *d, u64 off, u64 len)
{
	static const u8 zeroes[SZ_64K] __attribute__((aligned(4096)));

	while (len) {
		u64 n = MIN(len, sizeof(zeroes));
		ssize_t w = pwrite(d->fd, zeroes, n, off);

		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		off += w;
		len -= w;
	}
	return 0;
}

static int raw_zero(struct disk *d, u64 off, u64 len, bool unmap)
{
	int mode = unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
			   FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	u64 range[2] = { off, len };

	if (d->blockdev) {
		if (!ioctl(d->fd, BLKZEROOUT, range))
			return 0;
		return write_zero_buf(d, off, len);
	}
	if (!fallocate(d->fd, mode, off, len))
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
		return -errno;
	if (unmap &&
	    !fallocate(d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
		       off, len))
		return 0;
	return write_zero_buf(d, off, len);
}

static void raw_close(struct disk *d)
{
}

static const struct disk_ops raw_ops = {
	.name = "raw",
	.preadv = raw_preadv,
	.pwritev = raw_pwritev,
	.flush = raw_flush,
	.zero = raw_zero,
	.close = raw_close,
};

int disk_raw_init(struct disk *d)
{
	struct stat st;

	if (fstat(d->fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		u64 size;

		if (ioctl(d->fd, BLKGETSIZE64, &size))
			return -errno;
		d->size = size;
		d->blockdev = true;
	} else if (S_ISREG(st.st_mode)) {
		d->size = st.st_size;
	} else {
		return -EINVAL;
	}
	d->size = ALIGN_DOWN(d->size, (u64)DISK_SECTOR);
	d->ops = &raw_ops;
	d->format = DISK_FMT_RAW;
	d->linear = true;
	d->discard_granularity = 4096;
	return 0;
}

static int disk_lock(int fd, bool exclusive)
{
	struct flock fl = {
		.l_type = exclusive ? F_WRLCK : F_RDLCK,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 0,
	};

	if (fcntl(fd, F_OFD_SETLK, &fl))
		return -errno;
	return 0;
}

static int disk_open_depth(struct disk **out, const char *path,
			   const struct disk_open_opts *opts, int depth,
			   char *err, size_t errlen)
{
	struct disk *d;
	u8 magic[4] = { 0 };
	ssize_t n;
	int flags = opts->readonly ? O_RDONLY : O_RDWR;
	int ret;

	if (depth > 16) {
		disk_error(err, errlen, "%s: backing chain too deep", path);
		return -ELOOP;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->path = strdup(path);
	d->readonly = opts->readonly;
	d->direct = opts->direct;
	if (opts->direct)
		flags |= O_DIRECT;
	d->fd = open(path, flags | O_CLOEXEC);
	if (d->fd < 0) {
		ret = -errno;
		disk_error(err, errlen, "cannot open disk image '%s': %s", path,
			 strerror(errno));
		goto fail;
	}
	if (!opts->no_lock) {
		ret = disk_lock(d->fd, !opts->readonly);
		if (ret) {
			if (ret == -EAGAIN || ret == -EACCES)
				disk_error(err, errlen,
					 "disk image '%s' is locked by another process",
					 path);
			else
				disk_error(err, errlen,
					 "cannot lock disk image '%s': %s",
					 path, strerror(-ret));
			goto fail;
		}
	}
	ret = disk_raw_init(d);
	if (ret) {
		disk_error(err, errlen,
			 "disk image '%s' is not a regular file or block device",
			 path);
		goto fail;
	}
	if (d->size >= 4) {
		/* O_DIRECT needs an aligned buffer. */
		static __thread u8 probe[4096] __attribute__((aligned(4096)));

		n = pread(d->fd, probe, sizeof(probe), 0);
		if (n < 0) {
			ret = -errno;
			disk_error(err, errlen, "cannot read disk image '%s': %s",
				 path, strerror(errno));
			goto fail;
		}
		if (n >= 4)
			memcpy(magic, probe, 4);
	}
	if (!memcmp(magic, "QFI\xfb", 4)) {
		ret = disk_qcow2_open(d, depth, err, errlen);
		if (ret)
			goto fail;
	}
	*out = d;
	return 0;
fail:
	if (d->fd >= 0)
		close(d->fd);
	free(d->path);
	free(d);
	return ret;
}

int disk_open(struct disk **out, const char *path,
	      const struct disk_open_opts *opts, char *err, size_t errlen)
{
	return disk_open_depth(out, path, opts, 0, err, errlen);
}

int disk_open_backing(struct disk **out, const char *path, int depth,
		      char *err, size_t errlen)
{
	struct disk_open_opts o = { .readonly = true };

	return disk_open_depth(out, path, &o, depth, err, errlen);
}

void disk_close(struct disk *d)
{
	if (!d)
		return;
	if (d->ops && d->ops->close)
		d->ops->close(d);
	if (d->fd >= 0)
		close(d->fd);
	free(d->path);
	free(d);
}

int disk_read(struct disk *d, void *buf, u64 len, u64 off)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	ssize_t n = d->ops->preadv(d, &iov, 1, off);

	if (n < 0)
		return n;
	return (u64)n == len ? 0 : -EIO;
}

int disk_write(struct disk *d, const void *buf, u64 len, u64 off)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	ssize_t n = d->ops->pwritev(d, &iov, 1, off, false);

	if (n < 0)
		return n;
	return (u64)n == len ? 0 : -EIO;
}

/* Advance an iovec array by `done` bytes (for short transfers). */
static int iov_advance(struct iovec **iov, int *iovcnt, size_t done)
{
	while (*iovcnt && done >= (*iov)->iov_len) {
		done -= (*iov)->iov_len;
		(*iov)++;
		(*iovcnt)--;
	}
	if (*iovcnt) {
		(*iov)->iov_base = (u8 *)(*iov)->iov_base + done;
		(*iov)->iov_len -= done;
	}
	return *iovcnt;
}

static s64 disk_rw_full(struct disk *d, struct disk_req *req)
{
	struct iovec *iov = req->iov;
	int iovcnt = req->iovcnt;
	u64 off = req->off, done = 0;

	while (done < req->len) {
		ssize_t n;

		if (req->op == DISK_OP_READ)
			n = d->ops->preadv(d, iov, iovcnt, off);
		else
			n = d->ops->pwritev(d, iov, iovcnt, off, req->dsync);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0)
			return -EIO;
		done += n;
		off += n;
		if (done < req->len && !iov_advance(&iov, &iovcnt, n))
			return -EIO;
	}
	return done;
}

void disk_req_execute(struct disk *d, struct disk_req *req)
{
	switch (req->op) {
	case DISK_OP_READ:
	case DISK_OP_WRITE:
		req->result = disk_rw_full(d, req);
		break;
	case DISK_OP_FLUSH:
		req->result = d->ops->flush(d);
		break;
	case DISK_OP_ZERO:
		req->result = d->ops->zero(d, req->off, req->len, req->unmap);
		if (!req->result && req->dsync)
			req->result = d->ops->flush(d);
		break;
	default:
		req->result = -EOPNOTSUPP;
	}
}

int disk_engine_create(struct disk_engine **out, struct disk *disk,
		       enum disk_engine_kind kind, struct io_loop *loop,
		       unsigned int entries)
{
	int ret;

	if (kind == DISK_ENGINE_URING || (kind == DISK_ENGINE_AUTO && loop)) {
		ret = disk_uring_create(out, disk, loop, entries);
		if (!ret || kind == DISK_ENGINE_URING)
			return ret;
		pr_info("%s: io_uring unavailable (%s), using worker threads",
			disk->path, strerror(-ret));
	}
	return disk_thread_create(out, disk, DISK_THREAD_FALLBACK_WORKERS);
}

void disk_engine_destroy(struct disk_engine *e)
{
	if (e)
		e->ops->destroy(e);
}
