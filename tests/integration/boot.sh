#!/bin/bash
# Boots the project's test guests on /dev/kvm through every loader and
# checks what they report over the serial console.
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "boot tests" "$why"
	done_testing
	exit
fi

# boot DESCRIPTION TIMEOUT ARGS...: expects status 0 unless EXPECT_RC is set.
boot() {
	local what=$1 t=$2
	shift 2
	run_lkvm "$t" run "$@"
	if [ "$rc" -eq "${EXPECT_RC:-0}" ]; then
		pass "$what: exit status $rc"
		return 0
	fi
	fail "$what: exit status $rc, expected ${EXPECT_RC:-0}"
	show_output
	return 1
}
has() { grep -qF -- "$1" "$TMP/out"; }

# Every image format reaches the guest's main and exits through port 0xf4.
for img in guest.elf guest-pvh.elf guest.bzImage guest.flat; do
	boot "$img boots" 60 -k "$GUESTS/$img" -m 64M -c 1 -p "test=hello" &&
		check "$img prints its banner" has "lkvm test guest"
done
has "boot: real" || { run_lkvm 60 run -k "$GUESTS/guest.flat" -m 64M -c 1; }
check "flat binary starts in real mode" has "boot: real"

boot "ELF without note uses the 64-bit protocol" 60 -k "$GUESTS/guest.elf" -m 64M -c 1 &&
	check "64-bit protocol reported" has "boot: linux64"
boot "ELF with PVH note uses PVH" 60 -k "$GUESTS/guest-pvh.elf" -m 64M -c 1 &&
	check "PVH reported" has "boot: pvh"
boot "--boot-protocol linux64 overrides the note" 60 -k "$GUESTS/guest-pvh.elf" \
	--boot-protocol linux64 -m 64M -c 1 &&
	check "forced 64-bit protocol reported" has "boot: linux64"
EXPECT_RC=1 boot "--boot-protocol pvh on an ELF without the note is refused" 60 \
	-k "$GUESTS/guest.elf" --boot-protocol pvh -m 64M -c 1

# Exit status propagates from the guest.
EXPECT_RC=3 boot "guest exit status 3 becomes lkvm's" 60 -k "$GUESTS/guest.elf" -m 64M -c 1 -p "test=exit:3"
EXPECT_RC=0 boot "guest exit status 0" 60 -k "$GUESTS/guest.elf" -m 64M -c 1 -p "test=exit:0"

# The command line arrives intact, through both protocols.
line='test=cmdline  a=b "quoted words" x=!@#$%^&*() tail'
for img in guest.bzImage guest-pvh.elf; do
	boot "$img: command line" 60 -k "$GUESTS/$img" -m 64M -c 1 -p "$line" &&
		check "$img: command line arrives intact" has "cmdline:[$line]"
done

# The initrd arrives byte-exact (the guest prints its CRC-32).
head -c 40000 /dev/urandom >"$TMP/initrd"
want=$(python3 -c 'import sys,zlib; d=open(sys.argv[1],"rb").read(); print("initrd: size=%d crc32=%08x" % (len(d), zlib.crc32(d)))' "$TMP/initrd")
for img in guest.bzImage guest.elf guest-pvh.elf; do
	boot "$img: initrd" 120 -k "$GUESTS/$img" -m 64M -c 1 -i "$TMP/initrd" -p "test=initrd" &&
		check "$img: initrd arrives byte-exact ($want)" has "$want"
done

