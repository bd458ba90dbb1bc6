#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/linux/peer-watch.sh, the watcher bench-boot.sh runs a peer VMM
# under, on small shell commands standing in for the peer: no Linux boot,
# about 10 s. A stand-in that would otherwise run 30 s must be ended
# within 10 s (the load on a shared machine delays things, never by 20 s).
# The stand-ins' scripts are single-quoted on purpose (sh expands them).
# shellcheck disable=SC2016
set -u
watch=$(cd "$(dirname "$0")" && pwd)/peer-watch.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"

check() {	# STATUS DESCRIPTION: on failure, the watcher's output
	ok "$1" "$2" || sed 's/^/#   /' "$tmp/out" "$tmp/err" 2>/dev/null
}

# pw ARGS...: run the watcher; status in $rc, seconds in $secs, output in
# $tmp/out and $tmp/err.
pw() {
	local t0=$SECONDS
	rm -f "$tmp/pid"
	"$watch" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	secs=$((SECONDS - t0))
}

# $tmp/pid is removed before each run: an earlier stand-in's pid, long
# gone, must not pass for this one's.
gone() {	# the process whose pid the stand-in wrote to $tmp/pid has ended
	sleep 0.2
	[ -s "$tmp/pid" ] && ! kill -0 "$(cat "$tmp/pid")" 2>/dev/null
}

pw -- sh -c 'echo one; echo two >&2; printf three; exit 7'
[ "$rc" = 7 ] && [ "$(cat "$tmp/out")" = "$(printf 'one\ntwo\nthree')" ] &&
	[ ! -s "$tmp/err" ]
check $? "a peer ending by itself: its output (stdout and stderr, an unterminated last line) and its status 7, nothing added"

echo "typed" | "$watch" -- cat >"$tmp/out" 2>"$tmp/err" &&
	[ "$(cat "$tmp/out")" = typed ]
check $? "standard input reaches the peer"

pw -- sh -c 'echo $$ >"$1"; echo booting; echo "KVM internal error. Suberror: 1"; echo "extra data[0]: 0x1"; exec sleep 30' sh "$tmp/pid"
[ "$rc" = 122 ] && [ "$secs" -lt 10 ] && gone &&
	grep -q '^KVM internal error' "$tmp/out" &&
	grep -q "^peer-watch: it reported: KVM internal error. Suberror: 1: ending sh" "$tmp/err"
check $? "QEMU's 'KVM internal error' line ends the peer at once: status 122, the reason on stderr, the peer gone ($secs s)"

pw -- sh -c 'echo $$ >"$1"; echo "emulation failure"; exec sleep 30' sh "$tmp/pid"
[ "$rc" = 122 ] && [ "$secs" -lt 10 ] && gone
check $? "'emulation failure' alone ends it too ($secs s)"

pw -s 1 -- sh -c 'echo $$ >"$1"; printf "KVM inter"; sleep 0.7; printf "nal er"; sleep 0.7; echo "ror. Suberror: 1"; exec sleep 30' sh "$tmp/pid"
[ "$rc" = 122 ] && [ "$secs" -lt 10 ] && gone &&
	[ "$(cat "$tmp/out")" = "KVM internal error. Suberror: 1" ]
check $? "a line printed in parts (a read timing out in the middle of it) is passed on unchanged and matched whole ($secs s)"

pw -e 'Kernel panic' -- sh -c 'echo $$ >"$1"; echo "emulation failure"; echo "Kernel panic - not syncing"; exec sleep 30' sh "$tmp/pid"
[ "$rc" = 122 ] && [ "$secs" -lt 10 ] && gone &&
	grep -q "reported: Kernel panic" "$tmp/err"
check $? "-e REGEX replaces the default pattern ($secs s)"

pw -s 1 -- sh -c 'echo $$ >"$1"; echo started; exec sleep 30' sh "$tmp/pid"
[ "$rc" = 123 ] && [ "$secs" -lt 10 ] && gone &&
	grep -q "^peer-watch: no output for 1 s: ending sh" "$tmp/err"
check $? "a peer silent for -s 1 second is ended: status 123, the reason on stderr ($secs s)"

pw -s 2 -- sh -c 'for i in 1 2 3 4 5 6 7 8; do echo $i; sleep 0.5; done'
[ "$rc" = 0 ] && [ "$(wc -l <"$tmp/out")" = 8 ] && [ ! -s "$tmp/err" ]
check $? "a peer printing every 0.5 s for 4 s under -s 2 runs to its end"

pw -s 1 -k 1 -- sh -c 'trap "" TERM; echo $$ >"$1"; while :; do sleep 1; done' sh "$tmp/pid"
[ "$rc" = 123 ] && [ "$secs" -lt 10 ] && gone
check $? "a peer ignoring SIGTERM gets SIGKILL after -k 1 second ($secs s)"

t0=$SECONDS
rm -f "$tmp/pid"
timeout --foreground 1 "$watch" -- sh -c 'echo $$ >"$1"; exec sleep 30' sh "$tmp/pid" \
	>"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
[ "$rc" = 124 ] && [ $((SECONDS - t0)) -lt 10 ] && gone
check $? "SIGTERM to the watcher alone (timeout --foreground) ends the peer too"

bad=0
for args in "-s x -- true" "-s 0 -- true" "-k -- true" "-e '' -- true" \
	    "--" "-x -- true" "-- /nonexistent/peer"; do
	eval "pw $args"
	if [ "$rc" != 2 ] || ! grep -q '^peer-watch: ' "$tmp/err"; then
		echo "# bad usage '$args': status $rc"
		bad=1
	fi
done
[ "$bad" = 0 ]
check $? "bad usage (bad or missing values, no or unknown command, unknown option): status 2 and a 'peer-watch:' line"

tap_done
