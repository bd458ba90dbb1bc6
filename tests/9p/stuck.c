// SPDX-License-Identifier: GPL-2.0
/*
 * A 9p request stuck in the host: lkvm's exit does not wait for it.
 *
 * A worker's Tread copies the file straight into the guest's reply
 * buffer; here that buffer's pages are registered with userfaultfd and
 * never filled, so the worker's preadv() blocks in the kernel as it
 * would on a hung NFS or FUSE mount. virtio_9p_drain() must then give
 * up after its timeout (-ETIMEDOUT) and virtio_9p_destroy() return
 * -EBUSY after its own, leaving the device allocated for the worker;
 * with nothing running, destroy returns 0 at once.
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "log.h"
#include "tap.h"
#include "client.h"

#define NOFID	0xffffffffU
#define FILE_LEN (64 * 1024)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int make_share(char *dir, size_t len)
{
	static char data[FILE_LEN];
	char path[128];
	int fd;

	snprintf(dir, len, "%s/lkvm-9p-stuck.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	memset(data, 'x', sizeof(data));
	if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data))
		return -1;
	return close(fd);
}

static void remove_share(const char *dir)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	rmdir(dir);
}

/* Attach, walk to "f" as fid 1 and open it. */
static bool open_file(struct c9 *c)
{
	return c9_call(c, P9_TVERSION, "dz", 131072, "9P2000.L") ==
		       P9_RVERSION &&
	       c9_call(c, P9_TATTACH, "ddzzd", 0, NOFID, "u", "", 0) ==
		       P9_RATTACH &&
	       c9_call(c, P9_TWALK, "ddwz", 0, 1, 1, "f") == P9_RWALK &&
	       c9_call(c, P9_TLOPEN, "dd", 1, O_RDONLY) == P9_RLOPEN;
}

/* userfaultfd over the pages of slot 1's reply buffer after its first. */
static int trap_reply_pages(struct c9 *c)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	uintptr_t start = (uintptr_t)c9_hva(c, c9_in(1));
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	start = (start + 2 * page - 1) & ~(uintptr_t)(page - 1);
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	reg.range.start = start;
	reg.range.len = FILE_LEN;
	if (ioctl(fd, UFFDIO_API, &api) ||
	    madvise((void *)start, FILE_LEN, MADV_DONTNEED) ||
	    ioctl(fd, UFFDIO_REGISTER, &reg)) {
		close(fd);
		return -errno;
	}
	return fd;
}

int main(void)
{
	struct uffd_msg msg;
	struct pollfd pfd;
	static u8 treq[64];
	const char *why = "";
	char dir[96];
	double t0, dt;
	struct c9 c;
	u32 len;
	int uffd, r;

	log_set_level(LOG_ERROR);
	if (make_share(dir, sizeof(dir))) {
		skip("no share", "cannot make a share in TMPDIR");
		return tap_done();
	}
	r = c9_open(&c, dir, false, &why);
	if (r) {
		skip(why, "the share cannot be opened: %s", strerror(-r));
		remove_share(dir);
		return tap_done();
	}
	ok(open_file(&c), "a file of the share is opened");
	ok(virtio_9p_drain(&c.dev, 1000) == 0,
	   "with nothing running, drain returns 0");

	uffd = trap_reply_pages(&c);
	if (uffd < 0) {
		skip("userfaultfd", "userfaultfd is not available: %s",
		     strerror(-uffd));
		c9_close(&c);
		remove_share(dir);
		return tap_done();
	}
	len = c9_build(treq, sizeof(treq), P9_TREAD, 7, "dqd", 1, 0ULL,
		       FILE_LEN);
	c9_post(&c, 1, treq, len, FILE_LEN + 4096 + 64);
	c9_kick(&c);
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	ok(poll(&pfd, 1, 10000) == 1 &&
	   read(uffd, &msg, sizeof(msg)) == sizeof(msg) &&
	   msg.event == UFFD_EVENT_PAGEFAULT,
	   "a worker's Tread blocks on the guest's unfilled page");

	t0 = now_s();
	r = virtio_9p_drain(&c.dev, 300);
	dt = now_s() - t0;
	ok(r == -ETIMEDOUT && dt >= 0.25 && dt < 10,
	   "drain gives up after its 300 ms: %d after %.2f s", r, dt);
	t0 = now_s();
	r = virtio_9p_destroy(&c.dev, 300);
	dt = now_s() - t0;
	ok(r == -EBUSY && dt >= 0.25 && dt < 10,
	   "destroy returns -EBUSY after its 300 ms, freeing nothing: %d after %.2f s",
	   r, dt);
	/*
	 * The device stays allocated for the stuck worker: closing the
	 * userfaultfd lets its copy finish (zero pages) and it ends.
	 */
	close(uffd);
	usleep(200 * 1000);
	remove_share(dir);

	/* A second device with nothing in flight is destroyed at once. */
	if (make_share(dir, sizeof(dir)) || c9_open(&c, dir, false, &why)) {
		ok(0, "a second device");
	} else {
		ok(open_file(&c), "a second device works");
		ok(virtio_9p_destroy(&c.dev, 2000) == 0,
		   "with nothing running, destroy returns 0");
		p9fs_close_share(c.fs);
		free(c.ram);
		free(c.reply);
	}
	remove_share(dir);
	return tap_done();
}
