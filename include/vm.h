/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VM_H
#define LKVM_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>

#include "bus.h"
#include "config.h"
#include "guest-mem.h"
#include "io-loop.h"
#include "irq.h"
#include "main-helper.h"
#include "mapped-file.h"
#include "sandbox-status.h"
#include "term.h"
#include "vm-devices.h"
#include "vm-irq.h"
#include "types.h"

struct vm;
struct control_verb;
struct serial8250;

/*
 * Work for the one shutdown path, run by vm_run() after the vCPUs and the
 * I/O thread have stopped and before lkvm's exit status is delivered
 * (drain in-flight I/O, flush disks). Last registered runs first.
 */
struct vm_shutdown_hook {
	void (*fn)(struct vm *vm, void *opaque);
	void *opaque;
	struct vm_shutdown_hook *next;
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;	/* joinable: set by vcpu_start() */
	/*
	 * Set by the vCPU thread itself before its first KVM_RUN, under
	 * kick_lock: from then on vcpu_kick() signals kick_thread, so a stop
	 * reaches the vCPU whenever its thread starts.
	 */
	pthread_mutex_t kick_lock;
	bool kick_armed;
	pthread_t kick_thread;
	/* `lkvm debug --nmi`: served by the vCPU thread before KVM_RUN. */
	atomic_bool nmi_pending;
	atomic_ullong nmis;		/* injected */
	/* Completed debug exits, for --debug-single-step. */
	u64 nr_single_steps;
	/* Exits by reason, for `lkvm stat`; written by this vCPU only. */
	atomic_ullong exits[KVM_EXIT_NOTIFY + 1];
	atomic_ullong exits_other;
	/* Emulation assists: total, and a guard against no progress. */
	u64 nr_assists;
	u64 last_assist_rip;
	u32 same_rip_assists;
};

struct vm {
	const struct vm_config *cfg;
	/* --status-file's place, taken before the guest ran. */
	struct status_target status;
	/* The main thread's teardown file work, once Landlock confines it. */
	struct main_helper helper;
	bool main_confine;	/* Landlock for the main thread (vm_run()) */
	int kvm_fd;		/* /dev/kvm; closed (-1) once the vCPUs exist */
	int vm_fd;
	size_t run_mmap_size;

	struct guest_mem mem;
	void *ram;		/* one mapping, split around the MMIO hole */
	u64 ram_mapped;

	struct bus pio_bus;
	struct bus mmio_bus;

	struct vcpu *vcpus;
	unsigned int nr_vcpus;

	struct io_loop io;
	struct vm_irq_routing irq_routing;
	struct term term;	/* the console: stdin/stdout */
	/*
	 * Where the serial console writes: &term.out, &log_out
	 * (--console-log FILE) or NULL (lkvm sandbox: dropped).
	 */
	struct term_out *serial_out;
	struct term_out log_out;
	/*
	 * The UART the serial console is on, for `lkvm debug --sysrq` (a
	 * break, then the key); NULL when the console is another device.
	 */
	struct serial8250 *console_uart;
	bool log_out_ready;
	int log_fd;		/* --console-log's file, or -1 */
	/* lkvm sandbox: the guest init's command status, -1 until told. */
	atomic_int guest_status;
	struct io_handler signal_handler;

	struct mapped_file kernel;
	struct mapped_file initrd;

	/* Pause: vCPUs park before KVM_RUN while pause_requested is set. */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	atomic_bool pause_requested;
	unsigned int nr_parked;
	struct timespec started;	/* CLOCK_MONOTONIC at vm_run() */
	char *name;			/* --name, or guest-<pid> */
	void *control;			/* the control socket (vmm/control.c) */
	/* Verbs devices added to the control socket's (control.h). */
	struct control_verb *control_verbs;
	unsigned int nr_control_verbs;

	/* Shutdown: first stop request wins and sets the exit status. */
	atomic_bool stopping;
	atomic_int exit_status;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;

	struct vm_shutdown_hook *shutdown_hooks;
	struct vm_devices devs;	/* lifecycle: include/vm-devices.h */

	void *arch;		/* struct x86_vm and friends */
	void *devices;		/* struct pc_devices, owned by vmm/x86 */
};

/*
 * Build the VM from cfg into a zeroed vm whose kernel (and initrd) the caller
 * has mapped. On failure prints one "lkvm: ..." line and returns -errno;
 * vm_destroy() then releases what was built.
 */
int vm_create(struct vm *vm, const struct vm_config *cfg);
/* The VM's name, malloc()ed: --name, or "guest-PID"; NULL when out of memory. */
char *vm_name_of(const struct vm_config *cfg);
/* Register work for the shutdown path (before vm_run()). */
void vm_on_shutdown(struct vm *vm, struct vm_shutdown_hook *hook);

/* Run until a stop request; returns the exit status for lkvm. */
int vm_run(struct vm *vm);
void vm_destroy(struct vm *vm);

/*
 * lkvm's exit statuses (lkvm.1, EXIT STATUS). A guest may also end lkvm
 * with any status through the test-exit port, and a signal gives
 * 128 + its number.
 */
#define LKVM_STATUS_OK		0	/* power-off, reset, Ctrl-a x, lkvm stop */
#define LKVM_STATUS_ERROR	1	/* guest crash, KVM or set-up failure */
#define LKVM_STATUS_USAGE	2	/* bad command line */
#define LKVM_STATUS_PANIC	3	/* the guest kernel reported a panic */

/*
 * Ask the VM to stop with this exit status. Safe from any thread, including
 * a vCPU's exit handler; the first caller's status is kept (true for it).
 */
bool vm_request_stop(struct vm *vm, int status);
bool vm_stop_requested(const struct vm *vm);

/*
 * The guest kernel panicked (`how` it was seen: "pvpanic", "disabled
 * wait"): a stop with LKVM_STATUS_PANIC and one "lkvm: guest kernel
 * panicked ..." line on stderr (saying so when another stop came first
 * and keeps its status). Any thread.
 */
void vm_guest_panicked(struct vm *vm, const char *how);

/* pvpanic ops whose PANICKED calls vm_guest_panicked(vm, "pvpanic"). */
struct pvpanic_ops;
void vm_pvpanic_ops(struct vm *vm, struct pvpanic_ops *ops);

/*
 * Park every vCPU outside KVM_RUN: returns once all are parked, -EINTR if
 * the VM stops meanwhile, -ETIMEDOUT if they are not all parked within
 * timeout_ms (then the VM runs on, not paused). vm_resume() lets them go
 * again. Any thread but a vCPU's.
 */
int vm_pause(struct vm *vm, unsigned int timeout_ms);
void vm_resume(struct vm *vm);
bool vm_paused(struct vm *vm);
/* Called by a vCPU thread before each KVM_RUN. */
void vcpu_park_if_paused(struct vcpu *vcpu);
/*
 * After making a vCPU runnable (arch_vcpu_runnable()): wake the vCPUs
 * parked as stopped to look again.
 */
void vm_wake_vcpus(struct vm *vm);

/* An irq_line that asserts a GSI through KVM_IRQ_LINE on this VM. */
void vm_irq_line_init(struct vm *vm, struct irq_line *line, u32 gsi);

#endif
