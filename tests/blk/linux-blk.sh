#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 1500
#
# Linux's own virtio_blk on lkvm, checked from the guest's user space: two
# boots (about a minute each on kvm_pvm hosts), one per transport, each
# with three disks made on the host:
#   vda  raw, 2 MiB of random bytes, serial lkvm-data: the guest's sha256
#        of /dev/vda must be the host's; the guest writes a pattern at
#        1 MiB (dd conv=fsync) that the host finds after lkvm exits
#   vdb  raw ext4, read-only (-d ...,ro): Linux sees it read-only, a write
#        fails with EPERM, the file system mounts read-only and reads
#   vdc  qcow2 ext4: mounts read-write, the guest writes a file and
#        unmounts; after lkvm exits e2fsck is clean, qemu-img check is
#        clean and debugfs finds the file with its contents
# The pci boot ends when the script does (/init powers off), the mmio boot
# with `poweroff -f`; both must end lkvm with status 0. The mmio boot's
# vda has io=vcpu (Linux's lone requests run on its vCPU) and vdc
# io=auto (the same while they are quick; the qcow2's metadata writes
# with them). The host side of
# read-only (a write request gets VIRTIO_BLK_S_IOERR) is in
# tests/unit/virtio-blk.c.
LINUX_TIMEOUT=${LINUX_TIMEOUT:-600}
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/../linux/lib.sh"

linux_require -c -m -d --virtio-transport
linux_require_kernel
for tool in mkfs.ext4 e2fsck debugfs qemu-img sha256sum; do
	command -v "$tool" >/dev/null ||
		linux_skip "$tool not installed (e2fsprogs, qemu-utils)"
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# make_disks T: the three images of transport T, and its check script.
make_disks() {
	local t=$1 sum
	[ -n "$_linux_skip" ] && return 0
	mkdir -p "$dir/root/etc"
	echo "lkvm virtio-blk root" >"$dir/root/etc/motd"
	{ head -c 2M /dev/urandom >"$dir/$t-data.raw" &&
	  mkfs.ext4 -q -F -L lkvmro -d "$dir/root" "$dir/$t-ro.raw" 24M &&
	  mkfs.ext4 -q -F -L lkvmrw "$dir/tmp.raw" 40M &&
	  qemu-img convert -q -f raw -O qcow2 "$dir/tmp.raw" "$dir/$t-rw.qcow2"
	} >/dev/null || { linux_skip "cannot make the images"; return 0; }
	sum=$(sha256sum "$dir/$t-data.raw")
	{
		echo "T=$t"
		echo "WANT_SUM=${sum%% *}"
		echo "PATTERN=lkvm-pattern-$t-$$"
		echo "END='${2:-}'"
		cat <<'EOF'
. /lib/lkvm/tap.sh
s=$(sha256sum /dev/vda)
tap_is "vda reads back as the host wrote it (sha256 of 2 MiB)" "${s%% *}" "$WANT_SUM"
tap_is "vda's serial is the one -d gave" "$(cat /sys/block/vda/serial)" lkvm-data
printf '%s' "$PATTERN" >/tmp/pattern
check "a pattern written to vda at 1 MiB (dd conv=fsync)" \
	dd if=/tmp/pattern of=/dev/vda bs=512 seek=2048 conv=notrunc,fsync
tap_is "vdb (-d ...,ro) is read-only for Linux" "$(cat /sys/block/vdb/ro)" 1
dd if=/dev/zero of=/dev/vdb bs=512 count=1 2>/tmp/dd.err
case "$(cat /tmp/dd.err)" in
*"Operation not permitted"*) tap_ok "a write to vdb fails with EPERM" ;;
*) tap_not_ok "a write to vdb fails with EPERM"; tap_show /tmp/dd.err ;;
esac
mkdir -p /mnt/ro /mnt/rw
check "ext4 on vdb mounts read-only" mount -t ext4 -o ro /dev/vdb /mnt/ro
tap_is "and reads the host's file" "$(cat /mnt/ro/etc/motd)" \
	"lkvm virtio-blk root"
