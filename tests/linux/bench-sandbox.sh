#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: `lkvm sandbox -- true` end to end with the lean guest kernel
# (bzImage and vmlinux, 1 vCPU, 256 MiB): host seconds from lkvm's start
# to the kernel's `Run /init`, and to lkvm's exit with true's status 0
# (the guest init mounting the host's root over 9p with its overlay, the
# current directory, running /bin/true as the user, powering off).
# LINUX_BENCH_RUNS runs each (default 1), the median shown.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/linux/lib.sh
. tests/linux/lib.sh
runs=${LINUX_BENCH_RUNS:-1}

[ -w /dev/kvm ] || { echo "# SKIP sandbox benchmark: /dev/kvm is not usable"; exit 0; }
linux_require_kernel
[ -n "$_linux_skip" ] && { echo "# SKIP sandbox benchmark: $_linux_skip"; exit 0; }
./lkvm help sandbox >/dev/null 2>&1 ||
	{ echo "# SKIP sandbox benchmark: lkvm has no sandbox command"; exit 0; }
dir=$BUILD/bench/sandbox
mkdir -p "$dir"

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'
}

# one NAME KERNEL: RUNS runs; prints "init exit rc" medians.
one() {
	local name=$1 kernel=$2 i t0 t1 rc init
	for i in $(seq 1 "$runs"); do
		t0=${EPOCHREALTIME/[.,]/}
		timeout --kill-after=10 400 ./lkvm sandbox -k "$kernel" -c 1 \
			-m 256 --console-log "$dir/$name.$i.log" -- true \
			</dev/null >/dev/null 2>"$dir/$name.$i.err"
		rc=$?
		t1=${EPOCHREALTIME/[.,]/}
		echo "$rc" >"$dir/$name.$i.rc"
		echo $(((t1 - t0) / 10000)) >"$dir/$name.$i.exit"
		# The kernel's own clock to Run /init (guest seconds).
		init=$(grep -m1 'Run /init' "$dir/$name.$i.log" |
		       sed -E 's/^\[ *([0-9]+)\.([0-9]{2}).*/\1\2/')
		echo "${init:--}" >"$dir/$name.$i.init"
	done
	printf '%-22s %10s %10s %4s\n' "$name" \
		"$(cat "$dir/$name".*.init | median | awk '{ if ($1 == "-") print "-"; else printf "%.2f", $1 / 100 }')" \
		"$(cat "$dir/$name".*.exit | median | awk '{ printf "%.2f", $1 / 100 }')" \
		"$(cat "$dir/$name.$runs.rc")"
}

echo "# lkvm sandbox -- true: seconds (median of $runs)"
printf '%-22s %10s %10s %4s\n' "kernel" "Run /init" "exit" "rc"
one sandbox-bzImage "$LINUX_BZIMAGE"
one sandbox-vmlinux "$LINUX_VMLINUX"
echo "# 'Run /init' is the guest kernel's clock (printk time); exit is the host's."
