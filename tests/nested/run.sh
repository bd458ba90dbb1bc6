#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nested/run.sh - run test suites that need /dev/kvm on a machine without
# one: inside an L1 VM under QEMU's software CPU (TCG), which emulates
# AMD's SVM with nested paging, so that the L1 kernel's KVM gives lkvm a
# real /dev/kvm. `make check-nested` calls it with the suites that skip
# for want of KVM.
#
# The L1 VM runs the nested-test host kernel (scripts/guest-kernel.sh
# --host) with this machine's / as its root, read-only over 9p, and
# tests/nested/init as PID 1, which mounts the project's tree read-write
# over 9p and runs build/nested/job.sh (written here: the suites, through
# tests/run.sh) there. Its console is this script's output, and is kept
# in build/nested/console.log; the job's status comes back in
# build/nested/rc and is this script's.
#
# Usage: tests/nested/run.sh SUITE...
# Environment: QEMU (qemu-system-x86_64), NESTED_MEM (MiB, default 4608
# or half of this machine's RAM, if less), NESTED_CPUS (default nproc),
# NESTED_TIMEOUT (s, default 5400), NESTED_KERNEL (the L1's kernel image,
# default the nested-test host kernel; kpq's nested suite gives the one it
# built from a kernel tree), NESTED_REPEAT (run the suites that many
# times in the one boot, default 1: to catch a rare failure),
# NESTED_TCG_THREAD (single, the default, or multi: TCG's threading; see
# below), and what
# tests/run.sh takes
# (SUITE_TIMEOUT). Inside, EXIT_RACE_RUNS is 50 (500 on a real host):
# every exit of the L2 guest costs tens of microseconds in the L1's
# emulated KVM; LINUX_HANG_RETRY is 1 (a Linux boot stopped by the
# nested stack's hang runs again; tests/linux/lib.sh).
set -u
prog=nested/run.sh
die() {
	echo "$prog: $*" >&2
	exit 2
}

[ $# -gt 0 ] || die "usage: $prog SUITE..."
repeat=${NESTED_REPEAT:-1}
case "$repeat" in
""|*[!0-9]*|0*) die "NESTED_REPEAT=$repeat: not a count (1, 2, ...)" ;;
esac
# One host thread for all the L1's CPUs. With a thread per CPU (multi),
# QEMU 7.2 now and then hands an L2 guest the L1's own state on a VMRUN:
# after 10^4 L2 exits or so, the guest's RIP, RSP, RAX, CR3, GDT and IDT
# are those of the L1 kernel just after its VMRUN instruction (in
# __svm_vcpu_run), so the guest hangs or triple-faults. That failed the
# serial console flood in 4 of 25 runs with multi, in 0 of 25 with single
# (README, "Tests, fuzzing and benchmarks").
tcg_thread=${NESTED_TCG_THREAD:-single}
case "$tcg_thread" in
single|multi) ;;
*) die "NESTED_TCG_THREAD=$tcg_thread: not single or multi" ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || die "cannot enter $top"
qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null ||
	die "$qemu not found: install Debian's qemu-system-x86 (make deps)"
if [ -n "${NESTED_KERNEL:-}" ]; then
	kernel=$NESTED_KERNEL
	[ -s "$kernel" ] || die "NESTED_KERNEL=$kernel: no such kernel image"
else
	kernel=$(scripts/guest-kernel.sh --host --print | sed -n 2p)
	[ -s "$kernel" ] || die "$kernel not built (make check-nested builds it)"
fi

mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
mem=${NESTED_MEM:-$((mem_kb / 2048 < 4608 ? mem_kb / 2048 : 4608))}
cpus=${NESTED_CPUS:-$(nproc)}
limit=${NESTED_TIMEOUT:-5400}

dir=$top/build/nested
mkdir -p "$dir" || die "cannot make $dir"
# One L1 VM per checkout at a time: make check-nested and kpq's nested
# suite share $dir, and two software CPUs on one machine starve each
# other. The lock is held until QEMU is gone (it inherits the fd).
exec 8>>"$dir/.lock" || die "cannot open $dir/.lock"
if ! flock -n 8; then
	echo "# $prog: waiting for this checkout's other nested VM ($dir/.lock)"
	flock 8 || die "cannot lock $dir/.lock"
fi
rm -f "$dir/rc" "$dir/job.sh" "$dir/initrd.cpio"
{
	echo "# written by tests/nested/run.sh: what the L1 VM runs"
	echo "export EXIT_RACE_RUNS=50 LKVM_CACHE=$(printf %q "${LKVM_CACHE:-$HOME/.cache/lkvm}")"
	# A Linux boot with the nested stack's hang runs once more
	# (tests/linux/lib.sh, tests/nested/hang-signature.sh).
	echo "export LINUX_HANG_RETRY=${LINUX_HANG_RETRY:-1}"
	[ -z "${SUITE_TIMEOUT:-}" ] || echo "export SUITE_TIMEOUT=$SUITE_TIMEOUT"
	printf 'tests/run.sh'
	for ((i = 0; i < repeat; i++)); do
		printf ' %q' "$@"
	done
	echo
} >"$dir/job.sh" || die "cannot write $dir/job.sh"

p9=trans=virtio,version=9p2000.L,msize=524288
echo "# $prog: L1 VM under TCG ($tcg_thread-threaded, SVM + NPT), $cpus CPUs, $mem MiB; $# suites"
start=$SECONDS
timeout --kill-after=10 "$limit" "$qemu" -accel "tcg,thread=$tcg_thread" \
	-cpu max,svm=on,npt=on -smp "$cpus" -m "$mem" \
	-nographic -no-reboot -kernel "$kernel" \
	-append "console=ttyS0 panic=-1 quiet root=/dev/root rootfstype=9p rootflags=$p9,cache=loose ro init=$top/tests/nested/init lkvm.top=$top" \
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=/dev/root \
	-virtfs "local,path=$top,mount_tag=work,security_model=none,multidevs=remap" \
	</dev/null 2>&1 | tr -d '\r' | tee "$dir/console.log"
qrc=${PIPESTATUS[0]}
echo "# $prog: the L1 VM ran $((SECONDS - start)) s"
# The job's summary line last, as make check ends.
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$dir/console.log" | tail -n 1)
if [ ! -s "$dir/rc" ]; then
	[ "$qrc" -eq 124 ] && echo "not ok - the L1 VM timed out after $limit s"
	echo "not ok - the L1 VM ended (QEMU status $qrc) without the job's status: see $dir/console.log"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
rc=$(cat "$dir/rc")
echo "${summary:-0 passed, 1 failed, 0 skipped}"
[ -n "$summary" ] || rc=1
exit "$rc"
