// SPDX-License-Identifier: GPL-2.0
/*
 * s390x boot pieces without KVM: the kernel image loader (entry, command
 * line, initrd in the parameter area, all big-endian) and the SCLP service
 * calls a Linux guest makes (SCP info, event masks, console events), also
 * as SERVICE CALL takes them from guest memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "log.h"
#include "s390x/s390x.h"

#define RAM_SIZE (16 * SZ_1M)

static struct guest_mem mem;
static u8 *ram;
static char out[1024];
static size_t out_len;

static u64 rb64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static u16 rb16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

static void wb16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void sink(void *opaque, const u8 *buf, size_t len)
{
	len = MIN(len, sizeof(out) - 1 - out_len);
	memcpy(out + out_len, buf, len);
	out_len += len;
	out[out_len] = 0;
}

static u8 *fake_linux(size_t len, u64 max_cmdline)
{
	u8 *k = calloc(1, len);

	memcpy(k + S390_LINUX_MAGIC, "S390EP", 6);
	for (int i = 0; i < 8; i++)
		k[S390_PARM_MAX_CMDLINE + i] = max_cmdline >> (56 - 8 * i);
	return k;
}

static void test_loader(void)
{
	struct s390_boot b;
	u8 *k = fake_linux(0x12000, 0), initrd[300];
	char longline[1200];
	int r;

	memset(initrd, 0x5a, sizeof(initrd));
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x12000, initrd,
			     sizeof(initrd), "console=ttysclp0 quiet", &b);
	ok(r == 0 && b.is_linux && b.entry == S390_KERNEL_START,
	   "Linux image: entered at 0x10000");
	ok(!strcmp((char *)ram + S390_PARM_CMDLINE, "console=ttysclp0 quiet"),
	   "command line at 0x10480");
	ok(rb64(ram + S390_PARM_INITRD_START) == S390_INITRD_DEFAULT &&
	   rb64(ram + S390_PARM_INITRD_SIZE) == sizeof(initrd) &&
	   ram[S390_INITRD_DEFAULT] == 0x5a &&
	   b.initrd_start == S390_INITRD_DEFAULT,
	   "initrd at 8 MiB, start and size big-endian in the parameter area");
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x12000, NULL, 0, longline,
			     &b);
	ok(r == -E2BIG, "a 1199-byte command line for the legacy 896: -E2BIG (%s)",
	   b.error);
	free(k);
	k = fake_linux(0x12000, 4096);
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x12000, NULL, 0, longline,
			     &b);
	ok(r == 0 && strlen((char *)ram + S390_PARM_CMDLINE) == 1199,
	   "... accepted when the kernel says it takes 4096");
	free(k);

	k = fake_linux(9 * SZ_1M + 5, 0);
	r = s390_load_kernel(&mem, RAM_SIZE, k, 9 * SZ_1M + 5, initrd,
			     sizeof(initrd), "", &b);
	ok(r == 0 && b.initrd_start == 10 * SZ_1M,
	   "initrd after a 9 MiB kernel: next MiB");
	r = s390_load_kernel(&mem, RAM_SIZE, k, 9 * SZ_1M + 5, initrd,
			     7 * SZ_1M, "", &b);
	ok(r == -E2BIG, "initrd past the end of RAM: -E2BIG");
	free(k);

	k = calloc(1, 0x2000);
	k[0] = 0x00;
	k[1] = 0x08;
	k[4] = 0x80;		/* 31-bit addressing bit */
	k[6] = 0x12;
	k[7] = 0x34;
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x2000, NULL, 0, NULL, &b);
	ok(r == 0 && !b.is_linux && b.entry == 0x1234,
	   "other images: entry from the short IPL PSW");
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x2000, NULL, 0, "x", &b);
	ok(r == -EINVAL, "other images take no command line");
	memcpy(k, "\177ELF", 4);
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x2000, NULL, 0, NULL, &b);
	ok(r == -EINVAL, "ELF vmlinux refused with a hint: %s", b.error);
	r = s390_load_kernel(&mem, 0x1000, k, 0x2000, NULL, 0, NULL, &b);
	ok(r == -E2BIG || r == -EINVAL, "image larger than RAM refused");
	free(k);
}

