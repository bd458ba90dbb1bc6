# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets for virtio-blk (uses tests/fuzz/fuzz.mk's compiler and
# flags): the request parser (blk-request), qcow2 header/table parsing
# (blk-qcow2), and the device on an asynchronous engine with queue and
# device resets in the middle of I/O (blk-reset). make check runs each
# for FUZZ_CHECK_TIME seconds (tests/fuzz/blk-run.sh); make fuzz-blk runs
# them for FUZZ_TIME each.
BLK_FUZZ_SRCS := virtio/blk.c devices/disk-image.c devices/disk-qcow2.c \
	$(wildcard devices/qcow2-*.c) \
	devices/disk-thread.c devices/disk-uring.c virtio/queue.c \
	virtio/queue-split.c virtio/queue-packed.c virtio/core.c \
	lib/guest-mem.c lib/log.c lib/io-loop.c lib/io-poll.c lib/seccomp-state.c lib/safe-open.c lib/iov.c \
	lib/queue-notifier.c
BLK_FUZZ_TARGETS := blk-request blk-qcow2 blk-reset
# This fragment is read before fuzz.mk: own names for what targets need.
BLK_FUZZ_DIR := $(BUILD)/fuzz

CHECK_DEPS += fuzz-blk-build
CHECK_SUITES += tests/fuzz/blk-run.sh

.PHONY: fuzz-blk-build fuzz-blk
fuzz-blk-build:
	@mkdir -p $(BLK_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory \
			$(BLK_FUZZ_TARGETS:%=$(BLK_FUZZ_DIR)/%); \
	fi

$(BLK_FUZZ_DIR)/blk-%: tests/fuzz/blk-%.c $(BLK_FUZZ_SRCS) \
		$(wildcard include/*.h include/virtio/*.h) \
		tests/fuzz/split-ring.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -D_FILE_OFFSET_BITS=64 -o $@ $< \
		$(BLK_FUZZ_SRCS) $(BLK_FUZZ_LDFLAGS) -lpthread -luring -lz

# blk-qcow2 records every write to the image (its no-write-in-metadata
# invariant) by wrapping pwrite.
$(BLK_FUZZ_DIR)/blk-qcow2: BLK_FUZZ_LDFLAGS := \
	-Wl,--wrap=pwrite,--wrap=pwrite64

fuzz-blk: fuzz-blk-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/blk-run.sh

fuzz: fuzz-blk
