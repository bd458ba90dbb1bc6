/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic kernel images and a malloc-backed guest for the x86 loader
 * tests: bzImage headers, ELF32/ELF64 files with optional PVH notes.
 */
#ifndef LKVM_TESTS_X86_IMAGES_H
#define LKVM_TESTS_X86_IMAGES_H

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "guest-mem.h"
#include "x86/boot.h"
#include "x86/bootparam.h"
#include "x86/layout.h"

struct test_guest {
	struct guest_mem mem;
	struct x86_mem_map map;
	u8 *ram;
	u64 size;
};

/* RAM at [0, size), filled with 0xaa so zeroing shows. */
static inline void guest_init(struct test_guest *g, u64 size)
{
	memset(g, 0, sizeof(*g));
	g->size = size;
	g->ram = malloc(size);
	if (!g->ram)
		abort();
	memset(g->ram, 0xaa, size);
	if (guest_mem_add(&g->mem, 0, size, g->ram, false))
		abort();
	x86_build_mem_map(size, &g->map);
}

static inline void guest_fini(struct test_guest *g)
{
	free(g->ram);
	g->ram = NULL;
}

static inline void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static inline void put64(u8 *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + 4, (u32)(v >> 32));
}

static inline u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 |
	       (u32)p[3] << 24;
}

static inline u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

/* Byte i of a synthetic payload: a pattern that is never all-0xaa. */
static inline u8 pattern(u64 i, u8 seed)
{
	return (u8)(i * 7 + seed + (i >> 8));
}

struct bz_opts {
	u8 setup_sects;
	u16 version;
	u16 xloadflags;
	u8 relocatable;
	u32 kernel_alignment;
	u64 pref_address;
	u32 init_size;
	u32 cmdline_size;
	u32 initrd_addr_max;
	u8 loadflags;
	u8 jump_off;		/* byte at 0x201 */
	u64 pm_len;		/* protected-mode kernel bytes */
	u64 truncate_to;	/* 0: none */
};

static inline struct bz_opts bz_default(void)
{
	return (struct bz_opts){
		.setup_sects = 4,
		.version = 0x020f,
		.xloadflags = BP_XLF_KERNEL_64,
		.kernel_alignment = 0x200000,
		.pref_address = 0x1000000,
		.init_size = 0x10000,
		.cmdline_size = 2047,
		.initrd_addr_max = 0x7fffffff,
		.loadflags = BP_LOADED_HIGH | BP_QUIET_FLAG,
		.jump_off = 0x6a,
		.pm_len = 0x4000,
	};
}

static inline u64 bz_setup_size(const struct bz_opts *o)
{
	return ((u64)(o->setup_sects ?: 4) + 1) * 512;
}

static inline u8 *make_bzimage(const struct bz_opts *o, size_t *len)
{
	u64 setup = bz_setup_size(o), total = setup + o->pm_len, i;
	u8 *b = calloc(1, total);

	if (!b)
		abort();
	b[0x1f1] = o->setup_sects;
	put16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;
	b[0x201] = o->jump_off;
	memcpy(b + 0x202, "HdrS", 4);
	put16(b + 0x206, o->version);
	b[0x211] = o->loadflags;
	put32(b + 0x214, 0x100000);
	put32(b + 0x22c, o->initrd_addr_max);
	put32(b + 0x230, o->kernel_alignment);
	b[0x234] = o->relocatable;
	put16(b + 0x236, o->xloadflags);
	put32(b + 0x238, o->cmdline_size);
	put64(b + 0x250, 0x1234);	/* setup_data: not ours to pass on */
	put64(b + 0x258, o->pref_address);
	put32(b + 0x260, o->init_size);
	for (i = 0; i < o->pm_len; i++)
		b[setup + i] = pattern(i, 1);
	*len = o->truncate_to ? o->truncate_to : total;
	return b;
}

/* ELF builder: program headers, optional section headers, then data. */
struct elf_seg {
	u32 type;
	u64 paddr;
	u64 vaddr;
	u64 filesz;
	u64 memsz;
	u64 align;
	const u8 *data;		/* filesz bytes; NULL: pattern */
	u64 offset;		/* 0: placed by the builder */
};

struct elf_opts {
	bool is64;
	u16 machine;
	u16 type;
	u64 entry;
	unsigned int nr_segs;
	struct elf_seg segs[6];
	/* One SHT_NOTE section holding these bytes, if note_len. */
	const u8 *note_sect;
	u64 note_sect_len;
	u64 note_sect_align;
};

static inline struct elf_opts elf_default(bool is64)
{
	return (struct elf_opts){
		.is64 = is64,
		.machine = is64 ? EM_X86_64 : EM_386,
		.type = ET_EXEC,
	};
}

static inline void elf_add(struct elf_opts *o, struct elf_seg s)
{
	o->segs[o->nr_segs++] = s;
}

