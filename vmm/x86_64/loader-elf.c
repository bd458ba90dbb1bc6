// SPDX-License-Identifier: GPL-2.0
/*
 * ELF kernels: an x86_64 vmlinux entered through the Linux 64-bit boot
 * protocol, or any ELF32/ELF64 image carrying Xen's PHYS32_ENTRY note,
 * entered through PVH. Segments load at their physical addresses.
 *
 * Every header field is checked against the file size before use; reads
 * go through get_le*() on bounds-checked offsets.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "x86/boot.h"
#include "x86/layout.h"
#include "loader.h"

/* More program headers than any kernel has; bounds the overlap check. */
#define ELF_MAX_PHDRS		128

struct elf_hdr {
	bool is64;
	u16 type;
	u16 machine;
	u64 entry;
	u64 phoff;
	u64 shoff;
	u16 phentsize;
	u16 phnum;
	u16 shentsize;
	u16 shnum;
};

struct elf_phdr {
	u32 type;
	u64 offset;
	u64 vaddr;
	u64 paddr;
	u64 filesz;
	u64 memsz;
	u64 align;
};

bool x86_is_elf(const u8 *buf, size_t len)
{
	return len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG);
}

static int read_ehdr(const u8 *buf, size_t len, struct elf_hdr *eh,
		     const char **why)
{
	if (len < EI_NIDENT) {
		*why = "truncated ELF header";
		return -ENOEXEC;
	}
	if (buf[EI_DATA] != ELFDATA2LSB) {
		*why = "ELF is not little-endian";
		return -ENOEXEC;
	}
	if (buf[EI_VERSION] != EV_CURRENT) {
		*why = "unknown ELF version";
		return -ENOEXEC;
	}
	if (buf[EI_CLASS] == ELFCLASS64) {
		eh->is64 = true;
		if (len < sizeof(Elf64_Ehdr)) {
			*why = "truncated ELF header";
			return -ENOEXEC;
		}
		eh->entry = get_le64(buf + 24);
		eh->phoff = get_le64(buf + 32);
		eh->shoff = get_le64(buf + 40);
		eh->phentsize = get_le16(buf + 54);
		eh->phnum = get_le16(buf + 56);
		eh->shentsize = get_le16(buf + 58);
		eh->shnum = get_le16(buf + 60);
	} else if (buf[EI_CLASS] == ELFCLASS32) {
		eh->is64 = false;
		if (len < sizeof(Elf32_Ehdr)) {
			*why = "truncated ELF header";
			return -ENOEXEC;
		}
		eh->entry = get_le32(buf + 24);
		eh->phoff = get_le32(buf + 28);
		eh->shoff = get_le32(buf + 32);
		eh->phentsize = get_le16(buf + 42);
		eh->phnum = get_le16(buf + 44);
		eh->shentsize = get_le16(buf + 46);
		eh->shnum = get_le16(buf + 48);
	} else {
		*why = "unknown ELF class";
		return -ENOEXEC;
	}
	eh->type = get_le16(buf + 16);
	eh->machine = get_le16(buf + 18);
	if (eh->is64 && eh->machine != EM_X86_64) {
		*why = "64-bit ELF for another machine (e_machine is not EM_X86_64)";
		return -ENOEXEC;
	}
	if (!eh->is64 && eh->machine != EM_386) {
		*why = "32-bit ELF for another machine (e_machine is not EM_386)";
		return -ENOEXEC;
	}
	if (eh->type != ET_EXEC) {
		*why = "ELF is not an executable (e_type is not ET_EXEC)";
		return -ENOEXEC;
	}
	if (!eh->phnum) {
		*why = "ELF has no program headers";
		return -ENOEXEC;
	}
	if (eh->phnum > ELF_MAX_PHDRS) {
		*why = "ELF has too many program headers (more than 128)";
		return -ENOEXEC;
	}
	if (eh->phentsize < (eh->is64 ? sizeof(Elf64_Phdr) :
					sizeof(Elf32_Phdr))) {
		*why = "malformed ELF: program header entries too small";
		return -ENOEXEC;
	}
	if (!in_buf(len, eh->phoff, (u64)eh->phnum * eh->phentsize)) {
		*why = "truncated ELF: program headers beyond the end of the file";
		return -ENOEXEC;
	}
	return 0;
}

static void read_phdr(const u8 *buf, const struct elf_hdr *eh,
		      unsigned int i, struct elf_phdr *ph)
{
	const u8 *p = buf + eh->phoff + (u64)i * eh->phentsize;

	if (eh->is64) {
		ph->type = get_le32(p);
		ph->offset = get_le64(p + 8);
		ph->vaddr = get_le64(p + 16);
		ph->paddr = get_le64(p + 24);
		ph->filesz = get_le64(p + 32);
		ph->memsz = get_le64(p + 40);
		ph->align = get_le64(p + 48);
	} else {
		ph->type = get_le32(p);
		ph->offset = get_le32(p + 4);
		ph->vaddr = get_le32(p + 8);
		ph->paddr = get_le32(p + 12);
		ph->filesz = get_le32(p + 16);
		ph->memsz = get_le32(p + 20);
		ph->align = get_le32(p + 28);
	}
}

