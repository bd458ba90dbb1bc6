// SPDX-License-Identifier: GPL-2.0
/*
 * Every virtio device's queues notified from a thread under the vCPU
 * role's own seccomp filter, as a notification that no ioeventfd takes
 * reaches lkvm (a PCI notify write of another width or value, a
 * virtio-mmio QueueNotify with high bits set, "notifications trap"): a
 * call that filter forbids would kill lkvm (exit 159). Here it traps to
 * a SIGSYS handler that counts it and makes it fail with EPERM, so each
 * case checks both that no forbidden call was made and that the device
 * did its work: blk on both engines, net over a socket backend (as the
 * user-mode network's) and a file-descriptor one (as a tap's), console,
 * rng, balloon.
 */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define TH_MAXQ 5
#include "io-loop.h"
#include "log.h"
#include "seccomp-filter.h"
#include "tap.h"
#include "term-out.h"
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
	static __thread struct sock_filter insn[SC_MAX_INSNS];
	struct sock_fprog prog;
	int n = sc_role_program(SC_ROLE_VCPU, SECCOMP_RET_TRAP, getpid(),
				insn, SC_MAX_INSNS);

	if (n <= 0)
		return false;
	prog.len = (unsigned short)n;
	prog.filter = insn;
	return !prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) &&
	       !syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

struct job {
	void (*fn)(void *arg);
	void *arg;
	bool filtered;
};

static void *vcpu_thread(void *arg)
{
	struct job *j = arg;

	j->filtered = vcpu_filter();
	if (j->filtered) {
		counting = true;
		j->fn(j->arg);
		counting = false;
	}
	return NULL;
}

static bool filtered = true;

/*
 * fn(arg) on a new thread under the vCPU's filter: the number of
 * forbidden calls it made (-1 without a filter here).
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
static void ok_allowed(int n, const char *what)
{
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
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(th_hva(&T, tq->avail + 2), &v16, 2);
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
	th_driver_ok(&T);
	chain(0, &(struct seg){ TH_BUFS, 256, true }, 1);
	n = kick_on_vcpu(0);
	ok_allowed(n, "rng: a request notified on a vCPU");
	done = wait_used(0, &len, 1000) && len == 256;
	ok(done, "rng: ... and its 256 bytes filled (%u)", len);
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
	th_driver_ok(&T);
	memcpy(th_hva(&T, TH_BUFS), "hello vcpu\n", 11);
	chain(1, &(struct seg){ TH_BUFS, 11, false }, 1);
	n = kick_on_vcpu(1);
	ok_allowed(n, what);
	term_out_service(&out);
	ok(wait_used(1, &len, 1000) && read(fds[0], in, sizeof(in)) == 11 &&
	   !memcmp(in, "hello vcpu\n", 11),
	   "%s: the output notified on a vCPU is written", what);
	chain(0, &(struct seg){ TH_BUFS + 0x100, 16, true }, 1);
	n = kick_on_vcpu(0);
	ok_allowed(n, "console: a receive buffer notified on a vCPU");
	ok(rooms >= 2, "console: ... asks the terminal for input (%d)",
	   rooms);
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
	th_negotiate(&T, 0);
	th_queue(&T, 0, 8, NOVEC);
	th_queue(&T, 1, 8, NOVEC);
	th_driver_ok(&T);
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
	virtio_pci_destroy(&VP);
	virtio_balloon_destroy(&b);
	th_fini(&T);
	munmap(ram, TH_RAM_SIZE);
}

/* --- net --- */

struct fake {
	struct net_backend be;
	int peer;
};

static void fake_close(struct net_backend *be)
{
	struct fake *f = (struct fake *)be;

	close(be->fds[0]);
	close(f->peer);
}

static const struct net_backend_ops fake_ops = {
	.name = "fake",
	.close = fake_close,
};

