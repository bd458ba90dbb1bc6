// SPDX-License-Identifier: GPL-2.0
/*
 * Every virtio device's queues notified from a thread under the vCPU
 * role's own seccomp filter, as a notification that no ioeventfd takes
 * reaches lkvm (a PCI notify write of another width or value, a
 * virtio-mmio QueueNotify with high bits set, "notifications trap"): a
 * call that filter forbids would kill lkvm (exit 159). Here it traps to
 * a SIGSYS handler that counts it and makes it fail with EPERM, so each
 * case checks both that no forbidden call was made and that the device
 * did its work: rng; console output (to a pipe, to a socket) and its
 * receive buffers; balloon inflate, deflate, free page report and
 * statistics; net frames both ways and a control command, over a
 * file-descriptor backend (as a tap's) and a socket one (as the user-mode
 * network's), the I/O loop running; blk read, write, flush, GET_ID,
 * WRITE_ZEROES and DISCARD on io_uring and on threads, and with io=vcpu
 * (each request then runs on the vCPU itself); a 9p Tversion.
 * Each device's activation (DRIVER_OK) and reset, which always reach a
 * vCPU, too. virtio-vsock has its own (virtio-vsock-hostile.c).
 */
#include <fcntl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define TH_MAXQ 5
#include "io-loop.h"
#include "log.h"
#include "net-fake-pci.h"
#include "role-filter.h"
#include "seccomp-filter.h"
#include "tap.h"
#include "term-out.h"
#include "virtio/9p.h"
#include "virtio/9p-fs.h"
#include "virtio/balloon.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/net.h"
#include "virtio/rng.h"
#include "virtio-pci-drv.h"

#define NOVEC VIRTIO_MSI_NO_VECTOR
#define PG 4096

static struct th T;
static struct virtio_pci VP;

/* --- The vCPU's filter, forbidden calls counted --- */

static int denied;		/* forbidden calls, while counting */
static int denied_nr = -1;	/* the first one's number */
static __thread bool counting;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	if (counting) {
		if (!__atomic_fetch_add(&denied, 1, __ATOMIC_RELAXED))
			denied_nr = si->si_syscall;
	}
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = (u64)-EPERM;
#else
	(void)uc;
#endif
}

static bool can_trap(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
	return true;
#else
	return false;
#endif
}

/* The vCPU role's program, forbidden calls trapping to on_sigsys(). */
static bool vcpu_filter(void)
{
	return role_filter_install(SC_ROLE_VCPU, SECCOMP_RET_TRAP);
}

struct job {
	void (*fn)(void *arg);
	void *arg;
	bool filtered;
};

static void *vcpu_thread(void *arg)
{
	struct job *j = arg;

	/*
	 * Without a filter here (qemu-user) the work still runs, on a
	 * thread of its own as a vCPU's: what the device does is checked,
	 * the calls it makes cannot be.
	 */
	j->filtered = vcpu_filter();
	counting = j->filtered;
	j->fn(j->arg);
	counting = false;
	return NULL;
}

static bool filtered = true;

/*
 * fn(arg) on a new thread under the vCPU's filter: the number of
 * forbidden calls it made (-1 without a filter here: it ran unfiltered).
 */
static int on_vcpu(void (*fn)(void *arg), void *arg)
{
	struct job j = { fn, arg, false };
	pthread_t t;

	denied = 0;
	denied_nr = -1;
	if (pthread_create(&t, NULL, vcpu_thread, &j) ||
	    pthread_join(t, NULL))
		abort();
	if (!j.filtered)
		filtered = false;
	return j.filtered ? denied : -1;
}

/* ok() for "no forbidden call", with the first one's number. */
static void __printf(2, 3)
ok_allowed(int n, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n < 0) {
		skip("no seccomp filter here", "%s", what);
		return;
	}
	ok(n == 0, "%s: no call the vCPU's filter forbids (%d, first %d)",
	   what, n, denied_nr);
}

static bool wait_used(unsigned int q, u32 *len, int ms)
{
	while (!th_used(&T, q, len)) {
		if (ms-- <= 0)
			return false;
		usleep(1000);
	}
	return true;
}

struct seg {
	u64 gpa;
	u32 len;
	bool write;
};

