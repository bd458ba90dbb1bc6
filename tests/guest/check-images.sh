#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP: the test guest's four images have the formats lkvm and other boot
# loaders expect (ELF entry, PVH note, bzImage setup header, flat layout),
# and mkbzimage refuses input it cannot pack.
set -u
out=${BUILD:-build}/tests/guest
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"

# u8/u16/u32/u64 FILE OFFSET: little-endian value, decimal.
u() { od -An -t"u$1" -j "$(($3))" -N "$1" --endian=little "$2" | tr -d ' '; }
u8() { u 1 "$@"; }
u16() { u 2 "$@"; }
u32() { u 4 "$@"; }
u64() { u 8 "$@"; }
sym() {
	local a
	a=$(nm "$1" | awk -v s="$2" '$3 == s { print $1 }')
	[ -n "$a" ] && echo $((16#$a))
}

for f in guest.elf guest-pvh.elf guest-pvh32.elf guest.bzImage guest.flat \
	 guest-flat.elf mkbzimage; do
	if [ ! -s "$out/$f" ]; then
		echo "Bail out! $out/$f missing (make guest)"
		exit 1
	fi
done

# guest.elf: plain ELF64 vmlinux-like, entry = startup_64 at 0x100200.
elf="$out/guest.elf"
hdr=$(readelf -h "$elf")
grep -q 'Class:.*ELF64' <<<"$hdr" && grep -q 'Machine:.*X86-64' <<<"$hdr"
ok $? "guest.elf is ELF64 x86-64"
[ "$(u64 "$elf" 0x18)" = $((0x100200)) ] &&
	[ "$(sym "$elf" startup_64)" = $((0x100200)) ]
ok $? "guest.elf entry is startup_64 at 0x100200"
readelf -lW "$elf" | awk '$1 == "LOAD" && $4 != "0x0000000000100000" { bad = 1 }
	END { exit bad }'
ok $? "guest.elf loads at 0x100000"
! readelf -lW "$elf" | grep -q NOTE && ! readelf -nW "$elf" | grep -q Xen
ok $? "guest.elf has no PVH note"

# guest-pvh.elf: PT_NOTE with Xen type 18 pointing at pvh_start32.
pvh="$out/guest-pvh.elf"
readelf -lW "$pvh" | grep -q '^ *NOTE '
ok $? "guest-pvh.elf has a PT_NOTE segment"
note_addr() {	# Xen note type 18's descriptor as a number
	local h
	h=$(readelf -n "$1" | tr '\n' ' ' |
		sed -n 's/.*Xen *0x00000004[^(]*(0x00000012) *description data: \([0-9a-f]*\) \([0-9a-f]*\) \([0-9a-f]*\) \([0-9a-f]*\).*/\4\3\2\1/p')
	[ -n "$h" ] && echo $((16#$h))
}
entry32=$(sym "$pvh" pvh_start32)
[ -n "$entry32" ] && [ "$(note_addr "$pvh")" = "$entry32" ]
ok $? "guest-pvh.elf: Xen note 18 (PHYS32_ENTRY) = pvh_start32"
[ -n "$entry32" ] && [ "$(note_addr "$out/guest-pvh32.elf")" = "$entry32" ] &&
	readelf -h "$out/guest-pvh32.elf" | grep -q 'Class:.*ELF32'
ok $? "guest-pvh32.elf is ELF32 with the same PVH note"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
objcopy -O binary "$elf" "$tmp/elf.bin"
objcopy -O binary -j .text -j .rodata -j .data "$elf" "$tmp/elf-code.bin"
objcopy -O binary -j .text -j .rodata -j .data "$pvh" "$tmp/pvh.bin"
cmp -s "$tmp/elf-code.bin" "$tmp/pvh.bin"
ok $? "guest-pvh.elf carries the same code as guest.elf"

# guest.bzImage: setup header per Documentation/x86/boot.rst.
bz="$out/guest.bzImage"
sects=$(u8 "$bz" 0x1f1)
setup=$(((sects + 1) * 512))
[ "$(u16 "$bz" 0x1fe)" = $((0xaa55)) ] &&
	[ "$(head -c $((0x206)) "$bz" | tail -c 4)" = HdrS ]
ok $? "bzImage: boot_flag 0xaa55 and HdrS magic"
[ "$(u16 "$bz" 0x206)" = $((0x20f)) ]
ok $? "bzImage: protocol version 2.15"
[ "$sects" -ge 4 ] && [ $(($(u8 "$bz" 0x211) & 1)) = 1 ] &&
	[ $(($(u16 "$bz" 0x236) & 1)) = 1 ] && [ "$(u8 "$bz" 0x234)" = 0 ]
ok $? "bzImage: setup_sects $sects, LOADED_HIGH, XLF_KERNEL_64, not relocatable"
[ "$(u64 "$bz" 0x258)" = $((0x100000)) ] &&
	[ "$(u32 "$bz" 0x214)" = $((0x100000)) ] &&
	[ "$(u32 "$bz" 0x22c)" = $((0x37ffffff)) ] &&
	[ "$(u32 "$bz" 0x238)" -ge 2048 ] &&
	[ "$(u32 "$bz" 0x230)" -gt 0 ]
ok $? "bzImage: pref_address, code32_start, initrd_addr_max, cmdline_size, kernel_alignment"
size=$(stat -c %s "$bz")
payload=$((size - setup))
[ $(($(u32 "$bz" 0x1f4) * 16)) -ge "$payload" ] &&
	[ "$(u32 "$bz" 0x260)" -ge "$payload" ] &&
	[ "$(u32 "$bz" 0x260)" -ge $(($(sym "$elf" _end) - 0x100000)) ]
ok $? "bzImage: syssize and init_size cover the payload and its bss"
cmp -s <(tail -c +$((setup + 1)) "$bz") "$tmp/elf.bin"
ok $? "bzImage payload is guest.elf flattened at 0x100000"
[ "$(od -An -tx1 -j $((setup + 0x200)) -N 2 "$bz" | tr -d ' ')" = fafc ]
ok $? "bzImage: 64-bit entry (cli; cld) at payload offset 0x200"

# guest.flat: linked at 0x10000, real-mode entry first, clear of the
# AP trampoline page and within lkvm's 576 KiB flat limit.
flat="$out/guest.flat"
[ "$(sym "$out/guest-flat.elf" flat_start)" = $((0x10000)) ] &&
	[ "$(od -An -tx1 -N 2 "$flat" | tr -d ' ')" = fafc ]
ok $? "guest.flat starts with the real-mode entry at 0x10000"
[ "$(sym "$out/guest-flat.elf" _end)" -le $((0x70000)) ] &&
	[ "$(stat -c %s "$flat")" -le $((576 * 1024)) ]
ok $? "guest.flat (with bss) ends below 0x70000"
! file "$flat" | grep -q ELF
ok $? "guest.flat is not mistaken for an ELF"

# mkbzimage refuses an ELF whose entry is not at 0x100200 and a setup
# blob with a non-empty header area.
! "$out/mkbzimage" "$out/setup16.bin" "$out/guest-flat.elf" "$tmp/x" \
	2>"$tmp/err" && grep -q mkbzimage "$tmp/err"
ok $? "mkbzimage rejects an image not linked at 0x100000"
head -c 1024 "$bz" >"$tmp/setup"
! "$out/mkbzimage" "$tmp/setup" "$elf" "$tmp/x" 2>/dev/null
ok $? "mkbzimage rejects setup code with a filled header"

tap_done
