#!/bin/bash
# stress.sh [-d DIV]: the stress scenarios of the VM bed at their full counts
# (scenarios.conf: 200 load/unload cycles of the pair in the S0 and S3
# states, 100 unbind/bind cycles of hmem_platform.0 in each, 50 cxl_acpi
# handovers), one guest at a time.  The test command runs them divided by 20.
# Ends in "N passed, N failed" like every suite.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

div=1
while getopts d: o; do
	case $o in
	d) div=$OPTARG ;;
	*) die "usage: stress.sh [-d DIV]" ;;
	esac
done
VM_STRESS_DIV=$div exec "$VM_DIR/run-suite.sh" -s pair -j 1 \
	-t S0-stress,S3-stress,S1-stress