/* A chain of n descriptors on queue q, not yet made available. */
static void chain(unsigned int q, const struct seg *s, unsigned int n)
{
	struct th_queue *tq = &T.q[q];
	u16 head = (u16)((tq->avail_idx * 4) % tq->size), slot, v16;
	unsigned int i;

	for (i = 0; i < n; i++) {
		u8 *p = th_hva(&T, tq->desc + 16 * ((head + i) % tq->size));
		u64 a = htole64(s[i].gpa);
		u32 l = htole32(s[i].len);
		u16 fl = (u16)((s[i].write ? VIRTQ_DESC_F_WRITE : 0) |
			       (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		u16 next = htole16((u16)((head + i + 1) % tq->size));

		fl = htole16(fl);
		memcpy(p, &a, 8);
		memcpy(p + 8, &l, 4);
		memcpy(p + 12, &fl, 2);
		memcpy(p + 14, &next, 2);
	}
	slot = tq->avail_idx % tq->size;
	v16 = htole16(head);
	memcpy(th_hva(&T, tq->avail + 4 + 2 * slot), &v16, 2);
	tq->avail_idx++;
	v16 = htole16(tq->avail_idx);
	__atomic_store_n((u16 *)th_hva(&T, tq->avail + 2), v16,
			 __ATOMIC_RELEASE);
}

/* The doorbell of queue q, as a guest's trapped write. */
struct kick {
	unsigned int q;
};

static void do_kick(void *arg)
{
	struct kick *k = arg;

	mwr(&T, T.q[k->q].notify, 2, k->q);
}

static int kick_on_vcpu(unsigned int q)
{
	struct kick k = { q };

	return on_vcpu(do_kick, &k);
}

#define DRIVER_OK_ALL (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
		       VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)

static void do_status(void *arg)
{
	mwr(&T, TC(&T, STATUS), 1, *(u8 *)arg);
}

/*
 * The driver's status write, which always reaches a vCPU: DRIVER_OK
 * (the device's activation) or 0 (its reset).
 */
static void status_on_vcpu(u8 st, const char *what)
{
	int n = on_vcpu(do_status, &st);

	ok_allowed(n, "%s: %s on a vCPU", what,
		   st ? "DRIVER_OK" : "a device reset");
	ok(mrd(&T, TC(&T, STATUS), 1) == st, "%s: ... status %#x", what,
	   (unsigned int)mrd(&T, TC(&T, STATUS), 1));
}

/* --- rng --- */

static void test_rng(void)
{
	static struct virtio_rng r;
	u32 len = 0;
	bool done;
	int n;

	th_init(&T);
	if (virtio_rng_init(&r, &T.mem, "virtio-rng.0") ||
	    virtio_pci_init(&VP, &r.vdev, &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_RNG))
		abort();
	th_negotiate(&T, 0);
	th_queue(&T, 0, 8, NOVEC);
	status_on_vcpu(DRIVER_OK_ALL, "rng");
	chain(0, &(struct seg){ TH_BUFS, 256, true }, 1);
	n = kick_on_vcpu(0);
	ok_allowed(n, "rng: a request notified on a vCPU");
	done = wait_used(0, &len, 1000) && len == 256;
	ok(done, "rng: ... and its 256 bytes filled (%u)", len);
	status_on_vcpu(0, "rng");
	virtio_pci_destroy(&VP);
	virtio_rng_destroy(&r);
	th_fini(&T);
}

/* --- console --- */

static int rooms;

static void room(void *o)
{
	rooms++;
}

static void test_console(bool sock)
{
	static struct virtio_console c;
	static struct term_out out;
	const char *what = sock ? "console (stdout a socket)" :
				  "console (stdout a pipe)";
	char in[16] = "";
	int fds[2], n;
	u32 len;

	th_init(&T);
	if ((sock ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds)) ||
	    fcntl(fds[0], F_SETFL, O_NONBLOCK) ||
	    term_out_init(&out, fds[1]) ||
	    virtio_console_init(&c, &T.mem, "virtio-console.0", &out, -1) ||
	    virtio_pci_init(&VP, &c.vdev, &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_CONSOLE))
		abort();
	virtio_console_set_room_cb(&c, room, NULL);
	rooms = 0;
	th_negotiate(&T, 0);
	th_queue(&T, 0, 8, NOVEC);
	th_queue(&T, 1, 8, NOVEC);
	status_on_vcpu(DRIVER_OK_ALL, what);
	memcpy(th_hva(&T, TH_BUFS), "hello vcpu\n", 11);
	chain(1, &(struct seg){ TH_BUFS, 11, false }, 1);
	n = kick_on_vcpu(1);
	ok_allowed(n, "%s: output notified on a vCPU", what);
	term_out_service(&out);
	ok(wait_used(1, &len, 1000) && read(fds[0], in, sizeof(in)) == 11 &&
	   !memcmp(in, "hello vcpu\n", 11),
	   "%s: the output notified on a vCPU is written", what);
	chain(0, &(struct seg){ TH_BUFS + 0x100, 16, true }, 1);
	n = kick_on_vcpu(0);
	ok_allowed(n, "%s: a receive buffer notified on a vCPU", what);
	ok(rooms >= 2, "%s: ... asks the terminal for input (%d)", what,
	   rooms);
	status_on_vcpu(0, what);
	virtio_pci_destroy(&VP);
	virtio_console_destroy(&c);
	term_out_destroy(&out);
	th_fini(&T);
	close(fds[0]);
	close(fds[1]);
}