/* A PT_LOAD that takes memory. */
static bool is_load(const struct elf_phdr *ph)
{
	return ph->type == PT_LOAD && ph->memsz;
}

static int check_segments(const u8 *buf, size_t len, const struct elf_hdr *eh,
			  struct x86_elf_info *info, const char **why)
{
	u64 addr_limit = eh->is64 ? 0 : 1ULL << 32;	/* 0: none */
	struct elf_phdr ph, other;
	unsigned int i, j;

	info->lo = ~0ULL;
	info->hi = 0;
	info->nr_load = 0;
	for (i = 0; i < eh->phnum; i++) {
		read_phdr(buf, eh, i, &ph);
		if (ph.type != PT_LOAD)
			continue;
		if (ph.filesz > ph.memsz) {
			*why = "malformed ELF: segment file size exceeds its memory size";
			return -ENOEXEC;
		}
		if (!in_buf(len, ph.offset, ph.filesz)) {
			*why = "truncated ELF: segment data beyond the end of the file";
			return -ENOEXEC;
		}
		if (!ph.memsz)
			continue;
		if (ph.paddr + ph.memsz < ph.paddr ||
		    ph.vaddr + ph.memsz < ph.vaddr ||
		    (addr_limit && ph.paddr + ph.memsz > addr_limit)) {
			*why = "malformed ELF: segment address range wraps around";
			return -ENOEXEC;
		}
		for (j = 0; j < i; j++) {
			read_phdr(buf, eh, j, &other);
			if (is_load(&other) &&
			    ph.paddr < other.paddr + other.memsz &&
			    other.paddr < ph.paddr + ph.memsz) {
				*why = "malformed ELF: loadable segments overlap";
				return -ENOEXEC;
			}
		}
		info->lo = MIN(info->lo, ph.paddr);
		info->hi = MAX(info->hi, ph.paddr + ph.memsz);
		info->nr_load++;
	}
	if (!info->nr_load) {
		*why = "ELF has no loadable segments";
		return -ENOEXEC;
	}
	return 0;
}

/* Physical address for e_entry: as is, or translated from a vaddr. */
static void translate_entry(const u8 *buf, const struct elf_hdr *eh,
			    struct x86_elf_info *info)
{
	struct elf_phdr ph;
	unsigned int i;

	info->entry_ok = false;
	for (i = 0; i < eh->phnum; i++) {
		read_phdr(buf, eh, i, &ph);
		if (is_load(&ph) && eh->entry >= ph.paddr &&
		    eh->entry - ph.paddr < ph.memsz) {
			info->entry = eh->entry;
			info->entry_ok = true;
			return;
		}
	}
	for (i = 0; i < eh->phnum; i++) {
		read_phdr(buf, eh, i, &ph);
		if (is_load(&ph) && eh->entry >= ph.vaddr &&
		    eh->entry - ph.vaddr < ph.memsz) {
			info->entry = ph.paddr + (eh->entry - ph.vaddr);
			info->entry_ok = true;
			return;
		}
	}
}

/*
 * Walk the notes in [p, p + n) with the given alignment. 1 when the PVH
 * note was found (entry in *entry), 0 when not, -ENOEXEC when malformed.
 */
static int scan_notes(const u8 *p, u64 n, u64 align, u64 *entry,
		      const char **why)
{
	while (n >= 12) {
		u64 namesz = get_le32(p), descsz = get_le32(p + 4);
		u32 type = get_le32(p + 8);
		u64 desc_off = ALIGN_UP(12 + namesz, align);
		u64 next;

		if (desc_off > n || descsz > n - desc_off) {
			*why = "malformed ELF: note runs past the end of its segment";
			return -ENOEXEC;
		}
		if (namesz == 4 && !memcmp(p + 12, "Xen", 4) &&
		    type == XEN_ELFNOTE_PHYS32_ENTRY) {
			if (descsz == 4) {
				*entry = get_le32(p + desc_off);
			} else if (descsz == 8) {
				*entry = get_le64(p + desc_off);
			} else {
				*why = "malformed ELF: PVH entry note descriptor is not 4 or 8 bytes";
				return -ENOEXEC;
			}
			if (*entry >= 1ULL << 32) {
				*why = "malformed ELF: PVH entry point above 4 GiB";
				return -ENOEXEC;
			}
			return 1;
		}
		next = ALIGN_UP(desc_off + descsz, align);
		if (next >= n)
			break;
		p += next;
		n -= next;
	}
	return 0;
}

