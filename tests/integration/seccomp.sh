#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --seccomp: every thread of a running lkvm (a disk, a 9p share and the
# default user-mode NIC, so that each role has its thread) is filtered
# (Seccomp: 2) and named for its role; per role, a forbidden call (made
# through the LKVM_SECCOMP_SELFTEST hook, lkvm.1 ENVIRONMENT) ends lkvm
# with status 159 and the message naming the thread and the call;
# --seccomp log lets it run, --seccomp off installs nothing.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
[ -z "$why" ] && ! grep -q '^Seccomp:' /proc/self/status && why="no seccomp in this kernel"
if [ -n "$why" ]; then
	skip "seccomp filters" "$why"
	done_testing
	exit
fi
export LKVM_HOME="$TMP/home"
name="sc-$$"
truncate -s 1M "$TMP/disk.raw"
mkdir "$TMP/share"
ticking() { grep -q '^tick ' "$TMP/$1.out"; }
# The guest's devices: every role has a thread (net: if libslirp is there).
devs=(-d "$TMP/disk.raw" --9p "$TMP/share,share" --balloon --vsock "3,path=$TMP/v.sock")
slirp=0
"$LKVM" run --help 2>&1 | grep -q 'user-mode NIC' && slirp=1

# start TAG ARGS...: a ticking guest in the background, pid in $pid.
start() {
	local tag=$1
	shift
	"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 2 -p test=ticker \
		"${devs[@]}" "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	pid=$!
}
# Each task: "comm Seccomp-mode", one a line.
tasks() {
	local t
	for t in /proc/"$1"/task/*; do
		echo "$(cat "$t/comm") $(awk '/^Seccomp:/ { print $2 }' "$t/status")"
	done
}

start on --name "$name"
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
check "the guest ticks with the filters on (default)" wait_for 20 ticking on
tasks "$pid" >"$TMP/tasks"
sed 's/^/# task: /' "$TMP/tasks"
check_that "every thread is filtered (Seccomp: 2)" \
	'[ -s "$TMP/tasks" ] && ! grep -qv " 2$" "$TMP/tasks"'
# KVM's own worker (kvm-nx-lpage-recovery) is a task of the process too:
# the kernel's, started from a vCPU's KVM_RUN, whose filter it inherits.
check_that "every thread is named for its role (or is KVM's kvm-nx-lpage worker)" \
	'! grep -Evq "^(lkvm-(main|vcpu[0-9]+|io|control|9p|disk|net)|kvm-nx-lpage-re) " "$TMP/tasks"'
want="main vcpu0 vcpu1 io control 9p disk"
[ "$slirp" = 1 ] && want="$want net"
missing=
for r in $want; do
	grep -q "^lkvm-$r " "$TMP/tasks" || missing="$missing $r"
done
check "each role has its thread ($want)${missing:+; missing:$missing}" [ -z "$missing" ]
# Control verbs and a host vsock connection under the filters.
"$LKVM" balloon "$name" 16M >/dev/null 2>&1
check "lkvm balloon answers under the filters" eval "\"$LKVM\" stat \"$name\" -m >/dev/null"
"$LKVM" debug "$name" --dump >"$TMP/debug" 2>&1
check "lkvm debug --dump answers under the filters (the control thread's register reads)" \
	grep -q "^vCPU 0 registers:" "$TMP/debug"
check_that "a host connects to the vsock socket (the I/O thread accepts)" \
	'python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b\"CONNECT 5000\\n\"); s.settimeout(5); s.recv(64)" "$TMP/v.sock" 2>/dev/null; kill -0 $pid'
"$LKVM" stop "$name" >/dev/null 2>&1
wait "$pid"
rc=$?
check "lkvm stop ends the filtered VM with status 0 (got $rc)" [ "$rc" -eq 0 ]
check "no seccomp message on a clean run" \
	eval "! grep -q 'seccomp' '$TMP/on.err'"

# forbidden ROLE CALL NAME: the role's thread makes CALL; lkvm must end
# with 159 and name the thread (NAME) and the call.
forbidden() {
	local role=$1 call=$2 thread=$3
	LKVM_SECCOMP_SELFTEST="$role:$call" run_lkvm 30 run \
		-k "$GUESTS/guest.elf" -m 64M -c 2 -p test=ticker "${devs[@]}"
	if [ "$rc" -eq 159 ] &&
	   grep -Eq "^lkvm: seccomp: thread $thread made forbidden system call [0-9]+ \\($call\\): exiting$" "$TMP/err"; then
		pass "$role: $call is forbidden: status 159, '$(grep seccomp "$TMP/err")'"
	else
		fail "$role: $call is forbidden (status $rc, want 159 and the message)"
		show_output
	fi
}
forbidden vcpu execve lkvm-vcpu[01]
forbidden vcpu openat lkvm-vcpu[01]
forbidden vcpu socket lkvm-vcpu[01]
forbidden vcpu ioctl lkvm-vcpu[01]
forbidden io execve lkvm-io
forbidden io io_uring_setup lkvm-io
forbidden main openat lkvm-main
forbidden main socket lkvm-main
forbidden control execve lkvm-control
forbidden control openat lkvm-control
forbidden disk socket lkvm-disk
forbidden disk openat lkvm-disk
forbidden 9p socket lkvm-9p
forbidden 9p execve lkvm-9p
if [ "$slirp" = 1 ]; then
	forbidden net execve lkvm-net
	forbidden net openat lkvm-net
	forbidden net ioctl lkvm-net
else
	skip "net: forbidden calls" "lkvm built without libslirp"
fi

# --seccomp log: the same call is let through (the kernel logs it).
LKVM_SECCOMP_SELFTEST="vcpu:execve" run_lkvm 30 run --seccomp log \
	-k "$GUESTS/guest.elf" -m 64M -c 1 -p test=exit:0 "${devs[@]}"
check_that "--seccomp log: a forbidden call returns, the guest runs to its end (status $rc)" \
	'[ "$rc" -eq 0 ] && grep -q "self-test: lkvm-vcpu0 execve: the call returned" "$TMP/err"'

# --seccomp off: no filter at all.
start off --seccomp off --name "$name-off"
check "--seccomp off: the guest ticks" wait_for 20 ticking off
tasks "$pid" >"$TMP/tasks-off"
check_that "--seccomp off: no thread is filtered (Seccomp: 0)" \
	'[ -s "$TMP/tasks-off" ] && ! grep -qv " 0$" "$TMP/tasks-off"'
"$LKVM" stop "$name-off" >/dev/null 2>&1
wait "$pid"

# A tap's downscript runs at teardown, after the filters: from the helper
# forked before them. In a network namespace of its own (root only).
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] && unshare -n true 2>/dev/null; then
	printf '#!/bin/sh\necho "down $1" >"%s"\n' "$TMP/down.out" >"$TMP/down.sh"
	chmod +x "$TMP/down.sh"
	unshare -n "$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=exit:0 \
		-n "mode=tap,tapif=sctap0,downscript=$TMP/down.sh" \
		>"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	check_that "tap downscript= runs under the filters (helper), status $rc: $(cat "$TMP/down.out" 2>/dev/null)" \
		'[ "$rc" -eq 0 ] && grep -qx "down sctap0" "$TMP/down.out"'
	[ "$rc" -eq 0 ] || show_output
else
	skip "tap downscript under the filters" "needs root, /dev/net/tun and unshare -n"
fi

# stdout a socket (a supervisor's, say): the console's output is send()
# on the vCPU, I/O and (its last bytes, at teardown) main threads. The
# virtio reader waits 2 s first, so output is held back meanwhile (the
# serial one reads at once: a reader idle after the stop loses output).
for m in serial:16384:0 virtio:262144:2; do
	con=()
	[ "${m%%:*}" = virtio ] && con=(--console virtio)
	f=${m%:*}
	res=$(timeout 120 python3 - "$LKVM" "$GUESTS/guest.elf" "$f" "${m##*:}" \
		"${con[@]}" <<'PY' 2>&1
import socket, subprocess, sys, time
lkvm, guest, flood, wait = sys.argv[1:5]
a, b = socket.socketpair()
p = subprocess.Popen([lkvm, "run", "-k", guest, "-m", "64M", "-c", "1"] +
                     sys.argv[5:] + ["-p", "test=flood:" + flood],
                     stdout=a, stderr=subprocess.PIPE,
                     stdin=subprocess.DEVNULL)
a.close()
time.sleep(float(wait))
n = 0
b.settimeout(60)
while True:
    d = b.recv(65536)
    if not d:
        break
    n += len(d)
rc = p.wait()
err = p.stderr.read().decode().strip().replace("\n", "; ")
print("rc=%d bytes=%d want=%s %s" % (rc, n, flood.split(":")[1], err))
PY
)
	check_that "a socket console (${m%%:*}) runs under the filters: $res" \
		'grep -Eq "^rc=0 bytes=[0-9]+ want=[0-9]+ *$" <<<"$res" &&
		 [ "$(sed -n "s/^rc=0 bytes=\([0-9]*\) .*/\1/p" <<<"$res")" -ge "${f#*:}" ]'
done

run_lkvm 10 run --seccomp maybe -k "$GUESTS/guest.elf"
check_that "--seccomp maybe: usage error (2) with the reason" \
	'[ "$rc" -eq 2 ] && grep -q "^lkvm: unsupported --seccomp .maybe." "$TMP/err"'
done_testing
