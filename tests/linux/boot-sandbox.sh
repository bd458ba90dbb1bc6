#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 3000
#
# lkvm sandbox with the lean guest kernel, stdin and stdout not terminals
# (as in CI). One boot in make check: a script in a fresh current
# directory (a script as CMD, found through PATH-less ./) makes its
# stdout's terminal canonical and echoing, then hashes its stdin (256 KiB
# piped into lkvm after that, bytes a line discipline would take among
# them: it must read all of them and the end, none echoed), reads a file the
# host made there, writes one, prints "out" on stdout and "err" on stderr,
# and exits 7; lkvm must exit 7 with out and err apart, the status file
# must say "command 7", and after lkvm the host must see the guest's file,
# owned by the invoking user. The host's root is read-only for the guest
# but writable through the overlay (a write to /etc stays in the guest).
# The same boot checks locks and shared mappings with the host's own
# programs: while a host process holds a POSIX lock on a file of the
# share, the guest's `flock -n` on it is refused (the server's lock is a
# host lock) and succeeds on another file; tests/linux/host/mmap-share.c,
# built with the host's compiler, writes through a MAP_SHARED mapping and
# the host finds the bytes in the file after lkvm exits.
#
# LKVM_LINUX_ALL=1 (make check-linux) adds five boots: a guest panic
# (status 3, "guest-panic 3"), `lkvm setup` + `lkvm run --name`
# running a command given after "--" (the host's /bin/sh through the
# setup root's links into /host), and `lkvm sandbox` without a command on
# a pseudo-terminal (tests/linux/host/pty-session.py): an interactive
# shell that runs what is typed and whose `exit 4` is lkvm's status; and
# `lkvm sandbox` in a terminal's background, without and with --jail
# (tests/linux/host/pty-background.py): not stopped, the terminal not
# read, the command's stdin empty at once.
# A busy host stretches the boot's minutes of emulated kernel code.
LINUX_TIMEOUT=${LINUX_TIMEOUT:-900}
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

ARGS=(-c 1 -m 256)
HOST_DIR=$(cd "$(dirname "$0")/host" && pwd)
LKVM_ABS=$(cd "$(dirname "$LKVM")" && pwd)/$(basename "$LKVM")
DIR=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-sandbox.XXXXXX")
LOCK_PID=
trap '[ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2>/dev/null; rm -rf "$DIR"' EXIT

linux_require -c -m --console-log --status-file
linux_require_kernel
if [ -z "$_linux_skip" ] && ! "$LKVM" help sandbox >/dev/null 2>&1; then
	linux_skip "lkvm has no sandbox command"
fi

# sandbox NAME ARGS... -- CMD...: run lkvm sandbox in $DIR/work with
# stdout, stderr, status and the status file kept apart. Without --name
# in ARGS it gets one (sbx-NAME-PID), for lib.sh's stall watch.
sandbox() {
	local attempt=1
	[ -n "$_linux_skip" ] && return 0
	mkdir -p "$LINUX_LOG_DIR"
	# A boot the stall watch stopped for the nested stack's hang is run
	# again, as lib.sh's linux_run does (LINUX_HANG_RETRY).
	until sandbox_once "$@"; do
		attempt=$((attempt + 1))
	done
}

# One attempt (sandbox's $attempt); returns 1 when it is to be run again.
sandbox_once() {
	local name=$1 start end vm watch=
	shift
	vm=$(_linux_vm_name "$LKVM" sandbox "$@")
	if [ -z "$vm" ]; then
		vm=sbx-$name-$$
		set -- --name "$vm" "$@"
	fi
	rm -f "$LINUX_LOG_DIR/sandbox-$name.stall" \
		"$LINUX_LOG_DIR/sandbox-$name.hang" "$DIR/$name.status"
	if [ "$LINUX_STALL_DUMP" -gt 0 ]; then
		: >"$LINUX_LOG_DIR/sandbox-$name.log"
		_linux_watch "$LINUX_LOG_DIR/sandbox-$name.log" "$vm" \
			"$LINUX_LOG_DIR/sandbox-$name.stall" &
		watch=$!
	fi
	# (sandbox-NAME.log: boot-basic.sh's basic.log is another suite's.)
	echo "# boot $name: lkvm sandbox $*"
	start=$(date +%s)
	# stdin: SANDBOX_STDIN's bytes through a pipe, or /dev/null.
	cat "${SANDBOX_STDIN:-/dev/null}" |
	(cd "$DIR/work" &&
	 timeout --kill-after=10 "$LINUX_TIMEOUT" "$LKVM_ABS" sandbox \
		-k "$LINUX_BZIMAGE" "${ARGS[@]}" \
		--console-log "$_linux_top/$LINUX_LOG_DIR/sandbox-$name.log" \
		--status-file "$DIR/$name.status" "$@" \
		>"$DIR/$name.out" 2>"$DIR/$name.err")
	echo $? >"$DIR/$name.rc"
	end=$(date +%s)
	if [ -n "$watch" ]; then
		kill "$watch" 2>/dev/null
		wait "$watch" 2>/dev/null
	fi
	[ "$attempt" -gt 1 ] || _linux_boots+=("$LINUX_LOG_DIR/sandbox-$name.log")
	echo "# boot $name: exited with status $(cat "$DIR/$name.rc") after $((end - start)) s"
	echo "# stdout: $(head -c 300 "$DIR/$name.out" | tr '\n' '|')"
	echo "# stderr: $(head -c 300 "$DIR/$name.err" | tr '\n' '|')"
	! _linux_hang_again "sandbox-$name" "$LINUX_LOG_DIR/sandbox-$name.log" \
		"$attempt"
}

