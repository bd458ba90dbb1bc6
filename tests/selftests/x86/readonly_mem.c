// SPDX-License-Identifier: GPL-2.0
/*
 * readonly_mem: with KVM_CAP_READONLY_MEM a KVM_MEM_READONLY memslot reads
 * as its memory without exits and a write exits once as KVM_EXIT_MMIO
 * (leaving memory unchanged), then the guest goes on. Guards capabilities
 * reported but unusable and exits completed twice or never.
 */
#include <string.h>

#include "selftest.h"
#include "vm-bare.h"

void readonly_mem_guest(void);

#define RO_GPA		0x10000000ULL
#define RO_SIZE		0x1000ULL

int main(void)
{
	struct st_vm t;
	u64 *ro, v;
	u8 *d;
	int err;

	st_begin(&t, "readonly_mem",
		 "capabilities reported but unusable: read-only memslots read, writes exit once");
	st_vm_create(&t, NULL);
	st_require_cap(&t, KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM");
	err = vm_bare_add_ram(&t.vm, 2, RO_GPA, RO_SIZE, KVM_MEM_READONLY,
			      (void **)&ro);
	if (err)
		st_fail(&t, "read-only memslot: %s", strerror(-err));
	ro[0] = 0x0123456789abcdefULL;
	ro[511] = 0xfedcba9876543210ULL;
	st_vcpu_entry(&t, t.vcpu, readonly_mem_guest, 0);
	st_expect_sync(&t, t.vcpu, 1);
	d = st_expect_mmio(&t, t.vcpu, RO_GPA + 8, 8, true);
	memcpy(&v, d, sizeof(v));
	TEST_ASSERT(&t, v == 0x5555, "MMIO exit with data 0x%llx",
		    (unsigned long long)v);
	st_expect_done(&t, t.vcpu);
	TEST_ASSERT(&t, ro[1] == 0, "read-only memory changed to 0x%llx",
		    (unsigned long long)ro[1]);
	st_pass(&t);
}
