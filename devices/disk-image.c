// SPDX-License-Identifier: GPL-2.0
/*
 * Disk images: open, lock, detect the format by content; the raw format;
 * synchronous request execution and engine selection.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"
#include "iov.h"
#include "log.h"
#include "safe-open.h"

/* disk_guard_write() copies this much of a write to the first sector. */
#define DISK_GUARD_BYTES	4096

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

	/*
	 * No RWF_DSYNC (Linux before 4.7, qemu-user's pwritev2): the write,
	 * then a sync of the file, which says the same.
	 */
	if (ret < 0 && dsync && errno == EOPNOTSUPP) {
		ret = pwritev(d->fd, iov, iovcnt, off);
		if (ret >= 0 && fdatasync(d->fd))
			ret = -1;
	}
	return ret < 0 ? -errno : ret;
}

static int raw_flush(struct disk *d)
{
	return fdatasync(d->fd) ? -errno : 0;
}

static int write_zero_buf(struct disk *d, u64 off, u64 len)
{
	static const u8 zeroes[SZ_64K] __aligned(4096);

	while (len) {
		u64 n = MIN(len, sizeof(zeroes));
		struct iovec v = { .iov_base = (void *)zeroes, .iov_len = n };
		int ret = iov_pwrite_full(d->fd, &v, 1, off);

		if (ret)
			return ret;
		off += n;
		len -= n;
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

static const char *format_name(enum disk_format f)
{
	return f == DISK_FMT_QCOW2 ? "qcow2" : "raw";
}

/* The format the first bytes of an image say (n of them). */
static enum disk_format disk_probe(const u8 *buf, size_t n)
{
	if (n >= 4 && !memcmp(buf, "QFI\xfb", 4))
		return DISK_FMT_QCOW2;
	return DISK_FMT_RAW;
}

/*
 * Build the disk on fd (taken over, closed on failure): lock, size, format
 * (opts->format, or probed from the content).
 */
static int disk_open_fd(struct disk **out, int fd, const char *path,
			const struct disk_open_opts *opts, int depth,
			char *err, size_t errlen)
{
	enum disk_format fmt = opts->format;
	struct disk *d;
	ssize_t n;
	int ret;

	if (depth > 16) {
		disk_error(err, errlen, "%s: backing chain too deep", path);
		close(fd);
		return -ELOOP;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	d->fd = fd;
	d->readonly = opts->readonly;
	d->direct = opts->direct;
	d->path = strdup(path);
	if (!d->path) {
		ret = -ENOMEM;
		disk_error(err, errlen, "disk image '%s': out of memory", path);
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
	if (fmt == DISK_FMT_AUTO || fmt == DISK_FMT_QCOW2) {
		/* O_DIRECT needs an aligned buffer. */
		static __thread u8 probe[4096] __aligned(4096);

		n = d->size >= 4 ? pread(d->fd, probe, sizeof(probe), 0) : 0;
		if (n < 0) {
			ret = -errno;
			disk_error(err, errlen, "cannot read disk image '%s': %s",
				 path, strerror(errno));
			goto fail;
		}
		if (fmt == DISK_FMT_AUTO) {
			fmt = disk_probe(probe, n);
			d->probed_raw = fmt == DISK_FMT_RAW && !d->readonly;
		} else if (disk_probe(probe, n) != DISK_FMT_QCOW2) {
			ret = -EINVAL;
			disk_error(err, errlen,
				 "disk image '%s' is not a qcow2 image (format=qcow2 was asked for)",
				 path);
			goto fail;
		}
	}
	if (fmt == DISK_FMT_QCOW2) {
		ret = disk_qcow2_open(d, opts, depth, err, errlen);
		if (ret)
			goto fail;
	}
	*out = d;
	return 0;
fail:
	close(d->fd);
	free(d->path);
	free(d);
	return ret;
}

int disk_open(struct disk **out, const char *path,
	      const struct disk_open_opts *opts, char *err, size_t errlen)
{
	int flags = opts->readonly ? O_RDONLY : O_RDWR;
	struct stat st;
	int fd;

	if (opts->direct)
		flags |= O_DIRECT;
	/* A FIFO would block the open, a device would run its open routine. */
	fd = safe_open(AT_FDCWD, path, flags, SAFE_OPEN_REG | SAFE_OPEN_BLK,
		       &st);
	if (fd == -EMEDIUMTYPE) {
		disk_error(err, errlen,
			 "disk image '%s' is %s, not a regular file or block device",
			 path, safe_open_type_name(st.st_mode));
		return fd;
	}
	if (fd < 0) {
		disk_error(err, errlen, "cannot open disk image '%s': %s", path,
			 strerror(-fd));
		return fd;
	}
	return disk_open_fd(out, fd, path, opts, 0, err, errlen);
}

/* The directory the image at path is in, as an O_PATH fd. */
static int image_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	free(copy);
	return fd;
}

/* Is the file open on fd the one the user named with backing=PATH? */
static bool named_by_user(const struct disk_open_opts *opts,
			  const struct stat *st)
{
	struct stat u;

	return opts->backing_path && !stat(opts->backing_path, &u) &&
	       u.st_dev == st->st_dev && u.st_ino == st->st_ino;
}

int disk_open_backing(struct disk **out, const struct disk *parent,
		      const char *name, enum disk_format fmt,
		      const struct disk_open_opts *opts, int depth,
		      char *err, size_t errlen)
{
	struct disk_open_opts o = *opts;
	unsigned int how = SAFE_OPEN_REG;
	struct stat st;
	char *shown;
	int dfd, fd;

	o.readonly = true;
	o.direct = false;
	o.format = fmt;
	if (!opts->backing_follow)
		how |= SAFE_OPEN_NOFOLLOW;
	dfd = image_dir(parent->path);
	if (dfd < 0) {
		disk_error(err, errlen, "cannot open the directory of '%s': %s",
			 parent->path, strerror(-dfd));
		return dfd;
	}
	if (name[0] == '/') {
		shown = strdup(name);
	} else {
		char *copy = strdup(parent->path);

		shown = NULL;
		if (copy && asprintf(&shown, "%s/%s", dirname(copy), name) < 0)
			shown = NULL;
		free(copy);
	}
	if (!shown) {
		close(dfd);
		return -ENOMEM;
	}
	fd = safe_open(dfd, name, O_RDONLY,
		       how | (opts->backing_any ? 0 : SAFE_OPEN_BENEATH), &st);
	if (fd == -EXDEV) {
		/* Outside the tree: only the file the user named. */
		fd = safe_open(dfd, name, O_RDONLY, how, &st);
		if (fd >= 0 && !named_by_user(opts, &st)) {
			close(fd);
			fd = -EXDEV;
		}
	}
	close(dfd);
	if (fd == -EXDEV)
		disk_error(err, errlen,
			 "backing file '%s' of '%s' is outside the image's directory tree: to use it, add ',backing=%s' (or ',backing=any') to the -d option",
			 shown, parent->path, shown);
	else if (fd == -ELOOP)
		disk_error(err, errlen,
			 "backing file '%s' of '%s' is a symbolic link: to follow it, add ',backing-follow' to the -d option",
			 shown, parent->path);
	else if (fd == -EMEDIUMTYPE)
		disk_error(err, errlen,
			 "backing file '%s' of '%s' is %s, not a regular file",
			 shown, parent->path, safe_open_type_name(st.st_mode));
	else if (fd < 0)
		disk_error(err, errlen,
			 "backing file of '%s': cannot open disk image '%s': %s",
			 parent->path, shown, strerror(-fd));
	if (fd >= 0) {
		fd = disk_open_fd(out, fd, shown, &o, depth, err, errlen);
		if (fd < 0 && fmt == DISK_FMT_QCOW2 && err && errlen &&
		    strstr(err, "not a qcow2 image"))
			disk_error(err, errlen,
				 "backing file '%s' of '%s' is not a qcow2 image, as its backing format says",
				 shown, parent->path);
	}
	free(shown);
	return fd < 0 ? fd : 0;
}

int disk_guard_write(struct disk *d, struct disk_req *req)
{
	size_t n = MIN(req->len, (u64)DISK_GUARD_BYTES), done;
	struct iovec *iov;
	u8 *copy;
	int cnt;

	if (!d->probed_raw || req->op != DISK_OP_WRITE || req->off || !n)
		return 0;
	copy = aligned_alloc(DISK_GUARD_BYTES,
			     ALIGN_UP(DISK_GUARD_BYTES +
				      (req->iovcnt + 1) * sizeof(*iov),
				      (size_t)DISK_GUARD_BYTES));
	if (!copy)
		return -ENOMEM;
	/* Read the guest's bytes once; what is checked is what is written. */
	done = iov_to_buf(req->iov, req->iovcnt, 0, copy, n);
	if (disk_probe(copy, done) != DISK_FMT_RAW) {
		pr_warn_ratelimited("%s: write of a %s header to sector 0 refused: the image was probed as raw (use -d %s,format=raw to allow it)",
				    d->path, format_name(disk_probe(copy, done)),
				    d->path);
		free(copy);
		return -EPERM;
	}
	iov = (struct iovec *)(copy + DISK_GUARD_BYTES);
	iov[0].iov_base = copy;
	iov[0].iov_len = n;
	/* The rest of the request, after the copied bytes: it fits. */
	cnt = iov_slice(req->iov, req->iovcnt, n, SIZE_MAX, iov + 1,
			req->iovcnt);
	req->iov = iov;
	req->iovcnt = cnt + 1;
	req->guard = copy;
	return 0;
}

void disk_req_release(struct disk_req *req)
{
	free(req->guard);
	req->guard = NULL;
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

int disk_sync_result(struct disk *d, int ret)
{
	if (ret >= 0)
		return __atomic_load_n(&d->sync_failed, __ATOMIC_ACQUIRE) ?
		       -EIO : ret;
	if (!__atomic_exchange_n(&d->sync_failed, true, __ATOMIC_ACQ_REL))
		pr_err("%s: a sync of the image failed (%s): data written before it may be lost; every flush fails from now on",
		       d->path, strerror(-ret));
	return ret;
}

s64 disk_dsync_write_result(struct disk *d, const struct disk_req *req,
			    s64 ret)
{
	if (req->op != DISK_OP_WRITE || !req->dsync)
		return ret;
	/* qcow2 says so itself: its EIO may be a corrupt image. */
	if (ret == -EIO && d->linear)
		disk_sync_result(d, (int)ret);
	/* Durable on its own, but not after a sync that lost data. */
	else if (ret >= 0 && disk_sync_result(d, 0))
		return -EIO;
	return ret;
}

static s64 disk_rw_full(struct disk *d, struct disk_req *req)
{
	struct iovec *iov = req->iov;
	unsigned int iovcnt = req->iovcnt;
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
			return disk_dsync_write_result(d, req, n);
		if (n == 0)
			return -EIO;
		done += n;
		off += n;
		if (done < req->len &&
		    (iov_advance(&iov, &iovcnt, n) || !iovcnt))
			return -EIO;
	}
	return disk_dsync_write_result(d, req, (s64)done);
}

void disk_req_execute(struct disk *d, struct disk_req *req)
{
	switch (req->op) {
	case DISK_OP_READ:
	case DISK_OP_WRITE:
		req->result = disk_rw_full(d, req);
		break;
	case DISK_OP_FLUSH:
		req->result = disk_sync_result(d, d->ops->flush(d));
		break;
	case DISK_OP_ZERO:
		req->result = d->ops->zero(d, req->off, req->len, req->unmap);
		if (!req->result && req->dsync)
			req->result = disk_sync_result(d, d->ops->flush(d));
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
