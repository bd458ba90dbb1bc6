#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unit tests of kernel-patches/kpq on sample queues and mboxes made here
# with git: good, malformed, misordered, wrong diffstat, duplicate,
# imports, pull/format text, bad bases, and apply on a small fake base.
# Prints TAP.
set -u
LC_ALL=C
export LC_ALL
here=$(cd "$(dirname "$0")" && pwd)
kpq=${KPQ:-$here/../../kernel-patches/kpq}
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

if ! command -v git >/dev/null 2>&1; then
	echo "1..0 # SKIP git is not installed (make deps)"
	exit 0
fi

w=$(mktemp -d) || exit 1
trap 'rm -rf "$w"' EXIT
export KPQ_CACHE="$w/cache"
export HOME="$w/home"
mkdir -p "$HOME"
G() {
	git -c user.name="Ada Author" -c user.email=ada@example.invalid \
		-c core.abbrev=12 -c init.defaultBranch=main "$@"
}

# --- a tiny source tree with a history to make patches from
src=$w/src
mkdir -p "$src"
(
	cd "$src" || exit 1
	G init -q .
	i=1
	while [ $i -le 60 ]; do
		echo "int line$i = $i;"
		i=$((i + 1))
	done >lib.c
	printf 'all:\n\ttrue\n' >Makefile
	G add . && G commit -q -m "base"
	G tag base
	sed -i 's/^int line5 = 5;/int line5 = 50;/' lib.c
	G commit -q -a -m "lib: Make line5 fifty

line5 must be fifty for the frobnicator, which reads it as a count.

Signed-off-by: Ada Author <ada@example.invalid>"
	sed -i 's/^int line40 = 40;/int line40 = 400;\nint line40b = 41;/' lib.c
	G commit -q -a -m "lib: Add line40b next to line40

The table wants a second entry after line40; add it and scale line40.

Fixes: 0123456789ab (\"lib: Add the table\")
Signed-off-by: Ada Author <ada@example.invalid>"
	sed -i 's/^int line20 = 20;/int line20 = 21;/' lib.c
	G -c user.name="Bo Builder" -c user.email=bo@example.invalid \
		commit -q -a -m "lib: Bump line20

line20 was off by one.

Signed-off-by: Bo Builder <bo@example.invalid>"
) || { echo "Bail out! cannot make the sample repository"; exit 1; }

# A queue folder Q with the first N patches of the history.
mkqueue() { # mkqueue DIR N
	rm -rf "$1"
	mkdir -p "$1"
	(cd "$src" && G format-patch -q --no-numbered -o "$1" base..main) ||
		exit 1
	k=0
	for p in "$1"/*.patch; do
		k=$((k + 1))
		[ "$k" -le "$2" ] || rm -f "$p"
	done
	: >"$1/series"
	for p in "$1"/*.patch; do
		[ -e "$p" ] && echo "${p##*/}" >>"$1/series"
	done
	cat >"$1/BASE" <<EOF
PACKAGE=kpq-test-base
VERSION=1.0-1
TARBALL=$w/base.tar.xz
SHA256=$basesum
SRCDIR=linux-test
EOF
}
(cd "$src" && G archive --prefix=linux-test/ base) | xz >"$w/base.tar.xz"
basesum=$(sha256sum "$w/base.tar.xz" | cut -d' ' -f1)

run() { # run ARGS...: output in $out, status in $st
	out=$("$kpq" "$@" 2>&1)
	st=$?
}
has() { printf '%s\n' "$out" | grep -q -e "$1"; }

# --- check
q=$w/q
mkqueue "$q" 2
run -q "$q" check
ok $(( st != 0 )) "check: a good queue passes" "$out"
has "2 patches ok"; ok $? "check: counts the patches" "$out"

mkqueue "$q" 2
sed -i '/^Subject:/d' "$q/0001-"*.patch
run -q "$q" check
has "0001-.*no Subject: header"
ok $(( st == 0 || $? )) "check: malformed patch (no Subject) fails, naming it" "$out"

mkqueue "$q" 2
sed -i '/^+int line5 = 50;$/d' "$q/0001-"*.patch
run -q "$q" check
has "0001-.*hunk 1 of lib.c"
ok $(( st == 0 || $? )) "check: truncated hunk fails, naming patch and hunk" "$out"

