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
echo "== booting stock 6.12, 6.12 with the pair, and stock 7.2 (upstream reference)"
echo "   S3-kmem: Soft Reserved over CXL memory whose region did not assemble"
echo "   S4:      Soft Reserved larger than the one region that assembled"
echo "   S5:      Soft Reserved over two adjacent regions"
echo "   (the suite boots each in QEMU with emulated CXL; about 4 minutes)"
EXTRA_KO="${kos[*]}" exec "$SR_TOP/tests/vm/run-suite.sh" -s 6.12,pair,7.2 \
	-t S3-kmem,S4,S5
