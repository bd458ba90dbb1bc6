#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The I/O thread's polling (--io-poll, lib/io-poll.c) costs an idle guest
# nothing: the test guest writes and flushes through virtio-blk (the
# I/O thread handles doorbells and io_uring completions, and its polling
# bound grows), then spins without any I/O (test=virtio-blk:hold); over
# the next second the lkvm-io thread's CPU time (utime + stime in
# /proc/PID/task/TID/stat) must stay at most 2 ticks, with the default
# cap and with the largest (--io-poll 1000). The spinning vCPU thread,
# measured the same way, shows that the measurement sees a busy thread.
# Also: --io-poll values out of range are refused.
. "$(dirname "$0")/../integration/lib.sh"

GUEST="$GUESTS/guest.elf"
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -x "$LKVM" ] && why="lkvm not built"
[ -z "$why" ] && [ ! -r "$GUEST" ] && why="test guest not built"
HZ=$(getconf CLK_TCK)

# ticks PID NAME: utime + stime of PID's thread called NAME ("" if none)
ticks() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "$2" ] || continue
		# Fields after the ")" that ends the name: 12 and 13 are
		# utime and stime (14 and 15 of the whole line).
		sed 's/.*) //' "$t/stat" | awk '{ print $12 + $13 }'
		return
	done
}

idle_case() { # idle_case DESCRIPTION ARGS...
	local what=$1 pid io0 io1 cpu0 cpu1
	shift
	truncate -s 16M "$TMP/disk.raw"
	# Emptied here, not only in the job's forked child: the wait below
	# must not find the last case's "flushed" and measure too early.
	: >"$TMP/out"
	"$LKVM" run -k "$GUEST" -c 1 "$@" -p "test=virtio-blk:hold" \
		-d "$TMP/disk.raw" >"$TMP/out" 2>"$TMP/err" </dev/null &
	pid=$!
	for _ in $(seq 300); do
		grep -q '^virtio-blk: flushed' "$TMP/out" && break
		sleep 0.1
	done
	sleep 0.3
	io0=$(ticks "$pid" lkvm-io)
	cpu0=$(ticks "$pid" lkvm-vcpu0)
	sleep 1
	io1=$(ticks "$pid" lkvm-io)
	cpu1=$(ticks "$pid" lkvm-vcpu0)
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if ! grep -q '^virtio-blk: flushed' "$TMP/out" || [ -z "$io0" ] ||
	   [ -z "$io1" ] || [ -z "$cpu0" ] || [ -z "$cpu1" ]; then
		fail "$what: the guest did its I/O and both threads were found"
		show_output
		return
	fi
	check_that "$what: idle I/O thread used $((io1 - io0)) of $HZ ticks in 1 s (at most 2)" \
		"[ $((io1 - io0)) -le 2 ]"
	check_that "$what: the spinning vCPU's $((cpu1 - cpu0)) ticks show the measure works (at least $((HZ / 10)))" \
		"[ $((cpu1 - cpu0)) -ge $((HZ / 10)) ]"
}

if [ -n "$why" ]; then
	for d in "default cap" "--io-poll 1000"; do
		skip "$d: idle I/O thread sleeps" "$why"
		skip "$d: the measure sees a busy thread" "$why"
	done
else
	idle_case "default cap"
	idle_case "--io-poll 1000" --io-poll 1000
fi

if [ -x "$LKVM" ]; then
	lkvm_refused "--io-poll 1001 refused" 2 "invalid --io-poll" --io-poll 1001
	lkvm_refused "--io-poll -5 refused" 2 "invalid --io-poll" --io-poll -5
else
	skip "--io-poll 1001 refused" "lkvm not built"
	skip "--io-poll -5 refused" "lkvm not built"
fi
done_testing
