// SPDX-License-Identifier: GPL-2.0
/* Decoding of the instructions the emulation assist completes. */
#include <stdio.h>
#include <string.h>

#include "x86/emul-assist.h"

void emul_assist_decode(const u8 *insn, size_t len, struct assist_action *act)
{
	memset(act, 0, sizeof(*act));
	act->kind = ASSIST_NONE;
	act->what = "unknown";
	if (len < 1)
		return;
	switch (insn[0]) {
	case 0xcc:
		*act = (struct assist_action){ ASSIST_EXCEPTION, 3, 1, "int3" };
		return;
	case 0xcd:
		if (len < 2)
			return;
		if (insn[1] < 32)
			*act = (struct assist_action){ ASSIST_EXCEPTION,
						       insn[1], 2, "int n" };
		else
			*act = (struct assist_action){ ASSIST_SOFT_INT,
						       insn[1], 2, "int n" };
		return;
	case 0x9b:
		*act = (struct assist_action){ ASSIST_SKIP, 0, 1, "fwait" };
		return;
	case 0xdb:
		if (len >= 2 && insn[1] == 0xe3)
			*act = (struct assist_action){ ASSIST_SKIP, 0, 2,
						       "fninit" };
		return;
	}
}

bool emul_assist_host_needs(void)
{
	FILE *f = fopen("/sys/module/kvm_pvm/parameters/pvm_native", "r");
	int c;

	if (!f)
		return false;
	c = fgetc(f);
	fclose(f);
	return c == 'Y' || c == 'y' || c == '1';
}
