# Integration tests: real VMs on /dev/kvm (skipped with the reason where
# /dev/kvm is unusable).
CHECK_SUITES += tests/integration/acpi.sh tests/integration/bad-input.sh \
	tests/integration/boot.sh tests/integration/control.sh \
	tests/integration/shutdown-flush.sh
CHECK_SUITES += tests/integration/images.sh
CHECK_PACKAGES += python3 util-linux strace
# 500 runs of a resetting guest with -c 16 (~20 s here): lkvm always exits.
CHECK_SUITES += tests/integration/exit-race.sh
CHECK_SUITES += tests/integration/std-fds.sh
CHECK_SUITES += tests/integration/control-security.sh
# Out of descriptors: the control thread backs off and lkvm stop works.
CHECK_SUITES += tests/integration/control-fds.sh
# SIGTERM with the console flooded and unread; a slow reader gets all.
CHECK_SUITES += tests/integration/console-flood.sh
# A guest that leaves the terminal in a bad state: lkvm's line still shows.
CHECK_SUITES += tests/integration/term-repair.sh
# kvmtool's habits: options after the kernel, -n/-a, lkvm alone.
CHECK_SUITES += tests/integration/cli-habits.sh
# lkvm.1 and README against the option and command tables (no VM).
CHECK_SUITES += tests/integration/man-page.sh
# --debug's lifecycle lines: devices destroyed in reverse order of creation.
CHECK_SUITES += tests/integration/lifecycle.sh
# --seccomp: every thread filtered and named; a forbidden call per role.
CHECK_SUITES += tests/integration/seccomp.sh
# Landlock on a running lkvm's 9p workers, by what they can open.
CHECK_SUITES += tests/integration/9p-landlock.sh
# The main thread's helper: the sockets removed, the status file written.
CHECK_SUITES += tests/integration/main-helper.sh
# --jail: only the bound files, no capabilities, list/stop, status, bad input.
CHECK_SUITES += tests/integration/jail.sh
# SIGTERM at random moments of start-up (plain, jailed): lkvm stops.
CHECK_SUITES += tests/integration/start-signal.sh
