// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/s390x/ccw-devices.c without KVM: the configured virtio devices land
 * on consecutive virtio-ccw subchannels, and when KVM cannot take the
 * queues' notifications (here: no VM at all) they fall back to the DIAGNOSE
 * exit path with NOTIFICATION_DATA still offered; the devices and the
 * transport are torn down through vm->devs (device first), and a device
 * more than the CSS has subchannels is refused with one clear line. Runs
 * under qemu-s390x-static.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "log.h"
#include "s390x/s390x-vm.h"
#include "virtio/rng.h"
#include "vm-devices.h"
#include "vm-virtio.h"

static char trace[1024];

static void record(void *opaque, const char *op, const char *name)
{
	size_t n = strlen(trace);

	snprintf(trace + n, sizeof(trace) - n, "%s%s %s", n ? ", " : "", op,
		 name);
}

/* The vdev on subchannel schno, or NULL. */
static struct virtio_device *on_sch(struct s390x_vm *s, unsigned int schno)
{
	struct css_subchannel *sch = css_find(&s->css, CSS_SID(schno));

	return sch ? container_of(sch, struct virtio_ccw, sch)->vdev : NULL;
}

/* 64 disks and the rng: one device more than the CSS has subchannels. */
#define TEST_DISKS 64
static void test_limit(void)
{
	static struct vm_config cfg = { .rng = true, .nr_cpus = 1 };
	static char paths[TEST_DISKS][64];
	static struct disk_config disks[TEST_DISKS];
	static struct s390x_vm s;
	static struct vm vm;
	char dir[] = "/tmp/lkvm-ccw-XXXXXX", err[4096];
	FILE *f = tmpfile();
	int saved = dup(2), r;
	unsigned int i;
	ssize_t n;

	if (!mkdtemp(dir) || !f || saved < 0)
		abort();
	for (i = 0; i < TEST_DISKS; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/d%u", dir, i);
		fclose(fopen(paths[i], "w"));
		if (truncate(paths[i], 65536))
			abort();
		disks[i] = (struct disk_config){ .arg = paths[i],
						  .path = paths[i] };
	}
	cfg.disks = disks;
	cfg.nr_disks = TEST_DISKS;
	vm.cfg = &cfg;
	vm.vm_fd = -1;
	vm.arch = &s;
	if (guest_mem_add(&vm.mem, 0, SZ_1M, calloc(1, SZ_1M), false) ||
	    io_loop_init(&vm.io))
		abort();
	css_init(&s.css, &vm.mem, NULL);
	log_set_level(LOG_ERROR);
	fflush(stderr);
	dup2(fileno(f), 2);
	r = s390x_virtio_init(&vm, &s.devices);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fileno(f), err, sizeof(err) - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	fclose(f);
	ok(r == -ENOSPC &&
	   strstr(err, "lkvm: no free subchannel for virtio-blk.63 (64 subchannels)\n"),
	   "rng + 64 disks: -ENOSPC, %.*s", (int)strcspn(err, "\n"), err);
	ok(s.css.nr_sch == CSS_MAX_SUBCHANNELS &&
	   on_sch(&s, CSS_MAX_SUBCHANNELS - 1) &&
	   !strcmp(on_sch(&s, CSS_MAX_SUBCHANNELS - 1)->name, "virtio-blk.62"),
	   "the 64 devices before it have subchannels 0-63");
	vm_devices_destroy(&vm.devs);
	ok(css_find(&s.css, CSS_SID(0)) == NULL,
	   "the failed set-up is torn down through the list");
	for (i = 0; i < TEST_DISKS; i++)
		unlink(paths[i]);
	rmdir(dir);
	io_loop_destroy(&vm.io);
}

int main(void)
{
	static struct vm_config cfg = { .rng = true, .nr_cpus = 1 };
	static struct s390x_vm s;
	static struct vm vm;
	static struct virtio_rng rng2;
	struct s390x_ccw_dev *d2 = NULL;
	struct virtio_device *vdev;
	u8 *ram = calloc(1, SZ_1M);
	int err;

	log_set_level(LOG_ERROR);
	vm.cfg = &cfg;
	vm.vm_fd = -1;
	vm.arch = &s;
	if (!ram || guest_mem_add(&vm.mem, 0, SZ_1M, ram, false) ||
	    io_loop_init(&vm.io))
		return 1;
	css_init(&s.css, &vm.mem, NULL);

	vm.devs.trace = record;
	err = s390x_virtio_init(&vm, &s.devices);
	vdev = on_sch(&s, 0);
	ok(err == 0 && vm_virtio_nr_devices(s.devices.virtio) == 1,
	   "--rng: one device created");
	ok(vdev && !strcmp(vdev->name, "virtio-rng.0") &&
	   css_find(&s.css, CSS_SID(0))->devno == 0,
	   "virtio-rng on subchannel 0, device number 0.0.0000");
	ok(vdev && !container_of(css_find(&s.css, CSS_SID(0)),
				 struct virtio_ccw, sch)->ioeventfd,
	   "no KVM: no ioeventfds, notifications take the DIAGNOSE exit");
	ok(vdev && !(vdev->features_mask_out &
		     VIRTIO_BIT(VIRTIO_F_NOTIFICATION_DATA)),
	   "NOTIFICATION_DATA not masked out without ioeventfds");
	if (virtio_rng_init(&rng2, &vm.mem, "virtio-rng.1"))
		return 1;
	ok(s390x_ccw_add(&vm, &rng2.vdev, &d2) == 0 && d2->ccw.sch.schno == 1
	   && css_find(&s.css, CSS_SID(1)) == &d2->ccw.sch,
	   "a second device: subchannel 1");
	{
		struct kvm_irq_routing_entry e;

		s390_adapter_route(&e, 7, 0x14300, 0x14200, 10 + 1, 3);
		ok(e.gsi == 7 && e.type == KVM_IRQ_ROUTING_S390_ADAPTER &&
		   e.u.adapter.ind_addr == 0x14300 &&
		   e.u.adapter.summary_addr == 0x14200 &&
		   e.u.adapter.ind_offset == 11 &&
		   e.u.adapter.summary_offset == 7 &&
		   e.u.adapter.adapter_id == 3,
		   "adapter route: indicator bit 11, summary bit 7, adapter = ISC");
	}
	d2->ccw.thinint = true;
	s390x_thinint_changed(&vm, &d2->ccw);
	ok(d2->ccw.irqfds == NULL,
	   "no in-kernel irqchip: adapter interrupts stay with lkvm");
	s390x_ccw_remove(&vm, d2);
	vm_devices_quiesce(&vm.devs);
	vm_devices_destroy(&vm.devs);
	ok(css_find(&s.css, CSS_SID(0)) == NULL,
	   "removed devices leave their subchannels");
	ok(!strcmp(trace, "quiesce virtio-rng.0, quiesce virtio, destroy virtio-rng.0, destroy virtio"),
	   "teardown through vm->devs: the device, then the transport (%s)",
	   trace);
	io_loop_destroy(&vm.io);
	test_limit();
	return tap_done();
}