mkqueue "$q" 2
printf '%s\n' 0002-lib-Add-line40b-next-to-line40.patch \
	0001-lib-Make-line5-fifty.patch >"$q/series"
run -q "$q" check
has "misordered"
ok $(( st == 0 || $? )) "check: misordered series fails" "$out"

mkqueue "$q" 2
sed -i 's/^ lib.c | 3 ++-$/ lib.c | 4 ++-/' "$q/0002-"*.patch
run -q "$q" check
has "0002-.*diffstat says lib.c has 4 changed lines, the diff has 3"
ok $(( st == 0 || $? )) "check: wrong diffstat fails" "$out"

mkqueue "$q" 2
sed -i 's/^ 1 file changed, 2 insertions(+), 1 deletion(-)$/ 1 file changed, 3 insertions(+), 1 deletion(-)/' "$q/0002-"*.patch
run -q "$q" check
has "0002-.*diffstat total"
ok $(( st == 0 || $? )) "check: wrong diffstat total fails" "$out"

mkqueue "$q" 2
cp "$q/0001-lib-Make-line5-fifty.patch" "$q/0003-lib-Make-line5-fifty-again.patch"
echo 0003-lib-Make-line5-fifty-again.patch >>"$q/series"
run -q "$q" check
has "0003-.*duplicate of 0001-"
ok $(( st == 0 || $? )) "check: duplicate patch fails" "$out"

mkqueue "$q" 2
sed -i '/^0002-/d' "$q/series"
run -q "$q" check
has "0002-.*not in series"
ok $(( st == 0 || $? )) "check: patch missing from series fails" "$out"

mkqueue "$q" 2
echo 0003-lib-Nothing.patch >>"$q/series"
run -q "$q" check
has "0003-lib-Nothing.patch does not exist"
ok $(( st == 0 || $? )) "check: series naming a missing file fails" "$out"

mkqueue "$q" 2
sed -i 's/^\(Signed-off-by: Ada Author <ada@example.invalid>\)$/\1\nReviewed-by: Bo Builder <bo@example.invalid>/' "$q/0001-"*.patch
run -q "$q" check
has "0001-.*Signed-off-by is not the last tag"
ok $(( st == 0 || $? )) "check: Signed-off-by not last fails" "$out"

mkqueue "$q" 2
sed -i '/^Signed-off-by:/d' "$q/0001-"*.patch
run -q "$q" check
has "0001-.*no Signed-off-by"
ok $(( st == 0 || $? )) "check: missing Signed-off-by fails" "$out"

mkqueue "$q" 2
sed -i 's/^Fixes: 0123456789ab /Fixes: 0123456 /' "$q/0002-"*.patch
run -q "$q" check
has "0002-.*malformed tag (want Fixes"
ok $(( st == 0 || $? )) "check: Fixes: with fewer than 12 hex digits fails" "$out"

mkqueue "$q" 2
sed -i 's/^Fixes: \(.*\) ("lib: Add the table")$/Fixes: \1 lib: Add the table/' "$q/0002-"*.patch
run -q "$q" check
has "0002-.*malformed tag"
ok $(( st == 0 || $? )) "check: Fixes: without the quoted subject fails" "$out"

mkqueue "$q" 2
sed -i 's/^Subject: \[PATCH\] lib: Make line5 fifty$/Subject: [PATCH] lib: Make line5 fifty because the frobnicator reads it as a count of widgets/' "$q/0001-"*.patch
run -q "$q" check
has "0001-.*more than 75"
ok $(( st == 0 || $? )) "check: subject over 75 characters fails" "$out"

mkqueue "$q" 2
sed -i '1d' "$q/0001-"*.patch
run -q "$q" check
has "0001-.*line 1 is not"
ok $(( st == 0 || $? )) "check: missing format-patch From line fails" "$out"

# --- import
mkqueue "$q" 1
(cd "$src" && G format-patch -q --stdout -1 main~1) >"$w/one.mbox"
run -q "$q" import "$w/one.mbox"
tail -n 1 "$q/series" | grep -qx '0002-lib-Add-line40b-next-to-line40.patch'
ok $(( st == 0 && $? == 0 ? 0 : 1 )) "import: one message is appended with a normalised name" "$out"
run -q "$q" check
ok $st "import: the queue still checks" "$out"

