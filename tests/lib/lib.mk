# SPDX-License-Identifier: GPL-2.0
# tests/lib/tap.sh, the shell suites' TAP lines, on stand-in suites under
# dash and bash (seconds).
CHECK_SUITES += tests/lib/tap-test.sh
