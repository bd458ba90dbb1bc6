# SPDX-License-Identifier: GPL-2.0
# make check-asan: the unit tests, tests/9p/reset.c (a worker left behind
# by a reset, the fids it held freed after it), tests/9p/pool.c (the
# pool's spares, Tflushes waiting for stuck requests; not stuck.c, whose device
# is left allocated by design), tests/9p/renames.c (paths lost and found
# again), and the suites that boot the project's
# test guests (every tests/integration suite, tests/devices, tests/virtio-e2e,
# tests/blk/e2e.sh; not the Linux boots, not the fuzz targets), with
# liblkvm, lkvm and the unit tests built with ASan and UBSan into
# $(ASAN_DIR). Any sanitizer report fails the suite it shows up in:
# a unit test aborts (non-zero exit), and lkvm's reports, written to files
# by tests/asan/run-suite.sh, add a "not ok" to the suite that ran it.
# make check runs them too, as suites of their own ($(ASAN_DIR)/...).
ASAN_DIR := $(BUILD)/asan
# clang, as for the fuzz targets: its UBSan lives in the ASan runtime, so
# log_path takes UBSan's reports too (gcc 12's libubsan writes an
# unrecoverable report to stderr whatever log_path says).
ASAN_CC ?= $(shell command -v clang-14 || command -v clang)
ASAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
# The code is C11 + GNU: clang must not object to GNU extensions.
ASAN_CFLAGS += -Wno-gnu-variable-sized-type-not-at-end
ASAN_OBJS := $(SRCS:%.c=$(ASAN_DIR)/%.o)
ASAN_LIB := $(ASAN_DIR)/liblkvm.a
ASAN_UNIT_TESTS := $(UNIT_SRCS:%.c=$(ASAN_DIR)/%)
ASAN_9P_TESTS := $(ASAN_DIR)/tests/9p/reset $(ASAN_DIR)/tests/9p/pool \
	$(ASAN_DIR)/tests/9p/renames
ASAN_GUEST_SUITES := $(filter-out %/lib.sh,$(wildcard tests/integration/*.sh)) \
	tests/devices/guest-devices.sh tests/virtio-e2e/virtio-e2e.sh \
	tests/blk/e2e.sh
# Each runs through a wrapper of the same path under $(ASAN_DIR).
ASAN_WRAPPERS := $(ASAN_GUEST_SUITES:%=$(ASAN_DIR)/%)
ASAN_SUITES := $(ASAN_UNIT_TESTS) $(ASAN_9P_TESTS) $(ASAN_WRAPPERS)

CHECK_PACKAGES += clang-14
ifneq ($(ASAN_CC),)
CHECK_DEPS += asan-build
CHECK_SUITES += $(ASAN_SUITES)
else
# run-suite.sh without a suite reports the skip.
CHECK_SUITES += tests/asan/run-suite.sh
endif

.PHONY: asan-build check-asan
asan-build: $(ASAN_DIR)/lkvm $(ASAN_UNIT_TESTS) $(ASAN_9P_TESTS) $(ASAN_WRAPPERS)

# The test guests come from tests/guest/guest.mk (read after this file).
check-asan: deps
	@$(MAKE) --no-print-directory asan-build $(GUEST_IMAGES)
	@tests/run.sh $(ASAN_SUITES)

$(ASAN_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_CFLAGS) -c -o $@ $<

# vmm/main.c prints the version: see the Makefile.
$(ASAN_DIR)/vmm/main.o: $(VERSION_STAMP)
$(ASAN_DIR)/vmm/main.o: override CPPFLAGS += $(VERSION_CPPFLAGS)

$(ASAN_LIB): $(ASAN_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(ASAN_DIR)/lkvm: $(ASAN_DIR)/vmm/main.o $(ASAN_LIB)
	$(ASAN_CC) $(LDFLAGS) $(ASAN_CFLAGS) -o $@ $^ $(LDLIBS)

$(ASAN_DIR)/tests/unit/%: tests/unit/%.c $(ASAN_LIB)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_CFLAGS) -Itests/unit -o $@ $< $(ASAN_LIB) \
		$(LDLIBS)

$(ASAN_DIR)/tests/9p/%: tests/9p/%.c tests/9p/client.h tests/9p/blocked.h \
		$(ASAN_LIB)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_CFLAGS) -Itests/unit -o $@ $< $(ASAN_LIB) \
		$(LDLIBS)

$(ASAN_DIR)/tests/%.sh: tests/%.sh tests/asan/run-suite.sh
	@mkdir -p $(dir $@)
	@printf '#!/bin/sh\n# tests/$*.sh with the ASan+UBSan lkvm\nexec "$$(dirname "$$0")/%s/tests/asan/run-suite.sh" tests/$*.sh\n' \
		"$$(realpath --relative-to=$(dir $@) .)" >$@
	@chmod +x $@
