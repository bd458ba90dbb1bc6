/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUEST_H
#define GUEST_H

/*
 * Runtime of the freestanding x86_64 test guest: port and MMIO access,
 * serial console and printf, strings, command line, exit, page allocator,
 * PCI configuration space, boot information and test registration.
 *
 * All CPL0 code is emulated instruction by instruction on some hosts
 * (see HOST-NOTES.md): keep loops short and prefer single string
 * instructions (rep movs/stos) for bulk memory work.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((u64)(a) - 1))
#define PAGE_SIZE 4096UL
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __used __attribute__((used))
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define __section(s) __attribute__((section(s)))

/* Port I/O. */
static inline void outb(u8 v, u16 port)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 v, u16 port)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u32 v, u16 port)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Barriers: x86 is TSO; these order against the compiler and devices. */
static inline void mb(void)
{
	asm volatile("mfence" : : : "memory");
}

static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

#define rmb() barrier()
#define wmb() barrier()

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

/* MMIO: physical addresses below 4 GiB are identity mapped. */
static inline u8 readb(u64 addr)
{
	return *(volatile u8 *)addr;
}

static inline u16 readw(u64 addr)
{
	return *(volatile u16 *)addr;
}

static inline u32 readl(u64 addr)
{
	return *(volatile u32 *)addr;
}

static inline u64 readq(u64 addr)
{
	return *(volatile u64 *)addr;
}

static inline void writeb(u8 v, u64 addr)
{
	*(volatile u8 *)addr = v;
}

static inline void writew(u16 v, u64 addr)
{
	*(volatile u16 *)addr = v;
}

static inline void writel(u32 v, u64 addr)
{
	*(volatile u32 *)addr = v;
}

static inline void writeq(u64 v, u64 addr)
{
	*(volatile u64 *)addr = v;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

static inline void irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

/* Spin locks and atomics (xchg / lock xadd only: both are emulated). */
typedef struct {
	volatile u32 locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline u32 atomic_inc_return(volatile u32 *v)
{
	return __atomic_add_fetch(v, 1, __ATOMIC_SEQ_CST);
}

/* Console (COM1) and formatted output. printf is serialised across CPUs. */
void console_putc(char c);
void console_write(const char *s, size_t len);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int printf(const char *fmt, ...) __printf(1, 2);
int puts(const char *s);
void console_break_lock(void);

/* Strings and memory. */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Parse an unsigned number (0x prefix = hex); *end set past it. */
u64 strtou64(const char *s, const char **end);

/* Leave the VM through the test-exit port with this status. */
void guest_exit(u32 status) __noreturn;
/* Print a message and exit with EXIT_FAIL. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
void halt_forever(void) __noreturn;

/* What the boot loader told us. */
#define BOOT_E820_MAX 64

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

struct boot_info {
	u32 proto;		/* BOOT_* */
	const char *proto_name;	/* "linux64", "linux32", "pvh", "real" */
	bool has_info;		/* false for flat binaries */
	const char *cmdline;	/* "" when none */
	u64 initrd_addr;
	u64 initrd_size;	/* 0 when none */
	u64 rsdp;		/* ACPI RSDP the loader gave, 0 when none */
	unsigned int nr_e820;
	struct e820_entry e820[BOOT_E820_MAX];
};

extern struct boot_info boot_info;

/* Value of key=value on the command line into buf; NULL when absent. */
const char *cmdline_get(const char *key, char *buf, size_t len);
/* Same for the n-th (from 0) occurrence of key, e.g. virtio_mmio.device. */
const char *cmdline_get_nth(const char *key, unsigned int n, char *buf,
			    size_t len);
/* Whether a bare word or key=... is on the command line. */
bool cmdline_has(const char *key);

/*
 * Page allocator: a bump pointer in RAM above the image (and clear of the
 * initrd). Memory comes back as the loader left it (zero on lkvm and
 * QEMU); nothing is ever freed. Returns NULL when out of memory.
 */
void *page_alloc(unsigned long npages);
/* Same, and zeroed. */
void *page_zalloc(unsigned long npages);

/* PCI configuration space through ports 0xcf8/0xcfc (bus 0..255). */
u32 pci_cfg_read32(u8 bus, u8 dev, u8 fn, u16 off);
u16 pci_cfg_read16(u8 bus, u8 dev, u8 fn, u16 off);
u8 pci_cfg_read8(u8 bus, u8 dev, u8 fn, u16 off);
void pci_cfg_write32(u8 bus, u8 dev, u8 fn, u16 off, u32 v);
void pci_cfg_write16(u8 bus, u8 dev, u8 fn, u16 off, u16 v);
void pci_cfg_write8(u8 bus, u8 dev, u8 fn, u16 off, u8 v);

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_BAR0		0x10
#define PCI_CAPABILITY_LIST	0x34
#define PCI_CAP_ID_MSIX		0x11
#define PCI_CAP_ID_VNDR		0x09

/* Offset of the first capability with this ID, or 0. */
u8 pci_find_cap(u8 bus, u8 dev, u8 fn, u8 cap_id);
/* Address a memory BAR holds (64-bit BARs: i is the low half), or 0. */
u64 pci_bar_addr(u8 bus, u8 dev, u8 fn, unsigned int i);

/* MSI address/data for a fixed, edge interrupt to one CPU (xAPIC). */
#define MSI_ADDR(apic_id)	(0xfee00000u | ((u32)(apic_id) << 12))
#define MSI_DATA(vector)	((u32)(vector))

/* Local APIC (xAPIC MMIO). */
#define LAPIC_BASE	0xfee00000UL
#define LAPIC_ID	0x020
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310

u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 v);
u32 lapic_id(void);
/* Software-enable the local APIC (spurious vector 0xff). */
void lapic_enable(void);
void lapic_eoi(void);

/*
 * Interrupts. CPU exceptions print a report and exit with EXIT_EXCEPTION.
 * irq_set_handler installs a handler for vectors 32..255; the handler runs
 * with interrupts off and must call lapic_eoi() itself if needed.
 */
struct irq_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_t)(struct irq_frame *f);
void irq_set_handler(u8 vector, irq_handler_t fn);

