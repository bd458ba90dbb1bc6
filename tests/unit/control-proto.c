// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for the control protocol's verb table (vmm/control-proto.c):
 * lkvm's own verbs, and one a device registers, called through
 * control_reply() as a client's request line reaches it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "control.h"
#include "control-ask.h"
#include "devices/serial8250.h"
#include "tap.h"
#include "vcpu.h"
#include "vm.h"

struct echo {
	unsigned int calls;
	char args[64];
};

/* A device's verb: "ok", then its arguments and its call count. */
static void verb_echo(struct vm *vm, void *opaque, const char *args,
		      FILE *out)
{
	struct echo *e = opaque;

	e->calls++;
	snprintf(e->args, sizeof(e->args), "%s", args);
	fprintf(out, "ok\n%s\ncalls %u\n", args, e->calls);
}

static void verb_flag(struct vm *vm, void *opaque, const char *args,
		      FILE *out)
{
	(*(unsigned int *)opaque)++;
	fprintf(out, "ok\n");
}

static void vm_init(struct vm *vm, struct vm_config *cfg)
{
	memset(vm, 0, sizeof(*vm));
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_cond_init(&vm->pause_cond, NULL);
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_cond_init(&vm->stop_cond, NULL);
	vm->cfg = cfg;
	vm->name = strdup("box");
}

/*
 * debug's requests: nmi N (a request the vCPU's thread serves), sysrq K
 * (a break and K into the serial console's UART), dump, and bad ones.
 */
static void test_debug(struct vm *vm)
{
	struct serial8250 uart;
	struct vcpu vcpus[2];
	struct bus bus;
	char *r;
	u8 b;

	memset(vcpus, 0, sizeof(vcpus));
	vm->vcpus = vcpus;
	vm->nr_vcpus = 2;
	r = ask(vm, "debug nmi 1\n");
	if (arch_has_nmi())
		ok(!strcmp(r, "ok\nnmi sent to vCPU 1\n") &&
		   atomic_load(&vcpus[1].nmi_pending) &&
		   !atomic_load(&vcpus[0].nmi_pending),
		   "'debug nmi 1' leaves vCPU 1 an NMI request (got '%s')",
		   show(r));
	else
		ok(!strncmp(r, "error: lkvm cannot inject an NMI", 32),
		   "'debug nmi 1' is refused on this arch (got '%s')", show(r));
	r = ask(vm, "debug nmi 2\n");
	ok(!strcmp(r, "error: no vCPU '2' (box has 2: 0 to 1)\n"),
	   "a vCPU the VM does not have (got '%s')", show(r));
	r = ask(vm, "debug nmi 01\n");
	ok(!strncmp(r, "error: no vCPU '01'", 19) &&
	   !atomic_load(&vcpus[0].nmi_pending),
	   "a leading zero (got '%s')", show(r));
	r = ask(vm, "debug nmi -1\n");
	ok(!strncmp(r, "error: no vCPU '-1'", 19), "a negative one (got '%s')",
	   show(r));
	r = ask(vm, "debug nmi 99999999999999999999\n");
	ok(!strncmp(r, "error: no vCPU", 14), "a huge one (got '%s')", show(r));
	r = ask(vm, "debug nmi ");
	ok(!strncmp(r, "error: no vCPU", 14), "none at all (got '%s')", show(r));

	r = ask(vm, "debug sysrq t\n");
	ok(!strncmp(r, "error: sysrq needs the serial console", 37),
	   "sysrq without a serial console is refused (got '%s')", show(r));
	bus_init(&bus, "pio");
	if (serial8250_init(&uart, &bus, "ttyS0", SERIAL8250_COM1_BASE, NULL,
			    NULL))
		abort();
	vm->console_uart = &uart;
	r = ask(vm, "debug sysrq t\n");
	ok(!strncmp(r, "error: the guest runs its UART without a FIFO", 45),
	   "a UART without its FIFO: refused (got '%s')", show(r));
	b = 0x07;
	bus_access(&bus, NULL, SERIAL8250_COM1_BASE + 2, &b, 1, true);
	r = ask(vm, "debug sysrq t\n");
	ok(!strcmp(r, "ok\nsysrq 't' sent\n") && uart.rx_count == 2 &&
	   uart.rx_brk == 1 && uart.rx_fifo[0] == 0 && uart.rx_fifo[1] == 't',
	   "'debug sysrq t': a break and 't' in the UART's FIFO (got '%s')",
	   show(r));
	r = ask(vm, "debug sysrq tt\n");
	ok(!strncmp(r, "error: sysrq takes one key", 26),
	   "two keys are refused (got '%s')", show(r));
	r = ask(vm, "debug sysrq  ");
	ok(!strncmp(r, "error: sysrq takes one key", 26),
	   "so is a space (got '%s')", show(r));
	r = ask(vm, "debug frob\n");
	ok(!strncmp(r, "error: debug: unknown request 'frob'", 36),
	   "an unknown debug request (got '%s')", show(r));
	serial8250_exit(&uart);
	bus_destroy(&bus);
	vm->console_uart = NULL;
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
}

