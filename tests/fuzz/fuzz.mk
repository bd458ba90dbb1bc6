# SPDX-License-Identifier: GPL-2.0
# libFuzzer target for the virtio chain walker (split + packed layouts).
#   make fuzz-build   build $(BUILD)/fuzz/virtio-walker (clang, ASan+UBSan)
#   make fuzz         fuzz for FUZZ_TIME seconds (default 600) with a
#                     corpus kept in $(BUILD)/fuzz/corpus; crashes land in
#                     $(BUILD)/fuzz/ as crash-* files
# make check runs it for FUZZ_CHECK_TIME seconds (default 20) as a TAP
# suite (tests/fuzz/run.sh). Replay a crash without libFuzzer:
#   gcc -DFUZZ_STANDALONE -Iinclude tests/fuzz/virtio-walker.c $(FUZZ_SRCS)
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_CC ?= $(shell command -v clang-14 || command -v clang)
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Iinclude
FUZZ_SRCS := virtio/queue.c virtio/queue-split.c virtio/queue-packed.c \
	virtio/core.c vmm/guest-mem.c vmm/log.c
FUZZ_TIME ?= 600

DEPS_PACKAGES += clang-14 python3
CHECK_DEPS += fuzz-build
CHECK_SUITES += tests/fuzz/run.sh

.PHONY: fuzz-build fuzz
fuzz-build:
	@mkdir -p $(FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		rm -f $(FUZZ_DIR)/skip-reason; \
		$(MAKE) --no-print-directory $(FUZZ_DIR)/virtio-walker; \
	else \
		echo "no clang for libFuzzer (Debian package clang-14)" \
			>$(FUZZ_DIR)/skip-reason; \
	fi

$(FUZZ_DIR)/virtio-walker: tests/fuzz/virtio-walker.c $(FUZZ_SRCS) \
		$(wildcard include/*.h include/virtio/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/virtio-walker.c \
		$(FUZZ_SRCS) -lpthread

fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/corpus
	python3 tests/fuzz/make-seeds.py $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/virtio-walker -max_total_time=$(FUZZ_TIME) -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ \
		$(FUZZ_DIR)/corpus
