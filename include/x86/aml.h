/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_AML_H
#define LKVM_X86_AML_H

#include <stddef.h>

#include "types.h"

/*
 * A small writer of AML (ACPI Machine Language, ACPI 6.3 chapter 20) for
 * the DSDT: named integers, strings, EISA IDs, packages, scopes, devices
 * and resource templates (ACPI 6.3, 6.4). Objects with a PkgLength are
 * opened with aml_*_begin() and closed by aml_end(), which inserts their
 * length. Errors are sticky: the first one is kept in err (-ENOMEM, -EINVAL
 * for a bad name or an unbalanced aml_end(), -E2BIG for too deep a nesting)
 * and every later call does nothing.
 */
#define AML_MAX_DEPTH	8

struct aml {
	u8 *buf;
	size_t len, cap;
	int err;
	unsigned int depth;
	struct {
		size_t start;	/* where the PkgLength goes */
		bool buffer;	/* a Buffer: its size goes there too */
	} open[AML_MAX_DEPTH];
};

void aml_init(struct aml *a);
void aml_release(struct aml *a);
/* 0, or the first error; the caller then discards the bytes. */
int aml_finish(struct aml *a);

void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_byte(struct aml *a, u8 b);

/* Data objects: the shortest integer encoding, a string, an EISA ID. */
void aml_integer(struct aml *a, u64 v);
void aml_string(struct aml *a, const char *s);
/* "PNP0A08": three capitals and four hex digits, as a 32-bit integer. */
void aml_eisaid(struct aml *a, const char *id);

/*
 * A NameString: "\\_SB.PCI0", "_HID", "PCI0.FOO"; segments of one to four
 * of A-Z, 0-9 and '_' (not starting with a digit), padded with '_'.
 */
void aml_namestring(struct aml *a, const char *path);

/* Name (NAME, <value>): the caller writes the value next. */
void aml_name(struct aml *a, const char *name);
void aml_name_integer(struct aml *a, const char *name, u64 v);
void aml_name_eisaid(struct aml *a, const char *name, const char *id);
void aml_name_string(struct aml *a, const char *name, const char *s);

/* Scope (PATH) { ... }, Device (NAME) { ... } */
void aml_scope_begin(struct aml *a, const char *path);
void aml_device_begin(struct aml *a, const char *name);
/* Package (n) { ... }: the caller writes n elements. */
void aml_package_begin(struct aml *a, u8 nr_elements);
/* Buffer () { ... }: its size is what was written when it ends. */
void aml_buffer_begin(struct aml *a);
void aml_end(struct aml *a);

/* Resource descriptors, for a ResourceTemplate (a Buffer). */
#define AML_IRQ_EDGE		0x01
#define AML_IRQ_ACTIVE_LOW	0x08
#define AML_IRQ_SHARED		0x10

/* IO (Decode16, base, base, 1, len) */
void aml_res_io(struct aml *a, u16 base, u8 len);
/* IRQNoFlags () {irq} when flags is AML_IRQ_EDGE, else IRQ (...) {irq} */
void aml_res_irq(struct aml *a, u8 irq, u8 flags);
/* Memory32Fixed (ReadWrite, base, len) */
void aml_res_mem32_fixed(struct aml *a, u32 base, u32 len);
/* A bridge's windows (ResourceProducer, MinFixed, MaxFixed, PosDecode). */
void aml_res_bus_window(struct aml *a, u8 first, u8 last);
void aml_res_io_window(struct aml *a, u16 base, u32 len);
/* Non-cacheable, read-write memory below 4 GiB. */
void aml_res_mem_window(struct aml *a, u32 base, u64 len);
/* EndTag, which ends every resource template. */
void aml_res_end(struct aml *a);

#endif
