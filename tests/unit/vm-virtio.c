// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/vm-virtio.c, the device registry, without KVM: the kinds of
 * vm_virtio_kinds[] make what the configuration asks for, more than 8
 * devices go on PCI and on virtio-mmio (no fixed slot count), each
 * transport's real limit gives one clear "lkvm: no free ..." line and
 * -ENOSPC instead of a crash, the mmio windows reach the command line, and
 * vm->devs quiesces and destroys devices before their transport, newest
 * first. Runs on every arch (under qemu-user for the cross builds).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "unaligned.h"
#include "virtio/mmio.h"
#include "arch.h"
#include "log.h"
#include "vm-devices.h"
#include "vm-irq.h"
#include "vm-virtio.h"
#include "vm.h"

#define NR_FILES 40

static char dir[32];
static char paths[NR_FILES][64];
static struct disk_config disk_cfgs[NR_FILES];
static struct vm_config cfg;
static struct vm vm;
static u8 *ram;
static char trace[4096];

static void record(void *opaque, const char *op, const char *name)
{
	size_t n = strlen(trace);

	snprintf(trace + n, sizeof(trace) - n, "%s%s %s", n ? ", " : "", op,
		 name);
}

static void vm_setup(unsigned int nr_disks, bool rng, int transport)
{
	unsigned int i;

	memset(&vm, 0, sizeof(vm));
	memset(&cfg, 0, sizeof(cfg));
	cfg.nr_cpus = 1;
	cfg.rng = rng;
	cfg.virtio_transport = transport;
	cfg.nr_disks = nr_disks;
	cfg.disks = disk_cfgs;
	for (i = 0; i < nr_disks; i++)
		disk_cfgs[i] = (struct disk_config){ .arg = paths[i],
						     .path = paths[i] };
	vm.cfg = &cfg;
	vm.kvm_fd = vm.vm_fd = -1;
	bus_init(&vm.pio_bus, "pio");
	bus_init(&vm.mmio_bus, "mmio");
	if (guest_mem_add(&vm.mem, 0, SZ_1M, ram, false) ||
	    io_loop_init(&vm.io) || vm_irq_routing_init(&vm))
		abort();
	trace[0] = '\0';
	vm.devs.trace = record;
}

static void vm_teardown(void)
{
	vm_devices_destroy(&vm.devs);
	vm_irq_routing_destroy(&vm);
	io_loop_destroy(&vm.io);
	bus_destroy(&vm.pio_bus);
	bus_destroy(&vm.mmio_bus);
}

/* Run fn with stderr in a file; its text in out. */
static int capture(int (*fn)(void *), void *arg, char *out, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(2), r;
	ssize_t n;

	if (!f || saved < 0)
		abort();
	fflush(stderr);
	dup2(fileno(f), 2);
	r = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fileno(f), out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	fclose(f);
	return r;
}

struct start_args {
	struct pci_host *pci;
	struct vm_virtio_layout layout;
	struct vm_virtio *v;
};

static int start(void *opaque)
{
	struct start_args *a = opaque;

	return vm_virtio_init(&vm, a->pci, &a->layout, &a->v);
}

static struct pci_host host;
static struct pci_msi_ops msi;

static void host_setup(void)
{
	struct pci_host_options o = {
		.ecam_base = 0xe0000000ULL,
		.bar_mem_base = 0xc0000000ULL, .bar_mem_size = 0x10000000ULL,
		.bar_io_base = 0xc000, .bar_io_size = 0x1000,
		.msi = &msi,
	};

	vm_pci_msi_ops(&vm, &msi);
	if (pci_host_init(&host, &vm.pio_bus, &vm.mmio_bus, &o))
		abort();
}

static unsigned int count_functions(u16 device)
{
	unsigned int slot, n = 0;

	for (slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		u8 id[4];

		pci_cfg_access(&host, (u8)slot, 0, 0, id, 4, false);
		n += id[0] == 0xf4 && id[1] == 0x1a &&
		     (id[2] | id[3] << 8) == device;
	}
	return n;
}

