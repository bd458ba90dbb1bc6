#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lkvm balloon, stat -m, debug --nmi/--sysrq/--dump and list -r against
# running test guests (tests/guest: no balloon driver in them, so the
# balloon's target moves and the guest's figures are said to be missing),
# and their answers to bad input.
. "$(dirname "$0")/../integration/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "balloon and debug control commands" "$why"
	done_testing
	exit
fi
export LKVM_HOME="$TMP/home"
name="bln-$$"
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
# start NAME OUT TEST [run options...]: a guest in the background.
start() {
	local n=$1 out=$2 t=$3
	shift 3
	"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 -p "test=$t" --name "$n" \
		"$@" >"$TMP/$out.out" 2>"$TMP/$out.err" </dev/null &
	pid=$!
	pids+=("$pid")
}
# expect STATUS PATTERN DESCRIPTION COMMAND...: exit status and stderr.
expect() {
	local want=$1 pat=$2 what=$3 rc
	shift 3
	"$@" >"$TMP/cmd.out" 2>"$TMP/cmd.err"
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -qE -- "$pat" "$TMP/cmd.err"; then
		pass "$what"
	else
		fail "$what (status $rc: $(head -c 300 "$TMP/cmd.err"))"
	fi
}
has_sock() { [ -S "$LKVM_HOME/$1.sock" ]; }

start "$name" ticker ticker --balloon
check "a --balloon guest runs and answers" wait_for 20 has_sock "$name"
"$LKVM" balloon "$name" -i 16 >"$TMP/out" 2>"$TMP/err"
check_that "lkvm balloon -i 16 sets a 16 MiB target" \
	'[ $? -eq 0 ] && grep -qx "target_mib 16" "$TMP/out"'
"$LKVM" balloon --name "$name" --inflate=8 >"$TMP/out"
check "--name NAME --inflate=8 adds 8 (kvmtool's long spellings)" \
	grep -qx "target_mib 24" "$TMP/out"
"$LKVM" balloon "$name" -d 20 >"$TMP/out"
check "lkvm balloon -d 20 takes 20 off" grep -qx "target_mib 4" "$TMP/out"
"$LKVM" stat -m "$name" >"$TMP/stat"
check "lkvm stat -m shows the target" grep -qx "balloon_target_mib 4" "$TMP/stat"
check "... and what the device gave back (nothing: no driver)" \
	grep -qx "balloon_returned_bytes 0" "$TMP/stat"
check "... and says the guest sent no figures" \
	grep -q "^guest_stats none" "$TMP/stat"
"$LKVM" stat "$name" >"$TMP/stat"
check_that "lkvm stat without -m is the VM's own counters" \
	'grep -q "^name $name$" "$TMP/stat" && ! grep -q balloon "$TMP/stat"'
expect 1 "cannot deflate by 5 MiB: the balloon's target is 4 MiB" \
	"deflating below zero is refused" "$LKVM" balloon "$name" -d 5
expect 1 "a balloon of 68 MiB is beyond the guest's 64 MiB of RAM" \
	"a target beyond guest RAM is refused" "$LKVM" balloon "$name" -i 64
expect 2 "--inflate takes a size in MiB" "-i 0 is a usage error" \
	"$LKVM" balloon "$name" -i 0
expect 2 "--deflate takes a size in MiB" "-d 2M is a usage error" \
	"$LKVM" balloon "$name" -d 2M
expect 2 "give one of --inflate and --deflate" "-i and -d together" \
	"$LKVM" balloon "$name" -i 1 -d 1
expect 2 "say how much" "no -i or -d" "$LKVM" balloon "$name"
expect 2 "option '-i' needs a value" "-i without a value" \
	"$LKVM" balloon "$name" -i
expect 1 "no VM named 'nosuch-$$' is running" "an unknown VM" \
	"$LKVM" balloon "nosuch-$$" -i 1
expect 2 "invalid name" "an invalid name" "$LKVM" balloon "../x" -i 1
expect 1 "sysrq .* needs the serial console|without a FIFO" \
	"--sysrq to a guest whose UART has no FIFO is refused clearly" \
	"$LKVM" debug "$name" --sysrq t
