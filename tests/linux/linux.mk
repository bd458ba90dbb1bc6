# SPDX-License-Identifier: GPL-2.0
# Linux guest tests: tests/linux/guest-qemu.sh checks the test guest
# (kernel, initramfs, /init) in QEMU/TCG in seconds; tests/linux/boot-*.sh
# each boot it on ./lkvm (minutes on kvm_pvm hosts) and print TAP.
#   make check-linux    run only these suites
# A boot costs one to four minutes on kvm_pvm hosts (about 1 on an idle
# one: every Linux suite together took 6 of make check's 6.5 minutes).
# LINUX_TESTS=all (default) runs every Linux suite in `make check`,
# LINUX_TESTS=basic only the QEMU check and one lkvm boot, LINUX_TESTS=0
# none. The first time, the guest kernel is built (about 4 minutes, then
# cached). `make check-linux` runs every Linux suite, the device issues'
# boots (tests/*/linux-*.sh) included, with LKVM_LINUX_ALL=1: suites
# then add the boots make check leaves out (boot-sandbox.sh: a panic,
# lkvm setup + run --name).

CHECK_PACKAGES += cpio

# The initramfs builder, without a boot (seconds): always in make check.
CHECK_SUITES += tests/linux/initramfs.sh
# guest-kernel.sh's incremental rebuild, with a stand-in make (seconds).
CHECK_SUITES += tests/linux/guest-kernel-rebuild.sh
# The watcher bench-boot.sh runs QEMU under, without a boot (seconds).
CHECK_SUITES += tests/linux/peer-watch-test.sh
CHECK_SUITES += tests/linux/stall-watch-test.sh

LINUX_SUITES := tests/linux/guest-qemu.sh \
	$(sort $(wildcard tests/linux/boot-*.sh)) \
	$(sort $(wildcard tests/*/linux-*.sh))
LINUX_SUITES_BASIC := tests/linux/guest-qemu.sh tests/linux/boot-basic.sh
LINUX_TESTS ?= all

ifeq ($(LINUX_TESTS),all)
CHECK_DEPS += guest-kernel
CHECK_SUITES += $(LINUX_SUITES)
else ifneq ($(LINUX_TESTS),0)
CHECK_DEPS += guest-kernel
CHECK_SUITES += $(LINUX_SUITES_BASIC)
endif

BENCH_DEPS += guest-kernel
BENCH_SUITES += tests/linux/bench-boot.sh tests/linux/bench-sandbox.sh

.PHONY: check-linux
check-linux: deps
	@$(MAKE) --no-print-directory lkvm guest-kernel guest
	@LKVM_LINUX_ALL=1 tests/run.sh $(LINUX_SUITES)