/* --- balloon --- */

static void test_balloon(void)
{
	static struct virtio_balloon b;
	u8 *ram = mmap(NULL, TH_RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const u64 area = TH_RAM + 0xc0000;
	unsigned int i, left = 0;
	u32 len;
	int n;

	if (ram == MAP_FAILED || sysconf(_SC_PAGESIZE) != PG) {
		skip("needs 4 KiB host pages", "balloon");
		return;
	}
	th_init_ram(&T, ram);
	if (virtio_balloon_init(&b, &T.mem, "virtio-balloon.0",
				TH_RAM_SIZE) ||
	    virtio_pci_init(&VP, &b.vdev, &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_BALLOON))
		abort();
	th_negotiate(&T, VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ) |
		     VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING));
	for (i = 0; i < 4; i++)
		th_queue(&T, i, 8, NOVEC);
	status_on_vcpu(DRIVER_OK_ALL, "balloon");
	memset(th_hva(&T, area), 0x5a, 4 * PG);
	for (i = 0; i < 4; i++) {
		u32 pfn = htole32((u32)(area / PG + i));

		memcpy(th_hva(&T, TH_BUFS + 4 * i), &pfn, 4);
	}
	chain(0, &(struct seg){ TH_BUFS, 16, false }, 1);
	n = kick_on_vcpu(0);
	ok_allowed(n, "balloon: 4 pages inflated on a vCPU");
	for (i = 0; i < 4 * PG; i++)
		left += ((u8 *)th_hva(&T, area))[i] != 0;
	ok(wait_used(0, &len, 1000) && !left,
	   "balloon: ... and given back (%u bytes left)", left);

	chain(1, &(struct seg){ TH_BUFS, 16, false }, 1);
	n = kick_on_vcpu(1);
	ok_allowed(n, "balloon: 4 pages deflated on a vCPU");
	ok(wait_used(1, &len, 1000), "balloon: ... and taken back");

	memset(th_hva(&T, area), 0x5a, 8 * PG);
	chain(3, &(struct seg){ area, 8 * PG, true }, 1);
	n = kick_on_vcpu(3);
	ok_allowed(n, "balloon: a free page report on a vCPU");
	for (i = left = 0; i < 8 * PG; i++)
		left += ((u8 *)th_hva(&T, area))[i] != 0;
	ok(wait_used(3, &len, 1000) && !left,
	   "balloon: ... and the run given back (%u bytes left)", left);

	/* The statistics buffer: the answer to a request, on a vCPU. */
	memset(th_hva(&T, TH_BUFS + 0x100), 0, 10);
	chain(2, &(struct seg){ TH_BUFS + 0x100, 10, false }, 1);
	n = kick_on_vcpu(2);
	ok_allowed(n, "balloon: a statistics buffer on a vCPU");
	status_on_vcpu(0, "balloon");
	virtio_pci_destroy(&VP);
	virtio_balloon_destroy(&b);
	th_fini(&T);
	munmap(ram, TH_RAM_SIZE);
}

/* --- net --- */

