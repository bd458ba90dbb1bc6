// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol: one request line in, a text reply out. No
 * sockets here (vmm/control.c has them), so the fuzz target drives it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "control.h"
#include "devices/serial8250.h"
#include "kvm-names.h"
#include "vcpu.h"
#include "vm.h"

static double vm_uptime(struct vm *vm)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - vm->started.tv_sec) +
	       (now.tv_nsec - vm->started.tv_nsec) / 1e9;
}

static void control_stat(struct vm *vm, FILE *out)
{
	unsigned int i, r;
	/* Jailed: the pid the host knows, of the lkvm that started the jail. */
	int pid = vm->cfg->jail.inside ? vm->cfg->jail.host_pid : (int)getpid();

	fprintf(out, "ok\nname %s\npid %d\nstate %s\nuptime %.3f\n", vm->name,
		pid, vm_paused(vm) ? "paused" : "running", vm_uptime(vm));
	fprintf(out, "memory %llu\ncpus %u\n",
		(unsigned long long)vm->cfg->ram_size, vm->nr_vcpus);
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		unsigned long long total = atomic_load(&v->exits_other);

		for (r = 0; r < ARRAY_SIZE(v->exits); r++)
			total += atomic_load(&v->exits[r]);
		fprintf(out, "vcpu%u exits %llu\n", i, total);
		for (r = 0; r < ARRAY_SIZE(v->exits); r++) {
			unsigned long long n = atomic_load(&v->exits[r]);

			if (n)
				fprintf(out, "vcpu%u %s %llu\n", i,
					kvm_exit_name(r), n);
		}
		if (v->nr_assists)
			fprintf(out, "vcpu%u emulation_assists %llu\n", i,
				(unsigned long long)v->nr_assists);
	}
}

static void control_pause_failed(struct vm *vm, int err, FILE *out)
{
	if (err == -ETIMEDOUT)
		fprintf(out, "error: %s's vCPUs did not pause within %u ms\n",
			vm->name, CONTROL_PAUSE_TIMEOUT_MS);
	else
		fprintf(out, "error: %s is stopping\n", vm->name);
}

static void control_debug(struct vm *vm, FILE *out)
{
	bool was_paused = vm_paused(vm);
	unsigned int i;
	int err;

	if (!was_paused) {
		err = vm_pause(vm, CONTROL_PAUSE_TIMEOUT_MS);
		if (err) {
			control_pause_failed(vm, err, out);
			return;
		}
	}
	fprintf(out, "ok\n");
	for (i = 0; i < vm->nr_vcpus; i++)
		arch_dump_vcpu(&vm->vcpus[i], out);
	if (!was_paused)
		vm_resume(vm);
}

static void verb_stop(struct vm *vm, void *opaque, const char *args,
		      FILE *out)
{
	fprintf(out, "ok\n");
	vm_request_stop(vm, 0);
}

static void verb_pause(struct vm *vm, void *opaque, const char *args,
		       FILE *out)
{
	int err;

	if (vm_paused(vm)) {
		fprintf(out, "error: %s is already paused\n", vm->name);
		return;
	}
	err = vm_pause(vm, CONTROL_PAUSE_TIMEOUT_MS);
	if (err)
		control_pause_failed(vm, err, out);
	else
		fprintf(out, "ok\n");
}

static void verb_resume(struct vm *vm, void *opaque, const char *args,
			FILE *out)
{
	if (!vm_paused(vm)) {
		fprintf(out, "error: %s is not paused\n", vm->name);
		return;
	}
	vm_resume(vm);
	fprintf(out, "ok\n");
}

static void verb_stat(struct vm *vm, void *opaque, const char *args,
		      FILE *out)
{
	control_stat(vm, out);
}

/* "nmi N": an NMI into vCPU N, injected by its own thread. */
static void control_nmi(struct vm *vm, const char *arg, FILE *out)
{
	unsigned long n = 0;
	size_t i;
	int err;

	for (i = 0; arg[i] >= '0' && arg[i] <= '9' && n <= LKVM_MAX_CPUS; i++)
		n = n * 10 + (unsigned long)(arg[i] - '0');
	/* Decimal, no leading zero: one spelling per vCPU. */
	if (!i || arg[i] || (i > 1 && arg[0] == '0') || n >= vm->nr_vcpus) {
		fprintf(out, "error: no vCPU '%s' (%s has %u: 0 to %u)\n", arg,
			vm->name, vm->nr_vcpus,
			vm->nr_vcpus ? vm->nr_vcpus - 1 : 0);
		return;
	}
	err = vcpu_request_nmi(&vm->vcpus[n]);
	if (err == -EOPNOTSUPP)
		fprintf(out, "error: lkvm cannot inject an NMI on this architecture (x86 only)\n");
	else if (err)
		fprintf(out, "error: NMI: %s\n", strerror(-err));
	else
		fprintf(out, "ok\nnmi sent to vCPU %lu\n", n);
}

