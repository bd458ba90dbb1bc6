/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_BOOT_H
#define LKVM_X86_BOOT_H

#include <linux/kvm.h>

#include "guest-mem.h"
#include "types.h"

/*
 * Kernel loaders for x86_64. They are pure functions of their inputs and
 * guest memory: they write the image, zero page or hvm_start_info, command
 * line, initrd, GDT and page tables into guest RAM and describe the state
 * vCPU 0 must start in. They make no KVM calls, so unit tests run them on
 * plain buffers.
 */

enum kernel_format {
	KERNEL_FMT_UNKNOWN,
	KERNEL_FMT_BZIMAGE,	/* Linux bzImage ("HdrS"), 64-bit entry */
	KERNEL_FMT_ELF,		/* ELF vmlinux, 64-bit boot protocol */
	KERNEL_FMT_ELF_PVH,	/* ELF with XEN_ELFNOTE_PHYS32_ENTRY */
	KERNEL_FMT_FLAT,	/* anything else up to 576 KiB, real mode */
};

enum boot_protocol {
	BOOT_PROTO_AUTO,	/* PVH when the ELF has the note */
	BOOT_PROTO_LINUX64,
	BOOT_PROTO_PVH,
};

#define E820_MAX_ENTRIES 16
#define E820_TYPE_RAM 1
#define E820_TYPE_RESERVED 2

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

struct x86_mem_map {
	struct e820_entry entries[E820_MAX_ENTRIES];
	unsigned int nr;
};

/*
 * The e820 map for ram_size bytes of RAM laid out as in x86/layout.h:
 * [0, EBDA) RAM, [EBDA, 1 MiB) reserved, [1 MiB, min(ram, hole)) RAM, and
 * RAM above 4 GiB for what does not fit below the hole.
 */
void x86_build_mem_map(u64 ram_size, struct x86_mem_map *map);

struct boot_input {
	const u8 *kernel;
	size_t kernel_len;
	const u8 *initrd;	/* NULL when none */
	size_t initrd_len;
	const char *cmdline;	/* never NULL; may be "" */
	enum boot_protocol protocol;
	/* The ACPI RSDP for boot_params / hvm_start_info; 0: no ACPI. */
	u64 acpi_rsdp;
	/*
	 * bzImage: run the kernel's own decompressor in the guest instead of
	 * decompressing its payload on the host (--guest-decompress).
	 */
	bool guest_decompress;
};

enum cpu_boot_mode {
	CPU_MODE_REAL16,	/* flat binaries: CS = real_cs, IP = rip */
	CPU_MODE_PROT32,	/* PVH: flat 32-bit segments, paging off */
	CPU_MODE_LONG64,	/* 64-bit boot protocol: paging on */
};

struct boot_state {
	enum kernel_format format;
	enum cpu_boot_mode mode;
	u64 rip;
	u64 rsp;
	u64 rsi;		/* zero page (64-bit boot protocol) */
	u64 rbx;		/* hvm_start_info (PVH) */
	u16 real_cs;		/* real-mode code segment (flat) */
	u64 cr3;		/* page tables (long mode) */
	u64 gdt_base;
	u16 gdt_limit;
	/* Where things went, for diagnostics and tests. */
	u64 kernel_start;
	u64 kernel_end;
	u64 initrd_start;
	u64 initrd_size;
	u64 cmdline_addr;
	/*
	 * A bzImage whose payload lkvm decompressed: its format ("lz4") and
	 * size; NULL when the guest's decompressor runs (and why, if lkvm
	 * could have but did not: "the kernel asks for KASLR").
	 */
	const char *decompressed;
	u64 decompressed_size;
	const char *guest_decompress_why;
	/* A one-line reason when a load fails ("truncated ELF program header"). */
	char error[160];
};

/* Detect the format by content. KERNEL_FMT_UNKNOWN with a reason in why. */
enum kernel_format x86_kernel_detect(const u8 *buf, size_t len,
				     const char **why);
const char *x86_kernel_format_name(enum kernel_format fmt);

/*
 * Load in->kernel (and initrd, cmdline) into guest memory. Returns 0 or
 * -ENOEXEC (no known format / malformed), -E2BIG (does not fit in RAM or
 * a field's limit, e.g. cmdline_size), -EINVAL; out->error says why.
 */
int x86_load_kernel(const struct guest_mem *mem, const struct x86_mem_map *map,
		    const struct boot_input *in, struct boot_state *out);

/* Register state for vCPU 0 from a boot state. */
void x86_boot_regs(const struct boot_state *bs, struct kvm_regs *regs,
		   struct kvm_sregs *sregs);

/*
 * Write an Intel MP table (floating pointer in the EBDA) describing
 * nr_cpus processors (APIC IDs 0..n-1), one IOAPIC at X86_IOAPIC_ADDR with
 * id nr_cpus, buses PCI (id 0) and ISA (id 1), ISA IRQs 0, 1 and 3-15
 * identity-routed (as KVM's default GSI routing delivers them), ExtINT on
 * LINT0 and NMI on LINT1. PCI INTx entries and IRQ 0 on pin 2:
 * x86_write_mptable_cfg(). Returns 0, -E2BIG (more than X86_MP_MAX_CPUS,
 * or the EBDA is not guest RAM) or -EINVAL (no CPUs).
 */
int x86_write_mptable(const struct guest_mem *mem, unsigned int nr_cpus);

/* The MP table can describe at most this many CPUs (APIC IDs 0..254). */
#define X86_MP_MAX_CPUS		255
/* IOAPIC inputs (GSIs) the MP table may route to. */
#define X86_IOAPIC_PINS		24

/* A PCI INTx line on bus 0 and the IOAPIC input it is wired to. */
struct x86_mp_pci_irq {
	u8 dev;		/* device number, 0..31 */
	u8 pin;		/* 0 = INTA# .. 3 = INTD# */
	u8 gsi;		/* IOAPIC input, < X86_IOAPIC_PINS */
};

/*
 * Is this list of PCI INTx lines one the firmware tables can describe (MP
 * table and ACPI _PRT alike)? At most one entry per device and pin, each
 * in range, and pci_irqs set when n is not 0.
 */
bool x86_pci_irqs_valid(const struct x86_mp_pci_irq *pci_irqs,
			unsigned int n);

struct x86_mptable_cfg {
	unsigned int nr_cpus;
	/*
	 * IOAPIC input of ISA IRQ 0 (the PIT): 0, which matches KVM's
	 * default routing (the in-kernel PIT raises GSI 0 = IOAPIC pin 0),
	 * or 2, the PC firmware convention, which needs GSI 0 routed to
	 * IOAPIC pin 2 with KVM_SET_GSI_ROUTING. ISA IRQ 2 (the PIC
	 * cascade) gets no entry either way; IRQs 1 and 3-15 are identity.
	 */
	u8 irq0_pin;
	/* One level-triggered, active-low entry per PCI INTx line. */
	const struct x86_mp_pci_irq *pci_irqs;
	unsigned int nr_pci_irqs;
};

/*
 * The general form of x86_write_mptable() (which is nr_cpus, irq0_pin 0,
 * no PCI lines). -EINVAL for nr_cpus 0, an irq0_pin other than 0 or 2 or
 * an out-of-range or duplicate PCI line; -E2BIG for too many CPUs.
 */
int x86_write_mptable_cfg(const struct guest_mem *mem,
			  const struct x86_mptable_cfg *cfg);

#endif
