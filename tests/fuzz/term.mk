# SPDX-License-Identifier: GPL-2.0
# libFuzzer target for the terminal-state tracker (uses tests/fuzz/fuzz.mk's
# compiler and flags): term-state, whose invariant is a reference terminal
# written in the target. make check runs it for FUZZ_CHECK_TIME seconds
# (tests/fuzz/term-run.sh); make fuzz-term, and make fuzz, for FUZZ_TIME.
TERM_FUZZ_SRCS := lib/term-state.c lib/term-state-csi.c
TERM_FUZZ_DIR := $(BUILD)/fuzz

CHECK_DEPS += fuzz-term-build
CHECK_SUITES += tests/fuzz/term-run.sh

.PHONY: fuzz-term-build fuzz-term
fuzz-term-build:
	@mkdir -p $(TERM_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory $(TERM_FUZZ_DIR)/term-state; \
	fi

$(TERM_FUZZ_DIR)/term-state: tests/fuzz/term-state.c $(TERM_FUZZ_SRCS) \
		include/term-state.h include/term-state-internal.h include/types.h \
		tests/fuzz/replay.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(TERM_FUZZ_SRCS)

fuzz-term: fuzz-term-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/term-run.sh

fuzz: fuzz-term
