# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets for the arm64 and s390x code that a guest or a file
# feeds, built natively with tests/fuzz/fuzz.mk's compiler and flags (the
# files are plain C over byte buffers):
#   s390-sclp    SERVICE CALL: any SCCB at any address and prefix, every
#                command, console input, resets -- against a model
#   s390-insn    instruction interceptions: decoding ipa/ipb, operand
#                addresses, the I/O instructions' operands, CHSC,
#                DIAGNOSE and SIGP on a vCPU whose memory the input fills
#   s390-loader  s390_load_kernel: any image, command line and initrd
#   arm64-image  arm64_load_image: any Image, initrd and RAM size
# make check runs each for FUZZ_CHECK_TIME seconds from the seeds of
# tests/fuzz/foreign-seeds.py (tests/fuzz/foreign-run.sh); make
# fuzz-foreign (and make fuzz) runs them for FUZZ_TIME each.
FOREIGN_FUZZ_DIR := $(BUILD)/fuzz
FOREIGN_FUZZ_TARGETS := s390-sclp s390-insn s390-loader arm64-image
FOREIGN_FUZZ_SRCS_s390-sclp := vmm/s390x/sclp.c vmm/s390x/decode.c \
	lib/guest-mem.c lib/log.c
FOREIGN_FUZZ_SRCS_s390-insn := vmm/s390x/decode.c vmm/s390x/ioinst.c \
	vmm/s390x/diag.c vmm/s390x/sclp.c virtio/ccw.c devices/css.c \
	virtio/core.c virtio/queue.c virtio/queue-split.c \
	virtio/queue-packed.c lib/guest-mem.c lib/log.c \
	lib/queue-notifier.c lib/io-loop.c lib/io-poll.c \
	lib/seccomp-state.c lib/iov.c
FOREIGN_FUZZ_SRCS_s390-loader := vmm/s390x/loader.c lib/guest-mem.c \
	lib/log.c
FOREIGN_FUZZ_SRCS_arm64-image := vmm/arm64/image.c lib/guest-mem.c \
	lib/log.c

CHECK_DEPS += fuzz-foreign-build
CHECK_SUITES += tests/fuzz/foreign-run.sh

.PHONY: fuzz-foreign-build fuzz-foreign
fuzz-foreign-build:
	@mkdir -p $(FOREIGN_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory \
			$(FOREIGN_FUZZ_TARGETS:%=$(FOREIGN_FUZZ_DIR)/%); \
	fi

FOREIGN_FUZZ_HDRS := tests/fuzz/replay.h $(wildcard include/*.h \
	include/s390x/*.h include/arm64/*.h include/devices/*.h \
	include/virtio/*.h tests/fuzz/*.h)

# One rule per target: its own sources.
define FOREIGN_FUZZ_RULE
$$(FOREIGN_FUZZ_DIR)/$(1): tests/fuzz/$(1).c $$(FOREIGN_FUZZ_SRCS_$(1)) \
		$$(FOREIGN_FUZZ_HDRS)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$< $$(FOREIGN_FUZZ_SRCS_$(1)) \
		-lpthread
endef
$(foreach t,$(FOREIGN_FUZZ_TARGETS),$(eval $(call FOREIGN_FUZZ_RULE,$(t))))

fuzz-foreign: fuzz-foreign-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/foreign-run.sh

# make fuzz runs these too.
fuzz: fuzz-foreign
