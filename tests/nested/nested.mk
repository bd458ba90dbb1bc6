# SPDX-License-Identifier: GPL-2.0
# make check-nested: on a machine without /dev/kvm, the suites that skip
# for want of it, run again inside an L1 VM under QEMU's software CPU,
# whose emulated SVM lets the L1 kernel's KVM give lkvm a /dev/kvm
# (tests/nested/run.sh). Slow (every instruction is emulated), so not part
# of make check; make check fails when a suite skips for want of KVM and
# is not in this list (tests/run.sh, NESTED_SUITES).
CHECK_PACKAGES += qemu-system-x86 busybox-static
# run.sh's lock, with a stand-in QEMU (seconds): in make check.
CHECK_SUITES += tests/nested/run-lock.sh
# Where VMs cannot start here, two suites that start many, in the L1 VM
# (tests/nested/smoke.sh: minutes; skips until the L1 kernel is built).
ifeq ($(ARCH),x86_64)
CHECK_SUITES += tests/nested/smoke.sh
endif
# tests/run.sh's count of the smoke's checks (stand-in suites, no VM).
CHECK_SUITES += tests/nested/smoke-summary.sh
# The nested stack's hang, told from stall dumps (written by the test).
CHECK_SUITES += tests/nested/hang-signature-test.sh

NESTED_WANT := \
	$(BUILD)/asan/tests/unit/vcpu \
	$(BUILD)/tests/unit/vcpu \
	tests/integration/9p-landlock.sh tests/integration/acpi.sh \
	tests/integration/bad-input.sh tests/integration/boot.sh \
	tests/integration/cli-habits.sh tests/integration/console-flood.sh \
	tests/integration/control-fds.sh tests/integration/control-security.sh \
	tests/integration/control.sh tests/integration/exit-race.sh \
	tests/integration/images.sh tests/integration/jail.sh \
	tests/integration/lifecycle.sh tests/integration/main-helper.sh \
	tests/integration/seccomp.sh tests/integration/shutdown-flush.sh \
	tests/integration/start-signal.sh tests/integration/std-fds.sh \
	tests/integration/term-repair.sh \
	tests/devices/guest-devices.sh tests/selftests/check.sh \
	tests/selftests/harness-check.sh \
	tests/virtio-e2e/virtio-e2e.sh tests/virtio-e2e/many-devices.sh \
	tests/balloon/control.sh tests/blk/e2e.sh tests/blk/io-poll.sh \
	tests/net/cli.sh tests/vsock/cli.sh \
	tests/linux/boot-basic.sh tests/linux/boot-9p.sh \
	tests/linux/boot-jail.sh tests/linux/boot-panic.sh \
	tests/linux/boot-sandbox.sh tests/linux/boot-virtio.sh \
	tests/balloon/linux-balloon.sh tests/blk/linux-blk.sh \
	tests/net/linux-net.sh tests/vsock/linux-vsock.sh \
	$(addprefix $(BUILD)/asan/tests/,integration/9p-landlock.sh \
		integration/acpi.sh integration/bad-input.sh integration/boot.sh \
		integration/cli-habits.sh integration/console-flood.sh \
		integration/control-fds.sh integration/control-security.sh \
		integration/control.sh integration/exit-race.sh \
		integration/images.sh integration/jail.sh integration/lifecycle.sh \
		integration/main-helper.sh integration/seccomp.sh \
		integration/shutdown-flush.sh integration/start-signal.sh \
		integration/std-fds.sh integration/term-repair.sh \
		devices/guest-devices.sh virtio-e2e/virtio-e2e.sh blk/e2e.sh)

# Those of make check's suites (LINUX_TESTS and the sanitizer build
# decide which are there).
NESTED_SUITES = $(filter $(NESTED_WANT),$(CHECK_SUITES))
NESTED_CHECK := 1

.PHONY: check-nested
check-nested: deps
	@$(MAKE) --no-print-directory $(CHECK_DEPS) nested-host-kernel
	@tests/nested/run.sh $(NESTED_SUITES)
