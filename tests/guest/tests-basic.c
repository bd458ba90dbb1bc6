// SPDX-License-Identifier: GPL-2.0
/*
 * Basic guest tests: hello, exit, cmdline, e820, initrd, reset, triple,
 * emulfail, irq. Their output lines are parsed by the integration tests:
 * change them only together.
 */
#include "guest.h"

static void print_e820(const struct boot_info *bi)
{
	unsigned int i;

	for (i = 0; i < bi->nr_e820; i++)
		printf("e820: %016lx %016lx %x\n", bi->e820[i].addr,
		       bi->e820[i].size, bi->e820[i].type);
}

static void print_cmdline(const char *prefix, const char *open,
			  const char *close)
{
	printf("%s%s", prefix, open);
	/* Not through printf: its buffer would cut long command lines. */
	console_write(boot_info.cmdline, strlen(boot_info.cmdline));
	printf("%s\n", close);
}

static int test_hello(const struct boot_info *bi, const char *arg)
{
	struct mp_info mp;
	u64 ram = 0;
	unsigned int i;

	printf("lkvm test guest\n");
	printf("boot: %s\n", bi->proto_name);
	if (!bi->has_info) {
		printf("no boot info\n");
	} else {
		print_e820(bi);
		for (i = 0; i < bi->nr_e820; i++)
			if (bi->e820[i].type == 1)
				ram += bi->e820[i].size;
		printf("mem: %lu MiB\n", ram >> 20);
	}
	if (mp_parse(&mp) == 0)
		printf("cpus: %u\n", mp.nr_cpus);
	else
		printf("cpus: unknown (no MP table)\n");
	print_cmdline("cmdline: ", "", "");
	return EXIT_OK;
}
GUEST_TEST("hello", test_hello);

static int test_exit(const struct boot_info *bi, const char *arg)
{
	const char *end;
	u64 status = strtou64(arg, &end);

	if (!*arg || *end || status > 0xffffffffu) {
		printf("exit: bad status '%s'\n", arg);
		return EXIT_USAGE;
	}
	printf("exit: status %lu\n", status);
	return (int)status;
}
GUEST_TEST("exit", test_exit);

static int test_cmdline(const struct boot_info *bi, const char *arg)
{
	print_cmdline("cmdline:", "[", "]");
	return EXIT_OK;
}
GUEST_TEST("cmdline", test_cmdline);

static int test_e820(const struct boot_info *bi, const char *arg)
{
	printf("e820 entries: %u\n", bi->nr_e820);
	print_e820(bi);
	return bi->nr_e820 ? EXIT_OK : EXIT_FAIL;
}
GUEST_TEST("e820", test_e820);

static u64 initrd_crc_user(u64 arg)
{
	const struct boot_info *bi = (const void *)arg;

	return crc32(0, (const void *)bi->initrd_addr, bi->initrd_size);
}

/*
 * The CRC runs at CPL3 (native speed where KVM emulates CPL0 code) unless
 * the argument is "cpl0".
 */
static int test_initrd(const struct boot_info *bi, const char *arg)
{
	u32 crc;

	if (!bi->initrd_size) {
		printf("initrd: none\n");
		return EXIT_FAIL;
	}
	if (bi->initrd_addr + bi->initrd_size > 0x100000000ULL ||
	    bi->initrd_addr + bi->initrd_size < bi->initrd_addr) {
		printf("initrd: at %lx, above the mapped 4 GiB\n",
		       bi->initrd_addr);
		return EXIT_FAIL;
	}
	if (!strcmp(arg, "cpl0"))
		crc = crc32(0, (const void *)bi->initrd_addr, bi->initrd_size);
	else
		crc = (u32)run_user(initrd_crc_user, (u64)bi);
	printf("initrd: size=%lu crc32=%08x\n", bi->initrd_size, crc);
	return EXIT_OK;
}
GUEST_TEST("initrd", test_initrd);

static int test_reset(const struct boot_info *bi, const char *arg)
{
	printf("reset: writing 0xfe to port 0x64\n");
	outb(0xfe, 0x64);
	halt_forever();
}
GUEST_TEST("reset", test_reset);

static int test_triple(const struct boot_info *bi, const char *arg)
{
	printf("triple: empty IDT, then ud2\n");
	idt_load_empty();
	__builtin_trap();
}
GUEST_TEST("triple", test_triple);

static int test_emulfail(const struct boot_info *bi, const char *arg)
{
	const u8 *p;

	printf("emulfail: executing");
	for (p = emulfail_insn; p < emulfail_insn_end; p++)
		printf(" %02x", *p);
	printf("\n");
	emulfail_exec();
	printf("emulfail: instruction completed\n");
	return EXIT_FAIL;
}
GUEST_TEST("emulfail", test_emulfail);

#define IRQ_TEST_VECTOR 0x40

static volatile u32 irq_count;

static void irq_test_handler(struct irq_frame *f)
{
	irq_count++;
	lapic_eoi();
}

static int test_irq(const struct boot_info *bi, const char *arg)
{
	unsigned int i;

	irq_set_handler(IRQ_TEST_VECTOR, irq_test_handler);
	lapic_enable();
	/* Fixed delivery, shorthand "self". */
	lapic_write(LAPIC_ICR_LO, 0x40000 | IRQ_TEST_VECTOR);
	irq_enable();
	for (i = 0; i < 100000 && !irq_count; i++)
		cpu_relax();
	irq_disable();
	if (!irq_count) {
		printf("irq: self-IPI not delivered\n");
		return EXIT_FAIL;
	}
	printf("irq: self-IPI vector 0x%x delivered\n", IRQ_TEST_VECTOR);
	return EXIT_OK;
}
GUEST_TEST("irq", test_irq);

/* A #GP from a non-canonical address: the exception report path. */
static int test_fault(const struct boot_info *bi, const char *arg)
{
	printf("fault: reading a non-canonical address\n");
	(void)readl(0x8000000000000000ULL);
	printf("fault: no exception\n");
	return EXIT_FAIL;
}
GUEST_TEST("fault", test_fault);

/*
 * test=args: every "arg=" value on the command line, in order (checks
 * command-line parsing, and repeated keys such as virtio_mmio.device=).
 *
 *   args: N=VALUE   for each occurrence, N from 0
 *   args: N found
 */
static int test_args(const struct boot_info *bi, const char *arg)
{
	char buf[128];
	unsigned int n;

	for (n = 0; cmdline_get_nth("arg", n, buf, sizeof(buf)); n++)
		printf("args: %u=%s\n", n, buf);
	printf("args: %u found\n", n);
	return EXIT_OK;
}
GUEST_TEST("args", test_args);
