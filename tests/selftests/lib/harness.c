// SPDX-License-Identifier: GPL-2.0
/* Host side of the selftest harness: the test's life, runs and ucalls. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch.h"
#include "kvm-names.h"
#include "selftest.h"
#include "vm-bare.h"
#include "x86/emul-assist.h"

#define ST_DEFAULT_TIMEOUT 20

/* Set by SIGALRM, which also interrupts KVM_RUN: a signal-handler flag. */
static volatile sig_atomic_t st_timed_out;

static void st_alarm(int sig)
{
	(void)sig;
	st_timed_out = 1;
}

static unsigned int st_timeout(void)
{
	const char *s = getenv("ST_TIMEOUT");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v > 0 && v < 3600 ? v : ST_DEFAULT_TIMEOUT;
}

void st_begin(struct st_vm *t, const char *name, const char *guards)
{
	struct sigaction sa = { .sa_handler = st_alarm };

	memset(t, 0, sizeof(*t));
	t->name = name;
	t->stage = -1;
	t->vm.kvm_fd = t->vm.vm_fd = -1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n# %s: guards %s\n", name, guards);
	/* No SA_RESTART: the alarm must break KVM_RUN with EINTR. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL))
		st_fail(t, "sigaction: %s", strerror(errno));
	alarm(st_timeout());
}

static void st_finish(struct st_vm *t)
{
	st_vm_destroy(t);
	fflush(stdout);
	fflush(stderr);
}

void st_pass(struct st_vm *t)
{
	printf("ok 1 %s\n", t->name);
	st_finish(t);
	exit(0);
}

void st_skip(struct st_vm *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("ok 1 %s # SKIP %s\n", t->name, msg);
	st_finish(t);
	exit(4);
}

/* lkvm's register dump, as TAP diagnostics. */
static void st_dump_vcpu(struct vcpu *vcpu)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	arch_dump_vcpu(vcpu, f);
	if (fclose(f))
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	free(buf);
}

void st_fail(struct st_vm *t, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("# FAIL %s: %s\n", t->name, msg);
	if (t->stage >= 0)
		printf("# %s: guest's last stage: %lld\n", t->name, t->stage);
	else
		printf("# %s: guest's last stage: none reported\n", t->name);
	if (t->failing && t->failing->fd >= 0)
		st_dump_vcpu(t->failing);
	printf("not ok 1 %s\n", t->name);
	st_finish(t);
	exit(1);
}

int st_kvm_fd(struct st_vm *t)
{
	if (t->vm.kvm_fd >= 0)
		return t->vm.kvm_fd;
	t->vm.kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (t->vm.kvm_fd < 0)
		st_skip(t, "/dev/kvm: %s", strerror(errno));
	return t->vm.kvm_fd;
}