mkqueue "$q" 0
(cd "$src" && G format-patch -q --stdout --cover-letter -v5 -n base..main~1) >"$w/v5.mbox"
# Reorder: patch 2 before patch 1, as mail archives sometimes do.
awk -v out="$w/part" '/^From [0-9a-f]+ Mon Sep 17/ { k++ } { print > (out k) }' "$w/v5.mbox"
cat "$w/part1" "$w/part3" "$w/part2" >"$w/v5r.mbox"
run -q "$q" import "$w/v5r.mbox"
printf '%s\n' 0001-lib-Make-line5-fifty.patch 0002-lib-Add-line40b-next-to-line40.patch |
	cmp -s - "$q/series"
ok $(( st == 0 && $? == 0 ? 0 : 1 )) "import: [PATCH v5 n/2] series with cover letter, out of order" "$out" "$(cat "$q/series")"
grep -q '^Subject: \[PATCH\] lib: Make line5 fifty$' "$q/0001-lib-Make-line5-fifty.patch"
ok $? "import: subject normalised to [PATCH]"
run -q "$q" check
ok $st "import: imported series checks" "$out"

mkqueue "$q" 1
cp "$q/series" "$w/series.before"
printf 'this is not\nan mbox at all\n' >"$w/junk.mbox"
run -q "$q" import "$w/junk.mbox"
has "junk.mbox"
ok $(( st == 0 || $? )) "import: malformed mbox fails, naming the file" "$out"
cmp -s "$q/series" "$w/series.before"
ok $? "import: malformed mbox leaves series alone"

sed '/^Signed-off-by:/d' "$w/one.mbox" >"$w/nosob.mbox"
run -q "$q" import "$w/nosob.mbox"
has "nosob.mbox.*not a well-formed patch"
ok $(( st == 0 || $? )) "import: a patch without Signed-off-by is refused" "$out"
st2=0
for f in "$q"/0002*; do
	[ ! -e "$f" ] || st2=1
done
ok "$st2" "import: nothing written after a refusal"

cat "$w/part1" "$w/part2" >"$w/incomplete.mbox"
run -q "$q" import "$w/incomplete.mbox"
has "patch 2/2 is missing"
ok $(( st == 0 || $? )) "import: incomplete numbered series fails" "$out"

(cd "$src" && G format-patch -q --stdout -1 main~2) >"$w/dup.mbox"
run -q "$q" import "$w/dup.mbox"
has "duplicates 0001-"
ok $(( st == 0 || $? )) "import: duplicate of a queued patch fails" "$out"

run -q "$q" import "$w/does-not-exist.mbox"
has "does-not-exist.mbox: no such file"
ok $(( st == 0 || $? )) "import: missing file fails, naming it" "$out"

# --- pull and format
mkqueue "$q" 3
run -q "$q" pull
has "^The following changes since the pinned base:"; a=$?
has "^  kpq-test-base 1.0-1 "; b=$?
has "^Ada Author (2):"; c=$?
has "^Bo Builder (1):"; d=$?
has "^ lib.c | 7 ++++---$"; e=$?
has "^ 1 file changed, 4 insertions(+), 3 deletions(-)$"; f=$?
ok $((st + a + b + c + d + e + f)) "pull: base, shortlog by author with counts, combined diffstat" "$out"
has "^lib:$"; ok $? "pull: summary grouped by subsystem" "$out"

run -q "$q" format -o "$w/out" -v 2
a=1
[ -f "$w/out/0000-cover-letter.patch" ] &&
	grep -q '^Subject: \[PATCH v2 0/3\] ' "$w/out/0000-cover-letter.patch" &&
	grep -q '^Subject: \[PATCH v2 2/3\] lib: Add line40b next to line40$' \
		"$w/out/0002-lib-Add-line40b-next-to-line40.patch" &&
	grep -q '^In-Reply-To: <' "$w/out/0003-lib-Bump-line20.patch" && a=0
ok $((st + a)) "format: cover letter and numbered, threaded patches" "$out"
grep -q '^Bo Builder (1):' "$w/out/0000-cover-letter.patch"
ok $? "format: the cover letter carries the shortlog"

# --- bases
mkqueue "$q" 2
sed -i "s|^TARBALL=.*|TARBALL=$w/missing.tar.xz|" "$q/BASE"
run -q "$q" checkpatch
has "missing.tar.xz: missing"
ok $(( st == 0 || $? )) "checkpatch: missing base package fails, naming the file" "$out"

