# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets for virtio-net (tests/fuzz/fuzz.mk's compiler and
# flags): transmit path, control queue and receive path with invariants
# (net-tx); a received frame's header against the offloads in force, the
# checksums it completes verified (net-rxhdr). make check runs each for
# FUZZ_CHECK_TIME seconds (tests/fuzz/net-run.sh); make fuzz-net for
# FUZZ_TIME.
NET_FUZZ_SRCS := virtio/net.c virtio/net-rxhdr.c virtio/queue.c \
	virtio/queue-split.c virtio/queue-packed.c virtio/core.c \
	lib/guest-mem.c lib/log.c lib/io-loop.c lib/io-poll.c \
	lib/seccomp-state.c lib/iov.c
NET_RXHDR_FUZZ_SRCS := virtio/net-rxhdr.c lib/iov.c
NET_FUZZ_DIR := $(BUILD)/fuzz

CHECK_DEPS += fuzz-net-build
CHECK_SUITES += tests/fuzz/net-run.sh

.PHONY: fuzz-net-build fuzz-net
fuzz-net-build:
	@mkdir -p $(NET_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory $(NET_FUZZ_DIR)/net-tx \
			$(NET_FUZZ_DIR)/net-rxhdr; \
	fi

$(NET_FUZZ_DIR)/net-tx: tests/fuzz/net-tx.c $(NET_FUZZ_SRCS) \
		$(wildcard include/*.h include/virtio/*.h) \
		tests/fuzz/split-ring.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(NET_FUZZ_SRCS) -lpthread

$(NET_FUZZ_DIR)/net-rxhdr: tests/fuzz/net-rxhdr.c $(NET_RXHDR_FUZZ_SRCS) \
		$(wildcard include/*.h include/virtio/*.h) virtio/net-int.h \
		tests/unit/inet-sum.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(NET_RXHDR_FUZZ_SRCS)

fuzz-net: fuzz-net-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/net-run.sh

fuzz: fuzz-net
