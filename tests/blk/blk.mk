# SPDX-License-Identifier: GPL-2.0
# virtio-blk and the disk back-ends (devices/disk-*.c, virtio/blk.c).
LDLIBS += -luring -lz
DEPS_PACKAGES += qemu-utils fio e2fsprogs