mkqueue "$q" 2
sed -i "s|^SHA256=.*|SHA256=$(printf '%064d' 0)|" "$q/BASE"
run -q "$q" apply "$w/tree"
has "not the pinned base.*--any-base"
ok $(( st == 0 || $? )) "apply: a different base is refused unless asked" "$out"

mkqueue "$q" 3
run -q "$q" apply "$w/tree"
c=$(git -C "$w/tree" rev-list --count HEAD 2>/dev/null)
ok $(( st != 0 || c != 4 )) "apply: the series applied in order with git am" "$out" "commits: $c"
git -C "$w/tree" log -1 --format=%an 2>/dev/null | grep -qx "Bo Builder"
ok $? "apply: authorship kept (git am semantics)"

mkqueue "$q" 2
awk '/^@@ -2,7 \+2,7 @@/ { print "@@ -12,7 +12,7 @@"; next } { print }' \
	"$q/0001-lib-Make-line5-fifty.patch" >"$w/p" &&
	mv "$w/p" "$q/0001-lib-Make-line5-fifty.patch"
run -q "$q" apply "$w/tree"
has "0001-lib-Make-line5-fifty.patch: hunk #1 of lib.c applies only 10 lines away"
ok $(( st == 0 || $? )) "apply: an offset beyond a few lines fails, naming patch and hunk" "$out"

mkqueue "$q" 2
sed -i 's/^ int line41 = 41;$/ int line41 = 42;/' "$q/0002-lib-Add-line40b-next-to-line40.patch"
run -q "$q" apply "$w/tree"
has "0002-lib-Add-line40b-next-to-line40.patch: hunk #1 of lib.c does not apply"
ok $(( st == 0 || $? )) "apply: a hunk needing fuzz fails, naming patch and hunk" "$out"

# --- checkpatch exceptions, with a stand-in checkpatch.pl in a fake base
mkdir -p "$w/fake/linux-test/scripts"
# shellcheck disable=SC2016
printf '%s\n' '#!/usr/bin/perl' \
	'# Stand-in: one warning of type FAKE_TYPE unless it is ignored.' \
	'my $ign = join(",", @ARGV);' \
	'if ($ign =~ /FAKE_TYPE/) {' \
	'	print "total: 0 errors, 0 warnings, 0 checks, 1 lines checked\n";' \
	'} else {' \
	'	print "WARNING:FAKE_TYPE: fake\ntotal: 0 errors, 1 warnings, 0 checks, 1 lines checked\n";' \
	'}' >"$w/fake/linux-test/scripts/checkpatch.pl"
: >"$w/fake/linux-test/scripts/spelling.txt"
: >"$w/fake/linux-test/scripts/const_structs.checkpatch"
tar -C "$w/fake" -cJf "$w/fake.tar.xz" linux-test
fakesum=$(sha256sum "$w/fake.tar.xz" | cut -d' ' -f1)
mkqueue "$q" 2
sed -i "s|^TARBALL=.*|TARBALL=$w/fake.tar.xz|;s|^SHA256=.*|SHA256=$fakesum|" "$q/BASE"
run -q "$q" checkpatch
has "0001-.*checkpatch --strict: 0 errors, 1 warnings"
ok $(( st == 0 || $? )) "checkpatch: a warning fails the patch" "$out"
sed -i 's/^---$/---\n\nNotes:\n    Kpq-checkpatch-ignore: FAKE_TYPE the stand-in always warns here/' \
	"$q/0001-"*.patch "$q/0002-"*.patch
run -q "$q" checkpatch
ok $st "checkpatch: a justified exception excuses its type" "$out"
run -q "$q" check
ok $st "check: notes with an exception keep the patch well-formed" "$out"
sed -i 's/^    Kpq-checkpatch-ignore: FAKE_TYPE .*/    Kpq-checkpatch-ignore: FAKE_TYPE/' "$q/0002-"*.patch
run -q "$q" checkpatch
has "0002-.*exception for FAKE_TYPE has no justification"
ok $(( st == 0 || $? )) "checkpatch: an exception without justification fails" "$out"