static void test_pci(void)
{
	struct start_args a = { .pci = &host };
	unsigned long failed;
	char err[4096], *msg;
	int r;

	vm_setup(20, true, VIRTIO_TRANSPORT_PCI);
	host_setup();
	a.pci = &host;
	r = capture(start, &a, err, sizeof(err));
	ok(r == 0 && vm_virtio_nr_devices(a.v) == 21,
	   "PCI: virtio-rng and 20 disks created (%d)", r);
	ok(count_functions(0x1042) == 20 && count_functions(0x1044) == 1,
	   "bus 0 enumerates 20 virtio-blk functions (1af4:1042) and the rng");
	ok(!strcmp(vm_virtio_cmdline(a.v), ""),
	   "PCI: nothing for the command line");
	vm_devices_destroy(&vm.devs);
	ok(count_functions(0x1042) == 0,
	   "destroyed: the functions left bus 0");
	pci_host_destroy(&host);
	vm_teardown();

	vm_setup(36, false, VIRTIO_TRANSPORT_PCI);
	host_setup();
	r = capture(start, &a, err, sizeof(err));
	msg = strstr(err, "lkvm: no free PCI slot for virtio-blk.");
	failed = msg ? strtoul(msg + 38, NULL, 10) : 0;
	ok(r == -ENOSPC && msg && strstr(msg, " (32 slots on bus 0)\n") &&
	   failed > 20, "36 disks: -ENOSPC and %.*s", msg ?
	   (int)strcspn(msg, "\n") : 4, msg ?: "none");
	ok(count_functions(0x1042) == failed,
	   "the %lu disks before the limit are on the bus", failed);
	vm_devices_destroy(&vm.devs);
	ok(count_functions(0x1042) == 0,
	   "a failed set-up is torn down through the list");
	pci_host_destroy(&host);
	vm_teardown();
}

/* How many interrupt lines the arch hands out. */
static unsigned int arch_lines(void)
{
	unsigned int n = 0;
	int l = arch_irq_next_line(-1);

	while (l >= 0 && n < 1000) {
		n++;
		l = arch_irq_next_line(l);
	}
	return n;
}

static unsigned int count_words(const char *s, const char *w)
{
	unsigned int n = 0;

	while ((s = strstr(s, w))) {
		n++;
		s++;
	}
	return n;
}

static bool mmio_magic(u64 addr)
{
	u8 v[4] = { 0 };

	return bus_access(&vm.mmio_bus, NULL, addr, v, 4, false) &&
	       !memcmp(v, "virt", 4);
}

