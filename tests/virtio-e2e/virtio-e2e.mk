# SPDX-License-Identifier: GPL-2.0
# virtio devices end to end: the test guest's virtio drivers
# (tests/guest/virtio*.c) against lkvm's virtio-rng and virtio-console over
# PCI (MSI-X, INTx, polling) and virtio-mmio (v2 and legacy) on /dev/kvm;
# more devices than the old 8 slots, and each transport's limit.
CHECK_SUITES += tests/virtio-e2e/virtio-e2e.sh tests/virtio-e2e/many-devices.sh
# The same guest driver against QEMU's virtio devices (a reference that
# lkvm's code did not write), and script(1) for terminal checks.
CHECK_PACKAGES += qemu-system-x86 util-linux
