// SPDX-License-Identifier: GPL-2.0
/*
 * devices/pvpanic.c as a guest reaches it: the PCI function on the PCI
 * host (IDs, class, BAR sizing and decoding), the event register's reads,
 * PANICKED stopping the VM with status 3 through the VM's glue
 * (vm_pvpanic_ops) with one line on stderr, CRASH_LOADED letting it run,
 * and bad widths, offsets and bits ignored with one log line each; then
 * the same register through the MMIO window arm64 uses.
 */
#include <stdio.h>
#include <unistd.h>

#include "tap.h"
#include "devices/pvpanic.h"
#include "log.h"
#include "virtio-pci-drv.h"
#include "vm.h"

#define MMIO_BASE 0x09000000ULL

/* stderr into a temporary file while a check runs. */
static FILE *cap_file;
static int cap_saved = -1;

static void cap_start(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	cap_saved = dup(STDERR_FILENO);
	if (!cap_file || cap_saved < 0 ||
	    dup2(fileno(cap_file), STDERR_FILENO) < 0)
		abort();
}

/* Stop capturing; the number of lines containing `what`. */
static unsigned int cap_end(const char *what)
{
	char line[1024];
	unsigned int n = 0;

	fflush(stderr);
	if (dup2(cap_saved, STDERR_FILENO) < 0)
		abort();
	close(cap_saved);
	rewind(cap_file);
	while (fgets(line, sizeof(line), cap_file)) {
		printf("# %s", line);	/* a TAP diagnostic */
		if (strstr(line, what))
			n++;
	}
	fclose(cap_file);
	return n;
}

struct rig {
	struct th t;
	struct vm vm;
	struct pvpanic p;
	u8 slot;
	u64 reg;
};

static void rig_init(struct rig *r)
{
	struct pvpanic_ops ops;

	memset(r, 0, sizeof(*r));
	th_init(&r->t);
	vm_pvpanic_ops(&r->vm, &ops);
	if (pvpanic_pci_init(&r->p, &r->t.host, &ops))
		abort();
	r->slot = r->p.pci.slot;
}

