// SPDX-License-Identifier: GPL-2.0
/*
 * coalesced_io: coalesced MMIO and coalesced PIO zones at the same address
 * register, fire (ring entries, no exits) and unregister on the right bus:
 * unregistering the PIO zone never touches the MMIO bus and vice versa.
 * Guards resources unregistered from the wrong place.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "selftest.h"

void coalesced_io_guest(void);

#define ZONE		ST_MMIO_BASE
#define ZONE_SIZE	0x100

struct want {
	u64 addr;
	u32 len;
	bool pio;
	u64 data;
};

static void zone(struct st_vm *t, bool pio, bool add)
{
	struct kvm_coalesced_mmio_zone z = {
		.addr = ZONE, .size = ZONE_SIZE, .pio = pio,
	};

	if (ioctl(t->vm.vm_fd, add ? KVM_REGISTER_COALESCED_MMIO :
		  KVM_UNREGISTER_COALESCED_MMIO, &z))
		st_fail(t, "%s the %s zone: %m",
			add ? "KVM_REGISTER_COALESCED_MMIO" :
			"KVM_UNREGISTER_COALESCED_MMIO", pio ? "PIO" : "MMIO");
}

/* The ring holds exactly these entries; consume them. */
static void check_ring(struct st_vm *t, struct kvm_coalesced_mmio_ring *ring,
		       u32 max, const struct want *w, u32 n)
{
	u32 i, have = (ring->last - ring->first + max) % max;

	TEST_ASSERT(t, have == n, "%u entries in the coalesced ring, expected %u",
		    have, n);
	for (i = 0; i < n; i++) {
		struct kvm_coalesced_mmio *e =
			&ring->coalesced_mmio[(ring->first + i) % max];
		u64 data = 0;

		memcpy(&data, e->data, MIN(e->len, 8u));
		if (e->phys_addr != w[i].addr || e->len != w[i].len ||
		    !e->pio != !w[i].pio || data != w[i].data)
			st_fail(t, "ring entry %u: %s 0x%llx len %u data 0x%llx, expected %s 0x%llx len %u data 0x%llx",
				i, e->pio ? "port" : "mmio",
				(unsigned long long)e->phys_addr, e->len,
				(unsigned long long)data,
				w[i].pio ? "port" : "mmio",
				(unsigned long long)w[i].addr, w[i].len,
				(unsigned long long)w[i].data);
	}
	ring->first = (ring->first + n) % max;
}

int main(void)
{
	const struct want s1[] = {
		{ ZONE, 4, false, 1 }, { ZONE + 4, 4, false, 2 },
		{ ZONE, 1, true, 3 }, { ZONE + 2, 2, true, 4 },
	};
	const struct want s2[] = { { ZONE, 4, false, 5 } };
	const struct want s3[] = { { ZONE, 1, true, 7 } };
	struct kvm_coalesced_mmio_ring *ring;
	long page = sysconf(_SC_PAGESIZE);
	struct st_vm t;
	u32 max;
	int off;
	u8 *d;

	st_begin(&t, "coalesced_io",
		 "resources unregistered from the wrong place: PIO/MMIO coalescing zones on their own bus");
	st_vm_create(&t, NULL);
	off = st_check_cap(&t, KVM_CAP_COALESCED_MMIO);
	if (off <= 0)
		st_skip(&t, "host KVM lacks KVM_CAP_COALESCED_MMIO");
	st_require_cap(&t, KVM_CAP_COALESCED_PIO, "KVM_CAP_COALESCED_PIO");
	if ((u64)off * page >= t.vm.run_mmap_size)
		st_fail(&t, "coalesced ring at page %d, outside the %zu-byte run area",
			off, t.vm.run_mmap_size);
	ring = (void *)((u8 *)t.vcpu->run + off * page);
	max = (page - sizeof(*ring)) / sizeof(ring->coalesced_mmio[0]);

	zone(&t, false, true);
	zone(&t, true, true);
	st_vcpu_entry(&t, t.vcpu, coalesced_io_guest, 0);
	st_expect_sync(&t, t.vcpu, 1);
	check_ring(&t, ring, max, s1, ARRAY_SIZE(s1));

	zone(&t, true, false);
	d = st_expect_io(&t, t.vcpu, KVM_EXIT_IO_OUT, ZONE, 1, 1);
	TEST_ASSERT(&t, *d == 6, "outb after the PIO zone went wrote %u", *d);
	st_expect_sync(&t, t.vcpu, 2);
	check_ring(&t, ring, max, s2, ARRAY_SIZE(s2));

	zone(&t, true, true);
	zone(&t, false, false);
	d = st_expect_mmio(&t, t.vcpu, ZONE, 4, true);
	TEST_ASSERT(&t, *d == 8, "MMIO write after the MMIO zone went: %u", *d);
	st_expect_sync(&t, t.vcpu, 3);
	check_ring(&t, ring, max, s3, ARRAY_SIZE(s3));

	zone(&t, true, false);
	st_expect_mmio(&t, t.vcpu, ZONE, 4, true);
	st_expect_io(&t, t.vcpu, KVM_EXIT_IO_OUT, ZONE, 1, 1);
	st_expect_done(&t, t.vcpu);
	check_ring(&t, ring, max, NULL, 0);
	st_pass(&t);
}
