#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bench: ring throughput, Linux driver <-> lkvm device, split vs packed vs memcpy.
# run.sh's skip and not-built lines, then peer-test --bench.
exec "$(dirname "$0")/run.sh" --bench
