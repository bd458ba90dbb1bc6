# SPDX-License-Identifier: GPL-2.0
# kernel-patches/: the queue of kernel fixes and its tool, kpq.
#
# make check         runs kpq check and kpq checkpatch on the queue
#                    (tests/kpq/queue.sh) and kpq's unit tests
#                    (tests/kpq/unit.sh); seconds, no kernel build.
# make kernel-check  applies the series to a fresh copy of the pinned base,
#                    builds what each patch touches, runs the selftests on
#                    the patched and unpatched trees and, for claims on the
#                    guest suite, builds each tree's lean guest kernel and
#                    boots it on ./lkvm (tests/linux/kpq-guest.sh), and for
#                    claims on the nested suite, builds each tree's KVM host
#                    kernel and runs lkvm's selftests on it in a nested VM
#                    under QEMU (tests/nested/kpq-nested.sh); its last
#                    line is "N patches: N applied, N built, N showed their
#                    claim" (", K cannot be shown on this host" when a claim
#                    is tied to a host kind this host is not, or the host
#                    cannot run its test). Tens of minutes; not part of
#                    make check.
# make kpq-pull      prints the pull-request text for the queue.

KPQ := kernel-patches/kpq
# The guest suite's runner (kpq.1): boots a tree's guest kernel on ./lkvm.
KPQ_GUEST_RUNNER ?= $(CURDIR)/tests/linux/kpq-guest.sh
# The nested suite's: lkvm's selftests on a tree's host kernel, nested.
KPQ_NESTED_RUNNER ?= $(CURDIR)/tests/nested/kpq-nested.sh

CHECK_SUITES += tests/kpq/queue.sh tests/kpq/unit.sh
# kpq checkpatch reads the pinned base: have exactly that version, held.
CHECK_DEPS += kernel-base
CHECK_PACKAGES += linux-source-6.1 git patch perl xz-utils shellcheck \
	bc bison flex libelf-dev libssl-dev

.PHONY: kernel-check kpq-check kpq-pull

kpq-check:
	$(KPQ) check
	$(KPQ) checkpatch

kernel-check: deps lkvm selftests-build
	KPQ_GUEST_RUNNER='$(KPQ_GUEST_RUNNER)' LKVM='$(CURDIR)/lkvm' \
		KPQ_NESTED_RUNNER='$(KPQ_NESTED_RUNNER)' $(KPQ) kernel-check

kpq-pull:
	@$(KPQ) pull
