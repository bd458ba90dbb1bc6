#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Landlock on a running lkvm's 9p workers. /proc shows no Landlock field,
# so the test goes by behaviour: through the LKVM_9P_SELFTEST hook
# (lkvm.1 ENVIRONMENT) each worker, once confined, opens a host path with
# the kernel's own walk (no resolver in the way) and logs the result. A
# file beside the share, a symbolic link in the share leading out of it,
# and a magic link (/proc/self/root/...) to that file are refused with
# EACCES, a file in the share opens; this shell opens them all, and so
# does lkvm when strace makes landlock_create_ruleset fail with ENOSYS
# (a kernel without Landlock), which lkvm logs at --loglevel info: the
# refusals are Landlock's, not the files' modes nor the seccomp filter's
# (which would end lkvm with status 159). Skips, with lkvm's reason, on
# a host without Landlock.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "Landlock on the 9p workers" "$why"
	done_testing
	exit
fi
mkdir -p "$TMP/share" "$TMP/outside"
echo inside >"$TMP/share/inside"
echo secret >"$TMP/outside/secret"
ln -s ../outside/secret "$TMP/share/link"

# selftest PATH [--seccomp MODE] [WRAPPER...]: one run of the test guest
# with a share; each worker opens PATH. Output in $TMP/err, status in $rc.
selftest() {
	local path=$1 mode=on
	shift
	if [ "${1:-}" = --seccomp ]; then
		mode=$2
		shift 2
	fi
	LKVM_9P_SELFTEST=$path timeout --kill-after=5 30 "$@" "$LKVM" run \
		-k "$GUESTS/guest.elf" -m 64M -c 1 --network none -p test=exit:0 \
		--9p "$TMP/share,share" --seccomp "$mode" --loglevel info \
		>"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
}
# result PATH -> the workers' results, one line per distinct result.
result() {
	sed -n "s|^lkvm: 9p self-test: lkvm-9p: open $1: ||p" "$TMP/err" | sort -u
}
# check_open WHAT PATH WANT [SELFTEST ARGS...]: every worker got WANT.
check_open() {
	# shellcheck disable=SC2034 # want and got: read by check_that's eval
	local what=$1 path=$2 want=$3 got
	shift 3
	selftest "$path" "$@"
	got=$(result "$path")
	check_that "$what (status $rc, got: ${got:-nothing})" \
		'[ "$rc" -eq 0 ] && [ "$got" = "$want" ]'
}

selftest "$TMP/share/inside"
if grep -q 'no Landlock' "$TMP/err"; then
	skip "Landlock on the 9p workers" "$(sed -n 's/^lkvm: .*no Landlock: //p' "$TMP/err" | head -1)"
	done_testing
	exit
fi
workers=$(grep -c "^lkvm: 9p self-test: lkvm-9p: open " "$TMP/err")
check_that "the 9p workers ran the self-test ($workers lines, status $rc)" \
	'[ "$rc" -eq 0 ] && [ "$workers" -ge 1 ]'
check_that "no Landlock failure is logged" "! grep -q 'Landlock' '$TMP/err'"
check_open "a file in the share opens" "$TMP/share/inside" opened
check_that "this shell reads the file beside the share and through both links" \
	'cat "$TMP/outside/secret" "$TMP/share/link" "/proc/self/root$TMP/outside/secret" >/dev/null'
denied="Permission denied"
check_open "a file beside the share: EACCES" "$TMP/outside/secret" "$denied"
check_open "a symbolic link in the share leading out of it: EACCES" \
	"$TMP/share/link" "$denied"
check_open "a magic link (/proc/self/root) to the file beside the share: EACCES" \
	"/proc/self/root$TMP/outside/secret" "$denied"
check_open "--seccomp off: still EACCES (Landlock is not the filter)" \
	"$TMP/outside/secret" "$denied" --seccomp off

# A kernel without Landlock, as strace's fault injection makes it look.
if command -v strace >/dev/null; then
	inject=(strace -f -qq -o /dev/null -e trace=landlock_create_ruleset
		-e inject=landlock_create_ruleset:error=ENOSYS)
	check_open "without Landlock (injected ENOSYS) the file beside the share opens" \
		"$TMP/outside/secret" opened --seccomp on "${inject[@]}"
	check "lkvm logs it at --loglevel info: no Landlock: the host kernel has no Landlock" \
		grep -q '^lkvm: virtio-9p.0: no Landlock: the host kernel has no Landlock$' "$TMP/err"
else
	skip "without Landlock, the file opens" "no strace"
	skip "lkvm logs a missing Landlock" "no strace"
fi
done_testing
