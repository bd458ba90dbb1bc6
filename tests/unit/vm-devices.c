// SPDX-License-Identifier: GPL-2.0
/* Tests for the device lifecycle list (vmm/vm-devices.c). */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "vm-devices.h"

struct log {
	char buf[512];
};

static void record(void *opaque, const char *op, const char *name)
{
	struct log *l = opaque;
	size_t n = strlen(l->buf);

	snprintf(l->buf + n, sizeof(l->buf) - n, "%s%s:%s", n ? " " : "",
		 op, name);
}

static int destroyed;

static void count_destroy(void *opaque)
{
	destroyed += *(int *)opaque;
}

static const struct vm_device_ops counted = { .destroy = count_destroy };
static const struct vm_device_ops none;

int main(void)
{
	struct vm_devices devs = { 0 };
	struct log l = { "" };
	int one = 1, ten = 10;

	devs.trace = record;
	devs.trace_opaque = &l;
	ok(!vm_devices_add(&devs, "a", &counted, &one) &&
	       !vm_devices_add(&devs, "b", &none, NULL) &&
	       !vm_devices_add(&devs, "c", &counted, &ten),
	       "three devices registered");
	vm_devices_reset(&devs);
	ok(!strcmp(l.buf, "reset:a reset:b reset:c"),
	       "reset runs in order of creation (%s)", l.buf);
	l.buf[0] = '\0';
	vm_devices_quiesce(&devs);
	vm_devices_quiesce(&devs);
	ok(!strcmp(l.buf, "quiesce:c quiesce:b quiesce:a"),
	       "quiesce runs once each, in reverse order (%s)", l.buf);
	l.buf[0] = '\0';
	vm_devices_destroy(&devs);
	ok(!strcmp(l.buf, "destroy:c destroy:b destroy:a"),
	       "destroy runs in reverse order, no second quiesce (%s)",
	       l.buf);
	ok(destroyed == 11, "each destroy op ran once (%d)", destroyed);
	ok(devs.nr == 0 && !devs.list, "the list is empty afterwards");
	return tap_done();
}
