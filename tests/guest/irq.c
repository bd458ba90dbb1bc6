// SPDX-License-Identifier: GPL-2.0
/* IDT, exception reports, interrupt handlers and the local APIC. */
#include "guest.h"

struct idt_gate {
	u16 off0;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off1;
	u32 off2;
	u32 reserved;
};

struct idt_desc {
	u16 limit;
	u64 base;
} __packed;

static struct idt_gate idt[256] __aligned(16);
static irq_handler_t handlers[256];

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "?", "#TS", "#NP", "#SS", "#GP", "#PF", "?",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static void idt_set(unsigned int v)
{
	u64 addr = (u64)(irq_stubs + 16 * v);

	idt[v].off0 = (u16)addr;
	idt[v].sel = SEL_CODE64;
	idt[v].ist = 0;
	idt[v].type = 0x8e;	/* present, DPL 0, 64-bit interrupt gate */
	idt[v].off1 = (u16)(addr >> 16);
	idt[v].off2 = (u32)(addr >> 32);
}

void idt_load(void)
{
	struct idt_desc d = { sizeof(idt) - 1, (u64)idt };

	asm volatile("lidt %0" : : "m"(d));
}

void idt_init(void)
{
	unsigned int v;

	for (v = 0; v < 32; v++)
		idt_set(v);
	idt_load();
}

void irq_set_handler(u8 vector, irq_handler_t fn)
{
	if (vector < 32)
		return;
	handlers[vector] = fn;
	barrier();
	idt_set(vector);
}

void irq_dispatch(struct irq_frame *f);
void irq_dispatch(struct irq_frame *f)
{
	u64 cr2;

	if (f->vector >= 32) {
		if (handlers[f->vector]) {
			handlers[f->vector](f);
		} else {
			printf("irq: unexpected vector %lu\n", f->vector);
			lapic_eoi();
		}
		return;
	}
	/* run_user's way back: the ud2 after the user function. */
	if (f->vector == 6 && (f->cs & 3) == 3 &&
	    f->rip == (u64)user_exit_insn)
		user_return(f->rax);
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	console_break_lock();
	printf("exception %lu (%s) on cpu %u at rip=%lx err=%lx cr2=%lx rsp=%lx\n",
	       f->vector, exc_names[f->vector] ? exc_names[f->vector] : "?",
	       lapic_id(), f->rip, f->error, cr2, f->rsp);
	guest_exit(EXIT_EXCEPTION);
}

u32 lapic_read(u32 reg)
{
	return readl(LAPIC_BASE + reg);
}

void lapic_write(u32 reg, u32 v)
{
	writel(v, LAPIC_BASE + reg);
}

u32 lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, 0x100 | 0xff);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}
