#!/bin/bash
# make bench: run each benchmark suite and show what it prints.
set -u
status=0
for suite in "$@"; do
	echo "# bench: $suite"
	"$suite" || status=1
done
exit $status
