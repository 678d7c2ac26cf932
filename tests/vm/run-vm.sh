#!/bin/bash
# run-vm.sh [-d DEVS] [-t SECONDS] [-m MEM] IMAGE_DIR LOG [KERNEL ARGS...]
# Boot one TCG guest from an image of mkimage.sh with the serial console in
# LOG.  DEVS (0-2) volatile CXL type-3 devices of 1 GiB sit behind one CXL
# host bridge, one root port each, in a 4 GiB fixed memory window at
# 0x110000000 (with -m up to 2.75G; the guest reads it from /proc/iomem).
# Exit status: QEMU's, or 124 when the guest hit the timeout.
# VM_ICOUNT=SHIFT (bench/run.sh -i): QEMU's instruction counting, each
# instruction 2^SHIFT ns of guest time and idle time skipped (sleep=off), so
# the guest's clock counts what it executed, not how the host scheduled it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

devs=1 tmo=${VM_TIMEOUT:-240} mem=2G
while getopts d:t:m: o; do
	case $o in
	d) devs=$OPTARG ;;
	t) tmo=$OPTARG ;;
	m) mem=$OPTARG ;;
	*) die "usage: run-vm.sh [-d DEVS] [-t SECONDS] [-m MEM] IMAGE_DIR LOG [ARGS...]" ;;
	esac
done
shift $((OPTIND - 1))
img=${1:?image dir}
log=${2:?log file}
shift 2

# KVM is not usable on the hosts this was built on (nested PVM without
# VMX/SVM), so TCG; -hypervisor because with the CPUID hypervisor bit Linux
# cannot invalidate caches and refuses to commit a region.
# shellcheck disable=SC2054 # the commas belong to QEMU's option syntax
q=(qemu-system-x86_64 -M q35,cxl=on -accel tcg -cpu qemu64,-hypervisor -smp 2
   -m "$mem" -object "memory-backend-ram,id=m0,size=$mem"
   -numa "node,nodeid=0,cpus=0-1,memdev=m0"
   -nographic -no-reboot -nodefaults -serial stdio
   -kernel "$img/vmlinuz" -initrd "$img/initrd.cpio")
if [ "$devs" -gt 0 ]; then
	# hdm_for_passthrough: with one root port the host bridge would
	# otherwise have no HDM decoder, and a kexec'd kernel cannot map the
	# committed endpoint decoder to a region.
	# shellcheck disable=SC2054
	q+=(-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1,hdm_for_passthrough=on)
	for ((i = 0; i < devs; i++)); do
		q+=(-object "memory-backend-ram,id=vmem$i,share=on,size=1G"
		    -device "cxl-rp,port=$i,bus=cxl.1,id=rp$i,chassis=0,slot=$((2 + i))"
		    -device "cxl-type3,bus=rp$i,volatile-memdev=vmem$i,id=cxl-mem$i,sn=$((i + 1))")
	done
	# shellcheck disable=SC2054
	q+=(-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G)
fi
if [ -n "${VM_ICOUNT:-}" ]; then
	# icount runs the vCPUs on one host thread (no MTTCG); the RTC follows
	# the guest's clock from a fixed date: the date seeds the guest's
	# randomness (no RDRAND on qemu64), and with it the boot's course
	# shellcheck disable=SC2054
	q+=(-icount "shift=$VM_ICOUNT,sleep=off" -rtc base=2026-01-01T00:00:00,clock=vm)
fi
# Disks (distro mode, tests/vm/distro): QEMU -drive options, word-split.
read -r -a drives <<<"${VM_DRIVES:-}"
[ ${#drives[@]} -gt 0 ] && q+=("${drives[@]}")
# oops=panic with panic=-1 and -no-reboot: a guest oops ends QEMU at once.
q+=(-append "console=ttyS0 panic=-1 oops=panic quiet $*")

mkdir -p "$(dirname "$log")"
{
	echo "# $(date -u +%FT%TZ) ${q[*]}"
} >"$log"
rc=0
timeout -k 10 "$tmo" "${q[@]}" </dev/null >>"$log" 2>&1 || rc=$?
exit "$rc"
