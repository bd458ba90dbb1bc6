# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# /lib/lkvm/checks/avx.sh: vector state and the test user land. A kernel
# that saves AVX state (xsave in /proc/cpuinfo) keeps each process's YMM
# registers; one booted with noxsave (kvm_pvm hosts) does not, and then
# /init sets GLIBC_TUNABLES so that glibc, busybox's included, keeps off
# AVX. Sourced by check scripts after /lib/lkvm/tap.sh.

/lib/lkvm/bin/ymm-check >/tmp/ymm-check.out 2>&1
_ymm=$?
if [ "$_ymm" -eq 2 ]; then
	tap_skip "YMM registers survive context switches" "no AVX for user code"
elif grep -qw xsave /proc/cpuinfo; then
	tap_is "YMM registers survive context switches (the kernel saves AVX state)" \
		"$_ymm" 0
else
	tap_note "kernel without xsave: $(cat /tmp/ymm-check.out)"
	tap_is "kernel without xsave: glibc's code (busybox's too) keeps off AVX" \
		"$(/lib/lkvm/bin/cpu-features)" \
		"AVX=0 AVX2=0 AVX512F=0 AVX512VL=0 AVX512BW=0"
fi