# --- claims: their form (kpq check)
mkqueue "$q" 2
notes() { # notes FILE CLAIM...: notes with these Kpq-claim lines
	f=$1
	shift
	for c in "$@"; do
		printf '%s\n' "$c"
	done | awk -v f="$f" '
		FILENAME == "-" { c[++n] = $0; next }
		!done && $0 == "---" {
			print; print ""; print "Notes:"
			for (i = 1; i <= n; i++) print "    Kpq-claim: " c[i]
			done = 1; next
		}
		{ print }' - "$f" >"$f.new" && mv "$f.new" "$f"
}
claim() { # claim PATCH-GLOB CLAIM...: in the queue $q
	f=$1
	shift
	# shellcheck disable=SC2086
	notes "$q"/$f "$@"
}
claim "0001-*" "passes guest:userspace" "on pvm-native: passes guest:userspace"
claim "0002-*" "reports kvm:x86_64/foo Unexpected exit [0-9]+: .*" \
	"passes nested:single_step"
run -q "$q" check
[ "$(cat "$q"/*.patch | grep -c '^    Kpq-claim: ')" -eq 4 ]
ok $((st + $?)) "check: well-formed claims, with a host kind, a regex with spaces, a nested test" "$out"
for bad in "fails guest:userspace|unknown kind 'fails'" \
	"passes qemu:boot|unknown suite in 'qemu:boot'" \
	"passes guest|no test in 'guest'" \
	"reports kvm:x86_64/foo|reports needs a regular expression" \
	"on vmx: passes guest:userspace|unknown host kind 'vmx'" \
	"passes guest:userspace if pvm-native|unexpected 'if pvm-native'" \
	"passes nested:../x86/single_step|'../x86/single_step' is not a selftest name (nested:NAME)" \
	"passes nested|no test in 'nested'"; do
	mkqueue "$q" 2
	claim "0002-*" "${bad%%|*}"
	run -q "$q" check
	has "0002-.*malformed Kpq-claim: ${bad%%|*}: ${bad#*|}"
	ok $(( st == 0 || $? )) "check: malformed claim '${bad%%|*}' fails, saying why" "$out"
done

# --- the guest suite: kpq test and kernel-check with fake runners on a
# fake kernel tree whose "build" is tools/virtio's Makefile.
gsrc=$w/gsrc
mkdir -p "$gsrc/tools/virtio" "$gsrc/tools/testing/selftests/kvm"
(
	cd "$gsrc" || exit 1
	G init -q .
	printf 'all:\n\ttrue\nheaders:\n\ttrue\n' >Makefile
	# A KVM selftest "hello" that passes once tools/virtio/state says
	# fixed; OUTPUT is set as the kernel's lib.mk sets it.
	printf '%s\n' 'all:' \
		'	$(MAKE) -C $(TARGETS) OUTPUT=$(CURDIR)/$(TARGETS)' \
		>tools/testing/selftests/Makefile
	printf '%s\n' 'ifeq (0,$(MAKELEVEL))' 'OUTPUT := $(shell pwd)' 'endif' \
		'TEST_GEN_PROGS := $(OUTPUT)/hello' 'all: $(TEST_GEN_PROGS)' \
		'$(TEST_GEN_PROGS):' \
		"	printf '#!/bin/sh\\ngrep -q fixed \"\$\$(dirname \"\$\$0\")/../../../virtio/state\"\\n' >\$@ && chmod +x \$@" \
		>tools/testing/selftests/kvm/Makefile
	printf '%s\n' 'virtio_test vringh_test:' \
		"	printf '#!/bin/sh\\\\nexit 0\\\\n' >\$@ && chmod +x \$@" \
		>tools/virtio/Makefile
	echo "the guest's user space dies on its first system call" >tools/virtio/state
	G add . && G commit -q -m "base"
	G tag base
	echo "fixed" >tools/virtio/state
	G commit -q -a -m "virtio: Fix the guest

The fake guest runs user space once this says fixed.

Signed-off-by: Ada Author <ada@example.invalid>"
	echo "fixed, and noted" >tools/virtio/state
	G commit -q -a -m "virtio: Note the fix

A second change, for a claim tied to a host kind.

Signed-off-by: Ada Author <ada@example.invalid>"
) || { echo "Bail out! cannot make the guest sample repository"; exit 1; }
(cd "$gsrc" && G archive --prefix=linux-test/ base) | xz >"$w/gbase.tar.xz"
gsum=$(sha256sum "$w/gbase.tar.xz" | cut -d' ' -f1)

