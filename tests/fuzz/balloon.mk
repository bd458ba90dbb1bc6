# SPDX-License-Identifier: GPL-2.0
# libFuzzer target for virtio-balloon (tests/fuzz/fuzz.mk's compiler and
# flags): page lists, statistics buffers and free page reports with
# invariants (balloon-pages: nothing outside writable guest RAM given
# back, counters as a model of the lists says). make check runs it for
# FUZZ_CHECK_TIME seconds (tests/fuzz/balloon-run.sh); make fuzz-balloon
# for FUZZ_TIME.
BALLOON_FUZZ_SRCS := virtio/balloon.c virtio/queue.c virtio/queue-split.c \
	virtio/queue-packed.c virtio/core.c lib/guest-mem.c lib/log.c \
	lib/iov.c
BALLOON_FUZZ_DIR := $(BUILD)/fuzz

CHECK_DEPS += fuzz-balloon-build
CHECK_SUITES += tests/fuzz/balloon-run.sh

.PHONY: fuzz-balloon-build fuzz-balloon
fuzz-balloon-build:
	@mkdir -p $(BALLOON_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory $(BALLOON_FUZZ_DIR)/balloon-pages; \
	fi

$(BALLOON_FUZZ_DIR)/balloon-pages: tests/fuzz/balloon-pages.c \
		$(BALLOON_FUZZ_SRCS) $(wildcard include/*.h include/virtio/*.h) \
		tests/fuzz/split-ring.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(BALLOON_FUZZ_SRCS) -lpthread

fuzz-balloon: fuzz-balloon-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/balloon-run.sh

fuzz: fuzz-balloon
