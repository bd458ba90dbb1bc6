# SPDX-License-Identifier: GPL-2.0
# virtio-vsock: --vsock at the edge and on each transport (the device
# itself: tests/unit/virtio-vsock.c).
CHECK_SUITES += tests/vsock/cli.sh

# make bench: stream throughput both ways and round trips through the
# device, beside a host UNIX socket pair.
$(BUILD)/tests/vsock/vsock-bench: tests/vsock/vsock-bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) \
		$(LDLIBS)

BENCH_DEPS += $(BUILD)/tests/vsock/vsock-bench
BENCH_SUITES += $(BUILD)/tests/vsock/vsock-bench
