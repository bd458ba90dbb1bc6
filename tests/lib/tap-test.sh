#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/lib/tap.sh on stand-in suites, under dash and bash: the exact
# lines each helper prints, tap_done's status, tap_skip_all's exit, and
# tests/run.sh's count of them. Its own TAP lines are written here, not
# with the helpers under test: a broken ok() must not report itself fine.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0

# report STATUS NAME GOT WANT: the check, and on failure both texts.
report() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; return; fi
	echo "not ok $n - $2"
	printf 'got:\n%s\nwanted:\n%s\n' "$3" "$4" | sed 's/^/# /'
	bad=1
}

# A suite with a check of each kind, a failure's diagnostics among them.
cat >"$tmp/mixed" <<EOF
. "$top/tests/lib/tap.sh"
ok 0 "first passes"
ok 1 "second fails" "a diagnostic
of two lines" "" "and a third"
echo "ok's status \$?"
skip "third skips" "no disk here"
ok 3 "fourth fails too"
tap_line "not ok" "fifth # TODO expected here"
ok 0 'sixth passes, \\n and \\t as written'
echo "counted \$tap_n, \$tap_failed failed"
tap_done
EOF
want_mixed='ok 1 - first passes
not ok 2 - second fails
# a diagnostic
# of two lines
# and a third
ok'"'"'s status 1
ok 3 - third skips # SKIP no disk here
not ok 4 - fourth fails too
not ok 5 - fifth # TODO expected here
ok 6 - sixth passes, \n and \t as written
counted 6, 2 failed
1..6'

# A suite that cannot run here: nothing after tap_skip_all runs.
cat >"$tmp/skip-all" <<EOF
. "$top/tests/lib/tap.sh"
tap_skip_all "the suite" "no disk here"
ok 1 "after the skip"
EOF
want_skip_all='ok 1 - the suite # SKIP no disk here
1..1'

cat >"$tmp/pass" <<EOF
. "$top/tests/lib/tap.sh"
ok 0 "one"
skip "two" "not here"
tap_done
EOF
want_pass='ok 1 - one
ok 2 - two # SKIP not here
1..2'

for sh in dash bash; do
	if ! command -v "$sh" >/dev/null; then
		n=$((n + 1))
		echo "ok $n - under $sh # SKIP $sh is not installed"
		continue
	fi
	out=$("$sh" "$tmp/mixed" 2>&1); rc=$?
	[ "$out" = "$want_mixed" ]
	report $? "$sh: ok, skip, tap_line and tap_done print what run.sh reads" \
		"$out" "$want_mixed"
	[ "$rc" -eq 1 ]
	report $? "$sh: tap_done's status is 1 after a failed check" \
		"status $rc" "status 1"
	out=$("$sh" "$tmp/pass" 2>&1); rc=$?
	[ "$out" = "$want_pass" ] && [ "$rc" -eq 0 ]
	report $? "$sh: without a failure (a skip is none) tap_done's status is 0" \
		"$out (status $rc)" "$want_pass (status 0)"
	out=$("$sh" "$tmp/skip-all" 2>&1); rc=$?
	[ "$out" = "$want_skip_all" ] && [ "$rc" -eq 0 ]
	report $? "$sh: tap_skip_all prints one skip and the plan, exits 0" \
		"$out (status $rc)" "$want_skip_all (status 0)"
done

# tests/run.sh, which make check runs, counts the stand-ins' lines: the
# TODO as a skip, the failing suite once per failed check.
printf '#!/bin/sh\nexec dash %s\n' "$tmp/mixed" >"$tmp/mixed.sh"
printf '#!/bin/sh\nexec dash %s\n' "$tmp/skip-all" >"$tmp/skip-all.sh"
chmod +x "$tmp/mixed.sh" "$tmp/skip-all.sh"
out=$(env -u NESTED_SUITES "$top/tests/run.sh" "$tmp/mixed.sh" \
	"$tmp/skip-all.sh" 2>&1)
sum=$(tail -n 1 <<<"$out")
[ "$sum" = "2 passed, 2 failed, 3 skipped" ]
report $? "tests/run.sh counts them: $sum" "$out" \
	"... 2 passed, 2 failed, 3 skipped"
! grep -q "skips name KVM" <<<"$out" || grep -q ": 0 skips name KVM" <<<"$out"
report $? "tests/run.sh counts none of their skips as for want of KVM" \
	"$out" "no skip naming KVM"

# Where /dev/kvm is missing: a skip names KVM by the word, not by "lkvm"
# in a path or a command (the nested smoke's, its L1 kernel not built).
cat >"$tmp/kvm-skips.sh" <<EOF
#!/bin/sh
echo "ok 1 - a VM # SKIP /dev/kvm does not exist"
echo "ok 2 - another # SKIP no KVM here"
echo "ok 3 - a kernel # SKIP not built (/root/.cache/lkvm/out): make lkvm"
echo "1..3"
EOF
chmod +x "$tmp/kvm-skips.sh"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	n=$((n + 1))
	echo "ok $n - tests/run.sh's skips that name KVM # SKIP counted only without /dev/kvm, which is here"
else
	out=$(env -u NESTED_SUITES "$top/tests/run.sh" "$tmp/kvm-skips.sh" 2>&1)
	grep -q ": 2 skips name KVM;" <<<"$out"
	report $? "tests/run.sh: 2 skips name KVM, not the one naming lkvm's path" \
		"$out" "... 2 skips name KVM; ..."
fi

echo "1..$n"
exit "$bad"
