# SPDX-License-Identifier: GPL-2.0
# Included by the Makefile for ARCH=s390x only: the target's linker names
# made by scripts/deps-cross.sh (see there).
LDLIBS += -L/usr/local/lib/s390x-linux-gnu
