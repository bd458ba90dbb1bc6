# SPDX-License-Identifier: GPL-2.0
# Included by the Makefile for a cross build to ARCH=arm64 only (the
# Makefile's LDLIBS name the libraries, -lfdt among them);
# scripts/deps-cross.sh puts the target's linker names in
# /usr/local/lib/aarch64-linux-gnu (the runtime libraries are Debian's
# multiarch packages, found by qemu-aarch64-static through the host's
# /usr/lib/aarch64-linux-gnu).
LDLIBS += -L/usr/local/lib/aarch64-linux-gnu -Wl,-rpath,/usr/local/lib/aarch64-linux-gnu
# Tests run with Debian's multiarch libc6:arm64 (pulled in by the target
# libraries scripts/deps-cross.sh installs): its loader and libc.so.6 come
# from one build. The cross toolchain's copy under /usr/aarch64-linux-gnu is
# an older build whose loader, given -L there, still finds the multiarch
# libc.so.6 beside libfdt and friends, and the mix crashes at exit.
TEST_RUNNER := qemu-aarch64-static -L /