static void test_mmio(void)
{
	unsigned int lines = arch_lines(), n;
	struct start_args a = {
		.layout = { .mmio_base = 0xd0000000ULL, .mmio_stride = 0x200 },
	};
	const struct vm_virtio_window *w;
	char err[4096], want[128];
	int r;

	if (lines < 10) {
		skip("no interrupt lines for virtio-mmio on this arch",
		     "virtio-mmio: more than 8 devices, window and line limits");
		return;
	}
	/* More than 8 devices, up to the windows the arch reserved. */
	n = MIN(lines, (unsigned int)NR_FILES) - 1;
	a.layout.mmio_max = n;
	vm_setup(n, false, VIRTIO_TRANSPORT_MMIO);
	r = capture(start, &a, err, sizeof(err));
	w = vm_virtio_windows(a.v, &n);
	ok(r == 0 && n == a.layout.mmio_max && n > 8 &&
	   w[n - 1].base == 0xd0000000ULL + (n - 1) * 0x200 &&
	   w[n - 1].size == 0x200 &&
	   count_words(vm_virtio_cmdline(a.v), "virtio_mmio.device=0x200@")
	   == n, "virtio-mmio: %u disks in %u windows, each on the command line",
	   n, n);
	vm_teardown();

	vm_setup(n + 1, false, VIRTIO_TRANSPORT_MMIO);
	r = capture(start, &a, err, sizeof(err));
	snprintf(want, sizeof(want),
		 "lkvm: no free virtio-mmio window for virtio-blk.%u (%u windows at 0xd0000000)\n",
		 n, n);
	ok(r == -ENOSPC && strstr(err, want), "one disk more: %.*s",
	   (int)strcspn(want, "\n"), want);
	ok(vm_virtio_nr_devices(a.v) == n &&
	   mmio_magic(0xd0000000ULL + (n - 1) * 0x200) &&
	   !mmio_magic(0xd0000000ULL + n * 0x200),
	   "the first %u are on the MMIO bus, not the one after", n);
	vm_teardown();

	if (lines + 1 > NR_FILES) {
		skip("more lines than the test has disks",
		     "virtio-mmio: out of interrupt lines");
		return;
	}
	a.layout.mmio_max = lines + 8;
	vm_setup(lines + 1, false, VIRTIO_TRANSPORT_MMIO);
	r = capture(start, &a, err, sizeof(err));
	snprintf(want, sizeof(want),
		 "lkvm: no free interrupt line for virtio-blk.%u (virtio-mmio takes one per device; %u devices have theirs)\n",
		 lines, lines);
	ok(r == -ENOSPC && strstr(err, want), "out of lines: %.*s",
	   (int)strcspn(want, "\n"), want);
	vm_teardown();
}

#ifdef __aarch64__
#include "arm64/arm64.h"

/* The windows arch_devices_init() gives the arm64 VM. */
static void test_arm64_windows(void)
{
	struct start_args a = {
		.layout = { .mmio_base = ARM64_VIRTIO_MMIO_BASE,
			    .mmio_stride = ARM64_VIRTIO_MMIO_STRIDE,
			    .mmio_max = ARM64_VIRTIO_MMIO_MAX },
	};
	char err[4096], want[128];
	int r;

	vm_setup(ARM64_VIRTIO_MMIO_MAX + 1, false, VIRTIO_TRANSPORT_MMIO);
	r = capture(start, &a, err, sizeof(err));
	snprintf(want, sizeof(want),
		 "lkvm: no free virtio-mmio window for virtio-blk.%u (%u windows at 0x%llx)\n",
		 ARM64_VIRTIO_MMIO_MAX, ARM64_VIRTIO_MMIO_MAX,
		 (unsigned long long)ARM64_VIRTIO_MMIO_BASE);
	ok(r == -ENOSPC && strstr(err, want) &&
	   vm_virtio_nr_devices(a.v) == ARM64_VIRTIO_MMIO_MAX,
	   "arm64: %u disks in its %u windows, then %.*s",
	   ARM64_VIRTIO_MMIO_MAX, ARM64_VIRTIO_MMIO_MAX,
	   (int)strcspn(want, "\n"), want);
	vm_teardown();
}
#else
static void test_arm64_windows(void)
{
}
#endif

static u32 mmio_reg(u64 base, u32 off, bool write, u32 v)
{
	u8 b[4];

	put_le32(b, v);
	bus_access(&vm.mmio_bus, NULL, base + off, b, 4, write);
	return get_le32(b);
}

static int reset_all(void *unused)
{
	vm_devices_reset(&vm.devs);
	return 0;
}

#define FEATURES_OK VIRTIO_STATUS_FEATURES_OK
#define OK_STATUS (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
		   FEATURES_OK)