/* No byte of guest RAM differs from c. */
static bool ram_all(u8 c)
{
	for (size_t i = 0; i < RAM_SIZE; i++)
		if (ram[i] != c)
			return false;
	return true;
}

/* Refusals that come after the image was copied used to leave it there. */
static void test_loader_refusals(void)
{
	struct s390_boot b;
	u8 *k = fake_linux(0x12000, 16), initrd[64];
	int r;

	memset(initrd, 0x5a, sizeof(initrd));
	memset(ram, 0xee, RAM_SIZE);
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x12000, NULL, 0,
			     "a command line of more than 15 bytes", &b);
	ok(r == -E2BIG && ram_all(0xee),
	   "command line too long for the kernel: refused, RAM untouched");
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x12000, initrd, RAM_SIZE,
			     "", &b);
	ok(r == -E2BIG && ram_all(0xee),
	   "initrd past the end of RAM: refused, RAM untouched");
	r = s390_load_kernel(&mem, RAM_SIZE, k, S390_PARM_CMDLINE, NULL, 0,
			     NULL, &b);
	ok(r == -EINVAL && ram_all(0xee),
	   "image ending at the command line: refused, RAM untouched");
	free(k);

	/* A command line size reaching past the image, up to 32 MiB. */
	k = fake_linux(0x12000, 32 * SZ_1M);
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x12000, NULL, 0, "x", &b);
	ok(r == -EINVAL && ram_all(0xee),
	   "a command line area past the image's end: refused (%s)", b.error);
	free(k);
	k = fake_linux(0x10480 + 4096, 4096);
	memset(ram, 0xee, RAM_SIZE);
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x10480 + 4096, NULL, 0, "x",
			     &b);
	ok(r == 0 && ram[0x10480] == 'x' && ram[0x10481] == 0 &&
	   ram[0x10480 + 4096] == 0xee,
	   "... one that ends with the image: taken, nothing past it");
	free(k);

	k = calloc(1, 0x2000);
	memset(ram, 0xee, RAM_SIZE);
	r = s390_load_kernel(&mem, RAM_SIZE, k, 0x2000, initrd, sizeof(initrd),
			     NULL, &b);
	ok(r == -EINVAL && ram_all(0xee),
	   "an initrd for an image that is not Linux: refused, RAM untouched");
	free(k);
	memset(ram, 0, RAM_SIZE);
}

static int call(struct sclp *s, u32 cmd, u8 *sccb, u16 len)
{
	wb16(sccb, len);
	return sclp_service_call(s, cmd, sccb, len);
}

