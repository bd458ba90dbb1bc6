# SPDX-License-Identifier: GPL-2.0
# Legacy devices and the console, end to end: the test guest's device
# checks (tests/guest/devices.c) run under lkvm on /dev/kvm.
CHECK_SUITES += tests/devices/guest-devices.sh
CHECK_PACKAGES += python3