check "ext4 on the qcow2 vdc mounts read-write" mount -t ext4 /dev/vdc /mnt/rw
echo "$PATTERN" >/mnt/rw/written
check "a file written there, the file system unmounted" umount /mnt/rw
tap_done
$END
EOF
	} >"$dir/$t.check"
	linux_check_script "blk-$t" <"$dir/$t.check"
}

expect_disks() {	# T
	local t=$1 got want clean=0
	expect_guest_tap "blk-$t"
	expect_exit_status "blk-$t" 0 "$t: the guest's power-off ends lkvm with status 0"
	expect_no_log "blk-$t" 'lkvm: .*(needs reset|bad |malformed|failed)' \
		"$t: Linux's driver trips none of lkvm's checks"
	if [ -n "$_linux_skip" ]; then
		linux_result 0 "$t: the pattern is in vda's image"
		linux_result 0 "$t: after lkvm exits, the images are clean"
		linux_result 0 "$t: debugfs finds the guest's file in vdc"
		return
	fi
	want="lkvm-pattern-$t-$$"
	got=$(tail -c +$((1048576 + 1)) "$dir/$t-data.raw" | head -c ${#want})
	[ "$got" = "$want" ]
	linux_result $? "$t: the pattern the guest wrote is in vda's image at 1 MiB"
	e2fsck -fn "$dir/$t-ro.raw" >"$dir/fsck.out" 2>&1 ||
		{ clean=1; sed 's/^/# /' "$dir/fsck.out"; }
	qemu-img check -q "$dir/$t-rw.qcow2" || clean=1
	if ! qemu-img convert -q -O raw "$dir/$t-rw.qcow2" "$dir/view.raw"; then
		clean=1
	elif ! e2fsck -fn "$dir/view.raw" >"$dir/fsck.out" 2>&1; then
		clean=1
		sed 's/^/# /' "$dir/fsck.out"
	fi
	linux_result "$clean" "$t: after lkvm exits, e2fsck is clean on both ext4 images, qemu-img check on the qcow2"
	got=$(debugfs -R 'cat /written' "$dir/view.raw" 2>/dev/null)
	[ "$got" = "lkvm-pattern-$t-$$" ]
	linux_result $? "$t: debugfs finds the file the guest wrote in vdc (qcow2)"
}

disks() {	# T [vda's ,io=...] [vdc's ,io=...]
	echo -d "$dir/$1-data.raw,serial=lkvm-data${2:-}" -d "$dir/$1-ro.raw,ro" \
		-d "$dir/$1-rw.qcow2${3:-}"
}

make_disks pci
# shellcheck disable=SC2046 # the disk options split on purpose
linux_boot blk-pci -c 1 -m 256 --virtio-transport pci --loglevel info \
	$(disks pci)
make_disks mmio "poweroff -f"
# shellcheck disable=SC2046
linux_boot blk-mmio -c 1 -m 256 --virtio-transport mmio --loglevel info \
	$(disks mmio ,io=vcpu ,io=auto)

expect_log blk-pci 'virtio_blk virtio[0-9]+: \[vda\] 4096 512-byte logical blocks' \
	"pci: virtio_blk sees the 2 MiB raw disk"
expect_disks pci
expect_log blk-mmio 'virtio_blk virtio[0-9]+: \[vdc\] 81920 512-byte logical blocks' \
	"mmio: virtio_blk sees the 40 MiB qcow2 disk"
expect_disks mmio
expect_log blk-mmio 'virtio-blk.0: .* engine, lone requests on the vCPU' \
	"mmio: vda with io=vcpu (its line says so)"
expect_log blk-mmio 'virtio-blk.2: .* engine, lone quick requests on the vCPU' \
	"mmio: vdc with io=auto (the qcow2's line says so)"
linux_done
