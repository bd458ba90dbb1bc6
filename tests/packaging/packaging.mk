# SPDX-License-Identifier: GPL-2.0
# The Makefile as a packager uses it (tests/packaging/packaging.sh): flags,
# ARCH, libraries, install/uninstall, a tarball build with VERSION, the
# package lists of make run and make check. About a minute: it builds
# lkvm once more from a git archive of the working tree.
CHECK_SUITES += tests/packaging/packaging.sh
