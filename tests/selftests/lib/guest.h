/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ST_GUEST_H
#define ST_GUEST_H

/*
 * Guest side of the selftest harness. Guest code is C compiled into the
 * test binary with -mgeneral-regs-only -mno-red-zone -ffreestanding and
 * runs from the binary's own image copied into the guest at the same
 * addresses. It must not call libc: only what this header gives.
 */
#include "layout.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define __noreturn __attribute__((noreturn))

void st_ucall(u64 cmd, u64 arg0, u64 arg1, u64 arg2, u64 arg3);
void st_guest_assert_fail(const char *expr, const char *file, u64 line,
			  u64 nargs, u64 a, u64 b) __noreturn;

#define GUEST_SYNC(stage)	st_ucall(ST_UCALL_SYNC, (stage), 0, 0, 0)
#define GUEST_DONE()		st_ucall(ST_UCALL_DONE, 0, 0, 0, 0)
#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			st_guest_assert_fail(#cond, __FILE__, __LINE__,	\
					     0, 0, 0);			\
	} while (0)
/* Reports both values on failure. */
#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		u64 __a = (u64)(a), __b = (u64)(b);			\
		if (__a != __b)						\
			st_guest_assert_fail(#a " == " #b, __FILE__,	\
					     __LINE__, 2, __a, __b);	\
	} while (0)

/* Exceptions and interrupts: a handler may change the frame (rip, ...). */
typedef void (*st_irq_handler_t)(struct st_irq_frame *frame);
void st_guest_set_handler(u8 vector, st_irq_handler_t fn);

/* Call fn(arg) at CPL3 and return what it returned (via ud2 -> #UD). */
u64 st_guest_run_user(u64 (*fn)(u64), u64 arg);

static inline u64 st_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (u64)hi << 32;
}

static inline void st_wrmsr(u32 msr, u64 val)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
}

/*
 * rdmsr/wrmsr that return the vector of a fault (13 for #GP) instead of
 * taking it, 0 when the instruction completed.
 */
u64 st_rdmsr_safe(u32 msr, u64 *val);
u64 st_wrmsr_safe(u32 msr, u64 val);

static inline void st_cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c,
			    u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

static inline u16 st_read_cs(void)
{
	u16 v;

	asm volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

static inline u16 st_read_ss(void)
{
	u16 v;

	asm volatile("mov %%ss, %0" : "=r"(v));
	return v;
}

static inline void st_outb(u16 port, u8 v)
{
	asm volatile("outb %b0, %w1" : : "a"(v), "d"(port));
}

static inline void st_outw(u16 port, u16 v)
{
	asm volatile("outw %w0, %w1" : : "a"(v), "d"(port));
}

/* MMIO (or any memory access that must happen exactly as written). */
#define ST_MMIO_ACCESSORS(sz, type)					\
static inline type st_read##sz(u64 addr)				\
{									\
	return *(volatile type *)(unsigned long)addr;			\
}									\
static inline void st_write##sz(u64 addr, type v)			\
{									\
	*(volatile type *)(unsigned long)addr = v;			\
}
ST_MMIO_ACCESSORS(8, u8)
ST_MMIO_ACCESSORS(16, u16)
ST_MMIO_ACCESSORS(32, u32)
ST_MMIO_ACCESSORS(64, u64)

#endif
