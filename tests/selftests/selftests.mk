# SPDX-License-Identifier: GPL-2.0
# tests/selftests: lkvm's KVM regression selftests and the kernel's own.
#
# make selftests   builds and runs the regression suite (tests/selftests/x86)
#                  alone: its TAP stream and a summary line
# make kselftest   builds the KVM selftests of the pinned kernel source out of
#                  tree (build/kselftest) and runs them; KERNEL_PATCHES=1
#                  applies kernel-patches/ first. Minutes; not in make check.
# make check       runs the suite (per-test time limit, expected failures of
#                  this host kind as TODO) and the harness's own tests.
#
# A test is tests/selftests/<arch>/NAME.c (host side) plus, optionally,
# NAME-guest.c (guest C, freestanding, general registers only) and
# NAME-guest.S. Each is linked -no-pie with the harness and liblkvm.a, so
# the guest runs the binary's own image at its link addresses.

ST_DIR := tests/selftests
ST_OUT := $(BUILD)/tests/selftests

ST_GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-Wno-unused-parameter -ffreestanding -fno-builtin -fno-pic -fno-pie \
	-mgeneral-regs-only -mno-red-zone -mcmodel=small \
	-fno-stack-protector -fcf-protection=none \
	-fno-tree-loop-distribute-patterns -fno-jump-tables \
	-I$(ST_DIR)/lib -MMD -MP

ST_LIB_HOST := $(ST_OUT)/lib/harness.o $(ST_OUT)/lib/x86-vm.o
ST_LIB_GUEST := $(ST_OUT)/lib/guest-lib.o $(ST_OUT)/lib/guest-entry.o

ifeq ($(ARCH),x86_64)
ST_ARCH_DIR := x86
endif

ST_TEST_SRCS := $(if $(ST_ARCH_DIR),$(filter-out %-guest.c,\
	$(wildcard $(ST_DIR)/$(ST_ARCH_DIR)/*.c $(ST_DIR)/harness/*.c)))
ST_TESTS := $(ST_TEST_SRCS:$(ST_DIR)/%.c=$(ST_OUT)/%)
ST_SUITE := $(filter $(ST_OUT)/$(ST_ARCH_DIR)/%,$(ST_TESTS))

# Host objects of the tests and the harness.
$(ST_OUT)/%.host.o: $(ST_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -I$(ST_DIR)/lib -c -o $@ $<

$(ST_LIB_HOST): $(ST_OUT)/lib/%.o: $(ST_DIR)/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -I$(ST_DIR)/lib -c -o $@ $<

# Guest objects: freestanding, no SSE, no red zone.
$(ST_OUT)/%-guest.o: $(ST_DIR)/%-guest.c
	@mkdir -p $(dir $@)
	$(CC) $(ST_GUEST_CFLAGS) -c -o $@ $<

$(ST_OUT)/%-guest.So: $(ST_DIR)/%-guest.S
	@mkdir -p $(dir $@)
	$(CC) $(ST_GUEST_CFLAGS) -c -o $@ $<

$(ST_OUT)/lib/guest-lib.o: $(ST_DIR)/lib/guest-lib.c
	@mkdir -p $(dir $@)
	$(CC) $(ST_GUEST_CFLAGS) -c -o $@ $<

$(ST_OUT)/lib/guest-entry.o: $(ST_DIR)/lib/guest-entry.S
	@mkdir -p $(dir $@)
	$(CC) $(ST_GUEST_CFLAGS) -c -o $@ $<

# The guest objects of test $(1) (path without .c under tests/selftests).
st_guest_objs = $(patsubst $(ST_DIR)/%.c,$(ST_OUT)/%.o,\
		  $(wildcard $(ST_DIR)/$(1)-guest.c)) \
		$(patsubst $(ST_DIR)/%.S,$(ST_OUT)/%.So,\
		  $(wildcard $(ST_DIR)/$(1)-guest.S))

# Link; guest code must be self-contained: a guest object that needs a
# symbol from outside the guest objects (memset from libc, say) would call
# host code from the guest, so the link refuses it.
define st_test_rule
$(ST_OUT)/$(1): $(ST_OUT)/$(1).host.o $(call st_guest_objs,$(1)) \
		$(ST_LIB_GUEST) $(ST_LIB_HOST) $(LIB)
	@mkdir -p $$(dir $$@)
	@ld -r -o $$@.guest.o $(call st_guest_objs,$(1)) $(ST_LIB_GUEST) && \
	 undef=$$$$(nm -u $$@.guest.o | awk '{print $$$$2}' | \
		    grep -v '^__st\(art\|op\)_st_fixups$$$$' || true) && \
	 rm -f $$@.guest.o && \
	 if [ -n "$$$$undef" ]; then \
		echo "$$@: guest code calls outside itself: $$$$undef" >&2; \
		exit 1; fi
	$(CC) $(LDFLAGS) -no-pie -o $$@ $(ST_OUT)/$(1).host.o \
		$(call st_guest_objs,$(1)) $(ST_LIB_GUEST) $(ST_LIB_HOST) \
		$(LIB) $(LDLIBS)
endef
$(foreach t,$(ST_TEST_SRCS:$(ST_DIR)/%.c=%),$(eval $(call st_test_rule,$(t))))

.PHONY: selftests selftests-build kselftest
selftests-build: $(ST_TESTS)

selftests: $(ST_TESTS)
	@$(ST_DIR)/run.sh --summary --xfail $(ST_DIR)/expected-failures \
		$(ST_SUITE)

kselftest: deps
	@$(ST_DIR)/kselftest.sh

ifneq ($(ST_ARCH_DIR),)
CHECK_DEPS += $(ST_TESTS)
CHECK_SUITES += $(ST_DIR)/check.sh $(ST_DIR)/harness-check.sh
endif
CHECK_PACKAGES += binutils linux-source-6.1 xz-utils rsync bc bison flex \
	libelf-dev libssl-dev
