// SPDX-License-Identifier: GPL-2.0
/* lib/kvm-names.c: each table names its values, anything else "unknown". */
#include <linux/kvm.h>
#include <string.h>

#include "kvm-names.h"
#include "tap.h"

int main(void)
{
	ok(!strcmp(kvm_exit_name(KVM_EXIT_SHUTDOWN), "KVM_EXIT_SHUTDOWN") &&
	   !strcmp(kvm_exit_name(KVM_EXIT_UNKNOWN), "KVM_EXIT_UNKNOWN") &&
	   !strcmp(kvm_exit_name(KVM_EXIT_NOTIFY), "KVM_EXIT_NOTIFY"),
	   "exit reasons: first, middle and last of the table");
	ok(!strcmp(kvm_exit_name(0xdead), "KVM_EXIT_<unknown>"),
	   "an exit reason past the table");
	ok(!strcmp(kvm_internal_error_name(KVM_INTERNAL_ERROR_EMULATION),
		   "emulation failure") &&
	   !strcmp(kvm_internal_error_name(KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON),
		   "unexpected hardware exit reason"),
	   "internal error suberrors");
	ok(!strcmp(kvm_internal_error_name(0), "unknown suberror"),
	   "an unknown suberror");
	ok(!strcmp(kvm_system_event_name(KVM_SYSTEM_EVENT_SHUTDOWN),
		   "shutdown") &&
	   !strcmp(kvm_system_event_name(KVM_SYSTEM_EVENT_SUSPEND), "suspend"),
	   "system events");
	ok(!strcmp(kvm_system_event_name(0), "unknown"),
	   "an unknown system event");
	return tap_done();
}
