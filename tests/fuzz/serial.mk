# SPDX-License-Identifier: GPL-2.0
# libFuzzer target for the 16550A UART's ports with the console's output
# buffer behind them (uses tests/fuzz/fuzz.mk's compiler and flags):
# serial-ports. make check runs it for FUZZ_CHECK_TIME seconds
# (tests/fuzz/serial-run.sh); make fuzz-serial for FUZZ_TIME.
SERIAL_FUZZ_SRCS := devices/serial8250.c devices/bus.c vmm/term-out.c \
	lib/io-loop.c lib/io-poll.c lib/seccomp-state.c lib/log.c lib/term-state.c \
	lib/term-state-csi.c
SERIAL_FUZZ_TARGETS := serial-ports
# Own names for what the target needs (fragments are read in name order).
SERIAL_FUZZ_DIR := $(BUILD)/fuzz

CHECK_DEPS += fuzz-serial-build
CHECK_SUITES += tests/fuzz/serial-run.sh

.PHONY: fuzz-serial-build fuzz-serial
fuzz-serial-build:
	@mkdir -p $(SERIAL_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory \
			$(SERIAL_FUZZ_TARGETS:%=$(SERIAL_FUZZ_DIR)/%); \
	fi

$(SERIAL_FUZZ_DIR)/serial-%: tests/fuzz/serial-%.c $(SERIAL_FUZZ_SRCS) \
		$(wildcard include/*.h include/devices/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(SERIAL_FUZZ_SRCS) -lpthread

fuzz: fuzz-serial
fuzz-serial: fuzz-serial-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/serial-run.sh
