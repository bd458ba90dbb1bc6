// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/s390x/exits.c fed synthetic exits in a kvm_run, as KVM would hand
 * them over: DIAGNOSE 0x500 with its register results written back for
 * KVM (KVM_SYNC_GPRS), the condition code in the PSW, the specification
 * exception for an unknown subcode (and nothing else changed), reset and
 * unknown interceptions stopping the VM. No KVM: the vCPU fd is -1, so
 * the paths that need KVM's memory access fail as they would on a bad
 * address. Runs under qemu-s390x-static.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "arch.h"
#include "log.h"
#include "s390x/s390x-vm.h"

static struct vm_config cfg = { .nr_cpus = 1 };
static struct s390x_vm s;
static struct vm vm;
static struct kvm_run *run;
static struct vcpu vcpu;

static void notify(struct virtio_device *d, struct virtq *vq)
{
}

static const struct virtio_device_ops ops = {
	.name = "t", .device_id = VIRTIO_ID_RNG, .queue_notify = notify,
};

static void sieic(u16 ipa, u32 ipb)
{
	run->exit_reason = KVM_EXIT_S390_SIEIC;
	run->s390_sieic.icptcode = S390_ICPT_INSTRUCTION;
	run->s390_sieic.ipa = ipa;
	run->s390_sieic.ipb = ipb;
	run->kvm_dirty_regs = 0;
}

int main(void)
{
	static struct virtio_device vdev;
	static struct virtio_ccw ccw;
	u8 *ram = calloc(1, SZ_1M);
	u64 regs[16];
	int r;

	log_set_level(LOG_ERROR - 1);
	run = calloc(1, sizeof(*run));
	vm.cfg = &cfg;
	vm.vm_fd = -1;
	vm.arch = &s;
	vcpu.vm = &vm;
	vcpu.fd = -1;
	vcpu.run = run;
	if (!ram || !run || guest_mem_add(&vm.mem, 0, SZ_1M, ram, false))
		return 1;
	css_init(&s.css, &vm.mem, NULL);
	if (virtio_device_init(&vdev, &ops, NULL, &vm.mem, "t.0", 1, 8) ||
	    virtio_ccw_init(&ccw, &s.css, &vdev, 0))
		return 1;
	ccw.sch.enabled = true;

	/* DIAG 500/3 on a queue that is not set up: -EINVAL back in r2. */
	run->psw_mask = S390_IPL_PSW_MASK;
	run->s.regs.gprs[1] = 3;
	run->s.regs.gprs[2] = CSS_SID(0);
	run->s.regs.gprs[3] = 0;
	sieic(0x8312, 0x05000000);
	r = arch_handle_exit(&vcpu);
	ok(r == 1 && (s64)run->s.regs.gprs[2] == -EINVAL &&
	   (run->kvm_dirty_regs & KVM_SYNC_GPRS) && s.nr_diag500 == 1,
	   "SIEIC 8312/05000000: DIAG 500, r2 = -EINVAL written back for KVM");

	/* Unknown subcode: program interrupt, registers as they were. */
	run->s.regs.gprs[1] = 9;
	run->s.regs.gprs[2] = CSS_SID(0);
	memcpy(regs, run->s.regs.gprs, sizeof(regs));
	run->psw_mask = S390_IPL_PSW_MASK | (2ULL << S390_PSW_CC_SHIFT);
	sieic(0x8312, 0x05000000);
	r = arch_handle_exit(&vcpu);
	ok(r == 1 && !memcmp(regs, run->s.regs.gprs, sizeof(regs)) &&
	   !run->kvm_dirty_regs &&
	   run->psw_mask == (S390_IPL_PSW_MASK | (2ULL << S390_PSW_CC_SHIFT)),
	   "DIAG 500 subcode 9: specification exception, registers and PSW untouched");

	/* XSCH: cc 2 in the PSW, registers unchanged. */
	run->s.regs.gprs[1] = CSS_SID(0);
	sieic(0xb276, 0);
	r = arch_handle_exit(&vcpu);
	ok(r == 1 && ((run->psw_mask >> S390_PSW_CC_SHIFT) & 3) == 2 &&
	   s.nr_io == 1, "SIEIC b276: XSCH, cc 2 in the PSW");

	/* STSCH needs KVM's memory access: with none, no cc is set. */
	run->psw_mask = S390_IPL_PSW_MASK;
	sieic(0xb234, 0x00800000);
	r = arch_handle_exit(&vcpu);
	ok(r == 1 && ((run->psw_mask >> S390_PSW_CC_SHIFT) & 3) == 0,
	   "STSCH whose operand cannot be stored: no condition code set");

	/* Exits that are not s390's go to the common code. */
	run->exit_reason = KVM_EXIT_MMIO;
	ok(arch_handle_exit(&vcpu) == 0, "other exits are not the arch's");

	/* An instruction lkvm does not know stops the VM. */
	sieic(0xb2ff, 0);
	ok(arch_handle_exit(&vcpu) == -1 && vm_stop_requested(&vm) &&
	   atomic_load(&vm.exit_status) == 1,
	   "unknown intercepted instruction: fatal, exit status 1");
	return tap_done();
}