static void test_net(bool sock, struct io_loop *loop)
{
	static struct net_fake fb;
	struct virtio_net *net = net_fake_pci(&T, &VP, &fb, sock, loop);
	const char *what = sock ? "net (socket backend, as user-mode)" :
				  "net (fd backend, as tap)";
	u8 frame[NET_HDR_LEN + 60] = { 0 }, got[128];
	int n;
	u32 len = 0;
	bool got_it;

	th_negotiate(&T, VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) |
		     VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX));
	th_queue(&T, 0, 8, NOVEC);
	th_queue(&T, 1, 8, NOVEC);
	th_queue(&T, 2, 8, NOVEC);
	status_on_vcpu(DRIVER_OK_ALL, what);

	/* A control command: promiscuous mode on. */
	memcpy(th_hva(&T, TH_BUFS + 0x2000),
	       (u8[]){ VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 1 }, 3);
	*(u8 *)th_hva(&T, TH_BUFS + 0x2010) = 0xff;
	chain(2, (struct seg[]){ { TH_BUFS + 0x2000, 3, false },
				 { TH_BUFS + 0x2010, 1, true } }, 2);
	n = kick_on_vcpu(2);
	ok_allowed(n, "%s: a control command notified on a vCPU", what);
	ok(wait_used(2, NULL, 1000) &&
	   *(u8 *)th_hva(&T, TH_BUFS + 0x2010) == VIRTIO_NET_OK,
	   "%s: ... is carried out", what);

	/* A frame out. */
	memset(th_hva(&T, TH_BUFS), 0, NET_HDR_LEN);
	memset(th_hva(&T, TH_BUFS + NET_HDR_LEN), 0xab, 60);
	chain(1, &(struct seg){ TH_BUFS, NET_HDR_LEN + 60, false }, 1);
	n = kick_on_vcpu(1);
	ok_allowed(n, "%s: a frame notified on a vCPU", what);
	ok(wait_used(1, NULL, 1000) &&
	   recv(fb.peer, got, sizeof(got), MSG_DONTWAIT) == NET_HDR_LEN + 60,
	   "%s: the frame notified on a vCPU reaches the backend", what);

	/*
	 * A frame waits in the backend (the I/O thread saw it, with no
	 * buffer to put it in); then a receive buffer comes, notified on a
	 * vCPU. The backend is edge-triggered: nothing else will wake the
	 * I/O thread for this frame.
	 */
	memset(frame + NET_HDR_LEN, 0xcd, 60);
	if (send(fb.peer, frame, sizeof(frame), 0) != sizeof(frame))
		abort();
	usleep(20000);
	chain(0, &(struct seg){ TH_BUFS + 0x1000, 2048, true }, 1);
	n = kick_on_vcpu(0);
	ok_allowed(n, "%s: a receive buffer on a vCPU", what);
	got_it = wait_used(0, &len, 1000) && len == sizeof(frame) &&
		 ((u8 *)th_hva(&T, TH_BUFS + 0x1000))[NET_HDR_LEN] == 0xcd;
	ok(got_it, "%s: ... and the waiting frame lands in it (%u bytes)",
	   what, len);
	io_loop_stop(loop);
	status_on_vcpu(0, what);
	virtio_pci_destroy(&VP);
	virtio_net_destroy(net);
	if (io_loop_start(loop))
		ok(0, "the I/O loop started again");
	th_fini(&T);
}

/* --- blk --- */

static char path[64];
/* blk_req()'s request had its status when the doorbell returned. */
static bool blk_done_at_kick;

/*
 * A request of `type` at `sector` with a data buffer of len bytes at
 * TH_BUFS + 0x1000 (none if len is 0), notified on a vCPU: its status,
 * 0xff if it never completed; *denied gets the forbidden calls.
 */
static u8 blk_req(u32 type, u64 sector, u32 len, bool write, int *denied_out)
{
	struct seg s[3] = { { TH_BUFS, 16, false } };
	u8 *st = th_hva(&T, TH_BUFS + 0x800);
	unsigned int n = 1;
	u32 v32 = htole32(type);
	u64 v64 = htole64(sector);

	memset(th_hva(&T, TH_BUFS), 0, 16);
	memcpy(th_hva(&T, TH_BUFS), &v32, 4);
	memcpy(th_hva(&T, TH_BUFS + 8), &v64, 8);
	if (len)
		s[n++] = (struct seg){ TH_BUFS + 0x1000, len, write };
	s[n++] = (struct seg){ TH_BUFS + 0x800, 1, true };
	*st = 0xff;
	chain(0, s, n);
	*denied_out = kick_on_vcpu(0);
	blk_done_at_kick = __atomic_load_n(st, __ATOMIC_ACQUIRE) != 0xff;
	if (!wait_used(0, NULL, 2000))
		return 0xff;
	return *st;
}

