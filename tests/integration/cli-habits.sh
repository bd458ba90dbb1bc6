#!/bin/bash
# kvmtool's command-line habits: options after the kernel, -n/--name and
# -a/--all on the control commands, lkvm alone printing the usage.
. "$(dirname "$0")/lib.sh"

run_lkvm 10
check_that "lkvm alone prints the usage on stdout and exits 0 (status $rc)" \
	'[ "$rc" -eq 0 ] && grep -q "^usage: lkvm COMMAND" "$TMP/out" && [ ! -s "$TMP/err" ]'
run_lkvm 10 run k -m 64 --frobnicate
check_that "an unknown option after the kernel: one lkvm line, status 2 (status $rc)" \
	'[ "$rc" -eq 2 ] && [ "$(lkvm_lines)" -eq 1 ] && grep -q "^lkvm: unknown option .--frobnicate." "$TMP/err"'
run_lkvm 10 run k -m 64 other
check_that "a second kernel: one lkvm line, status 2 (status $rc)" \
	'[ "$rc" -eq 2 ] && [ "$(lkvm_lines)" -eq 1 ] && grep -q "^lkvm: unexpected argument .other." "$TMP/err"'
run_lkvm 10 stop -n
check_that "stop -n without a name: one lkvm line, status 2 (status $rc)" \
	'[ "$rc" -eq 2 ] && [ "$(lkvm_lines)" -eq 1 ] && grep -q "needs a value" "$TMP/err"'

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "VMs started and stopped the kvmtool way" "$why"
	done_testing
	exit
fi
# Our own socket directory: --all must not reach other VMs on the host.
export LKVM_HOME="$TMP/home"
name="cli-$$"
pids=()
# SIGTERM, not SIGKILL: the pids are timeout(1)'s, which passes SIGTERM on
# to its lkvm (and SIGKILLs it 5 s later if need be); a SIGKILL would end
# timeout alone and leave its lkvm running for good.
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$TMP"' EXIT
ticking() { grep -q '^tick ' "$TMP/$1.out"; }
start() { # start NAME: the kernel first, then the options
	timeout --kill-after=5 120 "$LKVM" run "$GUESTS/guest.elf" -m 64 -c 1 \
		-p test=ticker --name "$1" >"$TMP/$1.out" 2>"$TMP/$1.err" </dev/null &
	pids+=($!)
}

start "$name"
pid=${pids[0]}
check "lkvm run KERNEL -m 64 -c 1 ...: the guest runs" wait_for 30 ticking "$name"
"$LKVM" list -n "$name" >"$TMP/list"
check "lkvm list -n NAME shows it" grep -qE "^[0-9]+ +$name +running$" "$TMP/list"
"$LKVM" stat --name "$name" >"$TMP/stat"
check "lkvm stat --name NAME answers" grep -q "^name $name$" "$TMP/stat"
check_that "and -m 64 -c 1 after the kernel took effect" \
	'grep -q "^memory $((64 << 20))$" "$TMP/stat" && grep -q "^cpus 1$" "$TMP/stat"'
check "lkvm stop -n NAME succeeds" "$LKVM" stop -n "$name"
wait "$pid"
rc=$?
check "the VM's lkvm exits with status 0 (status $rc)" [ "$rc" -eq 0 ]
"$LKVM" list -n "$name" >"$TMP/list" 2>"$TMP/err"
rc=$?
check_that "lkvm list -n NAME of a stopped VM: status 1, one lkvm line (status $rc)" \
	'[ "$rc" -eq 1 ] && grep -q "^lkvm: no VM named .$name. is running" "$TMP/err"'

start "$name-a"
start "$name-b"
check "two more guests run" wait_for 30 ticking "$name-a"
check "both" wait_for 30 ticking "$name-b"
"$LKVM" list -a >"$TMP/list"
check_that "lkvm list -a shows both" \
	'grep -q " $name-a " "$TMP/list" && grep -q " $name-b " "$TMP/list"'
check "lkvm stop -a succeeds" "$LKVM" stop -a
wait "${pids[1]}"
rc1=$?
wait "${pids[2]}"
rc2=$?
check_that "both lkvm exit with status 0 ($rc1, $rc2)" '[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]'
"$LKVM" list >"$TMP/list"
check "lkvm list then shows none" [ "$(wc -l <"$TMP/list")" -eq 1 ]
done_testing
