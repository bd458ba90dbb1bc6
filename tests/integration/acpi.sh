#!/bin/bash
# ACPI end to end with the test guest (tests/guest/tests-acpi.c) on
# /dev/kvm: the guest finds the RSDP through each boot protocol and the
# BIOS-area scan, follows the FADT to the PM1a control block and the
# DSDT's \_S5, and powers off the way an OS does: lkvm ends with status 0.
# A sleep type lkvm does not support is ignored with one log line, and
# --no-acpi leaves out the tables and the PM registers.
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "ACPI tests" "$why"
	done_testing
	exit
fi

has() { grep -qxF -- "$1" "$TMP/out"; }
acpi_run() {	# DESCRIPTION EXPECTED_STATUS lkvm run ARGS...
	local what=$1 want=$2
	shift 2
	run_lkvm 60 run -m 64M -c 1 "$@"
	if [ "$rc" -eq "$want" ]; then
		pass "$what: exit status $rc"
		return 0
	fi
	fail "$what: exit status $rc, expected $want"
	show_output
	return 1
}

for img in guest.elf guest-pvh.elf guest.bzImage; do
	acpi_run "$img: tables" 0 -k "$GUESTS/$img" -p test=acpi &&
		check_that "$img: the boot protocol's RSDP and the scan's are 0xe0000" \
			'has "acpi: boot rsdp e0000" && has "acpi: scan rsdp e0000"'
done
check_that "the FADT's PM1a control block is port 0x604, \\_S5's SLP_TYP 5" \
	'has "acpi: pm1a_cnt 604" && has "acpi: s5 type 5"'

acpi_run "S5 through PM1a_CNT" 0 -k "$GUESTS/guest.elf" -p test=acpi:s5 \
	--loglevel info &&
	check_that "lkvm stops on the S5 request, before the guest goes on" \
		'grep -qF "acpi-pm: guest requested S5" "$TMP/err" && ! has "acpi: still running"'

acpi_run "S3 requested: ignored, the guest goes on" 42 -k "$GUESTS/guest.elf" \
	-p test=acpi:s3 &&
	check_that "one log line for the unsupported sleep type" \
		'[ "$(grep -c "acpi-pm: sleep type 3 requested" "$TMP/err")" -eq 1 ]'

acpi_run "--no-acpi: no tables" 0 --no-acpi -k "$GUESTS/guest.elf" -p test=acpi &&
	check_that "--no-acpi: no RSDP given or found, no FADT" \
		'has "acpi: boot rsdp 0" && has "acpi: scan rsdp 0" && has "acpi: pm1a_cnt 0"'
acpi_run "--no-acpi: S5 to port 0x604 reaches no device" 42 --no-acpi \
	-k "$GUESTS/guest.elf" -p test=acpi:port
acpi_run "the same write with ACPI on powers off" 0 -k "$GUESTS/guest.elf" \
	-p test=acpi:port

done_testing
