# SPDX-License-Identifier: GPL-2.0
# Included by the Makefile for a cross build to ARCH=s390x only: the
# target's linker names made by scripts/deps-cross.sh (see there), and an
# rpath there for the runtime libraries it had to unpack rather than install.
LDLIBS += -L/usr/local/lib/s390x-linux-gnu -Wl,-rpath,/usr/local/lib/s390x-linux-gnu
# Tests run with Debian's multiarch libc6:s390x (pulled in by the target
# libraries scripts/deps-cross.sh installs): its loader and libc.so.6 come
# from one build. The cross toolchain's copy under /usr/s390x-linux-gnu is
# an older build whose loader, given -L there, still finds the multiarch
# libc.so.6 beside libfdt and friends, and the mix crashes at exit.
TEST_RUNNER := qemu-s390x-static -L /
