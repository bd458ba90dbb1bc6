// SPDX-License-Identifier: GPL-2.0
/*
 * Harness test (run by harness-check.sh, which expects this to FAIL):
 * bad-exit hlt|shutdown|hang|exception leaves the guest through an
 * unexpected exit, a hang or an unhandled exception; the report must name
 * it and give the stage.
 */
#include <string.h>

#include "selftest.h"

void bad_exit_hlt(void);
void bad_exit_shutdown(void);
void bad_exit_hang(void);
void bad_exit_exception(void);

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "hlt";
	struct st_vm t;
	void (*fn)(void) = bad_exit_hlt;

	st_begin(&t, "harness_bad_exit",
		 "the harness itself: unexpected exits reported by name, hangs by stage");
	if (!strcmp(mode, "shutdown"))
		fn = bad_exit_shutdown;
	else if (!strcmp(mode, "hang"))
		fn = bad_exit_hang;
	else if (!strcmp(mode, "exception"))
		fn = bad_exit_exception;
	st_vm_create(&t, NULL);
	st_vcpu_entry(&t, t.vcpu, fn, 0);
	st_expect_sync(&t, t.vcpu, 1);
	for (;;) {
		st_run_expect(&t, t.vcpu, ST_EXIT_UCALL);
		if (t.uc.cmd == ST_UCALL_DONE)
			break;
	}
	st_pass(&t);
}
