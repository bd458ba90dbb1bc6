// SPDX-License-Identifier: GPL-2.0
/*
 * test=smp: start every processor of the MP table with INIT-SIPI-SIPI, one
 * at a time, and wait until each reports itself.
 *
 *   cpu N up            printed by each AP (N = its APIC ID)
 *   smp: N cpus up      printed by the BSP at the end (BSP included)
 */
#include "guest.h"

#define ICR_INIT	0x00004500	/* INIT, level assert */
#define ICR_STARTUP	0x00004600	/* start-up, level assert */
#define ICR_BUSY	0x00001000
/*
 * Per-AP wait: TSC cycles (about 1-2 s at 2-4 GHz) and a loop bound as a
 * backstop. After one AP times out the rest are not tried.
 */
#define AP_WAIT_CYCLES	4000000000ULL
#define AP_WAIT_LOOPS	200000000UL

static volatile u32 cpus_up;

void ap_main(void)
{
	idt_load();
	printf("cpu %u up\n", lapic_id());
	atomic_inc_return(&cpus_up);
	halt_forever();
}

static void send_ipi(u32 apic_id, u32 icr)
{
	unsigned int i;

	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr);
	for (i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LO) & ICR_BUSY); i++)
		cpu_relax();
}

static bool start_ap(u32 apic_id)
{
	u32 want = cpus_up + 1;
	u64 deadline;
	unsigned long i;
	u8 *stack;

	stack = page_alloc(2);
	if (!stack) {
		printf("smp: no memory for cpu %u's stack\n", apic_id);
		return false;
	}
	ap_stack_top = (u64)stack + 2 * PAGE_SIZE;
	barrier();
	send_ipi(apic_id, ICR_INIT);
	send_ipi(apic_id, ICR_STARTUP | AP_SIPI_VECTOR);
	send_ipi(apic_id, ICR_STARTUP | AP_SIPI_VECTOR);
	deadline = rdtsc() + AP_WAIT_CYCLES;
	for (i = 0; i < AP_WAIT_LOOPS && cpus_up != want; i++) {
		if (rdtsc() > deadline)
			break;
		cpu_relax();
	}
	if (cpus_up != want) {
		printf("smp: cpu %u timeout\n", apic_id);
		return false;
	}
	return true;
}

static int test_smp(const struct boot_info *bi, const char *arg)
{
	struct mp_info mp;
	u32 bsp = lapic_id();
	unsigned int i;
	bool ok = true;

	if (mp_parse(&mp)) {
		printf("smp: no MP table\n");
		return EXIT_FAIL;
	}
	printf("smp: %u cpus in MP table, bsp %u\n", mp.nr_cpus, bsp);
	lapic_enable();
	memcpy((void *)AP_TRAMPOLINE_ADDR, ap_tramp_start,
	       ap_tramp_end - ap_tramp_start);
	cpus_up = 1;
	for (i = 0; i < mp.nr_cpus && ok; i++)
		if (mp.apic_id[i] != bsp && !start_ap(mp.apic_id[i]))
			ok = false;
	printf("smp: %u cpus up\n", cpus_up);
	return ok && cpus_up == mp.nr_cpus ? EXIT_OK : EXIT_FAIL;
}
GUEST_TEST("smp", test_smp);

static int test_mptable(const struct boot_info *bi, const char *arg)
{
	struct mp_info mp;
	unsigned int i;

	if (mp_parse(&mp)) {
		printf("mptable: none\n");
		return EXIT_FAIL;
	}
	printf("mptable: at %lx, %u cpus, bsp %u\n", mp.table_addr,
	       mp.nr_cpus, mp.bsp_apic_id);
	for (i = 0; i < mp.nr_cpus; i++)
		printf("mptable: cpu apic id %u\n", mp.apic_id[i]);
	return EXIT_OK;
}
GUEST_TEST("mptable", test_mptable);