static int find_pvh_note(const u8 *buf, size_t len, const struct elf_hdr *eh,
			 struct x86_elf_info *info, const char **why)
{
	u64 shsize = eh->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	struct elf_phdr ph;
	unsigned int i;
	int ret;

	for (i = 0; i < eh->phnum; i++) {
		read_phdr(buf, eh, i, &ph);
		if (ph.type != PT_NOTE || !ph.filesz)
			continue;
		if (!in_buf(len, ph.offset, ph.filesz)) {
			*why = "truncated ELF: note segment beyond the end of the file";
			return -ENOEXEC;
		}
		ret = scan_notes(buf + ph.offset, ph.filesz,
				 ph.align == 8 ? 8 : 4, &info->pvh_entry, why);
		if (ret)
			goto found;
	}

	/* Section headers are optional; shnum 0 also covers SHN_LORESERVE. */
	if (!eh->shoff || !eh->shnum)
		return 0;
	if (eh->shentsize < shsize ||
	    !in_buf(len, eh->shoff, (u64)eh->shnum * eh->shentsize)) {
		*why = "truncated ELF: section headers beyond the end of the file";
		return -ENOEXEC;
	}
	for (i = 0; i < eh->shnum; i++) {
		const u8 *s = buf + eh->shoff + (u64)i * eh->shentsize;
		u64 off, size, align;

		if (get_le32(s + 4) != SHT_NOTE)
			continue;
		if (eh->is64) {
			off = get_le64(s + 24);
			size = get_le64(s + 32);
			align = get_le64(s + 48);
		} else {
			off = get_le32(s + 16);
			size = get_le32(s + 20);
			align = get_le32(s + 32);
		}
		if (!in_buf(len, off, size)) {
			*why = "truncated ELF: note section beyond the end of the file";
			return -ENOEXEC;
		}
		ret = scan_notes(buf + off, size, align == 8 ? 8 : 4,
				 &info->pvh_entry, why);
		if (ret)
			goto found;
	}
	return 0;

found:
	if (ret < 0)
		return ret;
	info->has_pvh = true;
	return 0;
}

static bool in_loaded(const u8 *buf, const struct elf_hdr *eh, u64 addr)
{
	struct elf_phdr ph;
	unsigned int i;

	for (i = 0; i < eh->phnum; i++) {
		read_phdr(buf, eh, i, &ph);
		if (is_load(&ph) && addr >= ph.paddr &&
		    addr - ph.paddr < ph.memsz)
			return true;
	}
	return false;
}

static int elf_parse(const u8 *buf, size_t len, struct elf_hdr *eh,
		     struct x86_elf_info *info, const char **why)
{
	int ret;

	memset(info, 0, sizeof(*info));
	if (!x86_is_elf(buf, len)) {
		*why = "not an ELF file";
		return -ENOEXEC;
	}
	ret = read_ehdr(buf, len, eh, why);
	if (ret)
		return ret;
	info->is64 = eh->is64;
	info->machine = eh->machine;
	ret = check_segments(buf, len, eh, info, why);
	if (ret)
		return ret;
	translate_entry(buf, eh, info);
	ret = find_pvh_note(buf, len, eh, info, why);
	if (ret)
		return ret;
	if (info->has_pvh && !in_loaded(buf, eh, info->pvh_entry)) {
		*why = "malformed ELF: PVH entry point outside the loadable segments";
		return -ENOEXEC;
	}
	if (!eh->is64 && !info->has_pvh) {
		*why = "32-bit ELF without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)";
		return -ENOEXEC;
	}
	if (!info->has_pvh && !info->entry_ok) {
		*why = "malformed ELF: entry point outside the loadable segments";
		return -ENOEXEC;
	}
	return 0;
}

int x86_elf_parse(const u8 *buf, size_t len, struct x86_elf_info *info,
		  const char **why)
{
	struct elf_hdr eh;

	return elf_parse(buf, len, &eh, info, why);
}

static int check_segments_fit(const struct x86_mem_map *map, const u8 *buf,
			      const struct elf_hdr *eh, struct boot_state *out)
{
	struct elf_phdr ph;
	unsigned int i;

	for (i = 0; i < eh->phnum; i++) {
		read_phdr(buf, eh, i, &ph);
		if (is_load(&ph) && !x86_map_loadable(map, ph.paddr, ph.memsz))
			return x86_load_fail(out, -E2BIG,
					     "ELF segment %u (0x%llx-0x%llx) is outside RAM",
					     i, (unsigned long long)ph.paddr,
					     (unsigned long long)(ph.paddr +
								  ph.memsz));
	}
	return 0;
}

