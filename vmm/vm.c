// SPDX-License-Identifier: GPL-2.0
/* The VM: KVM handles, guest RAM, buses, vCPUs and the stop path. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "log.h"
#include "seccomp-filter.h"
#include "control.h"
#include "landlock.h"
#include "signals.h"
#include "vcpu.h"
#include "vm.h"

static int vm_open_kvm(struct vm *vm, const char *path)
{
	int version;

	vm->kvm_fd = open(path, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int err = -errno;

		if (err == -ENOENT)
			pr_err("cannot open %s: %s (is the kvm module loaded?)",
			       path, strerror(-err));
		else if (err == -EACCES || err == -EPERM)
			pr_err("cannot open %s: %s (lkvm needs read-write access to it)",
			       path, strerror(-err));
		else
			pr_err("cannot open %s: %s", path, strerror(-err));
		return err;
	}
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		pr_err("%s is not a KVM device with API version %d (got %d)",
		       path, KVM_API_VERSION, version);
		return -ENODEV;
	}
	vm->run_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if ((long)vm->run_mmap_size <= 0) {
		pr_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -ENODEV;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		int err = -errno;

		pr_err("KVM_CREATE_VM: %s", strerror(-err));
		return err;
	}
	return 0;
}

/* hugetlbfs-backed RAM: an unlinked file in the mount, mapped shared. */
static void *vm_map_hugetlbfs(const char *dir, u64 *size)
{
	char path[4096];
	struct statfs sfs;
	void *p;
	int fd;

	if (statfs(dir, &sfs)) {
		pr_err("cannot use hugetlbfs '%s': %s", dir, strerror(errno));
		return NULL;
	}
	if (sfs.f_type != 0x958458f6) {	/* HUGETLBFS_MAGIC */
		pr_err("'%s' is not a hugetlbfs mount", dir);
		return NULL;
	}
	*size = ALIGN_UP(*size, (u64)sfs.f_bsize);
	snprintf(path, sizeof(path), "%s/lkvm-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		pr_err("cannot create a file in '%s': %s", dir, strerror(errno));
		return NULL;
	}
	if (unlink(path) || ftruncate(fd, *size)) {
		pr_err("cannot size hugetlbfs file '%s': %s", path,
		       strerror(errno));
		close(fd);
		return NULL;
	}
	p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		pr_err("cannot map %llu bytes of huge pages from '%s': %s",
		       (unsigned long long)*size, dir, strerror(errno));
		return NULL;
	}
	guest_ram_advise_nofork(p, *size);
	return p;
}

/*
 * Transparent huge pages for guest RAM when a disk does direct I/O. A
 * 1 MiB request on 4 KiB pages is 256 scattered segments, more than a
 * disk takes in one request (254 on a virtio disk), so the host kernel
 * splits it, and pins 256 pages; on huge pages it is a few segments
 * (tests/blk/bench.sh, 1 MiB sequential reads at depth 8: the device's CPU
 * time per request went from 94 to 35 us, fio's is 92-100, and its IOPS
 * from 0.75 to 1.32 of fio's; writes 82 to 21 us, 0.89 to 1.82). Not
 * always: every 2 MiB the guest touches then becomes a whole huge page
 * (the demo guest's RSS went from 2.7 to 4.7 MiB at 256 MiB and at 2 GiB
 * alike, so the guest's size is no guide), and buffered disk I/O copies
 * through the page cache, where segments do not matter.
 */
static bool vm_ram_wants_huge(const struct vm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_disks; i++)
		if (cfg->disks[i].direct)
			return true;
	return false;
}