static void test_net(bool sock, struct io_loop *loop)
{
	static struct fake fb;
	struct virtio_net_options o = { .pairs = 1, .loop = loop };
	struct virtio_net *net;
	const char *what = sock ? "net (socket backend, as user-mode)" :
				  "net (fd backend, as tap)";
	u8 frame[NET_HDR_LEN + 60] = { 0 }, got[128];
	char err[256];
	int sv[2], n;
	u32 len = 0;
	bool got_it;

	memset(&fb, 0, sizeof(fb));
	fb.be.ops = &fake_ops;
	fb.be.nr_queues = 1;
	fb.be.sock = sock;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
		abort();
	fb.be.fds[0] = sv[0];
	fb.peer = sv[1];
	o.mac[0] = 2;
	th_init(&T);
	if (virtio_net_create(&net, &T.mem, "virtio-net.0", &fb.be, &o, err,
			      sizeof(err)) ||
	    virtio_pci_init(&VP, virtio_net_vdev(net), &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_NET))
		abort();
	th_negotiate(&T, 0);
	th_queue(&T, 0, 8, NOVEC);
	th_queue(&T, 1, 8, NOVEC);
	th_driver_ok(&T);

	/* A frame out. */
	memset(th_hva(&T, TH_BUFS), 0, NET_HDR_LEN);
	memset(th_hva(&T, TH_BUFS + NET_HDR_LEN), 0xab, 60);
	chain(1, &(struct seg){ TH_BUFS, NET_HDR_LEN + 60, false }, 1);
	n = kick_on_vcpu(1);
	ok_allowed(n, what);
	ok(wait_used(1, NULL, 1000) &&
	   recv(sv[1], got, sizeof(got), MSG_DONTWAIT) == NET_HDR_LEN + 60,
	   "%s: the frame notified on a vCPU reaches the backend", what);

	/*
	 * A frame waits in the backend (the I/O thread saw it, with no
	 * buffer to put it in); then a receive buffer comes, notified on a
	 * vCPU. The backend is edge-triggered: nothing else will wake the
	 * I/O thread for this frame.
	 */
	memset(frame + NET_HDR_LEN, 0xcd, 60);
	if (send(sv[1], frame, sizeof(frame), 0) != sizeof(frame))
		abort();
	usleep(20000);
	chain(0, &(struct seg){ TH_BUFS + 0x1000, 2048, true }, 1);
	n = kick_on_vcpu(0);
	ok_allowed(n, sock ? "net (socket backend): a receive buffer on a vCPU"
			   : "net (fd backend): a receive buffer on a vCPU");
	got_it = wait_used(0, &len, 1000) && len == sizeof(frame) &&
		 ((u8 *)th_hva(&T, TH_BUFS + 0x1000))[NET_HDR_LEN] == 0xcd;
	ok(got_it, "%s: ... and the waiting frame lands in it (%u bytes)",
	   what, len);
	io_loop_stop(loop);
	virtio_pci_destroy(&VP);
	virtio_net_destroy(net);
	if (io_loop_start(loop))
		ok(0, "the I/O loop started again");
	th_fini(&T);
}

/* --- blk --- */

static char path[64];

static void test_blk(enum disk_engine_kind kind, struct io_loop *loop)
{
	struct virtio_blk_options o = {
		.path = path, .engine = kind, .loop = loop, .queue_size = 16,
		.no_lock = true,
	};
	struct virtio_blk *blk;
	const char *what = kind == DISK_ENGINE_URING ? "blk (io_uring)" :
						      "blk (threads)";
	u8 hdr[16] = { 0 }, back[512];
	char err[256] = "";
	u32 v32;
	u64 v64;
	int n, fd;

	th_init(&T);
	if (virtio_blk_create(&blk, &T.mem, &o, err, sizeof(err)) ||
	    virtio_pci_init(&VP, virtio_blk_vdev(blk), &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_BLOCK)) {
		ok(0, "%s: create: %s", what, err);
		return;
	}
	th_negotiate(&T, 0);
	th_queue(&T, 0, 16, NOVEC);
	th_driver_ok(&T);
	v32 = htole32(VIRTIO_BLK_T_OUT);
	memcpy(hdr, &v32, 4);
	v64 = htole64(8);
	memcpy(hdr + 8, &v64, 8);
	memcpy(th_hva(&T, TH_BUFS), hdr, 16);
	memset(th_hva(&T, TH_BUFS + 0x100), 0x77, 512);
	*(u8 *)th_hva(&T, TH_BUFS + 0x400) = 0xff;
	chain(0, (struct seg[]){ { TH_BUFS, 16, false },
				 { TH_BUFS + 0x100, 512, false },
				 { TH_BUFS + 0x400, 1, true } }, 3);
	n = kick_on_vcpu(0);
	ok_allowed(n, what);
	fd = open(path, O_RDONLY);
	ok(wait_used(0, NULL, 2000) &&
	   *(u8 *)th_hva(&T, TH_BUFS + 0x400) == VIRTIO_BLK_S_OK &&
	   fd >= 0 && pread(fd, back, 512, 8 * 512) == 512 &&
	   back[0] == 0x77 && back[511] == 0x77,
	   "%s: the write notified on a vCPU lands in the image", what);
	if (fd >= 0)
		close(fd);
	if (loop)
		io_loop_stop(loop);
	virtio_pci_destroy(&VP);
	virtio_blk_destroy(blk);
	if (loop && io_loop_start(loop))
		ok(0, "the I/O loop started again");
	th_fini(&T);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };
	struct io_loop loop;
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
	test_blk(DISK_ENGINE_URING, &loop);
	test_blk(DISK_ENGINE_THREAD, NULL);
	io_loop_destroy(&loop);
	unlink(path);
	if (!filtered)
		printf("# no seccomp filter could be installed here\n");
	return tap_done();
}
