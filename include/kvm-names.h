/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_KVM_NAMES_H
#define LKVM_KVM_NAMES_H

#include "types.h"

/* "KVM_EXIT_SHUTDOWN" for 8; "KVM_EXIT_<unknown>" past the table. */
const char *kvm_exit_name(u32 reason);
/* "emulation failure" for KVM_INTERNAL_ERROR_EMULATION, and so on. */
const char *kvm_internal_error_name(u32 suberror);
const char *kvm_system_event_name(u32 type);

#endif
