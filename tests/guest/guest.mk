# SPDX-License-Identifier: GPL-2.0
# Freestanding x86_64 test guest, packaged four ways:
#   guest.elf       ELF64 linked at 0x100000, entry = 64-bit boot protocol
#   guest-pvh.elf   same code plus the Xen PVH note (guest-pvh32.elf: ELF32)
#   guest.bzImage   bzImage: real-mode setup + payload (32-bit entry at +0,
#                   64-bit entry at +0x200)
#   guest.flat      flat binary linked at 0x10000, real-mode entry at +0
# plus host tools mkbzimage (the packer) and crc32sum.

GUEST_DIR := tests/guest
GUEST_OUT := $(BUILD)/tests/guest
GUEST_OBJ := $(GUEST_OUT)/obj

GUEST_HOST_SRCS := $(GUEST_DIR)/mkbzimage.c $(GUEST_DIR)/crc32sum.c
GUEST_CSRCS := $(filter-out $(GUEST_HOST_SRCS),$(wildcard $(GUEST_DIR)/*.c))
# Assembly linked into every image; head16.S (flat only), pvh-note.S (PVH
# only) and setup16.S (bzImage setup sectors) are linked separately.
GUEST_ASRCS := $(filter-out $(addprefix $(GUEST_DIR)/,guest.lds.S head16.S pvh-note.S \
	setup16.S),$(wildcard $(GUEST_DIR)/*.S))
GUEST_OBJS := $(GUEST_CSRCS:$(GUEST_DIR)/%.c=$(GUEST_OBJ)/%.o) \
	      $(GUEST_ASRCS:$(GUEST_DIR)/%.S=$(GUEST_OBJ)/%.o)

GUEST_CC := gcc
GUEST_OBJCOPY := objcopy
GUEST_CFLAGS := -m64 -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-Wno-unused-parameter -ffreestanding -fno-pic -fno-pie \
	-mgeneral-regs-only -mno-red-zone -mcmodel=small \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-tree-loop-distribute-patterns \
	-fno-strict-aliasing --param=min-pagesize=0 -I$(GUEST_DIR) -MMD -MP
GUEST_LDFLAGS := -m64 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,-z,max-page-size=4096 \
	-Wl,--no-warn-rwx-segments

GUEST_IMAGES := $(GUEST_OUT)/guest.elf $(GUEST_OUT)/guest-pvh.elf \
	$(GUEST_OUT)/guest-pvh32.elf $(GUEST_OUT)/guest.bzImage \
	$(GUEST_OUT)/guest.flat
GUEST_TOOLS := $(GUEST_OUT)/mkbzimage $(GUEST_OUT)/crc32sum

CHECK_DEPS += $(GUEST_IMAGES) $(GUEST_TOOLS)
CHECK_SUITES += $(GUEST_DIR)/check-images.sh $(GUEST_DIR)/qemu-boot.sh
BENCH_DEPS += $(GUEST_IMAGES) $(GUEST_TOOLS)
BENCH_SUITES += $(GUEST_DIR)/bench-boot.sh
# binutils (ld, objcopy) builds the demo guest make run boots; QEMU boots
# the images as a second opinion (qemu-boot.sh).
BUILD_PACKAGES += binutils
CHECK_PACKAGES += qemu-system-x86
RUN_DEPS += $(GUEST_OUT)/guest.bzImage
RUN_ARGS ?= -k $(GUEST_OUT)/guest.bzImage -m 128M -c 2 -p "test=hello"

.PHONY: guest
guest: $(GUEST_IMAGES) $(GUEST_TOOLS)

$(GUEST_OBJ)/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_OBJ)/%.o: $(GUEST_DIR)/%.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_OUT)/guest.lds: $(GUEST_DIR)/guest.lds.S $(GUEST_DIR)/arch.h
	@mkdir -p $(dir $@)
	$(GUEST_CC) -E -P -x c -I$(GUEST_DIR) -DLOAD_ADDR=0x100000 $< -o $@

$(GUEST_OUT)/guest-pvh.lds: $(GUEST_DIR)/guest.lds.S $(GUEST_DIR)/arch.h
	@mkdir -p $(dir $@)
	$(GUEST_CC) -E -P -x c -I$(GUEST_DIR) -DLOAD_ADDR=0x100000 -DPVH \
		$< -o $@

$(GUEST_OUT)/flat.lds: $(GUEST_DIR)/guest.lds.S $(GUEST_DIR)/arch.h
	@mkdir -p $(dir $@)
	$(GUEST_CC) -E -P -x c -I$(GUEST_DIR) -DLOAD_ADDR=0x10000 -DFLAT \
		$< -o $@

# Relink when a source file disappears, not only when one changes.
$(GUEST_OUT)/objs.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GUEST_OBJS)' | cmp -s - $@ || echo '$(GUEST_OBJS)' >$@

$(GUEST_OUT)/guest.elf: $(GUEST_OUT)/guest.lds $(GUEST_OBJS) \
		$(GUEST_OUT)/objs.list
	$(GUEST_CC) $(GUEST_LDFLAGS) -T $< -o $@ $(GUEST_OBJS)

$(GUEST_OUT)/guest-pvh.elf: $(GUEST_OUT)/guest-pvh.lds $(GUEST_OBJS) \
		$(GUEST_OBJ)/pvh-note.o $(GUEST_OUT)/objs.list
	$(GUEST_CC) $(GUEST_LDFLAGS) -T $< -o $@ $(GUEST_OBJS) \
		$(GUEST_OBJ)/pvh-note.o

$(GUEST_OUT)/guest-pvh32.elf: $(GUEST_OUT)/guest-pvh.elf
	$(GUEST_OBJCOPY) -O elf32-i386 $< $@

$(GUEST_OUT)/guest-flat.elf: $(GUEST_OUT)/flat.lds $(GUEST_OBJS) \
		$(GUEST_OBJ)/head16.o $(GUEST_OUT)/objs.list
	$(GUEST_CC) $(GUEST_LDFLAGS) -T $< -o $@ $(GUEST_OBJ)/head16.o \
		$(GUEST_OBJS)

$(GUEST_OUT)/guest.flat: $(GUEST_OUT)/guest-flat.elf
	$(GUEST_OBJCOPY) -O binary $< $@

$(GUEST_OUT)/setup16.elf: $(GUEST_OBJ)/setup16.o
	$(GUEST_CC) $(GUEST_LDFLAGS) -Wl,-Ttext=0 -Wl,-e,0 -o $@ $<

$(GUEST_OUT)/setup16.bin: $(GUEST_OUT)/setup16.elf
	$(GUEST_OBJCOPY) -O binary -j .text $< $@

$(GUEST_OUT)/guest.bzImage: $(GUEST_OUT)/mkbzimage \
		$(GUEST_OUT)/setup16.bin $(GUEST_OUT)/guest.elf
	$(GUEST_OUT)/mkbzimage $(GUEST_OUT)/setup16.bin \
		$(GUEST_OUT)/guest.elf $@

$(GUEST_OUT)/mkbzimage: $(GUEST_DIR)/mkbzimage.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<

$(GUEST_OUT)/crc32sum: $(GUEST_DIR)/crc32sum.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<
