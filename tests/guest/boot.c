// SPDX-License-Identifier: GPL-2.0
/*
 * Boot information: the Linux zero page (struct boot_params) or the PVH
 * hvm_start_info, reduced to struct boot_info. Offsets follow
 * Documentation/x86/boot.rst and zero-page.rst; the PVH layout follows
 * Xen's public arch-x86/hvm/start_info.h.
 */
#include "guest.h"

struct boot_info boot_info;

/* struct boot_params offsets. */
#define ZP_ACPI_RSDP_ADDR	0x070
#define ZP_EXT_RAMDISK_IMAGE	0x0c0
#define ZP_EXT_RAMDISK_SIZE	0x0c4
#define ZP_EXT_CMD_LINE_PTR	0x0c8
#define ZP_E820_ENTRIES		0x1e8
#define ZP_RAMDISK_IMAGE	0x218
#define ZP_RAMDISK_SIZE		0x21c
#define ZP_CMD_LINE_PTR		0x228
#define ZP_E820_TABLE		0x2d0
#define ZP_E820_MAX		128

struct zp_e820 {
	u64 addr;
	u64 size;
	u32 type;
} __packed;

#define PVH_MAGIC		0x336ec578

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr;	/* version >= 1 */
	u32 memmap_entries;
	u32 reserved;
};

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};

struct hvm_memmap_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;
};

static u32 zp32(const u8 *zp, unsigned int off)
{
	return *(const u32 *)(zp + off);
}

static void add_e820(struct boot_info *bi, u64 addr, u64 size, u32 type)
{
	if (bi->nr_e820 >= BOOT_E820_MAX)
		return;
	bi->e820[bi->nr_e820].addr = addr;
	bi->e820[bi->nr_e820].size = size;
	bi->e820[bi->nr_e820].type = type;
	bi->nr_e820++;
}

static void parse_zero_page(struct boot_info *bi, const u8 *zp)
{
	const struct zp_e820 *e = (const void *)(zp + ZP_E820_TABLE);
	unsigned int i, n = zp[ZP_E820_ENTRIES];
	u64 cmd;

	cmd = zp32(zp, ZP_CMD_LINE_PTR) |
	      (u64)zp32(zp, ZP_EXT_CMD_LINE_PTR) << 32;
	if (cmd)
		bi->cmdline = (const char *)cmd;
	bi->initrd_addr = zp32(zp, ZP_RAMDISK_IMAGE) |
			  (u64)zp32(zp, ZP_EXT_RAMDISK_IMAGE) << 32;
	bi->initrd_size = zp32(zp, ZP_RAMDISK_SIZE) |
			  (u64)zp32(zp, ZP_EXT_RAMDISK_SIZE) << 32;
	bi->rsdp = zp32(zp, ZP_ACPI_RSDP_ADDR) |
		   (u64)zp32(zp, ZP_ACPI_RSDP_ADDR + 4) << 32;
	if (n > ZP_E820_MAX)
		n = ZP_E820_MAX;
	for (i = 0; i < n; i++)
		add_e820(bi, e[i].addr, e[i].size, e[i].type);
}

static void parse_pvh(struct boot_info *bi, const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *mod;
	const struct hvm_memmap_entry *mm;
	unsigned int i;

	if (si->magic != PVH_MAGIC) {
		printf("pvh: bad start info magic %x\n", si->magic);
		bi->has_info = false;
		return;
	}
	if (si->cmdline_paddr)
		bi->cmdline = (const char *)si->cmdline_paddr;
	bi->rsdp = si->rsdp_paddr;
	if (si->nr_modules && si->modlist_paddr) {
		mod = (const void *)si->modlist_paddr;
		bi->initrd_addr = mod->paddr;
		bi->initrd_size = mod->size;
	}
	if (si->version >= 1 && si->memmap_paddr) {
		mm = (const void *)si->memmap_paddr;
		for (i = 0; i < si->memmap_entries; i++)
			add_e820(bi, mm[i].addr, mm[i].size, mm[i].type);
	}
}

void boot_parse(u32 proto, u64 info)
{
	struct boot_info *bi = &boot_info;

	bi->proto = proto;
	bi->cmdline = "";
	bi->has_info = info != 0;
	switch (proto) {
	case BOOT_LINUX64:
		bi->proto_name = "linux64";
		break;
	case BOOT_LINUX32:
		bi->proto_name = "linux32";
		break;
	case BOOT_PVH:
		bi->proto_name = "pvh";
		break;
	default:
		bi->proto_name = "real";
		bi->has_info = false;
		break;
	}
	if (!bi->has_info)
		return;
	if (proto == BOOT_PVH)
		parse_pvh(bi, (const void *)info);
	else
		parse_zero_page(bi, (const void *)info);
}

/* Find the n-th key (as "key" or "key=value") in the command line. */
static const char *cmdline_find(const char *key, unsigned int n, size_t *vlen)
{
	const char *p = boot_info.cmdline;
	size_t klen = strlen(key);

	while (*p) {
		const char *w;
		size_t wlen;

		while (*p == ' ')
			p++;
		w = p;
		while (*p && *p != ' ')
			p++;
		wlen = p - w;
		if (!wlen || wlen < klen || strncmp(w, key, klen) ||
		    (wlen > klen && w[klen] != '='))
			continue;
		if (n--)
			continue;
		if (wlen == klen) {
			*vlen = 0;
			return w + klen;
		}
		*vlen = wlen - klen - 1;
		return w + klen + 1;
	}
	return NULL;
}

const char *cmdline_get_nth(const char *key, unsigned int n, char *buf,
			    size_t len)
{
	const char *v;
	size_t vlen;

	v = cmdline_find(key, n, &vlen);
	if (!v || !len)
		return NULL;
	if (vlen >= len)
		vlen = len - 1;
	memcpy(buf, v, vlen);
	buf[vlen] = '\0';
	return buf;
}

const char *cmdline_get(const char *key, char *buf, size_t len)
{
	return cmdline_get_nth(key, 0, buf, len);
}

bool cmdline_has(const char *key)
{
	size_t vlen;

	return cmdline_find(key, 0, &vlen) != NULL;
}
