#!/bin/bash
# lkvm started with fd 0, 1 or 2 closed: /dev/null takes their place before
# anything else is opened (else /dev/kvm or the kernel became the console);
# and once the VM runs, /dev/kvm itself is no longer open.
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "closed standard descriptors" "$why"
	done_testing
	exit
fi
export LKVM_HOME="$TMP/home"
name="fds-$$"

"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=ticker --name "$name" \
	<&- >&- 2>"$TMP/err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
end=$((SECONDS + 20))
until [ -S "$LKVM_HOME/$name.sock" ] || [ "$SECONDS" -ge "$end" ]; do
	sleep 0.2
done
fd0=$(readlink "/proc/$pid/fd/0")
fd1=$(readlink "/proc/$pid/fd/1")
check "with stdin closed, lkvm's fd 0 is /dev/null (it is '$fd0')" \
	[ "$fd0" = /dev/null ]
check "with stdout closed, lkvm's fd 1 is /dev/null (it is '$fd1')" \
	[ "$fd1" = /dev/null ]
# Once the VM runs, /dev/kvm itself is closed (its VM's and vCPUs' stay).
kvm_held=$(for p in "$pid" $(pgrep -P "$pid"); do
	find "/proc/$p/fd" -lname /dev/kvm 2>/dev/null
done)
vm_held=$(find "/proc/$pid/fd" -lname 'anon_inode:kvm-vm' 2>/dev/null)
what="the running VM holds no /dev/kvm descriptor ('$kvm_held'), its VM's it does"
if [ -z "$kvm_held" ] && [ -n "$vm_held" ]; then pass "$what"; else fail "$what"; fi
"$LKVM" stop "$name"
wait "$pid"
rc=$?
check "that VM still stops with status 0" [ "$rc" -eq 0 ]

"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=ticker --name "$name-2" \
	>"$TMP/out" 2>&- &
pid=$!
end=$((SECONDS + 20))
until grep -q '^tick ' "$TMP/out" || [ "$SECONDS" -ge "$end" ]; do
	sleep 0.2
done
fd2=$(readlink "/proc/$pid/fd/2")
check "with stderr closed, lkvm's fd 2 is /dev/null (it is '$fd2')" \
	[ "$fd2" = /dev/null ]
"$LKVM" stop "$name-2"
wait "$pid"
check "the guest's output still reaches stdout" grep -q '^tick ' "$TMP/out"
done_testing
