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

#include "control.h"
#include "tap.h"
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

/* The reply to one request line, as the control thread would give it. */
static char *ask(struct vm *vm, const char *req)
{
	static char buf[4096];
	char *reply = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&reply, &len);

	if (!out)
		return strcpy(buf, "(no memstream)");
	control_reply(vm, req, strlen(req), out);
	fclose(out);
	snprintf(buf, sizeof(buf), "%s", reply ? reply : "");
	free(reply);
	return buf;
}

/* A reply on one TAP line: its newlines shown as '|'. */
static const char *show(const char *r)
{
	static char buf[4096];
	size_t i;

	for (i = 0; r[i] && i < sizeof(buf) - 1; i++)
		buf[i] = r[i] == '\n' ? '|' : r[i];
	buf[i] = '\0';
	return buf;
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
