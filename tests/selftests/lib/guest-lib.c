// SPDX-License-Identifier: GPL-2.0
/* Guest side of the selftest harness: ucalls, exceptions, CPL3 calls. */
#include "guest.h"

/* The host's "ucall" device: a write to an address with no memslot. */
void st_ucall(u64 cmd, u64 arg0, u64 arg1, u64 arg2, u64 arg3)
{
	struct st_ucall uc = {
		.cmd = cmd,
		.args = { arg0, arg1, arg2, arg3 },
		.nargs = 4,
	};

	asm volatile("movl %k0, %1"
		     : : "r"((u32)(unsigned long)&uc),
		       "m"(*(volatile u32 *)ST_UCALL_ADDR)
		     : "memory");
}

void st_guest_assert_fail(const char *expr, const char *file, u64 line,
			  u64 nargs, u64 a, u64 b)
{
	struct st_ucall uc = {
		.cmd = ST_UCALL_ASSERT,
		.args = { a, b },
		.nargs = nargs,
		.file = (u64)(unsigned long)file,
		.expr = (u64)(unsigned long)expr,
		.line = line,
	};

	for (;;)
		asm volatile("movl %k0, %1"
			     : : "r"((u32)(unsigned long)&uc),
			       "m"(*(volatile u32 *)ST_UCALL_ADDR)
			     : "memory");
}

static st_irq_handler_t st_handlers[256];

void st_guest_set_handler(u8 vector, st_irq_handler_t fn)
{
	st_handlers[vector] = fn;
}

extern const u64 __start_st_fixups[], __stop_st_fixups[];
extern const char st_user_exit_insn[];
void st_user_return(u64 result) __noreturn;
u64 st_run_user_asm(u64 (*fn)(u64), u64 arg, u64 stack_top);
void st_guest_irq(struct st_irq_frame *f);

void st_guest_irq(struct st_irq_frame *f)
{
	const u64 *fx;

	if (f->vector == 6 && f->rip == (u64)(unsigned long)st_user_exit_insn &&
	    (f->cs & 3) == 3)
		st_user_return(f->rax);
	if (f->vector < 32) {
		for (fx = __start_st_fixups; fx < __stop_st_fixups; fx += 2) {
			if (fx[0] == f->rip) {
				f->rip = fx[1];
				f->r8 = f->vector;
				return;
			}
		}
	}
	if (st_handlers[f->vector & 0xff]) {
		st_handlers[f->vector & 0xff](f);
		return;
	}
	for (;;)
		st_ucall(ST_UCALL_UNHANDLED, f->vector, f->error_code, f->rip,
			 f->cs);
}

u64 st_guest_run_user(u64 (*fn)(u64), u64 arg)
{
	return st_run_user_asm(fn, arg, ST_USTACK_TOP);
}