gq=$w/gq
mkgqueue() { # mkgqueue CLAIM1 CLAIM2 [CLAIM1b]: claims of patches 1 and 2
	rm -rf "$gq"
	mkdir -p "$gq"
	(cd "$gsrc" && G format-patch -q --no-numbered -o "$gq" base..main) ||
		exit 1
	for p in "$gq"/*.patch; do
		echo "${p##*/}"
	done >"$gq/series"
	notes "$gq"/0001-*.patch "$1" ${3:+"$3"}
	notes "$gq"/0002-*.patch "$2"
	cat >"$gq/BASE" <<EOB
PACKAGE=kpq-test-base
VERSION=1.0-1
TARBALL=$w/gbase.tar.xz
SHA256=$gsum
SRCDIR=linux-test
EOB
}

# The fake runner: FAKE_GUEST says what it finds; each call is logged.
cat >"$w/guest-runner" <<'EOR'
#!/bin/sh
echo "$1" >>"$FAKE_GUEST_CALLS"
[ -d "$2" ] || exit 1
case "$FAKE_GUEST" in
skip) echo "userspace skip no read/write access to /dev/kvm" ;;
both) echo "userspace 0" ;;
nobuild)
	if grep -q fixed "$1/tools/virtio/state"; then
		echo "userspace 0"
	else
		echo "userspace notbuilt the guest kernel did not build"
	fi ;;
*)
	if grep -q fixed "$1/tools/virtio/state"; then
		echo "userspace 0"
	else
		echo "userspace 1 Kernel panic - not syncing: Attempted to kill init!; lkvm exit status 3"
	fi ;;
esac
EOR
chmod +x "$w/guest-runner"
# The nested suite's: FAKE_NESTED says what it finds; each call's
# arguments are logged.
cat >"$w/nested-runner" <<'EOR'
#!/bin/sh
echo "$*" >>"$FAKE_NESTED_CALLS"
[ -d "$2" ] || exit 1
t=$1
shift 2
for n in "$@"; do
	case "$FAKE_NESTED" in
	skip) echo "$n skip qemu-system-x86_64 not found" ;;
	*)
		if grep -q fixed "$t/tools/virtio/state"; then
			echo "$n 0"
		elif [ "$FAKE_NESTED" = nobuild ]; then
			echo "$n notbuilt the host kernel did not build"
		else
			echo "$n 1 not ok 1 $n: no debug exit after 'MMIO store'"
		fi ;;
	esac
done
EOR
chmod +x "$w/nested-runner"
export FAKE_GUEST_CALLS="$w/guest-calls" FAKE_NESTED_CALLS="$w/nested-calls"
# The KVM selftests' runner needs a /dev/kvm it can open: a file stands in
# (the sample "selftests" need no KVM), so that the results do not depend
# on this host's.
: >"$w/kvm"
gk() { # gk ARGS: kpq with the fake runners, output in $out, status in $st
	: >"$FAKE_GUEST_CALLS"
	: >"$FAKE_NESTED_CALLS"
	out=$(KPQ_CACHE="$w/gcache" KPQ_GUEST_RUNNER="$w/guest-runner" \
		KPQ_KVM_DEV="${KPQ_KVM_DEV:-$w/kvm}" \
		KPQ_NESTED_RUNNER="$w/nested-runner" "$kpq" -q "$gq" "$@" 2>&1)
	st=$?
	calls=$(wc -l <"$FAKE_GUEST_CALLS")
	ncalls=$(wc -l <"$FAKE_NESTED_CALLS")
}

mkgqueue "passes guest:userspace" "on pvm-native: passes guest:userspace" \
	"passes kvm:hello"
# As make kernel-check runs it: inside a make.
FAKE_GUEST=normal KPQ_HOST_KINDS=pvm-native MAKELEVEL=1 MAKEFLAGS=s gk \
	kernel-check
