# SPDX-License-Identifier: GPL-2.0
# Linux guest tests: tests/linux/guest-qemu.sh checks the test guest
# (kernel, initramfs, /init) in QEMU/TCG in seconds; tests/linux/boot-*.sh
# each boot it on ./lkvm (minutes on kvm_pvm hosts) and print TAP.
#   make check-linux    run only these suites
# `make check` runs them too; the first time it builds the guest kernel
# (minutes, then cached). LINUX_TESTS=0 leaves them out of `make check`.

LINUX_SUITES := tests/linux/guest-qemu.sh \
	$(sort $(wildcard tests/linux/boot-*.sh))
LINUX_TESTS ?= 1

ifeq ($(LINUX_TESTS),1)
CHECK_DEPS += guest-kernel
CHECK_SUITES += $(LINUX_SUITES)
endif

.PHONY: check-linux
check-linux: deps
	@$(MAKE) --no-print-directory lkvm guest-kernel
	@tests/run.sh $(LINUX_SUITES)
