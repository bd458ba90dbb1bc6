#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/nested/hang-signature.sh STALL: does a stall file of
# tests/linux/lib.sh's watch show the nested stack's hang?
#
# Linux boots in the L1 VM (tests/nested/run.sh: QEMU 7.2's emulated SVM
# under the L1 kernel's KVM) now and then stop for good: a vCPU spins
# with interrupts off (RFLAGS.IF clear) on a spin lock it holds itself.
# With one vCPU nothing can release it: an interrupt was delivered again
# while interrupts were off, which only the hypervisors below the guest
# can do. The signature, in the last two register dumps of STALL: one
# vCPU at the same RIP, IF clear in both, the code there a short jump
# backwards (EB with a negative displacement: the spin loop).
#
# Prints "vCPU N spins at RIP with interrupts off" and exits 0 when the
# signature is there; exits 1 when it is not (fewer than two dumps, no
# such vCPU), 2 on a missing file.
set -u
[ $# -eq 1 ] || { echo "usage: $0 STALL" >&2; exit 2; }
[ -r "$1" ] || { echo "$0: cannot read $1" >&2; exit 2; }

awk '
# One dump per "# no output for" line; vCPU blocks within it.
/^# no output for / { d++; next }
/^vCPU [0-9]+ registers:/ { cpu = $2; seen[d] = 1; next }
$1 == "rip" && cpu != "" {
	rip[d, cpu] = $2
	for (i = 1; i < NF; i++)
		if ($i == "rflags")
			fl[d, cpu] = $(i + 1)
	cpus[cpu] = 1
	next
}
$1 == "code" && $2 == "at" && cpu != "" {
	code[d, cpu] = $4 " " $5
	next
}
# IF is RFLAGS bit 9: bit 1 of the third hex digit from the right.
function if_clear(f, c) {
	c = tolower(substr(f, length(f) - 2, 1))
	return index("014589cd", c) > 0
}
function spin_back(c) {
	return c ~ /^eb [89a-fA-F][0-9a-fA-F]$/
}
END {
	last = 0; prev = 0
	for (i = d; i >= 1 && !prev; i--)
		if (seen[i]) {
			if (!last)
				last = i
			else
				prev = i
		}
	if (!prev)
		exit 1
	for (c in cpus)
		if ((last, c) in rip && (prev, c) in rip &&
		    rip[last, c] == rip[prev, c] &&
		    if_clear(fl[last, c]) && if_clear(fl[prev, c]) &&
		    spin_back(code[last, c]) && spin_back(code[prev, c])) {
			printf "vCPU %s spins at %s with interrupts off\n", c, rip[last, c]
			exit 0
		}
	exit 1
}' "$1"
