# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets (clang, ASan + UBSan):
#   virtio-walker     the descriptor-chain walker, split + packed layouts
#   virtio-mmio-regs  a hostile driver on the virtio-mmio registers
#   virtio-ccw-program  a hostile driver on the channel subsystem: I/O
#                     instructions, channel programs, DIAGNOSE 0x500
#   virtio-pci-regs   a hostile driver on the PCI host and virtio-pci:
#                     config space, BARs (moved too), MSI-X, the rings
#   make fuzz-build   build them into $(BUILD)/fuzz/
#   make fuzz         fuzz each for FUZZ_TIME seconds (default 300), and
#                     every other target (tests/fuzz/*.mk add theirs:
#                     26 in all, 130 minutes) with corpora kept in
#                     $(BUILD)/fuzz/corpus-<target>; crashes land in
#                     $(BUILD)/fuzz/ as crash-* files
# make check runs each for FUZZ_CHECK_TIME seconds (default 6) as a TAP
# suite (tests/fuzz/run.sh). Replay a walker input without libFuzzer:
#   gcc -DFUZZ_STANDALONE -Iinclude tests/fuzz/virtio-walker.c $(FUZZ_SRCS)
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_CC ?= $(shell command -v clang-14 || command -v clang)
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Iinclude
FUZZ_SRCS := virtio/queue.c virtio/queue-split.c virtio/queue-packed.c \
	virtio/core.c virtio/mmio.c virtio/ccw.c virtio/pci.c devices/css.c \
	devices/pci.c devices/bus.c lib/guest-mem.c lib/log.c lib/io-loop.c lib/io-poll.c lib/seccomp-state.c \
	lib/iov.c \
	lib/queue-notifier.c
FUZZ_TARGETS := virtio-walker virtio-mmio-regs virtio-ccw-program \
	virtio-pci-regs
FUZZ_TIME ?= 300

CHECK_PACKAGES += clang-14 python3
CHECK_DEPS += fuzz-build
CHECK_SUITES += tests/fuzz/run.sh

.PHONY: fuzz-build fuzz
fuzz-build:
	@mkdir -p $(FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		rm -f $(FUZZ_DIR)/skip-reason; \
		$(MAKE) --no-print-directory \
			$(FUZZ_TARGETS:%=$(FUZZ_DIR)/%); \
	else \
		echo "no clang for libFuzzer (Debian package clang-14)" \
			>$(FUZZ_DIR)/skip-reason; \
	fi

$(FUZZ_DIR)/virtio-%: tests/fuzz/virtio-%.c $(FUZZ_SRCS) \
		$(wildcard include/*.h include/virtio/*.h include/devices/*.h \
			   tests/unit/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS) -lpthread

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus-$$t; \
		python3 tests/fuzz/make-seeds.py $(FUZZ_DIR)/corpus-$$t \
			$${t#virtio-}; \
		$(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_TIME) -timeout=10 \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ \
			$(FUZZ_DIR)/corpus-$$t; \
	done
