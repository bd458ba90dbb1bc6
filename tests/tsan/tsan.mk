# SPDX-License-Identifier: GPL-2.0
# make check-tsan: the threaded unit tests built with ThreadSanitizer into
# $(TSAN_DIR) (liblkvm too) and run with the suppressions of
# tests/tsan/tsan.supp, each of which says why its report is a false
# alarm. A report makes the test exit non-zero (TSan's exitcode), which
# tests/run.sh counts as a failure; the summary line is run.sh's.
# Not part of make check: TSan slows the tests down 5-15 times and its
# runtime cannot share a binary with ASan's.
TSAN_DIR := $(BUILD)/tsan
# clang, as for check-asan.
TSAN_CC ?= $(shell command -v clang-14 || command -v clang)
TSAN_CFLAGS := -fsanitize=thread -fno-omit-frame-pointer
TSAN_CFLAGS += -Wno-gnu-variable-sized-type-not-at-end
TSAN_OBJS := $(SRCS:%.c=$(TSAN_DIR)/%.o)
TSAN_LIB := $(TSAN_DIR)/liblkvm.a
# The unit tests with threads of their own or the I/O loop's, and cheap.
TSAN_UNIT_NAMES := virtio-blk-race virtio-blk io-loop io-poll io-spin \
	ring-poll disk-uring vcpu-notify vm-stop
TSAN_UNIT_TESTS := $(TSAN_UNIT_NAMES:%=$(TSAN_DIR)/tests/unit/%)
TSAN_SUPP := $(CURDIR)/tests/tsan/tsan.supp
# halt_on_error=0: every report of a run, each one failing it.
TSAN_RUN_OPTIONS := suppressions=$(TSAN_SUPP) second_deadlock_stack=1 \
	halt_on_error=0 exitcode=66

.PHONY: tsan-build check-tsan
tsan-build: $(TSAN_UNIT_TESTS)

check-tsan: deps
ifeq ($(TSAN_CC),)
	@echo 'not ok 1 - check-tsan: clang is missing (make deps)'; \
		echo '0 passed, 1 failed, 0 skipped'; exit 1
else
	@$(MAKE) --no-print-directory tsan-build
	@TSAN_OPTIONS='$(TSAN_RUN_OPTIONS)' tests/run.sh $(TSAN_UNIT_TESTS)
endif

$(TSAN_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(TSAN_CC) $(CPPFLAGS) $(CFLAGS) $(TSAN_CFLAGS) -c -o $@ $<

# $(TSAN_DIR)/lib/seccomp-names.o needs the Makefile's SC_NAMES_H.

$(TSAN_LIB): $(TSAN_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(TSAN_DIR)/tests/unit/%: tests/unit/%.c $(TSAN_LIB)
	@mkdir -p $(dir $@)
	$(TSAN_CC) $(CPPFLAGS) $(CFLAGS) $(TSAN_CFLAGS) -Itests/unit $(LDFLAGS) \
		-o $@ $< $(TSAN_LIB) $(LDLIBS)
