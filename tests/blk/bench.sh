#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: lkvm's virtio-blk device fed host-side through its virtqueue
# (build/tests/blk/blk-bench), io_uring engine vs the thread fallback,
# beside fio (io_uring engine) on the same file: 4 KiB random read/write at
# queue depth 1 and 32, 1 MiB sequential read at depth 8; O_DIRECT on a
# 1 GiB file of random data, best of ROUNDS (2) runs of SECS (3) seconds.
# Prints a table (IOPS, mean latency, ratio to fio) and TAP lines; the
# target is io_uring >= 0.9 x fio's IOPS at QD32.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH="$ROOT/build/tests/blk/blk-bench"
SECS=${SECS:-3}
ROUNDS=${ROUNDS:-2}
SIZE_MB=${SIZE_MB:-1024}
n=0
tap() { n=$((n + 1)); echo "$1 $n - $2"; }

if [ ! -x "$BENCH" ]; then
	tap ok "virtio-blk bench # SKIP blk-bench not built"
	echo "1..$n"
	exit 0
fi
have_fio=1
command -v fio >/dev/null || have_fio=0
dir=$(mktemp -d "${BENCH_DIR:-/var/tmp}/lkvm-blk-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
img="$dir/bench.img"
dd if=/dev/urandom of="$img" bs=1M count="$SIZE_MB" status=none conv=fsync

# workload name, rw, bs (bytes), depth
workloads=(
	"4k-randread-qd1 randread 4096 1"
	"4k-randread-qd32 randread 4096 32"
	"4k-randwrite-qd1 randwrite 4096 1"
	"4k-randwrite-qd32 randwrite 4096 32"
	"1m-seqread-qd8 read 1048576 8"
)

best() { # best "iops lat" lines on stdin -> the one with the most IOPS
	sort -k1,1 -g -r | head -1
}

run_lkvm_bench() { # engine rw bs depth -> "iops lat"
	local r
	for _ in $(seq "$ROUNDS"); do
		r=$("$BENCH" "$img" "$1" "$2" "$3" "$4" "$SECS" direct 2>/dev/null) || continue
		echo "$r" | awk '{print $2, $4}'
	done | best
}

run_fio() { # rw bs depth -> "iops lat"
	local kind=read
	[ "$1" = randwrite ] && kind="write"
	for _ in $(seq "$ROUNDS"); do
		fio --name=b --filename="$img" --ioengine=io_uring --direct=1 \
			--rw="$1" --bs="$2" --iodepth="$3" --runtime="$SECS" \
			--time_based --output-format=json 2>/dev/null |
			python3 -c "import json,sys
j = json.load(sys.stdin)['jobs'][0]['$kind']
print('%.0f %.1f' % (j['iops'], j['clat_ns']['mean'] / 1000))"
	done | best
}

printf '# %-20s %21s %21s %21s %13s %13s\n' workload "io_uring IOPS (us)" \
	"threads IOPS (us)" "fio IOPS (us)" "uring/fio" "threads/fio"
results=()
for w in "${workloads[@]}"; do
	read -r name rw bs qd <<<"$w"
	u=$(run_lkvm_bench io_uring "$rw" "$bs" "$qd")
	t=$(run_lkvm_bench threads "$rw" "$bs" "$qd")
	f="0 0"
	[ "$have_fio" = 1 ] && f=$(run_fio "$rw" "$bs" "$qd")
	read -r ui ul <<<"${u:-0 0}"
	read -r ti tl <<<"${t:-0 0}"
	read -r fo fl <<<"${f:-0 0}"
	ru=$(awk -v a="$ui" -v b="$fo" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	rt=$(awk -v a="$ti" -v b="$fo" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	printf '# %-20s %13s (%6s) %13s (%6s) %13s (%6s) %13s %13s\n' "$name" \
		"$ui" "$ul" "$ti" "$tl" "$fo" "$fl" "$ru" "$rt"
	results+=("$name $ui $ti $fo $ru")
done

for r in "${results[@]}"; do
	read -r name ui ti fo ru <<<"$r"
	if [ "$ui" = 0 ] || [ "$ti" = 0 ]; then
		tap "not ok" "$name: a run failed (io_uring $ui, threads $ti IOPS)"
	elif [ "$have_fio" = 0 ]; then
		tap ok "$name: io_uring $ui, threads $ti IOPS # SKIP no fio to compare"
	elif [[ $name == *qd32 ]]; then
		if awk -v r="$ru" 'BEGIN { exit !(r >= 0.9) }'; then
			tap ok "$name: io_uring $ui IOPS = $ru x fio ($fo), target 0.9"
		else
			tap "not ok" "$name: io_uring $ui IOPS = $ru x fio ($fo), below the 0.9 target"
		fi
	else
		tap ok "$name: io_uring $ui, threads $ti, fio $fo IOPS"
	fi
done
echo "1..$n"
