# SPDX-License-Identifier: GPL-2.0
# virtio-blk and the disk back-ends (devices/disk-*.c, virtio/blk.c).
CHECK_PACKAGES += qemu-utils fio e2fsprogs
CHECK_PACKAGES += python3

# End to end on /dev/kvm with the test guest (make guest is in CHECK_DEPS).
CHECK_SUITES += tests/blk/e2e.sh tests/blk/io-poll.sh

# make bench: the device fed through its virtqueue (blk-bench) on io_uring
# and on the thread fallback, beside fio with io_uring on the same file.
BENCH_DEPS += $(BUILD)/tests/blk/blk-bench
BENCH_SUITES += tests/blk/bench.sh

$(BUILD)/tests/blk/blk-bench: tests/blk/blk-bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Linux's virtio_blk with the lean guest kernel (tests/linux/lib.sh): two
# boots of minutes each on kvm_pvm hosts. Part of make check-linux (and of
# make check with LINUX_TESTS=all, see tests/linux/linux.mk); alone with
# make check-linux-blk.

.PHONY: check-linux-blk
check-linux-blk: deps
	@$(MAKE) --no-print-directory lkvm guest-kernel
	@tests/run.sh tests/blk/linux-blk.sh
