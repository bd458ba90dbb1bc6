#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 3000
#
# lkvm sandbox with the lean guest kernel, stdin and stdout not terminals
# (as in CI). One boot in make check: a script in a fresh current
# directory (a script as CMD, found through PATH-less ./) reads a file the
# host made there, writes one, prints "out" on stdout and "err" on stderr,
# and exits 7; lkvm must exit 7 with out and err apart, the status file
# must say "command 7", and after lkvm the host must see the guest's file,
# owned by the invoking user. The host's root is read-only for the guest
# but writable through the overlay (a write to /etc stays in the guest).
#
# LKVM_LINUX_ALL=1 (make check-linux) adds two boots: a guest panic
# (status 3, "guest-panic 3"), and `lkvm setup` + `lkvm run --name`
# running a command given after "--" (the host's /bin/sh through the
# setup root's links into /host).
# A busy host stretches the boot's minutes of emulated kernel code.
LINUX_TIMEOUT=${LINUX_TIMEOUT:-900}
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

ARGS=(-c 1 -m 256)
LKVM_ABS=$(cd "$(dirname "$LKVM")" && pwd)/$(basename "$LKVM")
DIR=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-sandbox.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

linux_require -c -m --console-log --status-file
linux_require_kernel
if [ -z "$_linux_skip" ] && ! "$LKVM" help sandbox >/dev/null 2>&1; then
	linux_skip "lkvm has no sandbox command"
fi

# sandbox NAME ARGS... -- CMD...: run lkvm sandbox in $DIR/work with
# stdout, stderr, status and the status file kept apart.
sandbox() {
	local name=$1 start end
	shift
	[ -n "$_linux_skip" ] && return 0
	mkdir -p "$LINUX_LOG_DIR"
	# (sandbox-NAME.log: boot-basic.sh's basic.log is another suite's.)
	echo "# boot $name: lkvm sandbox $*"
	start=$(date +%s)
	(cd "$DIR/work" &&
	 timeout --kill-after=10 "$LINUX_TIMEOUT" "$LKVM_ABS" sandbox \
		-k "$LINUX_BZIMAGE" "${ARGS[@]}" \
		--console-log "$_linux_top/$LINUX_LOG_DIR/sandbox-$name.log" \
		--status-file "$DIR/$name.status" "$@" \
		</dev/null >"$DIR/$name.out" 2>"$DIR/$name.err")
	echo $? >"$DIR/$name.rc"
	end=$(date +%s)
	_linux_boots+=("$LINUX_LOG_DIR/sandbox-$name.log")
	echo "# boot $name: exited with status $(cat "$DIR/$name.rc") after $((end - start)) s"
	echo "# stdout: $(head -c 300 "$DIR/$name.out" | tr '\n' '|')"
	echo "# stderr: $(head -c 300 "$DIR/$name.err" | tr '\n' '|')"
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
read -r line <host-file
echo "out"
echo "err" >&2
echo "host-file: $line"
echo "uid $(id -u) gid $(id -g) cwd $PWD home $HOME"
echo "written by the guest" >guest-file
echo "overlay" >/etc/lkvm-sandbox-test && echo "etc writable"
exit 7
EOF
chmod 0755 "$DIR/work/job.sh"

sandbox basic -- ./job.sh
is basic rc 7 "lkvm sandbox exits with the command's status (7)"
is basic status "command 7" "--status-file says 'command 7'"
if [ -z "$_linux_skip" ]; then
	# lkvm's own diagnostics ("lkvm: ...") share its stderr.
	[ "$(grep -v '^lkvm: ' "$DIR/basic.err")" = err ]
	linux_result $? "stderr carries the command's stderr, and only that"
	[ "$(head -n 1 "$DIR/basic.out")" = out ]
	linux_result $? "stdout carries the command's stdout, raw (no CR)"
	! grep -q $'\r' "$DIR/basic.out"
	linux_result $? "... without a carriage return"
	grep -qx "host-file: made on the host" "$DIR/basic.out"
	linux_result $? "the command reads the host's file in its cwd"
	grep -qx "uid $(id -u) gid $(id -g) cwd $DIR/work home $HOME" \
		"$DIR/basic.out"
	linux_result $? "it runs as the invoking user, in the same directory, with HOME"
	[ "$(cat "$DIR/work/guest-file" 2>/dev/null)" = "written by the guest" ]
	linux_result $? "the host sees the file the guest wrote in cwd"
	[ "$(stat -c %u "$DIR/work/guest-file" 2>/dev/null)" = "$(id -u)" ]
	linux_result $? "... owned by the invoking user"
	grep -qx "etc writable" "$DIR/basic.out" &&
		[ ! -e /etc/lkvm-sandbox-test ]
	linux_result $? "/ is writable in the guest (overlay), the host's /etc untouched"
	grep -q "Run /init as init process" "$LINUX_LOG_DIR/sandbox-basic.log"
	linux_result $? "--console-log has the kernel's log"
else
	for t in "stderr" "stdout" "no CR" "host file" "user" "guest file" "owner" \
		 "overlay" "console log"; do
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
else
	for t in "panic status" "panic status file" "setup" "setup tree" \
		 "run --name boots" "host's sh" "its status" "powers off" \
		 "status file"; do
		linux_skip_one "$t" "LKVM_LINUX_ALL=1 (make check-linux) or not root"
	done
fi

linux_done
