# SPDX-License-Identifier: GPL-2.0
# Included by the Makefile for ARCH=arm64 only. libfdt builds the guest's
# device tree; scripts/deps-cross.sh puts the target's linker names in
# /usr/local/lib/aarch64-linux-gnu (the runtime libraries are Debian's
# multiarch packages, found by qemu-aarch64-static through the host's
# /usr/lib/aarch64-linux-gnu).
LDLIBS += -L/usr/local/lib/aarch64-linux-gnu -lfdt
