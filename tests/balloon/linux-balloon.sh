#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 2000
#
# Linux's virtio_balloon on lkvm --balloon, one boot (make check-linux
# only: LKVM_LINUX_ALL=1; make check skips it with the reason). The guest
# script and a conductor on the host take turns through the console log:
#   1. the guest dirties 64 MiB (a file in its RAM file system) and frees
#      it: free page reporting must lower lkvm's RSS (/proc/PID/status)
#      without being asked;
#   2. lkvm balloon -i 64: the guest's MemAvailable falls by about 64 MiB
#      (DEFLATE_ON_OOM: 6.1 leaves MemTotal alone), the device has given
#      64 MiB back (stat -m), lkvm's RSS is well below the dirtied peak;
#      stat -m shows the guest's statistics, fresh;
#   3. lkvm balloon -d 64: MemAvailable comes back;
#   4. lkvm debug --sysrq t: Linux's task dump on the console ("sysrq:
#      Show State", a "task:" line per task); lkvm debug --nmi 0: Linux's
#      "NMI received for unknown reason".
LINUX_TIMEOUT=${LINUX_TIMEOUT:-1800}
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/../linux/lib.sh"

if [ "${LKVM_LINUX_ALL:-0}" != 1 ]; then
	linux_skip "LKVM_LINUX_ALL=1 (make check-linux) only: a boot of minutes"
fi
linux_require -c -m --balloon --name
linux_require_kernel