/* A discard or write-zeroes segment: sector, count, flags. */
static void blk_range(u64 sector, u32 count)
{
	u64 v64 = htole64(sector);
	u32 v32 = htole32(count), z = 0;

	memcpy(th_hva(&T, TH_BUFS + 0x1000), &v64, 8);
	memcpy(th_hva(&T, TH_BUFS + 0x1008), &v32, 4);
	memcpy(th_hva(&T, TH_BUFS + 0x100c), &z, 4);
}

/* vcpu_io: --disk ...,io=vcpu, each lone request run on the vCPU. */
static void test_blk(enum disk_engine_kind kind, struct io_loop *loop,
		     bool vcpu_io)
{
	struct virtio_blk_options o = {
		.path = path, .engine = kind, .loop = loop, .queue_size = 16,
		.no_lock = true, .serial = "vcpu-notify", .vcpu_io = vcpu_io,
	};
	struct virtio_blk *blk;
	const char *en = kind == DISK_ENGINE_URING ?
			 (vcpu_io ? "io_uring, io=vcpu" : "io_uring") :
			 (vcpu_io ? "threads, io=vcpu" : "threads");
	char dev[48];
	u8 *data = NULL, back[512], st;
	char err[256] = "";
	int n, fd;
	bool same;

	snprintf(dev, sizeof(dev), "blk (%s)", en);
	th_init(&T);
	if (virtio_blk_create(&blk, &T.mem, &o, err, sizeof(err)) ||
	    virtio_pci_init(&VP, virtio_blk_vdev(blk), &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_BLOCK)) {
		if (kind == DISK_ENGINE_URING)
			skip("io_uring unavailable here", "blk (%s): %s", en,
			     err);
		else
			ok(0, "blk (%s): create: %s", en, err);
		th_fini(&T);
		return;
	}
	th_negotiate(&T, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
		     VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) |
		     VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	th_queue(&T, 0, 16, NOVEC);
	status_on_vcpu(DRIVER_OK_ALL, dev);
	data = th_hva(&T, TH_BUFS + 0x1000);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		abort();

	memset(data, 0x77, 512);
	st = blk_req(VIRTIO_BLK_T_OUT, 8, 512, false, &n);
	ok_allowed(n, "blk (%s): a write on a vCPU", en);
	same = pread(fd, back, 512, 8 * 512) == 512 && back[0] == 0x77 &&
	       back[511] == 0x77;
	ok(st == VIRTIO_BLK_S_OK && same,
	   "blk (%s): the write lands in the image (status %u)", en, st);
	if (vcpu_io)
		ok(blk_done_at_kick,
		   "blk (%s): the write was done on the vCPU, before its doorbell returned",
		   en);

	memset(data, 0, 512);
	st = blk_req(VIRTIO_BLK_T_IN, 8, 512, true, &n);
	ok_allowed(n, "blk (%s): a read on a vCPU", en);
	ok(st == VIRTIO_BLK_S_OK && data[0] == 0x77 && data[511] == 0x77,
	   "blk (%s): the read brings it back (status %u)", en, st);
	if (vcpu_io)
		ok(blk_done_at_kick,
		   "blk (%s): the read was done on the vCPU, before its doorbell returned",
		   en);

	st = blk_req(VIRTIO_BLK_T_FLUSH, 0, 0, false, &n);
	ok_allowed(n, "blk (%s): a flush on a vCPU", en);
	ok(st == VIRTIO_BLK_S_OK, "blk (%s): the flush (status %u)", en, st);

	memset(data, 0, 20);
	st = blk_req(VIRTIO_BLK_T_GET_ID, 0, 20, true, &n);
	ok_allowed(n, "blk (%s): GET_ID on a vCPU", en);
	ok(st == VIRTIO_BLK_S_OK && !memcmp(data, "vcpu-notify", 11),
	   "blk (%s): GET_ID gives the serial (status %u)", en, st);

	blk_range(8, 8);
	st = blk_req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, &n);
	ok_allowed(n, "blk (%s): WRITE_ZEROES on a vCPU", en);
	same = pread(fd, back, 512, 8 * 512) == 512 && !back[0] &&
	       !back[511];
	ok(st == VIRTIO_BLK_S_OK && same,
	   "blk (%s): WRITE_ZEROES zeroes the sectors (status %u)", en, st);

	blk_range(0, 2048);
	st = blk_req(VIRTIO_BLK_T_DISCARD, 0, 16, false, &n);
	ok_allowed(n, "blk (%s): DISCARD on a vCPU", en);
	ok(st == VIRTIO_BLK_S_OK, "blk (%s): DISCARD (status %u)", en, st);

	close(fd);
	if (loop)
		io_loop_stop(loop);
	status_on_vcpu(0, dev);
	virtio_pci_destroy(&VP);
	virtio_blk_destroy(blk);
	if (loop && io_loop_start(loop))
		ok(0, "the I/O loop started again");
	th_fini(&T);
}

