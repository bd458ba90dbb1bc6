// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the control socket's server side (vmm/control-proto.c:
 * request parsing, the requests, the replies) on a VM with two vCPUs that
 * are always parked. The input is a series of requests, each a length
 * byte and that many bytes, as a client would send them. Invariants
 * beyond no crash:
 * - every reply is non-empty printable ASCII lines, each ending in '\n',
 *   the first "ok" or "error: ...";
 * - only an exact "stop" line stops the VM, and it is answered "ok";
 * - only "pause" pauses (answered "ok" when not paused or stopping) and
 *   only "resume" resumes; debug leaves the VM as it found it;
 * - a line of 64 bytes or more is "error: request too long";
 * - only "debug nmi N" asks vCPU N (< 2) for an NMI, answered "ok".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "devices/serial8250.h"
#include "vcpu.h"
#include "vm.h"

#define NR_VCPUS 2

/* The register dump needs KVM; a stand-in with the same shape. */
void arch_dump_vcpu(struct vcpu *vcpu, FILE *out)
{
	fprintf(out ? out : stderr, "vCPU %u registers:\n rip 0000000000000000\n",
		vcpu->id);
}

/* The NMI request needs a vCPU thread: a stand-in that leaves the flag. */
int vcpu_request_nmi(struct vcpu *vcpu)
{
	atomic_store(&vcpu->nmi_pending, true);
	return 0;
}

/* No UART under this VM's console (vm.console_uart is NULL). */
int serial8250_break(struct serial8250 *uart, const u8 *then, size_t len)
{
	abort();
}

static void fail(const char *what, const u8 *req, size_t len,
		 const char *reply)
{
	fprintf(stderr, "%s\nrequest (%zu bytes): '%.*s'\nreply: '%s'\n", what,
		len, (int)len, (const char *)req, reply ? reply : "(none)");
	abort();
}

static void check_reply(const char *reply, size_t len, const u8 *req,
			size_t rlen)
{
	size_t i;

	if (!len || reply[len - 1] != '\n')
		fail("reply empty or not ending in a newline", req, rlen, reply);
	for (i = 0; i < len; i++)
		if (reply[i] != '\n' && (reply[i] < 0x20 || reply[i] > 0x7e))
			fail("reply is not printable", req, rlen, reply);
	if (strncmp(reply, "ok\n", 3) && strncmp(reply, "error: ", 7))
		fail("reply starts with neither 'ok' nor 'error: '", req, rlen,
		     reply);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vm_config cfg = { .ram_size = 64ULL << 20 };
	struct vcpu vcpus[NR_VCPUS];
	char name[] = "fuzz";
	struct vm vm;
	size_t at = 0;
	unsigned int i;

	memset(&vm, 0, sizeof(vm));
	memset(vcpus, 0, sizeof(vcpus));
	pthread_mutex_init(&vm.pause_lock, NULL);
	pthread_cond_init(&vm.pause_cond, NULL);
	pthread_mutex_init(&vm.stop_lock, NULL);
	pthread_cond_init(&vm.stop_cond, NULL);
	vm.cfg = &cfg;
	vm.name = name;
	vm.vcpus = vcpus;
	vm.nr_vcpus = NR_VCPUS;
	vm.nr_parked = NR_VCPUS;	/* parked: pause is immediate */
	for (i = 0; i < NR_VCPUS; i++) {
		vcpus[i].vm = &vm;
		vcpus[i].id = i;
	}

	while (at < size) {
		size_t len = MIN((size_t)data[at], size - at - 1);
		const u8 *req = data + at + 1;
		const u8 *nl = memchr(req, '\n', len);
		size_t line = nl ? (size_t)(nl - req) : len;
		bool was_stopping = vm_stop_requested(&vm);
		bool was_paused = vm_paused(&vm);
		char *reply = NULL;
		size_t reply_len = 0;
		FILE *out;

		at += 1 + len;
		out = open_memstream(&reply, &reply_len);
		if (!out)
			abort();
		control_reply(&vm, (const char *)req, len, out);
		fclose(out);
		check_reply(reply, reply_len, req, len);
#define IS(s) (line == strlen(s) && !memcmp(req, s, line))
		if (vm_stop_requested(&vm) != (was_stopping || IS("stop")))
			fail("stop state changed without a stop", req, len,
			     reply);
		if (IS("stop") && strcmp(reply, "ok\n"))
			fail("stop not answered ok", req, len, reply);
		if (IS("pause") && !was_paused && !was_stopping &&
		    (strcmp(reply, "ok\n") || !vm_paused(&vm)))
			fail("pause of a running VM failed", req, len, reply);
		if (IS("resume") && was_paused &&
		    (strcmp(reply, "ok\n") || vm_paused(&vm)))
			fail("resume of a paused VM failed", req, len, reply);
		if (!IS("pause") && !IS("resume") &&
		    vm_paused(&vm) != was_paused)
			fail("pause state changed by another request", req, len,
			     reply);
		if (line >= CONTROL_MAX_REQUEST &&
		    strcmp(reply, "error: request too long\n"))
			fail("a long line is not refused as too long", req, len,
			     reply);
		if ((IS("stat") || IS("info")) &&
		    (!strstr(reply, "\nname fuzz\n") || !strstr(reply, "\ncpus 2\n")))
			fail("stat without the name or CPU count", req, len,
			     reply);
		for (i = 0; i < NR_VCPUS; i++) {
			char nmi[16];
			bool asked;

			snprintf(nmi, sizeof(nmi), "debug nmi %u", i);
			asked = IS(nmi);
			if (atomic_exchange(&vcpus[i].nmi_pending, false) !=
			    asked || (asked && strncmp(reply, "ok\n", 3)))
				fail("an NMI other than 'debug nmi N' asked for",
				     req, len, reply);
		}
#undef IS
		free(reply);
	}
	return 0;
}
