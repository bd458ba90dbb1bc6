# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets for the user side (uses tests/fuzz/fuzz.mk's compiler
# and flags): the control socket's request handling (ctl-proto) and the
# `lkvm run` command line (ctl-options). make check runs each for
# FUZZ_CHECK_TIME seconds (tests/fuzz/ctl-run.sh); make fuzz-ctl, and make
# fuzz, for FUZZ_TIME each.
CTL_FUZZ_PROTO_SRCS := vmm/control-proto.c vmm/vm-stop.c lib/kvm-names.c \
	lib/log.c
CTL_FUZZ_OPTIONS_SRCS := vmm/run-options.c vmm/disk-config.c vmm/jail-config.c vmm/p9-config.c \
	vmm/net-config.c devices/net-slirp.c lib/seccomp-state.c vmm/root-9p.c vmm/kernel-find.c \
	vmm/control-dir.c lib/log.c vmm/vsock-config.c virtio/vsock-path.c \
	lib/parse-num.c lib/landlock.c
CTL_FUZZ_DIR := $(BUILD)/fuzz

CHECK_DEPS += fuzz-ctl-build
CHECK_SUITES += tests/fuzz/ctl-run.sh

.PHONY: fuzz-ctl-build fuzz-ctl
fuzz-ctl-build:
	@mkdir -p $(CTL_FUZZ_DIR)
	@if [ -n "$(FUZZ_CC)" ]; then \
		$(MAKE) --no-print-directory $(CTL_FUZZ_DIR)/ctl-proto \
			$(CTL_FUZZ_DIR)/ctl-options; \
	fi

$(CTL_FUZZ_DIR)/ctl-proto: tests/fuzz/ctl-proto.c $(CTL_FUZZ_PROTO_SRCS) \
		$(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(CTL_FUZZ_PROTO_SRCS) -lpthread

$(CTL_FUZZ_DIR)/ctl-options: tests/fuzz/ctl-options.c \
		$(CTL_FUZZ_OPTIONS_SRCS) $(wildcard include/*.h include/virtio/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -D_FILE_OFFSET_BITS=64 -o $@ $< \
		$(CTL_FUZZ_OPTIONS_SRCS) -lpthread -luring -lz

fuzz-ctl: fuzz-ctl-build
	FUZZ_CHECK_TIME=$(FUZZ_TIME) tests/fuzz/ctl-run.sh

# make fuzz runs these too, FUZZ_TIME each.
fuzz: fuzz-ctl
