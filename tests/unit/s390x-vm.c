// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/s390x/vm.c's lifecycle without KVM (no VM fd: the irqchip and FLIC
 * are refused and lkvm goes on): arch_vm_init() and arch_devices_init()
 * put the channel subsystem, the SCLP, the adapter routes, the console
 * attachment and the virtio-ccw devices on the VM's list in that order;
 * destroying the list takes them down in reverse, leaving no subchannel
 * and the console detached; an SCLP reset clears its event masks and
 * waiting input. Runs under qemu-s390x-static.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "log.h"
#include "s390x/s390x-vm.h"
#include "tap.h"

static const char *const made[] = {
	"css", "sclp", "adapter-routes", "console", "virtio", "virtio-rng.0",
};

/* The order of the list's destroy calls. */
struct destroys {
	char names[8][32];
	unsigned int n;
};

static void rec_destroy(void *opaque, const char *op, const char *name)
{
	struct destroys *d = opaque;

	if (!strcmp(op, "destroy") && d->n < ARRAY_SIZE(d->names))
		snprintf(d->names[d->n++], sizeof(d->names[0]), "%s", name);
}

static void test_sclp_reset(void)
{
	struct sclp s;

	sclp_init(&s, SZ_1M, 1);
	s.receive_mask = s.send_mask = 0xffffffff;
	ok(sclp_receive(&s, (const u8 *)"ls\n", 3) == 3 &&
	   sclp_event_pending(&s), "console input waits in the SCLP");
	sclp_reset(&s);
	ok(!s.receive_mask && !s.send_mask,
	   "after sclp_reset(): no event masks");
	s.receive_mask = 0xffffffff;
	ok(!sclp_event_pending(&s), "and the input is gone");
	sclp_destroy(&s);
}

int main(void)
{
	static struct vm_config cfg = {
		.rng = true, .nr_cpus = 1, .ram_size = SZ_1M,
		.console = CONSOLE_SERIAL,
	};
	static struct vm vm;
	struct destroys d = { .n = 0 };
	struct s390x_vm *s;
	u8 *ram = calloc(1, SZ_1M);
	int in[2], out[2];
	unsigned int i, n;
	bool same;

	log_set_level(LOG_ERROR);
	vm.cfg = &cfg;
	vm.vm_fd = -1;
	if (!ram || guest_mem_add(&vm.mem, 0, SZ_1M, ram, false) ||
	    pipe(in) || pipe(out) || io_loop_init(&vm.io) ||
	    term_init(&vm.term, in[0], out[1]))
		return 1;
	ok(arch_vm_init(&vm) == 0 && arch_devices_init(&vm) == 0,
	   "arch_vm_init and arch_devices_init without KVM");
	s = s390x_vm(&vm);
	n = vm.devs.nr;
	same = n == ARRAY_SIZE(made);
	for (i = 0; same && i < n; i++)
		same = !strcmp(vm.devs.list[i].name, made[i]);
	ok(same, "on the list as made: css, sclp, adapter-routes, console, virtio, virtio-rng.0 (%u entries)",
	   n);
	ok(css_find(&s->css, CSS_SID(0)) &&
	   vm.term.room_attached,
	   "--rng on subchannel 0, the console attached");
	vm.devs.trace = rec_destroy;
	vm.devs.trace_opaque = &d;
	vm_devices_destroy(&vm.devs);
	same = d.n == ARRAY_SIZE(made);
	for (i = 0; same && i < d.n; i++)
		same = !strcmp(d.names[i], made[d.n - 1 - i]);
	ok(same, "destroyed in reverse order");
	ok(!css_find(&s->css, CSS_SID(0)) &&
	   !s->routes && !vm.term.room_attached && !vm.term.in_attached &&
	   vm.devs.nr == 0,
	   "then no device or subchannel is left, the routes are freed, the console is detached, the list is empty");
	arch_vm_destroy(&vm);
	ok(!vm.arch, "arch_vm_destroy frees what is left: the arch block");
	term_destroy(&vm.term);
	io_loop_destroy(&vm.io);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	test_sclp_reset();
	return tap_done();
}
