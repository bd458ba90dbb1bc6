# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets for virtio-console and the sandbox's status port
# (tests/fuzz/fuzz.mk's compiler and flags): the device's queues, config
# space and resets against a model, with the console's output buffer, a
# tx callback or no output behind it (console-queues); the status-line
# parser the sandbox's hvc2 feeds, against a reference parse, whole, byte
# by byte and cut anywhere (sandbox-status). make check runs each for
# FUZZ_CHECK_TIME seconds (tests/fuzz/console-run.sh); make fuzz-console
# for FUZZ_TIME.
CONSOLE_FUZZ_SRCS := virtio/console.c vmm/term-out.c virtio/queue.c \
	virtio/queue-split.c virtio/queue-packed.c virtio/core.c \
	lib/guest-mem.c lib/log.c lib/io-loop.c lib/io-poll.c \
	lib/seccomp-state.c lib/iov.c lib/term-state.c lib/term-state-csi.c
STATUS_FUZZ_SRCS := vmm/sandbox-status.c lib/pinned-name.c lib/log.c
CONSOLE_FUZZ_DIR := $(BUILD)/fuzz

CHECK_DEPS += fuzz-console-build
CHECK_SUITES += tests/fuzz/console-run.sh

.PHONY: fuzz-console-build fuzz-console
fuzz-console-build:
	@mkdir -p $(CONSOLE_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory \
			$(CONSOLE_FUZZ_DIR)/console-queues \
			$(CONSOLE_FUZZ_DIR)/sandbox-status; \
	fi

$(CONSOLE_FUZZ_DIR)/console-queues: tests/fuzz/console-queues.c \
		$(CONSOLE_FUZZ_SRCS) $(wildcard include/*.h include/virtio/*.h) \
		tests/fuzz/split-ring.h tests/fuzz/replay.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(CONSOLE_FUZZ_SRCS) -lpthread

$(CONSOLE_FUZZ_DIR)/sandbox-status: tests/fuzz/sandbox-status.c \
		$(STATUS_FUZZ_SRCS) $(wildcard include/*.h) tests/fuzz/replay.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(STATUS_FUZZ_SRCS) -lpthread

fuzz-console: fuzz-console-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/console-run.sh

fuzz: fuzz-console