int main(void)
{
	struct vm_config cfg = { .ram_size = 64ULL << 20 };
	struct control_verb echo = {
		.name = "echo", .fn = verb_echo, .takes_args = true,
		.help = "say it back",
	};
	struct control_verb flag = { .name = "flag", .fn = verb_flag };
	struct echo e = { 0 };
	unsigned int flags = 0;
	const struct control_verb *v;
	struct vm vm;
	char *r;

	log_set_level(LOG_ERROR);
	vm_init(&vm, &cfg);
	echo.opaque = &e;
	flag.opaque = &flags;

	r = ask(&vm, "echo hi\n");
	ok(!strcmp(r, "error: unknown request 'echo hi'\n"),
	   "before it is registered, 'echo' is unknown (got '%s')", show(r));
	ok(control_verb_register(&vm, &echo) == 0, "a device registers 'echo'");
	ok(control_verb_register(&vm, &flag) == 0, "and 'flag'");
	v = control_verb_find(&vm, "echo");
	ok(v && v->fn == verb_echo && v->opaque == &e &&
	   !strcmp(v->help, "say it back"), "control_verb_find() finds it");

	r = ask(&vm, "echo hello there\n");
	ok(!strcmp(r, "ok\nhello there\ncalls 1\n") && e.calls == 1 &&
	   !strcmp(e.args, "hello there"),
	   "'echo hello there' runs it with its arguments (got '%s')", show(r));
	r = ask(&vm, "echo\n");
	ok(!strcmp(r, "ok\n\ncalls 2\n") && !e.args[0],
	   "bare 'echo': empty arguments (got '%s')", show(r));
	r = ask(&vm, "echo");
	ok(e.calls == 3, "a request without its newline runs too (got '%s')",
	   show(r));

	r = ask(&vm, "flag\n");
	ok(!strcmp(r, "ok\n") && flags == 1, "'flag' runs (got '%s')", show(r));
	r = ask(&vm, "flag x\n");
	ok(!strcmp(r, "error: unknown request 'flag x'\n") && flags == 1,
	   "a verb that takes no arguments is not run with some (got '%s')",
	   show(r));
	r = ask(&vm, "flag ");
	ok(flags == 1 && !strncmp(r, "error: ", 7),
	   "nor with a trailing space (got '%s')", show(r));

	ok(control_verb_register(&vm, &echo) == -EEXIST,
	   "a name registered twice: -EEXIST");
	ok(control_verb_register(&vm, &(struct control_verb){
		.name = "stop", .fn = verb_flag }) == -EEXIST,
	   "lkvm's own verbs cannot be taken over: -EEXIST");
	ok(control_verb_register(&vm, &(struct control_verb){
		.name = "Bad name", .fn = verb_flag }) == -EINVAL &&
	   control_verb_register(&vm, &(struct control_verb){
		.name = "", .fn = verb_flag }) == -EINVAL &&
	   control_verb_register(&vm, &(struct control_verb){
		.name = "-x", .fn = verb_flag }) == -EINVAL &&
	   control_verb_register(&vm, &(struct control_verb){
		.name = "x123456789012345678901234567890123",
		.fn = verb_flag }) == -EINVAL &&
	   control_verb_register(&vm, &(struct control_verb){
		.name = "nofn" }) == -EINVAL,
	   "bad names and a verb without fn: -EINVAL");
	ok(vm.nr_control_verbs == 2, "refusals add nothing");

	r = ask(&vm, "resume\n");
	ok(!strcmp(r, "error: box is not paused\n"),
	   "lkvm's own verbs answer as before (got '%s')", show(r));
	r = ask(&vm, "stat\n");
	ok(!strncmp(r, "ok\nname box\n", 12) && strstr(r, "\ncpus 0\n"),
	   "stat too (got '%s')", show(r));
	r = ask(&vm, "stop now\n");
	ok(!strncmp(r, "error: unknown request", 22) && !vm_stop_requested(&vm),
	   "'stop now' does not stop (got '%s')", show(r));
	r = ask(&vm, "bogus\n");
	ok(!strcmp(r, "error: unknown request 'bogus'\n"),
	   "an unknown verb (got '%s')", show(r));
	test_debug(&vm);
	r = ask(&vm, "stop\n");
	ok(!strcmp(r, "ok\n") && vm_stop_requested(&vm), "'stop' stops");

	control_verbs_release(&vm);
	r = ask(&vm, "echo hi\n");
	ok(!vm.control_verbs && !vm.nr_control_verbs &&
	   !strncmp(r, "error: unknown request", 22),
	   "control_verbs_release() forgets them (got '%s')", show(r));
	free(vm.name);
	return tap_done();
}
