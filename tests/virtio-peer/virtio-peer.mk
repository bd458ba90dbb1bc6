# SPDX-License-Identifier: GPL-2.0
# Real-peer test of the virtio core: Linux's drivers/virtio/virtio_ring.c
# (Debian linux-source-6.1, extracted at build time into $(BUILD), never
# committed) drives lkvm's device-side queue code in another thread.
#   make virtio-peer        extract + build $(BUILD)/virtio-peer/peer-test
#   tests/virtio-peer/run.sh     TAP suite (make check)
#   tests/virtio-peer/bench.sh   throughput table (make bench)
# Without the tarball the suite reports itself skipped with the reason.

VPEER := $(BUILD)/virtio-peer
VPEER_K := $(VPEER)/linux-source-6.1
# As tools/virtio/Makefile builds it, plus our allocator/data_race shim.
# CONFIG_PHYS_ADDR_T_64BIT (set on every 64-bit kernel): without it the
# tools' phys_addr_t is 32 bits and vring_create_virtqueue() truncates the
# ring addresses it reports (tools/virtio's own tests never read them).
VPEER_KFLAGS := -g -O2 -Wall -Wno-maybe-uninitialized -Wno-pointer-sign \
	-fno-strict-overflow -fno-strict-aliasing -fno-common \
	-U_FORTIFY_SOURCE -pthread -DCONFIG_PHYS_ADDR_T_64BIT=1 \
	-I$(VPEER_K)/tools/virtio -I$(VPEER_K)/tools/include \
	-include $(VPEER_K)/include/linux/kconfig.h \
	-include tests/virtio-peer/peer-alloc.h -Itests/virtio-peer
VPEER_HDRS := tests/virtio-peer/peer.h tests/virtio-peer/peer-alloc.h \
	tests/bench/halt-poll.h

CHECK_PACKAGES += linux-source-6.1 xz-utils
CHECK_DEPS += virtio-peer
CHECK_SUITES += tests/virtio-peer/run.sh
BENCH_DEPS += virtio-peer
BENCH_SUITES += tests/virtio-peer/bench.sh

.PHONY: virtio-peer
virtio-peer: $(LIB)
	@if tests/virtio-peer/extract.sh $(VPEER); then \
		$(MAKE) --no-print-directory $(VPEER)/peer-test; \
	else \
		echo "virtio-peer: skipped: $$(cat $(VPEER)/skip-reason)"; \
	fi

$(VPEER)/virtio_ring.o: $(VPEER)/extracted.stamp $(VPEER_HDRS)
	$(CC) $(VPEER_KFLAGS) -c -o $@ $(VPEER_K)/drivers/virtio/virtio_ring.c

$(VPEER)/peer-driver.o: tests/virtio-peer/peer-driver.c \
		$(VPEER)/extracted.stamp $(VPEER_HDRS)
	$(CC) $(VPEER_KFLAGS) -Wextra -Werror -Wno-unused-parameter \
		-Wno-sign-compare -c -o $@ $<

$(VPEER)/peer-arena.o: tests/virtio-peer/peer-arena.c $(VPEER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(VPEER)/peer-device.o: tests/virtio-peer/peer-device.c $(VPEER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/virtio-peer -c -o $@ $<

$(VPEER)/peer-test: $(VPEER)/peer-driver.o $(VPEER)/virtio_ring.o \
		$(VPEER)/peer-arena.o $(VPEER)/peer-device.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