static int vm_init_memory(struct vm *vm)
{
	struct ram_range ranges[ARCH_MAX_RAM_RANGES];
	u64 size = vm->cfg->ram_size, offset = 0;
	int i, n;

	if (vm->cfg->hugetlbfs_path) {
		vm->ram = vm_map_hugetlbfs(vm->cfg->hugetlbfs_path, &size);
		if (!vm->ram)
			return -ENOMEM;
	} else {
		vm->ram = guest_ram_map(size);
		if (!vm->ram) {
			pr_err("cannot map %llu MiB of guest memory: %s",
			       (unsigned long long)(size >> 20),
			       strerror(errno));
			return -ENOMEM;
		}
		if (vm_ram_wants_huge(vm->cfg))
			guest_ram_advise_huge(vm->ram, size);
	}
	vm->ram_mapped = size;

	n = arch_ram_ranges(vm->cfg->ram_size, ranges);
	for (i = 0; i < n; i++) {
		struct kvm_userspace_memory_region region = {
			.slot = i,
			.guest_phys_addr = ranges[i].gpa,
			.memory_size = ranges[i].size,
			.userspace_addr = (u64)(uintptr_t)vm->ram + offset,
		};
		int err = guest_mem_add(&vm->mem, ranges[i].gpa,
					ranges[i].size, (u8 *)vm->ram + offset,
					false);

		if (err) {
			pr_err("bad RAM layout at 0x%llx",
			       (unsigned long long)ranges[i].gpa);
			return err;
		}
		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region)) {
			err = -errno;
			pr_err("KVM_SET_USER_MEMORY_REGION (%llu MiB at 0x%llx): %s",
			       (unsigned long long)(ranges[i].size >> 20),
			       (unsigned long long)ranges[i].gpa,
			       strerror(-err));
			return err;
		}
		offset += ranges[i].size;
	}
	return 0;
}

static void vm_irq_line_set(struct irq_line *line, int level)
{
	struct vm *vm = line->opaque;
	struct kvm_irq_level irq = { .irq = line->gsi, .level = level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq))
		pr_err_ratelimited("KVM_IRQ_LINE %u: %s", line->gsi,
				   strerror(errno));
}

void vm_irq_line_init(struct vm *vm, struct irq_line *line, u32 gsi)
{
	line->set_level = vm_irq_line_set;
	line->opaque = vm;
	line->gsi = gsi;
}

/*
 * The serial console's output: the terminal, --console-log's file (which
 * never makes the guest wait), or nothing for lkvm sandbox, whose
 * stdout belongs to the command.
 */
static int vm_serial_out_init(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	int fd, err;

	vm->serial_out = cfg->sandbox ? NULL : &vm->term.out;
	if (!cfg->console_log)
		return 0;
	fd = open(cfg->console_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		  O_NOCTTY, 0644);
	if (fd < 0) {
		err = -errno;
		pr_err("cannot open the console log '%s': %s", cfg->console_log,
		       strerror(errno));
		return err;
	}
	vm->log_fd = fd;
	err = term_out_init(&vm->log_out, fd);
	if (!err) {
		vm->log_out_ready = true;
		err = term_out_attach(&vm->log_out, &vm->io);
	}
	if (err) {
		pr_err("cannot set up the console log '%s': %s",
		       cfg->console_log, strerror(-err));
		return err;
	}
	vm->serial_out = &vm->log_out;
	return 0;
}

/*
 * lkvm's own lines start lines of their own on a console that shares
 * stderr's file: the terminal's (stdout), else --console-log's; under
 * lkvm sandbox, when neither does, the command's stderr port
 * (vmm/dev-sandbox-ports.c).
 */
static void vm_log_lines_init(struct vm *vm)
{
	if (!term_out_take_log(&vm->term.out, STDERR_FILENO) &&
	    vm->log_out_ready)
		term_out_take_log(&vm->log_out, STDERR_FILENO);
}

char *vm_name_of(const struct vm_config *cfg)
{
	char *name;

	if (cfg->name)
		return strdup(cfg->name);
	if (asprintf(&name, "guest-%d", (int)getpid()) < 0)
		return NULL;
	return name;
}

/*
 * The filters, with the VM's descriptors as they are now, before the
 * first thread (the devices' start below): sc_build().
 */
static int vm_filters_build(const struct vm *vm)
{
	struct sc_kvm_fds fds = { .vm_fd = vm->vm_fd, .flic_fd = -1 };

	arch_filter_fds(vm, &fds);
	return sc_build(&fds);
}

