#!/bin/sh
# Install the Debian packages named on the command line that are missing.
# As root this runs apt-get; otherwise it prints the command and fails.
set -u
missing=""
native=$(dpkg --print-architecture)
for pkg in "$@"; do
	# With foreign architectures added (make deps ARCH=...), a name can
	# match one package per architecture: the native or "all" one counts.
	dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "$pkg" 2>/dev/null |
		grep -qE "^installed ($native|all)$" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "lkvm: missing packages:$missing" >&2
	echo "lkvm: run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "lkvm: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq $missing >/dev/null; then
	apt-get update -qq >/dev/null || exit 1
	apt-get install -y -qq $missing >/dev/null || exit 1
fi
