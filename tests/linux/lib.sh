# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/linux/lib.sh - boot the lkvm test guest kernel and check its log.
#
# A boot test is a tests/linux/boot-NAME.sh script (a CHECK_SUITE, also run
# by `make check-linux`) printing TAP:
#
#	. "$(dirname "$0")/lib.sh"
#	linux_require -c -m --rng        # lkvm run options the test uses
#	linux_check_script rng <<'EOF'   # optional: a check script for /init
#	. /lib/lkvm/tap.sh
#	check "hwrng gives bytes" dd if=/dev/hwrng of=/dev/null bs=16 count=1
#	tap_done
#	EOF
#	linux_boot rng -c 1 --rng        # one boot; log in build/tests/linux/
#	expect_log rng 'virtio_rng' 'virtio-rng probed'
#	expect_guest_tap rng             # the script's checks, as this suite's
#	linux_done
#
# The guest's /init (tests/linux/userland/init.c) runs /check with busybox
# sh and powers the machine off when it ends; linux_check_script puts the
# script there by appending a second cpio archive to the initramfs.
#
# Each boot costs minutes on kvm_pvm hosts (guest CPL0 is emulated): add
# devices and checks to the shared boot in boot-basic.sh where you can.
# When /dev/kvm, ./lkvm, an option of `lkvm run` or the guest kernel is
# missing, every check reports "ok N - ... # SKIP <reason>".
#
# Environment:
#	LKVM			lkvm binary (default ./lkvm)
#	BUILD			build directory (default build)
#	LINUX_TIMEOUT		seconds before a boot is killed (default 900: a
#				guard against a hang, not a time target; a boot
#				takes 1 minute on an idle host, 5 on a loaded one)
#	LINUX_CMDLINE_EXTRA	appended to the guest command line
#	LINUX_IMAGE		bzImage (default) or vmlinux: which image -k
#				gets (vmlinux skips the bzImage decompressor)
#	LINUX_STALL_DUMP	seconds without a byte of output after which
#				the boot's vCPU registers (`lkvm debug --dump`)
#				and lkvm's per-thread CPU times go to NAME.stall,
#				shown when a check fails (default 120; 0: never)
#	LINUX_HANG_RETRY	times a boot is booted again after the watch
#				stopped it for the nested stack's hang
#				(tests/nested/hang-signature.sh; default 0,
#				tests/nested/run.sh's L1 VM sets 1): the
#				stopped attempt counts as a skip naming it

LKVM=${LKVM:-./lkvm}
BUILD=${BUILD:-build}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-900}
LINUX_STALL_DUMP=${LINUX_STALL_DUMP:-120}
LINUX_HANG_RETRY=${LINUX_HANG_RETRY:-0}
LINUX_LOG_DIR=$BUILD/tests/linux
# Base guest command line. On kvm_pvm hosts `--emulation-assist auto`
# makes lkvm append the clearcpuid list and noxsave itself.
LINUX_CMDLINE="console=ttyS0 earlyprintk=serial panic=-1${LINUX_CMDLINE_EXTRA:+ $LINUX_CMDLINE_EXTRA}"

_linux_skip=
_linux_boots=()
_linux_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The TAP lines: ok, skip, tap_done; tap_failed counts the failures.
# shellcheck source=tests/lib/tap.sh
. "$_linux_top/tests/lib/tap.sh"

# _linux_tap ok|not-ok DESCRIPTION [DIRECTIVE]: a check as the guest
# reported it; "not ok ... # TODO" is no failure. Returns 0.
_linux_tap() {
	case "$1:${3:-}" in
	ok:*) tap_line ok "$2${3:+ # $3}" ;;
	*:TODO*) tap_line "not ok" "$2 # $3" ;;
	*) ok 1 "$2${3:+ # $3}" || return 0 ;;
	esac
}

# Report one check: linux_result PASS(0|1) DESCRIPTION. Skips while the
# suite is skipped.
linux_result() {
	if [ -n "$_linux_skip" ]; then
		skip "$2" "$_linux_skip"
	else
		ok "$1" "$2" || return 0
	fi
}

# Skip every later check with this reason (the first reason wins).
linux_skip() {
	[ -n "$_linux_skip" ] || _linux_skip=$1
}

