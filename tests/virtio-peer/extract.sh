#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract the few files of Debian's linux-source-6.1 that the virtio peer
# test compiles (drivers/virtio/virtio_ring.c with the tools/virtio shims)
# into $1 (a cache under build/), once. Exit 0 when they are there; else
# write the reason to $1/skip-reason and exit 1.
set -u
out=$1
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
top=linux-source-6.1
stamp=$out/extracted.stamp

mkdir -p "$out"
rm -f "$out/skip-reason"
if [ -f "$stamp" ] && [ "$stamp" -nt "$tarball" ]; then
	exit 0
fi
if [ ! -r "$tarball" ]; then
	echo "$tarball not found (Debian package linux-source-6.1)" \
		>"$out/skip-reason"
	exit 1
fi
if ! command -v xz >/dev/null; then
	echo "xz not installed (Debian package xz-utils)" >"$out/skip-reason"
	exit 1
fi
rm -rf "${out:?}/$top"
if ! tar -C "$out" -xJf "$tarball" --wildcards \
	"$top/tools/virtio/*" "$top/tools/include/*" \
	"$top/drivers/virtio/virtio_ring.c" \
	"$top/include/linux/kconfig.h" \
	"$top/include/linux/byteorder/generic.h" \
	"$top/include/linux/virtio_byteorder.h" \
	"$top/include/linux/irqreturn.h" \
	"$top/include/linux/kern_levels.h" \
	"$top/include/linux/virtio_ring.h" \
	"$top/include/uapi/linux/virtio_types.h" \
	"$top/include/uapi/linux/virtio_config.h" \
	"$top/include/uapi/linux/virtio_ring.h" 2>"$out/tar.log"; then
	echo "extracting from $tarball failed: $(head -c 200 "$out/tar.log")" \
		>"$out/skip-reason"
	exit 1
fi
touch "$stamp"