/* What Linux's pcim_enable_device() does, then BAR0's address. */
static void rig_enable(struct rig *r)
{
	cfg_wr(&r->t, r->slot, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	r->reg = th_bar(&r->t, r->slot, 0);
}

static void rig_fini(struct rig *r)
{
	pvpanic_destroy(&r->p);
	th_fini(&r->t);
}

static void test_config_space(void)
{
	struct rig r;
	unsigned int i;
	bool others = true;
	u32 bar;

	rig_init(&r);
	ok(r.slot == 1 && cfg_rd(&r.t, 1, PCI_VENDOR_ID, 4) == 0x00111b36,
	   "the function at 00:01.0 is 1b36:0011 (Linux's pvpanic-pci)");
	ok(cfg_rd(&r.t, 1, PCI_REVISION_ID, 4) == (0x088000u << 8 | 1),
	   "class 088000 (system peripheral, other), revision 1");
	ok(cfg_rd(&r.t, 1, PCI_HEADER_TYPE, 1) == 0 &&
	   cfg_rd(&r.t, 1, PCI_INTERRUPT_PIN, 1) == 0 &&
	   !(cfg_rd(&r.t, 1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST),
	   "type 0 header, single function, no interrupt pin, no capabilities");
	ok(cfg_rd(&r.t, 1, PCI_SUBSYSTEM_VENDOR_ID, 4) == 0x00111b36,
	   "subsystem 1b36:0011");
	bar = cfg_rd(&r.t, 1, PCI_BAR0, 4);
	ok(bar >= 0xc0000000u && bar < 0xd0000000u && !(bar & 0xf),
	   "BAR0: 32-bit memory, placed in the host's window (0x%x)", bar);
	cfg_wr(&r.t, 1, PCI_BAR0, 4, 0xffffffff);
	ok(cfg_rd(&r.t, 1, PCI_BAR0, 4) == 0xfffffff0,
	   "BAR0 sizing: 16 bytes of memory, 32-bit, not prefetchable");
	cfg_wr(&r.t, 1, PCI_BAR0, 4, bar);
	for (i = 1; i < PCI_NR_BARS; i++) {
		cfg_wr(&r.t, 1, PCI_BAR0 + 4 * i, 4, 0xffffffff);
		others &= cfg_rd(&r.t, 1, PCI_BAR0 + 4 * i, 4) == 0;
	}
	ok(others, "BAR1-5 are not implemented (sizing reads 0)");
	ok(mrd(&r.t, bar, 1) == 0xff,
	   "memory decoding off: the register does not answer yet");
	rig_enable(&r);
	ok(r.reg == bar && mrd(&r.t, r.reg, 1) == PVPANIC_EVENTS,
	   "memory decoding on: the register at BAR0 + 0 answers");
	rig_fini(&r);
}

static void test_register(void)
{
	struct rig r;
	unsigned int n;

	rig_init(&r);
	rig_enable(&r);
	ok(mrd(&r.t, r.reg, 1) == (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED),
	   "byte read: the supported events, PANICKED | CRASH_LOADED (0x03)");
	ok(mrd(&r.t, r.reg, 2) == 0x0003,
	   "16-bit read: the events, the reserved high byte 0");
	mwr(&r.t, r.reg, 1, 0);
	ok(!vm_stop_requested(&r.vm) && !r.p.nr_ignored,
	   "writing 0 reports nothing");

	cap_start();
	mwr(&r.t, r.reg, 1, PVPANIC_CRASH_LOADED);
	n = cap_end("CRASH_LOADED");
	ok(!vm_stop_requested(&r.vm) && r.p.nr_crash_loaded == 1 && n == 1,
	   "CRASH_LOADED: logged once (%u line), the VM goes on", n);

	cap_start();
	mwr(&r.t, r.reg, 1, PVPANIC_PANICKED);
	n = cap_end("lkvm: guest kernel panicked");
	ok(vm_stop_requested(&r.vm) &&
	   atomic_load(&r.vm.exit_status) == LKVM_STATUS_PANIC &&
	   LKVM_STATUS_PANIC == 3 && n == 1,
	   "PANICKED: a stop with status 3 and one 'guest kernel panicked' line");

	cap_start();
	mwr(&r.t, r.reg, 1, PVPANIC_PANICKED);
	n = cap_end("panicked");
	ok(n == 0 && atomic_load(&r.vm.exit_status) == LKVM_STATUS_PANIC,
	   "a second PANICKED (another vCPU) prints nothing more");
	rig_fini(&r);

	rig_init(&r);
	rig_enable(&r);
	vm_request_stop(&r.vm, 0);
	cap_start();
	mwr(&r.t, r.reg, 1, PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	n = cap_end("panicked (pvpanic) while the VM was stopping");
	ok(atomic_load(&r.vm.exit_status) == 0 && r.p.panicked && n == 1,
	   "a stop already under way keeps its status; the line says so");
	rig_fini(&r);

	rig_init(&r);
	rig_enable(&r);
	cap_start();
	mwr(&r.t, r.reg, 2, PVPANIC_PANICKED);
	n = cap_end("lkvm: guest kernel panicked");
	ok(atomic_load(&r.vm.exit_status) == LKVM_STATUS_PANIC && n == 1,
	   "16-bit write of PANICKED: stop with status 3");
	rig_fini(&r);
}

/* A bad access on a fresh rig: one line, no stop, nothing else. */
static void bad_access(u64 off, u32 len, bool is_write, u64 value,
		       const char *what)
{
	struct rig r;
	unsigned int n;
	u64 got = 0;

	rig_init(&r);
	rig_enable(&r);
	cap_start();
	if (is_write)
		mwr(&r.t, r.reg + off, len, value);
	else
		got = mrd(&r.t, r.reg + off, len);
	n = cap_end("pvpanic:");
	ok(!vm_stop_requested(&r.vm) && r.p.nr_ignored == 1 && n == 1 &&
	   got == 0, "%s: ignored (reads 0), one log line (%u)", what, n);
	rig_fini(&r);
}

static void test_bad_accesses(void)
{
	bad_access(0, 4, false, 0, "4-byte read at offset 0");
	bad_access(0, 4, true, PVPANIC_PANICKED, "4-byte write of PANICKED");
	bad_access(0, 8, true, PVPANIC_PANICKED, "8-byte write of PANICKED");
	bad_access(1, 1, true, PVPANIC_PANICKED,
		   "write of PANICKED at offset 1");
	bad_access(8, 2, false, 0, "16-bit read at offset 8");
	bad_access(0, 1, true, 0x04, "unknown event bit 2");
	bad_access(0, 2, true, 0x0100, "a bit in the reserved high byte");
}

static void test_mmio(void)
{
	struct pvpanic_ops ops;
	struct pvpanic p;
	struct bus bus;
	struct vm vm;
	unsigned int n;
	u8 d[8];

	memset(&vm, 0, sizeof(vm));
	bus_init(&bus, "mmio");
	vm_pvpanic_ops(&vm, &ops);
	ok(pvpanic_mmio_init(&p, &bus, MMIO_BASE, &ops) == 0,
	   "MMIO window registered");
	ok(th_rd(&bus, MMIO_BASE, 1) == PVPANIC_EVENTS &&
	   th_rd(&bus, MMIO_BASE, 2) == PVPANIC_EVENTS,
	   "MMIO: byte and 16-bit reads give the events");
	ok(!bus_access(&bus, NULL, MMIO_BASE + 2, d, 1, false) &&
	   !bus_access(&bus, NULL, MMIO_BASE, d, 4, false),
	   "MMIO: the window is 2 bytes; accesses past it are not decoded");
	cap_start();
	th_wr(&bus, MMIO_BASE, 1, PVPANIC_CRASH_LOADED);
	n = cap_end("CRASH_LOADED");
	ok(!vm_stop_requested(&vm) && n == 1,
	   "MMIO: CRASH_LOADED logged, the VM goes on");
	cap_start();
	th_wr(&bus, MMIO_BASE, 1, PVPANIC_PANICKED);
	n = cap_end("lkvm: guest kernel panicked");
	ok(vm_stop_requested(&vm) &&
	   atomic_load(&vm.exit_status) == LKVM_STATUS_PANIC && n == 1,
	   "MMIO: PANICKED stops with status 3, one line");
	th_wr(&bus, MMIO_BASE, 1, PVPANIC_PANICKED);
	ok(atomic_load(&p.panicked), "a second PANICKED is not reported again");
	pvpanic_reset(&p);
	ok(!atomic_load(&p.panicked),
	   "after a reset the next PANICKED is reported again");
	pvpanic_destroy(&p);
	ok(bus.nr_devs == 0, "destroy takes the window off the bus");
	bus_destroy(&bus);
}

int main(void)
{
	test_config_space();
	test_register();
	test_bad_accesses();
	test_mmio();
	return tap_done();
}
