# SPDX-License-Identifier: GPL-2.0
# lkvm: one Makefile. Sub-suites add themselves through */*.mk fragments,
# which append to CHECK_DEPS, CHECK_SUITES, BENCH_DEPS, CHECK_PACKAGES.
#
# Packagers: CC, CFLAGS, CPPFLAGS and LDFLAGS from the environment or the
# command line are used; the project's own flags are added to them, not
# replaced by them. make install / uninstall take PREFIX and DESTDIR.

# ARCH: the build host's by default (uname -m); x86_64, arm64 or s390x.
# An ARCH other than the host's is cross-built with Debian's cross
# compilers and `make check ARCH=...` runs the unit tests under qemu-user.
arch_name = $(patsubst amd64,x86_64,$(patsubst aarch64,arm64,$(1)))
HOST_ARCH := $(call arch_name,$(shell uname -m))
ARCH ?= $(HOST_ARCH)
override ARCH := $(call arch_name,$(ARCH))
ARCHES := x86_64 arm64 s390x
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error lkvm: unknown ARCH '$(ARCH)': use one of $(ARCHES))
endif
ifeq ($(ARCH),$(HOST_ARCH))
CROSS_COMPILE ?=
endif
ifeq ($(ARCH),arm64)
CROSS_COMPILE ?= aarch64-linux-gnu-
DEB_ARCH := arm64
TEST_RUNNER := $(if $(CROSS_COMPILE),qemu-aarch64-static -L /)
else ifeq ($(ARCH),s390x)
CROSS_COMPILE ?= s390x-linux-gnu-
DEB_ARCH := s390x
TEST_RUNNER := $(if $(CROSS_COMPILE),qemu-s390x-static -L /)
else
CROSS_COMPILE ?=
DEB_ARCH := amd64
TEST_RUNNER :=
endif
export TEST_RUNNER

# make's built-in CC (cc) and AR (ar) give way to the cross tools; a CC
# or AR from the environment or the command line is kept.
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILD := build$(if $(filter-out x86_64,$(ARCH)),/$(ARCH))
# The lkvm binary: ./lkvm for the host's ARCH; a cross build's is
# $(BUILD)/lkvm (build/arm64/lkvm), so ./lkvm stays the host's.
# `make ARCH=arm64 lkvm` builds that one.
LKVM_BIN := $(if $(filter $(HOST_ARCH),$(ARCH)),lkvm,$(BUILD)/lkvm)

# The version `lkvm version` prints: make VERSION=..., else git describe
# in a git checkout, else the VERSION file (a release tarball), else
# "unknown". $(BUILD)/version.stamp changes only when it does, and what
# prints it is rebuilt then.
ifeq ($(origin VERSION),undefined)
VERSION := $(if $(wildcard .git),$(shell git describe --always --dirty 2>/dev/null))
VERSION := $(or $(VERSION),$(shell head -n 1 VERSION 2>/dev/null),unknown)
endif
VERSION_STAMP := $(BUILD)/version.stamp
VERSION_CPPFLAGS = -DLKVM_VERSION='"$(VERSION)"'

# The user's CFLAGS (default -O2 -g) come first, the project's after them:
# make CFLAGS=-O0 still builds with -Wall -Werror.
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	  -Wno-missing-field-initializers -fno-strict-aliasing -MMD -MP
override CPPFLAGS += -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude
# The disk back-ends: io_uring (disk-uring.c) and zlib (qcow2).
LDLIBS := -lpthread -luring -lz
# arm64 builds the guest's device tree with libfdt.
ifeq ($(ARCH),arm64)
LDLIBS += -lfdt
endif
# s390x: lib/socket-direct.c's socket() and setsockopt() are the ones
# the libraries lkvm loads (libslirp) call too.
ifeq ($(ARCH),s390x)
override LDFLAGS += -Wl,--export-dynamic-symbol=socket \
	-Wl,--export-dynamic-symbol=setsockopt