int vm_create(struct vm *vm, const struct vm_config *cfg)
{
	unsigned int i, term_flags = 0;
	int err;

	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = -1;
	vm->io.epoll_fd = vm->io.wake_fd = -1;
	vm->signal_handler.fd = -1;
	vm->term.in_fd = vm->term.out_fd = vm->term.room_fd = -1;
	atomic_store(&vm->guest_status, -1);
	vm->log_fd = -1;
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_cond_init(&vm->pause_cond, NULL);
	pthread_cond_init(&vm->stop_cond, NULL);
	bus_init(&vm->pio_bus, "pio");
	bus_init(&vm->mmio_bus, "mmio");

	err = vm_open_kvm(vm, cfg->dev_path);
	if (err)
		return err;
	/* Memslots before the irqchip: KVM makes them far slower after. */
	err = vm_init_memory(vm);
	if (err)
		return err;
	err = arch_vm_init(vm);
	if (err)
		return err;
	err = vm_filters_build(vm);
	if (err)
		return err;
	err = vm_irq_routing_init(vm);
	if (err) {
		pr_err("out of memory");
		return err;
	}
	err = io_loop_init(&vm->io);
	if (err) {
		pr_err("cannot create the I/O loop: %s", strerror(-err));
		return err;
	}
	io_loop_set_poll(&vm->io, cfg->io_poll_us * 1000);
	vm->name = vm_name_of(cfg);
	if (!vm->name) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	err = control_start(vm);
	if (err == -EEXIST) {
		pr_err("a VM named '%s' is already running", vm->name);
		return err;
	}
	if (control_dir_refusal(err)) {
		char dir[CONTROL_PATH_MAX] = "";

		control_dir(dir, sizeof(dir), false);
		pr_err("control socket directory '%s' %s: refusing it (see lkvm(1), CONTROL SOCKET)",
		       dir, control_dir_refusal(err));
		return err;
	}
	if (err)
		pr_warn("no control socket for '%s' (lkvm stop/stat will not find it): %s",
			vm->name, strerror(-err));
	err = signals_init(vm, &vm->signal_handler);
	if (err) {
		pr_err("cannot set up signal handling: %s", strerror(-err));
		return err;
	}
	/*
	 * lkvm sandbox without a terminal session: stdin is the command's,
	 * a terminal stays as it is, and nothing goes to hvc3 before the
	 * guest's relay is ready (dev-sandbox-ports.c).
	 */
	if (cfg->sandbox && !cfg->sandbox_tty)
		term_flags |= TERM_COOKED | TERM_HOLD;
	/* In the jail's PID namespace, the outside tells (jail.h). */
	if (cfg->jail.inside && cfg->jail.tty_background)
		term_flags |= TERM_BACKGROUND;
	err = term_init_flags(&vm->term, STDIN_FILENO, STDOUT_FILENO,
			      term_flags);
	if (!err)
		err = term_out_attach(&vm->term.out, &vm->io);
	if (err) {
		pr_err("cannot set up the console: %s", strerror(-err));
		return err;
	}
	err = vm_serial_out_init(vm);
	if (err)
		return err;
	vm_log_lines_init(vm);
	err = arch_devices_init(vm);
	if (err)
		return err;
	err = arch_load_guest(vm);
	if (err)
		return err;

	vm->vcpus = calloc(cfg->nr_cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < cfg->nr_cpus; i++) {
		err = vcpu_create(vm, &vm->vcpus[i], i);
		if (err)
			return err;
		vm->nr_vcpus++;
	}
	/*
	 * /dev/kvm's own ioctls (another VM, the host's CPUID) are not
	 * needed once the vCPUs exist: not left for a hijacked thread.
	 */
	if (close(vm->kvm_fd))
		pr_warn("closing %s: %s", cfg->dev_path, strerror(errno));
	vm->kvm_fd = -1;
	return 0;
}

void vm_on_shutdown(struct vm *vm, struct vm_shutdown_hook *hook)
{
	hook->next = vm->shutdown_hooks;
	vm->shutdown_hooks = hook;
}

/* --seccomp log only logs: Landlock has no such mode. */
static bool vm_main_landlocked(void)
{
	return sc_active() && sc_mode_get() == SC_MODE_ON;
}

