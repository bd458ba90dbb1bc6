#!/bin/bash
# Time from SIGTERM to lkvm's exit while the guest floods a console whose
# stdout nobody reads (a 4 KiB pipe never read; issue 13, item 4), through
# the serial port and through virtio-console. Median, min and max of RUNS
# runs (default 5). Most of it is the 0.5 s lkvm gives a reader that takes
# nothing after a stop before discarding the buffered output.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
g=$root/build/tests/guest
helper=$root/tests/integration/console-flood.py
runs=${RUNS:-5}
[ -w /dev/kvm ] || { echo "# SKIP console stop benchmark: /dev/kvm is not usable"; exit 0; }

printf '\n%-40s %10s %8s %8s\n' "SIGTERM to exit, console unread ($runs runs)" "median ms" "min ms" "max ms"
for m in serial virtio; do
	con=()
	[ "$m" = virtio ] && con=(--console virtio)
	ms=()
	for ((i = 0; i < runs; i++)); do
		r=$(python3 "$helper" unread 2 -- "$root/lkvm" run -k "$g/guest.elf" \
			-m 64M -c 1 "${con[@]}" -p "test=flood:$m:0" 2>/dev/null)
		ms+=("$(sed -n 's/^exit_ms=\([0-9]*\) rc=.*/\1/p' <<<"$r")")
	done
	printf '%s\n' "${ms[@]}" | sort -n | awk -v label="$m" '
		{ v[NR] = $1 }
		END { printf "%-40s %10s %8s %8s\n", label, v[int((NR + 1) / 2)], v[1], v[NR] }'
done
