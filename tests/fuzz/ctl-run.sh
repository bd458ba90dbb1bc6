#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of the control socket's request handling
# and of the `lkvm run` command line, from seeds made here; ok when
# nothing crashed and no invariant broke (each target aborts on one).
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "control and command-line fuzz targets"

# ctl-proto: requests, each a length byte then the bytes.
p=$work/ctl-proto/corpus
mkdir -p "$p" "$work/ctl-options/corpus"
req() { local s; for s in "$@"; do printf "\\x$(printf %02x ${#s})%s" "$s"; done; }
req $'stat\n' $'pause\n' $'debug\n' $'resume\n' $'stop\n' >"$p/all"
req $'pause\n' $'pause\n' $'resume\n' $'resume\n' >"$p/twice"
req $'info' $'stop\nstat\n' $'debug\n' $'pause\n' >"$p/stopping"
req "$(printf 'x%.0s' {1..70})" $'bogus\n' $'STOP\n' $'stop \n' >"$p/bad"
# ctl-options: NUL-separated arguments after "run".
o=$work/ctl-options/corpus
args() { printf '%s\0' "$@"; }
args -k vmlinux -m 1G -c 2 --name box -p "console=ttyS0" >"$o/basic"
args --kernel=k --initrd=i --mem=512M --cpus=4 --console virtio --rng \
	--no-pvpanic --no-acpi --virtio-transport mmio --loglevel debug \
	--boot-protocol pvh --emulation-assist off --dev /tmp/kvm \
	--hugetlbfs /dev/hugepages --debug-ioport --debug-mmio \
	--debug-single-step >"$o/all"
args -k k -d disk.img,ro,direct,serial=abc -d other.qcow2 >"$o/disks"
args -k k --name ../x -c 0 -m 1T >"$o/bad"
args bzImage extra -h >"$o/positional"
args bzImage -m 512 -c 1 --console hv --debug -p quiet >"$o/kvmtool"
args -m 64 -- -kernel >"$o/dashdash"

FUZZ_REPORT='round-trip|reply|differ|refusal'
for target in ctl-proto ctl-options; do
	fuzz_target "$target" "$work/$target/corpus" fuzz-ctl-build \
		-max_len=4096
done
tap_done