# The e820 map matches -m, below and across the 32-bit hole.
e820_total() {
	local tag addr size type t=0
	while read -r tag addr size type; do
		[ "$tag" = "e820:" ] && [ "$type" = 1 ] && t=$((t + 16#$size))
	done <"$TMP/out"
	echo "$t"
}
for mem in 64 200 3584; do
	boot "-m ${mem}M: e820" 60 -k "$GUESTS/guest.elf" -m "${mem}M" -c 1 -p "test=e820" || continue
	total=$(e820_total)
	# The EBDA and BIOS area below 1 MiB are reserved, not RAM.
	lost=$(( mem * 1024 * 1024 - total ))
	if [ "$lost" -ge 0 ] && [ "$lost" -le $((384 * 1024 + 1024)) ]; then
		pass "-m ${mem}M: e820 RAM adds up to $total bytes"
	else
		fail "-m ${mem}M: e820 RAM is $total bytes"; show_output
	fi
done
boot "-m 3584M: RAM above 4 GiB" 60 -k "$GUESTS/guest.elf" -m 3584M -c 1 -p "test=e820" &&
	check "-m 3584M: e820 has RAM at 4 GiB" grep -qiE '^e820: (0x)?0*100000000 ' "$TMP/out"

# Two vCPUs both report in.
boot "-c 2: SMP" 120 -k "$GUESTS/guest.elf" -m 64M -c 2 -p "test=smp" &&
	check "-c 2: both CPUs report in" has "smp: 2 cpus up"
boot "-c 2: MP table" 60 -k "$GUESTS/guest.elf" -m 64M -c 2 -p "test=hello" &&
	check "-c 2: MP table lists 2 CPUs" has "cpus: 2"

# i8042 reset ends the VM cleanly.
EXPECT_RC=0 boot "i8042 reset ends the VM with status 0" 60 -k "$GUESTS/guest.elf" -m 64M -c 1 -p "test=reset"

# A triple fault ends with a diagnostic.
EXPECT_RC=1 boot "triple fault ends the VM with status 1" 60 -k "$GUESTS/guest.elf" -m 64M -c 1 -p "test=triple" &&
	check "triple fault is named in the diagnostic" grep -q "KVM_EXIT_SHUTDOWN" "$TMP/err" &&
	check "triple fault diagnostic dumps registers" grep -q "rip " "$TMP/err"

# An emulation failure ends with the instruction bytes.
EXPECT_RC=1 boot "emulation failure ends the VM with status 1" 60 -k "$GUESTS/guest.elf" -m 64M -c 1 -p "test=emulfail"
check "emulation failure is named" grep -q "KVM_EXIT_INTERNAL_ERROR (17), suberror 1 (emulation failure)" "$TMP/err"
insn=$(sed -n 's/^emulfail: executing //p' "$TMP/out" | tr -d '\r')
if [ -n "$insn" ] && grep -qi "instruction bytes: $insn\|code at .*: $insn" "$TMP/err"; then
	pass "emulation failure prints the instruction bytes ($insn)"
else
	fail "emulation failure prints the instruction bytes (guest said '$insn')"; show_output
fi

# Loads that do not fit in guest RAM are refused before the guest runs.
EXPECT_RC=1 boot "kernel above -m is refused" 20 -k "$GUESTS/guest.elf" -m 1M -c 1 &&
	check "kernel above -m: one clear line" grep -q "^lkvm: cannot load kernel .*" "$TMP/err"
head -c $((3 * 1024 * 1024)) /dev/zero >"$TMP/big-initrd"
EXPECT_RC=1 boot "initrd that does not fit beside the kernel is refused" 20 \
	-k "$GUESTS/guest.elf" -m 3M -c 1 -i "$TMP/big-initrd" &&
	check "initrd too big: one clear line" grep -q "^lkvm: cannot load kernel .*initrd" "$TMP/err"

# Debug tracing: every port exit, every single step.
EXPECT_RC=5 boot "--debug-ioport" 30 -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=exit:5 --debug-ioport &&
	check "--debug-ioport shows the exit port write" grep -q "port write 0xf4 len 4 <- 0x5" "$TMP/err"
EXPECT_RC=5 boot "--debug-single-step" 60 -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=exit:5 --debug-single-step
steps=$(grep -c "step [0-9]* at rip 0x" "$TMP/err")
first=$(sed -n 's/.*step 1 at rip \(0x[0-9a-f]*\)$/\1/p' "$TMP/err")
check "--debug-single-step reports every step ($steps steps)" [ "$steps" -gt 100 ]
check "--debug-single-step numbers steps without gaps" \
	[ "$(grep -o 'step [0-9]*' "$TMP/err" | awk '{ if ($2 != NR) bad = 1 } END { print bad + 0 }')" = 0 ]
# guest.elf enters at 0x100200: the first step ends one instruction later.
first_step_ok() {
	[ -n "$first" ] && [ $((first)) -gt $((0x100200)) ] &&
		[ $((first)) -le $((0x10020f)) ]
}
check "the first step lands just past the entry point ($first)" first_step_ok
# Stepping goes on past instructions KVM's emulator completes (virtio-mmio
# register reads here), which drop the trap flag KVM steps with on kernels
# without kernel-patches/0008: after the last step only the exit's port
# write.
boot "--debug-single-step through MMIO reads" 300 -k "$GUESTS/guest.elf" \
	-m 64M -c 1 --virtio-transport mmio --rng -p test=virtio-rng:poll \
	--debug-single-step --debug-ioport &&
	after=$(awk '/step [0-9]+ at rip/ { n = 0; next }
		     /port write/ { n++ } END { print n + 0 }' "$TMP/err") &&
	check "stepping goes on past MMIO reads ($after port writes after the last step)" \
		[ "$after" -eq 1 ]

# Huge pages: a directory that is not hugetlbfs is refused; a real mount
# backs the guest's RAM.
EXPECT_RC=1 boot "--hugetlbfs on a plain directory is refused" 20 \
	-k "$GUESTS/guest.elf" -m 64M -c 1 --hugetlbfs "$TMP" &&
	check "--hugetlbfs refusal names the problem" grep -q "^lkvm: .*is not a hugetlbfs mount" "$TMP/err"
if ! grep -qw hugetlbfs /proc/filesystems; then
	skip "guest RAM on hugetlbfs" "this host's kernel has no hugetlbfs"
elif [ "$(id -u)" -ne 0 ]; then
	skip "guest RAM on hugetlbfs" "mounting hugetlbfs needs root"
else
	mkdir "$TMP/huge"
	old=$(cat /proc/sys/vm/nr_hugepages)
	echo $((old + 40)) >/proc/sys/vm/nr_hugepages
	if mount -t hugetlbfs none "$TMP/huge"; then
		boot "guest RAM on hugetlbfs" 60 -k "$GUESTS/guest.elf" -m 64M -c 1 \
			--hugetlbfs "$TMP/huge" -p test=hello &&
			check "hugetlbfs guest reports its memory" has "mem: 63 MiB"
		# The VM (and its RAM) is torn down just after lkvm exits.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			umount "$TMP/huge" 2>/dev/null && break
			sleep 0.2
		done
	else
		skip "guest RAM on hugetlbfs" "cannot mount hugetlbfs"
	fi
	echo "$old" >/proc/sys/vm/nr_hugepages
fi

# Output is written through unbuffered: a pipe sees it while lkvm runs.
boot "output reaches the terminal/pipe" 60 -k "$GUESTS/guest.elf" -m 64M -c 1 &&
	check "guest output arrives on stdout" has "lkvm test guest"
done_testing
