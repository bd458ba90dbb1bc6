#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Makefile as a packager uses it: CC/CFLAGS/CPPFLAGS/LDFLAGS from the
# command line and the environment added to (not replacing) the
# project's flags, ARCH from the host, the link libraries, make install /
# uninstall under DESTDIR and PREFIX, a build from a git archive tarball
# with a VERSION file (and make VERSION=, rebuilding what prints it), the
# package lists of make run and make check, and COPYING. Prints TAP.
# suite-timeout: 900
set -u
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# Run from make check: the parent make's command-line variables and the
# user's flags must not leak into the makes run here.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES CC AR CFLAGS CPPFLAGS \
	LDFLAGS VERSION ARCH CROSS_COMPILE PREFIX DESTDIR
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/lib/tap.sh"

has() { # has WORDS WORD: WORD is one of the space-separated WORDS
	case " $1 " in *" $2 "*) return 0 ;; esac
	return 1
}
m() { make --no-print-directory -s "$@" 2>&1; }

# Flags
out=$(m print-CFLAGS CFLAGS=-O0)
has "$out" -O0 && has "$out" -Werror && has "$out" -Wall && ! has "$out" -O2
ok $? "make CFLAGS=-O0: -O0 with -Wall -Werror, no -O2" "$out"

out=$(CFLAGS='-O1 -fstack-protector-strong' m print-CFLAGS)
has "$out" -fstack-protector-strong && has "$out" -O1 && has "$out" -Werror
ok $? "CFLAGS from the environment kept, project flags added" "$out"

out=$(m print-CFLAGS)
has "$out" -O2 && has "$out" -g
ok $? "CFLAGS default: -O2 -g" "$out"

line=$(m -n -B build/lib/log.o CPPFLAGS=-D_FORTIFY_SOURCE=2 \
	CFLAGS=-O1 | grep -- '-o build/lib/log.o')
has "$line" -D_FORTIFY_SOURCE=2 && has "$line" -Iinclude &&
	has "$line" -O1 && has "$line" -Werror
ok $? "CPPFLAGS reaches the compile beside -Iinclude" "$line"

line=$(m -n -B lkvm LDFLAGS='-Wl,-z,now' | grep -- '-o lkvm ')
has "$line" -Wl,-z,now && has "$line" -luring && has "$line" -lz &&
	has "$line" -lpthread
ok $? "LDFLAGS and -lpthread -luring -lz on lkvm's link" "$line"

line=$(m -n -B build/tests/unit/pci LDFLAGS=-Wl,-z,relro |
	grep -- '-o build/tests/unit/pci ')
has "$line" -Wl,-z,relro
ok $? "LDFLAGS on a unit test's link" "$line"

out=$(m print-CC CC=clang-14)
[ "$out" = clang-14 ]
ok $? "make CC=clang-14 is used" "$out"
out=$(CC=my-cc m print-CC)
[ "$out" = my-cc ]
ok $? "CC from the environment is used" "$out"
out=$(m print-CC ARCH=s390x)
[ "$out" = s390x-linux-gnu-gcc ]
ok $? "make's default cc gives way to the cross compiler" "$out"

# ARCH
host=$(uname -m)
case $host in aarch64) want=arm64 ;; *) want=$host ;; esac
out=$(m print-ARCH)
[ "$out" = "$want" ]
ok $? "ARCH defaults to the host's ($host -> $want)" "$out"
out=$(m print-ARCH ARCH=aarch64)
[ "$out" = arm64 ]
ok $? "ARCH=aarch64 means arm64" "$out"
r=1
out=$(m print-ARCH ARCH=mips) || r=0
[ $r -eq 0 ] && printf '%s' "$out" | grep -q "unknown ARCH 'mips'"
ok $? "an unknown ARCH is refused" "$out"
out=$(m print-LDLIBS ARCH=arm64)
has "$out" -lfdt && has "$out" -luring
ok $? "arm64 links libfdt" "$out"
line=$(m -n -B lkvm ARCH=arm64 | grep -- ' -o [^ ]*lkvm ')
printf '%s' "$line" | grep -q -- '-o build/arm64/lkvm ' &&
	! printf '%s' "$line" | grep -q -- '-o lkvm '
ok $? "make ARCH=arm64 lkvm links build/arm64/lkvm, not ./lkvm" "$line"
out=$(m -n clean ARCH=s390x)
[ "$out" = "rm -rf build/s390x build/s390x/lkvm" ]
ok $? "make ARCH=s390x clean leaves ./lkvm (the host's)" "$out"
line=$(m -n install ARCH=arm64 DESTDIR=/nonexistent | grep 'bin/lkvm$')
has "$line" build/arm64/lkvm
ok $? "make ARCH=arm64 install installs build/arm64/lkvm" "$line"