# Skip one check: linux_skip_one DESCRIPTION REASON.
linux_skip_one() {
	skip "$1" "${_linux_skip:-$2}"
}

lkvm_run_help() {
	"$LKVM" run --help 2>&1 </dev/null || true
}

# Does `lkvm run --help` list OPTION (e.g. -c or --emulation-assist)?
lkvm_has_option() {
	lkvm_run_help | grep -qE -- "(^|[^[:alnum:]-])$1([^[:alnum:]-]|\$)"
}

# linux_require [lkvm run options...]: check what every Linux boot needs
# (/dev/kvm, ./lkvm, the guest kernel, -k -i -p --emulation-assist) plus
# the given options; skip the suite with the first thing missing.
linux_require() {
	local opt
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		linux_skip "no read/write access to /dev/kvm"
		return
	fi
	if [ ! -x "$LKVM" ]; then
		linux_skip "$LKVM not built (make lkvm)"
		return
	fi
	for opt in -k -i -p --emulation-assist "$@"; do
		if ! lkvm_has_option "$opt"; then
			linux_skip "'lkvm run --help' does not list $opt"
			return
		fi
	done
	linux_require_kernel
}

# linux_require_kernel: skip the suite unless the guest kernel and
# initramfs are built; sets LINUX_VMLINUX, LINUX_BZIMAGE, LINUX_INITRAMFS.
linux_require_kernel() {
	local paths
	[ -n "$_linux_skip" ] && return
	paths=$("$_linux_top/scripts/guest-kernel.sh" --print) || {
		linux_skip "scripts/guest-kernel.sh --print failed"
		return
	}
	{ read -r LINUX_VMLINUX; read -r LINUX_BZIMAGE
	  read -r LINUX_INITRAMFS; } <<<"$paths"
	if [ ! -s "$LINUX_BZIMAGE" ] || [ ! -s "$LINUX_INITRAMFS" ]; then
		linux_skip "guest kernel not built (make guest-kernel)"
		return
	fi
	"$_linux_top/scripts/guest-kernel.sh" --check 2>/dev/null ||
		echo "# guest kernel is out of date; make guest-kernel rebuilds it"
}

_linux_log() {
	echo "$LINUX_LOG_DIR/$1.log"
}

# linux_check_script NAME [FILE...] <SCRIPT (not in a pipeline: it sets
# LINUX_INITRD for the next linux_boot): the next boot's initramfs is
# the test initramfs plus /check (the script on stdin) and the FILEs in
# /data/, appended as a second cpio archive (Linux unpacks both).
linux_check_script() {
	local name=$1 dir f
	shift
	[ -n "$_linux_skip" ] && { cat >/dev/null; return 0; }
	mkdir -p "$LINUX_LOG_DIR"
	dir=$(mktemp -d)
	mkdir "$dir/data"
	cat >"$dir/check"
	chmod 0755 "$dir/check"
	for f in "$@"; do
		cp "$f" "$dir/data/" || { rm -rf "$dir"; return 1; }
	done
	(cd "$dir" && find check data | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$LINUX_LOG_DIR/$name.check.cpio" || {
		rm -rf "$dir"
		linux_skip "cannot make the check archive (cpio)"
		return 0
	}
	cp "$dir/check" "$LINUX_LOG_DIR/$name.check"
	rm -rf "$dir"
	cat "$LINUX_INITRAMFS" "$LINUX_LOG_DIR/$name.check.cpio" \
		>"$LINUX_LOG_DIR/$name.cpio"
	LINUX_INITRD=$LINUX_LOG_DIR/$name.cpio
}

# Copy lkvm's output to LOG (CRs dropped) as it arrives, and to TIMED with
# each line prefixed by the host's seconds since the start: where the
# wall-clock time of a boot goes (guest printk times drift here).
_linux_capture() {	# LOG TIMED
	local line now t0=${EPOCHREALTIME/[.,]/}
	echo "$t0" >"${2%.timed}.t0"
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line//$'\r'/}
		now=${EPOCHREALTIME/[.,]/}
		now=$(((now - t0) / 10000))
		printf '%s\n' "$line" >&3
		printf '%4d.%02d %s\n' $((now / 100)) $((now % 100)) \
			"$line" >&4
	done 3>"$1" 4>"$2"
}

