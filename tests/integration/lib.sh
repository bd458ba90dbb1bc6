#!/bin/bash
# Helpers for lkvm integration tests, their TAP lines tests/lib/tap.sh's
# (ok, skip, tap_done). Source from a test script.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# LKVM: the lkvm under test (make check-asan passes its own build).
LKVM=${LKVM:-$ROOT/lkvm}
BUILD="$ROOT/build"
GUESTS="$BUILD/tests/guest"
TMP=$(mktemp -d /tmp/lkvm-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
. "$ROOT/tests/lib/tap.sh"

# pass DESCRIPTION, fail DESCRIPTION: one check. Both return 0: checks
# chained with && (boot ... && check ...) go on past a failed one.
pass() { ok 0 "$1"; }
fail() { ok 1 "$1" || return 0; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
# check_that DESCRIPTION 'SHELL CONDITION': for conditions with && or !.
check_that() {
	local what=$1
	shift
	if eval "$1"; then pass "$what"; else fail "$what"; fi
}
done_testing() { tap_done; }

# Why KVM cannot be used here, or nothing when it can.
kvm_unusable() {
	if [ ! -e /dev/kvm ]; then
		echo "/dev/kvm does not exist"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "/dev/kvm is not read-write for $(id -un)"
	fi
}

# run_lkvm TIMEOUT ARGS...: runs lkvm, output in $TMP/out and $TMP/err,
# status in $rc. stdin is /dev/null unless the caller redirects.
run_lkvm() {
	local t=$1
	shift
	timeout --kill-after=5 "$t" "$LKVM" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# Lines on stderr that are lkvm diagnostics.
lkvm_lines() { grep -c '^lkvm: ' "$TMP/err"; }

# lkvm_refused DESCRIPTION STATUS WORD ARGS...: `lkvm run` of the test
# guest with ARGS stops before the guest runs, with STATUS and one
# `lkvm: ` line matching WORD (a grep pattern), nothing on stdout. A
# refusal that comes only as the devices are made (a tap, a socket) needs
# the VM: where KVM is unusable lkvm stops on /dev/kvm before it, and the
# check is skipped with the reason.
lkvm_refused() {
	local what=$1 status=$2 word=$3 why
	shift 3
	run_lkvm 20 run -k "$GUESTS/guest.elf" -c 1 -m 64M "$@" \
		-p test=exit:0 </dev/null
	why=$(kvm_unusable)
	if [ -n "$why" ] && [ "$rc" -eq 1 ] && ! grep -q -- "$word" "$TMP/err" &&
	   grep -q '^lkvm: cannot open /dev/kvm' "$TMP/err"; then
		skip "$what" "$why: lkvm stops there first"
		return
	fi
	if [ "$rc" -eq "$status" ] && [ "$(lkvm_lines)" -eq 1 ] &&
	   grep -q -- "$word" "$TMP/err" && ! grep -q . "$TMP/out"; then
		pass "$what: $(head -1 "$TMP/err")"
	else
		fail "$what (status $rc)"
		show_output
	fi
}

show_output() { # for failures: what lkvm said, as TAP comments
	sed 's/^/#   out: /' "$TMP/out" | head -40
	sed 's/^/#   err: /' "$TMP/err" | head -40
}

# pattern_ok IMAGE SEED SECTOR LEN: the test guest's blk pattern is in the
# raw image (byte o of the disk is (o * 13 + (o >> 9) + SEED) & 0xff)
pattern_ok() {
	python3 - "$@" <<'EOF'
import sys
path, seed, sector, length = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
base = sector * 512
with open(path, 'rb') as f:
    f.seek(base)
    data = f.read(length)
want = bytes(((o * 13 + (o >> 9) + seed) & 0xff) for o in range(base, base + length))
sys.exit(0 if data == want else 1)
EOF
}

# wait_for SECONDS COMMAND...: poll every 0.2 s until COMMAND succeeds;
# 1 if it has not within SECONDS.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# execd PID [NAME]: PID runs NAME (default lkvm, whose main thread renames
# itself lkvm-main): its /proc/PID/comm is NAME or NAME-...
execd() {
	local comm name=${2:-lkvm}
	{ read -r comm <"/proc/$1/comm"; } 2>/dev/null || return 1
	case $comm in "$name" | "$name"-*) ;; *) return 1 ;; esac
}
# dead PID: PID is gone, or dead and not yet reaped.
dead() { ! grep -qs '^State:[[:space:]]*[^Z]' "/proc/$1/status"; }

# wait_exec PID [NAME]: before signalling a job just started with `&`,
# wait (up to 10 s) until it runs NAME (as execd), or has died; 1 if it
# has not exec'd NAME. Until its exec, $! is this shell's forked child,
# where a signal meets bash's handler for this script's traps: the child
# runs the EXIT trap (lib.sh's removes $TMP) and dies, or it execs NAME
# with the signal lost.
wait_exec() {
	local end=$((SECONDS + 10))
	until execd "$1" "${2:-lkvm}"; do
		dead "$1" && return 1
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.01
	done
}