/*
 * Call fn(arg) at CPL3 and return its result (BSP only). User code runs
 * natively where KVM emulates CPL0 code; it may touch any memory below
 * 4 GiB but must not do I/O or print.
 */
u64 run_user(u64 (*fn)(u64), u64 arg);
extern const u8 user_exit_insn[];
u64 run_user_asm(u64 (*fn)(u64), u64 arg, void *stack_top);
extern u64 gdt[];
void user_return(u64 result) __noreturn;

/*
 * Identity-map [0, end) with 2 MiB pages (first 4 GiB are always mapped;
 * up to 512 GiB). Returns 0 or -1.
 */
int map_identity(u64 end);

/* MP table: processors listed by the firmware/VMM. */
#define MP_MAX_CPUS 256

struct mp_info {
	bool found;
	u64 table_addr;		/* of the floating pointer */
	unsigned int nr_cpus;	/* enabled processors */
	u8 apic_id[MP_MAX_CPUS];
	u8 bsp_apic_id;
};

int mp_parse(struct mp_info *mp);

/* CRC-32 (IEEE 802.3, as zlib's crc32()). */
u32 crc32(u32 crc, const void *buf, size_t len);

/*
 * Tests. GUEST_TEST(name, fn) makes "test=name" (or "test=name:arg") run
 * fn(&boot_info, arg); arg is "" when absent. fn returns the exit status.
 * Put new tests in their own file; the dispatcher finds them through the
 * .guest_tests section, so no central list needs editing.
 */
struct guest_test {
	const char *name;
	int (*fn)(const struct boot_info *bi, const char *arg);
};

#define GUEST_TEST(tname, tfn)						\
	static const struct guest_test __guest_test_##tfn		\
	__used __section(".guest_tests") __aligned(8) = {		\
		.name = tname, .fn = tfn,				\
	}

/* Entry points and helpers implemented in assembly (head.S). */
extern char _start[], _end[];
extern u32 boot_cr3;
void ap_start_trampoline(void);
extern const u8 ap_tramp_start[], ap_tramp_end[];
extern volatile u64 ap_stack_top;
void idt_load_empty(void);
extern const u8 irq_stubs[];	/* 16 bytes per vector */
extern const u8 emulfail_insn[], emulfail_insn_end[];
void emulfail_exec(void);

/* Internal: start-up steps (main.c, boot.c, alloc.c, irq.c, smp.c). */
void guest_start(u32 proto, u64 info) __noreturn;
void ap_main(void) __noreturn;
void boot_parse(u32 proto, u64 info);
void alloc_init(const struct boot_info *bi);
void idt_init(void);
void idt_load(void);

#endif
