// SPDX-License-Identifier: GPL-2.0
/* Tests for the emulation assist's instruction decoder. */
#include <string.h>

#include "tap.h"
#include "x86/emul-assist.h"

static void expect(const char *name, const u8 *insn, size_t len,
		   enum assist_kind kind, u8 vector, u8 ilen)
{
	struct assist_action a;

	emul_assist_decode(insn, len, &a);
	ok(a.kind == kind && (kind == ASSIST_NONE ||
			      (a.vector == vector && a.len == ilen)),
	   "%s: kind %d vector %u len %u (got %d %u %u)", name, kind, vector,
	   ilen, a.kind, a.vector, a.len);
}

int main(void)
{
	expect("int3", (const u8 []){ 0xcc }, 1, ASSIST_EXCEPTION, 3, 1);
	expect("int 0x3", (const u8 []){ 0xcd, 0x03 }, 2, ASSIST_EXCEPTION, 3, 2);
	expect("int 0x1f", (const u8 []){ 0xcd, 0x1f }, 2, ASSIST_EXCEPTION, 31, 2);
	expect("int 0x20 is a soft interrupt", (const u8 []){ 0xcd, 0x20 }, 2,
	       ASSIST_SOFT_INT, 0x20, 2);
	expect("int 0x80", (const u8 []){ 0xcd, 0x80 }, 2, ASSIST_SOFT_INT,
	       0x80, 2);
	expect("int n cut short", (const u8 []){ 0xcd }, 1, ASSIST_NONE, 0, 0);
	expect("fwait", (const u8 []){ 0x9b }, 1, ASSIST_SKIP, 0, 1);
	expect("fninit", (const u8 []){ 0xdb, 0xe3 }, 2, ASSIST_SKIP, 0, 2);
	expect("fninit cut short", (const u8 []){ 0xdb }, 1, ASSIST_NONE, 0, 0);
	expect("other x87 (fnstsw)", (const u8 []){ 0xdf, 0xe0 }, 2,
	       ASSIST_NONE, 0, 0);
	expect("xsave is not assisted", (const u8 []){ 0x0f, 0xae, 0x27 }, 3,
	       ASSIST_NONE, 0, 0);
	expect("popcnt is not assisted", (const u8 []){ 0xf3, 0x0f, 0xb8, 0xc0 },
	       4, ASSIST_NONE, 0, 0);
	expect("no bytes", (const u8 []){ 0xcc }, 0, ASSIST_NONE, 0, 0);
	ok(strlen(EMUL_ASSIST_CLEARCPUID) <= EMUL_ASSIST_CLEARCPUID_MAX,
	   "clearcpuid= list fits Linux's 127-character buffer (%zu)",
	   strlen(EMUL_ASSIST_CLEARCPUID));
	ok(strstr(EMUL_ASSIST_CMDLINE, "nopku") &&
	   strstr(EMUL_ASSIST_CMDLINE, "nofsgsbase") &&
	   strstr(EMUL_ASSIST_CLEARCPUID, "pclmulqdq"),
	   "every feature of the list is cleared, the last included");
	ok(strstr(EMUL_ASSIST_CMDLINE, "clearcpuid=") &&
	   strstr(EMUL_ASSIST_CMDLINE, "noxsave"),
	   "assist command line clears CPU features and xsave");
	ok(!strcmp(EMUL_ASSIST_SYSCALL_FIXUP, "syscall_fault_fixup"),
	   "the SYSCALL completion switch is the kernel patch's parameter");
	return tap_done();
}
