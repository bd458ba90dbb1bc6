// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/dev-balloon.c: --balloon makes one device (none without it), is
 * refused on hugetlbfs-backed RAM, and registers the "balloon" control
 * verb, whose requests (inflate, deflate, stats, bad ones) are answered
 * through control_reply() as a client's line reaches them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control-ask.h"
#include "tap.h"
#include "virtio/balloon.h"
#include "vm-virtio.h"
#include "vm.h"

int main(void)
{
	struct vm_config cfg = { .ram_size = 64ULL << 20 };
	struct vm_virtio_dev d = { .kind = &dev_balloon_kind };
	static u8 ram[1 << 20];
	struct vm vm;
	char *r;

	log_set_level(LOG_ERROR);
	memset(&vm, 0, sizeof(vm));
	vm.cfg = &cfg;
	vm.name = "box";
	if (guest_mem_add(&vm.mem, 0, sizeof(ram), ram, false))
		abort();
	snprintf(d.name, sizeof(d.name), "virtio-balloon.0");
	d.vm = &vm;

	ok(dev_balloon_kind.count(&cfg) == 0, "no --balloon: no device");
	cfg.balloon = true;
	ok(dev_balloon_kind.count(&cfg) == 1, "--balloon: one device");
	cfg.hugetlbfs_path = "/dev/hugepages";
	ok(dev_balloon_kind.create(&vm, &d) < 0 && !d.vdev,
	   "refused on hugetlbfs-backed RAM");
	cfg.hugetlbfs_path = NULL;
	ok(dev_balloon_kind.create(&vm, &d) == 0 && d.vdev &&
	   d.vdev->ops->device_id == VIRTIO_ID_BALLOON, "made otherwise");
	r = ask(&vm, "balloon inflate 8\n");
	ok(!strncmp(r, "error: unknown request", 22),
	   "no verb before it is on its transport (got '%s')", show(r));
	ok(dev_balloon_kind.attached(&vm, &d) == 0 &&
	   control_verb_find(&vm, "balloon"), "attached: 'balloon' registered");

	r = ask(&vm, "balloon inflate 8\n");
	ok(!strcmp(r, "ok\ntarget_mib 8\n") &&
	   virtio_balloon_target(d.priv) == 8 * 256,
	   "'balloon inflate 8': a target of 2048 pages (got '%s')", show(r));
	r = ask(&vm, "balloon inflate 56\n");
	ok(!strcmp(r, "ok\ntarget_mib 64\n"),
	   "up to all of guest RAM (got '%s')", show(r));
	r = ask(&vm, "balloon inflate 1\n");
	ok(!strcmp(r, "error: a balloon of 65 MiB is beyond the guest's 64 MiB of RAM\n") &&
	   virtio_balloon_target(d.priv) == 64 * 256,
	   "beyond guest RAM: refused, target kept (got '%s')", show(r));
	r = ask(&vm, "balloon deflate 60\n");
	ok(!strcmp(r, "ok\ntarget_mib 4\n"), "deflate 60 (got '%s')", show(r));
	r = ask(&vm, "balloon deflate 5\n");
	ok(!strcmp(r, "error: cannot deflate by 5 MiB: the balloon's target is 4 MiB\n"),
	   "below zero: refused (got '%s')", show(r));
	r = ask(&vm, "balloon inflate 0\n");
	ok(!strncmp(r, "error: balloon inflate: '0' is not a size", 41),
	   "0 MiB refused (got '%s')", show(r));
	r = ask(&vm, "balloon inflate -3\n");
	ok(!strncmp(r, "error: balloon inflate: '-3'", 28), "so is -3");
	r = ask(&vm, "balloon inflate 99999999999999999999999\n");
	ok(!strncmp(r, "error: balloon inflate:", 23), "and a huge number");
	r = ask(&vm, "balloon inflate 4M\n");
	ok(!strncmp(r, "error: balloon inflate: '4M'", 28), "and a suffix");
	r = ask(&vm, "balloon squash 4\n");
	ok(!strncmp(r, "error: balloon: unknown request 'squash 4'", 42),
	   "an unknown balloon request (got '%s')", show(r));
	r = ask(&vm, "balloon\n");
	ok(!strncmp(r, "ok\nballoon_target_mib 4\nballoon_actual_mib 0\n", 44),
	   "bare 'balloon': target and actual (got '%s')", show(r));
	r = ask(&vm, "balloon stats\n");
	ok(!strncmp(r, "ok\n", 3) && strstr(r, "\nballoon_inflated_pages 0\n") &&
	   strstr(r, "\nguest_stats none (no statistics queue: driver not running)\n"),
	   "'balloon stats' without a driver says so (got '%s')", show(r));

	control_verbs_release(&vm);
	dev_balloon_kind.destroy(&d);
	return tap_done();
}
