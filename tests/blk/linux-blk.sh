#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Linux's own virtio_blk on lkvm: an ext4 file system made on the host with
# mkfs.ext4 is the root (rdinit= names no file in the initramfs, so the
# kernel mounts root= itself; no init exists on it, so the kernel then
# panics and panic=-1 restarts the machine, ending lkvm). Two boots, one
# after the other (about 2 minutes each on kvm_pvm hosts; LINUX_TIMEOUT
# defaults to 600 s here):
#   pci:  vda = qcow2 image (root=/dev/vda ro), vdb = raw image, ro
#   mmio: vda = raw image, ro (root=/dev/vda rw: the kernel must fall back
#         to a read-only mount), vdb = qcow2 image
# Checks: each disk's size as virtio_blk reports it, the root mounts as
# ext4 read-only, and after lkvm exits e2fsck -n is clean on every image
# and qemu-img check is clean on the qcow2 ones. (Disk serials need user
# space, which cannot run on kvm_pvm hosts: the test guest's
# test=virtio-blk covers GET_ID.)
LINUX_TIMEOUT=${LINUX_TIMEOUT:-600}
. "$(dirname "$0")/../linux/lib.sh"

linux_require -c -m -d --virtio-transport
for tool in mkfs.ext4 e2fsck qemu-img; do
	command -v "$tool" >/dev/null ||
		linux_skip "$tool not installed (e2fsprogs, qemu-utils)"
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ -z "$_linux_skip" ]; then
	mkdir -p "$dir/root/etc"
	echo "lkvm virtio-blk root" >"$dir/root/etc/motd"
	{ mkfs.ext4 -q -F -L lkvmroot -d "$dir/root" "$dir/pci-b.raw" 24M &&
		mkfs.ext4 -q -F -L lkvmroot -d "$dir/root" "$dir/mmio-a.raw" 32M &&
		mkfs.ext4 -q -F -d "$dir/root" "$dir/tmp.raw" 40M; } >/dev/null &&
		qemu-img convert -q -f raw -O qcow2 "$dir/mmio-a.raw" "$dir/pci-a.qcow2" &&
		qemu-img convert -q -f raw -O qcow2 "$dir/tmp.raw" "$dir/mmio-b.qcow2" ||
		linux_skip "cannot make the images"
fi

base="console=ttyS0 earlyprintk=serial panic=-1 rdinit=/lkvm-no-such-init"
# shellcheck disable=SC2034 # read by linux_boot
LINUX_CMDLINE="$base root=/dev/vda ro"
linux_boot blk-pci -c 1 -m 256 --virtio-transport pci --loglevel info \
	-d "$dir/pci-a.qcow2,serial=lkvm-qcow2" \
	-d "$dir/pci-b.raw,ro,serial=lkvm-raw"
# shellcheck disable=SC2034 # read by linux_boot
LINUX_CMDLINE="$base root=/dev/vda rw"
linux_boot blk-mmio -c 1 -m 256 --virtio-transport mmio --loglevel info \
	-d "$dir/mmio-a.raw,ro" -d "$dir/mmio-b.qcow2"

blocks() { echo "virtio_blk virtio[0-9]+: \\[$1\\] $2 512-byte logical blocks"; }
expect_log blk-pci "$(blocks vda 65536)" \
	"pci: virtio_blk sees the qcow2 disk vda with 65536 sectors"
expect_log blk-pci "$(blocks vdb 49152)" \
	"pci: virtio_blk sees the raw disk vdb with 49152 sectors"
expect_log blk-pci 'EXT4-fs \(vda\): mounted filesystem' \
	"pci: ext4 mounts vda (qcow2)"
expect_log blk-pci 'VFS: Mounted root \(ext4 filesystem\) readonly on device 254:0' \
	"pci: root=/dev/vda ro is the qcow2 image's ext4"
expect_log blk-mmio "$(blocks vda 65536)" \
	"mmio: virtio_blk sees the raw disk vda with 65536 sectors"
expect_log blk-mmio "$(blocks vdb 81920)" \
	"mmio: virtio_blk sees the qcow2 disk vdb with 81920 sectors"
expect_log blk-mmio 'VFS: Mounted root \(ext4 filesystem\) readonly on device 254:0' \
	"mmio: root=/dev/vda rw on the read-only raw disk mounts read-only"
expect_no_log blk-pci 'lkvm: .*(needs reset|bad |malformed|failed)' \
	"pci: Linux's driver trips none of lkvm's checks"
expect_no_log blk-mmio 'lkvm: .*(needs reset|bad |malformed|failed)' \
	"mmio: Linux's driver trips none of lkvm's checks"

if [ -z "$_linux_skip" ]; then
	clean=0
	for img in pci-b.raw mmio-a.raw; do
		e2fsck -fn "$dir/$img" >"$dir/fsck.out" 2>&1 ||
			{ clean=1; sed 's/^/# /' "$dir/fsck.out"; }
	done
	for img in pci-a.qcow2 mmio-b.qcow2; do
		qemu-img check -q "$dir/$img" || clean=1
		qemu-img convert -q -O raw "$dir/$img" "$dir/view.raw" &&
			e2fsck -fn "$dir/view.raw" >"$dir/fsck.out" 2>&1 ||
			{ clean=1; sed 's/^/# /' "$dir/fsck.out"; }
	done
	linux_result "$clean" "after lkvm exits: e2fsck -n clean on all four images, qemu-img check clean on both qcow2"
else
	linux_result 0 "after lkvm exits: images clean"
fi
linux_done
