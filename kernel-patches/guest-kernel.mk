# SPDX-License-Identifier: GPL-2.0
# Pinned kernel base and the lkvm test guest kernel (kernel-patches/).
#   make kernel-base    install/verify/unpack the pinned linux-source base
#   make guest-kernel   build vmlinux, bzImage and the test initramfs into
#                       $(LKVM_CACHE) (default ~/.cache/lkvm), cached
# Both print the paths they provide.

CHECK_PACKAGES += bc bison flex libelf-dev libssl-dev lz4 patch xz-utils \
	busybox-static

.PHONY: kernel-base guest-kernel
kernel-base:
	@scripts/kernel-base.sh

guest-kernel:
	@scripts/guest-kernel.sh

# make nested-host-kernel: the kernel make check-nested boots under QEMU's
# software CPU to give lkvm a /dev/kvm (lkvm-nested-host.config on top).
.PHONY: nested-host-kernel
nested-host-kernel:
	@scripts/guest-kernel.sh --host
