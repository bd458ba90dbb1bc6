// SPDX-License-Identifier: GPL-2.0
/*
 * msr_index_list: every MSR KVM_GET_MSR_INDEX_LIST reports can be read
 * with KVM_GET_MSRS on a vCPU with the supported CPUID (the MCG_EXT_CTL
 * class of bug): guards capabilities reported but unusable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "selftest.h"

int main(void)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m;
	unsigned int i, bad = 0;
	struct st_vm t;
	char first[64] = "";

	st_begin(&t, "msr_index_list",
		 "capabilities reported but unusable: a listed MSR that KVM_GET_MSRS cannot read");
	st_vm_create(&t, NULL);
	if (!ioctl(t.vm.kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe) ||
	    errno != E2BIG)
		st_fail(&t, "KVM_GET_MSR_INDEX_LIST with room for 0: %m, expected E2BIG");
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(u32));
	if (!list)
		st_fail(&t, "out of memory");
	list->nmsrs = probe.nmsrs;
	if (ioctl(t.vm.kvm_fd, KVM_GET_MSR_INDEX_LIST, list))
		st_fail(&t, "KVM_GET_MSR_INDEX_LIST: %m");
	printf("# %u MSRs listed\n", list->nmsrs);
	for (i = 0; i < list->nmsrs; i++) {
		int r;

		memset(&m, 0, sizeof(m));
		m.hdr.nmsrs = 1;
		m.e.index = list->indices[i];
		r = ioctl(t.vcpu->fd, KVM_GET_MSRS, &m);
		if (r != 1) {
			printf("# MSR 0x%x is listed but KVM_GET_MSRS returned %d%s%s\n",
			       list->indices[i], r, r < 0 ? ": " : "",
			       r < 0 ? strerror(errno) : "");
			if (!bad++)
				snprintf(first, sizeof(first), "0x%x",
					 list->indices[i]);
		}
	}
	free(list);
	if (bad)
		st_fail(&t, "%u of the listed MSRs cannot be read (first: %s)",
			bad, first);
	st_pass(&t);
}