int st_check_cap(struct st_vm *t, long cap)
{
	int fd = t->vm.vm_fd >= 0 ? t->vm.vm_fd : st_kvm_fd(t);
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

void st_require_cap(struct st_vm *t, long cap, const char *what)
{
	if (!st_check_cap(t, cap))
		st_skip(t, "host KVM lacks %s (KVM_CHECK_EXTENSION %ld = 0)",
			what, cap);
}

const char *st_exit_str(u32 reason, char *buf, size_t len)
{
	if (reason == ST_EXIT_UCALL)
		snprintf(buf, len, "a ucall");
	else
		snprintf(buf, len, "%s (%u)", kvm_exit_name(reason), reason);
	return buf;
}

void st_fail_exit(struct st_vm *t, struct vcpu *vcpu, const char *wanted)
{
	struct kvm_run *run = vcpu->run;
	char what[64], extra[400] = "";
	u32 reason = run->exit_reason;

	t->failing = vcpu;
	switch (reason) {
	case KVM_EXIT_INTERNAL_ERROR: {
		u32 sub = run->internal.suberror, i, n = 0;
		int off;

		off = snprintf(extra, sizeof(extra), ", suberror %u (%s)", sub,
			       kvm_internal_error_name(sub));
		if (sub == KVM_INTERNAL_ERROR_EMULATION &&
		    run->internal.ndata >= 3 &&
		    (run->emulation_failure.flags &
		     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES))
			n = MIN(run->emulation_failure.insn_size, 15u);
		if (n)
			off += snprintf(extra + off, sizeof(extra) - off,
					", instruction bytes");
		for (i = 0; i < n && off < (int)sizeof(extra) - 4; i++)
			off += snprintf(extra + off, sizeof(extra) - off,
					" %02x",
					run->emulation_failure.insn_bytes[i]);
		break;
	}
	case KVM_EXIT_IO:
		snprintf(extra, sizeof(extra), ": %s port 0x%x size %u count %u",
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size, run->io.count);
		break;
	case KVM_EXIT_MMIO:
		snprintf(extra, sizeof(extra), ": %s 0x%llx len %u",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr,
			 run->mmio.len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(extra, sizeof(extra), ": hardware reason 0x%llx",
			 (unsigned long long)
			 run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(extra, sizeof(extra), ": %s",
			 kvm_system_event_name(run->system_event.type));
		break;
	}
	st_fail(t, "vCPU %u: unexpected exit %s%s%s%s", vcpu->id,
		st_exit_str(reason, what, sizeof(what)), extra,
		wanted ? ", expected " : "", wanted ? wanted : "");
}

/* A NUL-terminated string of at most len - 1 bytes from the guest. */
static void st_guest_string(struct st_vm *t, u64 gva, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (guest_mem_read(&t->vm.mem, gva + i, &buf[i], 1)) {
			snprintf(buf, len, "<bad guest string at 0x%llx>",
				 (unsigned long long)gva);
			return;
		}
		if (!buf[i])
			return;
	}
	buf[i] = '\0';
}

static const char *const st_vector_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09",
	"#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP",
};

static void st_handle_ucall(struct st_vm *t, struct vcpu *vcpu, u32 addr)
{
	struct st_ucall *uc = &t->uc;
	char file[256], expr[256];

	if (guest_mem_read(&t->vm.mem, addr, uc, sizeof(*uc))) {
		t->failing = vcpu;
		st_fail(t, "ucall with its record at 0x%x, outside guest RAM",
			addr);
	}
	switch (uc->cmd) {
	case ST_UCALL_SYNC:
		t->stage = uc->args[0];
		return;
	case ST_UCALL_DONE:
		return;
	case ST_UCALL_ASSERT:
		t->failing = vcpu;
		st_guest_string(t, uc->file, file, sizeof(file));
		st_guest_string(t, uc->expr, expr, sizeof(expr));
		if (uc->nargs == 2)
			st_fail(t, "guest assertion failed at %s:%llu: %s (0x%llx != 0x%llx)",
				file, uc->line, expr, uc->args[0],
				uc->args[1]);
		st_fail(t, "guest assertion failed at %s:%llu: %s", file,
			uc->line, expr);
	case ST_UCALL_UNHANDLED: {
		unsigned long long v = uc->args[0];

		t->failing = vcpu;
		st_fail(t, "unexpected guest exception %s (vector %llu) error code 0x%llx at rip 0x%llx cs 0x%llx",
			v < 32 && st_vector_names[v] ? st_vector_names[v] :
			"interrupt", v, uc->args[1], uc->args[2],
			uc->args[3]);
	}
	default:
		t->failing = vcpu;
		st_fail(t, "unknown ucall %llu", uc->cmd);
	}
}

u32 st_run(struct st_vm *t, struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	int r;

	r = ioctl(vcpu->fd, KVM_RUN, 0);
	if (r && st_timed_out) {
		t->failing = vcpu;
		st_fail(t, "timed out after %us in the guest (set ST_TIMEOUT to change)",
			st_timeout());
	}
	if (r) {
		t->failing = vcpu;
		st_fail(t, "KVM_RUN: %s", strerror(errno));
	}
	if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
	    run->mmio.phys_addr == ST_UCALL_ADDR && run->mmio.len == 4) {
		u32 addr;

		memcpy(&addr, run->mmio.data, sizeof(addr));
		st_handle_ucall(t, vcpu, addr);
		return ST_EXIT_UCALL;
	}
	return run->exit_reason;
}

void st_run_expect(struct st_vm *t, struct vcpu *vcpu, u32 reason)
{
	char want[64];

	if (st_run(t, vcpu) != reason)
		st_fail_exit(t, vcpu, st_exit_str(reason, want, sizeof(want)));
}

void st_expect_sync(struct st_vm *t, struct vcpu *vcpu, long long stage)
{
	char want[64];

	snprintf(want, sizeof(want), "GUEST_SYNC(%lld)", stage);
	if (st_run(t, vcpu) != ST_EXIT_UCALL)
		st_fail_exit(t, vcpu, want);
	if (t->uc.cmd != ST_UCALL_SYNC || (long long)t->uc.args[0] != stage) {
		t->failing = vcpu;
		st_fail(t, "guest reported %s, expected %s",
			t->uc.cmd == ST_UCALL_DONE ? "DONE" : "another stage",
			want);
	}
}