has "0001-.*: shown: passes kvm:hello \[unpatched: fail(1), patched: pass\]"
ok $? "kernel-check inside a make: the KVM selftests run where they were built" "$out"
has "0001-.*: shown: passes guest:userspace \[unpatched: fail(1) (Kernel panic - not syncing: Attempted to kill init!; lkvm exit status 3), patched: pass\]"; a=$?
has "0002-.*: shown: on pvm-native: passes guest:userspace"; b=$?
last=$(printf '%s\n' "$out" | tail -n 1)
ok $((st + a + b)) "kernel-check: a guest claim shows when the patched tree runs user space and the unpatched does not" "$out"
is() { [ "$2" = "$3" ]; ok $? "$1" "got: $2" "want: $3"; }
is "kernel-check: the last line counts them" "$last" \
	"2 patches: 2 applied, 2 built, 2 showed their claim"
is "kernel-check: the guest runner ran once per tree" "$calls" 2
grep -qx "$w/gcache/tree-unpatched" "$FAKE_GUEST_CALLS"
ok $? "kernel-check: the unpatched tree the runner got is kpq's" "$(cat "$FAKE_GUEST_CALLS")"

FAKE_GUEST=normal KPQ_HOST_KINDS=pvm-native KPQ_KVM_DEV="$w/no-kvm" gk \
	kernel-check
has "0001-.*: cannot be shown on this host: passes kvm:hello \[unpatched: cannot run here (no read/write access to $w/no-kvm), patched: cannot run here (no read/write access to $w/no-kvm)\]"
ok $? "kernel-check: without /dev/kvm a KVM selftest claim cannot be shown, with the reason" "$out"

# hello is built in both trees: the claim is judged on that, KVM or not.
mkgqueue "builds kvm:hello" "on pvm-native: passes guest:userspace"
FAKE_GUEST=normal KPQ_HOST_KINDS=pvm-native KPQ_KVM_DEV="$w/no-kvm" gk \
	kernel-check
has "0001-.*: NOT shown: builds kvm:hello \[unpatched: built, patched: built\]"
ok $? "kernel-check: without /dev/kvm a builds claim is still judged on the build" "$out"
mkgqueue "passes guest:userspace" "on pvm-native: passes guest:userspace" \
	"passes kvm:hello"
git -C "$w/gcache/tree-unpatched" diff --quiet HEAD 2>/dev/null &&
	[ "$(git -C "$w/gcache/tree-unpatched" rev-parse 'HEAD^{tree}')" = \
	  "$(git -C "$w/gcache/tree" rev-parse 'kpq-base^{tree}')" ]
ok $? "test: the unpatched tree is in git, the same tree as the patched one's base"

FAKE_GUEST=normal KPQ_HOST_KINDS="" gk kernel-check
has "0002-.*: cannot be shown on this host: on pvm-native: passes guest:userspace \[needs a pvm-native host (KVM is kvm_pvm with pvm_native=Y); this one is not\]"; a=$?
is "kernel-check: a claim tied to a host kind this host is not cannot be shown, and says so" \
	"$(printf '%s\n' "$out" | tail -n 1)|$st|$a" \
	"2 patches: 2 applied, 2 built, 1 showed their claim, 1 cannot be shown on this host|0|0"

mkgqueue "builds virtio:vringh_test" "on pvm-native: passes guest:userspace"
FAKE_GUEST=normal KPQ_HOST_KINDS="" gk test
is "test: the guest suite does not run when no claim can show here" "$calls" 0

mkgqueue "passes guest:userspace" "on pvm-native: passes guest:userspace"
FAKE_GUEST=skip KPQ_HOST_KINDS=pvm-native gk kernel-check
has "0001-.*cannot be shown on this host: passes guest:userspace \[unpatched: cannot run here (no read/write access to /dev/kvm), patched: cannot run here (no read/write access to /dev/kvm)\]"; a=$?
is "kernel-check: a runner that cannot boot guests here (no /dev/kvm): cannot be shown, with the reason" \
	"$(printf '%s\n' "$out" | tail -n 1)|$st|$a" \
	"2 patches: 2 applied, 2 built, 0 showed their claim, 2 cannot be shown on this host|0|0"

FAKE_GUEST=both KPQ_HOST_KINDS=pvm-native gk kernel-check
has "0001-.*NOT shown: passes guest:userspace \[unpatched: pass, patched: pass\]"; a=$?
is "kernel-check: user space running in both trees does not show the claim, and fails" \
	"$(printf '%s\n' "$out" | tail -n 1)|$(( st != 0 ))|$a" \
	"2 patches: 2 applied, 2 built, 0 showed their claim|1|0"