endif
# Every architecture: lib/net-ifindex.c's if_nametoindex(), which lkvm's
# code does not call (hence --undefined, for the archive's member), is
# the one libslirp calls, under lkvm-net's filter.
override LDFLAGS += -Wl,--undefined=if_nametoindex \
	-Wl,--export-dynamic-symbol=if_nametoindex
# -n mode=user: libslirp (libslirp-dev). Probed by building against it
# rather than with pkg-config, whose slirp.pc requires glib's .pc that
# lkvm does not use; a build without it says so at mode=user.
SLIRP_PROBE = printf '\#include <slirp/libslirp.h>\nint main(void) { return !slirp_version_string(); }\n' | \
	$(CC) -x c - -o /dev/null -lslirp >/dev/null 2>&1 && echo yes
HAVE_SLIRP := $(shell $(SLIRP_PROBE))
ifeq ($(HAVE_SLIRP),yes)
override CPPFLAGS += -DLKVM_HAVE_SLIRP
endif

# Debian packages. BUILD_PACKAGES: what building lkvm and running it on
# its demo guest (make run) need. CHECK_PACKAGES: the rest, for make check
# and the other test targets; fragments add theirs there (DEPS_PACKAGES,
# the old name, is read as CHECK_PACKAGES too).
BUILD_PACKAGES := gcc make libc6-dev linux-libc-dev libfdt-dev zlib1g-dev \
	liburing-dev liblz4-dev libzstd-dev liblzma-dev libslirp-dev
# (x86 decompresses a bzImage's kernel with zlib, or liblz4, libzstd and
# liblzma opened when a kernel needs them: vmm/x86_64/bzimage-payload.c.)
# acpica-tools: iasl, the peer that disassembles lkvm's ACPI tables in
# tests/unit/x86-acpi.c.
CHECK_PACKAGES := acpica-tools
# The compressors Linux's build uses, for tests/unit/x86-bzimage-payload.c.
CHECK_PACKAGES += gzip lz4 zstd xz-utils bzip2
DEPS_PACKAGES :=

