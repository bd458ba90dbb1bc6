# SPDX-License-Identifier: GPL-2.0
# lkvm: one Makefile. Sub-suites add themselves through */*.mk fragments,
# which append to CHECK_DEPS, CHECK_SUITES, BENCH_DEPS, DEPS_PACKAGES.

# ARCH: x86_64 (native) or arm64/s390x (cross-built with Debian's cross
# compilers; `make check ARCH=...` runs the unit tests under qemu-user).
ARCH ?= x86_64
override ARCH := $(patsubst amd64,x86_64,$(patsubst aarch64,arm64,$(ARCH)))
ARCHES := x86_64 arm64 s390x
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error lkvm: unknown ARCH '$(ARCH)': use one of $(ARCHES))
endif
ifeq ($(ARCH),arm64)
CROSS_COMPILE ?= aarch64-linux-gnu-
DEB_ARCH := arm64
TEST_RUNNER := qemu-aarch64-static -L /
else ifeq ($(ARCH),s390x)
CROSS_COMPILE ?= s390x-linux-gnu-
DEB_ARCH := s390x
TEST_RUNNER := qemu-s390x-static -L /
else
CROSS_COMPILE ?=
DEB_ARCH := amd64
TEST_RUNNER :=
endif
export TEST_RUNNER

CC := $(CROSS_COMPILE)gcc
AR := $(CROSS_COMPILE)ar
PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build$(if $(filter-out x86_64,$(ARCH)),/$(ARCH))

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	  -Wno-missing-field-initializers -fno-strict-aliasing \
	  -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude -MMD -MP \
	  -DLKVM_VERSION='"$(VERSION)"'
LDLIBS := -lpthread

# Debian packages the build and the tests need; fragments add theirs.
DEPS_PACKAGES := gcc make libc6-dev linux-libc-dev libfdt-dev zlib1g-dev \
	liburing-dev
# acpica-tools: iasl, the peer that disassembles lkvm's ACPI tables in
# tests/unit/x86-acpi.c.
DEPS_PACKAGES += acpica-tools

SRCS_COMMON := $(wildcard lib/*.c vmm/*.c devices/*.c virtio/*.c)
SRCS_ARCH := $(wildcard vmm/$(ARCH)/*.c devices/$(ARCH)/*.c)
SRCS := $(filter-out vmm/main.c,$(SRCS_COMMON) $(SRCS_ARCH))
LIB_OBJS := $(SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/liblkvm.a

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

.PHONY: all clean deps run check bench install FORCE
all: lkvm

# Suites that boot guests or build kernels are for the native build only.
ifeq ($(ARCH),x86_64)
-include $(sort $(wildcard tests/*/*.mk kernel-patches/*.mk virtio/*.mk))
else
CHECK_DEPS := $(UNIT_TESTS)
-include $(wildcard scripts/cross-$(ARCH).mk)
endif

lkvm: $(BUILD)/vmm/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDLIBS)

deps:
ifeq ($(ARCH),x86_64)
	@scripts/deps.sh $(sort $(DEPS_PACKAGES))
else
	@scripts/deps-cross.sh $(DEB_ARCH) $(CROSS_COMPILE)
endif

run: deps lkvm $(RUN_DEPS)
	./lkvm run $(RUN_ARGS)

check: deps
	@$(MAKE) --no-print-directory $(CHECK_DEPS)
	@tests/run.sh $(CHECK_SUITES)

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_DEPS)
	@tests/bench/run.sh $(BENCH_SUITES)

install: lkvm
	install -D -m 0755 lkvm $(DESTDIR)$(PREFIX)/bin/lkvm
	install -D -m 0644 lkvm.1 $(DESTDIR)$(PREFIX)/share/man/man1/lkvm.1

clean:
	rm -rf $(BUILD) lkvm

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
