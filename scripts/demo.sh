#!/bin/bash
# The main job: build the pair for Debian's 6.12 kernel, then boot that kernel
# in the VM bed with emulated CXL and Soft Reserved memory, stock beside pair,
# and print who owns each range and how much of it is online.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SR_TOP/scripts/setup-host.sh"
"$SR_TOP/scripts/fetch-kernel.sh" 6.12-deb12 7.2 >/dev/null
echo "== building dax-hmem-sr for $(kernel_release 6.12-deb12)"
mapfile -t kos < <("$SR_TOP/scripts/build-pair.sh" 6.12-deb12)
for ko in "${kos[@]}"; do
	modinfo "$ko" | grep -E '^(filename|description|vermagic):'
done
if [ ! -x "$SR_TOP/tests/vm/run-suite.sh" ]; then
	echo "demo: the VM bed (tests/vm) is not in this tree yet; stopping after the build"
	exit 0
fi
echo "== booting stock 6.12, 6.12 with the pair, and stock 7.2 in the VM bed"
exec "$SR_TOP/tests/vm/run-suite.sh" --demo
