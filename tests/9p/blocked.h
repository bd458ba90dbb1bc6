/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 9p request blocked in the host, on demand, for tests/9p/stuck.c,
 * tests/9p/reset.c and tests/9p/pool.c: a worker's Tread copies the file
 * into a buffer (its own reply buffer, from which the device copies the
 * reply to the guest's); with that buffer's pages past its first two
 * registered with userfaultfd and never filled, the worker blocks in the
 * kernel as it would on a hung NFS or FUSE mount, until the userfaultfd is
 * closed (the copy then finishes on zero pages). The guest's reply pages
 * past the first are trapped too: a device reading straight into them
 * blocks there (and tests/9p/reset.c tells it). No test hook in lkvm: a
 * real blocking system call. (A FIFO in the share would not do: the
 * share never opens one, Tlopen answers ENXIO.)
 */
#ifndef LKVM_TESTS_9P_BLOCKED_H
#define LKVM_TESTS_9P_BLOCKED_H

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "client.h"
#include "tap.h"

#define B9_NOFID	0xffffffffU
#define B9_FILE_LEN	(64 * 1024)
#define B9_READ_CAP	(B9_FILE_LEN + 4096 + 64)	/* its reply buffer */

static inline double b9_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A share in $TMPDIR (dir) holding "f", B9_FILE_LEN bytes of 'x'. */
static inline int b9_make_share(char *dir, size_t len, const char *name)
{
	static char data[B9_FILE_LEN];
	char path[160];
	int fd;

	snprintf(dir, len, "%s/lkvm-9p-%s.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	memset(data, 'x', sizeof(data));
	if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data))
		return -1;
	return close(fd);
}

static inline void b9_remove_share(const char *dir)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	rmdir(dir);
}

/* A session: attach as fid 0, walk to "f" as fid 1 and open it. */
static inline bool b9_open_file(struct c9 *c)
{
	return c9_call(c, P9_TVERSION, "dz", 131072, "9P2000.L") ==
		       P9_RVERSION &&
	       c9_call(c, P9_TATTACH, "ddzzd", 0, B9_NOFID, "u", "", 0) ==
		       P9_RATTACH &&
	       c9_call(c, P9_TWALK, "ddwz", 0, 1, 1, "f") == P9_RWALK &&
	       c9_call(c, P9_TLOPEN, "dd", 1, O_RDONLY) == P9_RLOPEN;
}

/* Where b9_trap_reply_pages() traps slot's reply buffer. */
static inline uintptr_t b9_trap_start(struct c9 *c, unsigned int slot)
{
	uintptr_t start = (uintptr_t)c9_hva(c, c9_in(slot));
	long page = sysconf(_SC_PAGESIZE);

	return (start + 2 * page - 1) & ~(uintptr_t)(page - 1);
}

/*
 * userfaultfd over the pages of slot's reply buffer after its first:
 * the fd, or -errno.
 */
static inline int b9_trap_reply_pages(struct c9 *c, unsigned int slot)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	uintptr_t start = b9_trap_start(c, slot);
	int fd;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	reg.range.start = start;
	reg.range.len = B9_FILE_LEN;
	if (ioctl(fd, UFFDIO_API, &api) ||
	    madvise((void *)start, B9_FILE_LEN, MADV_DONTNEED) ||
	    ioctl(fd, UFFDIO_REGISTER, &reg)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * The bytes of each worker's reply buffer from its third page on, for
 * B9_FILE_LEN / 2 (a Tread of 4 KiB or a small reply never gets there):
 * c->wuffd, 0, or -errno.
 */
static inline int b9_trap_workers(struct c9 *c)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start;
	unsigned int i;
	int fd, r = 0;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api))
		r = -errno;
	for (i = 0; !r && i < c->dev.nr_workers; i++) {
		start = (uintptr_t)c->dev.workers[i].out;
		start = (start + 3 * page - 1) & ~(uintptr_t)(page - 1);
		reg.range.start = start;
		reg.range.len = B9_FILE_LEN / 2;
		if (madvise((void *)start, B9_FILE_LEN / 2, MADV_DONTNEED) ||
		    ioctl(fd, UFFDIO_REGISTER, &reg))
			r = -errno;
	}
	if (r) {
		close(fd);
		return r;
	}
	c->wuffd = fd;
	return 0;
}

