# SPDX-License-Identifier: GPL-2.0
# Linux guest boot tests: tests/linux/boot-*.sh, each booting the test
# guest kernel (make guest-kernel, cached) on ./lkvm and printing TAP.
#   make check-linux    run only these suites
# `make check` runs them too; the first time it builds the guest kernel
# (minutes). LINUX_TESTS=0 leaves them out of `make check`.

LINUX_SUITES := $(sort $(wildcard tests/linux/boot-*.sh))
LINUX_TESTS ?= 1

ifeq ($(LINUX_TESTS),1)
CHECK_DEPS += guest-kernel
CHECK_SUITES += $(LINUX_SUITES)
endif

.PHONY: check-linux
check-linux: deps
	@$(MAKE) --no-print-directory lkvm guest-kernel
	@tests/run.sh $(LINUX_SUITES)
