/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forced into the kernel's virtio_ring.c and the driver side of the peer
 * test (-include): every allocation of theirs (rings, indirect tables,
 * buffers; tools/virtio's kmalloc is malloc) comes from the arena that
 * lkvm's device side sees as guest RAM at gpa == host address (tools/virtio
 * has virt_to_phys() as the identity). stdlib.h is included first so that
 * its declarations keep their names; only calls are redirected.
 */
#ifndef LKVM_VIRTIO_PEER_ALLOC_H
#define LKVM_VIRTIO_PEER_ALLOC_H

#include <stdlib.h>

#include "peer.h"

#define malloc(s) peer_malloc(s)
#define calloc(n, s) peer_calloc(n, s)
#define realloc(p, s) peer_realloc(p, s)
#define posix_memalign(p, a, s) peer_posix_memalign(p, a, s)
#define free(p) peer_free(p)

/*
 * Debian's 6.1.192 virtio_ring.c uses data_race(), which the tools/virtio
 * shim of linux/compiler.h lacks. Pull the shim in first (it is include-
 * guarded) and supply the macro only if it is still missing, so a kernel
 * tree that gained the proper fix builds unchanged.
 */
#include <linux/compiler.h>
#ifndef data_race
#define data_race(expr) (expr)
#endif

#endif
