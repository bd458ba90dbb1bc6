// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/rng.c behind the virtio-pci transport: writable buffers come back
 * full of bytes that differ between requests and look random, requests
 * are capped, read-only buffers get nothing, and buffers spanning several
 * descriptors are all filled.
 */
#include <stdio.h>

#include "tap.h"
#include "log.h"
#include "virtio/rng.h"
#include "virtio-pci-drv.h"

#define NOVEC VIRTIO_MSI_NO_VECTOR

static struct th T;
static struct virtio_rng R;
static struct virtio_pci VP;

static unsigned int distinct(const u8 *p, size_t n)
{
	bool seen[256] = { false };
	unsigned int d = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		d += !seen[p[i]];
		seen[p[i]] = true;
	}
	return d;
}

int main(void)
{
	u8 *a, *b;
	u32 len = 0;
	unsigned int ones = 0;
	size_t i;

	log_set_level(LOG_ERROR);
	th_init(&T);
	if (virtio_rng_init(&R, &T.mem, "virtio-rng.0") ||
	    virtio_pci_init(&VP, &R.vdev, &T.host, &T.intx))
		abort();
	ok(th_find(&T, VIRTIO_ID_RNG) &&
	   th_device_features(&T) == VIRTIO_CORE_FEATURES,
	   "virtio-rng: device 4, no device-specific features");
	th_negotiate(&T, 0);
	th_queue(&T, 0, 8, NOVEC);
	th_driver_ok(&T);

	a = th_hva(&T, TH_BUFS);
	b = th_hva(&T, TH_BUFS + 0x1000);
	th_post(&T, 0, TH_BUFS, 4096, true);
	ok(th_used(&T, 0, &len) && len == 4096, "4096-byte buffer filled");
	th_post(&T, 0, TH_BUFS + 0x1000, 4096, true);
	ok(th_used(&T, 0, &len) && len == 4096 && memcmp(a, b, 4096),
	   "a second request gets different bytes");
	for (i = 0; i < 4096; i++)
		ones += __builtin_popcount(a[i]);
	ok(distinct(a, 4096) == 256 && ones > 16384 - 1024 &&
	   ones < 16384 + 1024,
	   "4096 bytes: all 256 values, %u of 32768 bits set", ones);

	th_post(&T, 0, TH_BUFS, 256 * 1024, true);
	ok(th_used(&T, 0, &len) && len == VIRTIO_RNG_MAX_REQUEST,
	   "a 256 KiB buffer gets the per-request cap (%u bytes)",
	   VIRTIO_RNG_MAX_REQUEST);
	memset(a, 0, 64);
	th_post(&T, 0, TH_BUFS, 64, false);
	ok(th_used(&T, 0, &len) && len == 0 && distinct(a, 64) == 1,
	   "a device-readable buffer gets nothing");
	ok(T.level == 1 && mrd(&T, T.isr, 1) == 1,
	   "used buffers raise the interrupt");
	ok(R.bytes == 2 * 4096 + VIRTIO_RNG_MAX_REQUEST, "byte counter");

	virtio_pci_destroy(&VP);
	virtio_rng_destroy(&R);
	th_fini(&T);
	return tap_done();
}
