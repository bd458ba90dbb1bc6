#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kpq-guest.sh - kpq's runner for the guest suite (Kpq-claim: ... guest:NAME,
# kernel-patches/kpq.1): does the lean guest kernel built from a kernel tree
# run user space under lkvm?
#
# Usage: tests/linux/kpq-guest.sh TREE OUTDIR
#   TREE    a kernel source tree that is a git work tree (kpq's patched and
#           unpatched trees are); its committed state is built with
#           scripts/guest-kernel.sh --tree (lkvm's guest config, the test
#           initramfs) into $LKVM_CACHE/kpq-guest/<tree id>/, so each tree
#           state is built once; the KPQ_GUEST_KEEP (4) most recently used
#           of those are kept
#   OUTDIR  where the logs go: NAME.log (the serial console), NAME.build.log,
#           NAME.cmd, NAME.rc and the check script NAME.check
# Prints one line per test on stdout, "NAME STATUS [REASON]":
#   userspace 0            /init ran the check script to its end
#   userspace 1 REASON     it did not; REASON is the kernel's panic line, or
#                          what else was seen, and lkvm's exit status
#   userspace 124 REASON   lkvm was killed after KPQ_GUEST_TIMEOUT (600) s
#   userspace notbuilt REASON   the guest kernel did not build, or lkvm is
#                          not built
#   userspace skip REASON  this host cannot boot a guest (no usable /dev/kvm)
# The boot: -c 1 -m 256, --emulation-assist auto (on kvm_pvm hosts lkvm
# appends syscall_fault_fixup, which only a kernel with the SYSCALL patch
# reads), lkvm.end=reboot (the test /init restarts the machine when the
# script ends, which ends lkvm whether or not the tree's kernel has ACPI).
# Everything but the result lines goes to stderr. Exit status 0 when the
# lines were printed, 2 on a usage error.
# Environment: LKVM (default: the checkout's ./lkvm), LKVM_CACHE,
# KPQ_GUEST_TIMEOUT, KPQ_GUEST_KEEP, LINUX_IMAGE (bzImage or vmlinux).
set -u

prog=kpq-guest.sh
if [ $# -ne 2 ]; then
	echo "usage: $prog TREE OUTDIR" >&2
	exit 2
fi
tree=$1
outdir=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${LKVM_CACHE:-${HOME:-/tmp}/.cache/lkvm}
keep=${KPQ_GUEST_KEEP:-4}
name=userspace

mkdir -p "$outdir" || exit 2
outdir=$(cd "$outdir" && pwd)
exec 3>&1 1>&2		# results on fd 3, everything else to stderr

result() {	# STATUS [REASON]
	echo "$name $*" >&3
	exit 0
}

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	result skip "no read/write access to /dev/kvm"
fi
LKVM=${LKVM:-$top/lkvm}
[ -x "$LKVM" ] || result notbuilt "$LKVM is not built (make lkvm)"

id=$(git -C "$tree" rev-parse --verify -q 'HEAD^{tree}' 2>/dev/null) ||
	result notbuilt "$tree is not a git work tree with a commit"
gk=$cache/kpq-guest/$id

# shellcheck source=scripts/tree-cache.sh
. "$top/scripts/tree-cache.sh"

blog=$outdir/$name.build.log
echo "$prog: building $tree (tree $id) in $gk; log $blog"
if ! paths=$("$top/scripts/guest-kernel.sh" --tree "$tree" --out "$gk" \
	     2>"$blog"); then
	tail -n 5 "$blog"
	result notbuilt "the guest kernel did not build: $(tail -n 1 "$blog")"
fi
touch "$gk"
tree_cache_prune "$cache/kpq-guest" "$keep" "$gk"

# tests/linux/lib.sh boots it: its command line is made when it is sourced.
LINUX_CMDLINE_EXTRA="lkvm.end=reboot${LINUX_CMDLINE_EXTRA:+ $LINUX_CMDLINE_EXTRA}"
LINUX_TIMEOUT=${KPQ_GUEST_TIMEOUT:-600}
# shellcheck source=tests/linux/lib.sh
. "$top/tests/linux/lib.sh"
LINUX_LOG_DIR=$outdir
{ read -r LINUX_VMLINUX; read -r LINUX_BZIMAGE
  read -r LINUX_INITRAMFS; } <<<"$paths"

linux_check_script "$name" <<'EOF'
. /lib/lkvm/tap.sh
tap_is "a pipeline of two processes (fork, exec, pipe, wait)" \
	"$(echo lkvm | tr a-z A-Z)" LKVM
tap_done
EOF
[ -z "$_linux_skip" ] || result notbuilt "$_linux_skip"
linux_boot "$name" -c 1 -m 256
expect_guest_tap "$name"

log=$outdir/$name.log
rc=$(cat "$outdir/$name.rc")
if [ "$tap_failed" -eq 0 ]; then
	result 0
elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	result 124 "killed after $LINUX_TIMEOUT s; last line: $(tail -n 1 "$log")"
fi
seen=$(grep -m 1 -E 'Kernel panic - not syncing' "$log")
[ -n "$seen" ] || seen=$(grep -m 1 -E 'lkvm-tap: (not ok|1\.\.)' "$log")
[ -n "$seen" ] || seen="no panic and no end of the check script"
seen=$(printf '%s\n' "$seen" | sed -E 's/^\[ *[0-9.]+\] //')
result 1 "$seen; lkvm exit status $rc"
