# SPDX-License-Identifier: GPL-2.0
# virtio-net over a real tap, host side, in a network namespace each test
# makes (skipped with the reason where it cannot).
NET_TESTS := $(BUILD)/tests/net/tap-netns $(BUILD)/tests/net/user-netns \
	$(BUILD)/tests/net/user-netns-seccomp

$(BUILD)/tests/net/%: tests/net/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) \
		$(LDLIBS)

# ip(8) makes tap-netns's veth pair; python3 runs linux-net.sh's servers.
CHECK_PACKAGES += iproute2 python3
CHECK_DEPS += $(NET_TESTS)
CHECK_SUITES += $(NET_TESTS) tests/net/cli.sh

# make bench: virtio-net TX/RX into a tap beside the tap driven directly.
# And TCP through libslirp between a host socket and a guest-side one.
BENCH_DEPS += $(BUILD)/tests/net/net-bench $(BUILD)/tests/net/slirp-bench
BENCH_SUITES += $(BUILD)/tests/net/net-bench $(BUILD)/tests/net/slirp-bench