void st_expect_done(struct st_vm *t, struct vcpu *vcpu)
{
	if (st_run(t, vcpu) != ST_EXIT_UCALL)
		st_fail_exit(t, vcpu, "GUEST_DONE()");
	if (t->uc.cmd != ST_UCALL_DONE) {
		t->failing = vcpu;
		st_fail(t, "guest reported stage %llu, expected GUEST_DONE()",
			t->uc.args[0]);
	}
}

u8 *st_expect_io(struct st_vm *t, struct vcpu *vcpu, u8 dir, u16 port,
		 u8 size, u32 count)
{
	struct kvm_run *run = vcpu->run;
	char want[96];

	snprintf(want, sizeof(want), "KVM_EXIT_IO (2): %s port 0x%x size %u count %u",
		 dir == KVM_EXIT_IO_OUT ? "out" : "in", port, size, count);
	if (st_run(t, vcpu) != KVM_EXIT_IO || run->io.direction != dir ||
	    run->io.port != port || run->io.size != size ||
	    run->io.count != count)
		st_fail_exit(t, vcpu, want);
	if (run->io.data_offset + (u64)size * count > t->vm.run_mmap_size)
		st_fail(t, "KVM_EXIT_IO data outside the run area");
	return (u8 *)run + run->io.data_offset;
}

u8 *st_expect_mmio(struct st_vm *t, struct vcpu *vcpu, u64 addr, u32 len,
		   bool is_write)
{
	struct kvm_run *run = vcpu->run;
	char want[96];

	snprintf(want, sizeof(want), "KVM_EXIT_MMIO (6): %s 0x%llx len %u",
		 is_write ? "write" : "read", (unsigned long long)addr, len);
	if (st_run(t, vcpu) != KVM_EXIT_MMIO ||
	    run->mmio.phys_addr != addr || run->mmio.len != len ||
	    !run->mmio.is_write != !is_write)
		st_fail_exit(t, vcpu, want);
	return run->mmio.data;
}

void st_sync_to_guest(struct st_vm *t, const void *var, size_t len)
{
	if (guest_mem_write(&t->vm.mem, (u64)(uintptr_t)var, var, len))
		st_fail(t, "guest variable at %p is not in guest RAM", var);
}

void st_sync_from_guest(struct st_vm *t, void *var, size_t len)
{
	if (guest_mem_read(&t->vm.mem, (u64)(uintptr_t)var, var, len))
		st_fail(t, "guest variable at %p is not in guest RAM", var);
}

void st_get_regs(struct st_vm *t, struct vcpu *vcpu, struct kvm_regs *r)
{
	if (ioctl(vcpu->fd, KVM_GET_REGS, r))
		st_fail(t, "KVM_GET_REGS: %s", strerror(errno));
}

void st_set_regs(struct st_vm *t, struct vcpu *vcpu, const struct kvm_regs *r)
{
	if (ioctl(vcpu->fd, KVM_SET_REGS, r))
		st_fail(t, "KVM_SET_REGS: %s", strerror(errno));
}

void st_get_sregs(struct st_vm *t, struct vcpu *vcpu, struct kvm_sregs *s)
{
	if (ioctl(vcpu->fd, KVM_GET_SREGS, s))
		st_fail(t, "KVM_GET_SREGS: %s", strerror(errno));
}

void st_set_sregs(struct st_vm *t, struct vcpu *vcpu,
		  const struct kvm_sregs *s)
{
	if (ioctl(vcpu->fd, KVM_SET_SREGS, s))
		st_fail(t, "KVM_SET_SREGS: %s", strerror(errno));
}

bool st_host_is_pvm_native(void)
{
	return emul_assist_host_needs();
}

void st_vm_destroy(struct st_vm *t)
{
	int kvm_fd = t->vm.kvm_fd;

	if (t->vm.vm_fd >= 0) {
		vm_bare_destroy(&t->vm);
	} else if (kvm_fd >= 0) {
		close(kvm_fd);
		t->vm.kvm_fd = -1;
	}
	free(t->cpuid);
	t->cpuid = NULL;
	t->vcpu = NULL;
	t->failing = NULL;
}