WORK=$(mktemp -d)
CONDUCTOR=
cleanup() {
	[ -n "$CONDUCTOR" ] && kill "$CONDUCTOR" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
export LKVM_HOME=$WORK/home
NAME=lkvm-balloon-$$
LOG=$(_linux_log balloon)
MIB64=$((64 * 1024 * 1024))

# The host's side: wait for each guest step, measure, act.
note() { echo "$1" >>"$WORK/notes"; }
wait_line() {	# PATTERN SECONDS
	local end=$((SECONDS + $2))
	until grep -q -- "$1" "$LOG" 2>/dev/null; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.5
	done
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
conductor() {
	local pid full low
	wait_line "lkvm-balloon: dirtied" "$LINUX_TIMEOUT" || return
	pid=$("$LKVM" stat "$NAME" | awk '/^pid / { print $2 }')
	full=$(rss_kb "$pid")
	note "pid $pid"
	note "rss_dirtied $full"
	wait_line "lkvm-balloon: freed" 600 || return
	# Reporting waits 2 s in the guest, then works in 2 MiB blocks.
	low=$full
	for _ in $(seq 240); do
		low=$(rss_kb "$pid")
		[ $((full - low)) -ge 32768 ] && break
		sleep 0.5
	done
	note "rss_reported $low"
	"$LKVM" stat -m "$NAME" >"$WORK/stat-reported" 2>&1
	"$LKVM" balloon "$NAME" -i 64 >"$WORK/inflate" 2>&1
	wait_line "lkvm-balloon: inflated" 900 || return
	note "rss_inflated $(rss_kb "$pid")"
	"$LKVM" stat -m "$NAME" >"$WORK/stat-inflated" 2>&1
	"$LKVM" balloon "$NAME" -d 64 >"$WORK/deflate" 2>&1
	wait_line "lkvm-balloon: deflated" 900 || return
	"$LKVM" stat -m "$NAME" >"$WORK/stat-deflated" 2>&1
	"$LKVM" debug "$NAME" --sysrq t >"$WORK/sysrq" 2>&1
	wait_line "sysrq: Show State" 300
	"$LKVM" debug "$NAME" --nmi 0 >"$WORK/nmi" 2>&1
}

[ -z "$_linux_skip" ] && linux_check_script balloon <<'EOF'
. /lib/lkvm/tap.sh
kb() {	# a /proc/meminfo field, in kB, without a fork
	while read -r k v u; do
		[ "$k" = "$1:" ] && { echo "$v"; return; }
	done </proc/meminfo
}
wait_kb() {	# FIELD OP VALUE SECONDS: until FIELD OP VALUE holds
	i=0
	while [ "$i" -lt "$4" ]; do
		[ "$(kb "$1")" "$2" "$3" ] && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}
check "virtio_balloon is bound" \
	sh -c 'ls /sys/bus/virtio/drivers/virtio_balloon | grep -q virtio'
total=$(kb MemTotal)
tap_note "MemTotal $total kB, MemAvailable $(kb MemAvailable) kB"
check "dirty 64 MiB of RAM (a file in the RAM file system)" \
	dd if=/dev/zero of=/tmp/fill bs=1M count=64
echo "lkvm-balloon: dirtied"
sleep 2
rm -f /tmp/fill
echo "lkvm-balloon: freed"
avail=$(kb MemAvailable)
tap_note "freed: MemAvailable $avail kB; waiting for the host's inflate"
if wait_kb MemAvailable -le $((avail - 57344)) 900; then
	tap_ok "inflate by 64 MiB: MemAvailable fell from $avail to $(kb MemAvailable) kB"
else
	tap_not_ok "inflate by 64 MiB: MemAvailable still $(kb MemAvailable) kB (was $avail)"
fi
tap_is "DEFLATE_ON_OOM: MemTotal stays" "$(kb MemTotal)" "$total"
echo "lkvm-balloon: inflated"
if wait_kb MemAvailable -ge $((avail - 16384)) 900; then
	tap_ok "deflate by 64 MiB: MemAvailable back to $(kb MemAvailable) kB"
else
	tap_not_ok "deflate: MemAvailable still $(kb MemAvailable) kB (was $avail)"
fi
echo "lkvm-balloon: deflated"
i=0
while [ "$i" -lt 300 ] && ! dmesg | grep -q "NMI received"; do
	sleep 2
	i=$((i + 2))
done
check "the host's SysRq t reached the kernel" sh -c 'dmesg | grep -q "sysrq: Show State"'
check "the host's NMI reached the kernel" sh -c 'dmesg | grep -q "NMI received"'
tap_done
EOF

if [ -z "$_linux_skip" ]; then
	: >"$LOG"
	conductor &
	CONDUCTOR=$!
fi
linux_boot balloon -c 1 -m 256 --balloon --name "$NAME"
if [ -n "$CONDUCTOR" ]; then
	wait "$CONDUCTOR" 2>/dev/null
	CONDUCTOR=
fi
expect_exit_status balloon 0 "balloon: lkvm exits 0 after the guest powers off"
expect_guest_tap balloon

field() { awk -v k="$1" '$1 == k { print $2 }' "$2" 2>/dev/null; }
host_check() {	# DESCRIPTION CONDITION
	if [ -n "$_linux_skip" ]; then
		linux_result 0 "$1"
	else
		eval "$2"
		linux_result $? "$1"
	fi
}
if [ -z "$_linux_skip" ]; then
	full=$(field rss_dirtied "$WORK/notes")
	rep=$(field rss_reported "$WORK/notes")
	infl=$(field rss_inflated "$WORK/notes")
	echo "# lkvm RSS: ${full:-?} kB dirtied, ${rep:-?} kB after free page reporting, ${infl:-?} kB inflated"
	echo "# stat -m when inflated:"
	sed 's/^/#   /' "$WORK/stat-inflated" 2>/dev/null
fi
host_check "free page reporting: lkvm's RSS fell by 32 MiB or more after the guest freed 64 MiB" \
	'[ -n "$full" ] && [ -n "$rep" ] && [ $((full - rep)) -ge 32768 ]'
host_check "... and stat -m counts the reported bytes" \
	'[ "$(field balloon_reported_bytes "$WORK/stat-reported")" -gt 0 ]'
host_check "lkvm balloon -i 64: target 64 MiB" 'grep -qx "target_mib 64" "$WORK/inflate"'
host_check "inflated: the guest's balloon is 64 MiB (actual)" \
	'[ "$(field balloon_actual_mib "$WORK/stat-inflated")" = 64 ]'
host_check "inflated: the device gave 60 MiB or more back (madvise)" \
	'[ "$(field balloon_returned_bytes "$WORK/stat-inflated")" -ge $((MIB64 * 15 / 16)) ]'
host_check "inflated: lkvm's RSS is 48 MiB or more below the dirtied peak" \
	'[ -n "$infl" ] && [ $((full - infl)) -ge 49152 ]'
host_check "stat -m: the guest's statistics, fresh" \
	'grep -qx "guest_stats fresh" "$WORK/stat-inflated" && grep -q "^total_memory [1-9]" "$WORK/stat-inflated" && grep -q "^free_memory " "$WORK/stat-inflated"'
host_check "no bad page numbers from Linux" \
	'[ "$(field balloon_bad_pages "$WORK/stat-inflated")" = 0 ]'
host_check "deflated: actual back to 0" \
	'[ "$(field balloon_actual_mib "$WORK/stat-deflated")" = 0 ]'
host_check "lkvm debug --sysrq t was accepted" 'grep -qx "sysrq '"'t'"' sent" "$WORK/sysrq"'
expect_log balloon 'sysrq: Show State' "balloon: SysRq t's task dump on the guest console"
expect_log balloon 'task:init +state:' "balloon: ... with init's line in it"
expect_log balloon 'NMI received for unknown reason' \
	"balloon: lkvm debug --nmi 0 gives Linux's NMI message"
expect_no_log balloon 'lkvm: .*virtio-balloon' "balloon: no lkvm line about the balloon"
linux_done