# linux_boot NAME [lkvm run args...]: boot bzImage + initramfs (the one
# linux_check_script made, once) with the base command line,
# -p "$LINUX_CMDLINE", kill it after LINUX_TIMEOUT s. LINUX_STDIN names a
# file for lkvm's standard input (default /dev/null); with
# LINUX_STDIN_AFTER=REGEX it goes through a pipe, written only once a line
# matching REGEX has come out: as typed by someone who waited for a
# prompt (a guest discards console input that arrives before its tty is
# open).
# The serial log (CR stripped) goes to build/tests/linux/NAME.log, with
# host timestamps to NAME.timed; the exit status and times to NAME.rc,
# NAME.start and NAME.end.
linux_boot() {
	local name=$1
	shift
	[ -n "$_linux_skip" ] && return 0
	local kernel=$LINUX_BZIMAGE
	[ "${LINUX_IMAGE:-bzImage}" = vmlinux ] && kernel=$LINUX_VMLINUX
	local cmd=("$LKVM" run -k "$kernel" -i "${LINUX_INITRD:-$LINUX_INITRAMFS}"
		   -p "$LINUX_CMDLINE" --emulation-assist auto "$@")
	LINUX_INITRD=
	linux_run "$name" "${cmd[@]}"
}

# The typist of LINUX_STDIN_AFTER: holds the pipe open (lkvm's open of
# it returns), waits for the line in LOG, then writes LINUX_STDIN.
_linux_type() {	# LOG FIFO
	local waited=0
	exec 5>"$2"
	until grep -qE -- "$LINUX_STDIN_AFTER" "$1" 2>/dev/null; do
		sleep 0.2
		waited=$((waited + 1))
		[ "$waited" -lt $((LINUX_TIMEOUT * 5)) ] || exit 0
	done
	cat "$LINUX_STDIN" >&5
	exec 5>&-
}

# The VM name of an lkvm run/sandbox command line (after its --name, or
# the one _linux_named gave it); empty for any other command.
_linux_vm_name() {
	local a prev=
	[ "$1" = "$LKVM" ] || return 0
	case "${2:-}" in run|sandbox) ;; *) return 0 ;; esac
	shift 2
	for a in "$@"; do
		[ "$a" = -- ] && return 0
		if [ "$prev" = --name ]; then
			echo "$a"
			return 0
		fi
		case "$a" in --name=*) echo "${a#--name=}"; return 0 ;; esac
		prev=$a
	done
}