static void test_sclp(void)
{
	struct sclp s;
	u8 sccb[4096];
	u8 *ev;
	int i;

	sclp_init(&s, 256 * SZ_1M, 2);
	s.out = sink;
	memset(sccb, 0, sizeof(sccb));
	ok(call(&s, SCLP_CMD_READ_SCP_INFO, sccb, 4096) == 4096 &&
	   rb16(sccb + 6) == SCLP_RC_NORMAL_READ_COMPLETION,
	   "READ SCP INFO: normal read completion");
	ok(rb16(sccb + 8) == 256 && sccb[10] == 1 &&
	   rb64(sccb + 104) == 256, "memory: 256 increments of 1 MiB");
	ok(rb16(sccb + 16) == 2 && rb16(sccb + 18) == 128 &&
	   sccb[128] == 0 && sccb[144] == 1, "two CPU entries at offset 128");
	ok(call(&s, SCLP_CMD_READ_SCP_INFO_FORCED, sccb, 64) == 64 &&
	   rb16(sccb + 6) == SCLP_RC_INSUFFICIENT_LENGTH,
	   "a 64-byte SCCB: insufficient length");
	ok(sclp_service_call(&s, SCLP_CMD_READ_SCP_INFO, sccb, 4) == -EINVAL,
	   "fewer than 8 bytes: refused");
	ok(call(&s, 0x12345678, sccb, 16) == 16 &&
	   rb16(sccb + 6) == SCLP_RC_INVALID_COMMAND, "unknown command: 0x01f0");

	memset(sccb, 0, 64);
	wb16(sccb + 10, 4);
	sccb[12 + 3] = 0x40;		/* guest receives VT220 (type 0x1a) */
	sccb[16] = 0x40;		/* guest sends messages (type 2) */
	ok(call(&s, SCLP_CMD_WRITE_EVENT_MASK, sccb, 28) == 28 &&
	   rb16(sccb + 6) == SCLP_RC_NORMAL_COMPLETION &&
	   s.receive_mask == 0x00000040 && s.send_mask == 0x40000000,
	   "WRITE EVENT MASK: the guest's masks, big-endian");
	ok(sccb[20] == 0x40 && sccb[23] == 0x40 && sccb[27] == 0x40,
	   "SCLP masks: receives messages and VT220, sends VT220");
	wb16(sccb + 10, 0);
	call(&s, SCLP_CMD_WRITE_EVENT_MASK, sccb, 28);
	ok(rb16(sccb + 6) == SCLP_RC_INVALID_MASK_LENGTH,
	   "mask length 0: invalid mask length");

	memset(sccb, 0, 64);
	ev = sccb + 8;
	wb16(ev, 6 + 6);
	ev[2] = SCLP_EV_VT220;
	memcpy(ev + 6, "hello\n", 6);
	out_len = 0;
	ok(call(&s, SCLP_CMD_WRITE_EVENT_DATA, sccb, 8 + 12) == 20 &&
	   rb16(sccb + 6) == SCLP_RC_NORMAL_COMPLETION &&
	   !strcmp(out, "hello\n") && (ev[3] & SCLP_EV_FLAG_PROCESSED),
	   "WRITE EVENT DATA, VT220: text out, event marked processed");

	/* A line-mode message: MDB with a GO and one MTO ("Linux" EBCDIC). */
	memset(sccb, 0, 128);
	ev = sccb + 8;
	ev[2] = SCLP_EV_MSG;
	wb16(ev + 6, 12 + 4 + 15);	/* MDB header length */
	wb16(ev + 8, 1);
	wb16(ev + 18, 4);		/* GO object: length 4, type 1 */
	wb16(ev + 20, 1);
	wb16(ev + 22, 15);		/* MTO: length 10 + 5 */
	wb16(ev + 24, 4);
	memcpy(ev + 32, "\xd3\x89\x95\xa4\xa7", 5);
	wb16(ev, 6 + 12 + 4 + 15);
	out_len = 0;
	call(&s, SCLP_CMD_WRITE_EVENT_DATA, sccb, 8 + 37);
	ok(!strcmp(out, "Linux\n"),
	   "message event: EBCDIC MTO text out as an ASCII line");

	memset(sccb, 0, 64);
	ok(!sclp_event_pending(&s) &&
	   call(&s, SCLP_CMD_READ_EVENT_DATA, sccb, 64) == 64 &&
	   rb16(sccb + 6) == SCLP_RC_NO_EVENT_BUFFERS,
	   "READ EVENT DATA without input: no event buffers");
	ok(sclp_receive(&s, (const u8 *)"ls\r", 3) == 3 &&
	   sclp_event_pending(&s), "console input makes an event pending");
	memset(sccb, 0, 64);
	call(&s, SCLP_CMD_READ_EVENT_DATA, sccb, 64);
	ok(rb16(sccb + 6) == SCLP_RC_NORMAL_COMPLETION &&
	   rb16(sccb + 8) == 9 && sccb[10] == SCLP_EV_VT220 &&
	   !memcmp(sccb + 14, "ls\r", 3) && !sclp_event_pending(&s),
	   "READ EVENT DATA: one VT220 event with the input");
	for (i = 0; i < 600; i++)
		if (!sclp_receive(&s, (const u8 *)"y", 1))
			break;
	ok(i == SCLP_IN_BUF, "input buffer holds %d bytes, then refuses", i);
	memset(sccb, 0, 64);
	call(&s, SCLP_CMD_READ_EVENT_DATA, sccb, 20);
	ok(rb16(sccb + 8) == 12 && s.in_len == SCLP_IN_BUF - 6,
	   "a small SCCB takes what fits");

	ok(s390_ebcdic_to_ascii(0xc1) == 'A' && s390_ebcdic_to_ascii(0xa9) ==
	   'z' && s390_ebcdic_to_ascii(0xf7) == '7' &&
	   s390_ebcdic_to_ascii(0x40) == ' ' && s390_ebcdic_to_ascii(0x4b) ==
	   '.' && s390_ebcdic_to_ascii(0xff) == '.', "EBCDIC to ASCII");
}

