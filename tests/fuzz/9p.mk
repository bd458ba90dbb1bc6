# SPDX-License-Identifier: GPL-2.0
# libFuzzer target for virtio-9p (uses tests/fuzz/fuzz.mk's compiler and
# flags): the 9P2000.L parser and dispatcher over a real share
# (9p-dispatch), with its invariants (one reply per request, its size and
# tag right; nothing beside the share changes). make check runs it for
# FUZZ_CHECK_TIME seconds (tests/fuzz/9p-run.sh); make fuzz-9p, and make
# fuzz, for FUZZ_TIME.
P9_FUZZ_SRCS := virtio/9p-ops.c virtio/9p-fids.c virtio/9p-proto.c \
	virtio/9p-renames.c \
	$(wildcard virtio/9p-fs*.c) lib/log.c lib/iov.c lib/landlock.c
P9_FUZZ_DIR := $(BUILD)/fuzz

CHECK_DEPS += fuzz-9p-build
CHECK_SUITES += tests/fuzz/9p-run.sh

.PHONY: fuzz-9p-build fuzz-9p
fuzz-9p-build:
	@mkdir -p $(P9_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory $(P9_FUZZ_DIR)/9p-dispatch; \
	fi

$(P9_FUZZ_DIR)/9p-dispatch: tests/fuzz/9p-dispatch.c $(P9_FUZZ_SRCS) \
		$(wildcard include/*.h include/virtio/*.h virtio/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -D_FILE_OFFSET_BITS=64 -o $@ $< \
		$(P9_FUZZ_SRCS) -lpthread

fuzz-9p: fuzz-9p-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/9p-run.sh

fuzz: fuzz-9p
