#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# peer-watch.sh [-s SECONDS] [-e REGEX] [-k SECONDS] -- COMMAND [ARGS...]
#
# Runs a peer VMM for a benchmark, passing its standard input through and
# its standard output and error (merged) to standard output, and ends it
# as soon as it is of no more use to the benchmark:
#   - a line of its output matches the extended REGEX (default: what QEMU
#     prints when KVM cannot emulate an instruction: it then stops the VM
#     but keeps running), or
#   - it prints nothing for SECONDS (default 60).
# Ending is SIGTERM, then SIGKILL after -k SECONDS (default 5) if it is
# still there. Exit status: the command's own when it ended by itself,
# 122 when it was ended for a matching line, 123 when for its silence,
# 2 for bad usage; a line "peer-watch: ..." on standard error says why
# it ended the command.
set -u
silence=60
grace=5
regex='KVM internal error|emulation failure|kvm run failed'

usage() {
	echo "peer-watch: $1" >&2
	echo "usage: peer-watch.sh [-s SECONDS] [-e REGEX] [-k SECONDS] -- COMMAND [ARGS...]" >&2
	exit 2
}
is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]] && [ "${#1}" -le 6 ]; }

while [ $# -gt 0 ]; do
	case $1 in
	-s) [ $# -ge 2 ] || usage "-s needs a value"
	    is_count "$2" || usage "bad -s '$2': a whole number of seconds, 1 to 999999"
	    silence=$2; shift 2 ;;
	-k) [ $# -ge 2 ] || usage "-k needs a value"
	    is_count "$2" || usage "bad -k '$2': a whole number of seconds, 1 to 999999"
	    grace=$2; shift 2 ;;
	-e) [ $# -ge 2 ] || usage "-e needs a value"
	    [ -n "$2" ] || usage "empty -e regex"
	    regex=$2; shift 2 ;;
	--) shift; break ;;
	*) usage "unknown argument '$1'" ;;
	esac
done
[ $# -ge 1 ] || usage "no command"
command -v -- "$1" >/dev/null || usage "command '$1' not found"

dir=$(mktemp -d "${TMPDIR:-/tmp}/peer-watch.XXXXXX") || exit 2
mkfifo "$dir/out" || { rm -rf "$dir"; exit 2; }
# The explicit <&0: a background job's standard input would be /dev/null.
"$@" <&0 >"$dir/out" 2>&1 &
pid=$!
exec 3<"$dir/out"
rm -rf "$dir"
# Whoever ends us (timeout(1), ^C) ends the peer too.
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 143' TERM
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 130' INT

end_peer() {	# COMMAND REASON STATUS
	local i
	echo "peer-watch: $2: ending $1 (pid $pid)" >&2
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < grace * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	exit "$3"
}

# A line may arrive in parts (a read that timed out returns what it has):
# the regex sees it whole.
part=
while :; do
	line=
	IFS= read -r -t "$silence" line <&3
	rc=$?
	if [ "$rc" = 0 ]; then
		printf '%s\n' "$line"
		line=$part$line
		part=
		[[ $line =~ $regex ]] &&
			end_peer "$1" "it reported: ${line:0:120}" 122
		continue
	fi
	if [ -n "$line" ]; then
		printf '%s' "$line"
		part+=$line
		[ "$rc" -gt 128 ] && continue
	fi
	[ "$rc" -gt 128 ] && end_peer "$1" "no output for $silence s" 123
	break	# end of file: the peer closed its output
done
exec 3<&-
wait "$pid"
