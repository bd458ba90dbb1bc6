# SPDX-License-Identifier: GPL-2.0
# virtio-blk and the disk back-ends (devices/disk-*.c, virtio/blk.c).
LDLIBS += -luring -lz
DEPS_PACKAGES += qemu-utils fio e2fsprogs
DEPS_PACKAGES += python3

# End to end on /dev/kvm with the test guest (make guest is in CHECK_DEPS).
CHECK_SUITES += tests/blk/e2e.sh
