# SPDX-License-Identifier: GPL-2.0
# The virtio unit suites again on a big-endian host: cross-compiled for
# s390x (lkvm's planned big-endian target) and run under qemu-user, so
# every le16toh()/htole32() in the core is exercised both ways. Linked
# statically: with libc6:s390x also installed (multiarch, as
# scripts/deps-cross.sh does) a dynamic binary under qemu-user can pick a
# loader and a libc of different builds.
#   make virtio-be     build $(BUILD)/virtio-be/* (skipped without tools)
#   tests/virtio-peer/big-endian.sh   TAP suite (make check)
VBE := $(BUILD)/virtio-be
VBE_CC := s390x-linux-gnu-gcc
VBE_TESTS := virtio-queue virtio-core virtio-mmio
VBE_SRCS := virtio/queue.c virtio/queue-split.c virtio/queue-packed.c \
	virtio/core.c virtio/mmio.c lib/guest-mem.c lib/log.c lib/io-loop.c lib/io-poll.c lib/seccomp-state.c \
	lib/iov.c \
	lib/queue-notifier.c
VBE_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror \
	-Wno-unused-parameter -Wno-missing-field-initializers \
	-fno-strict-aliasing -D_GNU_SOURCE -Iinclude -Itests/unit

CHECK_PACKAGES += gcc-s390x-linux-gnu qemu-user-static
CHECK_DEPS += virtio-be
CHECK_SUITES += tests/virtio-peer/big-endian.sh

.PHONY: virtio-be
virtio-be:
	@mkdir -p $(VBE)
	@if command -v $(VBE_CC) >/dev/null && \
	    { command -v qemu-s390x-static || command -v qemu-s390x; } \
		>/dev/null; \
	then \
		rm -f $(VBE)/skip-reason; \
		$(MAKE) --no-print-directory $(VBE_TESTS:%=$(VBE)/%); \
	else \
		echo "no $(VBE_CC) or qemu-s390x (Debian packages gcc-s390x-linux-gnu, qemu-user-static)" \
			>$(VBE)/skip-reason; \
	fi

$(VBE)/%: tests/unit/%.c tests/unit/tap.h tests/unit/virtio-sim.h $(VBE_SRCS) \
		$(wildcard include/*.h include/virtio/*.h)
	@mkdir -p $(dir $@)
	$(VBE_CC) $(VBE_CFLAGS) -static -o $@ $< $(VBE_SRCS) -lpthread
