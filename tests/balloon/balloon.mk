# SPDX-License-Identifier: GPL-2.0
# virtio-balloon and the control commands around it (lkvm balloon, stat -m,
# debug --nmi/--sysrq, list -r) against running test guests; the Linux boot
# (tests/balloon/linux-balloon.sh) is make check-linux's only.
CHECK_SUITES += tests/balloon/control.sh

# make bench: the inflate rate beside bare madvise() loops.
$(BUILD)/tests/bench/balloon-bench: tests/bench/balloon-bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

BENCH_DEPS += $(BUILD)/tests/bench/balloon-bench
BENCH_SUITES += $(BUILD)/tests/bench/balloon-bench