# A boot that stops printing: what its vCPUs are doing (registers, the
# code at RIP) and which of lkvm's threads use CPU tell a guest spinning
# from one waiting for an interrupt that never came. Written to STALL,
# at most three times, each after LINUX_STALL_DUMP silent seconds; whether
# output resumed after a dump (which pauses and resumes the VM) is noted.
_linux_watch() {	# LOG VM-NAME STALL
	local size last=-1 quiet=0 spell=0 dumps=0 pid t f st ut stt
	while sleep 5; do
		size=$(stat -c %s "$1" 2>/dev/null) || return 0
		if [ "$size" != "$last" ]; then
			[ "$spell" -gt 0 ] &&
				echo "# output resumed after $quiet s ($(date -u +%T))" >>"$3"
			last=$size
			quiet=0
			spell=0
			continue
		fi
		quiet=$((quiet + 5))
		if [ "$quiet" -lt $((LINUX_STALL_DUMP * (spell + 1))) ] ||
		   [ "$dumps" -ge 3 ]; then
			continue
		fi
		spell=$((spell + 1))
		dumps=$((dumps + 1))
		pid=
		for t in $(pgrep -f -- "(^|/)lkvm (run|sandbox) .*--name $2( |\$)"); do
			[ "$(cat "/proc/$t/comm" 2>/dev/null)" = timeout ] ||
				pid=$t
		done
		{
			echo "# no output for $quiet s ($(date -u +%T)): lkvm debug --dump"
			for f in ${pid:+/proc/$pid/task/*}; do
				t=$(cut -d')' -f2- "$f/stat" 2>/dev/null) || continue
				# /proc/PID/stat's fields 3 (state), 14 and 15.
				read -r st _ _ _ _ _ _ _ _ _ _ ut stt _ <<<"$t"
				echo "# thread $(cat "$f/comm" 2>/dev/null): state $st, utime $ut, stime $stt ticks"
			done
			timeout 30 "$LKVM" debug --name "$2" --dump
		} >>"$3" 2>&1 </dev/null
		_linux_hang_stop "$3" "$pid"
	done
}

# After a dump: when boots may be retried (LINUX_HANG_RETRY) and STALL
# shows the nested stack's hang, write its signature to NAME.hang and
# kill lkvm (PID), which no interrupt will wake, with its process group
# (timeout(1) gives it one): children of lkvm would hold its output open.
_linux_hang_stop() {	# STALL PID
	local sig pg
	[ "$LINUX_HANG_RETRY" -gt 0 ] && [ -n "$2" ] || return 0
	sig=$("$_linux_top/tests/nested/hang-signature.sh" "$1") || return 0
	echo "$sig" >"${1%.stall}.hang"
	echo "# the nested stack's hang ($sig): killing lkvm" >>"$1"
	pg=$(ps -o pgid= -p "$2" | tr -d ' ')
	if [ -n "$pg" ] && [ "$pg" != "$(ps -o pgid= -p $$ | tr -d ' ')" ]; then
		kill -KILL -- "-$pg" 2>/dev/null
	else
		kill -KILL "$2" 2>/dev/null
	fi
}

# After a boot NAME (its log LOG): did the watch stop it for the nested
# stack's hang, with a retry left (ATTEMPT of 1 + LINUX_HANG_RETRY)? Then
# keep its log and stall file as NAME.hang-ATTEMPT.*, report the attempt
# as a skip and return 0: boot again.
_linux_hang_again() {	# NAME LOG ATTEMPT
	local hang=$LINUX_LOG_DIR/$1.hang sig
	[ -s "$hang" ] || return 1
	sig=$(cat "$hang")
	rm -f "$hang"
	[ "$3" -le "$LINUX_HANG_RETRY" ] || {
		echo "# boot $1: the nested stack's hang again ($sig); no retry left"
		return 1
	}
	mv -f "$2" "$LINUX_LOG_DIR/$1.hang-$3.log"
	mv -f "$LINUX_LOG_DIR/$1.stall" "$LINUX_LOG_DIR/$1.hang-$3.stall"
	# (No path in the reason: tests/run.sh counts skips naming KVM.)
	_linux_tap ok "boot $1, attempt $3" "SKIP stopped: the nested stack's hang, $sig"
	echo "# boot $1: log and stall dump kept as $LINUX_LOG_DIR/$1.hang-$3.*; booting again (attempt $(($3 + 1)))"
	return 0
}

# linux_run NAME COMMAND...: run any VMM command line the way linux_boot
# runs lkvm (timeout, logs, exit status), e.g. a reference run in QEMU.
# An lkvm run or sandbox without --name gets one (lt-NAME-PID), for the
# stall watch.
linux_run() {
	local attempt=1
	[ -n "$_linux_skip" ] && return 0
	until _linux_run_once "$@"; do
		attempt=$((attempt + 1))
	done
}

# One attempt (linux_run's $attempt) of linux_run; returns 1 when the
# boot is to be run again.
_linux_run_once() {
	local name=$1 log rc start end vm watch=
	shift
	log=$(_linux_log "$name")
	mkdir -p "$LINUX_LOG_DIR"
	[ "$attempt" -gt 1 ] || _linux_boots+=("$log")
	vm=$(_linux_vm_name "$@")
	if [ -z "$vm" ] && [ "$1" = "$LKVM" ] &&
	   { [ "${2:-}" = run ] || [ "${2:-}" = sandbox ]; }; then
		vm=lt-$name-$$
		set -- "$1" "$2" --name "$vm" "${@:3}"
	fi
	rm -f "$LINUX_LOG_DIR/$name.stall" "$LINUX_LOG_DIR/$name.hang"
	printf '%q ' "$@" >"$LINUX_LOG_DIR/$name.cmd"
	echo "# boot $name: $(cat "$LINUX_LOG_DIR/$name.cmd")"
	start=$(date +%s)
	local in=${LINUX_STDIN:-/dev/null} typist=
	: >"$log"
	if [ -n "${LINUX_STDIN_AFTER:-}" ] && [ -n "${LINUX_STDIN:-}" ]; then
		in=$(mktemp -u "${TMPDIR:-/tmp}/lkvm-stdin.XXXXXX")
		mkfifo "$in"
		_linux_type "$log" "$in" &
		typist=$!
	fi
	if [ -n "$vm" ] && [ "$LINUX_STALL_DUMP" -gt 0 ]; then
		_linux_watch "$log" "$vm" "$LINUX_LOG_DIR/$name.stall" &
		watch=$!
	fi
	timeout --kill-after=10 "$LINUX_TIMEOUT" "$@" <"$in" 2>&1 |
		_linux_capture "$log" "$LINUX_LOG_DIR/$name.timed"
	rc=${PIPESTATUS[0]}
	if [ -n "$watch" ]; then
		kill "$watch" 2>/dev/null
		wait "$watch" 2>/dev/null
	fi
	if [ -n "$typist" ]; then
		kill "$typist" 2>/dev/null
		wait "$typist" 2>/dev/null
		rm -f "$in"
	fi
	end=$(date +%s)
	echo "$rc" >"$LINUX_LOG_DIR/$name.rc"
	echo "$start" >"$LINUX_LOG_DIR/$name.start"
	echo "$end" >"$LINUX_LOG_DIR/$name.end"
	echo "# boot $name: exited with status $rc after $((end - start)) s; log $log"
	! _linux_hang_again "$name" "$log" "$attempt"
}

_linux_field() {	# NAME rc|start|end
	cat "$LINUX_LOG_DIR/$1.$2" 2>/dev/null || echo ""
}

# expect_log NAME REGEX DESCRIPTION: the log has a line matching the
# extended REGEX.
expect_log() {
	[ -n "$_linux_skip" ] && { linux_result 0 "$3"; return 0; }
	grep -qE -- "$2" "$(_linux_log "$1")"
	linux_result $? "$3"
}

# expect_log_fixed NAME STRING DESCRIPTION: the log contains STRING.
expect_log_fixed() {
	[ -n "$_linux_skip" ] && { linux_result 0 "$3"; return 0; }
	grep -qF -- "$2" "$(_linux_log "$1")"
	linux_result $? "$3"
}

# expect_no_log NAME REGEX DESCRIPTION: no line matches REGEX.
expect_no_log() {
	[ -n "$_linux_skip" ] && { linux_result 0 "$3"; return 0; }
	! grep -qE -- "$2" "$(_linux_log "$1")"
	linux_result $? "$3"
}

# expect_order NAME REGEX1 REGEX2 DESCRIPTION: both match, REGEX1 first.
expect_order() {
	local a b log
	[ -n "$_linux_skip" ] && { linux_result 0 "$4"; return 0; }
	log=$(_linux_log "$1")
	a=$(grep -nE -- "$2" "$log" | head -1 | cut -d: -f1)
	b=$(grep -nE -- "$3" "$log" | head -1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
	linux_result $? "$4"
}

# expect_exit NAME DESCRIPTION: lkvm ended by itself before the timeout.
expect_exit() {
	local rc
	[ -n "$_linux_skip" ] && { linux_result 0 "$2"; return 0; }
	rc=$(_linux_field "$1" rc)
	[ -n "$rc" ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ]
	linux_result $? "$2"
}

# expect_exit_status NAME STATUS DESCRIPTION: lkvm exited with STATUS.
expect_exit_status() {
	local rc
	[ -n "$_linux_skip" ] && { linux_result 0 "$3"; return 0; }
	rc=$(_linux_field "$1" rc)
	[ "$rc" = "$2" ]
	linux_result $? "$3"
}

# expect_e820_ram NAME MIB DESCRIPTION: the kernel's e820 map has usable
# RAM ending exactly at MIB MiB (for guests below the 32-bit PCI hole) and
# at least MIB - 1 MiB of it in total.
expect_e820_ram() {
	local line a b end=0 total=0 want=$(($2 * 1048576))
	[ -n "$_linux_skip" ] && { linux_result 0 "$3"; return 0; }
	while read -r line; do
		a=${line#*\[mem 0x}
		a=${a%%-*}
		b=${line#*-0x}
		b=${b%%\]*}
		a=$((16#$a))
		b=$((16#$b + 1))
		total=$((total + b - a))
		[ "$b" -gt "$end" ] && end=$b
	done < <(grep -E 'BIOS-e820: \[mem 0x[0-9a-f]+-0x[0-9a-f]+\] usable' \
		 "$(_linux_log "$1")")
	[ "$end" -eq "$want" ] && [ "$total" -ge $((want - 1048576)) ]
	linux_result $? "$3"
	[ "$end" -eq "$want" ] ||
		echo "#   usable RAM ends at $end, want $want; $total bytes usable"
}

# expect_rtc_now NAME DESCRIPTION: rtc_cmos set the system clock to the
# host's UTC time (between the boot's start - 60 s and its end + 60 s).
expect_rtc_now() {
	local line day secs start end
	[ -n "$_linux_skip" ] && { linux_result 0 "$2"; return 0; }
	line=$(grep -E 'rtc_cmos.*setting system clock to' \
	       "$(_linux_log "$1")" | head -1)
	start=$(_linux_field "$1" start)
	end=$(_linux_field "$1" end)
	day=${line#*setting system clock to }
	day=${day%%T*}
	secs=${line##*UTC (}
	secs=${secs%%)*}
	case "$secs" in
	''|*[!0-9]*) secs=-1 ;;
	esac
	[ -n "$line" ] &&
		{ [ "$day" = "$(date -u -d "@$start" +%F)" ] ||
		  [ "$day" = "$(date -u -d "@$end" +%F)" ]; } &&
		[ "$secs" -ge $((start - 60)) ] && [ "$secs" -le $((end + 60)) ]
	linux_result $? "$2"
}

# linux_line_time NAME REGEX: the host's time (epoch seconds, two decimals)
# at which the first line matching REGEX came out of the boot; empty when
# none did.
linux_line_time() {
	local t0 off
	t0=$(cat "$LINUX_LOG_DIR/$1.t0" 2>/dev/null) || return 0
	off=$(grep -m1 -E -- "^ *[0-9]+\.[0-9]+ .*$2" "$LINUX_LOG_DIR/$1.timed" |
	      sed -E 's/^ *([0-9]+)\.([0-9]+) .*/\1\2/')
	[ -n "$off" ] || return 0
	# t0 is in microseconds, the offset in hundredths of a second.
	off=$((t0 / 10000 + 10#$off))
	printf '%d.%02d\n' $((off / 100)) $((off % 100))
}

# expect_guest_tap NAME: the checks the guest's script printed (lines
# "lkvm-tap: ok N - ..." from tests/linux/userland/tap.sh) become this
# suite's, and one more check says the script printed its plan with as
# many checks as it ran (it ran to its end).
expect_guest_tap() {
	local log line rest n=0 plan=
	[ -n "$_linux_skip" ] && {
		linux_result 0 "$1: the guest's check script ran to its end"
		return 0
	}
	log=$(_linux_log "$1")
	while IFS= read -r line; do
		rest=${line#*lkvm-tap: }
		case "$rest" in
		"ok "*|"not ok "*)
			n=$((n + 1))
			local verdict=ok desc
			case "$rest" in "not ok "*) verdict=not-ok ;; esac
			desc=${rest#*ok }
			desc=${desc#* - }
			case "$desc" in
			*" # SKIP "*|*" # TODO "*)
				_linux_tap "$verdict" "$1: ${desc%% # *}" \
					"${desc#* # }" ;;
			*) _linux_tap "$verdict" "$1: $desc" ;;
			esac ;;
		"1.."*) plan=${rest#1..} ;;
		"#"*) echo "# $1: ${rest#\#}" ;;
		esac
	done < <(grep -E '(^|[^[:alnum:]])lkvm-tap: ' "$log")
	[ -n "$plan" ] && [ "$plan" = "$n" ] && [ "$n" -gt 0 ]
	linux_result $? "$1: the guest's check script ran to its end ($n checks, plan ${plan:-missing})"
}

# linux_done: on failure show the end of each boot log; print the plan,
# exit non-zero when a check failed.
linux_done() {
	local log
	if [ "$tap_failed" -gt 0 ]; then
		for log in ${_linux_boots[@]+"${_linux_boots[@]}"}; do
			[ -f "$log" ] || continue
			echo "# last lines of $log:"
			tail -n 20 "$log" | sed 's/^/#   /'
			[ -s "${log%.log}.stall" ] || continue
			echo "# it stalled; ${log%.log}.stall:"
			sed 's/^/#   /' "${log%.log}.stall"
		done
	fi
	tap_done
}
