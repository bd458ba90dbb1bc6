// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/s390x/exits.c fed synthetic exits in a kvm_run, as KVM would hand
 * them over: DIAGNOSE 0x500 with its register results written back for
 * KVM (KVM_SYNC_GPRS), the condition code in the PSW, the specification
 * exception for an unknown subcode (and nothing else changed), reset and
 * unknown interceptions stopping the VM, and the disabled wait a Linux
 * panic ends in stopping it with status 3. No KVM: the vCPU fd is -1, so
 * the paths that need KVM's memory access fail as they would on a bad
 * address. Runs under qemu-s390x-static.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A wait interception with this PSW mask on a fresh VM: its status. */
static int wait_exit(u64 psw_mask, int *r)
{
	static struct vm_config wcfg = { .nr_cpus = 1 };
	struct kvm_run *wrun = calloc(1, sizeof(*wrun));
	struct vm wvm = { .cfg = &wcfg, .vm_fd = -1, .arch = &s };
	struct vcpu wvcpu = { .vm = &wvm, .fd = -1, .run = wrun };
	int status = -1;

	if (!wrun)
		abort();
	wrun->exit_reason = KVM_EXIT_S390_SIEIC;
	wrun->s390_sieic.icptcode = S390_ICPT_WAIT;
	wrun->psw_mask = psw_mask;
	wrun->psw_addr = 0x1234568;
	*r = arch_handle_exit(&wvcpu);
	if (vm_stop_requested(&wvm))
		status = atomic_load(&wvm.exit_status);
	free(wrun);
	return status;
}

/*
 * The disabled wait Linux's panic ends in (arch/s390 disabled_wait():
 * wait bit, 64-bit addressing, every interruption class masked), as KVM
 * hands it over: a wait interception in a KVM_EXIT_S390_SIEIC.
 */
static void test_waits(void)
{
	const u64 linux_panic = S390_PSW_WAIT | S390_IPL_PSW_MASK;
	const char *want = "lkvm: guest kernel panicked (disabled wait on vCPU 0, PSW 0x0002000180000000 0x0000000001234568): exiting with status 3\n";
	FILE *err = tmpfile();
	enum log_level level = log_get_level();
	int saved = dup(STDERR_FILENO), r, st;
	char line[256] = "";

	if (!err || saved < 0 || dup2(fileno(err), STDERR_FILENO) < 0)
		abort();
	log_set_level(LOG_ERROR);
	st = wait_exit(linux_panic, &r);
	log_set_level(level);
	fflush(stderr);
	if (dup2(saved, STDERR_FILENO) < 0)
		abort();
	close(saved);
	rewind(err);
	if (!fgets(line, sizeof(line), err))
		line[0] = 0;
	ok(r == -1 && st == LKVM_STATUS_PANIC && st == 3 &&
	   !strcmp(line, want) && !fgets(line, sizeof(line), err),
	   "disabled wait (PSW 0x%016llx): stop with status 3 and one line, 'guest kernel panicked (disabled wait on vCPU 0, PSW ...)'",
	   (unsigned long long)linux_panic);
	fclose(err);
	st = wait_exit(linux_panic | (2ULL << S390_PSW_CC_SHIFT), &r);
	ok(r == -1 && st == 3, "the condition code does not matter");
	st = wait_exit(linux_panic | S390_PSW_IO, &r);
	ok(r == -1 && st == 1,
	   "a wait with I/O interruptions enabled is no panic: fatal, status 1");
	st = wait_exit(linux_panic | S390_PSW_MCHECK, &r);
	ok(r == -1 && st == 1, "nor with machine checks enabled: status 1");
	st = wait_exit(S390_IPL_PSW_MASK, &r);
	ok(r == -1 && st == 1, "a wait interception without the wait bit: status 1");
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

	test_waits();
	return tap_done();
}
