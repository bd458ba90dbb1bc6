#!/bin/bash
# The control socket's rules (issue 13, item 6): its directory, the
# socket's mode, who may talk to it, names, idle clients, one VM a name.
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
[ -z "$why" ] && [ "$(id -u)" -ne 0 ] && why="needs root (another uid as a client)"
[ -z "$why" ] && ! command -v setpriv >/dev/null && why="no setpriv (util-linux)"
if [ -n "$why" ]; then
	skip "control socket rules" "$why"
	done_testing
	exit
fi
export LKVM_HOME="$TMP/home"
# The system's python: another user may not read a per-user one.
py=$(command -v /usr/bin/python3 || command -v python3)
name="sec-$$"
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null; rm -rf "$TMP"' EXIT
wait_sock() { # wait_sock NAME: until its socket appears (20 s)
	local end=$((SECONDS + 20))
	until [ -S "$LKVM_HOME/$1.sock" ]; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}
start() { # start NAME: a ticking guest in the background, pid in $pid
	"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=ticker \
		--name "$1" >/dev/null 2>"$TMP/$1.err" </dev/null &
	pid=$!
	pids+=("$pid")
}
# send UID REQUEST: one request to $name's socket as UID; prints the reply.
send() {
	setpriv --reuid="$1" --regid="$1" --clear-groups "$py" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
try:
    s.sendall(sys.argv[2].encode() + b"\n")
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass    # refused before the request was read
out = b""
while True:
    try:
        b = s.recv(4096)
    except ConnectionResetError:
        break   # closed with our request unread: refused all the same
    if not b:
        break
    out += b
sys.stdout.write(out.decode())' "$LKVM_HOME/$name.sock" "$2"
}

mask=$(umask)
umask 000
start "$name"
umask "$mask"
check "the VM starts under umask 000" wait_sock "$name"
check "its directory is 0700" [ "$(stat -c %a "$LKVM_HOME")" = 700 ]
check "its socket is 0600" [ "$(stat -c %a "$LKVM_HOME/$name.sock")" = 600 ]
check "and its lock file is 0600" [ "$(stat -c %a "$LKVM_HOME/$name.lock")" = 600 ]

# Open the way on purpose: SO_PEERCRED must still turn another user away.
chmod 0711 "$TMP" "$LKVM_HOME"
chmod 0666 "$LKVM_HOME/$name.sock"
reply=$(send 65534 stop 2>&1)
sleep 0.5
check_that "another user's stop is refused (reply '$reply')" \
	'[ -z "$reply" ] || [ "$reply" = "error: permission denied" ]'
check "and the VM still runs" kill -0 "$pid"
reply=$(send 0 stat 2>&1)
check_that "root is answered" '[ "${reply%%$'"'"'\n'"'"'*}" = ok ]'
chmod 0700 "$TMP" "$LKVM_HOME"

# Ten idle clients hold every slot; each has a second to speak. They say
# when they are connected: a fixed sleep could end before python even
# ran (stat then tested nothing, and the kill met the shell's child).
python3 -c '
import socket, sys, time
socks = []
for i in range(10):
    s = socket.socket(socket.AF_UNIX)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except BlockingIOError:
        pass
    socks.append(s)
open(sys.argv[2], "w").close()
time.sleep(8)' "$LKVM_HOME/$name.sock" "$TMP/idle.ready" &
idle=$!
wait_for 10 test -e "$TMP/idle.ready"
t0=$(date +%s%N)
"$LKVM" stat "$name" >"$TMP/stat" 2>"$TMP/stat.err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check_that "lkvm stat is answered despite 10 idle clients (${ms} ms, status $rc)" \
	'[ "$rc" -eq 0 ] && grep -q "^name $name$" "$TMP/stat"'
check "within 3 s" [ "$ms" -lt 3000 ]
kill "$idle" 2>/dev/null
wait "$idle" 2>/dev/null

# Names: checked in lkvm run and in the clients.
touch "$TMP/evil.sock"
"$LKVM" stop ../evil 2>"$TMP/err"
rc=$?
check_that "lkvm stop ../evil is a usage error (status $rc)" \
	'[ "$rc" -eq 2 ] && grep -q "^lkvm: invalid name" "$TMP/err"'
check "and removes nothing outside the directory" [ -e "$TMP/evil.sock" ]
for bad in ../x .hidden -x "a b" "$(printf 'x%.0s' {1..65})"; do
	"$LKVM" run -k "$GUESTS/guest.elf" --name "$bad" >/dev/null 2>"$TMP/err"
	rc=$?
	check_that "lkvm run --name '${bad:0:12}' is refused with status 2" \
		'[ "$rc" -eq 2 ] && grep -q "^lkvm: invalid name" "$TMP/err"'
done

"$LKVM" stop "$name"
wait "$pid"
check "the VM stops" [ "$?" -eq 0 ]

# One name, one VM: two starts over a stale socket; exactly one runs.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])' "$LKVM_HOME/race.sock"
check "a stale socket is left" [ -S "$LKVM_HOME/race.sock" ]
start race
a=$pid
start race
b=$pid
# The loser says so and exits; wait for that (up to 30 s: under ASan in a
# nested VM, a refusal takes seconds), not for a fixed time.
alive() {
	n=0
	kill -0 "$a" 2>/dev/null && n=$((n + 1))
	kill -0 "$b" 2>/dev/null && n=$((n + 1))
}
for i in $(seq 1 300); do
	alive
	[ "$n" -le 1 ] && grep -q "already running" "$TMP/race.err" && break
	sleep 0.1
done
sleep 1	# a winner that would still fail does so by now
alive
check "of two starts named 'race', exactly one runs ($n)" [ "$n" -eq 1 ]
check_that "the other says the name is taken" \
	'cat "$TMP/race.err" | grep -q "already running"'
"$LKVM" stop race
wait "$a" "$b" 2>/dev/null

# The directory's rules, for lkvm run and for the clients.
mkdir -m 0700 "$TMP/real"
ln -s "$TMP/real" "$TMP/link"
mkdir -m 0777 "$TMP/open"
mkdir -m 0700 "$TMP/theirs"
chown 65534:65534 "$TMP/theirs"
for d in link:"is a symbolic link" open:"is writable by group or others" \
	 theirs:"is not owned by this user"; do
	LKVM_HOME="$TMP/${d%%:*}" "$LKVM" run -k "$GUESTS/guest.elf" -m 64M \
		-c 1 --name x >/dev/null 2>"$TMP/err" </dev/null
	rc=$?
	check_that "a socket directory that ${d#*:} is refused by lkvm run (status $rc)" \
		'[ "$rc" -eq 1 ] && grep -q "^lkvm: control socket directory .* ${d#*:}" "$TMP/err"'
	LKVM_HOME="$TMP/${d%%:*}" "$LKVM" stop x 2>"$TMP/err"
	check_that "and by lkvm stop" 'grep -q "${d#*:}: refusing it" "$TMP/err"'
done
done_testing
