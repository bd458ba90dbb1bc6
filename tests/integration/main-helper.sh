#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main thread's helper (vmm/main-helper.c) under --seccomp on: while
# the ticker guest runs, lkvm has one child, lkvm-helper, holding a
# single file (its socket to lkvm); the status file does not exist yet.
# The test puts a stale status file there (a new file, renamed over the
# path) and stops lkvm with SIGTERM: status 143, the status file says
# "guest-exit 143", the vsock socket (path= relative to the working
# directory) and the control socket are gone, the files beside them are
# kept, and the helper is gone too. Without Landlock (a sanitizer build,
# whose main thread is not confined, or the host's) there is no helper:
# its checks are skipped with lkvm's reason, the rest hold the same.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
[ -z "$why" ] && ! grep -q '^Seccomp:' /proc/self/status && why="no seccomp in this kernel"
if [ -n "$why" ]; then
	skip "the main thread's helper" "$why"
	done_testing
	exit
fi
export LKVM_HOME="$TMP/home"
mkdir -m 700 "$LKVM_HOME" "$TMP/cwd" "$TMP/out"
echo kept >"$TMP/cwd/beside"
echo kept >"$LKVM_HOME/other.sock"
name="mh-$$"
kernel=$(realpath "$GUESTS/guest.elf")
ticking() { grep -qs '^tick ' "$TMP/run.out"; }
helper_of() { ps --ppid "$1" -o pid=,comm= | awk '$2 == "lkvm-helper" { print $1 }'; }

cd "$TMP/cwd" || exit 1
"$LKVM" run -k "$kernel" -m 64M -c 1 -p test=ticker -n mode=none \
	--seccomp on --loglevel info --name "$name" --vsock 3,path=v.sock \
	--status-file "$TMP/out/status" >"$TMP/run.out" 2>"$TMP/run.err" \
	</dev/null &
pid=$!
cd / || exit 1
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
check "the guest ticks under --seccomp on" wait_for 20 ticking
check "the vsock and control sockets are there" \
	test -S "$TMP/cwd/v.sock" -a -S "$LKVM_HOME/$name.sock"
helper=$(helper_of "$pid")
# shellcheck disable=SC2034 # children, nfd: check_that's conditions
children=$(ps --ppid "$pid" -o pid= | wc -l)
nfd=$(find "/proc/$helper/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
fd0=$(readlink "/proc/$helper/fd/0" 2>/dev/null)
check_that "no status file while the VM runs" '[ ! -e "$TMP/out/status" ]'
echo stale >"$TMP/out/status.new"
mv "$TMP/out/status.new" "$TMP/out/status"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check_that "SIGTERM: status 143 ($rc)" '[ "$rc" -eq 143 ]'
# "main thread: no Landlock: WHY" at --loglevel info: no helper either.
nolandlock=$(sed -n 's/^lkvm: main thread: no Landlock: //p' "$TMP/run.err" | head -1)
if [ -n "$nolandlock" ]; then
	skip "lkvm has one child, lkvm-helper" "$nolandlock"
	skip "the helper holds one file, its socket" "$nolandlock"
	skip "the helper is gone" "$nolandlock"
else
	check_that "lkvm has one child, lkvm-helper ($helper)" \
		'[ -n "$helper" ] && [ "$children" -eq 1 ]'
	check_that "the helper holds one file, its socket ($nfd, $fd0)" \
		'[ "$nfd" -eq 1 ] && [[ $fd0 == socket:* ]]'
	check "the helper is gone" wait_for 5 dead "$helper"
fi
line=$(cat "$TMP/out/status" 2>/dev/null)
check_that "the status file, replaced during the run, says 'guest-exit 143' ($line)" \
	'[ "$line" = "guest-exit 143" ]'
check_that "the vsock and control sockets are removed" \
	'[ ! -e "$TMP/cwd/v.sock" ] && [ ! -e "$LKVM_HOME/$name.sock" ]'
check_that "the files beside them are kept" \
	'[ -f "$TMP/cwd/beside" ] && [ -f "$LKVM_HOME/other.sock" ]'
check_that "no Landlock failure, helper or status file warning" \
	'! grep -Eq "main thread: Landlock: |no helper|cannot" "$TMP/run.err"'
done_testing
