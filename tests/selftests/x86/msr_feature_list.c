// SPDX-License-Identifier: GPL-2.0
/*
 * msr_feature_list: every feature MSR KVM_GET_MSR_FEATURE_INDEX_LIST
 * reports can be read with the system KVM_GET_MSRS: guards capabilities
 * reported but unusable.
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
	int kvm;

	st_begin(&t, "msr_feature_list",
		 "capabilities reported but unusable: a listed feature MSR that KVM_GET_MSRS on /dev/kvm cannot read");
	kvm = st_kvm_fd(&t);
	st_require_cap(&t, KVM_CAP_GET_MSR_FEATURES, "KVM_CAP_GET_MSR_FEATURES");
	if (!ioctl(kvm, KVM_GET_MSR_FEATURE_INDEX_LIST, &probe) &&
	    probe.nmsrs == 0)
		st_skip(&t, "KVM lists no feature MSRs");
	if (errno != E2BIG && probe.nmsrs == 0)
		st_fail(&t, "KVM_GET_MSR_FEATURE_INDEX_LIST with room for 0: %m, expected E2BIG");
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(u32));
	if (!list)
		st_fail(&t, "out of memory");
	list->nmsrs = probe.nmsrs;
	if (ioctl(kvm, KVM_GET_MSR_FEATURE_INDEX_LIST, list))
		st_fail(&t, "KVM_GET_MSR_FEATURE_INDEX_LIST: %m");
	printf("# %u feature MSRs listed\n", list->nmsrs);
	for (i = 0; i < list->nmsrs; i++) {
		int r;

		memset(&m, 0, sizeof(m));
		m.hdr.nmsrs = 1;
		m.e.index = list->indices[i];
		r = ioctl(kvm, KVM_GET_MSRS, &m);
		if (r != 1) {
			printf("# feature MSR 0x%x is listed but KVM_GET_MSRS returned %d\n",
			       list->indices[i], r);
			bad++;
		}
	}
	free(list);
	if (bad)
		st_fail(&t, "%u of the listed feature MSRs cannot be read", bad);
	st_pass(&t);
}
