#!/bin/bash
# The lifecycle list on x86 (include/vm-devices.h) with the test guest on
# /dev/kvm: with --debug lkvm prints "lifecycle: create NAME" as each
# platform device is made and "lifecycle: destroy NAME" as it goes. The
# destroy lines must be exactly the create lines reversed, after a run
# that ends (guest reset, test-exit port) and after a set-up that fails
# once the devices exist (a kernel lkvm cannot load); --no-acpi and
# --no-pvpanic leave their device off the list.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "lifecycle tests" "$why"
	done_testing
	exit
fi
export LKVM_HOME="$TMP/home"

created() { sed -n 's/^lkvm: lifecycle: create //p' "$TMP/err"; }
destroyed() { sed -n 's/^lkvm: lifecycle: destroy //p' "$TMP/err"; }

# lifecycle_run DESCRIPTION EXPECTED_STATUS lkvm run ARGS...
lifecycle_run() {
	local what=$1 want=$2
	shift 2
	run_lkvm 60 run -m 64M -c 1 --debug "$@" </dev/null
	if [ "$rc" -ne "$want" ]; then
		fail "$what: exit status $rc, expected $want"
		show_output
		return 1
	fi
	created >"$TMP/created"
	destroyed >"$TMP/destroyed"
	if [ -s "$TMP/created" ] && tac "$TMP/created" | cmp -s - "$TMP/destroyed"; then
		pass "$what: $(wc -l <"$TMP/created") devices destroyed in reverse order of creation"
		return 0
	fi
	fail "$what: the destroy lines are not the create lines reversed"
	paste "$TMP/created" "$TMP/destroyed" | sed 's/^/#   create\/destroy: /'
	return 1
}
listed() { grep -qxF -- "$1" "$TMP/created"; }
line_of() { grep -nxF -- "$1" "$TMP/created" | cut -d: -f1; }

if lifecycle_run "guest reset" 0 -k "$GUESTS/guest.elf" -p test=reset; then
	missing=
	for dev in ttyS0 ttyS1 ttyS2 ttyS3 console rtc i8042 debug-exit \
		   ignored-ports acpi-pm pci-host pvpanic; do
		listed "$dev" || missing="$missing $dev"
	done
	check "every PC platform device is on the list${missing:+ (missing:$missing)}" \
		[ -z "$missing" ]
	check "the PCI host is made before pvpanic, which sits on it" \
		[ "$(line_of pci-host)" -lt "$(line_of pvpanic)" ]
fi

lifecycle_run "test-exit port, status 7" 7 -k "$GUESTS/guest.elf" -p test=exit:7

lifecycle_run "--no-acpi --no-pvpanic" 0 -k "$GUESTS/guest.elf" \
	-p test=reset --no-acpi --no-pvpanic &&
	if ! listed acpi-pm && ! listed pvpanic && listed i8042; then
		pass "--no-acpi and --no-pvpanic: neither acpi-pm nor pvpanic made"
	else
		fail "--no-acpi and --no-pvpanic: neither acpi-pm nor pvpanic made"
	fi

head -c 1048576 /dev/zero >"$TMP/bad.img"
lifecycle_run "set-up failure (a kernel lkvm cannot load)" 1 -k "$TMP/bad.img" &&
	if listed pci-host && grep -q "cannot load kernel" "$TMP/err"; then
		pass "the failure came after the devices were made"
	else
		fail "the failure came after the devices were made"
	fi

run_lkvm 60 run -m 64M -c 1 -k "$GUESTS/guest.elf" -p test=reset </dev/null
if [ "$rc" -eq 0 ] && ! grep -q "lifecycle:" "$TMP/err"; then
	pass "without --debug no lifecycle lines"
else
	fail "without --debug no lifecycle lines (status $rc)"
fi
done_testing