expect 1 "no vCPU '1' \\($name has 1: 0 to 0\\)" "--nmi to a vCPU it lacks" \
	"$LKVM" debug "$name" --nmi 1
expect 2 "--nmi takes a vCPU number" "--nmi x" "$LKVM" debug "$name" --nmi x
expect 2 "--sysrq takes one key" "--sysrq with two keys" \
	"$LKVM" debug "$name" --sysrq ab
expect 2 "give one of --dump, --nmi and --sysrq" "--dump with --nmi" \
	"$LKVM" debug "$name" --dump --nmi 0
"$LKVM" debug "$name" --dump >"$TMP/debug"
check "lkvm debug --dump prints the registers" grep -q "^vCPU 0 registers:" "$TMP/debug"

# NMI: the test guest reports vector 2 as an exception and exits 112.
"$LKVM" debug "$name" --nmi 0 >"$TMP/out"
check "lkvm debug --nmi 0 is accepted" grep -qx "nmi sent to vCPU 0" "$TMP/out"
wait "$pid"
rc=$?
check_that "the guest takes it: 'exception 2 (NMI) on cpu 0', status 112" \
	'[ "$rc" -eq 112 ] && grep -q "^exception 2 (NMI) on cpu 0" "$TMP/ticker.out"'

# A VM without --balloon.
start "$name-nb" plain ticker --console virtio
check "a guest without --balloon runs" wait_for 20 has_sock "$name-nb"
expect 1 "VM '$name-nb' has no balloon \\(run it with --balloon\\)" \
	"lkvm balloon to a VM without one says so" \
	"$LKVM" balloon "$name-nb" -i 4
expect 1 "VM '$name-nb' has no balloon" "and so does stat -m" \
	"$LKVM" stat -m "$name-nb"
expect 1 "sysrq needs the serial console, which $name-nb does not use \\(--console virtio" \
	"--sysrq with --console virtio is refused with the reason" \
	"$LKVM" debug "$name-nb" --sysrq t
"$LKVM" stop "$name-nb"
wait "$pid"

# SysRq: a break, then the key, as the guest's UART sees them.
start "$name-sq" sysrq uart-break
has_wait() { grep -q "uart-break: waiting" "$TMP/sysrq.out"; }
check "the uart-break guest waits for a break" wait_for 30 has_wait
wait_for 10 has_sock "$name-sq"
"$LKVM" debug "$name-sq" --sysrq h >"$TMP/out"
check "lkvm debug --sysrq h is accepted" grep -qx "sysrq 'h' sent" "$TMP/out"
wait "$pid"
rc=$?
check_that "the guest sees LSR.BI with a NUL, then 'h' (status $rc)" \
	'[ "$rc" -eq 0 ] && grep -qx "uart-break: break, then '"'h'"'" "$TMP/sysrq.out"'

# --balloon with hugetlbfs-backed RAM cannot give memory back.
expect 2 "--balloon cannot give memory back from hugetlbfs-backed RAM" \
	"--balloon --hugetlbfs is refused" \
	"$LKVM" run -k "$GUESTS/guest.elf" --balloon --hugetlbfs /dev/hugepages

# list -r: the roots lkvm setup made.
"$LKVM" setup "root-$$" >/dev/null 2>&1
mkdir -p "$LKVM_HOME/not-a-root"
"$LKVM" list -r >"$TMP/list"
check_that "lkvm list -r shows a root lkvm setup made, not other directories" \
	'grep -qE "^root-$$ +$LKVM_HOME/root-$$$" "$TMP/list" && ! grep -q not-a-root "$TMP/list"'
"$LKVM" list --rootfs -i >"$TMP/list"
check_that "list -r -i shows roots and instances" \
	'grep -q "^ROOTFS" "$TMP/list" && grep -q "^PID " "$TMP/list"'
expect 2 "takes no VM name" "list -r NAME is a usage error" \
	"$LKVM" list -r "root-$$"
done_testing