/* SERVICE CALL from guest memory: addresses, prefix, length checks. */
static void test_servc(void)
{
	struct sclp s;

	sclp_init(&s, RAM_SIZE, 1);
	memset(ram, 0, 0x10000);
	wb16(ram + 0x3000, 0x1000);
	ok(sclp_servc(&s, &mem, SCLP_CMD_READ_SCP_INFO, 0x3000, 0) == 0 &&
	   rb16(ram + 0x3006) == SCLP_RC_NORMAL_READ_COMPLETION &&
	   rb16(ram + 0x3010) == 1, "SERVC: READ SCP INFO at 0x3000");
	ok(sclp_servc(&s, &mem, SCLP_CMD_READ_SCP_INFO, 0x3004, 0) ==
	   CSS_PGM_SPECIFICATION &&
	   sclp_servc(&s, &mem, SCLP_CMD_READ_SCP_INFO, 0x80000000ULL, 0) ==
	   CSS_PGM_SPECIFICATION, "misaligned or >= 2 GiB: specification");
	ok(sclp_servc(&s, &mem, SCLP_CMD_READ_SCP_INFO, RAM_SIZE, 0) ==
	   CSS_PGM_ADDRESSING, "outside RAM: addressing");
	/* Real 0x1000 with prefix 0x2000 is absolute 0x3000. */
	memset(ram + 0x3000, 0, 0x1000);
	wb16(ram + 0x3000, 0x1000);
	wb16(ram + 0x1000, 0x1000);
	ok(sclp_servc(&s, &mem, SCLP_CMD_READ_SCP_INFO, 0x1000, 0x2000) == 0 &&
	   rb16(ram + 0x3006) == SCLP_RC_NORMAL_READ_COMPLETION &&
	   rb16(ram + 0x1006) == 0, "the prefix moves the first 8K");
	wb16(ram + 0x5ff8, 0x10);
	ok(sclp_servc(&s, &mem, SCLP_CMD_READ_SCP_INFO, 0x5ff8, 0) == 0 &&
	   rb16(ram + 0x5ffe) == SCLP_RC_SCCB_BOUNDARY_VIOLATION &&
	   ram[0x6000] == 0, "an SCCB crossing its page: boundary violation");
	wb16(ram + 0x4000, 4);
	ok(sclp_servc(&s, &mem, SCLP_CMD_READ_SCP_INFO, 0x4000, 0) == 0 &&
	   rb16(ram + 0x4006) == SCLP_RC_INSUFFICIENT_LENGTH,
	   "a 4-byte SCCB: insufficient length");
	sclp_destroy(&s);
}

/* An SCCB in read-only memory: an addressing exception, nothing stored. */
static void test_servc_read_only(void)
{
	static u8 rom[0x2000], copy[sizeof(rom)];
	struct guest_mem romem = { 0 };
	struct sclp s;

	if (guest_mem_add(&romem, 0, RAM_SIZE, ram, false) ||
	    guest_mem_add(&romem, RAM_SIZE, sizeof(rom), rom, true))
		exit(1);
	sclp_init(&s, RAM_SIZE, 1);
	wb16(rom, 0x1000);
	wb16(rom + 0x1000, 4);
	memcpy(copy, rom, sizeof(rom));
	ok(sclp_servc(&s, &romem, SCLP_CMD_READ_SCP_INFO, RAM_SIZE, 0) ==
	   CSS_PGM_ADDRESSING && !memcmp(rom, copy, sizeof(rom)),
	   "SERVC: READ SCP INFO into read-only memory: addressing, not stored");
	ok(sclp_servc(&s, &romem, SCLP_CMD_READ_SCP_INFO, RAM_SIZE + 0x1000,
		      0) == CSS_PGM_ADDRESSING &&
	   !memcmp(rom, copy, sizeof(rom)),
	   "SERVC: a short SCCB in read-only memory: its response code not stored");
	sclp_destroy(&s);
}

int main(void)
{
	ram = calloc(1, RAM_SIZE);
	if (!ram || guest_mem_add(&mem, 0, RAM_SIZE, ram, false))
		return 1;
	log_set_level(LOG_ERROR);
	test_loader();
	test_loader_refusals();
	test_sclp();
	test_servc();
	test_servc_read_only();
	return tap_done();
}
