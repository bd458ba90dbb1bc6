# SPDX-License-Identifier: GPL-2.0
# lkvm's guest init (vmm/guest-init/): a static freestanding x86_64
# program, general registers only (guest kernels may run with noxsave),
# embedded in lkvm by vmm/guest-init-blob.c (.incbin). Other arches embed
# nothing for now: `lkvm sandbox` and `lkvm setup` then say so.

GUEST_INIT := $(BUILD)/guest-init/init
GUEST_INIT_SRCS := vmm/guest-init/init.c vmm/guest-init/job.c \
	vmm/guest-init/relay.c

ifeq ($(ARCH),x86_64)
$(GUEST_INIT): $(GUEST_INIT_SRCS) vmm/guest-init/sys.h \
		vmm/guest-init/relay.h include/guest-job.h \
		include/x86/guest-sys.h
	@mkdir -p $(dir $@)
	$(CC) -static -nostdlib -ffreestanding -fno-pic -no-pie -Os \
		-mgeneral-regs-only -mno-red-zone -fno-stack-protector \
		-fno-asynchronous-unwind-tables -fno-builtin \
		-Wall -Wextra -Werror -Iinclude -Wl,--build-id=none -s \
		-o $@ $(GUEST_INIT_SRCS)

# Every library build (build/, the sanitizers' build/asan/ and
# build/tsan/) embeds it.
$(BUILD)/vmm/guest-init-blob.o $(BUILD)/asan/vmm/guest-init-blob.o \
		$(BUILD)/tsan/vmm/guest-init-blob.o: $(GUEST_INIT)
%/vmm/guest-init-blob.o: override CPPFLAGS += \
	-DGUEST_INIT_BIN='"$(GUEST_INIT)"'
endif