/* "sysrq K": a break on the serial console, then K (Linux's magic SysRq). */
static void control_sysrq(struct vm *vm, const char *arg, FILE *out)
{
	u8 key = (u8)arg[0];
	int err;

	if (!arg[0] || arg[1] || key <= ' ' || key > '~') {
		fprintf(out, "error: sysrq takes one key, a printable character (got '%s')\n",
			arg);
		return;
	}
	if (!vm->console_uart) {
		fprintf(out, "error: sysrq needs the serial console, which %s does not use (--console virtio, or s390x): a break cannot be sent\n",
			vm->name);
		return;
	}
	err = serial8250_break(vm->console_uart, &key, 1);
	if (err == -EAGAIN)
		fprintf(out, "error: the serial console's input is full: try again\n");
	else if (err == -ENOSPC)
		fprintf(out, "error: the guest runs its UART without a FIFO: no room for a break and a key\n");
	else if (err)
		fprintf(out, "error: the guest takes no serial input now (loopback or RTS low)\n");
	else
		fprintf(out, "ok\nsysrq '%c' sent\n", key);
}

/* "" or "dump": the registers; "nmi N"; "sysrq K". */
static void verb_debug(struct vm *vm, void *opaque, const char *args,
		       FILE *out)
{
	if (!*args || !strcmp(args, "dump"))
		control_debug(vm, out);
	else if (!strncmp(args, "nmi ", 4))
		control_nmi(vm, args + 4, out);
	else if (!strncmp(args, "sysrq ", 6))
		control_sysrq(vm, args + 6, out);
	else
		fprintf(out, "error: debug: unknown request '%s' (dump, nmi N or sysrq K)\n",
			args);
}

/* lkvm's own verbs; devices add theirs with control_verb_register(). */
static const struct control_verb builtin_verbs[] = {
	{ "stop", verb_stop, NULL, false, "end the VM (status 0)" },
	{ "pause", verb_pause, NULL, false, "park every vCPU" },
	{ "resume", verb_resume, NULL, false, "let a paused VM run" },
	{ "stat", verb_stat, NULL, false, "name, state, sizes, exit counts" },
	/* `lkvm list`'s request: the same reply as stat. */
	{ "info", verb_stat, NULL, false, NULL },
	{ "debug", verb_debug, NULL, true,
	  "every vCPU's registers; nmi N; sysrq K" },
};

const struct control_verb *control_verb_find(struct vm *vm, const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(builtin_verbs); i++)
		if (!strcmp(name, builtin_verbs[i].name))
			return &builtin_verbs[i];
	for (i = 0; i < vm->nr_control_verbs; i++)
		if (!strcmp(name, vm->control_verbs[i].name))
			return &vm->control_verbs[i];
	return NULL;
}

/* 1 to CONTROL_VERB_MAX of [a-z0-9-], starting with a letter. */
static bool control_verb_name_valid(const char *name)
{
	size_t i;

	if (!name || !(name[0] >= 'a' && name[0] <= 'z'))
		return false;
	for (i = 0; name[i]; i++)
		if (i == CONTROL_VERB_MAX ||
		    !((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
			return false;
	return true;
}

int control_verb_register(struct vm *vm, const struct control_verb *verb)
{
	struct control_verb *verbs;

	if (!verb->fn || !control_verb_name_valid(verb->name))
		return -EINVAL;
	if (control_verb_find(vm, verb->name))
		return -EEXIST;
	verbs = reallocarray(vm->control_verbs, vm->nr_control_verbs + 1,
			     sizeof(*verbs));
	if (!verbs)
		return -ENOMEM;
	verbs[vm->nr_control_verbs++] = *verb;
	vm->control_verbs = verbs;
	return 0;
}

void control_verbs_release(struct vm *vm)
{
	free(vm->control_verbs);
	vm->control_verbs = NULL;
	vm->nr_control_verbs = 0;
}

/* "VERB" or "VERB ARGS": run the verb, or say there is no such request. */
static void control_execute(struct vm *vm, const char *req, FILE *out)
{
	const struct control_verb *verb;
	char name[CONTROL_VERB_MAX + 1];
	const char *sp = strchr(req, ' '), *args = "";
	size_t n = sp ? (size_t)(sp - req) : strlen(req);

	if (n && n < sizeof(name)) {
		memcpy(name, req, n);
		name[n] = '\0';
		verb = control_verb_find(vm, name);
		if (sp)
			args = sp + 1;
		/* A verb without arguments is only ever the whole line. */
		if (verb && (verb->takes_args || !sp)) {
			verb->fn(vm, verb->opaque, args, out);
			return;
		}
	}
	/* Echoed only when it is plain text: the reply stays so. */
	fprintf(out, "error: unknown request '%s'\n", req);
}

static bool printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

void control_reply(struct vm *vm, const char *req, size_t len, FILE *out)
{
	char line[CONTROL_MAX_REQUEST];
	const char *nl = memchr(req, '\n', len);
	size_t n = nl ? (size_t)(nl - req) : len;

	if (n >= sizeof(line)) {
		fprintf(out, "error: request too long\n");
		return;
	}
	if (!printable(req, n)) {
		fprintf(out, "error: request is not plain text\n");
		return;
	}
	memcpy(line, req, n);
	line[n] = '\0';
	control_execute(vm, line, out);
}
