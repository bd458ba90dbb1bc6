# SPDX-License-Identifier: GPL-2.0
# virtio-9p host-side: the 9P2000.L protocol test (tests/9p/protocol.c)
# drives the device through its virtqueue against a share in a temporary
# directory, hostile requests included; make bench adds its throughput
# and metadata rate (tests/9p/bench.sh).
P9_TEST_DIR := $(BUILD)/tests/9p
# diod: Debian's 9P2000.L server, the bench's peer (skipped without it).
CHECK_PACKAGES += diod

# tests/9p/stuck.c: a request blocked in the host (userfaultfd,
# tests/9p/blocked.h) does not hold up the device's teardown; reset.c:
# nor a reset from the driver side; pool.c: nor the rest of the share,
# up to the thread pool's bound (reset.c and pool.c also under ASan:
# tests/asan/asan.mk); renames.c: fids held by stuck requests keep
# their objects' paths across more renames than the log keeps.
CHECK_DEPS += $(P9_TEST_DIR)/protocol $(P9_TEST_DIR)/stuck \
	$(P9_TEST_DIR)/reset $(P9_TEST_DIR)/pool $(P9_TEST_DIR)/renames
CHECK_SUITES += $(P9_TEST_DIR)/protocol $(P9_TEST_DIR)/stuck \
	$(P9_TEST_DIR)/reset $(P9_TEST_DIR)/pool $(P9_TEST_DIR)/renames
BENCH_DEPS += $(P9_TEST_DIR)/9p-bench
BENCH_SUITES += tests/9p/bench.sh

$(P9_TEST_DIR)/%: tests/9p/%.c tests/9p/client.h tests/9p/blocked.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDLIBS)
