// SPDX-License-Identifier: GPL-2.0
/*
 * Guest of mmio_pio: each access exits to the host once; after the host
 * completes it the guest must be past the instruction with the value.
 */
#include "guest.h"
#include "mmio_pio.h"

void mmio_pio_guest(void)
{
	volatile u8 buf[MP_STR_LEN + 1] = { 0 };
	u64 q, rcx = MP_STR_LEN;
	u32 l;
	u16 w;
	u8 b;
	void *dst = (void *)buf;

	GUEST_SYNC(1);
	asm volatile("inb %w1, %b0" : "=a"(b) : "d"(MP_PORT8));
	GUEST_ASSERT_EQ(b, MP_IN8);
	asm volatile("inw %w1, %w0" : "=a"(w) : "d"(MP_PORT16));
	GUEST_ASSERT_EQ(w, MP_IN16);
	asm volatile("inl %w1, %0" : "=a"(l) : "d"(MP_PORT32));
	GUEST_ASSERT_EQ(l, MP_IN32);
	asm volatile("outb %b0, %w1" : : "a"((u8)MP_OUT8), "d"(MP_PORT8));
	asm volatile("outl %0, %w1" : : "a"(MP_OUT32), "d"(MP_PORT32));
	GUEST_SYNC(2);
	asm volatile("rep insb" : "+D"(dst), "+c"(rcx) : "d"(MP_PORT_STR)
		     : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	GUEST_ASSERT_EQ(buf[0], 1);
	GUEST_ASSERT_EQ(buf[3], 4);
	GUEST_ASSERT_EQ(buf[4], 0);
	GUEST_SYNC(3);
	GUEST_ASSERT_EQ(st_read8(MP_MMIO), MP_MMIO8);
	GUEST_ASSERT_EQ(st_read16(MP_MMIO), MP_MMIO16);
	GUEST_ASSERT_EQ(st_read32(MP_MMIO), MP_MMIO32);
	GUEST_ASSERT_EQ(st_read64(MP_MMIO), MP_MMIO64);
	/* A read folded into an ALU instruction. */
	l = 1;
	asm volatile("addl %1, %0" : "+r"(l) : "m"(*(volatile u32 *)MP_MMIO));
	GUEST_ASSERT_EQ(l, MP_MMIO_ADD + 1);
	GUEST_SYNC(4);
	st_write32(MP_MMIO, MP_MMIO_W32);
	q = MP_MMIO_W64;
	st_write64(MP_MMIO + 8, q);
	GUEST_DONE();
}
