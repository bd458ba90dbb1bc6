# SPDX-License-Identifier: GPL-2.0
# kernel-patches/: the queue of kernel fixes and its tool, kpq.
#
# make check         runs kpq check and kpq checkpatch on the queue
#                    (tests/kpq/queue.sh) and kpq's unit tests
#                    (tests/kpq/unit.sh); seconds, no kernel build.
# make kernel-check  applies the series to a fresh copy of the pinned base,
#                    builds what each patch touches, runs the selftests on
#                    the patched and unpatched trees; its last line is
#                    "N patches: N applied, N built, N showed their claim".
#                    Minutes; not part of make check.
# make kpq-pull      prints the pull-request text for the queue.

KPQ := kernel-patches/kpq

CHECK_SUITES += tests/kpq/queue.sh tests/kpq/unit.sh
DEPS_PACKAGES += linux-source-6.1 git patch perl xz-utils shellcheck \
	bc bison flex libelf-dev libssl-dev

.PHONY: kernel-check kpq-check kpq-pull

kpq-check:
	$(KPQ) check
	$(KPQ) checkpatch

kernel-check: deps
	$(KPQ) kernel-check

kpq-pull:
	@$(KPQ) pull