/* The host lets go of the Treads blocked in the workers' buffers. */
static inline void b9_release_workers(struct c9 *c)
{
	if (c->wuffd >= 0)
		close(c->wuffd);
	c->wuffd = -1;
}

/*
 * As a driver that reuses slot's reply buffer (rcap bytes) after a reset:
 * every byte set to 0xa5, the trapped pages filled without waking whoever
 * waits on them (the host has not let go yet). True if done.
 */
static inline bool b9_refill_reply(struct c9 *c, int uffd, unsigned int slot,
				   u32 rcap)
{
	static u8 pattern[B9_FILE_LEN];
	u8 *p = c9_hva(c, c9_in(slot));
	uintptr_t start = b9_trap_start(c, slot);
	struct uffdio_copy copy = {
		.dst = start, .src = (uintptr_t)pattern, .len = B9_FILE_LEN,
		.mode = UFFDIO_COPY_MODE_DONTWAKE,
	};

	memset(pattern, 0xa5, sizeof(pattern));
	if (ioctl(uffd, UFFDIO_COPY, &copy) || copy.copy != B9_FILE_LEN)
		return false;
	memset(p, 0xa5, start - (uintptr_t)p);
	if (start + B9_FILE_LEN < (uintptr_t)p + rcap)
		memset((void *)(start + B9_FILE_LEN), 0xa5,
		       (uintptr_t)p + rcap - start - B9_FILE_LEN);
	return true;
}

/*
 * A share named name in dir, the device on it, slot's reply pages and
 * the workers' (b9_trap_workers()) trapped: the userfaultfd, or -1 with a skip reported (what: the
 * scenario, for its line) and nothing left open.
 */
static inline int b9_start(struct c9 *c, char *dir, size_t len,
			   const char *name, const char *what,
			   unsigned int slot)
{
	const char *why = "";
	int r;

	if (b9_make_share(dir, len, name)) {
		skip("no share", "%s: cannot make a share in TMPDIR", what);
		return -1;
	}
	r = c9_open(c, dir, false, &why);
	if (r) {
		skip(why, "%s: the share cannot be opened: %s", what,
		     strerror(-r));
		b9_remove_share(dir);
		return -1;
	}
	r = b9_trap_workers(c);
	if (!r)
		r = b9_trap_reply_pages(c, slot);
	if (r < 0) {
		skip("userfaultfd", "%s: userfaultfd is not available: %s",
		     what, strerror(-r));
		c9_close(c);
		b9_remove_share(dir);
		return -1;
	}
	return r;
}

/*
 * Post a Tread (tag) of all of fid on slot, kick, and wait up to 10 s
 * for its worker to fault on a trapped page (uffd's or the workers'):
 * true once it is blocked.
 */
static inline bool b9_block_tread_fid(struct c9 *c, int uffd,
				      unsigned int slot, u16 tag, u32 fid)
{
	static u8 treq[64];
	struct uffd_msg msg;
	struct pollfd pfd[2] = {
		{ .fd = uffd, .events = POLLIN },
		{ .fd = c->wuffd, .events = POLLIN },
	};
	u32 len;
	int fd;

	len = c9_build(treq, sizeof(treq), P9_TREAD, tag, "dqd", fid, 0ULL,
		       B9_FILE_LEN);
	c9_post(c, slot, treq, len, B9_READ_CAP);
	c9_kick(c);
	if (poll(pfd, c->wuffd >= 0 ? 2 : 1, 10000) < 1)
		return false;
	fd = pfd[0].revents & POLLIN ? uffd : c->wuffd;
	return read(fd, &msg, sizeof(msg)) == sizeof(msg) &&
	       msg.event == UFFD_EVENT_PAGEFAULT;
}

/* The same on fid 1, the one b9_open_file() opened. */
static inline bool b9_block_tread(struct c9 *c, int uffd, unsigned int slot,
				  u16 tag)
{
	return b9_block_tread_fid(c, uffd, slot, tag, 1);
}

#endif
