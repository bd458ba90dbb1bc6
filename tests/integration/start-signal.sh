#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A stop signal at any moment of start-up stops lkvm, never lets it run
# on: SIGTERM sent 0 to 80 ms after lkvm's exec (random; most land before
# the VM runs) ends `lkvm run` within 10 s with status 143, and its status
# file then says "guest-exit 143" (or holds nothing when the signal came
# before lkvm run began, and killed it). Plain, and with --jail: as root
# a root jail (--jail-user nobody) and, through setpriv, an unprivileged
# one; not root, the unprivileged one. START_SIGNAL_RUNS (12) of each.
# SIGHUP stops a running lkvm, but not one started with it ignored (nohup).
#
# The signal goes to lkvm only once lkvm has been exec'd (wait_exec in
# lib.sh): until its exec, the shell's forked child runs this script's own
# SIGTERM handler (bash installs one for lib.sh's EXIT trap), which can
# swallow the signal: then the lkvm it execs never hears of it (the
# SIGTERM jail.sh once lost).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

runs=${START_SIGNAL_RUNS:-12}
root=0
[ "$(id -u)" -eq 0 ] && root=1
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "SIGTERM during start-up stops lkvm" "$why"
	done_testing
	exit
fi
chmod 755 "$TMP"
export LKVM_HOME="$TMP/home"
mkdir -m 700 "$LKVM_HOME"
mkdir -m 755 "$TMP/jail"
mkdir -m 777 "$TMP/out"
kernel=$(realpath "$GUESTS/guest.elf")
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT

# poll N SECONDS CMD...: CMD until it succeeds, at most N times, SECONDS apart.
poll() {
	local n=$1 s=$2
	shift 2
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep "$s"
	done
}

# stop_early WHAT PREFIX... -- LKVM-ARGS...: RUNS starts of the ticker
# guest, each sent SIGTERM at a random moment of its start-up.
stop_early() {
	local what=$1 pre=() i ms rc hung=0 other="" clean=0 early=0 line
	shift
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	for i in $(seq 1 "$runs"); do
		ms=$((i == 1 ? 0 : RANDOM % 80))
		rm -f "$TMP/out/status"
		"${pre[@]}" "$LKVM" run -k "$kernel" -c 1 -m 64M -p test=ticker \
			-n mode=none --status-file "$TMP/out/status" "$@" \
			>/dev/null 2>"$TMP/err" </dev/null &
		pid=$!
		wait_exec "$pid"
		[ "$ms" -gt 0 ] && sleep "0.$(printf %03d "$ms")"
		kill -TERM "$pid"
		if ! poll 500 0.02 dead "$pid"; then
			hung=$((hung + 1))
			echo "# run $i, SIGTERM after $ms ms: lkvm still runs 10 s later"
			kill -KILL "$pid"
			wait "$pid"
			pid=
			continue
		fi
		wait "$pid"
		rc=$?
		pid=
		line=$(cat "$TMP/out/status" 2>/dev/null)
		if [ "$rc" -ne 143 ]; then
			other="$other $rc"
			sed "s/^/# run $i: /" "$TMP/err"
		elif [ "$line" = "guest-exit 143" ]; then
			clean=$((clean + 1))
		elif [ -z "$line" ]; then
			early=$((early + 1))
		else
			other="$other '$line'"
		fi
	done
	check "$what: $runs SIGTERMs 0-80 ms after exec: lkvm ended within 10 s each ($hung did not)" \
		[ "$hung" -eq 0 ]
	check "$what: each with status 143 and status line 'guest-exit 143' ($clean), or none ($early, killed before lkvm run began)${other:+; got:$other}" \
		[ -z "$other" ]
}

stop_early "plain" -- --name "plain-$$"

# hup_run IGNORE: a running lkvm gets SIGHUP (ignored when started so, as
# under nohup), then, if still running, SIGTERM; echoes "STATUS LINE".
ticking() { grep -q tick "$TMP/out/ticks" 2>/dev/null; }
hup_run() {
	local rc
	rm -f "$TMP/out/status" "$TMP/out/ticks"
	if [ "$1" = ignore ]; then
		(trap '' HUP; exec "$LKVM" run -k "$kernel" -c 1 -m 64M \
			-p test=ticker -n mode=none --status-file "$TMP/out/status" \
			>"$TMP/out/ticks" 2>&1 </dev/null) &
	else
		"$LKVM" run -k "$kernel" -c 1 -m 64M -p test=ticker -n mode=none \
			--status-file "$TMP/out/status" >"$TMP/out/ticks" 2>&1 </dev/null &
	fi
	pid=$!
	# Running means the guest ticks, not a fixed time after exec (which
	# is seconds under ASan in a nested VM).
	poll 1500 0.02 ticking
	kill -HUP "$pid"
	if ! poll 50 0.02 dead "$pid"; then
		kill -TERM "$pid"
		poll 500 0.02 dead "$pid" || kill -KILL "$pid"
	fi
	wait "$pid"
	rc=$?
	pid=
	echo "$rc $(cat "$TMP/out/status" 2>/dev/null)"
}
r=$(hup_run stop)
check "SIGHUP stops a running lkvm: status 129, 'guest-exit 129' (got $r)" \
	[ "$r" = "129 guest-exit 129" ]
r=$(hup_run ignore)
check "started with SIGHUP ignored (nohup), lkvm runs on through one, SIGTERM then stops it (got $r)" \
	[ "$r" = "143 guest-exit 143" ]

jail_why=
if ! command -v unshare >/dev/null; then
	jail_why="no unshare (util-linux)"
elif [ "$root" = 1 ] && ! unshare -mpiuf true 2>/dev/null; then
	jail_why="cannot create mount/PID/IPC/UTS namespaces here"
fi
if [ -n "$jail_why" ]; then
	skip "SIGTERM during a jailed start-up" "$jail_why"
elif [ "$root" = 1 ]; then
	stop_early "root jail" -- --jail "$TMP/jail" --jail-user nobody
	kvm="$TMP/kvm"
	if command -v setpriv >/dev/null &&
	   mknod "$kvm" c $((16#$(stat -c %t /dev/kvm))) $((16#$(stat -c %T /dev/kvm))) 2>/dev/null &&
	   chown nobody "$kvm" "$TMP/jail" "$TMP/out" && chown -R nobody "$LKVM_HOME" &&
	   setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		unshare -Umpiuf true 2>/dev/null; then
		stop_early "unprivileged jail" setpriv --reuid=nobody \
			--regid="$(id -g nobody)" --clear-groups -- \
			--dev "$kvm" --jail "$TMP/jail"
	else
		skip "SIGTERM during an unprivileged jailed start-up" \
			"no setpriv, no KVM node of nobody's, or no user namespaces"
	fi
elif unshare -Umpiuf true 2>/dev/null; then
	stop_early "unprivileged jail" -- --jail "$TMP/jail"
else
	skip "SIGTERM during a jailed start-up" "no unprivileged user namespaces here"
fi
done_testing
