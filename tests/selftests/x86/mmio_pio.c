// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_pio: after userspace completes an MMIO or port I/O exit the guest
 * resumes after the instruction, exactly once, with the value loaded:
 * no access exits twice, none is dropped, every load sees the host's data.
 */
#include <string.h>

#include "selftest.h"
#include "mmio_pio.h"

void mmio_pio_guest(void);

static void put(u8 *data, u64 v, unsigned int len)
{
	memcpy(data, &v, len);
}

static u64 get(const u8 *data, unsigned int len)
{
	u64 v = 0;

	memcpy(&v, data, len);
	return v;
}

int main(void)
{
	struct st_vm t;
	struct vcpu *v;
	u8 *d;
	u32 done = 0;

	st_begin(&t, "mmio_pio",
		 "exits completed twice or never (skip the MMIO/PIO instruction after emulation)");
	st_vm_create(&t, NULL);
	v = t.vcpu;
	st_vcpu_entry(&t, v, mmio_pio_guest, 0);
	st_expect_sync(&t, v, 1);

	put(st_expect_io(&t, v, KVM_EXIT_IO_IN, MP_PORT8, 1, 1), MP_IN8, 1);
	put(st_expect_io(&t, v, KVM_EXIT_IO_IN, MP_PORT16, 2, 1), MP_IN16, 2);
	put(st_expect_io(&t, v, KVM_EXIT_IO_IN, MP_PORT32, 4, 1), MP_IN32, 4);
	d = st_expect_io(&t, v, KVM_EXIT_IO_OUT, MP_PORT8, 1, 1);
	TEST_ASSERT(&t, get(d, 1) == MP_OUT8, "outb wrote 0x%llx",
		    (unsigned long long)get(d, 1));
	d = st_expect_io(&t, v, KVM_EXIT_IO_OUT, MP_PORT32, 4, 1);
	TEST_ASSERT(&t, get(d, 4) == MP_OUT32, "outl wrote 0x%llx",
		    (unsigned long long)get(d, 4));
	st_expect_sync(&t, v, 2);

	/* rep insb: KVM may split the string; every byte exactly once. */
	while (done < MP_STR_LEN) {
		struct kvm_run *run = v->run;
		u32 i;

		if (st_run(&t, v) != KVM_EXIT_IO ||
		    run->io.direction != KVM_EXIT_IO_IN ||
		    run->io.port != MP_PORT_STR || run->io.size != 1 ||
		    !run->io.count || run->io.count > MP_STR_LEN - done)
			st_fail_exit(&t, v, "KVM_EXIT_IO (2) for rep insb");
		d = (u8 *)run + run->io.data_offset;
		for (i = 0; i < run->io.count; i++)
			d[i] = ++done;
	}
	st_expect_sync(&t, v, 3);

	put(st_expect_mmio(&t, v, MP_MMIO, 1, false), MP_MMIO8, 1);
	put(st_expect_mmio(&t, v, MP_MMIO, 2, false), MP_MMIO16, 2);
	put(st_expect_mmio(&t, v, MP_MMIO, 4, false), MP_MMIO32, 4);
	put(st_expect_mmio(&t, v, MP_MMIO, 8, false), MP_MMIO64, 8);
	put(st_expect_mmio(&t, v, MP_MMIO, 4, false), MP_MMIO_ADD, 4);
	st_expect_sync(&t, v, 4);

	d = st_expect_mmio(&t, v, MP_MMIO, 4, true);
	TEST_ASSERT(&t, get(d, 4) == MP_MMIO_W32, "MMIO write of 0x%llx",
		    (unsigned long long)get(d, 4));
	d = st_expect_mmio(&t, v, MP_MMIO + 8, 8, true);
	TEST_ASSERT(&t, get(d, 8) == MP_MMIO_W64, "MMIO write of 0x%llx",
		    (unsigned long long)get(d, 8));
	st_expect_done(&t, v);
	st_pass(&t);
}
