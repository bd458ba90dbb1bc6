#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# -n/--network at the edge: a bad sub-option is a usage error (status 2,
# one `lkvm: ` line naming it, then the usage line), a tap that cannot be
# had stops lkvm before the guest runs (status 1, one line); the test guest sees one virtio-net function by default (where
# lkvm has libslirp), none with --network none, two with two -n.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
G=$GUESTS/guest.elf

lkvm_refused "unknown mode" 2 "mode 'bridge'" -n mode=bridge
lkvm_refused "unknown sub-option" 2 "sub-option 'colour'" -n mode=tap,colour=red
lkvm_refused "malformed MAC" 2 "guest_mac 'zz:1'" -n guest_mac=zz:1
lkvm_refused "queues beyond the tap's 16" 2 "queues '17'" -n queues=17
lkvm_refused "queues=2 with mode=user" 2 "mode=user gives one" -n mode=user,queues=2
lkvm_refused "fd= that is not a tap" 1 "fd=0 is not a tap" -n mode=tap,fd=0
lkvm_refused "vhost=1" 2 "vhost-net" -n vhost=1
lkvm_refused "malformed host_mac" 2 "host_mac '02:zz'" -n host_mac=02:zz
lkvm_refused "host_ip and guest_ip of two networks" 2 "one /24" \
	-n mode=user,host_ip=10.0.0.1,guest_ip=10.0.1.2
lkvm_refused "host_mac with mode=user" 2 "host_mac= is for mode=tap" \
	-n mode=user,host_mac=02:00:00:00:00:01

why=$(kvm_unusable)
count_fns() { # DESCRIPTION N ARGS...: the guest's PCI scan
	local what=$1 n=$2
	shift 2
	if [ -n "$why" ]; then
		skip "$what" "$why"
		return
	fi
	run_lkvm 30 run -k "$G" -c 1 -m 64M "$@" -p test=pci </dev/null
	if [ "$rc" -eq 0 ] &&
	   [ "$(grep -c 'pci: 00:..\.0 1af4:1041 class 020000' "$TMP/out")" -eq "$n" ]; then
		pass "$what"
	else
		fail "$what (status $rc)"
		show_output
	fi
}
if "$LKVM" run --help 2>&1 | grep -q 'user-mode NIC'; then
	count_fns "no -n: one virtio-net function (1af4:1041, class 0200)" 1
	count_fns "two -n mode=user: two virtio-net functions" 2 \
		-n mode=user -n mode=user,guest_ip=192.168.33.20
fi
count_fns "--network none: no virtio-net function" 0 --network none
count_fns "-n none: none either" 0 -n none
done_testing
