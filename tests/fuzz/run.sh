#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of the virtio chain walker (both ring
# layouts), of the virtio-mmio registers, of the channel subsystem with
# virtio-ccw and of the PCI host with virtio-pci, each from its seed
# corpus; ok when nothing crashed and no invariant broke.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "virtio fuzz targets"
for target in virtio-walker virtio-mmio-regs virtio-ccw-program \
	virtio-pci-regs; do
	python3 "$root/tests/fuzz/make-seeds.py" "$work/$target" \
		"${target#virtio-}" || exit 1
	fuzz_target "$target" "$work/$target" fuzz-build
done
tap_done
