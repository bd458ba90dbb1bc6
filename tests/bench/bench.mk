# Start-up benchmark (make bench): lkvm vs QEMU microvm vs the KVM floor.
BENCH_TOOLS := $(BUILD)/tests/bench/startbench $(BUILD)/tests/bench/kvm-floor
BENCH_DEPS += $(BENCH_TOOLS)
BENCH_SUITES += tests/bench/startup.sh
CHECK_PACKAGES += qemu-system-x86

$(BUILD)/tests/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<
# SIGTERM to exit with the console flooded and unread (the test guest is
# in BENCH_DEPS through tests/guest/guest.mk).
BENCH_SUITES += tests/bench/console-stop.sh
# The seccomp filters: compile and install time, cost per filtered call.
BENCH_DEPS += $(BUILD)/tests/bench/seccomp-bench
BENCH_SUITES += $(BUILD)/tests/bench/seccomp-bench
$(BUILD)/tests/bench/seccomp-bench: tests/bench/seccomp-bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)
