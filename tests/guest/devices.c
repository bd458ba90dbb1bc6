// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of the legacy device checks (tests/devices/guest-devices.sh):
 *   uart-irq    COM2's THRE interrupt through the IOAPIC: gated by OUT2,
 *               raised on THRI enable, again after every THR write
 *   uart-echo   read a line from COM1 (the host's stdin) and print it back
 *   uart-break  wait for a break on COM1 (LSR.BI with its NUL), then a
 *               key: "uart-break: break, then 'K'" (lkvm debug --sysrq)
 *   rtc         print the RTC's date and time (the host checks it)
 *   i8042       the controller commands Linux's driver probes with
 */
#include "guest.h"

#define COM1		0x3f8
#define COM2		0x2f8
#define COM2_IRQ	3
#define UART_IIR	2
#define UART_IER	1
#define UART_FCR	2
#define UART_MCR	4
#define UART_LSR	5

#define IOAPIC_BASE	0xfec00000UL
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define LAPIC_LVT0	0x350
#define LVT_MASKED	(1u << 16)

#define UART_TEST_VECTOR 0x41
#define SPIN_LIMIT	200000

static volatile u32 thre_irqs, other_irqs;
static volatile u8 last_iir;

static void ioapic_write(u32 reg, u32 v)
{
	writel(reg, IOAPIC_BASE);
	writel(v, IOAPIC_BASE + 0x10);
}

/* Edge, active high, fixed delivery to this CPU's APIC; or masked. */
static void ioapic_route(unsigned int pin, u8 vector, bool masked)
{
	ioapic_write(IOAPIC_REDTBL(pin) + 1, lapic_id() << 24);
	ioapic_write(IOAPIC_REDTBL(pin), vector | (masked ? 1u << 16 : 0));
}

static void com2_handler(struct irq_frame *f)
{
	u8 iir = inb(COM2 + UART_IIR);

	last_iir = iir;
	if ((iir & 0x0f) == 0x02)
		thre_irqs++;
	else
		other_irqs++;
	lapic_eoi();
}

/* Spin until thre_irqs reaches n; false on timeout. */
static bool wait_thre(u32 n)
{
	unsigned int i;

	for (i = 0; i < SPIN_LIMIT && thre_irqs < n; i++)
		cpu_relax();
	return thre_irqs >= n;
}

static int test_uart_irq(const struct boot_info *bi, const char *arg)
{
	int ret = EXIT_FAIL;
	unsigned int i;

	/* Only the IOAPIC delivers: PIC masked, LINT0 virtual wire off. */
	outb(0xff, 0x21);
	outb(0xff, 0xa1);
	lapic_enable();
	lapic_write(LAPIC_LVT0, LVT_MASKED);
	irq_set_handler(UART_TEST_VECTOR, com2_handler);
	ioapic_route(COM2_IRQ, UART_TEST_VECTOR, false);

	outb(0x01, COM2 + UART_FCR);
	outb(0x00, COM2 + UART_MCR);
	outb(0x02, COM2 + UART_IER);
	irq_enable();
	if (wait_thre(1) || other_irqs) {
		printf("uart-irq: interrupt with OUT2 clear\n");
		goto out;
	}
	outb(0x08, COM2 + UART_MCR);
	if (!wait_thre(1)) {
		printf("uart-irq: no THRE interrupt after OUT2 set\n");
		goto out;
	}
	if (last_iir != 0xc2) {
		printf("uart-irq: IIR 0x%x, want 0xc2\n", last_iir);
		goto out;
	}
	for (i = 0; i < 8; i++) {
		outb('a' + i, COM2);
		if (!wait_thre(2 + i)) {
			printf("uart-irq: no THRE interrupt after write %u\n",
			       i);
			goto out;
		}
	}
	outb(0x00, COM2 + UART_IER);
	outb('z', COM2);
	for (i = 0; i < SPIN_LIMIT / 4; i++)
		cpu_relax();
	if (thre_irqs != 9 || other_irqs) {
		printf("uart-irq: %u THRE and %u other interrupts, want 9 and 0\n",
		       thre_irqs, other_irqs);
		goto out;
	}
	printf("uart-irq: %u THRE interrupts, IIR 0x%x\n", thre_irqs,
	       last_iir);
	ret = EXIT_OK;
out:
	irq_disable();
	outb(0x00, COM2 + UART_IER);
	outb(0x00, COM2 + UART_MCR);
	ioapic_route(COM2_IRQ, UART_TEST_VECTOR, true);
	return ret;
}
GUEST_TEST("uart-irq", test_uart_irq);

static int test_uart_echo(const struct boot_info *bi, const char *arg)
{
	char line[80];
	unsigned int len = 0, idle = 0;

	/* FIFO left off: one byte at a time, the host's back-pressure works. */
	while (len < sizeof(line) - 1 && idle < SPIN_LIMIT / 4) {
		char c;

		if (!(inb(COM1 + UART_LSR) & 0x01)) {
			idle++;
			continue;
		}
		idle = 0;
		c = (char)inb(COM1);
		if (c == '\n')
			break;
		line[len++] = c;
	}
	line[len] = '\0';
	if (idle >= SPIN_LIMIT / 4) {
		printf("uart-echo: input stopped after %u bytes\n", len);
		return EXIT_FAIL;
	}
	printf("echo: %s\n", line);
	return EXIT_OK;
}
GUEST_TEST("uart-echo", test_uart_echo);

#define LSR_DR		0x01
#define LSR_BI		0x10
#define BREAK_SPINS	50000000u

/* A byte from COM1 with the LSR seen with it; false on a long wait. */
static bool uart_getc_lsr(u8 *c, u8 *lsr)
{
	unsigned int spins;

	for (spins = 0; spins < BREAK_SPINS; spins++) {
		*lsr = inb(COM1 + UART_LSR);
		if (*lsr & (LSR_DR | LSR_BI)) {
			*c = inb(COM1);
			return true;
		}
	}
	return false;
}

/*
 * As Linux's 8250 driver runs it: data and line-status interrupts on and
 * OUT2 set, so the break raises the UART's line from the thread that
 * sends it (lkvm's control thread); this guest still polls, interrupts
 * off.
 */
static int test_uart_break(const struct boot_info *bi, const char *arg)
{
	u8 c, lsr, mcr = inb(COM1 + UART_MCR);
	int ret = EXIT_FAIL;

	outb(0x07, COM1 + UART_FCR);	/* FIFO on, both cleared: a 16550A */
	outb(mcr | 0x0b, COM1 + UART_MCR);	/* DTR, RTS, OUT2 */
	outb(0x05, COM1 + UART_IER);	/* received data, line status */
	printf("uart-break: waiting\n");
	if (!uart_getc_lsr(&c, &lsr)) {
		printf("uart-break: nothing came\n");
		goto out;
	}
	if (!(lsr & LSR_BI) || c) {
		printf("uart-break: 0x%x with lsr 0x%x, not a break\n", c, lsr);
		goto out;
	}
	if (!uart_getc_lsr(&c, &lsr) || (lsr & LSR_BI)) {
		printf("uart-break: no key after the break\n");
		goto out;
	}
	printf("uart-break: break, then '%c'\n", c);
	ret = EXIT_OK;
out:
	outb(0x00, COM1 + UART_IER);
	outb(mcr, COM1 + UART_MCR);
	return ret;
}
GUEST_TEST("uart-break", test_uart_break);

static u8 cmos(u8 idx)
{
	outb(idx, 0x70);
	return inb(0x71);
}

static unsigned int bcd(u8 v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

static int test_rtc(const struct boot_info *bi, const char *arg)
{
	u8 sec, min, hour, day, mon, year, cent, b;
	unsigned int i;

	for (i = 0; i < SPIN_LIMIT && (cmos(0x0a) & 0x80); i++)
		cpu_relax();
	if (i == SPIN_LIMIT) {
		printf("rtc: update in progress forever\n");
		return EXIT_FAIL;
	}
	do {
		sec = cmos(0x00);
		min = cmos(0x02);
		hour = cmos(0x04);
		day = cmos(0x07);
		mon = cmos(0x08);
		year = cmos(0x09);
		cent = cmos(0x32);
	} while (sec != cmos(0x00));
	b = cmos(0x0b);
	if (!(b & 0x02) || (b & 0x04)) {
		printf("rtc: register B 0x%x, want BCD 24-hour\n", b);
		return EXIT_FAIL;
	}
	if (!(cmos(0x0d) & 0x80)) {
		printf("rtc: register D VRT clear\n");
		return EXIT_FAIL;
	}
	printf("rtc: %02u%02u-%02u-%02u %02u:%02u:%02u\n", bcd(cent),
	       bcd(year), bcd(mon), bcd(day), bcd(hour), bcd(min), bcd(sec));
	return EXIT_OK;
}
GUEST_TEST("rtc", test_rtc);

/* Send a controller command, return its reply or -1. */
static int kbc_cmd(u8 cmd, int data)
{
	unsigned int i;

	outb(cmd, 0x64);
	if (data >= 0)
		outb((u8)data, 0x60);
	for (i = 0; i < 1000; i++)
		if (inb(0x64) & 0x01)
			return inb(0x60);
	return -1;
}

static int test_i8042(const struct boot_info *bi, const char *arg)
{
	int st = inb(0x64), self, ctr, loop, kbd;

	if (st & 0x03) {
		printf("i8042: status 0x%x: buffers not empty\n", st);
		return EXIT_FAIL;
	}
	self = kbc_cmd(0xaa, -1);
	ctr = kbc_cmd(0x20, -1);
	loop = kbc_cmd(0xd3, 0x5a);
	kbd = kbc_cmd(0xab, -1);
	printf("i8042: self-test 0x%x ctr 0x%x aux-loop 0x%x kbd-test 0x%x\n",
	       self, ctr, loop, kbd);
	return self == 0x55 && ctr >= 0 && loop == 0x5a && kbd == 0 ?
	       EXIT_OK : EXIT_FAIL;
}
GUEST_TEST("i8042", test_i8042);
