// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol: one request line in, a text reply out. No
 * sockets here (vmm/control.c has them), so the fuzz target drives it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "control.h"
#include "kvm-names.h"
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

	fprintf(out, "ok\nname %s\npid %d\nstate %s\nuptime %.3f\n", vm->name,
		(int)getpid(), vm_paused(vm) ? "paused" : "running",
		vm_uptime(vm));
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

static void control_execute(struct vm *vm, const char *req, FILE *out)
{
	int err;

	if (!strcmp(req, "stop")) {
		fprintf(out, "ok\n");
		vm_request_stop(vm, 0);
	} else if (!strcmp(req, "pause")) {
		if (vm_paused(vm)) {
			fprintf(out, "error: %s is already paused\n", vm->name);
			return;
		}
		err = vm_pause(vm, CONTROL_PAUSE_TIMEOUT_MS);
		if (err)
			control_pause_failed(vm, err, out);
		else
			fprintf(out, "ok\n");
	} else if (!strcmp(req, "resume")) {
		if (!vm_paused(vm)) {
			fprintf(out, "error: %s is not paused\n", vm->name);
		} else {
			vm_resume(vm);
			fprintf(out, "ok\n");
		}
	} else if (!strcmp(req, "stat") || !strcmp(req, "info")) {
		control_stat(vm, out);
	} else if (!strcmp(req, "debug")) {
		control_debug(vm, out);
	} else {
		/* Echoed only when it is plain text: the reply stays so. */
		fprintf(out, "error: unknown request '%s'\n", req);
	}
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
