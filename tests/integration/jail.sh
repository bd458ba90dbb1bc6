#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --jail DIR (issue 18): the jailed lkvm's root holds only what was bound,
# it has no capabilities and no_new_privs, runs as the jail user in new
# namespaces, answers lkvm list/stop from the host, passes the guest's
# exit status and a forwarded SIGTERM's through, and leaves the host's DIR
# as it was; bad input is refused with one `lkvm: ` line. As root: a root
# jail (--jail-user nobody) and, through setpriv, an unprivileged one in a
# user namespace. Not root: the unprivileged one only.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

root=0
[ "$(id -u)" -eq 0 ] && root=1
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
[ -z "$why" ] && ! command -v unshare >/dev/null && why="no unshare (util-linux)"
if [ -z "$why" ] && [ "$root" = 1 ] && ! unshare -mpiuf true 2>/dev/null; then
	why="cannot create mount/PID/IPC/UTS namespaces here"
fi
if [ -z "$why" ] && [ "$root" = 0 ] && ! unshare -Umpiuf true 2>/dev/null; then
	why="no unprivileged user namespaces here"
fi
if [ -n "$why" ]; then
	skip "the jail" "$why"
	done_testing
	exit
fi
chmod 755 "$TMP"
export LKVM_HOME="$TMP/home"
mkdir -m 700 "$LKVM_HOME"
mkdir -m 755 "$TMP/jail" "$TMP/share"
echo shared >"$TMP/share/file"
truncate -s 1M "$TMP/disk.raw"
kernel=$(realpath "$GUESTS/guest.elf")
pid=
pids=()
# Every lkvm this suite started, not only the last: none outlives it.
trap 'kill -9 "${pids[@]}" 2>/dev/null; rm -rf "$TMP"' EXIT

if [ "$root" = 1 ]; then
	juser=(--jail-user nobody)
	juid=$(id -u nobody)
	chmod 666 "$TMP/disk.raw"
else
	juser=()
	juid=$(id -u)
