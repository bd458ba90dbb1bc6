// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio device kinds a user can ask for, in the order they are made
 * (and so their place on the transport). A new kind: a vmm/dev-<kind>.c
 * with its struct vm_virtio_kind, declared in include/vm-virtio.h, and a
 * row here.
 */
#include "vm-virtio.h"

const struct vm_virtio_kind *const vm_virtio_kinds[] = {
	&dev_console_kind,
	&dev_sandbox_port_kind,	/* after the console: hvc1 to hvc3 */
	&dev_rng_kind,
	&dev_blk_kind,
	&dev_net_kind,
	&dev_9p_kind,
	&dev_balloon_kind,
	&dev_vsock_kind,
	NULL
};
