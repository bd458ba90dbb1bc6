# SPDX-License-Identifier: GPL-2.0
# Sourced by the stand-in tests of tests/nested/: numbered TAP lines, and
# $failed for the script's exit status.
n=0
failed=0
ok() {	# ok STATUS DESCRIPTION [DETAIL]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
		failed=1
	fi
}
