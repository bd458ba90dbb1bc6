# SPDX-License-Identifier: GPL-2.0
# virtio-vsock: --vsock at the edge and on each transport (the device
# itself: tests/unit/virtio-vsock.c).
CHECK_SUITES += tests/vsock/cli.sh