FAKE_GUEST=nobuild KPQ_HOST_KINDS=pvm-native gk test
has "0001-.*NOT shown: passes guest:userspace \[unpatched: not built (the guest kernel did not build), patched: pass\]"
ok $(( st == 0 || $? )) "test: an unpatched guest kernel that did not build shows nothing" "$out"


: >"$FAKE_GUEST_CALLS"
out=$(KPQ_CACHE="$w/gcache" KPQ_RUNNER=true KPQ_HOST_KINDS=pvm-native \
	"$kpq" -q "$gq" test 2>&1)
st=$?
has "0001-.*NOT shown: passes guest:userspace \[no guest runner: KPQ_GUEST_RUNNER is not set and $w/tests/linux/kpq-guest.sh does not exist\]"
ok $(( st == 0 || $? )) "test: without a guest runner a guest claim is not shown, and kpq says why" "$out"

# --- the nested suite: claims about the KVM host, through the fake runner
mkgqueue "passes nested:single_step" "passes nested:single_step" \
	"passes nested:other"
FAKE_NESTED=normal gk kernel-check
has "0001-.*: shown: passes nested:single_step \[unpatched: fail(1) (not ok 1 single_step: no debug exit after 'MMIO store'), patched: pass\]"; a=$?
has "0002-.*: shown: passes nested:single_step"; b=$?
is "kernel-check: a nested claim shows when the selftest passes on the patched tree's host kernel only" \
	"$(printf '%s\n' "$out" | tail -n 1)|$st|$a|$b|$calls" \
	"2 patches: 2 applied, 2 built, 2 showed their claim|0|0|0|0"
is "kernel-check: the nested runner ran once per tree, with each named test once" \
	"$(sed "s|^$w/gcache/||" "$FAKE_NESTED_CALLS" | cut -d' ' -f1,3- | sort | tr '\n' ';')" \
	"tree single_step other;tree-unpatched single_step other;"

FAKE_NESTED=skip gk kernel-check
has "0001-.*cannot be shown on this host: passes nested:single_step \[unpatched: cannot run here (qemu-system-x86_64 not found), patched: cannot run here (qemu-system-x86_64 not found)\]"; a=$?
is "kernel-check: without QEMU a nested claim cannot be shown, with the reason" \
	"$(printf '%s\n' "$out" | tail -n 1)|$st|$a" \
	"2 patches: 2 applied, 2 built, 0 showed their claim, 2 cannot be shown on this host|0|0"

FAKE_NESTED=nobuild gk test
has "0001-.*NOT shown: passes nested:single_step \[unpatched: not built (the host kernel did not build), patched: pass\]"
ok $(( st == 0 || $? )) "test: an unpatched host kernel that did not build shows nothing" "$out"

mkgqueue "builds virtio:vringh_test" "builds virtio:vringh_test"
FAKE_NESTED=normal gk test
is "test: the nested suite does not run when no claim names it" "$ncalls" 0

# --- a base that is a link to a shared tree: copied, never written
lk=$w/lk
mkdir -p "$lk/scripts" "$lk/shared"
tar -xJf "$w/gbase.tar.xz" -C "$lk/shared"
ln -s "$lk/shared/linux-test" "$lk/linked-base"
printf '#!/bin/sh\necho %s\n' "$lk/linked-base" >"$lk/scripts/kernel-base.sh"
chmod +x "$lk/scripts/kernel-base.sh"
cp -r "$gq" "$lk/q"
out=$(KPQ_CACHE="$w/lkcache" "$kpq" -q "$lk/q" apply 2>&1)
st=$?
[ ! -e "$lk/shared/linux-test/.git" ] && [ ! -L "$w/lkcache/tree" ] &&
	[ -d "$w/lkcache/tree/.git" ] &&
	! grep -q fixed "$lk/shared/linux-test/tools/virtio/state"
ok $((st + $?)) "apply: a base reached through a link is copied; the shared tree stays untouched" "$out"

# --- the tool itself
if command -v shellcheck >/dev/null 2>&1; then
	o=$(shellcheck -s sh "$kpq" 2>&1)
	ok $? "kpq is shellcheck-clean" "$o"
else
	skip "kpq is shellcheck-clean" "shellcheck is not installed"
fi

tap_done