SRCS_COMMON := $(wildcard lib/*.c vmm/*.c devices/*.c virtio/*.c)
SRCS_ARCH := $(wildcard vmm/$(ARCH)/*.c devices/$(ARCH)/*.c)
SRCS := $(filter-out vmm/main.c,$(SRCS_COMMON) $(SRCS_ARCH))
LIB_OBJS := $(SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/liblkvm.a
# lkvm's guest init, embedded in the library (guest-init-blob.c).
include vmm/guest-init/guest-init.mk

# tests/unit/<arch>-*.c (x86-, arm64-, s390x-) only build for that arch.
ARCH_PREFIXES := x86 arm64 s390x
ARCH_PREFIX := $(patsubst x86_64,x86,$(ARCH))
OTHER_PREFIXES := $(filter-out $(ARCH_PREFIX),$(ARCH_PREFIXES))
UNIT_SRCS := $(filter-out $(foreach a,$(OTHER_PREFIXES),tests/unit/$(a)-%.c),\
	       $(wildcard tests/unit/*.c))
UNIT_TESTS := $(UNIT_SRCS:%.c=$(BUILD)/%)

CHECK_DEPS := lkvm $(UNIT_TESTS)
CHECK_SUITES := $(UNIT_TESTS)
BENCH_DEPS := lkvm
BENCH_SUITES :=

.PHONY: all clean deps deps-run run check bench install uninstall FORCE \
	print-run-packages print-check-packages
all: $(LKVM_BIN)
# guest-init.mk, included above, names the first target otherwise.
.DEFAULT_GOAL := all

# Suites that boot guests or build kernels are for the native build only.
ifeq ($(ARCH),x86_64)
-include $(sort $(wildcard tests/*/*.mk kernel-patches/*.mk virtio/*.mk))
else
CHECK_DEPS := $(LKVM_BIN) $(UNIT_TESTS)
-include $(if $(CROSS_COMPILE),$(wildcard scripts/cross-$(ARCH).mk))
endif

ifneq ($(LKVM_BIN),lkvm)
.PHONY: lkvm
lkvm: $(LKVM_BIN)
endif

$(LKVM_BIN): $(BUILD)/vmm/main.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(VERSION_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' >$@

# vmm/main.c prints the version (tests/asan/asan.mk builds it too).
$(BUILD)/vmm/main.o: $(VERSION_STAMP)
$(BUILD)/vmm/main.o: override CPPFLAGS += $(VERSION_CPPFLAGS)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) \
		$(LDLIBS)

RUN_PACKAGES = $(sort $(BUILD_PACKAGES))
ALL_PACKAGES = $(sort $(BUILD_PACKAGES) $(CHECK_PACKAGES) $(DEPS_PACKAGES))

# make deps-run: the packages make run needs; make deps: all of them.
# A cross build (CROSS_COMPILE set) gets its tool chain from deps-cross.sh.
deps-run:
ifeq ($(CROSS_COMPILE),)
	@scripts/deps.sh $(RUN_PACKAGES)
else
	@scripts/deps-cross.sh $(DEB_ARCH) $(CROSS_COMPILE)
endif

deps:
ifeq ($(CROSS_COMPILE),)
	@scripts/deps.sh $(ALL_PACKAGES)
else
	@scripts/deps-cross.sh $(DEB_ARCH) $(CROSS_COMPILE)
endif

print-run-packages:
	@echo $(RUN_PACKAGES)

# What make check installs on top of make run's.
print-check-packages:
	@echo $(filter-out $(RUN_PACKAGES),$(ALL_PACKAGES))

# make print-VAR: a variable's value, for packagers and tests/packaging.
print-%:
	@echo '$(subst ','\'',$($*))'

run: deps-run $(LKVM_BIN) $(RUN_DEPS)
	./$(LKVM_BIN) run $(RUN_ARGS)

check: deps
	@$(MAKE) --no-print-directory $(CHECK_DEPS)
	@$(if $(NESTED_CHECK),NESTED_SUITES='$(NESTED_SUITES)') \
		tests/run.sh $(CHECK_SUITES)

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_DEPS)
	@tests/bench/run.sh $(BENCH_SUITES)

# lkvm and its man page; kpq, the kernel patch queue's tool, and its.
INSTALL_FILES := $(BINDIR)/lkvm $(MANDIR)/man1/lkvm.1 $(BINDIR)/kpq \
	$(MANDIR)/man1/kpq.1

install: $(LKVM_BIN)
	install -D -m 0755 $(LKVM_BIN) $(DESTDIR)$(BINDIR)/lkvm
	install -D -m 0644 lkvm.1 $(DESTDIR)$(MANDIR)/man1/lkvm.1
	install -D -m 0755 kernel-patches/kpq $(DESTDIR)$(BINDIR)/kpq
	install -D -m 0644 kernel-patches/kpq.1 $(DESTDIR)$(MANDIR)/man1/kpq.1

uninstall:
	rm -f $(INSTALL_FILES:%=$(DESTDIR)%)

clean:
	rm -rf $(BUILD) $(LKVM_BIN)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)

# lib/seccomp-names.c: the system call names of the build's own
# <sys/syscall.h>, for the SIGSYS report (one SC_NAME(x) per __NR_x).
SC_NAMES_H := $(BUILD)/gen/seccomp-names.h
$(SC_NAMES_H):
	@mkdir -p $(dir $@)
	echo '#include <sys/syscall.h>' | $(CC) $(CPPFLAGS) -dM -E - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/SC_NAME(\1)/p' | \
		grep -v '^SC_NAME(syscalls)$$\|^SC_NAME(arch_specific_syscall)$$' | \
		sort -u >$@.tmp
	mv $@.tmp $@
SC_NAMES_OBJS := $(BUILD)/lib/seccomp-names.o \
	$(BUILD)/asan/lib/seccomp-names.o $(BUILD)/tsan/lib/seccomp-names.o
$(SC_NAMES_OBJS): $(SC_NAMES_H)
$(SC_NAMES_OBJS): \
	override CPPFLAGS += -I$(BUILD)/gen