/*
 * The main thread's helper, which removes the sockets and writes the
 * status file once Landlock confines the main thread: forked before any
 * of the guest's input is looked at, so what it was given is as lkvm
 * made it. Where the main thread will not be confined it says so here,
 * before any thread starts: a log line amid the guest's first output
 * would repair that output's terminal modes early.
 */
static void vm_main_helper(struct vm *vm)
{
	const char *why = "";
	int r;

	vm->main_confine = false;
	if (!vm_main_landlocked())
		return;
	r = vm_main_helper_start(&vm->helper, &vm->status, true, &why);
	if (r < 0)
		pr_warn("main thread: no helper (%s): the status file and the sockets will stay as they are",
			strerror(-r));
	else if (r == 0)
		pr_info("main thread: no Landlock: %s", why);
	vm->main_confine = r != 0;
}

/*
 * What the main thread may still do to files (vm_main_confine()), with
 * the filters only: what it does after vm_run() is known from them.
 */
static void vm_main_landlock(struct vm *vm)
{
	const char *why = "";
	int r;

	if (!vm->main_confine)
		return;
	r = vm_main_confine(&why);
	if (r < 0)
		pr_warn("main thread: Landlock: %s", strerror(-r));
	else if (r == 0)
		pr_info("main thread: no Landlock: %s", why);
}

int vm_run(struct vm *vm)
{
	struct vm_shutdown_hook *hook;
	unsigned int i;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &vm->started);
	vm_main_helper(vm);
	err = io_loop_start(&vm->io);
	if (err) {
		pr_err("cannot start the I/O thread: %s", strerror(-err));
		return 1;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		err = vcpu_start(&vm->vcpus[i]);
		if (err) {
			pr_err("cannot start vCPU %u: %s", i, strerror(-err));
			vm_request_stop(vm, 1);
			break;
		}
	}
	err = control_serve(vm);
	if (err)
		pr_warn("the control socket of '%s' will not answer: %s",
			vm->name, strerror(-err));
	/* Every thread has started: the main thread's Landlock and filter. */
	vm_main_landlock(vm);
	sc_thread_enter(SC_ROLE_MAIN, -1);
	pthread_mutex_lock(&vm->stop_lock);
	while (!vm_stop_requested(vm))
		pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	pthread_mutex_unlock(&vm->stop_lock);

	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_join(&vm->vcpus[i]);
	io_loop_stop(&vm->io);
	vm_devices_quiesce(&vm->devs);
	for (hook = vm->shutdown_hooks; hook; hook = hook->next)
		hook->fn(vm, hook->opaque);
	/* Console output still buffered: while the reader takes it. */
	if (vm->term.out_ready)
		term_out_finish(&vm->term.out, TERM_OUT_FINISH_IDLE_MS);
	if (vm->log_out_ready)
		term_out_finish(&vm->log_out, TERM_OUT_FINISH_IDLE_MS);
	if (log_get_level() >= LOG_INFO)
		arch_report_stats(vm);
	return atomic_load(&vm->exit_status);
}

void vm_destroy(struct vm *vm)
{
	unsigned int i;

	/*
	 * First: the control thread's verbs (debug, a device's) use the
	 * vCPUs and the devices freed below.
	 */
	control_stop(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
	vm_devices_destroy(&vm->devs);
	arch_vm_destroy(vm);
	vm_irq_routing_destroy(vm);
	io_loop_stop(&vm->io);
	free(vm->name);
	vm->name = NULL;
	term_destroy(&vm->term);
	if (vm->log_out_ready)
		term_out_destroy(&vm->log_out);
	vm->log_out_ready = false;
	if (vm->log_fd >= 0)
		close(vm->log_fd);
	vm->log_fd = -1;
	signals_exit(&vm->signal_handler);
	io_loop_destroy(&vm->io);
	bus_destroy(&vm->pio_bus);
	bus_destroy(&vm->mmio_bus);
	mapped_file_close(&vm->kernel);
	mapped_file_close(&vm->initrd);
	if (vm->ram)
		munmap(vm->ram, vm->ram_mapped);
	vm->ram = NULL;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
}
