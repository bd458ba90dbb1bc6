# SPDX-License-Identifier: GPL-2.0
# libFuzzer target for virtio-vsock (tests/fuzz/fuzz.mk's compiler and
# flags): the packet path with real host sockets and invariants
# (vsock-tx). make check runs it for FUZZ_CHECK_TIME seconds
# (tests/fuzz/vsock-run.sh); make fuzz-vsock for FUZZ_TIME.
VSOCK_FUZZ_SRCS := virtio/vsock.c virtio/vsock-host.c virtio/vsock-path.c \
	lib/parse-num.c virtio/queue.c \
	virtio/queue-split.c virtio/queue-packed.c virtio/core.c \
	lib/guest-mem.c lib/log.c lib/io-loop.c lib/io-poll.c lib/seccomp-state.c lib/iov.c
VSOCK_FUZZ_DIR := $(BUILD)/fuzz

CHECK_DEPS += fuzz-vsock-build
CHECK_SUITES += tests/fuzz/vsock-run.sh

.PHONY: fuzz-vsock-build fuzz-vsock
fuzz-vsock-build:
	@mkdir -p $(VSOCK_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory $(VSOCK_FUZZ_DIR)/vsock-tx; \
	fi

$(VSOCK_FUZZ_DIR)/vsock-tx: tests/fuzz/vsock-tx.c $(VSOCK_FUZZ_SRCS) \
		$(wildcard include/*.h include/virtio/*.h virtio/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(VSOCK_FUZZ_SRCS) -lpthread

fuzz-vsock: fuzz-vsock-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/vsock-run.sh

fuzz: fuzz-vsock
