# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets for the x86 platform (uses tests/fuzz/fuzz.mk's
# compiler and flags):
#   x86-loader  the kernel loaders (bzImage, ELF vmlinux, PVH note, flat)
#               with a command line, an initrd and a memory map: what
#               lands in guest memory, where, and the zero page or PVH
#               start info describing it
#   pc-ports    the RTC/CMOS, i8042, debug-exit, ACPI PM and 0x92 ports
#               against a model
#   pvpanic-regs  the pvpanic event register against a model
#   x86-assist  the emulation assist's decoder of a guest's instruction
#               bytes against a reference decoder
# make check runs each for FUZZ_CHECK_TIME seconds from the seeds of
# tests/fuzz/platform-seeds.py (tests/fuzz/platform-run.sh); make
# fuzz-platform (and make fuzz) runs them for FUZZ_TIME each.
PLATFORM_FUZZ_DIR := $(BUILD)/fuzz
PLATFORM_FUZZ_TARGETS := x86-loader pc-ports pvpanic-regs x86-assist
PLATFORM_FUZZ_SRCS_x86-loader := vmm/x86_64/loader.c \
	vmm/x86_64/loader-bzimage.c vmm/x86_64/loader-elf.c \
	vmm/x86_64/loader-flat.c vmm/x86_64/zero-page.c vmm/x86_64/pvh.c \
	vmm/x86_64/page-tables.c vmm/x86_64/e820.c \
	vmm/x86_64/bzimage-payload.c lib/guest-mem.c lib/log.c
PLATFORM_FUZZ_SRCS_pc-ports := devices/rtc.c devices/i8042.c \
	devices/debug-exit.c devices/acpi-pm.c devices/ignored-ports.c \
	devices/bus.c lib/log.c
PLATFORM_FUZZ_SRCS_pvpanic-regs := devices/pvpanic.c devices/pci.c \
	devices/bus.c lib/log.c
PLATFORM_FUZZ_SRCS_x86-assist := vmm/x86_64/emul-assist.c

CHECK_DEPS += fuzz-platform-build
CHECK_SUITES += tests/fuzz/platform-run.sh

.PHONY: fuzz-platform-build fuzz-platform
fuzz-platform-build:
	@mkdir -p $(PLATFORM_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory \
			$(PLATFORM_FUZZ_TARGETS:%=$(PLATFORM_FUZZ_DIR)/%); \
	fi

PLATFORM_FUZZ_HDRS := tests/fuzz/replay.h $(wildcard include/*.h \
	include/x86/*.h include/devices/*.h vmm/x86_64/loader.h)

$(PLATFORM_FUZZ_DIR)/x86-loader: tests/fuzz/x86-loader.c \
		$(PLATFORM_FUZZ_SRCS_x86-loader) $(PLATFORM_FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(PLATFORM_FUZZ_SRCS_x86-loader) \
		-lz

$(PLATFORM_FUZZ_DIR)/pc-ports: tests/fuzz/pc-ports.c \
		$(PLATFORM_FUZZ_SRCS_pc-ports) $(PLATFORM_FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(PLATFORM_FUZZ_SRCS_pc-ports) \
		-lpthread

$(PLATFORM_FUZZ_DIR)/pvpanic-regs: tests/fuzz/pvpanic-regs.c \
		$(PLATFORM_FUZZ_SRCS_pvpanic-regs) $(PLATFORM_FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(PLATFORM_FUZZ_SRCS_pvpanic-regs) \
		-lpthread

$(PLATFORM_FUZZ_DIR)/x86-assist: tests/fuzz/x86-assist.c \
		$(PLATFORM_FUZZ_SRCS_x86-assist) $(PLATFORM_FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(PLATFORM_FUZZ_SRCS_x86-assist)

fuzz-platform: fuzz-platform-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/platform-run.sh

# make fuzz runs these too.
fuzz: fuzz-platform
