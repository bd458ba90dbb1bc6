// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk back-end benchmark, host side: a driver thread feeds lkvm's
 * virtio-blk device (virtio/blk.c) through a split virtqueue in simulated
 * guest RAM, keeping DEPTH requests in flight. The pieces are wired as in
 * lkvm: the driver kicks the eventfd of lkvm's queue notifier, which the
 * I/O thread polls (KVM's ioeventfd), honouring the device's avail_event;
 * while the I/O thread polls it also looks at the ring itself (as lkvm
 * does for a queue the device allows it on); the device runs on the
 * I/O thread; completions arrive there (io_uring) or on the workers
 * (threads) and wake the driver through the transport's used-buffer signal
 * on another eventfd (an irqfd), honouring the driver's used_event.
 * The driver thread stands for the guest's vCPU: waiting for that
 * interrupt, it halts as a vCPU does under KVM, polling for the interrupt
 * for KVM's adaptive halt-poll window before it sleeps (halt-poll.h);
 * halt-poll=off makes it sleep at once.
 *
 *   blk-bench IMAGE ENGINE(io_uring|threads) RW(randread|randwrite|read|write)
 *             BS DEPTH SECONDS [direct] [seccomp=on|off] [poll=US]
 *             [halt-poll=off] [io=vcpu|io=auto]
 * prints one line: "iops N lat_us L mib_s M engine E kicks_per_req K
 * irqs_per_req I cpu_us_per_req C drv_cpu_us_per_req D ...
 * halt_slept_per_req S" (doorbells and interrupts taken per request: how
 * much the two sides batch; how many of the driver's waits ended asleep
 * rather than in its halt-poll window; CPU time
 * per request of the device side, every thread but the driver's, which
 * stands for the guest, and of the driver thread; and how many events
 * per request the I/O thread found by polling, and how many polls it cut
 * short because it had lost the CPU or did not start because no CPU was
 * free). poll=US sets the I/O loop's polling cap as lkvm's --io-poll
 * does (lkvm's default without). The simulated guest RAM is mapped as
 * lkvm maps guest RAM (guest_ram_map()), with huge pages when direct, as lkvm gives
 * them to a guest with a direct disk (vm_ram_wants_huge() in vmm/vm.c).
 * seccomp=on installs lkvm's filters on the device's threads (the I/O
 * thread, the disk workers) as lkvm run --seccomp on does; the driver
 * thread, the guest's stand-in, stays unfiltered. Without it, or with
 * seccomp=off, the threads run unfiltered, as with --seccomp off.
 * io=vcpu gives the device lkvm's --disk ...,io=vcpu: no ioeventfd, the
 * driver's doorbell calls the device on the driver's thread (a vCPU's
 * trapped write), where a request finding the queue idle runs at once;
 * io=auto, the same while such requests take at most 1 ms there.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "io-poll.h"
#include "../bench/halt-poll.h"
#include "log.h"
#include "queue-notifier.h"
#include "seccomp-filter.h"
#include "virtio/blk.h"
#include "../unit/virtio-drv.h"

#define RAM_GPA		0x100000ULL
#define QSIZE		256
#define DESC		RAM_GPA
#define AVAIL		(RAM_GPA + 0x10000)
#define USED		(RAM_GPA + 0x20000)
#define HDRS		(RAM_GPA + 0x30000)
#define STATUS		(RAM_GPA + 0x38000)
#define DATA		(RAM_GPA + 0x100000)

struct bench {
	struct guest_mem mem;
	u8 *ram;
	u64 ram_size;
	int efd;		/* the used-buffer "irqfd" */
	unsigned int irq_pending;	/* set before efd is written */
	struct halt_poll halt;	/* how the driver, a vCPU, waits for it */
	u16 avail_idx, last_used;
	u16 kicked_idx;		/* avail idx at the last kick */
	u64 kicks, wakeups;
	int kick_fd;		/* the queue's "ioeventfd" */
	struct virtio_device *trap;	/* io=vcpu: the doorbell's device */
	u64 t_submit[QSIZE];
	u64 disk_sectors;
	u32 bs;
	int rw;			/* 0 randread, 1 randwrite, 2 seq read, 3 seq write */
	u64 seq_next;
	u64 rng;
};

static void *hva(struct bench *b, u64 gpa)
{
	return b->ram + (gpa - RAM_GPA);
}

static u64 clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static u64 now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static void sig_used(struct virtio_device *vdev, struct virtq *vq)
{
	struct bench *b = vdev->transport_priv;

	halt_poll_raise(&b->irq_pending);
	eventfd_write(b->efd, 1);
}

static void sig_config(struct virtio_device *vdev)
{
}

static const struct virtio_transport_ops transport = {
	.name = "bench", .signal_used = sig_used, .signal_config = sig_config,
};

static void w16(struct bench *b, u64 gpa, u16 v)
{
	__atomic_store_n((u16 *)hva(b, gpa), htole16(v), __ATOMIC_RELEASE);
}

static u16 r16(struct bench *b, u64 gpa)
{
	return le16toh(__atomic_load_n((u16 *)hva(b, gpa), __ATOMIC_ACQUIRE));
}

/* Kick unless the device said (avail_event) it will look anyway. */
static void kick(struct bench *b)
{
	u16 event;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	event = r16(b, USED + 4 + 8 * QSIZE);
	if (virtq_need_event(event, b->avail_idx, b->kicked_idx)) {
		b->kicks++;
		b->kicked_idx = b->avail_idx;
		if (b->trap) {
			/* A doorbell that exits: the device runs right here. */
			virtio_queue_notify(b->trap, 0);
			return;
		}
		eventfd_write(b->kick_fd, 1);
	}
	b->kicked_idx = b->avail_idx;
}

static u64 next_rand(struct bench *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

/* Post request slot i (descriptors 3i..3i+2) with a new offset. */
static void post(struct bench *b, unsigned int i)
{
	u64 blocks = b->disk_sectors / (b->bs / 512), sector;
	u8 *d = hva(b, DESC + 16ULL * 3 * i);
	u32 *hdr = hva(b, HDRS + 16ULL * i);
	u64 dgpa = DATA + (u64)i * b->bs;
	bool in = b->rw == 0 || b->rw == 2;

	if (b->rw >= 2) {
		sector = b->seq_next;
		b->seq_next += b->bs / 512;
		if (b->seq_next + b->bs / 512 > b->disk_sectors)
			b->seq_next = 0;
	} else {
		sector = (next_rand(b) % blocks) * (b->bs / 512);
	}
	hdr[0] = htole32(in ? 0 : 1);
	hdr[1] = 0;
	memcpy(&hdr[2], &(u64){ htole64(sector) }, 8);
	/* header */
	memcpy(d, &(u64){ htole64(HDRS + 16ULL * i) }, 8);
	memcpy(d + 8, &(u32){ htole32(16) }, 4);
	memcpy(d + 12, &(u16){ htole16(1) }, 2);
	memcpy(d + 14, &(u16){ htole16(3 * i + 1) }, 2);
	/* data */
	d += 16;
	memcpy(d, &dgpa, 8);
	memcpy(d + 8, &(u32){ htole32(b->bs) }, 4);
	memcpy(d + 12, &(u16){ htole16(in ? 3 : 1) }, 2);
	memcpy(d + 14, &(u16){ htole16(3 * i + 2) }, 2);
	/* status */
	d += 16;
	memcpy(d, &(u64){ htole64(STATUS + i) }, 8);
	memcpy(d + 8, &(u32){ htole32(1) }, 4);
	memcpy(d + 12, &(u16){ htole16(2) }, 2);
	memcpy(d + 14, &(u16){ 0 }, 2);
	((u16 *)hva(b, AVAIL + 4))[b->avail_idx % QSIZE] = htole16(3 * i);
	b->t_submit[i] = now_ns();
	b->avail_idx++;
	w16(b, AVAIL + 2, b->avail_idx);
}

int main(int argc, char **argv)
{
	struct virtio_blk_options o = { 0 };
	struct virtio_blk *blk;
	struct virtio_device *vdev;
	struct io_loop loop;
	struct queue_notifier kick_handler;
	struct bench b = { .rng = 0x9e3779b97f4a7c15ULL };
	unsigned int depth, secs, poll_us = IO_POLL_DEFAULT_US, i;
	u64 features, t0, t_end, t, done = 0, lat_sum = 0, cpu0, drv0, cpu, drv;
	char err[256];
	enum sc_mode mode = SC_MODE_OFF;
	const struct sc_kvm_fds no_vm = { .vm_fd = -1, .flic_fd = -1 };
	bool halt_poll = true;

	if (argc < 7)
		return 2;
	o.path = argv[1];
	o.engine = !strcmp(argv[2], "io_uring") ? DISK_ENGINE_URING :
		   DISK_ENGINE_THREAD;
	b.rw = !strcmp(argv[3], "randread") ? 0 :
	       !strcmp(argv[3], "randwrite") ? 1 :
	       !strcmp(argv[3], "read") ? 2 :
	       !strcmp(argv[3], "write") ? 3 : -1;
	b.bs = strtoul(argv[4], NULL, 0);
	depth = strtoul(argv[5], NULL, 0);
	secs = strtoul(argv[6], NULL, 0);
	for (i = 7; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "direct")) {
			o.direct = true;
		} else if (!strcmp(argv[i], "seccomp=on")) {
			mode = SC_MODE_ON;
		} else if (!strcmp(argv[i], "halt-poll=off")) {
			halt_poll = false;
		} else if (!strcmp(argv[i], "io=vcpu")) {
			o.vcpu_io = true;
		} else if (!strcmp(argv[i], "io=auto")) {
			o.vcpu_io = true;
			o.vcpu_io_budget_us = VIRTIO_BLK_AUTO_BUDGET_US;
		} else if (!strncmp(argv[i], "poll=", 5)) {
			poll_us = strtoul(argv[i] + 5, NULL, 0);
		} else if (strcmp(argv[i], "seccomp=off")) {
			return 2;
		}
	}
	if (b.rw < 0 || !b.bs || b.bs % 512 || !depth || depth > QSIZE / 3)
		return 2;
	b.ram_size = 0x100000 + (u64)depth * b.bs;
	b.ram = guest_ram_map(b.ram_size);
	if (!b.ram || guest_mem_add(&b.mem, RAM_GPA, b.ram_size, b.ram, false))
		return 1;
	if (o.direct)
		guest_ram_advise_huge(b.ram, b.ram_size);
	/* Random data to write, as fio writes, not a constant pattern. */
	for (i = 0; i < depth * b.bs / 8; i++) {
		u64 r = next_rand(&b);

		memcpy((u8 *)hva(&b, DATA) + 8ULL * i, &r, 8);
	}
	/* As lkvm run: before the first thread, which installs its filter. */
	if (sc_prepare(mode) || sc_build(&no_vm))
		return 1;
	halt_poll_init(&b.halt, halt_poll);
	b.efd = eventfd(0, 0);
	if (b.efd < 0 || io_loop_init(&loop))
		return 1;
	io_loop_set_poll(&loop, poll_us * 1000);
	o.loop = &loop;
	o.queue_size = QSIZE;
	if (virtio_blk_create(&blk, &b.mem, &o, err, sizeof(err))) {
		fprintf(stderr, "blk-bench: %s\n", err);
		return 1;
	}
	b.disk_sectors = virtio_blk_disk(blk)->size / 512;
	vdev = virtio_blk_vdev(blk);
	virtio_device_set_transport(vdev, &transport, &b);
	features = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
		   VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
		   VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	if (!vdrv_probe(vdev, features, QSIZE, DESC, AVAIL, USED))
		return 1;
	/*
	 * The doorbell: lkvm's own queue notifier, polled as in lkvm; or,
	 * with io=vcpu, none: the driver's kick runs the device as a vCPU's
	 * trapped doorbell write does.
	 */
	queue_notifier_init(&kick_handler, vdev, 0);
	if (vdev->notify_on_vcpu)
		b.trap = vdev;
	else if (queue_notifier_open(&kick_handler, &loop))
		return 1;
	if (io_loop_start(&loop))
		return 1;
	b.kick_fd = kick_handler.handler.fd;

	cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	drv0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	t0 = now_ns();
	t_end = t0 + secs * 1000000000ULL;
	for (i = 0; i < depth; i++)
		post(&b, i);
	kick(&b);
	for (;;) {
		u16 used_idx;
		bool again = false;

		/* used_event = last_used: interrupt on the next completion. */
		w16(&b, AVAIL + 4 + 2 * QSIZE, b.last_used);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		used_idx = r16(&b, USED + 2);
		if (used_idx == b.last_used) {
			if (halt_poll_wait(&b.halt, &b.irq_pending, b.efd,
					   -1) != 1)
				return 1;
			b.wakeups++;
			continue;
		}
		t = now_ns();
		while (b.last_used != used_idx) {
			u32 *e = hva(&b, USED + 4 + 8 * (b.last_used % QSIZE));
			unsigned int id = le32toh(e[0]) / 3;

			if (*(u8 *)hva(&b, STATUS + id) != 0) {
				fprintf(stderr, "blk-bench: request failed\n");
				return 1;
			}
			lat_sum += t - b.t_submit[id];
			done++;
			b.last_used++;
			if (t < t_end) {
				post(&b, id);
				again = true;
			}
		}
		if (again)
			kick(&b);
		else if (t >= t_end && b.last_used == b.avail_idx)
			break;
	}
	t = now_ns() - t0;
	drv = clock_ns(CLOCK_THREAD_CPUTIME_ID) - drv0;
	cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0 - drv;
	printf("iops %.0f lat_us %.1f mib_s %.1f engine %s kicks_per_req %.2f irqs_per_req %.2f cpu_us_per_req %.2f drv_cpu_us_per_req %.2f poll_hits_per_req %.2f poll_cut_per_req %.2f poll_busy_per_req %.2f halt_slept_per_req %.2f\n",
	       done * 1e9 / t, lat_sum / 1e3 / (done ? done : 1),
	       done * (double)b.bs / (1 << 20) * 1e9 / t,
	       virtio_blk_engine_name(blk), (double)b.kicks / (done ? done : 1),
	       (double)b.wakeups / (done ? done : 1),
	       cpu / 1e3 / (done ? done : 1), drv / 1e3 / (done ? done : 1),
	       (double)(loop.poll.hits + loop.poll_busy.hits) /
	       (done ? done : 1),
	       (double)(loop.poll.preempted + loop.poll_busy.preempted) /
	       (done ? done : 1),
	       (double)(loop.poll.busy + loop.poll_busy.busy) /
	       (done ? done : 1),
	       (double)b.halt.slept / (done ? done : 1));
	io_loop_stop(&loop);
	queue_notifier_close(&kick_handler);
	virtio_blk_destroy(blk);
	io_loop_destroy(&loop);
	return 0;
}
