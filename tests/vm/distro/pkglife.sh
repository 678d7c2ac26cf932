#!/bin/bash
# pkglife.sh [-l LOGDIR]: the Debian packages' life on the distro-mode
# system after "apt install" (the prepared image of prepare.sh pair, whose
# boot installed them), in two more boots of a throwaway copy of that image
# (snapshot=off: each boot starts where the last one stopped):
#   1. the reboot after the install: udev loaded dax_hmem_sr and
#      cxl_sr_helper, not the stock dax_hmem, and "dax-hmem-sr doctor" has
#      no finding; then a second kernel (6.12-bpo of scripts/kernels.conf:
#      image, headers, their -common and linux-kbuild, from the test disk)
#      gets the pair built by DKMS's autoinstall; then "apt remove" of both
#      packages takes the policy, its guard and every module away, and the
#      second kernel's initrd, which held the pair (listed in
#      initramfs-tools' modules for the test), does not any more: the
#      package's postrm rebuilt it
#   2. the next boot: udev loaded the stock dax_hmem; then "apt purge", and
#      the file list of / is the one from before the install (less the
#      second kernel's own files), and nothing "dpkg -L" listed is left.
# Both boots have a Soft Reserved range in RAM (S0's memmap), so that udev
# has a hmem_platform device to load a driver for; no CXL device.
# Prints one line per boot, its RESULT; exits non-zero when a key has not
# the value it must have.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"

logdir="$VM_CACHE/logs/$(date +%Y%m%d-%H%M%S)-pkglife"
while getopts l: o; do
	case $o in
	l) logdir=$OPTARG ;;
	*) die "usage: pkglife.sh [-l LOGDIR]" ;;
	esac
done
mkdir -p "$logdir"

root=$("$DISTRO_DIR/mkroot.sh")
disk=$("$DISTRO_DIR/prepare.sh" pair)
# The second kernel's packages, downloaded when missing (fetch-kernel.sh
# keeps them in $SR_CACHE/debs).
nk=$(kernel_release 6.12-bpo)
abi=${nk%-amd64}
kdebs() {
	ls "$SR_CACHE"/debs/linux-image-"$nk"_*.deb "$SR_CACHE"/debs/linux-headers-"$nk"_*.deb \
	   "$SR_CACHE"/debs/linux-headers-"$abi"-common_*.deb "$SR_CACHE"/debs/linux-kbuild-"$abi"_*.deb \
	   2>/dev/null
}
[ "$(kdebs | wc -l)" = 4 ] || "$SR_TOP/scripts/fetch-kernel.sh" 6.12-bpo >/dev/null
mapfile -t debs < <(kdebs)
[ "${#debs[@]}" = 4 ] || die "the packages of $nk: got ${debs[*]:-none}"

work=$(mktemp -d "$VM_CACHE/distro/.pkglife.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp --sparse=always --reflink=auto "$disk" "$work/disk.img"
distro_testdisk "$work/vmtest.img" "${debs[@]}"

failed=0
# boot N TIMEOUT WANT...: one boot of the copy, its RESULT line checked
boot() {
	local n=$1 timeout=$2 log="$logdir/distro-pair-pkglife-$1.log" rc=0 res want miss=
	shift 2
	echo "pkglife: boot $n (log: $log)" >&2
	local t0=$SECONDS
	VM_DRIVES=$(distro_drives "$work/disk.img" off "$work/vmtest.img") \
		"$VM_DIR/run-vm.sh" -d 0 -t "$timeout" "$root" "$log" \
		root=/dev/vda "vmtest=pkglife$n" 'memmap=512M%0x40000000-1+0xefffffff' || rc=$?
	# through journald to the console: "[ uptime] unit[pid]: " first
	res=$(tr -d '\r' <"$log" | sed -E 's/^\[ *[0-9.]+\] [^ ]+\[[0-9]+\]: //' |
		grep -a '^RESULT ' | tail -n1 || true)
	echo "boot $n: ${res:-no RESULT} (qemu rc=$rc, $((SECONDS - t0)) s)"
	# KEY=VALUE, VALUE may list alternatives with '|' (as in expected.tbl)
	local got
	for want in "$@"; do
		got=$(tr ' ' '\n' <<<"$res" | sed -n "s/^${want%%=*}=//p" | tail -n1)
		case "|${want#*=}|" in *"|$got|"*) [ -n "$got" ] && continue ;; esac
		miss="$miss $want"
	done
	if [ -n "$miss" ]; then
		echo "pkglife: boot $n: want$miss; log: $log" >&2
		failed=1
		return 1
	fi
}

boot 1 "${VM_PKGLIFE_TIMEOUT:-2400}" setup=ok udev=ok guard=refused doctor=ok \
	newk=ok newdkms=installed newmods=2 remove=ok rmpolicy=gone rmmods=0 rmdkms=none \
	heldbefore=1 initrdcxl=3 rmtool=gone rmresolve=stock heldafter=0 bad=0 || true
# The purge only means something after a removal that went through.
if [ "$failed" = 0 ]; then
	boot 2 "${VM_PKGLIFE_TIMEOUT:-1200}" setup=ok udev=ok purge=ok new=0 gone=0 left=0 bad=0 || true
fi
[ "$failed" = 0 ]