/* --- 9p --- */

static void test_9p(const char *dir)
{
	struct p9fs_options po = { .dir = dir };
	static struct virtio_9p p;
	/* Tversion: size, type 100, NOTAG, msize 8192, "9P2000.L". */
	static const u8 tversion[] = {
		21, 0, 0, 0, 100, 0xff, 0xff, 0, 0x20, 0, 0,
		8, 0, '9', 'P', '2', '0', '0', '0', '.', 'L',
	};
	const char *why = NULL;
	struct p9fs *fs;
	u8 *r;
	bool done;
	int n;

	if (p9fs_open_share(&po, &fs, &why)) {
		ok(0, "9p: open the share: %s", why ? why : "?");
		return;
	}
	th_init(&T);
	if (virtio_9p_init(&p, fs, "share", &T.mem, "virtio-9p.0") ||
	    virtio_pci_init(&VP, &p.vdev, &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_9P))
		abort();
	th_negotiate(&T, VIRTIO_BIT(VIRTIO_9P_MOUNT_TAG));
	th_queue(&T, 0, 8, NOVEC);
	status_on_vcpu(DRIVER_OK_ALL, "9p");
	memcpy(th_hva(&T, TH_BUFS), tversion, sizeof(tversion));
	r = th_hva(&T, TH_BUFS + 0x1000);
	memset(r, 0, 64);
	chain(0, (struct seg[]){ { TH_BUFS, sizeof(tversion), false },
				 { TH_BUFS + 0x1000, 8192, true } }, 2);
	n = kick_on_vcpu(0);
	ok_allowed(n, "9p: a Tversion notified on a vCPU");
	done = wait_used(0, NULL, 2000) && r[4] == 101;
	ok(done, "9p: ... answered with Rversion (type %u)", r[4]);
	status_on_vcpu(0, "9p");
	virtio_pci_destroy(&VP);
	if (virtio_9p_destroy(&p, 2000))
		abort();
	th_fini(&T);
	p9fs_close_share(fs);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };
	struct io_loop loop;
	char dir[64];
	int fd;

	log_set_level(LOG_ERROR);
	if (!can_trap()) {
		printf("1..0 # SKIP no SIGSYS return register known here\n");
		return 0;
	}
	if (sigaction(SIGSYS, &sa, NULL))
		abort();
	test_rng();
	test_console(false);
	test_console(true);
	test_balloon();
	if (io_loop_init(&loop) || io_loop_start(&loop))
		abort();
	test_net(false, &loop);
	test_net(true, &loop);

	snprintf(path, sizeof(path), "/tmp/lkvm-vcpu-notify-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, 1 << 20) || close(fd))
		abort();
	test_blk(DISK_ENGINE_URING, &loop, false);
	test_blk(DISK_ENGINE_THREAD, NULL, false);
	test_blk(DISK_ENGINE_URING, &loop, true);
	test_blk(DISK_ENGINE_THREAD, &loop, true);
	io_loop_destroy(&loop);
	unlink(path);
	snprintf(dir, sizeof(dir), "/tmp/lkvm-vcpu-notify-9p-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	test_9p(dir);
	rmdir(dir);
	if (!filtered)
		printf("# no seccomp filter could be installed here\n");
	return tap_done();
}