/* A loadable segment with pattern data. */
static inline struct elf_seg elf_load(u64 paddr, u64 filesz, u64 memsz)
{
	return (struct elf_seg){ .type = PT_LOAD, .paddr = paddr,
				 .vaddr = paddr, .filesz = filesz,
				 .memsz = memsz, .align = 0x1000 };
}

/* A Xen PHYS32_ENTRY note with a desc_size-byte descriptor. */
static inline size_t make_pvh_note(u8 *buf, u64 entry, u32 desc_size,
				   u32 align)
{
	size_t name_end = ALIGN_UP(12 + 4, (size_t)align);

	memset(buf, 0, name_end + ALIGN_UP(desc_size, align));
	put32(buf, 4);
	put32(buf + 4, desc_size);
	put32(buf + 8, XEN_ELFNOTE_PHYS32_ENTRY);
	memcpy(buf + 12, "Xen", 4);
	if (desc_size == 8)
		put64(buf + name_end, entry);
	else
		put32(buf + name_end, (u32)entry);
	return name_end + ALIGN_UP(desc_size, align);
}

/* Another owner's note first, to check the walker skips it. */
static inline size_t make_other_note(u8 *buf, u32 align)
{
	memset(buf, 0, 32);
	put32(buf, 4);
	put32(buf + 4, 3);
	put32(buf + 8, 1);
	memcpy(buf + 12, "GNU", 4);
	memcpy(buf + ALIGN_UP(16, (size_t)align), "abc", 3);
	return ALIGN_UP(16, (size_t)align) + ALIGN_UP(3, (size_t)align);
}

static inline u8 *make_elf(const struct elf_opts *o, size_t *len)
{
	size_t ehsize = o->is64 ? 64 : 52, phsize = o->is64 ? 56 : 32;
	size_t shsize = o->is64 ? 64 : 40;
	size_t off = ehsize + o->nr_segs * phsize, total, shoff = 0, noff = 0;
	u64 offs[6];
	unsigned int i;
	u8 *b;
	u64 j;

	total = off;
	for (i = 0; i < o->nr_segs; i++) {
		offs[i] = o->segs[i].offset ?: total;
		if (!o->segs[i].offset)
			total += o->segs[i].filesz;
	}
	if (o->note_sect_len) {
		noff = total;
		shoff = ALIGN_UP(total + o->note_sect_len, 8);
		total = shoff + 2 * shsize;
	}
	b = calloc(1, total);
	if (!b)
		abort();
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = o->is64 ? ELFCLASS64 : ELFCLASS32;
	b[EI_DATA] = ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	put16(b + 16, o->type);
	put16(b + 18, o->machine);
	put32(b + 20, EV_CURRENT);
	if (o->is64) {
		put64(b + 24, o->entry);
		put64(b + 32, ehsize);
		put64(b + 40, shoff);
		put16(b + 52, (u16)ehsize);
		put16(b + 54, (u16)phsize);
		put16(b + 56, (u16)o->nr_segs);
		put16(b + 58, (u16)shsize);
		put16(b + 60, shoff ? 2 : 0);
	} else {
		put32(b + 24, (u32)o->entry);
		put32(b + 28, (u32)ehsize);
		put32(b + 32, (u32)shoff);
		put16(b + 40, (u16)ehsize);
		put16(b + 42, (u16)phsize);
		put16(b + 44, (u16)o->nr_segs);
		put16(b + 46, (u16)shsize);
		put16(b + 48, shoff ? 2 : 0);
	}
	for (i = 0; i < o->nr_segs; i++) {
		const struct elf_seg *s = &o->segs[i];
		u8 *p = b + ehsize + i * phsize;

		if (o->is64) {
			put32(p, s->type);
			put64(p + 8, offs[i]);
			put64(p + 16, s->vaddr);
			put64(p + 24, s->paddr);
			put64(p + 32, s->filesz);
			put64(p + 40, s->memsz);
			put64(p + 48, s->align);
		} else {
			put32(p, s->type);
			put32(p + 4, (u32)offs[i]);
			put32(p + 8, (u32)s->vaddr);
			put32(p + 12, (u32)s->paddr);
			put32(p + 16, (u32)s->filesz);
			put32(p + 20, (u32)s->memsz);
			put32(p + 28, (u32)s->align);
		}
		if (s->offset || offs[i] + s->filesz > total)
			continue;
		for (j = 0; j < s->filesz; j++)
			b[offs[i] + j] = s->data ? s->data[j] : pattern(j, (u8)i);
	}
	if (o->note_sect_len) {
		u8 *sh = b + shoff + shsize;

		memcpy(b + noff, o->note_sect, o->note_sect_len);
		put32(sh + 4, SHT_NOTE);
		if (o->is64) {
			put64(sh + 24, noff);
			put64(sh + 32, o->note_sect_len);
			put64(sh + 48, o->note_sect_align);
		} else {
			put32(sh + 16, (u32)noff);
			put32(sh + 20, (u32)o->note_sect_len);
			put32(sh + 32, (u32)o->note_sect_align);
		}
	}
	*len = total;
	return b;
}

#endif
