// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/s390x/ccw-devices.c without KVM: the configured virtio devices land
 * on consecutive virtio-ccw subchannels, and when KVM cannot take the
 * queues' notifications (here: no VM at all) they fall back to the DIAGNOSE
 * exit path with NOTIFICATION_DATA still offered. Runs under
 * qemu-s390x-static.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "log.h"
#include "s390x/s390x-vm.h"

int main(void)
{
	static struct vm_config cfg = { .rng = true, .nr_cpus = 1 };
	static struct s390x_vm s;
	static struct vm vm;
	static struct virtio_rng rng2;
	struct s390x_ccw_dev *d2 = NULL;
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

	err = s390x_virtio_init(&vm, &s.devices);
	ok(err == 0 && s.devices.nr == 1, "--rng: one device created");
	ok(css_find(&s.css, CSS_SID(0)) == &s.devices.devs[0]->ccw.sch &&
	   s.devices.devs[0]->ccw.sch.devno == 0 &&
	   s.devices.devs[0]->ccw.vdev == &s.devices.rng.vdev,
	   "virtio-rng on subchannel 0, device number 0.0.0000");
	ok(!s.devices.devs[0]->ccw.ioeventfd &&
	   s.devices.devs[0]->nr_notifiers == 0,
	   "no KVM: no ioeventfds, notifications take the DIAGNOSE exit");
	ok(!(s.devices.rng.vdev.features_mask_out &
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
	s390x_virtio_destroy(&vm, &s.devices);
	ok(s.devices.nr == 0 && css_find(&s.css, CSS_SID(0)) == NULL,
	   "removed devices leave their subchannels");
	io_loop_destroy(&vm.io);
	return tap_done();
}
