// SPDX-License-Identifier: GPL-2.0
/*
 * mkbzimage: pack the test guest into a bzImage (Linux boot protocol
 * 2.15 layout, see Documentation/x86/boot.rst).
 *
 *   mkbzimage SETUP.bin KERNEL.elf OUT
 *
 * SETUP.bin is the real-mode setup code (setup16.S) with the header area
 * left zero; KERNEL.elf is the guest linked at 0x100000 with its 64-bit
 * entry at +0x200. The output is the setup sectors with a filled-in setup
 * header followed by the flat protected-mode payload.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_ADDR	0x100000ULL
#define ENTRY64_OFFSET	0x200ULL
#define HDR_START	0x1f1
#define HDR_END		0x270
#define SETUP_MAX	(64 * 512)
#define PAYLOAD_MAX	(16 << 20)

#define XLF_KERNEL_64	0x1
#define LOADED_HIGH	0x1

static const char *prog = "mkbzimage";

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		die("cannot open '%s'", path);
	for (;;) {
		size_t got;

		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > 64 << 20)
				die("'%s' is too large", path);
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory reading '%s'", path);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die("cannot read '%s'", path);
	fclose(f);
	*len = n;
	return buf;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/*
 * Flatten the PT_LOAD segments of an ELF64 x86-64 executable starting at
 * KERNEL_ADDR. Returns the payload; *len is its file size, *mem_len the
 * memory it spans (bss included).
 */
static unsigned char *flatten_elf(const char *path, const unsigned char *elf,
				  size_t elf_len, size_t *len,
				  uint64_t *mem_len)
{
	const Elf64_Ehdr *eh = (const void *)elf;
	uint64_t file_end = 0, mem_end = 0, lowest = UINT64_MAX;
	unsigned char *out;
	int i;

	if (elf_len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		die("'%s' is not an ELF file", path);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(Elf64_Phdr))
		die("'%s' is not an ELF64 x86-64 executable", path);
	if (eh->e_phoff > elf_len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > elf_len - eh->e_phoff)
		die("'%s' has truncated program headers", path);

	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(elf + eh->e_phoff) + i;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > elf_len ||
		    ph->p_filesz > elf_len - ph->p_offset)
			die("'%s' has a bad PT_LOAD segment", path);
		if (ph->p_paddr < KERNEL_ADDR ||
		    ph->p_paddr + ph->p_memsz > KERNEL_ADDR + PAYLOAD_MAX)
			die("'%s' is not linked in [1 MiB, 17 MiB)", path);
		if (ph->p_paddr < lowest)
			lowest = ph->p_paddr;
		if (ph->p_filesz && ph->p_paddr + ph->p_filesz > file_end)
			file_end = ph->p_paddr + ph->p_filesz;
		if (ph->p_paddr + ph->p_memsz > mem_end)
			mem_end = ph->p_paddr + ph->p_memsz;
	}
	if (lowest != KERNEL_ADDR)
		die("'%s' does not start at 0x100000", path);
	if (eh->e_entry != KERNEL_ADDR + ENTRY64_OFFSET)
		die("'%s': entry point is not at 0x100200", path);

	*len = file_end - KERNEL_ADDR;
	*mem_len = mem_end - KERNEL_ADDR;
	out = calloc(1, *len ? *len : 1);
	if (!out)
		die("out of memory for '%s'", path);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(elf + eh->e_phoff) + i;

		if (ph->p_type == PT_LOAD && ph->p_filesz)
			memcpy(out + (ph->p_paddr - KERNEL_ADDR),
			       elf + ph->p_offset, ph->p_filesz);
	}
	return out;
}

int main(int argc, char **argv)
{
	unsigned char *setup_in, *elf, *payload, *img;
	size_t setup_in_len, elf_len, payload_len, setup_len, i;
	uint64_t mem_len;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: %s SETUP.bin KERNEL.elf OUT\n", prog);
		return 2;
	}
	setup_in = read_file(argv[1], &setup_in_len);
	if (setup_in_len < HDR_END || setup_in_len > SETUP_MAX)
		die("'%s': setup code must be 0x270 bytes to 32 KiB", argv[1]);
	for (i = HDR_START; i < HDR_END; i++)
		if (i != 0x200 && i != 0x201 && setup_in[i])
			die("'%s': setup header area is not empty", argv[1]);
	if (setup_in[0x200] != 0xeb)
		die("'%s': no jump instruction at 0x200", argv[1]);

	elf = read_file(argv[2], &elf_len);
	payload = flatten_elf(argv[2], elf, elf_len, &payload_len, &mem_len);

	setup_len = (setup_in_len + 511) & ~(size_t)511;
	if (setup_len < 5 * 512)
		setup_len = 5 * 512;
	img = calloc(1, setup_len + payload_len);
	if (!img)
		die("out of memory for '%s'", argv[3]);
	memcpy(img, setup_in, setup_in_len);
	memcpy(img + setup_len, payload, payload_len);

	img[0x1f1] = setup_len / 512 - 1;		/* setup_sects */
	put32(img + 0x1f4, (payload_len + 15) / 16);	/* syssize */
	put16(img + 0x1fe, 0xaa55);			/* boot_flag */
	memcpy(img + 0x202, "HdrS", 4);			/* header */
	put16(img + 0x206, 0x020f);			/* version */
	img[0x211] = LOADED_HIGH;			/* loadflags */
	put32(img + 0x214, KERNEL_ADDR);		/* code32_start */
	put32(img + 0x22c, 0x37ffffff);			/* initrd_addr_max */
	put32(img + 0x230, 0x100000);			/* kernel_alignment */
	img[0x234] = 0;					/* relocatable_kernel */
	img[0x235] = 20;				/* min_alignment */
	put16(img + 0x236, XLF_KERNEL_64);		/* xloadflags */
	put32(img + 0x238, 0xffff);			/* cmdline_size */
	put64(img + 0x258, KERNEL_ADDR);		/* pref_address */
	put32(img + 0x260, (mem_len + 4095) & ~4095ULL);	/* init_size */

	f = fopen(argv[3], "wb");
	if (!f)
		die("cannot create '%s'", argv[3]);
	if (fwrite(img, 1, setup_len + payload_len, f) !=
	    setup_len + payload_len || fclose(f))
		die("cannot write '%s'", argv[3]);
	free(img);
	free(payload);
	free(elf);
	free(setup_in);
	return 0;
}