# Packages: make run's and make check's
run=$(m print-run-packages)
chk=$(m print-check-packages)
r=0
for p in gcc make libc6-dev libfdt-dev liburing-dev zlib1g-dev binutils; do
	has "$run" "$p" || r=1
done
ok $r "make run's packages: the build and the demo guest's" "$run"
r=0
for p in qemu-system-x86 qemu-user-static gcc-s390x-linux-gnu fio \
	linux-source-6.1 clang-14 acpica-tools; do
	has "$chk" "$p" || r=1
	has "$run" "$p" && r=1
done
ok $r "test tool chain only in make check's packages" "run: $run
check: $chk"
r=0
for p in $run; do has "$chk" "$p" && r=1; done
ok $r "the two lists do not overlap" "run: $run
check: $chk"
line=$(m -n run | grep 'scripts/deps.sh')
[ -n "$line" ] && ! has "$line" fio && ! has "$line" qemu-system-x86
ok $? "make run installs only its packages" "$line"
line=$(m -n check | grep 'scripts/deps.sh')
has "$line" fio && has "$line" gcc
ok $? "make check installs all of them" "$line"

# install / uninstall
if [ -x lkvm ] && file -b lkvm | grep -q "$(uname -m | tr _ -)"; then
	d=$tmp/dest
	out=$(m install DESTDIR="$d" PREFIX=/usr)
	r=$?
	for f in usr/bin/lkvm usr/bin/kpq; do
		[ -x "$d/$f" ] || r=1
	done
	for f in usr/share/man/man1/lkvm.1 usr/share/man/man1/kpq.1; do
		[ -f "$d/$f" ] && [ ! -x "$d/$f" ] || r=1
	done
	cmp -s lkvm "$d/usr/bin/lkvm" || r=1
	ok $r "make install DESTDIR=... PREFIX=/usr: lkvm, kpq, their man pages" \
		"$out
$(find "$d" | sort)"
	"$d/usr/bin/kpq" help >/dev/null 2>&1 || "$d/usr/bin/kpq" --help \
		>/dev/null 2>&1
	ok $? "the installed kpq runs"
	out=$(m uninstall DESTDIR="$d" PREFIX=/usr)
	r=$?
	left=$(find "$d" ! -type d)
	[ $r -eq 0 ] && [ -z "$left" ]
	ok $? "make uninstall leaves no file behind" "$out
$left"
else
	skip "make install DESTDIR=... PREFIX=/usr" "lkvm not built for this host"
	skip "the installed kpq runs" "lkvm not built for this host"
	skip "make uninstall leaves no file behind" "lkvm not built for this host"
fi

# COPYING
grep -q 'GNU GENERAL PUBLIC LICENSE' COPYING &&
	grep -q 'Version 2, June 1991' COPYING &&
	grep -qr 'SPDX-License-Identifier: GPL-2.0' Makefile vmm
ok $? "COPYING holds the GPL-2.0 the SPDX lines name"

# A release tarball: git archive of the working tree, a VERSION file.
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	for t in "tarball build" "tarball without VERSION" "make VERSION=" \
		"same VERSION" ; do
		skip "$t" "not in a git checkout"
	done
	tap_plan
	exit 0
fi
rev=$(git stash create 2>/dev/null)
src=$tmp/src
mkdir -p "$src"
git archive "${rev:-HEAD}" | tar -x -C "$src"
echo 1.2.3-pkgtest >"$src/VERSION"
out=$(cd "$src" && nice make --no-print-directory -j2 lkvm 2>&1)
v=$("$src/lkvm" version 2>&1)
[ "$v" = "lkvm version 1.2.3-pkgtest" ]
ok $? "a git archive tarball with VERSION builds, lkvm version prints it" \
	"$(printf '%s\n' "$out" | tail -n 5)
$v"
out=$(cd "$src" && make --no-print-directory lkvm VERSION=1.2.4 2>&1)
v=$("$src/lkvm" version 2>&1)
[ "$v" = "lkvm version 1.2.4" ] &&
	printf '%s\n' "$out" | grep -q -- '-o build/vmm/main.o' &&
	! printf '%s\n' "$out" | grep -q -- '-o build/lib/log.o'
ok $? "make VERSION=1.2.4 rebuilds main.o (only) and lkvm prints it" \
	"$out
$v"
out=$(cd "$src" && make --no-print-directory lkvm VERSION=1.2.4 2>&1)
! printf '%s\n' "$out" | grep -q -- '-o '
ok $? "the same VERSION again rebuilds nothing" "$out"
rm -f "$src/VERSION"
out=$(cd "$src" && make --no-print-directory lkvm 2>&1)
v=$("$src/lkvm" version 2>&1)
[ "$v" = "lkvm version unknown" ]
ok $? "a tarball without VERSION: unknown" "$v"

tap_plan
