# SPDX-License-Identifier: GPL-2.0
# virtio-balloon and the control commands around it (lkvm balloon, stat -m,
# debug --nmi/--sysrq, list -r) against running test guests; the Linux boot
# (tests/balloon/linux-balloon.sh) is make check-linux's only.
CHECK_SUITES += tests/balloon/control.sh