/* A system reset: every device back to power-on, through its transport. */
static void test_system_reset(void)
{
	struct start_args a = {
		.layout = { .mmio_base = 0xd0000000ULL, .mmio_stride = 0x200,
			    .mmio_max = 2 },
	};
	u64 b = 0xd0000000ULL;
	char err[4096];
	int r;

	if (arch_lines() < 2) {
		skip("no interrupt lines for virtio-mmio on this arch",
		     "system reset: a virtio-mmio device back to power-on");
		return;
	}
	vm_setup(0, true, VIRTIO_TRANSPORT_MMIO);
	r = capture(start, &a, err, sizeof(err));
	mmio_reg(b, VIRTIO_MMIO_STATUS, true, OK_STATUS & ~FEATURES_OK);
	mmio_reg(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, true, 1);
	mmio_reg(b, VIRTIO_MMIO_DRIVER_FEATURES, true, 1);	/* VERSION_1 */
	mmio_reg(b, VIRTIO_MMIO_STATUS, true, OK_STATUS);
	mmio_reg(b, VIRTIO_MMIO_QUEUE_SEL, true, 0);
	mmio_reg(b, VIRTIO_MMIO_QUEUE_NUM, true, 16);
	mmio_reg(b, VIRTIO_MMIO_QUEUE_DESC_LOW, true, 0x10000);
	mmio_reg(b, VIRTIO_MMIO_QUEUE_DRIVER_LOW, true, 0x11000);
	mmio_reg(b, VIRTIO_MMIO_QUEUE_DEVICE_LOW, true, 0x12000);
	mmio_reg(b, VIRTIO_MMIO_QUEUE_READY, true, 1);
	ok(r == 0 && mmio_reg(b, VIRTIO_MMIO_STATUS, false, 0) == OK_STATUS &&
	   mmio_reg(b, VIRTIO_MMIO_QUEUE_READY, false, 0) == 1,
	   "system reset: the driver set the rng up (FEATURES_OK, queue ready)");
	trace[0] = '\0';
	/* (The line's level goes to KVM, which this VM has not: that error.) */
	capture(reset_all, NULL, err, sizeof(err));
	ok(mmio_reg(b, VIRTIO_MMIO_STATUS, false, 0) == 0 &&
	   mmio_reg(b, VIRTIO_MMIO_QUEUE_READY, false, 0) == 0 &&
	   strstr(trace, "reset virtio-rng.0"),
	   "system reset: status 0 and the queue not ready afterwards (%s)",
	   trace);
	vm_teardown();
}

static void test_teardown_order(void)
{
	struct start_args a = { .pci = &host };
	char err[4096];
	int r;

	vm_setup(3, true, VIRTIO_TRANSPORT_PCI);
	host_setup();
	r = capture(start, &a, err, sizeof(err));
	vm_devices_quiesce(&vm.devs);
	vm_devices_destroy(&vm.devs);
	ok(r == 0 && !strcmp(trace,
	   "quiesce virtio-blk.2, quiesce virtio-blk.1, quiesce virtio-blk.0, quiesce virtio-rng.0, quiesce virtio, destroy virtio-blk.2, destroy virtio-blk.1, destroy virtio-blk.0, destroy virtio-rng.0, destroy virtio"),
	   "devices quiesced, then destroyed, newest first, the transport last: %s",
	   trace);
	pci_host_destroy(&host);
	vm_teardown();
}

int main(void)
{
	unsigned int i;

	log_set_level(LOG_WARN);
	ram = calloc(1, SZ_1M);
	snprintf(dir, sizeof(dir), "/tmp/lkvm-vm-virtio-XXXXXX");
	if (!ram || !mkdtemp(dir))
		return 1;
	for (i = 0; i < NR_FILES; i++) {
		int fd;

		snprintf(paths[i], sizeof(paths[i]), "%s/d%u.raw", dir, i);
		fd = open(paths[i], O_CREAT | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, SZ_1M))
			return 1;
		close(fd);
	}
	test_pci();
	test_mmio();
	test_arm64_windows();
	test_system_reset();
	test_teardown_order();
	for (i = 0; i < NR_FILES; i++)
		unlink(paths[i]);
	rmdir(dir);
	free(ram);
	return tap_done();
}
