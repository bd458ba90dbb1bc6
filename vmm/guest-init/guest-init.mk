# SPDX-License-Identifier: GPL-2.0
# lkvm's guest init (vmm/guest-init/): a static freestanding x86_64
# program, general registers only (guest kernels may run with noxsave),
# embedded in lkvm by blob.S. Other arches embed nothing for now:
# `lkvm sandbox` and `lkvm setup` then say the guest init is missing.

GUEST_INIT := $(BUILD)/guest-init/init
GUEST_INIT_SRCS := vmm/guest-init/init.c vmm/guest-init/job.c
GUEST_INIT_BLOB := $(BUILD)/vmm/guest-init/blob.o
LIB_OBJS += $(GUEST_INIT_BLOB)

ifeq ($(ARCH),x86_64)
$(GUEST_INIT): $(GUEST_INIT_SRCS) vmm/guest-init/sys.h include/guest-job.h
	@mkdir -p $(dir $@)
	$(CC) -static -nostdlib -ffreestanding -fno-pic -no-pie -Os \
		-mgeneral-regs-only -mno-red-zone -fno-stack-protector \
		-fno-asynchronous-unwind-tables -fno-builtin \
		-Wall -Wextra -Werror -Iinclude -Wl,--build-id=none -s \
		-o $@ $(GUEST_INIT_SRCS)

$(GUEST_INIT_BLOB): vmm/guest-init/blob.S $(GUEST_INIT)
	@mkdir -p $(dir $@)
	$(CC) -c -DGUEST_INIT_BIN='"$(GUEST_INIT)"' -o $@ $<
else
$(GUEST_INIT_BLOB): vmm/guest-init/blob.S
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<
endif
