#!/bin/bash
# The I/O thread never blocks on the console (issue 13, item 4): with the
# guest flooding a console whose stdout nobody reads (a 4 KiB pipe never
# read), SIGTERM still ends lkvm promptly, through the serial port and
# through virtio-console; and a slow reader still gets every byte, in
# order (the guest is held back, nothing is dropped).
. "$(dirname "$0")/lib.sh"

HELPER="$(dirname "$0")/console-flood.py"
# Generous: the stop itself takes milliseconds, the last output is given
# up on after 0.5 s without the reader taking any.
BOUND_MS=5000

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
[ -z "$why" ] && ! command -v python3 >/dev/null && why="python3 is not installed"
if [ -n "$why" ]; then
	for m in serial virtio; do
		skip "SIGTERM ends lkvm with $m output unread" "$why"
		skip "a slow reader gets every byte of $m output" "$why"
	done
	done_testing
	exit
fi

run_args() { # MODE COUNT
	local con=()

	[ "$1" = virtio ] && con=(--console virtio)
	echo "$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 "${con[@]}" \
		-p "test=flood:$1:$2"
}

for m in serial virtio; do
	# shellcheck disable=SC2046
	res=$(python3 "$HELPER" unread 3 -- $(run_args "$m" 0) 2>"$TMP/err")
	ms=$(sed -n 's/^exit_ms=\([0-9]*\) .*/\1/p' <<<"$res")
	if [ -n "$ms" ] && [ "$ms" -lt "$BOUND_MS" ] && ! grep -q 'rc=-9' <<<"$res"; then
		pass "SIGTERM ends lkvm with $m output unread: $ms ms (bound $BOUND_MS)"
	else
		fail "SIGTERM ends lkvm with $m output unread ($res)"
		sed 's/^/#   err: /' "$TMP/err" | head -20
	fi
done

# Slow readers: nothing read for a while (the guest fills the pipe and
# the 64 KiB buffer and is held back), then small reads with pauses.
# The serial port moves about 25 KB/s on a host that emulates CPL0.
for spec in "serial 131072 6 4096 0.02" "virtio 1048576 2 16384 0.01"; do
	set -- $spec
	# shellcheck disable=SC2046
	res=$(python3 "$HELPER" slow "$2" "$3" "$4" "$5" -- \
		$(run_args "$1" "$2") 2>"$TMP/err")
	if grep -qE '^bytes=([0-9]+) want=\1 crc=([0-9a-f]+) wantcrc=\2 rc=0 ' <<<"$res"; then
		pass "a slow reader gets every byte of $1 output ($res)"
	else
		fail "a slow reader gets every byte of $1 output ($res)"
		sed 's/^/#   err: /' "$TMP/err" | head -20
	fi
done
done_testing