/* After check_segments_fit() and the boot structures. */
static int load_segments(const struct guest_mem *mem, const u8 *buf,
			 const struct elf_hdr *eh, struct boot_state *out)
{
	struct elf_phdr ph;
	unsigned int i;
	int ret;

	for (i = 0; i < eh->phnum; i++) {
		read_phdr(buf, eh, i, &ph);
		if (!is_load(&ph))
			continue;
		ret = x86_guest_write(mem, ph.paddr, buf + ph.offset,
				      ph.filesz, out, "ELF segment");
		if (!ret)
			ret = x86_guest_zero(mem, ph.paddr + ph.filesz,
					     ph.memsz - ph.filesz, out,
					     "ELF segment bss");
		if (ret)
			return ret;
	}
	return 0;
}

/* What a bzImage's header would say, for a vmlinux that has none. */
static void synth_header(const struct x86_elf_info *info,
			 struct bp_setup_header *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->setup_sects = BP_SETUP_DEFAULT_SECTS;
	hdr->boot_flag = BP_BOOT_FLAG;
	hdr->header = BP_HDRS_MAGIC;
	hdr->version = 0x020f;
	hdr->loadflags = BP_LOADED_HIGH;
	hdr->code32_start = (u32)info->lo;
	hdr->initrd_addr_max = 0x7fffffff;
	hdr->kernel_alignment = SZ_2M;
	hdr->xloadflags = BP_XLF_KERNEL_64;
	hdr->cmdline_size = X86_CMDLINE_MAX - 1;
	hdr->pref_address = info->lo;
	hdr->init_size = (u32)MIN(info->hi - info->lo, (u64)UINT32_MAX);
}

int x86_load_elf_image(const struct guest_mem *mem,
		       const struct x86_mem_map *map,
		       const struct boot_input *in, const u8 *buf, size_t len,
		       const struct bp_setup_header *bz_hdr,
		       struct boot_state *out)
{
	struct x86_kernel_area ka = { .nr = 1 };
	struct bp_setup_header hdr;
	struct x86_elf_info info;
	struct elf_hdr eh;
	const char *why;
	bool pvh;
	int ret;

	ret = elf_parse(buf, len, &eh, &info, &why);
	if (ret)
		return x86_load_fail(out, ret, "%s", why);
	if (in->protocol == BOOT_PROTO_PVH && !info.has_pvh)
		return x86_load_fail(out, -ENOEXEC,
				     "PVH boot requested but the ELF has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
	pvh = !bz_hdr && info.has_pvh && in->protocol != BOOT_PROTO_LINUX64;
	if (!pvh && !info.is64)
		return x86_load_fail(out, -ENOEXEC,
				     "a 32-bit ELF can only boot through PVH");
	if (!pvh && !info.entry_ok)
		return x86_load_fail(out, -ENOEXEC,
				     "ELF entry point 0x%llx is outside the loadable segments",
				     (unsigned long long)eh.entry);

	ret = check_segments_fit(map, buf, &eh, out);
	if (ret)
		return ret;
	out->kernel_start = ka.start[0] = info.lo;
	out->kernel_end = ka.end[0] = info.hi;
	/* The boot structures may still refuse (command line, initrd). */
	if (pvh) {
		out->format = KERNEL_FMT_ELF_PVH;
		out->rip = info.pvh_entry;
		ret = x86_setup_pvh(mem, map, in, &ka, out);
	} else {
		out->rip = info.entry;
		if (bz_hdr) {
			/* As the kernel's decompressor leaves it: not moved. */
			hdr = *bz_hdr;
			hdr.loadflags &= (u8)~BP_KASLR_FLAG;
			hdr.code32_start = (u32)info.lo;
		} else {
			out->format = KERNEL_FMT_ELF;
			synth_header(&info, &hdr);
		}
		ret = x86_setup_zero_page(mem, map, in, &hdr, &ka, out);
	}
	if (ret)
		return ret;
	return load_segments(mem, buf, &eh, out);
}

int x86_load_elf(const struct guest_mem *mem, const struct x86_mem_map *map,
		 const struct boot_input *in, struct boot_state *out)
{
	return x86_load_elf_image(mem, map, in, in->kernel, in->kernel_len,
				  NULL, out);
}

/* Where the file contents of an ELF x86_elf_parse() accepted end. */
size_t x86_elf_extent(const u8 *buf, size_t len)
{
	struct elf_hdr eh;
	struct elf_phdr ph;
	const char *why;
	u64 end;
	unsigned int i;

	if (read_ehdr(buf, len, &eh, &why))
		return len;
	end = eh.phoff + (u64)eh.phnum * eh.phentsize;
	end = MAX(end, eh.shoff + (u64)eh.shnum * eh.shentsize);
	for (i = 0; i < eh.phnum && end <= len; i++) {
		read_phdr(buf, &eh, i, &ph);
		end = MAX(end, ph.offset + ph.filesz);
	}
	return (size_t)MIN(end, (u64)len);
}