# is NAME FILE-SUFFIX WANT DESCRIPTION: $DIR/NAME.SUFFIX is exactly WANT.
is() {
	[ -n "$_linux_skip" ] && { linux_result 0 "$4"; return 0; }
	[ "$(cat "$DIR/$1.$2" 2>/dev/null)" = "$3" ]
	linux_result $? "$4"
}

mkdir -p "$DIR/work"
echo "made on the host" >"$DIR/work/host-file"
cat >"$DIR/work/job.sh" <<'EOF'
#!/bin/sh
# Its stdout's terminal canonical and echoing (as curses programs set
# theirs): its stdin's bytes must not meet that line discipline.
stty icanon echo <&1 || echo "stty failed"
: >stty-done
echo "stdin: $(sha256sum | cut -d ' ' -f 1)"
read -r line <host-file
echo "out"
echo "err" >&2
echo "host-file: $line"
echo "uid $(id -u) gid $(id -g) cwd $PWD home $HOME"
echo "hostname $(hostname)"
echo "env: [$LKVM_T_GIVEN] [$LKVM_T_TAKEN] [${LKVM_T_SECRET-unset}]"
echo "written by the guest" >guest-file
echo "overlay" >/etc/lkvm-sandbox-test && echo "etc writable"
flock -n locked true || echo "flock: refused while the host holds the lock"
flock -n free true && echo "flock: granted on a free file"
./mmap-share shared.bin
exit 7
EOF
chmod 0755 "$DIR/work/job.sh"
: >"$DIR/work/locked"
: >"$DIR/work/free"
{ printf 'written by the host'; head -c 8173 /dev/zero; } >"$DIR/work/shared.bin"
gcc -O2 -Wall -o "$DIR/work/mmap-share" "$HOST_DIR/mmap-share.c" ||
	linux_skip "the host's gcc cannot build tests/linux/host/mmap-share.c"
# A host process holds a POSIX lock on "locked" while the guest runs.
if [ -z "$_linux_skip" ]; then
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(3600)' "$DIR/work/locked" "$DIR/lock-held" &
	LOCK_PID=$!
	for _ in $(seq 50); do [ -e "$DIR/lock-held" ] && break; sleep 0.1; done
	rm -f "$DIR/lock-held"
fi

# The command's stdin: every byte a terminal's line discipline would eat
# or change (Ctrl-a x, Ctrl-c, Ctrl-d, Ctrl-s, CR, NUL, DEL) and 256 KiB
# more, more than a pipe or the console's buffers hold; its end too. It
# comes once the command has set its stdout's terminal (stty-done).
{ printf 'first line\n\001x\003\004\023\r\n\000\177\377'
  head -c 262144 /dev/urandom; } >"$DIR/stdin.bin"
mkfifo "$DIR/stdin.fifo"
if [ -z "$_linux_skip" ]; then
	(for _ in $(seq 3000); do
		[ -e "$DIR/work/stty-done" ] && break
		sleep 0.2
	 done
	 cat "$DIR/stdin.bin") >"$DIR/stdin.fifo" &
fi
LKVM_T_TAKEN="from lkvm's environment" LKVM_T_SECRET=x \
SANDBOX_STDIN=$DIR/stdin.fifo sandbox basic --name "sbx-$$" \
	--env "LKVM_T_GIVEN=a b=c" -e LKVM_T_TAKEN -- ./job.sh
[ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2>/dev/null
LOCK_PID=
is basic rc 7 "lkvm sandbox exits with the command's status (7)"
is basic status "command 7" "--status-file says 'command 7'"
if [ -z "$_linux_skip" ]; then
	# lkvm's own diagnostics ("lkvm: ...") share its stderr.
	[ "$(grep -v '^lkvm: ' "$DIR/basic.err")" = err ]
	linux_result $? "stderr carries the command's stderr, and only that"
	[ "$(head -n 1 "$DIR/basic.out")" = \
	  "stdin: $(sha256sum <"$DIR/stdin.bin" | cut -d ' ' -f 1)" ]
	linux_result $? "stdin carries lkvm's piped input to the command, every byte, and its end (its stdout's terminal canonical)"
	[ "$(sed -n 2p "$DIR/basic.out")" = out ]
	linux_result $? "stdout carries the command's stdout, raw (no CR)"
	! grep -q $'\r' "$DIR/basic.out"
	linux_result $? "... without a carriage return"
	grep -qx "host-file: made on the host" "$DIR/basic.out"
	linux_result $? "the command reads the host's file in its cwd"
	grep -qx "uid $(id -u) gid $(id -g) cwd $DIR/work home $HOME" \
		"$DIR/basic.out"
	linux_result $? "it runs as the invoking user, in the same directory, with HOME"
	grep -qx "hostname sbx-$$" "$DIR/basic.out"
	linux_result $? "the guest's host name is the VM's name"
	grep -qx "env: \[a b=c\] \[from lkvm's environment\] \[unset\]" \
		"$DIR/basic.out"
	linux_result $? "--env NAME=VALUE and --env NAME reach the command; other variables do not"
	[ "$(cat "$DIR/work/guest-file" 2>/dev/null)" = "written by the guest" ]
	linux_result $? "the host sees the file the guest wrote in cwd"
	[ "$(stat -c %u "$DIR/work/guest-file" 2>/dev/null)" = "$(id -u)" ]
	linux_result $? "... owned by the invoking user"
	grep -qx "etc writable" "$DIR/basic.out" &&
		[ ! -e /etc/lkvm-sandbox-test ]
	linux_result $? "/ is writable in the guest (overlay), the host's /etc untouched"
	grep -q "Run /init as init process" "$LINUX_LOG_DIR/sandbox-basic.log"
	linux_result $? "--console-log has the kernel's log"
	grep -qx "flock: refused while the host holds the lock" "$DIR/basic.out"
	linux_result $? "flock in the guest is refused on a file the host holds locked"
	grep -qx "flock: granted on a free file" "$DIR/basic.out"
	linux_result $? "... and granted on a file nobody holds"
	grep -qx "mmap-share: ok" "$DIR/basic.out"
	linux_result $? "a MAP_SHARED write in the guest reads back through the file"
	[ "$(dd if="$DIR/work/shared.bin" bs=1 skip=4096 count=32 2>/dev/null)" = \
	  "written through a shared mapping" ]
	linux_result $? "... and the host finds it in the file after lkvm exits"
else
	for t in "stderr" "stdin" "stdout" "no CR" "host file" "user" "hostname" \
		 "env" "guest file" "owner" \
		 "overlay" "console log" "flock refused" "flock granted" "mmap" \
		 "mmap host"; do
		linux_result 0 "$t"
	done
fi

if [ "${LKVM_LINUX_ALL:-0}" = 1 ] && [ "$(id -u)" = 0 ]; then
	sandbox panic -- sh -c 'echo c >/proc/sysrq-trigger'
	is panic rc 3 "a guest panic ends lkvm sandbox with status 3"
	is panic status "guest-panic 3" "... and the status file says guest-panic 3"

	export LKVM_HOME=$DIR/home
	if [ -z "$_linux_skip" ]; then
		"$LKVM_ABS" setup t >"$DIR/setup.out" 2>&1
		linux_result $? "lkvm setup t"
		[ -x "$DIR/home/t/virt/init" ] && [ -L "$DIR/home/t/usr" ]
		linux_result $? "... makes LKVM_HOME/t with virt/init and usr -> host/usr"
	else
		linux_result 0 "lkvm setup t"
		linux_result 0 "... makes LKVM_HOME/t"
	fi
	[ -n "$_linux_skip" ] ||
		linux_run setup "$LKVM" run --name t -k "$LINUX_BZIMAGE" \
			"${ARGS[@]}" -p '-- /bin/sh -c "echo lkvm-setup-ok; exit 5"' \
			--status-file "$DIR/setup.status"
	expect_log setup 'lkvm-init: running /bin/sh' \
		"lkvm run --name t boots the setup root's init"
	expect_log setup '^lkvm-setup-ok' \
		"... which runs the command after '--' with the host's /bin/sh"
	expect_log setup 'lkvm-init: /bin/sh exited with status 5' \
		"... and says its status"
	expect_exit_status setup 0 "... and powers off when it ends"
	is setup status "guest-exit 0" "... which the status file calls guest-exit 0"

	if [ -z "$_linux_skip" ]; then
		echo "# boot pty: lkvm sandbox on a pseudo-terminal, no command"
		# SHELL=/bin/sh: the invoking user's bash would first run their
		# ~/.bashrc (pyenv's init here: minutes of processes in the guest).
		(cd "$DIR/work" &&
		 SHELL=/bin/sh python3 "$HOST_DIR/pty-session.py" "$LINUX_TIMEOUT" \
			"$DIR/pty.transcript" -- "$LKVM_ABS" sandbox \
			-k "$LINUX_BZIMAGE" "${ARGS[@]}" \
			--console-log "$_linux_top/$LINUX_LOG_DIR/sandbox-pty.log")
		echo $? >"$DIR/pty.rc"
		_linux_boots+=("$LINUX_LOG_DIR/sandbox-pty.log")
		echo "# transcript: $(tail -c 300 "$DIR/pty.transcript" | tr -d '\r' | tr '\n' '|')"
		grep -q 'pty-marker-42' "$DIR/pty.transcript"
		linux_result $? "lkvm sandbox on a terminal, no command: a shell runs what is typed"
	else
		linux_result 0 "pty shell"
	fi
	is pty rc 4 "... and its 'exit 4' is lkvm's exit status"

	# In a terminal's background (a shell's `lkvm sandbox ... &`), with
	# and without --jail: the terminal is neither read nor changed (no
	# SIGTTIN/SIGTTOU stop, though a line is typed at it), the command's
	# stdin is empty at once, lkvm ends by itself (pty-background.py).
	if [ -z "$_linux_skip" ]; then
		jail=$(mktemp -d /tmp/lkvm-jail.XXXXXX)
		chmod 755 "$jail"
		for how in bg bg-jail; do
			extra=()
			[ "$how" = bg-jail ] &&
				extra=(--jail "$jail" --jail-user nobody)
			echo "# boot $how: lkvm sandbox ${extra[*]} in a terminal's background"
			# shellcheck disable=SC2016 # $(wc -c) is the guest's
			(cd / && python3 "$HOST_DIR/pty-background.py" \
				"$LINUX_TIMEOUT" -- "$LKVM_ABS" sandbox \
				-k "$LINUX_BZIMAGE" "${ARGS[@]}" -n mode=none \
				"${extra[@]}" --console-log \
				"$_linux_top/$LINUX_LOG_DIR/sandbox-$how.log" \
				-- sh -c 'echo "stdin: $(wc -c)"' \
				>"$DIR/$how.out" 2>"$DIR/$how.err")
			echo $? >"$DIR/$how.rc"
			_linux_boots+=("$LINUX_LOG_DIR/sandbox-$how.log")
			echo "# $how: status $(cat "$DIR/$how.rc"), stdout: $(head -c 200 "$DIR/$how.out" | tr '\n' '|'), stderr: $(head -c 300 "$DIR/$how.err" | tr '\n' '|')"
		done
		rmdir "$jail"
	fi
	is bg rc 0 "lkvm sandbox in a terminal's background: not stopped, ends by itself, status 0"
	is bg out "stdin: 0" "... the command's stdin empty at once"
	is bg-jail rc 0 "... with --jail too: not stopped, ends by itself, status 0"
	is bg-jail out "stdin: 0" "... with --jail, the command's stdin empty at once"
else
	for t in "panic status" "panic status file" "setup" "setup tree" \
		 "run --name boots" "host's sh" "its status" "powers off" \
		 "status file" "pty shell" "pty status" "bg status" "bg stdin" \
		 "bg jail status" "bg jail stdin"; do
		linux_skip_one "$t" "LKVM_LINUX_ALL=1 (make check-linux) or not root"
	done
fi

linux_done
