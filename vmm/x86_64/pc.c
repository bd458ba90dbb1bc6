// SPDX-License-Identifier: GPL-2.0
/*
 * The PC platform devices of an x86_64 VM: COM1-4 (COM1 on the console),
 * RTC/CMOS, the i8042 controller, the test-exit port and the ports a PC
 * has but lkvm models as doing nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "devices/debug-exit.h"
#include "devices/i8042.h"
#include "devices/ignored-ports.h"
#include "devices/irq-share.h"
#include "devices/rtc.h"
#include "devices/serial8250.h"
#include "log.h"
#include "vm.h"
#include "x86/layout.h"

#define PC_NR_UARTS 4
#define PC_IRQ_KBD 1
#define PC_IRQ_AUX 12

struct pc_devices {
	struct serial8250 uarts[PC_NR_UARTS];
	/* COM1/COM3 share IRQ 4, COM2/COM4 IRQ 3. */
	struct irq_line irq4, irq3, kbd_irq, aux_irq;
	struct irq_share irq4_share, irq3_share;
	struct rtc rtc;
	struct i8042 i8042;
	struct debug_exit debug_exit;
	struct ignored_ports ignored;
};

static const struct {
	const char *name;
	u16 base;
	bool on_irq4;
	unsigned int share_input;
} pc_uarts[PC_NR_UARTS] = {
	{ "ttyS0", SERIAL8250_COM1_BASE, true, 0 },
	{ "ttyS1", SERIAL8250_COM2_BASE, false, 0 },
	{ "ttyS2", SERIAL8250_COM3_BASE, true, 1 },
	{ "ttyS3", SERIAL8250_COM4_BASE, false, 1 },
};

static void pc_console_quit(void *opaque)
{
	vm_request_stop(opaque, 0);
}

static int pc_init_uarts(struct vm *vm, struct pc_devices *pc)
{
	unsigned int i;
	int err;

	vm_irq_line_init(vm, &pc->irq4, SERIAL8250_COM1_IRQ);
	vm_irq_line_init(vm, &pc->irq3, SERIAL8250_COM2_IRQ);
	err = irq_share_init(&pc->irq4_share, &pc->irq4, 2);
	if (!err)
		err = irq_share_init(&pc->irq3_share, &pc->irq3, 2);
	if (err)
		return err;
	for (i = 0; i < PC_NR_UARTS; i++) {
		struct irq_share *share = pc_uarts[i].on_irq4 ?
			&pc->irq4_share : &pc->irq3_share;

		err = serial8250_init(&pc->uarts[i], &vm->pio_bus,
				      pc_uarts[i].name, pc_uarts[i].base,
				      irq_share_input(share,
						      pc_uarts[i].share_input),
				      i == 0 ? vm->term.out_fd : -1);
		if (err) {
			pr_err("cannot set up %s: %s", pc_uarts[i].name,
			       strerror(-err));
			return err;
		}
	}
	if (vm->cfg->console != CONSOLE_SERIAL)
		return 0;
	serial8250_set_room_cb(&pc->uarts[0], term_notify_room, &vm->term);
	err = term_attach(&vm->term, &vm->io, serial8250_sink, &pc->uarts[0],
			  pc_console_quit, vm);
	if (err)
		pr_err("cannot attach the console: %s", strerror(-err));
	return err;
}

int arch_devices_init(struct vm *vm)
{
	struct pc_devices *pc;
	int err;

	pc = calloc(1, sizeof(*pc));
	if (!pc) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	vm->devices = pc;
	err = pc_init_uarts(vm, pc);
	if (err)
		return err;

	vm_irq_line_init(vm, &pc->kbd_irq, PC_IRQ_KBD);
	vm_irq_line_init(vm, &pc->aux_irq, PC_IRQ_AUX);
	err = rtc_init(&pc->rtc, &vm->pio_bus);
	if (!err)
		err = i8042_init(&pc->i8042, &vm->pio_bus, vm, &pc->kbd_irq,
				 &pc->aux_irq);
	if (!err)
		err = debug_exit_init(&pc->debug_exit, &vm->pio_bus, vm,
				      X86_PORT_DEBUG_EXIT);
	if (!err)
		err = ignored_ports_init(&pc->ignored, &vm->pio_bus, vm);
	if (err)
		pr_err("cannot set up the PC devices: %s", strerror(-err));
	return err;
}
