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
#include "log.h"
#include "tap.h"
#include "blocked.h"

int main(void)
{
	const char *why = "";
	char dir[96];
	double t0, dt;
	struct c9 c;
	int uffd, r;

	log_set_level(LOG_ERROR);
	uffd = b9_start(&c, dir, sizeof(dir), "stuck", "stuck", 1);
	if (uffd < 0)
		return tap_done();
	ok(b9_open_file(&c), "a file of the share is opened");
	ok(virtio_9p_drain(&c.dev, 1000) == 0,
	   "with nothing running, drain returns 0");
	ok(b9_block_tread(&c, uffd, 1, 7),
	   "a worker's Tread blocks on an unfilled page");

	t0 = b9_now_s();
	r = virtio_9p_drain(&c.dev, 300);
	dt = b9_now_s() - t0;
	ok(r == -ETIMEDOUT && dt >= 0.25 && dt < 10,
	   "drain gives up after its 300 ms: %d after %.2f s", r, dt);
	t0 = b9_now_s();
	r = virtio_9p_destroy(&c.dev, 300);
	dt = b9_now_s() - t0;
	ok(r == -EBUSY && dt >= 0.25 && dt < 10,
	   "destroy returns -EBUSY after its 300 ms, freeing nothing: %d after %.2f s",
	   r, dt);
	/*
	 * The device stays allocated for the stuck worker: closing the
	 * userfaultfd lets its copy finish (zero pages) and it ends.
	 */
	close(uffd);
	b9_release_workers(&c);
	usleep(200 * 1000);
	b9_remove_share(dir);

	/* A second device with nothing in flight is destroyed at once. */
	if (b9_make_share(dir, sizeof(dir), "stuck") || c9_open(&c, dir, false, &why)) {
		ok(0, "a second device");
	} else {
		ok(b9_open_file(&c), "a second device works");
		ok(virtio_9p_destroy(&c.dev, 2000) == 0,
		   "with nothing running, destroy returns 0");
		p9fs_close_share(c.fs);
		free(c.ram);
		free(c.reply);
	}
	b9_remove_share(dir);
	return tap_done();
}