fi
# The jailed lkvm: the child of the lkvm we started.
jailed() { tr -d ' \n' <"/proc/$1/task/$1/children"; }
# A status line's fields after the name: status_of PID FIELD.
status_of() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
# A KVM node of nobody's own: mknod_kvm PATH.
mknod_kvm() {
	mknod "$1" c $((16#$(stat -c %t /dev/kvm))) $((16#$(stat -c %T /dev/kvm))) 2>/dev/null &&
		chown nobody "$1"
}

# 1. The guest's exit status is lkvm's.
run_lkvm 30 run -k "$kernel" -c 1 -m 64M -p test=exit:7 --jail "$TMP/jail" \
	"${juser[@]}" </dev/null
check "a jailed guest exiting with 7: lkvm exits 7 (got $rc)" [ "$rc" -eq 7 ]
grep -q "exit: status 7" "$TMP/out" || show_output

# 2. A running jailed VM, seen from the host.
name="jail-$$"
"$LKVM" run -k "$kernel" -c 1 -m 64M -p test=ticker --name "$name" \
	-d "$TMP/disk.raw" --9p "$TMP/share,share,ro" -n mode=none \
	--console-log "$TMP/console.log" --jail "$TMP/jail" "${juser[@]}" \
	>"$TMP/tick.out" 2>"$TMP/tick.err" </dev/null &
pid=$!
pids+=("$pid")
ticking() { grep -q '^tick ' "$TMP/console.log" 2>/dev/null; }
check "the jailed guest runs (ticks in its console log)" wait_for 20 ticking
c=$(jailed "$pid")
r="/proc/$c/root"
# Every path in the jail, but inside /proc and the shared directory.
(cd "$r" && find . \( -path ./proc -o -path ".$TMP/share" \) -prune -print -o -print) |
	sed 's/^\.//' | grep -v '^$' | sort >"$TMP/tree"
want=$(for p in "$kernel" "$TMP/disk.raw" "$TMP/share" "$TMP/console.log" /dev/kvm /proc; do
	while [ "$p" != / ]; do echo "$p"; p=$(dirname "$p"); done
done | sort -u)
sed 's/^/# jail: /' "$TMP/tree"
check_that "the jail's / holds only the bound files, /proc and their directories" \
	'[ "$(cat "$TMP/tree")" = "$want" ]'
check_that "the jail's / is a tmpfs of its own, read-only" \
	'grep -q "^lkvm-jail / tmpfs ro," "/proc/$c/mounts"'
check_that "the shared directory is there, read-only" \
	'[ "$(cat "$r$TMP/share/file")" = shared ] && grep -q " $TMP/share [^ ]* ro," "/proc/$c/mounts"'
check_that "the jailed lkvm has no capabilities (CapInh/Prm/Eff/Bnd/Amb 0)" \
	'for f in CapInh CapPrm CapEff CapBnd CapAmb; do [ "$(status_of "$c" $f)" = 0000000000000000 ] || exit 1; done'
check "no_new_privs is set (NoNewPrivs 1)" [ "$(status_of "$c" NoNewPrivs)" = 1 ]
check "it runs as the jail user (uid $juid)" \
	[ "$(status_of "$c" Uid)" = "$juid $juid $juid $juid" ]
check "its threads are filtered (Seccomp 2)" [ "$(status_of "$c" Seccomp)" = 2 ]
ns_new=
for n in mnt pid ipc uts net; do
	[ "$(readlink "/proc/$c/ns/$n")" != "$(readlink "/proc/self/ns/$n")" ] ||
		ns_new="$ns_new $n"
done
check "new mount, PID, IPC, UTS and network namespaces${ns_new:+; shared:$ns_new}" \
	[ -z "$ns_new" ]
if [ "$root" = 1 ]; then
	check "the hostname in the jail is the VM's name" \
		[ "$(nsenter -t "$c" -u hostname)" = "$name" ]
fi
"$LKVM" list >"$TMP/list" 2>&1
check_that "lkvm list shows the jailed VM with the host's pid" \
	'grep -Eq "^$pid +$name +running" "$TMP/list"'
"$LKVM" stop "$name" >/dev/null 2>&1
wait "$pid"
rc=$?
check "lkvm stop stops it: status 0 (got $rc)" [ "$rc" -eq 0 ]
check "the control socket is gone" [ ! -e "$LKVM_HOME/$name.sock" ]
check_that "the host's DIR is as it was: empty, mode 755" \
	'[ -z "$(ls -A "$TMP/jail")" ] && [ "$(stat -c %a "$TMP/jail")" = 755 ]'
check "nothing on stderr" [ ! -s "$TMP/tick.err" ]
sed 's/^/# err: /' "$TMP/tick.err"

# 3. SIGTERM to the lkvm the user started reaches the jailed one. A console
# log of its own: the ticks waited for are this VM's, and the signal goes
# to lkvm, not to the shell's child before its exec (there, bash's handler
# for this script's EXIT trap swallows it: wait_exec in lib.sh).
"$LKVM" run -k "$kernel" -c 1 -m 64M -p test=ticker -n mode=none \
	--console-log "$TMP/term.log" --jail "$TMP/jail" "${juser[@]}" \
	>/dev/null 2>"$TMP/term.err" </dev/null &
pid=$!
pids+=("$pid")
check "the jailed guest to be stopped ticks" \
	wait_for 20 grep -q '^tick ' "$TMP/term.log"
wait_exec "$pid"
kill -TERM "$pid"
wait "$pid"
rc=$?
check "SIGTERM is forwarded: lkvm exits 143 (got $rc)" [ "$rc" -eq 143 ]
# SIGKILL cannot be forwarded: the jailed lkvm dies with it (pdeath signal).
"$LKVM" run -k "$kernel" -c 1 -m 64M -p test=ticker -n mode=none \
	--jail "$TMP/jail" "${juser[@]}" >/dev/null 2>&1 </dev/null &
pid=$!
pids+=("$pid")
wait_for 10 eval '[ -n "$(jailed "$pid")" ]'
c=$(jailed "$pid")
kill -KILL "$pid"
wait "$pid" 2>/dev/null
check "SIGKILL to lkvm ends the jailed lkvm too" \
	eval '[ -n "$c" ] && wait_for 20 dead "$c"'

# 4. Bad input: one `lkvm: ` line, a non-zero status, no guest.
touch "$TMP/file"
mkdir -m 777 "$TMP/open"
lkvm_refused "--jail on a missing directory" 1 "No such file" \
	--jail "$TMP/missing" "${juser[@]}"
lkvm_refused "--jail on a file" 1 "not a directory" \
	--jail "$TMP/file" "${juser[@]}"
lkvm_refused "--jail on a directory others may write" 1 "writable by group or others" \
	--jail "$TMP/open" "${juser[@]}"
lkvm_refused "--jail-user naming no user" 1 "no such user" \
	--jail "$TMP/jail" --jail-user no-such-user-$$
lkvm_refused "--jail-user naming no group" 1 "no such group" \
	--jail "$TMP/jail" --jail-user "$(id -un):no-such-group-$$"
# Ids are whole decimal numbers below (uid_t)-1; anything else is a name.
lkvm_refused "--jail-user: a numeric uid without a passwd entry needs a group" 1 \
	"'4294967294': no such user (give a group too, UID:GID)" \
	--jail "$TMP/jail" --jail-user 4294967294
lkvm_refused "--jail-user: 4294967295, (uid_t)-1, is a name, not an id" 1 \
	"'4294967295': no such user$" --jail "$TMP/jail" --jail-user 4294967295
lkvm_refused "--jail-user: ' 0', with a blank, is a name, not uid 0" 1 \
	"' 0': no such user$" --jail "$TMP/jail" --jail-user " 0"
lkvm_refused "--jail-user: '+0' is a name, not uid 0" 1 \
	"'+0': no such user$" --jail "$TMP/jail" --jail-user "+0"
lkvm_refused "--jail-user without --jail" 2 "needs --jail" --jail-user "$(id -un)"
lkvm_refused "--jail with --vsock but no path=" 1 "path=SOCK" \
	--jail "$TMP/jail" "${juser[@]}" --vsock 3
lkvm_refused "--jail with a network script" 1 "script=" \
	--jail "$TMP/jail" "${juser[@]}" -n mode=tap,script=/bin/true
LKVM_JAIL_STAGE="r,0,1,0,0,1,0,x" lkvm_refused "a forged LKVM_JAIL_STAGE" 1 \
	"not what lkvm sets" --jail "$TMP/jail" "${juser[@]}"
if [ "$root" = 1 ]; then
	lkvm_refused "--jail as root without --jail-user" 1 "needs --jail-user" \
		--jail "$TMP/jail"
	# Owned by a third user (neither root nor us): they could change it.
	mkdir -m 755 "$TMP/theirs" && chown nobody "$TMP/theirs"
	lkvm_refused "--jail on a directory another user owns" 1 \
		"neither root nor this user" --jail "$TMP/theirs" "${juser[@]}"
fi
check_that "the host's DIR is still empty" '[ -z "$(ls -A "$TMP/jail")" ]'

# 5. As root, the unprivileged jail too: nobody, in a user namespace, on
# a KVM node of its own.
if [ "$root" = 1 ] && command -v setpriv >/dev/null &&
   mknod_kvm "$TMP/kvm" && chown nobody "$TMP/jail" &&
   chown -R nobody "$LKVM_HOME"; then
	mkdir -m 700 "$TMP/u" && chown nobody "$TMP/u"
	asnobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
	asnobody timeout 30 "$LKVM" run -k "$kernel" -c 1 -m 64M -p test=exit:9 \
		--dev "$TMP/kvm" --jail "$TMP/jail" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	check "unprivileged: a guest exiting with 9, lkvm exits 9 (got $rc)" [ "$rc" -eq 9 ]
	[ "$rc" -eq 9 ] || show_output
	# setpriv execs lkvm: $! is the lkvm outside the jail.
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		"$LKVM" run -k "$kernel" -c 1 -m 64M -p test=ticker -n mode=none \
		--dev "$TMP/kvm" --console-log "$TMP/u/console.log" --jail "$TMP/jail" \
		--name "$name-u" >/dev/null 2>"$TMP/u.err" </dev/null &
	pid=$!
	pids+=("$pid")
	wait_for 20 grep -q '^tick ' "$TMP/u/console.log" 2>/dev/null
	c=$(jailed "$pid")
	sed 's/^/# err: /' "$TMP/u.err"
	check_that "unprivileged: a user namespace of its own, no capabilities, NoNewPrivs 1" \
		'[ "$(readlink /proc/$c/ns/user)" != "$(readlink /proc/self/ns/user)" ] &&
		 [ "$(status_of "$c" CapEff)" = 0000000000000000 ] &&
		 [ "$(status_of "$c" CapBnd)" = 0000000000000000 ] &&
		 [ "$(status_of "$c" NoNewPrivs)" = 1 ]'
	check "unprivileged: still nobody (uid $juid)" \
		[ "$(status_of "$c" Uid)" = "$juid $juid $juid $juid" ]
	asnobody "$LKVM" stop "$name-u" >/dev/null 2>&1
	wait "$pid"
	rc=$?
	check "unprivileged: lkvm stop as the same user: status 0 (got $rc)" [ "$rc" -eq 0 ]
	asnobody "$LKVM" run -k "$kernel" -c 1 -m 64M -p test=exit:0 --dev "$TMP/kvm" \
		--jail "$TMP/jail" --jail-user root >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	check_that "unprivileged: --jail-user root is refused (status $rc)" \
		'[ "$rc" -eq 1 ] && grep -q "^lkvm: .*only root can run the jail as another user" "$TMP/err"'
	# No user namespaces for nobody (tests/integration/no-userns.py).
	python3 "$ROOT/tests/integration/no-userns.py" setpriv --reuid=nobody \
		--regid="$(id -g nobody)" --clear-groups "$LKVM" run -k "$kernel" \
		-c 1 -m 64M -p test=exit:0 --dev "$TMP/kvm" --jail "$TMP/jail" \
		>"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	if [ "$rc" -eq 99 ]; then
		skip "no user namespaces: refused" "cannot make a user namespace to test in"
	else
		check_that "no user namespaces: refused with the reason (status $rc)" \
			'[ "$rc" -eq 1 ] && [ "$(lkvm_lines)" -eq 1 ] &&
			 grep -q "^lkvm: .*user namespace" "$TMP/err" && [ ! -s "$TMP/out" ]'
		sed 's/^/# /' "$TMP/err"
	fi
else
	[ "$root" = 1 ] && skip "the unprivileged jail" "no setpriv, or no KVM node of nobody's"
fi
done_testing
